package service

import (
	"context"
	"strings"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
)

// The access checks every area shares. An agent reaches a workspace
// through their membership (authorize: ENotFound outside it, EForbidden
// below the role an operation needs) and a conversation through one of
// their workspaces (agentConversation); a widget reaches its own
// workspace's conversations by their widget token (widgetConversation).
// Reads that list or batch apply the same rule in SQL (scope).

// authorize returns the calling agent's membership in a workspace when its
// role is at least min. An agent outside the workspace gets ENotFound, so
// ids of other workspaces reveal nothing; a member with a lesser role gets
// EForbidden. Every dashboard operation goes through here.
func (b *base) authorize(ctx context.Context, workspaceID string, min helpium.Role) (*helpium.Actor, *helpium.Membership, error) {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := helpium.CheckID("Workspace", workspaceID); err != nil {
		return nil, nil, err
	}
	m, err := b.store.FindMembership(ctx, workspaceID, a.Agent.ID)
	if helpium.ErrorCode(err) == helpium.ENotFound {
		return nil, nil, helpium.Errorf(helpium.ENotFound, "Workspace not found.")
	}
	if err != nil {
		return nil, nil, err
	}
	if !m.Role.AtLeast(min) {
		return nil, nil, helpium.Errorf(helpium.EForbidden, "This needs the %s role in the workspace; you are %s.", min, m.Role)
	}
	return a, m, nil
}

// agentConversation returns a conversation in one of the calling agent's
// workspaces. Returns ENotFound for any other.
func (b *base) agentConversation(ctx context.Context, id string) (*helpium.Conversation, error) {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := helpium.CheckID("Conversation", id); err != nil {
		return nil, err
	}
	return b.store.FindConversationByID(ctx, db.Scope{AgentID: a.Agent.ID}, id)
}

// widgetConversation returns the conversation behind a widget token.
// Returns ENotFound for a token of another workspace or none.
func (b *base) widgetConversation(ctx context.Context, token string) (*helpium.Conversation, error) {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil {
		return nil, err
	}
	hash, err := widgetTokenHash(token)
	if err != nil {
		return nil, err
	}
	return b.store.FindConversationByToken(ctx, ws.ID, hash)
}

const widgetTokenPrefix = "wt_"

// widgetTokenHash returns the stored hash of a widget token, or ENotFound
// for a string that cannot be a widget token.
func widgetTokenHash(token string) ([]byte, error) {
	if !strings.HasPrefix(token, widgetTokenPrefix) || len(token) != len(widgetTokenPrefix)+43 {
		return nil, helpium.Errorf(helpium.ENotFound, "Conversation not found.")
	}
	return helpium.HashToken(token), nil
}

// scope returns what the caller may read: an agent's workspaces, or the
// widget's own workspace.
func scope(ctx context.Context) (db.Scope, error) {
	a := helpium.ActorFrom(ctx)
	switch {
	case a != nil && a.Agent != nil:
		return db.Scope{AgentID: a.Agent.ID}, nil
	case a != nil && a.Workspace != nil:
		return db.Scope{WorkspaceID: a.Workspace.ID}, nil
	}
	return db.Scope{}, helpium.Errorf(helpium.EUnauthenticated, "Authentication is required.")
}

func scopeOf(a *helpium.Actor) db.Scope { return db.Scope{AgentID: a.Agent.ID} }

// dashboardOnly refuses widget callers on fields only agents may read.
func dashboardOnly(ctx context.Context) (*helpium.Actor, error) {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return nil, helpium.Errorf(helpium.EForbidden, "This field is only available to agents.")
	}
	return a, nil
}

// actingAgent is the id of the agent making the request, or "" (a widget,
// an import, the command line).
func actingAgent(ctx context.Context) string {
	if a := helpium.ActorFrom(ctx); a != nil && a.Agent != nil {
		return a.Agent.ID
	}
	return ""
}
