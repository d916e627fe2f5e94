package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/server"
	"github.com/helpium/helpium/service"
)

// The isolation matrix: workspace A's widget key and agent token, aimed at
// workspace B's tokens and ids, on every REST route and every GraphQL
// operation. A route or operation added without a row fails
// TestIsolationMatrixCoversEverything, so isolation is decided for each
// one. (Dashboard operations with B's ids are in TestCrossWorkspaceMatrix.)

// tenantB is what workspace B owns, and the strings that must never reach A.
type tenantB struct {
	ws                 *helpium.Workspace
	owner              string // owner's agent token
	conversation       string
	token              string // widget token of B's conversation
	tokenID            string // id of the owner's access token
	attachment         string // id of a file in B's conversation
	answer             string // id of an AI answer B's widget was given
	resumeCode         string // an away email's code for B's conversation
	customer           string // id of B's identified customer
	secrets            []string
	conversations, msg int
}

// restRow is one Customer API route called with A's key and B's ids.
// own means the route takes no foreign id (it acts on A's own workspace):
// success is fine as long as nothing of B shows. page means the route is
// an HTML page for people (an email's link), refused with a 404 page.
type restRow struct {
	path   string
	body   any
	header []string
	own    bool
	page   bool
}

func restRows(b *tenantB) map[string]restRow {
	tok := "/api/customer/conversations/" + b.token
	return map[string]restRow{
		"GET /api/customer/widget/settings":                {path: "/api/customer/widget/settings", own: true},
		"POST /api/customer/conversations":                 {path: "/api/customer/conversations", body: map[string]any{"message": "A's question"}, own: true},
		"GET /api/customer/conversations":                  {path: "/api/customer/conversations", header: []string{"X-Widget-Token", b.token}},
		"POST /api/customer/tracking/identify":             {path: "/api/customer/tracking/identify", body: map[string]any{"email": "spy@a.test", "widget_token": b.token}},
		"GET /api/customer/conversations/:token":           {path: tok},
		"POST /api/customer/conversations/:token/messages": {path: tok + "/messages", body: map[string]any{"body": "injected"}},
		"GET /api/customer/conversations/:token/messages":  {path: tok + "/messages"},
		"GET /api/customer/conversations/:token/events":    {path: tok + "/events"},
		"POST /api/customer/conversations/:token/typing":   {path: tok + "/typing", body: map[string]any{"typing": true}},
		"POST /api/customer/conversations/:token/read":     {path: tok + "/read", body: map[string]any{"message_id": "00000000-0000-0000-0000-000000000000"}},
		"POST /api/customer/conversations/:token/csat":     {path: tok + "/csat", body: map[string]any{"rating": 1}},
		"POST /api/customer/answers/:id/feedback":          {path: "/api/customer/answers/" + b.answer + "/feedback", body: map[string]any{"helpful": false}},
		"POST /api/customer/answers/:id/handover":          {path: "/api/customer/answers/" + b.answer + "/handover", body: map[string]any{}},
		"POST /api/customer/search":                        {path: "/api/customer/search", body: map[string]any{"query": "secret article"}, own: true},
		"POST /api/customer/search/answer":                 {path: "/api/customer/search/answer", body: map[string]any{"query": "secret article"}, own: true},
		// A file's link is its only credential: B's file id with any
		// signature but its own finds nothing.
		"GET /files/:id": {path: "/files/" + b.attachment + "?expires=4102444800&signature=AAAAAAAAAAAAAAAAAAAAAA"},
		// Away emails and transcripts (#21). B's own valid resume code is
		// useless with A's key.
		"POST /api/customer/conversations/:token/transcript": {path: tok + "/transcript"},
		"POST /api/customer/conversations/resume":            {path: "/api/customer/conversations/resume", body: map[string]any{"code": b.resumeCode}},
		// An unsubscribe link is its only credential: B's customer with
		// any signature but its own is refused, and nothing is shown.
		"GET /unsubscribe":  {path: "/unsubscribe?c=" + b.customer + "&s=AAAAAAAAAAAAAAAAAAAAAA", page: true},
		"POST /unsubscribe": {path: "/unsubscribe?c=" + b.customer + "&s=AAAAAAAAAAAAAAAAAAAAAA", page: true},
	}
}

