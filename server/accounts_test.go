package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/internal/mailpit"
	"github.com/helpium/helpium/service"
)

const (
	inviteMutation = `mutation($w: ID!, $e: String!, $r: Role!) {
		inviteAgent(workspaceId: $w, email: $e, role: $r) { invitation { id email name role createdAt expiresAt invitedBy { email } } } }`
	acceptMutation = `mutation($in: AcceptInvitationInput!) { acceptInvitation(input: $in) { workspaceId role session { token agent { email name } } } }`
	resetMutation  = `mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) { token } }`
)

// address is an email address no earlier run used: Mailpit keeps its mail
// between runs.
func address(name string) string {
	return fmt.Sprintf("%s-%s@mail.test", name, uuid.NewString()[:8])
}

type acceptOut struct {
	AcceptInvitation struct {
		WorkspaceID string
		Role        string
		Session     *struct {
			Token string
			Agent struct{ Email, Name string }
		}
	}
}

// invite invites email and returns the raw invitation JSON.
func invite(t *testing.T, app *apptest.App, token, workspaceID, email, role string) map[string]any {
	t.Helper()
	var out struct {
		InviteAgent struct{ Invitation map[string]any }
	}
	mustGraphQL(t, app.AgentGraphQL(t, token, inviteMutation, map[string]any{"w": workspaceID, "e": email, "r": role}, &out))
	return out.InviteAgent.Invitation
}

func errCode(errs []apptest.GraphQLError) string {
	if len(errs) == 0 {
		return "ok"
	}
	return errs[0].Code()
}

// TestInvitationTakeover replays the cross-tenant takeover a probe found:
// an admin of A invited an address, kept the password the invitation
// returned, and signed in once B invited the same address. Now the
// password is the invitee's own, chosen from an emailed link, and no
// response tells an inviter whether the address has an account.
func TestInvitationTakeover(t *testing.T) {
	app := apptest.New(t, service.Options{})
	box := mailpit.FromEnv(t)
	a := app.Owned(t, "Acme")
	adminA := app.Member(t, a.Workspace.ID, address("admin-a"), helpium.RoleAdmin)
	b := app.Owned(t, "Bolt")
	hire := address("new-hire")

	// The invitation names the invitee, and nothing else: no password, no
	// link (the schema has no field for either).
	inv := invite(t, app, adminA.Token, a.Workspace.ID, hire, "AGENT")
	if inv["email"] != hire || inv["role"] != "AGENT" || inv["invitedBy"].(map[string]any)["email"] != adminA.Agent.Email {
		t.Errorf("invitation %v", inv)
	}
	var schema struct {
		Type struct{ Fields []struct{ Name string } } `json:"__type"`
	}
	mustGraphQL(t, app.AgentGraphQL(t, adminA.Token, `{ __type(name: "InviteAgentPayload") { fields { name } } }`, nil, &schema))
	if len(schema.Type.Fields) != 1 || schema.Type.Fields[0].Name != "invitation" {
		t.Errorf("InviteAgentPayload has %v", schema.Type.Fields)
	}

	// The link arrives by email, to the invitee only.
	mail := box.Wait(t, hire, 1)[0]
	if !strings.Contains(mail.Subject, "invited you to Acme") || !strings.Contains(mail.Text, app.URL+"/app/invitation#token=") {
		t.Errorf("invitation email %q:\n%s", mail.Subject, mail.Text)
	}
	token := mailpit.Token(t, mail, "/app/invitation")
	var out acceptOut
	if errs := app.GraphQL(t, "", acceptMutation, map[string]any{"in": map[string]any{"token": token, "password": "the invitee's own"}}, &out); len(errs) > 0 {
		t.Fatalf("%+v", errs)
	}
	if out.AcceptInvitation.WorkspaceID != a.Workspace.ID || out.AcceptInvitation.Role != "AGENT" || out.AcceptInvitation.Session == nil ||
		out.AcceptInvitation.Session.Agent.Email != hire {
		t.Fatalf("accepted: %+v", out)
	}
	// The link works once.
	if c := errCode(app.GraphQL(t, "", acceptMutation, map[string]any{"in": map[string]any{"token": token, "password": "another password"}}, nil)); c != "not_found" {
		t.Errorf("second use of the link: %s", c)
	}
	var me struct{ Me struct{ ID string } }
	mustGraphQL(t, app.AgentGraphQL(t, out.AcceptInvitation.Session.Token, `{ me { id } }`, nil, &me))
	mustGraphQL(t, app.AgentGraphQL(t, adminA.Token, `mutation($w: ID!, $a: ID!) { removeAgent(workspaceId: $w, agentId: $a) }`,
		map[string]any{"w": a.Workspace.ID, "a": me.Me.ID}, nil))

	// B invites the same address, now an account, and a fresh one: the
	// answers differ only in the address.
	fresh := address("fresh")
	normalize := func(inv map[string]any) string {
		for _, k := range []string{"id", "email", "createdAt", "expiresAt"} {
			if inv[k] == nil || inv[k] == "" {
				t.Errorf("invitation without %s: %v", k, inv)
			}
			delete(inv, k)
		}
		j, _ := json.Marshal(inv)
		return string(j)
	}
	if x, y := normalize(invite(t, app, b.Token, b.Workspace.ID, hire, "ADMIN")), normalize(invite(t, app, b.Token, b.Workspace.ID, fresh, "ADMIN")); x != y {
		t.Errorf("inviting an account's address answered %s, a fresh address %s", x, y)
	}
	token = mailpit.Token(t, box.Wait(t, hire, 2)[1], "/app/invitation")
	// Accepting for an existing account needs that account's session:
	// neither an anonymous caller nor another agent (A's admin) can.
	if c := errCode(app.GraphQL(t, "", acceptMutation, map[string]any{"in": map[string]any{"token": token, "password": "the attacker's choice"}}, nil)); c != "unauthenticated" {
		t.Errorf("anonymous accept for an existing account: %s", c)
	}
	if c := errCode(app.AgentGraphQL(t, adminA.Token, acceptMutation, map[string]any{"in": map[string]any{"token": token}}, nil)); c != "forbidden" {
		t.Errorf("accept by another agent: %s", c)
	}
	var login struct{ Login struct{ Token string } }
	mustGraphQL(t, app.GraphQL(t, "", loginMutation, map[string]any{"e": hire, "p": "the invitee's own"}, &login))
	out = acceptOut{}
	mustGraphQL(t, app.AgentGraphQL(t, login.Login.Token, acceptMutation, map[string]any{"in": map[string]any{"token": token}}, &out))
	if out.AcceptInvitation.WorkspaceID != b.Workspace.ID || out.AcceptInvitation.Role != "ADMIN" || out.AcceptInvitation.Session != nil {
		t.Errorf("accepted while signed in: %+v", out)
	}
	// A's admin cannot sign in as the invitee: the password was never
	// theirs to see.
	if c := errCode(app.GraphQL(t, "", loginMutation, map[string]any{"e": hire, "p": "the attacker's choice"}, nil)); c != "unauthenticated" {
		t.Errorf("sign-in with a password the invitee did not choose: %s", c)
	}
}

