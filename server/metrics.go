package server

import (
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
		m.ObserveRequest(route, c.Request.Method, strconv.Itoa(c.Writer.Status()), time.Since(start))
	}
}
