package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gin-gonic/gin"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/ratelimit"
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

// clientIPMiddleware puts the client's IP address in the request context.
func clientIPMiddleware(trusted []netip.Prefix) gin.HandlerFunc {
	return func(c *gin.Context) {
		ip := ClientIP(c.Request, trusted)
		c.Request = c.Request.WithContext(helpium.WithClientIP(c.Request.Context(), ip))
		c.Next()
	}
}

// ClientIP returns the address of the client behind r: the peer's, unless
// the peer is one of the trusted proxies; then the rightmost address of
// X-Forwarded-For that is not a trusted proxy (everything left of it may
// have been written by the client). A malformed hop ends the walk at the
// last trusted address.
func ClientIP(r *http.Request, trusted []netip.Prefix) netip.Addr {
	ip := parseHost(r.RemoteAddr)
	if !inPrefixes(ip, trusted) {
		return ip
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a := parseHost(strings.TrimSpace(hops[i]))
		if !a.IsValid() {
			return ip
		}
		if !inPrefixes(a, trusted) {
			return a
		}
		ip = a
	}
	return ip
}

// parseHost parses "ip", "ip:port" or "[ipv6]:port"; IPv4-mapped IPv6
// addresses become IPv4.
func parseHost(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}

func inPrefixes(ip netip.Addr, prefixes []netip.Prefix) bool {
	if !ip.IsValid() {
		return false
	}
	for _, p := range prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

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

// checkOrigin enforces ws's allowed origins: nil when the request may go
// on, EForbidden when the workspace does not allow the request's origin.
func checkOrigin(c *gin.Context, ws *helpium.Workspace) error {
	if !ws.OriginAllowed(c.GetHeader("Origin")) {
		return helpium.Errorf(helpium.EForbidden, "This widget key may not be used from origin %s.", strconvQuote(c.GetHeader("Origin")))
	}
	return nil
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
	a := helpium.ActorFrom(ctx)
	origin, _ := ctx.Value(originKey{}).(string)
	if a != nil && a.Workspace != nil && !a.Workspace.OriginAllowed(origin) {
		return helpium.Errorf(helpium.EForbidden, "This widget key may not be used from origin %s.", strconvQuote(origin))
	}
	return nil
}

// widgetOrigin refuses Customer API requests from origins the workspace
// does not allow. It runs after widgetAuth.
func widgetOrigin(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		if ws, err := helpium.WidgetWorkspace(c.Request.Context()); err == nil {
			if err := checkOrigin(c, ws); err != nil {
				rest.WriteError(c, log, err)
				return
			}
		}
		c.Next()
	}
}

// graphQLLimits applies to GraphQL what the Customer API applies to widget
// requests (allowed origins, the workspace's limit) and the per-agent limit
// to dashboard requests. It runs after graphQLAuth. Operations sent over a
// WebSocket are counted one by one by webSocketRateLimit.
func graphQLLimits(svc *service.Service) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		a := helpium.ActorFrom(ctx)
		if a == nil {
			c.Next()
			return
		}
		if a.Workspace != nil {
			if err := checkOrigin(c, a.Workspace); err != nil {
				writeGraphQLError(c, err)
				return
			}
		}
		res, ok, err := svc.RateLimit(ctx, service.CallerScope(a))
		if ok {
			setRateHeaders(c.Writer.Header(), res)
		}
		if err != nil {
			writeGraphQLError(c, err)
			return
		}
		c.Next()
	}
}

func strconvQuote(s string) string {
	if len(s) > 200 {
		s = s[:200]
	}
	return strconv.Quote(s)
}

// setRateHeaders writes the X-RateLimit-* headers (Reset in seconds until
// the budget is full again). A refusal's Retry-After comes with its error.
func setRateHeaders(h http.Header, res ratelimit.Result) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(res.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(res.Remaining))
	h.Set("X-RateLimit-Reset", strconv.Itoa(int((res.Reset+999_999_999)/1_000_000_000)))
}