// TestInvitations covers the rules of inviting: roles, replacement,
// revocation, expiry, members, bad input and concurrent acceptance.
func TestInvitations(t *testing.T) {
	start := time.Now().UTC()
	var offset atomic.Int64
	clock := func() time.Time { return start.Add(time.Duration(offset.Load())) }
	app := apptest.New(t, service.Options{Now: clock})
	box := mailpit.FromEnv(t)
	o := app.Owned(t, "Acme")
	ws := o.Workspace.ID
	admin := app.Member(t, ws, address("admin"), helpium.RoleAdmin)
	accept := func(token, password string) (acceptOut, string) {
		var out acceptOut
		errs := app.GraphQL(t, "", acceptMutation, map[string]any{"in": map[string]any{"token": token, "password": password}}, &out)
		return out, errCode(errs)
	}
	linkOf := func(email string, n int) string {
		return mailpit.Token(t, box.Wait(t, email, n)[n-1], "/app/invitation")
	}

	for _, tc := range []struct {
		name, token, email, role, field, code string
	}{
		{"an admin may not invite an owner", admin.Token, address("x"), "OWNER", "", "forbidden"},
		{"a bad address", o.Token, "not an address", "AGENT", "email", "invalid_input"},
		{"an invisible character", o.Token, "a\u200b@mail.test", "AGENT", "email", "invalid_input"},
		{"a member's address", o.Token, admin.Agent.Email, "AGENT", "", "conflict"},
		{"a member's address in capitals", o.Token, strings.ToUpper(admin.Agent.Email), "AGENT", "", "conflict"},
	} {
		errs := app.AgentGraphQL(t, tc.token, inviteMutation, map[string]any{"w": ws, "e": tc.email, "r": tc.role}, nil)
		if errCode(errs) != tc.code || (tc.field != "" && errs[0].Extensions["field"] != tc.field) {
			t.Errorf("%s: %+v, want %s", tc.name, errs, tc.code)
		}
	}

	// Inviting again replaces the pending invitation: the first link stops
	// working, the list shows one.
	again := address("again")
	invite(t, app, o.Token, ws, again, "AGENT")
	first := linkOf(again, 1)
	invite(t, app, admin.Token, ws, again, "AGENT")
	second := linkOf(again, 2)
	if _, c := accept(first, "long enough password"); c != "not_found" {
		t.Errorf("the replaced link: %s", c)
	}
	var list struct {
		Workspace struct{ Invitations []struct{ Email string } }
	}
	mustGraphQL(t, app.AgentGraphQL(t, admin.Token, `query($w: ID!) { workspace(id: $w) { invitations { email } } }`, map[string]any{"w": ws}, &list))
	if len(list.Workspace.Invitations) != 1 || list.Workspace.Invitations[0].Email != again {
		t.Errorf("pending: %+v", list.Workspace.Invitations)
	}
	// A password is the invitee's own, and long enough.
	for _, pw := range []string{"", "short"} {
		if errs := app.GraphQL(t, "", acceptMutation, map[string]any{"in": map[string]any{"token": second, "password": pw}}, nil); errCode(errs) != "invalid_input" || errs[0].Extensions["field"] != "input.password" {
			t.Errorf("password %q: %+v", pw, errs)
		}
	}
	// Five concurrent accepts of one link: exactly one joins.
	var wg sync.WaitGroup
	var joined atomic.Int32
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, c := accept(second, "long enough password"); c == "ok" {
				joined.Add(1)
			}
		}()
	}
	wg.Wait()
	if joined.Load() != 1 {
		t.Errorf("%d concurrent accepts joined, want 1", joined.Load())
	}
	mustGraphQL(t, app.AgentGraphQL(t, admin.Token, `query($w: ID!) { workspace(id: $w) { invitations { email } } }`, map[string]any{"w": ws}, &list))
	if len(list.Workspace.Invitations) != 0 {
		t.Errorf("still pending after acceptance: %+v", list.Workspace.Invitations)
	}

	// A revoked link stops working; only owners revoke invitations of
	// admins.
	revoked := address("revoked")
	inv := invite(t, app, o.Token, ws, revoked, "ADMIN")
	link := linkOf(revoked, 1)
	revoke := `mutation($w: ID!, $id: ID!) { revokeInvitation(workspaceId: $w, id: $id) }`
	if c := errCode(app.AgentGraphQL(t, admin.Token, revoke, map[string]any{"w": ws, "id": inv["id"]}, nil)); c != "forbidden" {
		t.Errorf("an admin revoking an admin's invitation: %s", c)
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, revoke, map[string]any{"w": ws, "id": inv["id"]}, nil))
	if _, c := accept(link, "long enough password"); c != "not_found" {
		t.Errorf("the revoked link: %s", c)
	}
	if c := errCode(app.AgentGraphQL(t, o.Token, revoke, map[string]any{"w": ws, "id": inv["id"]}, nil)); c != "not_found" {
		t.Errorf("revoking twice: %s", c)
	}

	// A link expires after seven days.
	late := address("late")
	invite(t, app, o.Token, ws, late, "AGENT")
	link = linkOf(late, 1)
	offset.Store(int64(helpium.InvitationTTL + time.Second))
	if _, c := accept(link, "long enough password"); c != "not_found" {
		t.Errorf("the expired link: %s", c)
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($w: ID!) { workspace(id: $w) { invitations { email } } }`, map[string]any{"w": ws}, &list))
	if len(list.Workspace.Invitations) != 0 {
		t.Errorf("expired invitations listed: %+v", list.Workspace.Invitations)
	}
}

// TestPasswords covers changing and resetting a password.
func TestPasswords(t *testing.T) {
	app := apptest.New(t, service.Options{})
	box := mailpit.FromEnv(t)
	o := app.Owned(t, "Acme")
	email := address("agent")
	invite(t, app, o.Token, o.Workspace.ID, email, "AGENT")
	var out acceptOut
	mustGraphQL(t, app.GraphQL(t, "", acceptMutation, map[string]any{"in": map[string]any{
		"token": mailpit.Token(t, box.Wait(t, email, 1)[0], "/app/invitation"), "password": "first password"}}, &out))
	session := out.AcceptInvitation.Session.Token
	signIn := func(password string) (string, string) {
		var l struct{ Login struct{ Token string } }
		errs := app.GraphQL(t, "", loginMutation, map[string]any{"e": email, "p": password}, &l)
		return l.Login.Token, errCode(errs)
	}
	live := func(token string) bool { return len(app.AgentGraphQL(t, token, `{ me { id } }`, nil, nil)) == 0 }
	change := `mutation($c: String!, $n: String!, $out: Boolean!) { changePassword(currentPassword: $c, newPassword: $n, signOutOtherSessions: $out) }`

	// Changing needs the current password; it signs other sessions out
	// when asked to, and keeps this one.
	other, _ := signIn("first password")
	errs := app.AgentGraphQL(t, session, change, map[string]any{"c": "wrong password", "n": "second password", "out": true}, nil)
	if errCode(errs) != "invalid_input" || errs[0].Extensions["field"] != "currentPassword" {
		t.Errorf("wrong current password: %+v", errs)
	}
	if errs := app.AgentGraphQL(t, session, change, map[string]any{"c": "first password", "n": "short", "out": true}, nil); errCode(errs) != "invalid_input" || errs[0].Extensions["field"] != "newPassword" {
		t.Errorf("short new password: %+v", errs)
	}
	mustGraphQL(t, app.AgentGraphQL(t, session, change, map[string]any{"c": "first password", "n": "second password", "out": false}, nil))
	if !live(other) || !live(session) {
		t.Error("a change without signing out ended a session")
	}
	mustGraphQL(t, app.AgentGraphQL(t, session, change, map[string]any{"c": "second password", "n": "third password", "out": true}, nil))
	if live(other) || !live(session) {
		t.Errorf("after signing others out: other live %v, this one live %v", live(other), live(session))
	}
	if _, c := signIn("second password"); c != "unauthenticated" {
		t.Errorf("the old password: %s", c)
	}

	// A reset request answers the same for any address and mails only an
	// account's.
	nobody := address("nobody")
	for _, e := range []string{nobody, email} {
		var r map[string]any
		mustGraphQL(t, app.GraphQL(t, "", `mutation($e: String!) { requestPasswordReset(email: $e) }`, map[string]any{"e": e}, &r))
		if r["requestPasswordReset"] != true {
			t.Errorf("%s: %v", e, r)
		}
	}
	mail := box.Wait(t, email, 2)[1] // after the invitation
	if got := box.To(t, nobody); len(got) != 0 {
		t.Errorf("an address without an account got %d emails", len(got))
	}
	link := mailpit.Token(t, mail, "/app/reset-password")
	if !strings.Contains(mail.Text, app.URL+"/app/reset-password#token=") {
		t.Errorf("reset email:\n%s", mail.Text)
	}

	// The link sets a new password, signs every session out and signs in.
	var reset struct{ ResetPassword struct{ Token string } }
	if errs := app.GraphQL(t, "", resetMutation, map[string]any{"t": link, "p": "short"}, nil); errCode(errs) != "invalid_input" {
		t.Errorf("short password: %+v", errs)
	}
	mustGraphQL(t, app.GraphQL(t, "", resetMutation, map[string]any{"t": link, "p": "fourth password"}, &reset))
	if live(session) || !live(reset.ResetPassword.Token) {
		t.Error("a reset kept an old session or gave a dead one")
	}
	if _, c := signIn("third password"); c != "unauthenticated" {
		t.Errorf("the password before the reset: %s", c)
	}
	if _, c := signIn("fourth password"); c != "ok" {
		t.Errorf("the new password: %s", c)
	}
	if c := errCode(app.GraphQL(t, "", resetMutation, map[string]any{"t": link, "p": "fifth password"}, nil)); c != "not_found" {
		t.Errorf("the link again: %s", c)
	}

	// At most three reset emails an hour per address, still answered true.
	for range 4 {
		mustGraphQL(t, app.GraphQL(t, "", `mutation($e: String!) { requestPasswordReset(email: $e) }`, map[string]any{"e": email}, nil))
	}
	box.Wait(t, email, 4) // the invitation and three resets
	time.Sleep(500 * time.Millisecond)
	if got := box.To(t, email); len(got) != 4 {
		t.Errorf("%d emails, want the invitation and three resets", len(got))
	}
}

// TestEmailOff: without an SMTP server, what needs email says so.
func TestEmailOff(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
	svc := service.New(app.Service.Store(), service.Options{}) // no PublicURL: no email
	ctx := agentCtx(t, app, o.Token)
	if _, err := svc.Accounts.InviteAgent(ctx, o.Workspace.ID, "someone@mail.test", "", helpium.RoleAgent); helpium.ErrorCode(err) != helpium.EUnavailable {
		t.Errorf("invite: %v", err)
	}
	if err := svc.Accounts.RequestPasswordReset(context.Background(), "someone@mail.test"); helpium.ErrorCode(err) != helpium.EUnavailable {
		t.Errorf("reset: %v", err)
	}
}
