package helpium

import "context"

// Actor is who is making a request. Widget requests act as the workspace
// whose widget key they carry.
type Actor struct {
	Workspace *Workspace
}

type actorKey struct{}

// WithActor returns a context carrying a.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the request's actor, or nil for an anonymous request.
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// WidgetWorkspace returns the workspace of a widget request, or an
// EUnauthenticated error when the request carries no valid widget key.
func WidgetWorkspace(ctx context.Context) (*Workspace, error) {
	if a := ActorFrom(ctx); a != nil && a.Workspace != nil {
		return a.Workspace, nil
	}
	return nil, Errorf(EUnauthenticated, "A valid X-API-Key header is required.")
}
