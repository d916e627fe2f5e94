package server_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

// dashboardOps lists every dashboard query and mutation with a call that
// targets another workspace's ids. TestCrossWorkspaceMatrix fails when the
// schema gains an operation that is not listed here or in notTenantScoped.
func dashboardOps(b tenantIDs) map[string]struct {
	query string
	vars  map[string]any
} {
	type op = struct {
		query string
		vars  map[string]any
	}
	w := map[string]any{"w": b.workspace}
	c := map[string]any{"c": b.conversation}
	ar := map[string]any{"id": b.article}
	return map[string]op{
		"workspace":               {`query($w: ID!) { workspace(id: $w) { id name widgetKey invitations { email } } }`, w},
		"conversations":           {`query($w: ID!) { conversations(workspaceId: $w) { totalCount edges { node { id } } } }`, w},
		"conversation":            {`query($c: ID!) { conversation(id: $c) { id messages { edges { node { body attachments { url } } } } } }`, c},
		"customers":               {`query($w: ID!) { customers(workspaceId: $w) { edges { node { id } } } }`, w},
		"customer":                {`query($id: ID!) { customer(id: $id) { id email } }`, map[string]any{"id": b.customer}},
		"stats":                   {`query($w: ID!) { stats(workspaceId: $w, from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { opened } }`, w},
		"replyToConversation":     {`mutation($c: ID!) { replyToConversation(input: {conversationId: $c, body: "x"}) { created } }`, c},
		"addInternalNote":         {`mutation($c: ID!) { addInternalNote(input: {conversationId: $c, body: "x"}) { id } }`, c},
		"assignConversation":      {`mutation($c: ID!) { assignConversation(conversationId: $c, agentId: null) { id } }`, c},
		"setTyping":               {`mutation($c: ID!) { setTyping(conversationId: $c, typing: true) }`, c},
		"markConversationRead":    {`mutation($c: ID!) { markConversationRead(conversationId: $c) { id unreadCount seenUpTo } }`, c},
		"setConversationStatus":   {`mutation($c: ID!) { setConversationStatus(conversationId: $c, status: CLOSED) { id } }`, c},
		"setRateLimits":           {`mutation($w: ID!) { setRateLimits(workspaceId: $w, input: {customerApiPerMinute: 1}) { rateLimits { customerApiPerMinute } } }`, w},
		"setAllowedOrigins":       {`mutation($w: ID!) { setAllowedOrigins(workspaceId: $w, origins: ["https://evil.test"]) { allowedOrigins } }`, w},
		"setAttachmentLimits":     {`mutation($w: ID!) { setAttachmentLimits(workspaceId: $w, input: {maxFileBytes: 1}) { attachmentLimits { maxFileBytes } } }`, w},
		"setAwayEmail":            {`mutation($w: ID!) { setAwayEmail(workspaceId: $w, input: {enabled: true, resumeUrl: "https://evil.example.com/"}) { awayEmail { resumeUrl } } }`, w},
		"updateWidgetSettings":    {`mutation($w: ID!) { updateWidgetSettings(workspaceId: $w, patch: {greeting: "pwned"}) { id } }`, w},
		"updateBusinessHours":     {`mutation($w: ID!) { updateBusinessHours(workspaceId: $w, input: {enabled: false, timezone: "UTC", ranges: [], closures: [], outOfOfficeMessage: ""}) { id } }`, w},
		"rotateWidgetKey":         {`mutation($w: ID!) { rotateWidgetKey(workspaceId: $w) { widgetKey } }`, w},
		"inviteAgent":             {`mutation($w: ID!) { inviteAgent(workspaceId: $w, email: "spy@evil.test", role: OWNER) { invitation { id } } }`, w},
		"revokeInvitation":        {`mutation($w: ID!, $id: ID!) { revokeInvitation(workspaceId: $w, id: $id) }`, map[string]any{"w": b.workspace, "id": b.invitation}},
		"webhookEndpoints":        {`query($w: ID!) { webhookEndpoints(workspaceId: $w) { id url } }`, w},
		"webhookEndpoint":         {`query($id: ID!) { webhookEndpoint(id: $id) { id url deliveries { id } } }`, map[string]any{"id": b.endpoint}},
		"createWebhookEndpoint":   {`mutation($w: ID!) { createWebhookEndpoint(workspaceId: $w, input: {url: "https://evil.example.com/", eventTypes: [MESSAGE_CREATED]}) { secret } }`, w},
		"updateWebhookEndpoint":   {`mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: {url: "https://evil.example.com/", eventTypes: [MESSAGE_CREATED], includeInternalNotes: true}) { id } }`, map[string]any{"id": b.endpoint}},
		"deleteWebhookEndpoint":   {`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, map[string]any{"id": b.endpoint}},
		"rotateWebhookSecret":     {`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, map[string]any{"id": b.endpoint}},
		"sendTestWebhook":         {`mutation($id: ID!) { sendTestWebhook(id: $id) { id } }`, map[string]any{"id": b.endpoint}},
		"redeliverWebhook":        {`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`, map[string]any{"id": b.delivery}},
		"removeAgent":             {`mutation($w: ID!, $a: ID!) { removeAgent(workspaceId: $w, agentId: $a) }`, map[string]any{"w": b.workspace, "a": b.owner}},
		"setAgentRole":            {`mutation($w: ID!, $a: ID!) { setAgentRole(workspaceId: $w, agentId: $a, role: AGENT) { role } }`, map[string]any{"w": b.workspace, "a": b.owner}},
		"rotateIdentitySecret":    {`mutation($w: ID!) { rotateIdentitySecret(workspaceId: $w) { identitySecret } }`, w},
		"setIdentityVerification": {`mutation($w: ID!) { setIdentityVerification(workspaceId: $w, required: true) { id } }`, w},
		"answers":                 {`query($w: ID!) { answers(workspaceId: $w) { id question feedback { helpful } } }`, w},
		"contentGaps":             {`query($w: ID!) { contentGaps(workspaceId: $w, from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z") { questions clusters { examples } } }`, w},
		"updateAnswerSettings":    {`mutation($w: ID!) { updateAnswerSettings(workspaceId: $w, threshold: 0.9) { threshold } }`, w},
		"articles":                {`query($w: ID!) { articles(workspaceId: $w) { edges { node { id title } } } }`, w},
		"article":                 {`query($id: ID!) { article(id: $id) { id title body } }`, ar},
		"searchArticles":          {`query($w: ID!) { searchArticles(workspaceId: $w, query: "secret", includeDrafts: true) { results { title } } }`, w},
		"answer":                  {`query($w: ID!) { answer(workspaceId: $w, query: "secret") { answer sources { title } } }`, w},
		"createArticle":           {`mutation($w: ID!) { createArticle(input: {workspaceId: $w, title: "x", body: "x"}) { id } }`, w},
		"updateArticle":           {`mutation($id: ID!) { updateArticle(id: $id, input: {title: "pwned"}) { id } }`, ar},
		"publishArticle":          {`mutation($id: ID!) { publishArticle(id: $id) { id } }`, ar},
		"unpublishArticle":        {`mutation($id: ID!) { unpublishArticle(id: $id) { id } }`, ar},
		"deleteArticle":           {`mutation($id: ID!) { deleteArticle(id: $id) }`, ar},
		"actions":                 {`query($w: ID!) { actions(workspaceId: $w) { id name urlTemplate headers { name value } } }`, w},
		"action":                  {`query($a: ID!) { action(id: $a) { id name urlTemplate } }`, map[string]any{"a": b.action}},
		"actionCalls":             {`query($w: ID!) { actionCalls(workspaceId: $w) { id actionName } }`, w},
		"createAction":            {`mutation($w: ID!) { createAction(workspaceId: $w, input: {name: "spy", description: "x", method: GET, urlTemplate: "https://evil.example.com/", parameters: {type: "object"}}) { id } }`, w},
		"updateAction":            {`mutation($a: ID!) { updateAction(id: $a, input: {name: "spy", description: "x", method: GET, urlTemplate: "https://evil.example.com/", parameters: {type: "object"}}) { id } }`, map[string]any{"a": b.action}},
		"deleteAction":            {`mutation($a: ID!) { deleteAction(id: $a) }`, map[string]any{"a": b.action}},
		"runAction":               {`mutation($c: ID!, $a: ID!) { runAction(conversationId: $c, actionId: $a, input: {}) { ok json } }`, map[string]any{"c": b.conversation, "a": b.action}},
	}
}

