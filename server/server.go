// Package server wires Helpium's HTTP surface: the gin engine with its
// middleware, the Customer API, the GraphQL endpoint and playground, health
// checks, and graceful shutdown.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/account"
	"github.com/helpium/helpium/app"
	"github.com/helpium/helpium/events"
	"github.com/helpium/helpium/graph"
	"github.com/helpium/helpium/graph/loader"
	"github.com/helpium/helpium/metrics"
	"github.com/helpium/helpium/playground"
	"github.com/helpium/helpium/rest"
	"github.com/helpium/helpium/search"
	"github.com/helpium/helpium/service"
	"github.com/helpium/helpium/widget"
)

// Body limits.
const (
	// customerBodyLimit fits the longest valid message, 20,000 characters
	// of four UTF-8 bytes each even written as JSON escapes (\uXXXX\uXXXX,
	// 12 bytes), with room for the other fields.
	customerBodyLimit = 256 << 10
	graphQLBodyLimit  = 1 << 20
)

// Deps are what the HTTP layer needs.
type Deps struct {
	Service  *service.Service
	Weaviate *search.Weaviate
	Events   *events.Broker
	Logger   *slog.Logger
	// Metrics records requests; optional.
	Metrics *metrics.Metrics
	// MetricsToken, if set, serves Metrics at /metrics to requests with
	// "Authorization: Bearer <MetricsToken>" (HELPIUM_METRICS_TOKEN);
	// without it /metrics is only on the admin listener.
	MetricsToken string
	// TrustedProxies are the peers whose X-Forwarded-For names the client
	// (HELPIUM_TRUSTED_PROXIES); without them the peer is the client.
	TrustedProxies []netip.Prefix
	// MaxStreamsPerWorkspace caps a workspace's concurrent widget streams
	// (SSE and widget WebSockets) on this replica; 0: the default.
	MaxStreamsPerWorkspace int
	// MaxStreamsPerAgent caps an agent's concurrent WebSockets on this
	// replica; 0: the default.
	MaxStreamsPerAgent int
	// WebSocketInitTimeout is how long a WebSocket may wait before its
	// connection_init; 0: DefaultWebSocketInitTimeout.
	WebSocketInitTimeout time.Duration
	// MaxStreamsPerClient caps a client IP's widget streams per workspace
	// and its WebSockets on this replica; 0: the default.
	MaxStreamsPerClient int
	// WebSocketRecheck is how long a WebSocket's credential is trusted
	// before an operation checks it again; 0: DefaultWebSocketRecheck,
	// negative: every operation.
	WebSocketRecheck time.Duration
}

