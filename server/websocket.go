package server

import (
	"context"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/service"
)

// DefaultWebSocketRecheck is how long a WebSocket's credential is trusted
// before an operation on it checks it again.
const DefaultWebSocketRecheck = 2 * time.Second

// socketAuth is a WebSocket's credential: the actor it was authenticated
// as, and when that was last checked.
type socketAuth struct {
	mu      sync.Mutex
	actor   *helpium.Actor
	checked time.Time
}

type socketAuthKey struct{}

// withSocketAuth records the socket's actor, just authenticated.
func withSocketAuth(ctx context.Context) context.Context {
	return context.WithValue(ctx, socketAuthKey{}, &socketAuth{actor: helpium.ActorFrom(ctx), checked: time.Now()})
}

// webSocketReauth re-checks, before an operation on a WebSocket, the
// credential the socket was opened with when it was last checked more than
// every ago: a revoked or expired agent token, or a rotated widget key,
// stops working on open sockets within that time, not only on new ones.
// The operation then runs as the actor as it is now. (Subscriptions already
// running end by themselves; see service.liveGuard.)
func webSocketReauth(svc *service.Service, every time.Duration, present graphql.ErrorPresenterFunc) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		sa, _ := ctx.Value(socketAuthKey{}).(*socketAuth)
		if sa == nil {
			return next(ctx)
		}
		sa.mu.Lock()
		actor, err := sa.actor, error(nil)
		if actor != nil && time.Since(sa.checked) >= every {
			actor, err = svc.Accounts.Reauthenticate(ctx, actor)
			if err == nil {
				sa.actor, sa.checked = actor, time.Now()
			}
		}
		sa.mu.Unlock()
		if err != nil {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{present(ctx, err)}})
		}
		if actor != nil {
			ctx = helpium.WithActor(ctx, actor)
		}
		return next(ctx)
	}
}
