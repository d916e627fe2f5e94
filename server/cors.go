package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/rest"
)

// CORS for the Customer API and GraphQL. A preflight (OPTIONS with
// Access-Control-Request-Method) carries no X-API-Key, so it cannot name a
// workspace: it is granted to any well-formed origin, and the workspace's
// allowed origins are enforced on the actual request, which carries the
// key. A refused origin gets 403 forbidden without a CORS grant, so the
// browser neither shows the page the response nor lets the request do
// anything (it is refused before the handler runs).
const (
	corsAllowMethods  = "GET, POST, OPTIONS"
	corsAllowHeaders  = "Content-Type, X-API-Key, X-Widget-Token, X-Request-ID, Last-Event-ID, Authorization"
	corsExposeHeaders = "Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-Request-ID"
	corsMaxAge        = "600"
)

// isCORSPath reports whether path is served cross-origin.
func isCORSPath(path string) bool {
	return path == "/graphql" || path == "/api/customer" || strings.HasPrefix(path, "/api/customer/")
}

// preflight answers CORS preflights and bare OPTIONS requests for the
// cross-origin paths. It runs as global middleware, because gin routes an
// OPTIONS request to the 405 (or 404) handlers, which global middleware
// precedes; a catch-all OPTIONS route would turn every unknown path under
// it into a 405.
func preflight() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Method != http.MethodOptions || !isCORSPath(c.Request.URL.Path) {
			c.Next()
			return
		}
		h := c.Writer.Header()
		h.Add("Vary", "Origin")
		h.Set("Allow", corsAllowMethods)
		if origin, ok := helpium.NormalizeOrigin(c.GetHeader("Origin")); ok && c.GetHeader("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
		}
		c.AbortWithStatus(http.StatusNoContent)
	}
}

// grantCORS lets a browser on the request's origin read the response.
func grantCORS(c *gin.Context) {
	h := c.Writer.Header()
	h.Add("Vary", "Origin")
	if origin := c.GetHeader("Origin"); origin != "" {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
	}
}

// cors grants CORS to the request's origin up front, so that a browser can
// read errors such as a wrong key, or the forbidden of an origin the
// workspace does not allow (which says no more than that, and stops the
// widget from retrying what looks like a network failure).
func cors() gin.HandlerFunc {
	return func(c *gin.Context) {
		grantCORS(c)
		if origin := c.GetHeader("Origin"); origin != "" {
			c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), originKey{}, origin))
		}
		c.Next()
	}
}

type originKey struct{}

// checkWebSocketOrigin applies the allowed origins of a widget WebSocket's
// workspace, known only once the connection_init payload named the key,
// to the Origin of the upgrade request.
func checkWebSocketOrigin(ctx context.Context) error {
	if a := helpium.ActorFrom(ctx); a != nil && a.Workspace != nil {
		origin, _ := ctx.Value(originKey{}).(string)
		return a.Workspace.CheckOrigin(origin)
	}
	return nil
}

// widgetOrigin refuses Customer API requests from origins the workspace
// does not allow. It runs after widgetAuth.
func widgetOrigin(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		if ws, err := helpium.WidgetWorkspace(c.Request.Context()); err == nil {
			if err := ws.CheckOrigin(c.GetHeader("Origin")); err != nil {
				rest.WriteError(c, log, err)
				return
			}
		}
		c.Next()
	}
}
