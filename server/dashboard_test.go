package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

// startConversation creates a conversation through the widget and returns
// its id and widget token.
func startConversation(t *testing.T, app *apptest.App, key, message string) (id, token string) {
	t.Helper()
	var c restCreated
	res := app.Request(t, "POST", "/api/customer/conversations", key, map[string]any{"message": message})
	if res.Status != http.StatusCreated {
		t.Fatalf("create conversation: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &c)
	return c.Conversation.ID, c.WidgetToken
}

func mustGraphQL(t *testing.T, errs []apptest.GraphQLError) {
	t.Helper()
	if len(errs) > 0 {
		t.Fatalf("graphql errors: %+v", errs)
	}
}

func TestLoginTokensExpiryAndRevocation(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ctx := context.Background()
	o, err := app.Service.Accounts.CreateWorkspaceWithOwner(ctx, "Acme", "Owner@Acme.test")
	if err != nil {
		t.Fatal(err)
	}
	login := `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token expiresAt agent { email } } }`

	// Wrong password and unknown email fail alike.
	for _, c := range []struct{ email, password string }{{"owner@acme.test", "wrong"}, {"nobody@acme.test", o.Password}} {
		errs := app.GraphQL(t, "", login, map[string]any{"e": c.email, "p": c.password}, nil)
		if len(errs) != 1 || errs[0].Code() != "unauthenticated" || errs[0].Message != "Invalid email or password." {
			t.Errorf("login %s: %+v", c.email, errs)
		}
	}
	// Email is case-insensitive.
	var out struct {
		Login struct {
			Token, ExpiresAt string
			Agent            struct{ Email string }
		}
	}
	mustGraphQL(t, app.GraphQL(t, "", login, map[string]any{"e": "OWNER@acme.TEST", "p": o.Password}, &out))
	session := out.Login.Token
	exp, _ := time.Parse(time.RFC3339Nano, out.Login.ExpiresAt)
	if !strings.HasPrefix(session, "at_") || time.Until(exp) < 11*time.Hour || time.Until(exp) > 13*time.Hour {
		t.Errorf("session %q expires %v", session, exp)
	}

	var me struct{ Me struct{ Email string } }
	mustGraphQL(t, app.AgentGraphQL(t, session, `{ me { email } }`, nil, &me))
	if me.Me.Email != "Owner@Acme.test" {
		t.Errorf("me = %+v", me)
	}

	// A personal token is listed without its secret, and can be revoked.
	var pat struct {
		CreateAccessToken struct {
			Token       string
			AccessToken struct{ ID, Kind, Name string }
		}
	}
	mustGraphQL(t, app.AgentGraphQL(t, session, `mutation { createAccessToken(name: "ci script") { token accessToken { id kind name } } }`, nil, &pat))
	res := app.Request(t, "POST", "/graphql", "", map[string]any{"query": `{ accessTokens { id kind name createdAt expiresAt } }`}, "Authorization", "Bearer "+session)
	if strings.Contains(string(res.Body), pat.CreateAccessToken.Token) || !strings.Contains(string(res.Body), `"ci script"`) {
		t.Errorf("token list: %s", res.Body)
	}
	mustGraphQL(t, app.AgentGraphQL(t, pat.CreateAccessToken.Token, `{ me { id } }`, nil, nil))
	mustGraphQL(t, app.AgentGraphQL(t, session, `mutation($id: ID!) { revokeAccessToken(id: $id) }`, map[string]any{"id": pat.CreateAccessToken.AccessToken.ID}, nil))

	unauthenticated := func(name, token string) {
		t.Helper()
		res := app.Request(t, "POST", "/graphql", "", map[string]any{"query": `{ me { id } }`}, "Authorization", "Bearer "+token)
		if res.Status != http.StatusUnauthorized || !strings.Contains(string(res.Body), `"unauthenticated"`) {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
	}
	unauthenticated("revoked personal token", pat.CreateAccessToken.Token)

	// Expiry: the session stops working once its time has passed.
	var second struct{ Login struct{ Token string } }
	mustGraphQL(t, app.GraphQL(t, "", login, map[string]any{"e": "owner@acme.test", "p": o.Password}, &second))
	if _, err := app.DB.ExecContext(ctx, "UPDATE access_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = ?", helpium.HashToken(second.Login.Token)); err != nil {
		t.Fatal(err)
	}
	unauthenticated("expired session", second.Login.Token)

	// Logout revokes the token it is called with, and only that one.
	mustGraphQL(t, app.AgentGraphQL(t, session, `mutation { logout }`, nil, nil))
	unauthenticated("logged out session", session)
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `{ me { id } }`, nil, nil))

	// A widget key never reaches an agent operation, alone or with a token.
	errs := app.GraphQL(t, o.Workspace.APIKey, `{ me { id } }`, nil, nil)
	if len(errs) != 1 || errs[0].Code() != "unauthenticated" {
		t.Errorf("me with a widget key: %+v", errs)
	}
	res = app.Request(t, "POST", "/graphql", o.Workspace.APIKey, map[string]any{"query": `{ me { id } }`}, "Authorization", "Bearer "+o.Token)
	if res.Status != http.StatusUnauthorized {
		t.Errorf("both credentials: %d %s", res.Status, res.Body)
	}
}

// TestRoleMatrix runs every dashboard mutation (and the admin-only widget
// key) as an agent, an admin and an owner of the workspace.
func TestRoleMatrix(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
	ws := o.Workspace
	actors := map[helpium.Role]apptest.Member{
		helpium.RoleAgent: app.Member(t, ws.ID, "agent@acme.test", helpium.RoleAgent),
		helpium.RoleAdmin: app.Member(t, ws.ID, "admin@acme.test", helpium.RoleAdmin),
		helpium.RoleOwner: app.Member(t, ws.ID, "owner2@acme.test", helpium.RoleOwner),
	}
	n := 0
	fresh := func(role helpium.Role) string { // a new member to act on
		n++
		return app.Member(t, ws.ID, fmt.Sprintf("target%d@acme.test", n), role).Agent.ID
	}
	conv, _ := startConversation(t, app, ws.APIKey, "help")
	newArticle := func() string { // an article to act on, made by the owner
		var out struct{ CreateArticle struct{ ID string } }
		n++
		mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($w: ID!, $t: String!) { createArticle(input: {workspaceId: $w, title: $t, body: "Body", status: PUBLISHED}) { id } }`,
			map[string]any{"w": ws.ID, "t": fmt.Sprintf("Target %d", n)}, &out))
		return out.CreateArticle.ID
	}
	actionInput := func() map[string]any {
		n++
		return map[string]any{"name": fmt.Sprintf("ping_%d", n), "description": "Pings the shop.", "method": "GET",
			"urlTemplate": "https://shop.example.test/ping", "parameters": map[string]any{"type": "object"}}
	}
	newInvitation := func(role string) string { // an invitation to act on, sent by the owner
		var out struct {
			InviteAgent struct{ Invitation struct{ ID string } }
		}
		n++
		mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($w: ID!, $e: String!, $r: Role!) { inviteAgent(workspaceId: $w, email: $e, role: $r) { invitation { id } } }`,
			map[string]any{"w": ws.ID, "e": fmt.Sprintf("invited%d@acme.test", n), "r": role}, &out))
		return out.InviteAgent.Invitation.ID
	}
	newEndpoint := func() string { // a webhook endpoint to act on, made by the owner
		var out struct {
			CreateWebhookEndpoint struct{ Endpoint struct{ ID string } }
		}
		mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($w: ID!) { createWebhookEndpoint(workspaceId: $w, input: {url: "https://hooks.example.com/in", eventTypes: [MESSAGE_CREATED]}) { endpoint { id } } }`,
			map[string]any{"w": ws.ID}, &out))
		return out.CreateWebhookEndpoint.Endpoint.ID
	}
	newDelivery := func() string { // a delivery to act on, queued by the owner
		var out struct{ SendTestWebhook struct{ ID string } }
		mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($e: ID!) { sendTestWebhook(id: $e) { id } }`, map[string]any{"e": newEndpoint()}, &out))
		return out.SendTestWebhook.ID
	}
	newAction := func() string { // an action to act on, made by the owner
		var out struct{ CreateAction struct{ ID string } }
		mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($w: ID!, $in: ActionInput!) { createAction(workspaceId: $w, input: $in) { id } }`,
			map[string]any{"w": ws.ID, "in": actionInput()}, &out))
		return out.CreateAction.ID
	}

	cases := []struct {
		name  string
		min   helpium.Role
		query string
		vars  func() map[string]any
	}{
		{"replyToConversation", helpium.RoleAgent, `mutation($c: ID!) { replyToConversation(input: {conversationId: $c, body: "hi"}) { created } }`,
			func() map[string]any { return map[string]any{"c": conv} }},
		{"addInternalNote", helpium.RoleAgent, `mutation($c: ID!) { addInternalNote(input: {conversationId: $c, body: "note"}) { id } }`,
			func() map[string]any { return map[string]any{"c": conv} }},
		{"assignConversation", helpium.RoleAgent, `mutation($c: ID!, $a: ID) { assignConversation(conversationId: $c, agentId: $a) { id } }`,
			func() map[string]any { return map[string]any{"c": conv, "a": actors[helpium.RoleAgent].Agent.ID} }},
		{"setConversationStatus", helpium.RoleAgent, `mutation($c: ID!) { setConversationStatus(conversationId: $c, status: PENDING) { status } }`,
			func() map[string]any { return map[string]any{"c": conv} }},
		{"updateWidgetSettings", helpium.RoleAdmin, `mutation($w: ID!) { updateWidgetSettings(workspaceId: $w, patch: {greeting: "Hello"}) { id } }`,
			func() map[string]any { return map[string]any{"w": ws.ID} }},
		{"updateBusinessHours", helpium.RoleAdmin, `mutation($w: ID!) { updateBusinessHours(workspaceId: $w, input: {enabled: true, timezone: "Europe/Paris",
			ranges: [{day: MONDAY, start: "09:00", end: "17:00"}], closures: [], outOfOfficeMessage: "Closed"}) { id } }`,
			func() map[string]any { return map[string]any{"w": ws.ID} }},
		{"rotateWidgetKey", helpium.RoleAdmin, `mutation($w: ID!) { rotateWidgetKey(workspaceId: $w) { id } }`,
			func() map[string]any { return map[string]any{"w": ws.ID} }},
		{"widgetKey", helpium.RoleAdmin, `query($w: ID!) { workspace(id: $w) { widgetKey } }`,
			func() map[string]any { return map[string]any{"w": ws.ID} }},
		{"inviteAgent as agent", helpium.RoleAdmin, `mutation($w: ID!, $e: String!) { inviteAgent(workspaceId: $w, email: $e, role: AGENT) { invitation { id } } }`,
			func() map[string]any { n++; return map[string]any{"w": ws.ID, "e": fmt.Sprintf("new%d@acme.test", n)} }},
		{"inviteAgent as admin", helpium.RoleOwner, `mutation($w: ID!, $e: String!) { inviteAgent(workspaceId: $w, email: $e, role: ADMIN) { invitation { id } } }`,
			func() map[string]any { n++; return map[string]any{"w": ws.ID, "e": fmt.Sprintf("new%d@acme.test", n)} }},
		{"invitations", helpium.RoleAdmin, `query($w: ID!) { workspace(id: $w) { invitations { email } } }`,
			func() map[string]any { return map[string]any{"w": ws.ID} }},
		{"revokeInvitation of an agent", helpium.RoleAdmin, `mutation($w: ID!, $id: ID!) { revokeInvitation(workspaceId: $w, id: $id) }`,
			func() map[string]any { return map[string]any{"w": ws.ID, "id": newInvitation("AGENT")} }},
		{"revokeInvitation of an admin", helpium.RoleOwner, `mutation($w: ID!, $id: ID!) { revokeInvitation(workspaceId: $w, id: $id) }`,
			func() map[string]any { return map[string]any{"w": ws.ID, "id": newInvitation("ADMIN")} }},
		{"removeAgent agent", helpium.RoleAdmin, `mutation($w: ID!, $a: ID!) { removeAgent(workspaceId: $w, agentId: $a) }`,
			func() map[string]any { return map[string]any{"w": ws.ID, "a": fresh(helpium.RoleAgent)} }},
		{"removeAgent admin", helpium.RoleOwner, `mutation($w: ID!, $a: ID!) { removeAgent(workspaceId: $w, agentId: $a) }`,
			func() map[string]any { return map[string]any{"w": ws.ID, "a": fresh(helpium.RoleAdmin)} }},
		{"setAgentRole agent", helpium.RoleAdmin, `mutation($w: ID!, $a: ID!) { setAgentRole(workspaceId: $w, agentId: $a, role: AGENT) { role } }`,
			func() map[string]any { return map[string]any{"w": ws.ID, "a": fresh(helpium.RoleAgent)} }},
		{"setAgentRole to admin", helpium.RoleOwner, `mutation($w: ID!, $a: ID!) { setAgentRole(workspaceId: $w, agentId: $a, role: ADMIN) { role } }`,
			func() map[string]any { return map[string]any{"w": ws.ID, "a": fresh(helpium.RoleAgent)} }},
		{"setAgentRole of an admin", helpium.RoleOwner, `mutation($w: ID!, $a: ID!) { setAgentRole(workspaceId: $w, agentId: $a, role: AGENT) { role } }`,
			func() map[string]any { return map[string]any{"w": ws.ID, "a": fresh(helpium.RoleAdmin)} }},
		{"createAccessToken", helpium.RoleAgent, `mutation { createAccessToken(name: "x") { token } }`,
			func() map[string]any { return nil }},
		{"rotateIdentitySecret", helpium.RoleAdmin, `mutation($w: ID!) { rotateIdentitySecret(workspaceId: $w) { id } }`,
			func() map[string]any { return map[string]any{"w": ws.ID} }},
		{"setIdentityVerification", helpium.RoleAdmin, `mutation($w: ID!) { setIdentityVerification(workspaceId: $w, required: false) { id } }`,
			func() map[string]any { return map[string]any{"w": ws.ID} }},
		{"setRateLimits", helpium.RoleAdmin, `mutation($w: ID!) { setRateLimits(workspaceId: $w, input: {customerApiPerMinute: 100000, conversationsPerMinute: 100000, messagesPerMinute: 100000}) { id } }`,
			func() map[string]any { return map[string]any{"w": ws.ID} }},
		{"setAttachmentLimits", helpium.RoleAdmin, `mutation($w: ID!) { setAttachmentLimits(workspaceId: $w, input: {}) { id } }`,
			func() map[string]any { return map[string]any{"w": ws.ID} }},
		{"setAllowedOrigins", helpium.RoleAdmin, `mutation($w: ID!) { setAllowedOrigins(workspaceId: $w, origins: []) { id } }`,
			func() map[string]any { return map[string]any{"w": ws.ID} }},
		{"setAwayEmail", helpium.RoleAdmin, `mutation($w: ID!) { setAwayEmail(workspaceId: $w, input: {enabled: false}) { id } }`,
			func() map[string]any { return map[string]any{"w": ws.ID} }},
		{"updateAnswerSettings", helpium.RoleAdmin, `mutation($w: ID!) { updateAnswerSettings(workspaceId: $w, threshold: 0.5) { threshold } }`,
			func() map[string]any { return map[string]any{"w": ws.ID} }},
		{"createArticle", helpium.RoleAdmin, `mutation($w: ID!, $t: String!) { createArticle(input: {workspaceId: $w, title: $t, body: "Body"}) { id } }`,
			func() map[string]any { n++; return map[string]any{"w": ws.ID, "t": fmt.Sprintf("New %d", n)} }},
		{"updateArticle", helpium.RoleAdmin, `mutation($a: ID!) { updateArticle(id: $a, input: {body: "Changed"}) { id } }`,
			func() map[string]any { return map[string]any{"a": newArticle()} }},
		{"publishArticle", helpium.RoleAdmin, `mutation($a: ID!) { publishArticle(id: $a) { id } }`,
			func() map[string]any { return map[string]any{"a": newArticle()} }},
		{"unpublishArticle", helpium.RoleAdmin, `mutation($a: ID!) { unpublishArticle(id: $a) { id } }`,
			func() map[string]any { return map[string]any{"a": newArticle()} }},
		{"deleteArticle", helpium.RoleAdmin, `mutation($a: ID!) { deleteArticle(id: $a) }`,
			func() map[string]any { return map[string]any{"a": newArticle()} }},
		{"createAction", helpium.RoleAdmin, `mutation($w: ID!, $in: ActionInput!) { createAction(workspaceId: $w, input: $in) { id } }`,
			func() map[string]any { return map[string]any{"w": ws.ID, "in": actionInput()} }},
		{"updateAction", helpium.RoleAdmin, `mutation($a: ID!, $in: ActionInput!) { updateAction(id: $a, input: $in) { id } }`,
			func() map[string]any { return map[string]any{"a": newAction(), "in": actionInput()} }},
		{"deleteAction", helpium.RoleAdmin, `mutation($a: ID!) { deleteAction(id: $a) }`,
			func() map[string]any { return map[string]any{"a": newAction()} }},
		{"setTyping", helpium.RoleAgent, `mutation($c: ID!) { setTyping(conversationId: $c, typing: true) }`,
			func() map[string]any { return map[string]any{"c": conv} }},
		{"markConversationRead", helpium.RoleAgent, `mutation($c: ID!) { markConversationRead(conversationId: $c) { unreadCount } }`,
			func() map[string]any { return map[string]any{"c": conv} }},
		{"runAction", helpium.RoleAgent, `mutation($c: ID!, $a: ID!) { runAction(conversationId: $c, actionId: $a, input: {}) { ok } }`,
			func() map[string]any { return map[string]any{"c": conv, "a": newAction()} }},
		{"webhookEndpoints", helpium.RoleAdmin, `query($w: ID!) { webhookEndpoints(workspaceId: $w) { id } }`,
			func() map[string]any { return map[string]any{"w": ws.ID} }},
		{"createWebhookEndpoint", helpium.RoleAdmin, `mutation($w: ID!) { createWebhookEndpoint(workspaceId: $w, input: {url: "https://hooks.example.com/in", eventTypes: [MESSAGE_CREATED]}) { secret } }`,
			func() map[string]any { return map[string]any{"w": ws.ID} }},
		{"updateWebhookEndpoint", helpium.RoleAdmin, `mutation($e: ID!) { updateWebhookEndpoint(id: $e, input: {url: "https://hooks.example.com/other", eventTypes: [MESSAGE_CREATED], enabled: false}) { id } }`,
			func() map[string]any { return map[string]any{"e": newEndpoint()} }},
		{"deleteWebhookEndpoint", helpium.RoleAdmin, `mutation($e: ID!) { deleteWebhookEndpoint(id: $e) }`,
			func() map[string]any { return map[string]any{"e": newEndpoint()} }},
		{"rotateWebhookSecret", helpium.RoleAdmin, `mutation($e: ID!) { rotateWebhookSecret(id: $e) { secret } }`,
			func() map[string]any { return map[string]any{"e": newEndpoint()} }},
		{"sendTestWebhook", helpium.RoleAdmin, `mutation($e: ID!) { sendTestWebhook(id: $e) { id } }`,
			func() map[string]any { return map[string]any{"e": newEndpoint()} }},
		{"redeliverWebhook", helpium.RoleAdmin, `mutation($d: ID!) { redeliverWebhook(deliveryId: $d) { id } }`,
			func() map[string]any { return map[string]any{"d": newDelivery()} }},
		{"revokeAccessToken", helpium.RoleAgent, `mutation($id: ID!) { revokeAccessToken(id: $id) }`,
			func() map[string]any { return nil }}, // vars set per actor below
	}
	// Every mutation an agent may call has a row here (the widget's and the
	// session's own are not a matter of role).
	var schema struct {
		Schema struct {
			MutationType struct{ Fields []struct{ Name string } }
		} `json:"__schema"`
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `{ __schema { mutationType { fields { name } } } }`, nil, &schema))
	notRoleBased := map[string]bool{"login": true, "logout": true, "createConversation": true, "sendMessage": true, "identify": true,
		"widgetTyping": true, "markWidgetRead": true, "rateAnswer": true, "handOver": true, "rateConversation": true,
		"requestTranscript": true, "resumeConversation": true,
		"changePassword": true, "requestPasswordReset": true, "resetPassword": true, "acceptInvitation": true} // TestInvitations, TestPasswords
	for _, f := range schema.Schema.MutationType.Fields {
		covered := notRoleBased[f.Name]
		for _, c := range cases {
			covered = covered || c.name == f.Name || strings.HasPrefix(c.name, f.Name+" ")
		}
		if !covered {
			t.Errorf("mutation %s has no row in the role matrix", f.Name)
		}
	}
	for _, c := range cases {
		for _, role := range []helpium.Role{helpium.RoleAgent, helpium.RoleAdmin, helpium.RoleOwner} {
			t.Run(c.name+"/"+string(role), func(t *testing.T) {
				var data map[string]any
				vars := c.vars()
				if c.name == "revokeAccessToken" { // one of the actor's own tokens
					var tok struct {
						CreateAccessToken struct{ AccessToken struct{ ID string } }
					}
					mustGraphQL(t, app.AgentGraphQL(t, actors[role].Token, `mutation { createAccessToken(name: "spare") { accessToken { id } } }`, nil, &tok))
					vars = map[string]any{"id": tok.CreateAccessToken.AccessToken.ID}
				}
				errs := app.AgentGraphQL(t, actors[role].Token, c.query, vars, &data)
				if role.AtLeast(c.min) {
					if len(errs) > 0 {
						t.Errorf("%s may do this: %+v", role, errs)
					}
					return
				}
				if len(errs) != 1 || errs[0].Code() != "forbidden" {
					t.Errorf("%s got %+v, want forbidden", role, errs)
				}
				if data != nil && !allNull(data) {
					t.Errorf("%s got data %v with the error", role, data)
				}
			})
		}
	}

	// The last owner can be neither removed nor demoted.
	solo := app.Owned(t, "Solo")
	var me struct{ Me struct{ ID string } }
	mustGraphQL(t, app.AgentGraphQL(t, solo.Token, `{ me { id } }`, nil, &me))
	for _, q := range []string{
		`mutation($w: ID!, $a: ID!) { setAgentRole(workspaceId: $w, agentId: $a, role: ADMIN) { role } }`,
		`mutation($w: ID!, $a: ID!) { removeAgent(workspaceId: $w, agentId: $a) }`,
	} {
		errs := app.AgentGraphQL(t, solo.Token, q, map[string]any{"w": solo.Workspace.ID, "a": me.Me.ID}, nil)
		if len(errs) != 1 || errs[0].Code() != "conflict" {
			t.Errorf("last owner: %+v", errs)
		}
	}
}

func allNull(m map[string]any) bool {
	for _, v := range m {
		if v != nil {
			return false
		}
	}
	return true
}
