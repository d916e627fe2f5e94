package service

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
)

// SessionTTL is how long a login session token lives.
const SessionTTL = 12 * time.Hour

const accessTokenPrefix = "at_"

// AuthenticateAgentToken returns the actor for a bearer token. Returns
// EUnauthenticated for an unknown, expired or revoked token.
func (s *Accounts) AuthenticateAgentToken(ctx context.Context, token string) (*helpium.Actor, error) {
	if token == "" || len(token) > 200 {
		return nil, helpium.Errorf(helpium.EUnauthenticated, "The access token is invalid, expired or revoked.")
	}
	agent, tokenID, err := s.store.FindAgentByTokenHash(ctx, helpium.HashToken(token), s.clock())
	if helpium.ErrorCode(err) == helpium.ENotFound {
		return nil, helpium.Errorf(helpium.EUnauthenticated, "The access token is invalid, expired or revoked.")
	}
	if err != nil {
		return nil, err
	}
	return &helpium.Actor{Agent: agent, TokenID: tokenID}, nil
}

// Reauthenticate checks that the credential an actor was authenticated with
// is still good (for a connection that outlives a request, a WebSocket):
// an agent's token not revoked or expired, a widget key not rotated. It
// returns the actor to use from now on (a widget's workspace reloaded, its
// settings and limits fresh), or EUnauthenticated.
func (s *Accounts) Reauthenticate(ctx context.Context, a *helpium.Actor) (*helpium.Actor, error) {
	switch {
	case a == nil:
		return nil, nil
	case a.Agent != nil:
		ok, err := s.store.AccessTokenLive(ctx, a.TokenID, s.clock())
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, helpium.Errorf(helpium.EUnauthenticated, "The access token is invalid, expired or revoked.")
		}
		return a, nil
	case a.Workspace != nil:
		ws, err := s.workspaces.AuthenticateWidgetKey(ctx, a.Workspace.APIKey)
		if err != nil {
			return nil, err
		}
		return &helpium.Actor{Workspace: ws}, nil
	}
	return a, nil
}

// Login checks an agent's email and password and starts a session. Returns
// EUnauthenticated for a wrong email or password, without saying which, and
// ETooManyRequests while the address or the client is slowed down (see
// login.go).
func (s *Accounts) Login(ctx context.Context, email, password string) (*helpium.Session, error) {
	key := loginEmail(email)
	if err := s.checkLoginAllowed(ctx, key); err != nil {
		return nil, err
	}
	agent, hash, err := s.store.FindAgentByEmail(ctx, email)
	if err != nil && helpium.ErrorCode(err) != helpium.ENotFound {
		return nil, err
	}
	if agent == nil {
		hash = dummyHash // as slow as a real check, so the time says nothing
	}
	ok, err := s.checkPasswordLimited(ctx, hash, password)
	if err != nil {
		return nil, err
	}
	if !ok || agent == nil {
		if err := s.loginFailed(ctx, key); err != nil {
			return nil, err
		}
		return nil, helpium.Errorf(helpium.EUnauthenticated, "Invalid email or password.")
	}
	if err := s.store.ClearLoginFailures(ctx, key); err != nil {
		return nil, err
	}
	return s.newSession(ctx, agent)
}

// newSession signs agent in for SessionTTL.
func (s *Accounts) newSession(ctx context.Context, agent *helpium.Agent) (*helpium.Session, error) {
	expires := s.clock().Add(SessionTTL)
	token, err := s.issueToken(ctx, agent.ID, helpium.TokenSession, "login", &expires)
	if err != nil {
		return nil, err
	}
	return &helpium.Session{Token: token.Token, ExpiresAt: expires, Agent: agent}, nil
}

func (s *Accounts) issueToken(ctx context.Context, agentID, kind, name string, expires *time.Time) (*helpium.NewAccessToken, error) {
	t := &helpium.AccessToken{
		ID: uuid.Must(uuid.NewV7()).String(), AgentID: agentID, Kind: kind, Name: name,
		CreatedAt: s.clock(), ExpiresAt: expires,
	}
	secret := helpium.NewToken(accessTokenPrefix)
	if err := s.store.CreateAccessToken(ctx, t, helpium.HashToken(secret)); err != nil {
		return nil, err
	}
	return &helpium.NewAccessToken{Token: secret, AccessToken: t}, nil
}

