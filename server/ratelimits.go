package server

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/gin-gonic/gin"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/ratelimit"
	"github.com/helpium/helpium/rest"
	"github.com/helpium/helpium/service"
)

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
			if err := a.Workspace.CheckOrigin(c.GetHeader("Origin")); err != nil {
				writeGraphQLError(c, err)
				return
			}
		}
		ctx = observeRates(c)
		if err := svc.Rates.Charge(ctx, service.CallerScope(a)); err != nil {
			writeGraphQLError(c, err)
			return
		}
		c.Next()
	}
}

// setRateHeaders writes the X-RateLimit-* headers (Reset in seconds until
// the budget is full again). A refusal's Retry-After comes with its error.
func setRateHeaders(h http.Header, res ratelimit.Result) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(res.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(res.Remaining))
	h.Set("X-RateLimit-Reset", strconv.Itoa(int((res.Reset+999_999_999)/1_000_000_000)))
}

// observeRates makes the request's rate charges, the transport's and the
// operations' own, write the tightest count as X-RateLimit-* headers, and
// returns the request's new context.
func observeRates(c *gin.Context) context.Context {
	h := c.Writer.Header()
	ctx := service.ObserveRates(c.Request.Context(), func(res ratelimit.Result) { setRateHeaders(h, res) })
	c.Request = c.Request.WithContext(ctx)
	return ctx
}

// customerRateLimit counts a Customer API request against the workspace's
// limit; operations with a per-client limit charge it themselves, and the
// X-RateLimit-* headers show the tighter count. It runs after widgetAuth,
// whose cached workspace carries the limits.
func customerRateLimit(svc *service.Service, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := svc.Rates.Charge(observeRates(c), service.RateCustomerAPI); err != nil {
			rest.WriteError(c, log, err)
			return
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
		if err := svc.Rates.Charge(ctx, service.CallerScope(helpium.ActorFrom(ctx))); err != nil {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{present(ctx, err)}})
		}
		return next(ctx)
	}
}