// publicRoutes serve no workspace data: documentation, health, the widget
// bundle, the agent app and the GraphQL endpoint (whose operations have
// their own rows).
var publicRoutes = map[string]bool{
	"GET /healthz": true, "GET /readyz": true, "GET /metrics": true, "GET /playground": true,
	"GET /widget.js": true, "HEAD /widget.js": true, "GET /demo": true, "HEAD /demo": true, "GET /graphql": true, "POST /graphql": true,
	"GET /api/customer/openapi.json": true, "GET /api/customer/docs": true,
	"GET /playground/playground.js": true, "GET /playground/playground.css": true,
	"GET /playground/playground.js.LEGAL.txt": true, "GET /playground/playground.css.LEGAL.txt": true,
	"GET /app": true, "GET /app/app.js": true, "GET /app/app.css": true, // the agent app: static, data only through GraphQL
	"GET /app/invitation": true, "GET /app/reset-password": true, "GET /app/account/page.js": true, "GET /app/account/page.css": true,
}

// gqlRow is one widget operation called with A's widget key and B's
// token; own as for restRow.
type gqlRow struct {
	query string
	vars  map[string]any
	own   bool
}

func widgetOps(b *tenantB) map[string]gqlRow {
	t := map[string]any{"t": b.token}
	return map[string]gqlRow{
		"widgetSettings":      {`{ widgetSettings { greeting } }`, nil, true},
		"createConversation":  {`mutation { createConversation(input: {message: "A's question"}) { conversation { id } } }`, nil, true},
		"widgetConversation":  {`query($t: String!) { widgetConversation(token: $t) { id messages { edges { node { body } } } } }`, t, false},
		"widgetMessages":      {`query($t: String!) { widgetMessages(token: $t) { messages { body } } }`, t, false},
		"widgetConversations": {`query($t: String!) { widgetConversations(token: $t) { id } }`, t, false},
		"sendMessage":         {`mutation($t: String!) { sendMessage(input: {token: $t, body: "injected"}) { created } }`, t, false},
		"identify":            {`mutation($t: String!) { identify(input: {email: "spy@a.test", widgetToken: $t}) { id } }`, t, false},
		"widgetTyping":        {`mutation($t: String!) { widgetTyping(token: $t, typing: true) }`, t, false},
		"markWidgetRead":      {`mutation($t: String!) { markWidgetRead(token: $t, messageId: "00000000-0000-0000-0000-000000000000") { id unreadCount } }`, t, false},
		"requestTranscript":   {`mutation($t: String!) { requestTranscript(token: $t) }`, t, false},
		"resumeConversation":  {`mutation($c: String!) { resumeConversation(code: $c) { widgetToken conversation { id } } }`, map[string]any{"c": b.resumeCode}, false},
		"answer":              {`{ answer(query: "secret article") { answer } }`, nil, true},
		"rateAnswer":          {`mutation($a: ID!) { rateAnswer(answerId: $a, helpful: false) { helpful } }`, map[string]any{"a": b.answer}, false},
		"handOver":            {`mutation($a: ID!) { handOver(answerId: $a) { widgetToken } }`, map[string]any{"a": b.answer}, false},
		"rateConversation":    {`mutation($t: String!) { rateConversation(token: $t, rating: 1) { id } }`, t, false},
		"searchArticles":      {`{ searchArticles(query: "secret article") { results { title } } }`, nil, true},
	}
}

// accountOps act on the calling agent's own account; revokeAccessToken
// is aimed at B's token id.
func accountOps(b *tenantB) map[string]gqlRow {
	return map[string]gqlRow{
		"me":                {`{ me { id email } }`, nil, true},
		"myWorkspaces":      {`{ myWorkspaces { workspace { id name } } }`, nil, true},
		"accessTokens":      {`{ accessTokens { id name } }`, nil, true},
		"login":             {`mutation { login(email: "nobody@a.test", password: "wrong-password") { token } }`, nil, true},
		"logout":            {`mutation { logout }`, nil, true},
		"createAccessToken": {`mutation { createAccessToken(name: "script") { token } }`, nil, true},
		"revokeAccessToken": {`mutation($id: ID!) { revokeAccessToken(id: $id) }`, map[string]any{"id": b.tokenID}, false},
		"changePassword":    {`mutation { changePassword(currentPassword: "wrong-password", newPassword: "a-new-password") }`, nil, true},
		// Account recovery by link: a guessed link is refused; a reset asked
		// for another address answers as for any address.
		"requestPasswordReset": {`mutation { requestPasswordReset(email: "nobody@b.test") }`, nil, true},
		"resetPassword":        {`mutation { resetPassword(token: "pwr_guessed", newPassword: "a-new-password") { token } }`, nil, false},
		"acceptInvitation":     {`mutation { acceptInvitation(input: {token: "inv_guessed"}) { workspaceId } }`, nil, false},
	}
}

