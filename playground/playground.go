// Package playground serves GraphiQL at /playground from the binary: the
// bundle is built from src/ (TypeScript, GraphiQL and React from npm) into
// dist/ by `make playground` and committed, so serving needs no Node and
// no CDN, and the page runs under a strict Content-Security-Policy.
package playground

import (
	"bytes"
	"compress/gzip"
	"embed"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed index.html dist/playground.js dist/playground.css dist/*.LEGAL.txt
var files embed.FS

// csp allows the page's own script and style, GraphQL over HTTP and
// WebSocket to this server, and the data: images and fonts GraphiQL's
// stylesheet carries.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Register serves /playground and its assets (gzipped to clients that
// accept it).
func Register(r gin.IRouter) {
	for route, file := range map[string]string{
		"/playground":                          "index.html",
		"/playground/playground.js":            "dist/playground.js",
		"/playground/playground.css":           "dist/playground.css",
		"/playground/playground.js.LEGAL.txt":  "dist/playground.js.LEGAL.txt",
		"/playground/playground.css.LEGAL.txt": "dist/playground.css.LEGAL.txt",
	} {
		body, err := files.ReadFile(file)
		if err != nil {
			panic(err) // embedded at build time
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		contentType := contentTypes[path.Ext(file)]
		r.GET(route, func(c *gin.Context) {
			c.Header("Content-Security-Policy", csp)
			c.Header("Cache-Control", "no-cache")
			c.Header("Vary", "Accept-Encoding")
			if strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
				c.Header("Content-Encoding", "gzip")
				c.Data(http.StatusOK, contentType, gz.Bytes())
				return
			}
			c.Data(http.StatusOK, contentType, body)
		})
	}
}

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".txt":  "text/plain; charset=utf-8",
}
