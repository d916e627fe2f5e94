package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/rest"
	"github.com/helpium/helpium/service"
)

type requestIDKey struct{}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestID echoes a sane X-Request-ID or generates one, and puts it in the
// request context for logs.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if !validRequestID(id) {
			var b [12]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Header("X-Request-ID", id)
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), requestIDKey{}, id))
		c.Next()
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// accessLog writes one line per request: request id, workspace, route,
// status and duration. It never logs query strings or headers, which may
// carry keys and tokens.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		ctx := c.Request.Context()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		attrs := []slog.Attr{
			slog.String("method", c.Request.Method),
			slog.String("route", route),
			slog.Int("status", c.Writer.Status()),
			slog.Duration("duration", time.Since(start)),
		}
		if a := helpium.ActorFrom(ctx); a != nil && a.Workspace != nil {
			attrs = append(attrs, slog.String("workspace_id", a.Workspace.ID))
		}
		log.LogAttrs(ctx, level, "request", attrs...)
	}
}

// recovery turns a handler panic into the internal error envelope.
func recovery(log *slog.Logger) gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, p any) {
		rest.WriteError(c, log, helpium.Internal(panicError{p}))
	})
}

type panicError struct{ v any }

func (p panicError) Error() string { return "panic: " + slog.AnyValue(p.v).String() }

// securityHeaders sets headers every response carries.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		c.Next()
	}
}

// widgetAuth requires a valid X-API-Key and puts its workspace in the
// request context.
func widgetAuth(log *slog.Logger, auth func(context.Context, string) (*helpium.Workspace, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader("X-API-Key")
		if key == "" && strings.HasSuffix(c.FullPath(), "/events") {
			// Browsers' EventSource cannot send headers.
			key = c.Query("api_key")
		}
		ws, err := auth(c.Request.Context(), key)
		if err != nil {
			rest.WriteError(c, log, err)
			return
		}
		c.Request = c.Request.WithContext(helpium.WithActor(c.Request.Context(), &helpium.Actor{Workspace: ws}))
		c.Next()
	}
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(h string) (string, bool) {
	const prefix = "bearer "
	if len(h) > len(prefix) && strings.EqualFold(h[:len(prefix)], prefix) {
		return strings.TrimSpace(h[len(prefix):]), true
	}
	return "", false
}

// graphQLAuth authenticates a GraphQL request as an agent (Authorization:
// Bearer) or a widget (X-API-Key); without either the request goes on
// anonymous and each operation decides. Wrong credentials are refused
// before execution. A request may not carry both, so a widget key never
// reaches an agent operation.
func graphQLAuth(svc *service.Service) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		key := c.GetHeader("X-API-Key")
		authz := c.GetHeader("Authorization")
		var actor *helpium.Actor
		switch token, isBearer := bearerToken(authz); {
		case key != "" && authz != "":
			writeGraphQLError(c, helpium.Errorf(helpium.EUnauthenticated, "Send either X-API-Key or Authorization, not both."))
			return
		case authz != "" && !isBearer:
			writeGraphQLError(c, helpium.Errorf(helpium.EUnauthenticated, "Authorization must be: Bearer <token>."))
			return
		case isBearer:
			a, err := svc.Accounts.AuthenticateAgentToken(ctx, token)
			if err != nil {
				writeGraphQLError(c, err)
				return
			}
			actor = a
		case key != "":
			ws, err := svc.Workspaces.AuthenticateWidgetKey(ctx, key)
			if err != nil {
				writeGraphQLError(c, err)
				return
			}
			actor = &helpium.Actor{Workspace: ws}
		}
		if actor != nil {
			c.Request = c.Request.WithContext(helpium.WithActor(ctx, actor))
		}
		c.Next()
	}
}

// writeGraphQLError answers a request refused before execution in the
// GraphQL response shape, with the code in extensions.
func writeGraphQLError(c *gin.Context, err error) {
	code := helpium.ErrorCode(err)
	ext := gin.H{"code": code}
	if s := helpium.ErrorRetryAfter(err); s > 0 {
		ext["retryAfter"] = s
		c.Header("Retry-After", strconv.Itoa(s))
	}
	c.AbortWithStatusJSON(rest.StatusOf(code), gin.H{"errors": []gin.H{{
		"message":    helpium.ErrorMessage(err),
		"extensions": ext,
	}}})
}

// authenticateInit authenticates a WebSocket from its connection_init
// payload ({"Authorization": "Bearer ..."} or {"X-API-Key": ...}), unless
// the upgrade request already carried credentials.
func authenticateInit(ctx context.Context, svc *service.Service, p transport.InitPayload) (context.Context, error) {
	if helpium.ActorFrom(ctx) != nil {
		return ctx, nil
	}
	str := func(k string) string { s, _ := p[k].(string); return s }
	if token, ok := bearerToken(str("Authorization")); ok {
		a, err := svc.Accounts.AuthenticateAgentToken(ctx, token)
		if err != nil {
			return ctx, err
		}
		return helpium.WithActor(ctx, a), nil
	}
	if key := str("X-API-Key"); key != "" {
		ws, err := svc.Workspaces.AuthenticateWidgetKey(ctx, key)
		if err != nil {
			return ctx, err
		}
		return helpium.WithActor(ctx, &helpium.Actor{Workspace: ws}), nil
	}
	return ctx, nil
}