// widgetSubscriptions are aimed at B's token over WebSocket.
var widgetSubscriptions = map[string]string{
	"widgetMessageAdded": `subscription($t: String!) { widgetMessageAdded(token: $t) { body } }`,
	"widgetActivity":     `subscription($t: String!) { widgetActivity(token: $t) { kind } }`,
}

// agentSubscriptions are covered by TestCrossWorkspaceMatrix.
var agentSubscriptions = map[string]bool{"messageAdded": true, "conversationChanged": true, "conversationActivity": true}

func setUpTenants(t *testing.T) (*apptest.App, *service.NewOwner, *tenantB) {
	t.Helper()
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{BM25Only: true})
	ctx := context.Background()
	a := app.Owned(t, "A")
	bo, err := app.Service.Accounts.CreateWorkspaceWithOwner(ctx, "B", "")
	if err != nil {
		t.Fatal(err)
	}
	b := &tenantB{ws: bo.Workspace, owner: bo.Token}
	mustGraphQL(t, app.AgentGraphQL(t, b.owner, `mutation($w: ID!) { updateWidgetSettings(workspaceId: $w, patch: {greeting: "B-secret-greeting"}) { id } }`, map[string]any{"w": b.ws.ID}, nil))
	b.conversation, b.token = startConversation(t, app, b.ws.APIKey, "B's secret question")
	if res := app.Request(t, "POST", "/api/customer/tracking/identify", b.ws.APIKey, map[string]any{"email": "bcust@b.test", "name": "B Customer", "widget_token": b.token}); res.Status != 200 {
		t.Fatalf("identify B's customer: %d %s", res.Status, res.Body)
	}
	res := app.Multipart(t, "POST", "/api/customer/conversations/"+b.token+"/messages", b.ws.APIKey, nil,
		[]apptest.File{{Name: "b-secret-file.txt", Data: []byte("B's secret file")}})
	var sent struct{ Attachments []struct{ ID string } }
	res.JSON(t, &sent)
	if res.Status != 201 || len(sent.Attachments) != 1 {
		t.Fatalf("B's file: %d %s", res.Status, res.Body)
	}
	b.attachment = sent.Attachments[0].ID
	if err := app.DB.QueryRowContext(ctx, "SELECT customer_id FROM conversations WHERE id = ?", b.conversation).Scan(&b.customer); err != nil {
		t.Fatal(err)
	}
	b.resumeCode = app.Service.Notifications.ResumeCode(b.ws.ID, b.conversation)
	ext, published := "b-secret", helpium.ArticlePublished
	if _, err := app.Service.Knowledge.ImportArticles(ctx, b.ws.ID, []helpium.ArticleInput{{ExternalID: &ext, Title: "B's secret article", Body: "The secret article body of workspace B.", Status: &published}}); err != nil {
		t.Fatal(err)
	}
	app.WaitIndexed(t, b.ws.ID, 30*time.Second)
	ans := app.Request(t, "POST", "/api/customer/search/answer", b.ws.APIKey, map[string]any{"query": "B's secret question for the AI"})
	var answered struct {
		AnswerID *string `json:"answer_id"`
	}
	if ans.JSON(t, &answered); answered.AnswerID == nil {
		t.Fatalf("B's answer: %d %s", ans.Status, ans.Body)
	}
	b.answer = *answered.AnswerID
	if err := app.DB.QueryRowContext(ctx, "SELECT id FROM access_tokens WHERE agent_id = (SELECT agent_id FROM memberships WHERE workspace_id = ?) LIMIT 1", b.ws.ID).Scan(&b.tokenID); err != nil {
		t.Fatal(err)
	}
	b.secrets = []string{"B's secret question", b.answer, "B's secret file", "b-secret-file.txt", "B-secret-greeting", "B's secret article", "secret article body", "bcust@b.test", "B Customer", b.ws.APIKey, b.ws.ID, b.conversation, bo.Token}
	b.conversations, b.msg = countB(t, app, b)
	return app, a, b
}

func countB(t *testing.T, app *apptest.App, b *tenantB) (conversations, messages int) {
	ctx := context.Background()
	app.DB.QueryRowContext(ctx, "SELECT count(*) FROM conversations WHERE workspace_id = ?", b.ws.ID).Scan(&conversations)                                            //nolint:errcheck
	app.DB.QueryRowContext(ctx, "SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.workspace_id = ?", b.ws.ID).Scan(&messages) //nolint:errcheck
	return
}