// routeScope names the per-client limit of a Customer API route, if any.
func routeScope(method, route string) (service.RateScope, bool) {
	switch {
	case method == http.MethodPost && route == "/api/customer/conversations":
		return service.RateCreateConversation, true
	case method == http.MethodPost && route == "/api/customer/conversations/:token/messages":
		return service.RateSendMessage, true
	}
	return 0, false
}

// customerRateLimit counts a Customer API request against the route's
// per-client limit (if any) and the workspace's limit, and reports the
// tighter of the two in the X-RateLimit-* headers. It runs after
// widgetAuth, whose cached workspace carries the limits.
func customerRateLimit(svc *service.Service, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		var shown ratelimit.Result
		have := false
		check := func(scope service.RateScope) bool {
			res, ok, err := svc.RateLimit(ctx, scope)
			if !ok {
				return true
			}
			if !have || res.Remaining < shown.Remaining || !res.Allowed {
				shown, have = res, true
			}
			if err != nil {
				setRateHeaders(c.Writer.Header(), shown)
				rest.WriteError(c, log, err)
				return false
			}
			return true
		}
		if scope, ok := routeScope(c.Request.Method, c.FullPath()); ok && !check(scope) {
			return
		}
		if !check(service.RateCustomerAPI) {
			return
		}
		if have {
			setRateHeaders(c.Writer.Header(), shown)
		}
		c.Next()
	}
}

type webSocketKey struct{}

// overWebSocket marks a context as a WebSocket connection's, whose
// operations webSocketRateLimit counts.
func overWebSocket(ctx context.Context) context.Context {
	return context.WithValue(ctx, webSocketKey{}, true)
}

// webSocketRateLimit counts every operation sent over a WebSocket against
// the caller's limit (the workspace's for the widget key, the agent's for
// an agent), as graphQLLimits counts every HTTP request: one connection
// does not buy unlimited operations.
func webSocketRateLimit(svc *service.Service, present graphql.ErrorPresenterFunc) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if ws, _ := ctx.Value(webSocketKey{}).(bool); !ws {
			return next(ctx)
		}
		if _, _, err := svc.RateLimit(ctx, service.CallerScope(helpium.ActorFrom(ctx))); err != nil {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{present(ctx, err)}})
		}
		return next(ctx)
	}
}

// rootFieldRateLimit applies the per-client limits of createConversation
// and sendMessage to GraphQL, where one request may hold several of them;
// REST applies the same limits in customerRateLimit.
func rootFieldRateLimit(svc *service.Service) func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	return func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		fc := graphql.GetRootFieldContext(ctx)
		var scope service.RateScope
		switch {
		case fc == nil || !graphql.HasOperationContext(ctx) || graphql.GetOperationContext(ctx).Operation == nil ||
			graphql.GetOperationContext(ctx).Operation.Operation != ast.Mutation:
			// (For mutations gqlgen sets fc.Object to the field's name.)
			return next(ctx)
		case fc.Field.Name == "createConversation":
			scope = service.RateCreateConversation
		case fc.Field.Name == "sendMessage":
			scope = service.RateSendMessage
		default:
			return next(ctx)
		}
		if _, _, err := svc.RateLimit(ctx, scope); err != nil {
			graphql.AddError(ctx, err)
			return graphql.Null
		}
		return next(ctx)
	}
}

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

// Routes lists the method and path of every route of a handler built by
// NewHandler, so tests can insist that each one is covered.
func Routes(h http.Handler) gin.RoutesInfo {
	if e, ok := h.(headAsGet); ok {
		return e.Routes()
	}
	return nil
}

// validUTF8Body refuses a GraphQL request whose body is not valid UTF-8
// with invalid_input, as the Customer API does; the JSON decoder would
// otherwise replace the bad bytes silently. It runs after bodyLimit.
func validUTF8Body() gin.HandlerFunc {
	return func(c *gin.Context) {
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				writeGraphQLError(c, helpium.Errorf(helpium.EPayloadTooLarge, "Request body must be at most %d bytes.", tooLarge.Limit))
				return
			}
			writeGraphQLError(c, helpium.Invalid("body", "request body could not be read"))
			return
		}
		if !utf8.Valid(body) {
			writeGraphQLError(c, helpium.Invalid("body", "request body must be valid UTF-8"))
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		c.Next()
	}
}
