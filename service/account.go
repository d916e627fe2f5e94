package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/ratelimit"
)

// Accounts runs agents' accounts: sign-in and its limits, sessions and
// access tokens, passwords and their resets, invitations, and workspace
// memberships.
type Accounts struct {
	base
	workspaces *Workspaces       // widget keys to check again; workspaces the command line creates
	limiter    ratelimit.Limiter // account operations per client, invitations per workspace
	publicURL  string            // base of the emailed links; "" when email is off
	argon      chan struct{}     // one slot per password hash being computed
}

// Accounts are global and keyed by email address, so only the owner of an
// address may set the password of its account: invitations and password
// resets are links emailed to the address, never shown to anyone else, and
// no response says whether an address has an account.

// Paths of the pages that the emailed links open; the token is in the
// fragment, so that it reaches no server log and no Referer.
const (
	invitationPath    = "/app/invitation"
	passwordResetPath = "/app/reset-password"
)

// resetsPerHour is how many reset emails an address gets an hour; further
// requests are answered as usual and send nothing.
const resetsPerHour = 3

// invitationsPerHour is how many invitations a workspace may send an hour.
const invitationsPerHour = 50

// charge counts one of n events per period under key, and refuses with
// ETooManyRequests when they are used up.
func (s *Accounts) charge(ctx context.Context, key string, n int, period time.Duration, what string) error {
	res, err := s.limiter.Allow(ctx, key, ratelimit.Limit{N: n, Period: period})
	if err != nil {
		s.log.WarnContext(ctx, "rate limiter failed; admitted", "key", key, "err", err)
		return nil
	}
	if !res.Allowed {
		secs := retryAfterSeconds(res)
		e := helpium.Errorf(helpium.ETooManyRequests, "Too many %s. Try again in %d seconds.", what, secs)
		e.RetryAfter = secs
		return e
	}
	return nil
}