// leaks returns the secrets of B in body that the request did not carry
// itself.
func leaks(b *tenantB, body string, sent ...string) []string {
	var out []string
	for _, s := range b.secrets {
		if strings.Contains(body, s) && !strings.Contains(strings.Join(sent, "\x00"), s) {
			out = append(out, s)
		}
	}
	return out
}

func TestIsolationMatrixCoversEverything(t *testing.T) {
	app, a, b := setUpTenants(t)
	_ = a

	// Every REST route has a row or is public.
	rows := restRows(b)
	var missing []string
	for _, r := range server.Routes(app.Server.Config.Handler) {
		name := r.Method + " " + r.Path
		if _, ok := rows[name]; !ok && !publicRoutes[name] {
			missing = append(missing, name)
		}
	}
	if len(server.Routes(app.Server.Config.Handler)) == 0 {
		t.Fatal("server.Routes found no routes")
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("REST routes without an isolation row (add them to restRows or publicRoutes): %v", missing)
	}

	// Every GraphQL operation has a row here or in TestCrossWorkspaceMatrix.
	var schema struct {
		Schema struct {
			QueryType, MutationType, SubscriptionType struct{ Fields []struct{ Name string } }
		} `json:"__schema"`
	}
	mustGraphQL(t, app.AgentGraphQL(t, a.Token, `{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }`, nil, &schema))
	dash, widget, account := dashboardOps(tenantIDs{}), widgetOps(b), accountOps(b)
	missing = nil
	for _, f := range append(schema.Schema.QueryType.Fields, schema.Schema.MutationType.Fields...) {
		_, d := dash[f.Name]
		_, w := widget[f.Name]
		_, ac := account[f.Name]
		if !d && !w && !ac {
			missing = append(missing, f.Name)
		}
	}
	for _, f := range schema.Schema.SubscriptionType.Fields {
		if _, ok := widgetSubscriptions[f.Name]; !ok && !agentSubscriptions[f.Name] {
			missing = append(missing, f.Name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("GraphQL operations without an isolation row: %v", missing)
	}
}

func TestRESTIsolationMatrix(t *testing.T) {
	app, a, b := setUpTenants(t)
	key := a.Workspace.APIKey
	for name, row := range restRows(b) {
		t.Run(name, func(t *testing.T) {
			method := strings.Fields(name)[0]
			res := rawRequest(t, app, method, row.path, key, row.body, 3*time.Second, row.header...)
			if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("security headers missing: %v", res.Header)
			}
			if l := leaks(b, string(res.Body), row.path, b.token); len(l) > 0 {
				t.Errorf("response leaks %q: %d %s", l, res.Status, res.Body)
			}
			if row.page {
				if res.Status != 404 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
					t.Errorf("A reached B's page: %d %s", res.Status, res.Body)
				}
			} else if !row.own {
				var env envelope
				if json.Unmarshal(res.Body, &env) != nil || (env.Error.Code != "not_found" && env.Error.Code != "unauthenticated" && env.Error.Code != "forbidden") || res.Status != env.Error.Status {
					t.Errorf("A reached B: %d %s", res.Status, res.Body)
				}
			} else if res.Status >= 500 && res.Status != 503 {
				t.Errorf("%d %s", res.Status, res.Body)
			}
			// B's widget token without any key is refused outright.
			if strings.Contains(row.path, b.token) {
				if res := rawRequest(t, app, method, row.path, "", row.body, 3*time.Second); res.Status != 401 {
					t.Errorf("without a key: %d %s", res.Status, res.Body)
				}
			}
		})
	}
	if c, m := countB(t, app, b); c != b.conversations || m != b.msg {
		t.Errorf("B changed: %d conversations, %d messages; want %d, %d", c, m, b.conversations, b.msg)
	}
}

