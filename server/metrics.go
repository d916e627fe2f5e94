package server

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium/metrics"
)

// observe records every request's route, status and latency, and counts
// open live connections (widget event streams and GraphQL WebSockets),
// whose handlers return only when the connection closes.
func observe(m *metrics.Metrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		route := c.FullPath()
		switch {
		case strings.HasSuffix(route, "/events"):
			defer m.StreamOpened("sse")()
		case route == "/graphql" && c.GetHeader("Upgrade") != "":
			defer m.StreamOpened("websocket")()
		}
		start := time.Now()
		c.Next()
		if route == "" {
			route = "unmatched"
		}
		m.ObserveRequest(route, methodLabel(c.Request.Method), strconv.Itoa(c.Writer.Status()), time.Since(start))
	}
}

// methodLabel bounds the method label: a client may send any token as the
// method, and every distinct label is a new series.
func methodLabel(method string) string {
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		return method
	}
	return "OTHER"
}

// requireBearer refuses a request without "Authorization: Bearer <token>"
// with 401 (compared in constant time).
func requireBearer(token string) gin.HandlerFunc {
	want := []byte("Bearer " + token)
	return func(c *gin.Context) {
		if subtle.ConstantTimeCompare([]byte(c.GetHeader("Authorization")), want) != 1 {
			c.Header("WWW-Authenticate", "Bearer")
			c.AbortWithStatus(http.StatusUnauthorized)
			return
		}
		c.Next()
	}
}
