package widget_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/helpium/helpium/widget"
)

func get(t *testing.T, h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestScriptHeaders(t *testing.T) {
	h := widget.New("pk_test")
	plain := get(t, h, http.MethodGet, "/widget.js")
	if plain.Code != http.StatusOK {
		t.Fatalf("status %d", plain.Code)
	}
	for name, want := range map[string]string{
		"Content-Type":                 "text/javascript; charset=utf-8",
		"Cache-Control":                "public, max-age=300",
		"Vary":                         "Accept-Encoding",
		"Cross-Origin-Resource-Policy": "cross-origin",
		"Content-Encoding":             "",
	} {
		if got := plain.Header().Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if !bytes.HasPrefix(plain.Body.Bytes(), []byte("/*! Helpium chat widget")) {
		t.Errorf("body starts %q", plain.Body.String()[:40])
	}
	etag := plain.Header().Get("ETag")
	if !strings.HasPrefix(etag, `"`) || etag != `"`+h.Version()+`"` {
		t.Errorf("ETag %q, version %q", etag, h.Version())
	}

	gz := get(t, h, http.MethodGet, "/widget.js", "Accept-Encoding", "br, gzip;q=0.8")
	if gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("ETag") == etag {
		t.Fatalf("gzip response: encoding %q, etag %q", gz.Header().Get("Content-Encoding"), gz.Header().Get("ETag"))
	}
	if _, n := h.Size(); n != gz.Body.Len() {
		t.Errorf("Size() gzipped %d, served %d", n, gz.Body.Len())
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, plain.Body.Bytes()) {
		t.Error("gzipped body differs from the plain one")
	}
	if get(t, h, http.MethodGet, "/widget.js", "Accept-Encoding", "gzip;q=0").Header().Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 still got gzip")
	}

	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		nm := get(t, h, http.MethodGet, "/widget.js", "If-None-Match", inm)
		if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 {
			t.Errorf("If-None-Match %s: status %d, %d bytes", inm, nm.Code, nm.Body.Len())
		}
	}
	if c := get(t, h, http.MethodGet, "/widget.js", "If-None-Match", `"stale"`).Code; c != http.StatusOK {
		t.Errorf("stale ETag: status %d", c)
	}

	head := get(t, h, http.MethodHead, "/widget.js")
	if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("Content-Length") != plain.Header().Get("Content-Length") {
		t.Errorf("HEAD: status %d, body %d, length %q", head.Code, head.Body.Len(), head.Header().Get("Content-Length"))
	}

	if cc := get(t, h, http.MethodGet, "/widget.js?v="+h.Version()).Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("versioned URL Cache-Control %q", cc)
	}
	if cc := get(t, h, http.MethodGet, "/widget.js?v=old").Header().Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("old version Cache-Control %q", cc)
	}
	if c := get(t, h, http.MethodPost, "/widget.js").Code; c != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d", c)
	}
}

func TestDemoPage(t *testing.T) {
	h := widget.New(`pk_demo</script><script>alert(1)//`)
	res := get(t, h, http.MethodGet, "/demo")
	body := res.Body.String()
	if res.Code != http.StatusOK || res.Header().Get("Content-Type") != "text/html; charset=utf-8" || res.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("status %d, headers %v", res.Code, res.Header())
	}
	if !strings.Contains(body, `<script src="/widget.js"></script>`) {
		t.Error("demo page does not load /widget.js")
	}
	if strings.Contains(body, "</script><script>alert(1)") || !strings.Contains(body, `apiKey: "pk_demo\u003c/script\u003e`) {
		t.Errorf("demo key is not escaped as a JavaScript string:\n%s", body)
	}
	if res.Header().Get("ETag") == "" {
		t.Error("no ETag")
	}
}

// TestReadmeStatesGzippedSize keeps the size the README promises honest.
func TestReadmeStatesGzippedSize(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`\*\*(\d+(?:\.\d+)?) KB gzipped\*\*`).FindSubmatch(readme)
	if m == nil {
		t.Fatal(`README.md does not state the widget's size as "**N KB gzipped**"`)
	}
	stated, _ := strconv.ParseFloat(string(m[1]), 64)
	_, gz := widget.New("pk").Size()
	if actual := float64(gz) / 1000; math.Abs(actual-stated) > 0.3 {
		t.Errorf("README.md says %.1f KB gzipped; /widget.js is %.1f KB gzipped", stated, actual)
	}
}
