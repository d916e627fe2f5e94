package helpium

import "context"

// Actor is who is making a request: a widget, acting as the workspace whose
// widget key it carries, or an agent authenticated by an access token.
// Exactly one of Workspace and Agent is set.
type Actor struct {
	Workspace *Workspace
	Agent     *Agent
	TokenID   string
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

// AgentActor returns the agent making the request, or EUnauthenticated when
// the request carries no valid agent token (a widget key never counts).
func AgentActor(ctx context.Context) (*Actor, error) {
	if a := ActorFrom(ctx); a != nil && a.Agent != nil {
		return a, nil
	}
	return nil, Errorf(EUnauthenticated, "An agent access token is required: Authorization: Bearer <token>.")
}