// notTenantScoped are operations that take no workspace-owned id: the
// caller's own account, and widget operations (authenticated by a widget
// key, covered by the widget isolation tests).
var notTenantScoped = map[string]bool{
	"me": true, "myWorkspaces": true, "accessTokens": true, "login": true, "logout": true,
	"createAccessToken": true, "revokeAccessToken": true,
	"changePassword": true, "requestPasswordReset": true, "resetPassword": true, "acceptInvitation": true,
	"widgetSettings": true, "widgetConversation": true, "widgetMessages": true,
	"createConversation": true, "sendMessage": true, "identify": true, "widgetConversations": true, "widgetTyping": true, "markWidgetRead": true,
	"rateAnswer": true, "handOver": true, "rateConversation": true,
	"requestTranscript": true, "resumeConversation": true,
}

type tenantIDs struct {
	workspace, conversation, customer, owner string
	action, article, invitation              string
	endpoint, delivery                       string
}

func TestCrossWorkspaceMatrix(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ctx := context.Background()
	a := app.Owned(t, "A")
	b, err := app.Service.Accounts.CreateWorkspaceWithOwner(ctx, "B", "")
	if err != nil {
		t.Fatal(err)
	}
	convB, _ := startConversation(t, app, b.Workspace.APIKey, "B's secret question")
	var custB, ownerB string
	if err := app.DB.QueryRowContext(ctx, `INSERT INTO customers (id, workspace_id, email, name) VALUES (gen_random_uuid(), ?, 'bcust@b.test', 'B Customer') RETURNING id`, b.Workspace.ID).Scan(&custB); err != nil {
		t.Fatal(err)
	}
	app.DB.QueryRowContext(ctx, `SELECT agent_id FROM memberships WHERE workspace_id = ?`, b.Workspace.ID).Scan(&ownerB) //nolint:errcheck
	actionB, err := app.Service.Actions.CreateAction(agentCtx(t, app, b.Token), b.Workspace.ID, helpium.ActionInput{
		Name: "b_orders", Description: "B's orders", Method: helpium.MethodGet,
		URLTemplate: "https://b-secret.example.com/orders/{id}", Parameters: helpium.JSON(`{"type": "object", "properties": {"id": {"type": "string"}}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	extID := "b-secret"
	if _, err := app.Service.Knowledge.ImportArticles(ctx, b.Workspace.ID, []helpium.ArticleInput{{ExternalID: &extID, Title: "B's secret article", Body: "B's secret body"}}); err != nil {
		t.Fatal(err)
	}
	var articleB string
	if err := app.DB.QueryRowContext(ctx, `SELECT id FROM articles WHERE workspace_id = ?`, b.Workspace.ID).Scan(&articleB); err != nil {
		t.Fatal(err)
	}
	invB, err := app.Service.Accounts.InviteAgent(agentCtx(t, app, b.Token), b.Workspace.ID, "b-invitee@b.test", "", helpium.RoleAgent)
	if err != nil {
		t.Fatal(err)
	}
	ctxB := agentCtx(t, app, b.Token)
	epB, err := app.Service.Webhooks.CreateWebhookEndpoint(ctxB, b.Workspace.ID, helpium.WebhookEndpointInput{URL: "https://b-hooks.example.com/in",
		EventTypes: []helpium.WebhookEventType{helpium.EventMessageCreated}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	deliveryB, err := app.Service.Webhooks.SendTestWebhook(ctxB, epB.Endpoint.ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := tenantIDs{workspace: b.Workspace.ID, conversation: convB, customer: custB, owner: ownerB, action: actionB.ID, article: articleB,
		invitation: invB.ID, endpoint: epB.Endpoint.ID, delivery: deliveryB.ID}
	secrets := []string{"B's secret question", b.Workspace.APIKey, "bcust@b.test", "B Customer", convB, "b-secret.example.com", "b_orders",
		"B's secret article", "B's secret body", "b-invitee@b.test", "b-hooks.example.com", epB.Secret}

	ops := dashboardOps(ids)
	// Every tenant-scoped operation of the schema has a row.
	var schema struct {
		Schema struct {
			QueryType, MutationType, SubscriptionType struct{ Fields []struct{ Name string } }
		} `json:"__schema"`
	}
	mustGraphQL(t, app.AgentGraphQL(t, a.Token, `{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }`, nil, &schema))
	var missing []string
	for _, f := range append(schema.Schema.QueryType.Fields, schema.Schema.MutationType.Fields...) {
		if _, ok := ops[f.Name]; !ok && !notTenantScoped[f.Name] {
			missing = append(missing, f.Name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations without a cross-workspace row: %v", missing)
	}

	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			res := app.Request(t, "POST", "/graphql", "", map[string]any{"query": op.query, "variables": op.vars}, "Authorization", "Bearer "+a.Token)
			var body struct {
				Data   json.RawMessage
				Errors []apptest.GraphQLError
			}
			res.JSON(t, &body)
			if len(body.Errors) == 0 {
				t.Fatalf("A's owner reached B: %s", res.Body)
			}
			if code := body.Errors[0].Code(); code != "not_found" && code != "forbidden" {
				t.Errorf("code %s: %s", code, res.Body)
			}
			for _, s := range secrets {
				if strings.Contains(string(res.Body), s) && !strings.Contains(op.query, s) && !containsVar(op.vars, s) {
					t.Errorf("response leaks %q: %s", s, res.Body)
				}
			}
		})
	}
	// B's invitation id with A's own workspace is refused too.
	errs := app.AgentGraphQL(t, a.Token, `mutation($w: ID!, $id: ID!) { revokeInvitation(workspaceId: $w, id: $id) }`, map[string]any{"w": a.Workspace.ID, "id": invB.ID}, nil)
	if len(errs) != 1 || errs[0].Code() != "not_found" {
		t.Errorf("revoking B's invitation through A: %+v", errs)
	}
	if pending, err := app.Service.Accounts.Invitations(ctxB, b.Workspace.ID); err != nil || len(pending) != 1 {
		t.Errorf("B's invitations: %d, %v; want the one, pending", len(pending), err)
	}
	if eps, err := app.Service.Webhooks.WebhookEndpoints(ctxB, b.Workspace.ID); err != nil || len(eps) != 1 || eps[0].URL != "https://b-hooks.example.com/in" || !eps[0].Enabled {
		t.Errorf("B's webhook endpoints changed: %+v %v", eps, err)
	}
	// Subscriptions refuse B's ids too.
	for _, sub := range []struct{ query, id string }{
		{`subscription($id: ID!) { messageAdded(conversationId: $id) { body } }`, convB},
		{`subscription($id: ID!) { conversationChanged(workspaceId: $id) { change } }`, b.Workspace.ID},
		{`subscription($id: ID!) { conversationActivity(conversationId: $id) { kind } }`, convB},
	} {
		s := app.Subscribe(t, map[string]any{"Authorization": "Bearer " + a.Token}, sub.query, map[string]any{"id": sub.id})
		errs := s.Next(t, 5*time.Second, nil)
		if len(errs) == 0 || errs[0].Code() != "not_found" {
			t.Errorf("%s: %+v", sub.query, errs)
		}
	}

	// Nothing of B changed.
	wsB, err := app.Service.Workspaces.AuthenticateWidgetKey(ctx, b.Workspace.APIKey)
	if err != nil || wsB.Widget.Greeting == "pwned" {
		t.Errorf("B's workspace changed: %+v %v", wsB, err)
	}
	var msgs int
	app.DB.QueryRowContext(ctx, "SELECT count(*) FROM messages WHERE conversation_id = ?", convB).Scan(&msgs) //nolint:errcheck
	var members int
	app.DB.QueryRowContext(ctx, "SELECT count(*) FROM memberships WHERE workspace_id = ?", b.Workspace.ID).Scan(&members) //nolint:errcheck
	var actionsB, callsB int
	app.DB.QueryRowContext(ctx, "SELECT count(*) FROM actions WHERE workspace_id = ? AND name = 'b_orders'", b.Workspace.ID).Scan(&actionsB) //nolint:errcheck
	app.DB.QueryRowContext(ctx, "SELECT count(*) FROM action_calls").Scan(&callsB)                                                           //nolint:errcheck
	if actionsB != 1 || callsB != 0 {
		t.Errorf("B has %d actions named b_orders and %d action calls, want 1 and 0", actionsB, callsB)
	}
	if msgs != 1 || members != 1 {
		t.Errorf("B has %d messages and %d members, want 1 and 1", msgs, members)
	}
	var articles int
	app.DB.QueryRowContext(ctx, "SELECT count(*) FROM articles WHERE workspace_id = ? AND title = 'B''s secret article'", b.Workspace.ID).Scan(&articles) //nolint:errcheck
	if articles != 1 {
		t.Errorf("B's article changed or went: %d left", articles)
	}
}

func containsVar(vars map[string]any, s string) bool {
	for _, v := range vars {
		if v == s {
			return true
		}
	}
	return false
}