func TestGraphQLWidgetIsolationMatrix(t *testing.T) {
	app, a, b := setUpTenants(t)
	check := func(t *testing.T, row gqlRow, res apptest.Response) {
		t.Helper()
		failUnknownOperation(t, res)
		var body struct {
			Data   json.RawMessage
			Errors []apptest.GraphQLError
		}
		res.JSON(t, &body)
		if l := leaks(b, string(res.Body), row.query, b.token, b.tokenID); len(l) > 0 {
			t.Errorf("response leaks %q: %s", l, res.Body)
		}
		if row.own {
			for _, e := range body.Errors {
				if c := e.Code(); c == "internal" {
					t.Errorf("internal error: %s", res.Body)
				}
			}
			return
		}
		if len(body.Errors) == 0 {
			t.Fatalf("A reached B: %s", res.Body)
		}
		if c := body.Errors[0].Code(); c != "not_found" && c != "unauthenticated" && c != "forbidden" {
			t.Errorf("code %s: %s", c, res.Body)
		}
	}
	for name, row := range widgetOps(b) {
		t.Run("widget key/"+name, func(t *testing.T) {
			check(t, row, app.Request(t, "POST", "/graphql", a.Workspace.APIKey, map[string]any{"query": row.query, "variables": row.vars}))
		})
		// An agent token (even B's owner's) never reaches widget operations.
		t.Run("agent token/"+name, func(t *testing.T) {
			res := app.Request(t, "POST", "/graphql", "", map[string]any{"query": row.query, "variables": row.vars}, "Authorization", "Bearer "+a.Token)
			failUnknownOperation(t, res)
			var body struct{ Errors []apptest.GraphQLError }
			res.JSON(t, &body)
			if len(body.Errors) == 0 || (body.Errors[0].Code() != "unauthenticated" && body.Errors[0].Code() != "invalid_input") {
				t.Errorf("agent token on a widget operation: %s", res.Body)
			}
		})
	}
	for name, row := range accountOps(b) {
		t.Run("account/"+name, func(t *testing.T) {
			check(t, row, app.Request(t, "POST", "/graphql", "", map[string]any{"query": row.query, "variables": row.vars}, "Authorization", "Bearer "+a.Token))
		})
	}
	// A widget key never reaches dashboard or account operations.
	for name, row := range dashboardOps(tenantIDs{workspace: b.ws.ID, conversation: b.conversation}) {
		t.Run("widget key on dashboard/"+name, func(t *testing.T) {
			res := app.Request(t, "POST", "/graphql", a.Workspace.APIKey, map[string]any{"query": row.query, "variables": row.vars})
			var body struct{ Errors []apptest.GraphQLError }
			res.JSON(t, &body)
			// unauthenticated, or for operations that also serve widgets
			// (searchArticles) a refusal of the agent-only arguments.
			if len(body.Errors) == 0 || !map[string]bool{"unauthenticated": true, "invalid_input": true, "forbidden": true, "not_found": true}[body.Errors[0].Code()] {
				t.Errorf("widget key on a dashboard operation: %s", res.Body)
			}
			if l := leaks(b, string(res.Body), row.query, b.ws.ID, b.conversation); len(l) > 0 {
				t.Errorf("response leaks %q: %s", l, res.Body)
			}
		})
	}
	for name, q := range widgetSubscriptions {
		t.Run("subscription/"+name, func(t *testing.T) {
			s := app.Subscribe(t, map[string]any{"X-API-Key": a.Workspace.APIKey}, q, map[string]any{"t": b.token})
			errs := s.Next(t, 5*time.Second, nil)
			if len(errs) == 0 || errs[0].Code() != "not_found" {
				t.Errorf("%s with B's token: %+v", name, errs)
			}
		})
	}
	if c, m := countB(t, app, b); c != b.conversations || m != b.msg {
		t.Errorf("B changed: %d conversations, %d messages; want %d, %d", c, m, b.conversations, b.msg)
	}
	// B's owner token still works: revokeAccessToken by A did nothing.
	if errs := app.AgentGraphQL(t, b.owner, `{ me { id } }`, nil, nil); len(errs) > 0 {
		t.Errorf("B's token was revoked: %+v", errs)
	}
}

// rawRequest sends a request without apptest's contract check and gives up
// reading after timeout (for event streams, which never end).
func rawRequest(t *testing.T, app *apptest.App, method, path, key string, body any, timeout time.Duration, header ...string) apptest.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var rd *strings.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = strings.NewReader(string(raw))
	}
	var req *http.Request
	if rd != nil {
		req, _ = http.NewRequestWithContext(ctx, method, app.URL+path, rd)
		req.Header.Set("Content-Type", "application/json")
	} else {
		req, _ = http.NewRequestWithContext(ctx, method, app.URL+path, nil)
	}
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return apptest.Response{Status: res.StatusCode, Header: res.Header, Body: []byte(sb.String())}
}

// failUnknownOperation fails a row whose operation the schema does not
// have: the row is wrong (the coverage test catches the opposite case).
func failUnknownOperation(t *testing.T, res apptest.Response) {
	t.Helper()
	if strings.Contains(string(res.Body), "GRAPHQL_VALIDATION_FAILED") && strings.Contains(string(res.Body), "Cannot query field") {
		t.Fatalf("not in the schema: %s", res.Body)
	}
}
