// Package app serves the agent app at /app from the binary: the bundle is
// built from src/ (TypeScript, Preact and graphql-ws from npm) into dist/
// by `make app` and committed, so serving needs no Node. It uses only the
// public GraphQL API, with its session in an HttpOnly cookie (see
// server/cookies.go), under a strict Content-Security-Policy.
package app

import (
	"embed"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium/internal/jsbundle"
)

//go:embed index.html dist/app.js dist/app.css
var files embed.FS

// csp allows the app's own script and style, GraphQL over HTTP and
// WebSocket to this server, and images from it (attachments) or from blob:
// URLs (thumbnails of files about to be sent): no inline script, no other
// origin.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self' data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Register serves /app and its assets.
func Register(r gin.IRouter) {
	jsbundle.Serve(r, files, map[string]string{
		"/app":         "index.html",
		"/app/app.js":  "dist/app.js",
		"/app/app.css": "dist/app.css",
	}, csp)
}

// Extra are the files outside app/ that its sources import (the widget's
// Markdown renderer), for the bundle's fingerprint.
var Extra = []string{"../widget/src/markdown.js", "../widget/src/dom.js"}
