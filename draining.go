package helpium

import "context"

type drainingKey struct{}

// WithDraining returns a context whose Draining channel is ch.
func WithDraining(ctx context.Context, ch <-chan struct{}) context.Context {
	return context.WithValue(ctx, drainingKey{}, ch)
}

// Draining returns a channel that is closed when the server starts a
// graceful shutdown: long-lived streams end then, so that the shutdown does
// not wait for them (clients reconnect, to another replica if there is
// one). Outside a server it is nil, which never fires.
func Draining(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(drainingKey{}).(<-chan struct{})
	return ch
}
