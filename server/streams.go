package server

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/rest"
	"github.com/helpium/helpium/service"
)

// Stream caps per replica.
const (
	// DefaultMaxStreamsPerWorkspace caps a workspace's concurrent widget
	// event streams (SSE) and widget-key WebSockets.
	DefaultMaxStreamsPerWorkspace = 500
	// DefaultMaxStreamsPerAgent caps an agent's concurrent WebSockets.
	DefaultMaxStreamsPerAgent = 20
	// DefaultMaxStreamsPerClient caps one client IP's concurrent widget
	// event streams per workspace, and its WebSockets of any kind
	// (anonymous ones included, before they authenticate), so that one
	// client cannot take a workspace's or the server's slots.
	DefaultMaxStreamsPerClient = 50
	// DefaultWebSocketInitTimeout is how long a WebSocket may wait before
	// its connection_init.
	DefaultWebSocketInitTimeout = 10 * time.Second
)

// streamSlots caps concurrent long-lived connections per key.
type streamSlots struct {
	mu sync.Mutex
	n  map[string]int
}

func newStreamSlots() *streamSlots { return &streamSlots{n: make(map[string]int)} }

// acquire takes a slot for key if fewer than max are taken; the returned
// release function is safe to call more than once.
func (s *streamSlots) acquire(key string, max int) (release func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n[key] >= max {
		return nil, false
	}
	s.n[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.n[key]--; s.n[key] <= 0 {
				delete(s.n, key)
			}
			s.mu.Unlock()
		})
	}, true
}

// streamLimit caps a workspace's concurrent widget event streams.
func streamLimit(slots *streamSlots, max, perClient int, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !strings.HasSuffix(c.FullPath(), "/events") {
			c.Next()
			return
		}
		ws, err := helpium.WidgetWorkspace(c.Request.Context())
		if err != nil {
			rest.WriteError(c, log, err)
			return
		}
		client := "ws:" + ws.ID + ":client:" + service.ClientKey(helpium.ClientIP(c.Request.Context()))
		releaseClient, ok := slots.acquire(client, perClient)
		if !ok {
			rest.WriteError(c, log, tooManyStreams(perClient))
			return
		}
		defer releaseClient()
		release, ok := slots.acquire("ws:"+ws.ID, max)
		if !ok {
			rest.WriteError(c, log, tooManyStreams(max))
			return
		}
		defer release()
		c.Next()
	}
}

// webSocketClientLimit caps a client IP's open WebSockets, from the
// upgrade on: a socket holds its slot before it authenticates, so
// anonymous sockets count too.
func webSocketClientLimit(slots *streamSlots, max int) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !strings.EqualFold(c.GetHeader("Upgrade"), "websocket") {
			c.Next()
			return
		}
		release, ok := slots.acquire("client:"+service.ClientKey(helpium.ClientIP(c.Request.Context())), max)
		if !ok {
			writeGraphQLError(c, tooManyStreams(max))
			return
		}
		defer release()
		c.Next()
	}
}

// tooManyStreams refuses a stream over the cap; streams last, so the
// client waits longer before trying again than after a rate limit.
func tooManyStreams(max int) error {
	e := helpium.Errorf(helpium.ETooManyRequests, "Too many open streams: at most %d at a time.", max)
	e.RetryAfter = 30
	return e
}

type streamSlotKey struct{}

// acquireWebSocket takes a stream slot for an authenticated WebSocket and
// puts its release function in the context, for the transport's CloseFunc.
func acquireWebSocket(ctx context.Context, slots *streamSlots, perWorkspace, perAgent int) (context.Context, error) {
	a := helpium.ActorFrom(ctx)
	var key string
	var max int
	switch {
	case a == nil:
		return ctx, nil
	case a.Agent != nil:
		key, max = "agent:"+a.Agent.ID, perAgent
	case a.Workspace != nil:
		key, max = "ws:"+a.Workspace.ID, perWorkspace
	default:
		return ctx, nil
	}
	release, ok := slots.acquire(key, max)
	if !ok {
		return ctx, tooManyStreams(max)
	}
	return context.WithValue(ctx, streamSlotKey{}, release), nil
}

// refuseWebSocket sets the close code and reason of a WebSocket refused
// at connection_init, in graphql-transport-ws's codes: 4401 without valid
// credentials, 4403 for a forbidden origin, 4429 over the stream cap (the
// protocol sends no error message before closing; a client that sees
// 1000 would reconnect at once).
func refuseWebSocket(ctx context.Context, err error) context.Context {
	code := 4403
	switch helpium.ErrorCode(err) {
	case helpium.EUnauthenticated:
		code = 4401
	case helpium.ETooManyRequests:
		code = 4429
	}
	return transport.WithWebsocketCloseCode(transport.AppendCloseReason(ctx, helpium.ErrorMessage(err)), code)
}

// releaseWebSocket frees the slot acquireWebSocket took, if any.
func releaseWebSocket(ctx context.Context) {
	if release, ok := ctx.Value(streamSlotKey{}).(func()); ok {
		release()
	}
}
