// Package account serves the pages that Helpium's emails link to:
// accepting an invitation (/app/invitation) and choosing a new password
// (/app/reset-password). They are static, embedded in the binary, and use
// the public GraphQL API. The link's token travels in the URL fragment, so
// it reaches no server log and no Referer.
package account

import (
	"embed"
	"net/http"
	"path"

	"github.com/gin-gonic/gin"
)

//go:embed invitation.html reset-password.html page.js page.css
var files embed.FS

// csp allows the pages' own script, style and GraphQL calls, nothing else.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
}

// Register adds the pages and their assets to r.
func Register(r gin.IRouter) {
	for route, file := range map[string]string{
		"/app/invitation":       "invitation.html",
		"/app/reset-password":   "reset-password.html",
		"/app/account/page.js":  "page.js",
		"/app/account/page.css": "page.css",
	} {
		body, err := files.ReadFile(file)
		if err != nil {
			panic(err) // embedded at build time
		}
		contentType := contentTypes[path.Ext(file)]
		r.GET(route, func(c *gin.Context) {
			c.Header("Content-Security-Policy", csp)
			c.Header("Cache-Control", "no-cache")
			c.Data(http.StatusOK, contentType, body)
		})
	}
}