// InviteAgent emails an invitation to join a workspace with role to an
// address. Admins invite agents; owners also invite admins and owners.
// The result is the same whether or not the address has an account, and
// the link is only in the email. Inviting an address again replaces its
// pending invitation. Returns EConflict when the address belongs to a
// member already.
func (s *Accounts) InviteAgent(ctx context.Context, workspaceID, email, name string, role helpium.Role) (*helpium.Invitation, error) {
	a, me, err := s.authorize(ctx, workspaceID, helpium.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if !role.Valid() {
		return nil, helpium.Invalid("role", "role must be OWNER, ADMIN or AGENT")
	}
	if !canManage(me.Role, role) {
		return nil, helpium.Errorf(helpium.EForbidden, "Only owners can grant the %s role.", role)
	}
	if email, err = helpium.NormalizeEmail("email", email); err != nil {
		return nil, err
	}
	if name, err = helpium.ValidateName("name", name, false); err != nil {
		return nil, err
	}
	if err := emailEnabled(s.publicURL, "Invitations"); err != nil {
		return nil, err
	}
	if err := s.charge(ctx, "invitations:"+workspaceID, invitationsPerHour, time.Hour, "invitations"); err != nil {
		return nil, err
	}
	ws, err := s.store.FindWorkspaceByID(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	inv := &helpium.Invitation{
		ID: uuid.Must(uuid.NewV7()).String(), WorkspaceID: workspaceID, Email: email, Name: name, Role: role,
		InvitedBy: a.Agent.ID, CreatedAt: now, ExpiresAt: now.Add(helpium.InvitationTTL),
	}
	token := helpium.NewToken("inv_")
	mail := s.newEmail(workspaceID, email,
		fmt.Sprintf("%s invited you to %s on Helpium", a.Agent.Name, ws.Name),
		fmt.Sprintf("%s (%s) invited you to join %s on Helpium as %s.\n\n"+
			"Accept the invitation:\n%s%s#token=%s\n\n"+
			"The link works once, until %s. If you did not expect this invitation, you can ignore this email.\n",
			a.Agent.Name, a.Agent.Email, ws.Name, "an "+string(role), s.publicURL, invitationPath, token, mailTime(inv.ExpiresAt)))
	if err := s.store.CreateInvitation(ctx, inv, helpium.HashToken(token), mail); err != nil {
		return nil, err
	}
	return inv, nil
}

// Invitations lists a workspace's pending invitations to its admins.
func (s *Accounts) Invitations(ctx context.Context, workspaceID string) ([]*helpium.Invitation, error) {
	if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAdmin); err != nil {
		return nil, err
	}
	return s.store.FindInvitations(ctx, workspaceID, s.clock())
}

// RevokeInvitation makes a pending invitation's link stop working. Admins
// revoke invitations of agents; owners revoke any.
func (s *Accounts) RevokeInvitation(ctx context.Context, workspaceID, id string) error {
	_, me, err := s.authorize(ctx, workspaceID, helpium.RoleAdmin)
	if err != nil {
		return err
	}
	invs, err := s.store.FindInvitations(ctx, workspaceID, s.clock())
	if err != nil {
		return err
	}
	for _, inv := range invs {
		if inv.ID != id {
			continue
		}
		if !canManage(me.Role, inv.Role) {
			return helpium.Errorf(helpium.EForbidden, "Only owners can revoke invitations to the %s role.", inv.Role)
		}
		return s.store.RevokeInvitation(ctx, workspaceID, id, s.clock())
	}
	return helpium.Errorf(helpium.ENotFound, "Invitation not found.")
}

// AcceptInvitationInput is what the invitee sends from the emailed link.
// Name and Password create the account when the address has none; an
// address with an account accepts while signed in to it instead.
type AcceptInvitationInput struct {
	Token    string
	Name     string
	Password string
}

// AcceptedInvitation is the workspace and role an accepted invitation gave
// and, when it created the account too, a session for it.
type AcceptedInvitation struct {
	WorkspaceID string
	Role        helpium.Role
	Session     *helpium.Session
}

// AcceptInvitation makes the invitee a member of the invitation's
// workspace. Signed in, the caller must be the account of the invited
// address. Not signed in, it creates that account with the caller's
// password and signs them in; an address that already has an account gets
// EUnauthenticated, asking to sign in first (only the address's owner has
// the link, so this tells nobody else anything). A link used, revoked or
// expired gets ENotFound.
func (s *Accounts) AcceptInvitation(ctx context.Context, in AcceptInvitationInput) (*AcceptedInvitation, error) {
	if err := s.checkClientAllowed(ctx); err != nil {
		return nil, err
	}
	inv, err := s.store.FindInvitationByToken(ctx, helpium.HashToken(in.Token), s.clock())
	if helpium.ErrorCode(err) == helpium.ENotFound {
		return nil, helpium.Errorf(helpium.ENotFound, "This invitation link is invalid, used, revoked or expired; ask for a new invitation.")
	}
	if err != nil {
		return nil, err
	}
	if a := helpium.ActorFrom(ctx); a != nil && a.Agent != nil {
		if !strings.EqualFold(a.Agent.Email, inv.Email) {
			return nil, helpium.Errorf(helpium.EForbidden, "This invitation is for another email address: sign in as %s to accept it.", inv.Email)
		}
		m, err := s.store.AcceptInvitation(ctx, inv.ID, a.Agent, "", s.clock())
		if err != nil {
			return nil, err
		}
		return &AcceptedInvitation{WorkspaceID: m.WorkspaceID, Role: m.Role}, nil
	}
	if _, _, err := s.store.FindAgentByEmail(ctx, inv.Email); err == nil {
		return nil, helpium.Errorf(helpium.EUnauthenticated, "%s already has an account: sign in, then accept the invitation.", inv.Email)
	} else if helpium.ErrorCode(err) != helpium.ENotFound {
		return nil, err
	}
	name, err := helpium.ValidateName("name", in.Name, false)
	if err != nil {
		return nil, err
	}
	if err := helpium.ValidatePassword("password", in.Password); err != nil {
		return nil, err
	}
	hash, err := s.hashPasswordLimited(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	agent := &helpium.Agent{ID: uuid.Must(uuid.NewV7()).String(), Email: inv.Email, Name: defaultName(firstNonEmpty(name, inv.Name), inv.Email), CreatedAt: s.clock()}
	m, err := s.store.AcceptInvitation(ctx, inv.ID, agent, hash, agent.CreatedAt)
	if err != nil {
		return nil, err
	}
	session, err := s.newSession(ctx, agent)
	if err != nil {
		return nil, err
	}
	return &AcceptedInvitation{WorkspaceID: m.WorkspaceID, Role: m.Role, Session: session}, nil
}

// ChangePassword sets the calling agent's password after checking the
// current one (a wrong one counts as a failed sign-in). With
// signOutOthers, every other session and access token of theirs is
// revoked; this one stays.
func (s *Accounts) ChangePassword(ctx context.Context, current, next string, signOutOthers bool) error {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return err
	}
	if err := helpium.ValidatePassword("newPassword", next); err != nil {
		return err
	}
	key := loginEmail(a.Agent.Email)
	if err := s.checkLoginAllowed(ctx, key); err != nil {
		return err
	}
	_, hash, err := s.store.FindAgentByEmail(ctx, a.Agent.Email)
	if err != nil {
		return err
	}
	ok, err := s.checkPasswordLimited(ctx, hash, current)
	if err != nil {
		return err
	}
	if !ok {
		if err := s.loginFailed(ctx, key); err != nil {
			return err
		}
		return helpium.Invalid("currentPassword", "The current password is wrong.")
	}
	if hash, err = s.hashPasswordLimited(ctx, next); err != nil {
		return err
	}
	return s.store.SetPassword(ctx, a.Agent.ID, hash, s.clock(), signOutOthers, a.TokenID)
}

// RequestPasswordReset emails a reset link to the address when it has an
// account, at most resetsPerHour times an hour. The answer is the same
// either way.
func (s *Accounts) RequestPasswordReset(ctx context.Context, email string) error {
	email, err := helpium.NormalizeEmail("email", email)
	if err != nil {
		return err
	}
	if err := emailEnabled(s.publicURL, "Password resets"); err != nil {
		return err
	}
	if err := s.checkClientAllowed(ctx); err != nil {
		return err
	}
	now := s.clock()
	n, err := s.store.CountPasswordResets(ctx, email, now.Add(-time.Hour))
	if err != nil || n >= resetsPerHour {
		return err
	}
	r := &db.PasswordReset{ID: uuid.Must(uuid.NewV7()).String(), Email: email, CreatedAt: now, ExpiresAt: now.Add(helpium.PasswordResetTTL)}
	agent, _, err := s.store.FindAgentByEmail(ctx, email)
	if helpium.ErrorCode(err) == helpium.ENotFound {
		return s.store.CreatePasswordReset(ctx, r, nil) // counted, so that both cases cost the same
	}
	if err != nil {
		return err
	}
	token := helpium.NewToken("pwr_")
	r.AgentID, r.TokenHash = agent.ID, helpium.HashToken(token)
	mail := s.newEmail("", email, "Reset your Helpium password",
		fmt.Sprintf("Someone (hopefully you) asked to reset the password of your Helpium account, %s.\n\n"+
			"Choose a new password:\n%s%s#token=%s\n\n"+
			"The link works once, until %s, and signs you out everywhere. If you did not ask for it, you can ignore this email: your password stays as it is.\n",
			email, s.publicURL, passwordResetPath, token, mailTime(r.ExpiresAt)))
	return s.store.CreatePasswordReset(ctx, r, mail)
}

// ResetPassword sets a new password from an emailed reset link, signs the
// account out everywhere and starts a new session. A link used, expired or
// unknown gets ENotFound.
func (s *Accounts) ResetPassword(ctx context.Context, token, password string) (*helpium.Session, error) {
	if err := helpium.ValidatePassword("newPassword", password); err != nil {
		return nil, err
	}
	if err := s.checkClientAllowed(ctx); err != nil {
		return nil, err
	}
	hash, err := s.hashPasswordLimited(ctx, password)
	if err != nil {
		return nil, err
	}
	agent, err := s.store.ResetPassword(ctx, helpium.HashToken(token), hash, s.clock())
	if helpium.ErrorCode(err) == helpium.ENotFound {
		return nil, helpium.Errorf(helpium.ENotFound, "This password reset link is invalid, used or expired; ask for a new one.")
	}
	if err != nil {
		return nil, err
	}
	return s.newSession(ctx, agent)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
