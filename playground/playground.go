// Package playground serves GraphiQL at /playground from the binary: the
// bundle is built from src/ (TypeScript, GraphiQL and React from npm) into
// dist/ by `make playground` and committed, so serving needs no Node and
// no CDN, and the page runs under a strict Content-Security-Policy.
package playground

import (
	"embed"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium/internal/jsbundle"
)

//go:embed index.html dist/playground.js dist/playground.css dist/*.LEGAL.txt
var files embed.FS

// csp allows the page's own script and style, GraphQL over HTTP and
// WebSocket to this server, and the data: images and fonts GraphiQL's
// stylesheet carries.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Register serves /playground and its assets.
func Register(r gin.IRouter) {
	jsbundle.Serve(r, files, map[string]string{
		"/playground":                          "index.html",
		"/playground/playground.js":            "dist/playground.js",
		"/playground/playground.css":           "dist/playground.css",
		"/playground/playground.js.LEGAL.txt":  "dist/playground.js.LEGAL.txt",
		"/playground/playground.css.LEGAL.txt": "dist/playground.css.LEGAL.txt",
	}, csp)
}