// Logout revokes the token the request was made with.
func (s *Accounts) Logout(ctx context.Context) error {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return err
	}
	return s.store.RevokeAccessToken(ctx, a.Agent.ID, a.TokenID, s.clock())
}

// CreateAccessToken creates a personal access token for scripts. The secret
// is in the result and never shown again.
func (s *Accounts) CreateAccessToken(ctx context.Context, name string) (*helpium.NewAccessToken, error) {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return nil, err
	}
	if name, err = helpium.ValidateName("name", name, true); err != nil {
		return nil, err
	}
	return s.issueToken(ctx, a.Agent.ID, helpium.TokenPersonal, name, nil)
}

// AccessTokens lists the calling agent's live tokens, without secrets.
func (s *Accounts) AccessTokens(ctx context.Context) ([]*helpium.AccessToken, error) {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return nil, err
	}
	return s.store.FindAccessTokens(ctx, a.Agent.ID, s.clock())
}

// RevokeAccessToken revokes one of the calling agent's tokens. Returns
// ENotFound for a token of someone else or none.
func (s *Accounts) RevokeAccessToken(ctx context.Context, id string) error {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return err
	}
	return s.store.RevokeAccessToken(ctx, a.Agent.ID, id, s.clock())
}

// Me returns the calling agent.
func (s *Accounts) Me(ctx context.Context) (*helpium.Agent, error) {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return nil, err
	}
	return a.Agent, nil
}

// MyMemberships returns the calling agent's workspaces and roles.
func (s *Accounts) MyMemberships(ctx context.Context) ([]*helpium.Membership, error) {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return nil, err
	}
	return s.store.FindMemberships(ctx, "", a.Agent.ID)
}

// WorkspaceMembers lists a workspace's agents with their roles.
func (s *Accounts) WorkspaceMembers(ctx context.Context, workspaceID string) ([]*helpium.Membership, error) {
	if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAgent); err != nil {
		return nil, err
	}
	return s.store.FindMemberships(ctx, workspaceID, "")
}

// canManage reports whether a member with role actor may grant, change or
// take away role target: admins manage agents, owners manage everyone.
func canManage(actor, target helpium.Role) bool {
	if actor == helpium.RoleOwner {
		return true
	}
	return actor == helpium.RoleAdmin && target == helpium.RoleAgent
}

// addMember adds the agent with email to a workspace with role, creating
// the account when there is none; the password is set only then. It checks
// no caller: it is for the operator's command line.
func (s *Accounts) addMember(ctx context.Context, workspaceID, email, name string, role helpium.Role) (*helpium.Agent, string, error) {
	email, err := helpium.NormalizeEmail("email", email)
	if err != nil {
		return nil, "", err
	}
	if name, err = helpium.ValidateName("name", name, false); err != nil {
		return nil, "", err
	}
	var password string
	agent, _, err := s.store.FindAgentByEmail(ctx, email)
	switch {
	case helpium.ErrorCode(err) == helpium.ENotFound:
		agent = &helpium.Agent{ID: uuid.Must(uuid.NewV7()).String(), Email: email, Name: defaultName(name, email), CreatedAt: s.clock()}
		password = newPassword()
		if err := s.store.CreateAgent(ctx, agent, hashPassword(password)); err != nil {
			return nil, "", err
		}
	case err != nil:
		return nil, "", err
	}
	m := &helpium.Membership{WorkspaceID: workspaceID, AgentID: agent.ID, Role: role, CreatedAt: s.clock()}
	if err := s.store.AddMembership(ctx, m); err != nil {
		return nil, "", err
	}
	return agent, password, nil
}

// defaultName is name, or the local part of email when name is empty.
func defaultName(name, email string) string {
	if name != "" {
		return name
	}
	return email[:strings.LastIndexByte(email, '@')]
}