// NewHandler returns the HTTP handler serving everything.
func NewHandler(d Deps) http.Handler {
	log := d.Logger
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	if d.MaxStreamsPerWorkspace <= 0 {
		d.MaxStreamsPerWorkspace = DefaultMaxStreamsPerWorkspace
	}
	if d.MaxStreamsPerAgent <= 0 {
		d.MaxStreamsPerAgent = DefaultMaxStreamsPerAgent
	}
	if d.WebSocketInitTimeout <= 0 {
		d.WebSocketInitTimeout = DefaultWebSocketInitTimeout
	}
	if d.MaxStreamsPerClient <= 0 {
		d.MaxStreamsPerClient = DefaultMaxStreamsPerClient
	}
	if d.WebSocketRecheck == 0 {
		d.WebSocketRecheck = DefaultWebSocketRecheck
	}
	streams := newStreamSlots()
	r.Use(requestID(), clientIPMiddleware(d.TrustedProxies), accessLog(log), observe(d.Metrics), recovery(log), securityHeaders(), preflight())
	r.NoRoute(func(c *gin.Context) {
		rest.WriteError(c, log, helpium.Errorf(helpium.ENotFound, "No route for %s %s.", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		err := helpium.Errorf(helpium.EMethodNotAllowed, "Method %s is not allowed on %s.", c.Request.Method, c.Request.URL.Path)
		if c.Request.URL.Path == "/graphql" {
			writeGraphQLError(c, err)
			return
		}
		rest.WriteError(c, log, err)
	})

	resolver := &graph.Resolver{Service: d.Service}

	customer := r.Group("/api/customer", cors(), bodyLimit(customerBodyLimit, func(c *gin.Context, err error) { rest.WriteError(c, log, err) }), widgetAuth(log, d.Service.Workspaces.AuthenticateWidgetKey),
		widgetOrigin(log), customerRateLimit(d.Service, log), streamLimit(streams, d.MaxStreamsPerWorkspace, d.MaxStreamsPerClient, log))
	rest.New(resolver, log).Register(customer)
	if err := rest.RegisterDocs(r); err != nil {
		panic(err) // the document is embedded at build time and validated by its tests
	}

	gql := gin.WrapH(loader.Middleware(d.Service, newGraphQLHandler(resolver, d.Service, log, streams, d)))
	r.POST("/graphql", cors(), graphQLResponses(), graphQLContentType(), bodyLimit(graphQLBodyLimit, writeGraphQLError), validUTF8Body(), cookieSession(), graphQLAuth(d.Service), graphQLLimits(d.Service), gql)
	r.GET("/graphql", cors(), graphQLResponses(), webSocketClientLimit(streams, d.MaxStreamsPerClient), cookieSession(), graphQLAuth(d.Service), graphQLLimits(d.Service), gql)
	r.GET("/files/:id", serveAttachment(d.Service, log)) // attachments' signed links
	playground.Register(r)                               // GraphiQL, bundled: no CDN
	app.Register(r)                                      // the agent app
	widget.New(service.DemoAPIKey).Register(r)           // /widget.js and /demo
	account.Register(r)                                  // the pages emailed links open
	account.RegisterUnsubscribe(r, service.UnsubscribePath, d.Service.Notifications, log)

	if d.Metrics != nil && d.MetricsToken != "" {
		r.GET("/metrics", requireBearer(d.MetricsToken), gin.WrapH(d.Metrics.Handler()))
	}
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", readiness(d))
	return headAsGet{r}
}

// headAsGet answers HEAD on a GET route as the GET would, without the body
// (net/http sends none for HEAD), except on event streams, which never
// end: they answer 405.
type headAsGet struct{ *gin.Engine }

func (h headAsGet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead && !strings.HasSuffix(r.URL.Path, "/events") {
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
	}
	h.Engine.ServeHTTP(w, r)
}

func newGraphQLHandler(resolver *graph.Resolver, svc *service.Service, log *slog.Logger, streams *streamSlots, d Deps) http.Handler {
	h := handler.New(graph.NewSchema(resolver))
	h.AddTransport(transport.Websocket{
		KeepAlivePingInterval: 15 * time.Second,
		InitTimeout:           d.WebSocketInitTimeout,
		// Tokens travel in the init payload, not cookies, so any origin may connect.
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{InsecureSkipVerify: true}},
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			ctx, err := authenticateInit(ctx, svc, p)
			if err == nil && helpium.ActorFrom(ctx) == nil {
				// An anonymous socket could only run login, one request's
				// worth, and would hold a connection meanwhile.
				err = helpium.Errorf(helpium.EUnauthenticated, "Authenticate in connection_init: {\"Authorization\": \"Bearer <token>\"} or {\"X-API-Key\": \"<key>\"}.")
			}
			if err == nil {
				err = checkWebSocketOrigin(ctx)
			}
			if err == nil {
				ctx, err = acquireWebSocket(ctx, streams, d.MaxStreamsPerWorkspace, d.MaxStreamsPerAgent)
			}
			if err != nil {
				// The legacy protocol sends the error's text: the message alone.
				return refuseWebSocket(ctx, err), nil, errors.New(helpium.ErrorMessage(err))
			}
			return withSocketAuth(overWebSocket(ctx)), nil, nil
		},
		CloseFunc: func(ctx context.Context, _ int) { releaseWebSocket(ctx) },
	})
	h.AroundOperations(webSocketReauth(svc, d.WebSocketRecheck, graph.ErrorPresenter(log)))
	h.AroundOperations(webSocketRateLimit(svc, graph.ErrorPresenter(log)))
	h.AddTransport(transport.Options{})
	h.AddTransport(transport.GET{})
	h.AddTransport(transport.POST{})
	// Files ride with the mutation that sends them (the GraphQL multipart
	// request spec), so a message and its files are stored together.
	h.AddTransport(transport.MultipartForm{MaxUploadSize: helpium.MaxUploadBytes, MaxMemory: 16 << 20})
	h.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	guard := graph.NewDocumentGuard()
	h.SetParserTokenLimit(guard.MaxTokens)
	h.Use(extension.Introspection{})
	h.Use(graph.DepthLimit{Max: 12, MaxIntrospectionLists: 3})
	h.Use(extension.FixedComplexityLimit(5000))
	h.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	h.Use(guard) // after persisted queries, which fill in the document
	h.SetErrorPresenter(graph.ErrorPresenter(log))
	h.SetRecoverFunc(graph.RecoverFunc(log))
	return h
}

func readiness(d Deps) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		checks := d.Service.Ready(ctx)
		checks["weaviate"] = d.Weaviate.Ready(ctx)
		if !d.Events.Ready() {
			checks["events"] = errors.New("not listening")
		} else {
			checks["events"] = nil
		}
		status, out := http.StatusOK, gin.H{}
		for name, err := range checks {
			out[name] = "ok"
			if err != nil {
				status, out[name] = http.StatusServiceUnavailable, "unavailable"
				d.Logger.WarnContext(ctx, "readiness check failed", "service", name, "err", err)
			}
		}
		state := "ready"
		if status != http.StatusOK {
			state = "unavailable"
		}
		c.JSON(status, gin.H{"status": state, "checks": out})
	}
}

// Timeouts bound how long the server waits on a client. Streams (SSE,
// WebSockets) lift the read and write deadlines for themselves.
type Timeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// DefaultTimeouts are the timeouts helpium serve uses.
var DefaultTimeouts = Timeouts{ReadHeader: 5 * time.Second, Read: 30 * time.Second, Write: 60 * time.Second, Idle: 120 * time.Second}

// Apply sets the timeouts and the header size limit on srv.
func (t Timeouts) Apply(srv *http.Server) {
	srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout = t.ReadHeader, t.Read, t.Write, t.Idle
	srv.MaxHeaderBytes = 64 << 10
}

// Serve listens on addr and serves h until ctx is cancelled, then shuts down
// gracefully within timeout. ready, if not nil, receives the bound address.
func Serve(ctx context.Context, addr string, h http.Handler, timeout time.Duration, log *slog.Logger, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	draining := make(chan struct{})
	srv := &http.Server{Handler: h, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext: func(net.Listener) context.Context { return helpium.WithDraining(context.Background(), draining) }}
	DefaultTimeouts.Apply(srv)
	srv.RegisterOnShutdown(func() { close(draining) }) // ends event streams
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", timeout)
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Routes lists the method and path of every route of a handler built by
// NewHandler, so tests can insist that each one is covered.
func Routes(h http.Handler) gin.RoutesInfo {
	if e, ok := h.(headAsGet); ok {
		return e.Routes()
	}
	return nil
}
