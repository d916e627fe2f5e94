// Package widget serves Helpium's embeddable chat widget: the SDK and UI as
// one script at /widget.js, and a sample host page at /demo that runs it
// against the demo workspace. Both are embedded in the binary.
//
// The script is built from src/ into dist/widget.js by `make widget` (see
// package bundle); the built file is committed, so serving needs no
// JavaScript tooling.
package widget

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed dist/widget.js
var script []byte

//go:embed demo.html
var demoPage string

// Cache policies. The script's plain URL is what sites embed, so browsers
// revalidate it every few minutes (cheaply, by ETag) and pick up a new
// release soon; /widget.js?v=VERSION never changes and is cached for good.
const (
	scriptCache          = "public, max-age=300"
	scriptImmutableCache = "public, max-age=31536000, immutable"
	demoCache            = "no-cache"
)

// Handler serves /widget.js and /demo.
type Handler struct {
	script asset
	demo   asset
}

// asset is a response body prepared once: plain and gzipped, with an ETag
// for each.
type asset struct {
	contentType string
	body, gz    []byte
	etag, gzTag string
}

func newAsset(contentType string, body []byte) asset {
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:8])
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	w.Write(body)
	w.Close()
	return asset{
		contentType: contentType,
		body:        body,
		gz:          gz.Bytes(),
		etag:        `"` + tag + `"`,
		gzTag:       `"` + tag + `-gz"`,
	}
}

// New returns a Handler whose demo page uses the widget key demoKey.
func New(demoKey string) *Handler {
	var page bytes.Buffer
	template.Must(template.New("demo").Parse(demoPage)).Execute(&page, struct{ Key string }{demoKey}) //nolint:errcheck // a bytes.Buffer cannot fail
	return &Handler{
		script: newAsset("text/javascript; charset=utf-8", script),
		demo:   newAsset("text/html; charset=utf-8", page.Bytes()),
	}
}

// Version identifies the script's content: /widget.js?v=Version may be
// cached forever.
func (h *Handler) Version() string { return strings.Trim(h.script.etag, `"`) }

// Size returns the script's size in bytes, plain and gzipped.
func (h *Handler) Size() (plain, gzipped int) { return len(h.script.body), len(h.script.gz) }

// Register adds GET and HEAD /widget.js and /demo to r.
func (h *Handler) Register(r gin.IRoutes) {
	hf := gin.WrapH(h)
	for _, p := range []string{"/widget.js", "/demo"} {
		r.GET(p, hf)
		r.HEAD(p, hf)
	}
}

// ServeHTTP serves /widget.js and /demo, and 404 for anything else.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case "/widget.js":
		cache := scriptCache
		if v := r.URL.Query().Get("v"); v != "" && v == h.Version() {
			cache = scriptImmutableCache
		}
		// Host pages on any origin load it, including ones that set
		// Cross-Origin-Embedder-Policy.
		w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
		h.script.serve(w, r, cache)
	case "/demo":
		h.demo.serve(w, r, demoCache)
	default:
		http.NotFound(w, r)
	}
}

func (a asset) serve(w http.ResponseWriter, r *http.Request, cache string) {
	body, tag := a.body, a.etag
	hdr := w.Header()
	hdr.Set("Vary", "Accept-Encoding")
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, tag = a.gz, a.gzTag
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("Content-Type", a.contentType)
	hdr.Set("Cache-Control", cache)
	hdr.Set("ETag", tag)
	if etagMatches(r.Header.Get("If-None-Match"), tag) {
		hdr.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body) //nolint:errcheck // the client went away
	}
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(h string) bool {
	for _, part := range strings.Split(h, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.TrimSpace(name) != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return !(q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000")
	}
	return false
}

// etagMatches reports whether an If-None-Match header matches tag, with the
// weak comparison RFC 9110 prescribes for it.
func etagMatches(header, tag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}
