package server

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/graph"
)

// Browser sessions of the agent app live in an HttpOnly cookie, out of
// reach of scripts, rather than in storage a script could read. A request
// opts in with the header X-Helpium-Session: cookie, or, for a WebSocket
// (whose browser API sets no headers), the query session=cookie; login
// then sets the cookie and answers without the token, logout clears it.
// Other requests ignore the cookie. One that opts in must come from this
// server's own origin: the cookie is SameSite=Strict, a form or simple
// cross-origin request cannot send the header, and the Origin must name
// this host.
const (
	sessionCookie = "helpium_session"
	sessionHeader = "X-Helpium-Session"
)

// cookieSession runs before graphQLAuth.
func cookieSession() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.GetHeader(sessionHeader) != "cookie" && (c.Request.Method != http.MethodGet || c.Query("session") != "cookie") {
			c.Next() // the cookie is ignored
			return
		}
		if !sameOrigin(c.Request) {
			writeGraphQLError(c, helpium.Errorf(helpium.EForbidden,
				"Cookie sessions are for this server's own pages: the Origin must be this host."))
			return
		}
		if token, err := c.Cookie(sessionCookie); err == nil && token != "" && c.GetHeader("Authorization") == "" && c.GetHeader("X-API-Key") == "" {
			c.Request.Header.Set("Authorization", "Bearer "+token)
		}
		secure := c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https"
		w := c.Writer
		c.Request = c.Request.WithContext(graph.WithCookieSession(c.Request.Context(), &graph.CookieSession{Set: func(token string, expires time.Time) {
			ck := &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode, Expires: expires}
			if token == "" {
				ck.MaxAge = -1
			}
			http.SetCookie(w, ck)
		}}))
		c.Next()
	}
}

// sameOrigin reports whether the request's Origin names the host it was
// sent to.
func sameOrigin(r *http.Request) bool {
	u, err := url.Parse(r.Header.Get("Origin"))
	return err == nil && u.Host != "" && u.Host == r.Host
}