// targetMember loads the membership an admin operation acts on and checks
// the caller may manage both its current role and newRole.
func (s *Accounts) targetMember(ctx context.Context, workspaceID, agentID string, newRole helpium.Role) (*helpium.Membership, error) {
	_, me, err := s.authorize(ctx, workspaceID, helpium.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := helpium.CheckID("Agent", agentID); err != nil {
		return nil, err
	}
	target, err := s.store.FindMembership(ctx, workspaceID, agentID)
	if helpium.ErrorCode(err) == helpium.ENotFound {
		return nil, helpium.Errorf(helpium.ENotFound, "Agent not found.")
	}
	if err != nil {
		return nil, err
	}
	if !canManage(me.Role, target.Role) || !canManage(me.Role, newRole) {
		return nil, helpium.Errorf(helpium.EForbidden, "Only owners can manage admins and owners.")
	}
	return target, nil
}

// SetAgentRole changes an agent's role in a workspace.
func (s *Accounts) SetAgentRole(ctx context.Context, workspaceID, agentID string, role helpium.Role) (*helpium.Membership, error) {
	if !role.Valid() {
		return nil, helpium.Invalid("role", "role must be OWNER, ADMIN or AGENT")
	}
	target, err := s.targetMember(ctx, workspaceID, agentID, role)
	if err != nil {
		return nil, err
	}
	// A workspace keeps an owner; the store checks it atomically.
	if err := s.store.UpdateMembershipRole(ctx, workspaceID, agentID, role, true); err != nil {
		return nil, err
	}
	target.Role = role
	return target, nil
}

// RemoveAgent takes an agent out of a workspace; their conversations there
// become unassigned.
func (s *Accounts) RemoveAgent(ctx context.Context, workspaceID, agentID string) error {
	if _, err := s.targetMember(ctx, workspaceID, agentID, helpium.RoleAgent); err != nil {
		return err
	}
	// A workspace keeps an owner; the store checks it atomically.
	return s.store.DeleteMembership(ctx, workspaceID, agentID, true)
}

// NewOwner is a workspace created from the command line with its first owner.
type NewOwner struct {
	Workspace *helpium.Workspace
	Email     string
	Password  string
	Token     string
}

// CreateWorkspaceWithOwner creates a workspace, an owner agent (email
// defaults to owner+<id>@helpium.local) and a personal token for them. It is
// an operator command and checks no caller.
func (s *Accounts) CreateWorkspaceWithOwner(ctx context.Context, name, ownerEmail string) (*NewOwner, error) {
	ws, err := s.workspaces.CreateWorkspace(ctx, name)
	if err != nil {
		return nil, err
	}
	if ownerEmail == "" {
		ownerEmail = "owner+" + ws.ID[len(ws.ID)-12:] + "@helpium.local"
	}
	m, tok, pw, err := s.CreateMember(ctx, ws.ID, ownerEmail, "", helpium.RoleOwner)
	if err != nil {
		return nil, err
	}
	return &NewOwner{Workspace: ws, Email: m.Email, Password: pw, Token: tok}, nil
}

// CreateMember adds an agent to a workspace from the command line and
// issues them a personal token. The password is empty when the agent
// already existed.
func (s *Accounts) CreateMember(ctx context.Context, workspaceID, email, name string, role helpium.Role) (*helpium.Agent, string, string, error) {
	if !role.Valid() {
		return nil, "", "", helpium.Invalid("role", "role must be owner, admin or agent")
	}
	if _, err := s.store.FindWorkspaceByID(ctx, workspaceID); err != nil {
		return nil, "", "", err
	}
	agent, pw, err := s.addMember(ctx, workspaceID, email, name, role)
	if err != nil {
		return nil, "", "", err
	}
	tok, err := s.issueToken(ctx, agent.ID, helpium.TokenPersonal, "cli", nil)
	if err != nil {
		return nil, "", "", err
	}
	return agent, tok.Token, pw, nil
}
