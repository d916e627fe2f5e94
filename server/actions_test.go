package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/actions"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/llm"
	"github.com/helpium/helpium/service"
)

// customerBearer is the token the "customer application" issues; it must
// never show up in a response, a log line, an audit row or a model prompt.
const customerBearer = "app-token-7Hq2/xZ+9kLm"

// testExecutor reaches the httptest "customer application" on 127.0.0.1
// (allowlisted for development) and makes internal.example.test resolve to
// a private address; everything else follows the production policy.
func testExecutor() *actions.Executor {
	return actions.New(actions.Config{
		Policy:         actions.AllowAddrs(actions.PublicOnly, netip.MustParseAddr("127.0.0.1")),
		AllowHTTPHosts: []string{"127.0.0.1"},
		Resolver:       privateResolver{},
	})
}

type privateResolver struct{}

func (privateResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if host == "internal.example.test" {
		return []netip.Addr{netip.MustParseAddr("10.0.0.7")}, nil
	}
	return nil, fmt.Errorf("no such host %s", host)
}

// customerApp is an httptest "customer application": GET /orders/{id}
// answers for the customer whose token it issued, and records what it saw.
type customerApp struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string
}

func newCustomerApp(t *testing.T) *customerApp {
	app := &customerApp{}
	app.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app.mu.Lock()
		app.paths = append(app.paths, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
		app.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+customerBearer {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error": "bad token"}`)
			return
		}
		id, ok := strings.CutPrefix(r.URL.Path, "/orders/")
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"order": id, "status": "shipped", "carrier": "DHL", "lang": r.URL.Query().Get("lang")})
	}))
	t.Cleanup(app.Close)
	return app
}

func (c *customerApp) seen() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.paths...)
}

// recorder keeps every response body, to check that no secret leaks.
type recorder struct{ strings.Builder }

func (r *recorder) gql(t *testing.T, app *apptest.App, token, query string, vars map[string]any, out any) []apptest.GraphQLError {
	t.Helper()
	res := app.Request(t, "POST", "/graphql", "", map[string]any{"query": query, "variables": vars}, "Authorization", "Bearer "+token)
	r.Write(res.Body)
	var body struct {
		Data   json.RawMessage
		Errors []apptest.GraphQLError
	}
	res.JSON(t, &body)
	if out != nil && len(body.Data) > 0 && string(body.Data) != "null" {
		if err := json.Unmarshal(body.Data, out); err != nil {
			t.Fatal(err)
		}
	}
	return body.Errors
}

const actionFields = `id name description method urlTemplate parameters headers { name value } requiresCustomerToken createdAt updatedAt`

type gqlAction struct {
	ID, Name, Description, Method, URLTemplate string
	Parameters                                 map[string]any
	Headers                                    []struct {
		Name  string
		Value *string
	}
	RequiresCustomerToken bool
}

const createActionMutation = `mutation($w: ID!, $in: ActionInput!) { createAction(workspaceId: $w, input: $in) { ` + actionFields + ` } }`

func orderAction(baseURL string) map[string]any {
	return map[string]any{
		"name":        "lookup_order",
		"description": "Looks up one of the customer's orders by its id.",
		"method":      "GET",
		"urlTemplate": baseURL + "/orders/{order_id}?lang={lang}",
		"parameters": map[string]any{
			"type":       "object",
			"properties": map[string]any{"order_id": map[string]any{"type": "string", "pattern": "^[A-Z]-[0-9]+$"}, "lang": map[string]any{"type": "string"}},
			"required":   []string{"order_id"},
		},
		"headers":               []map[string]any{{"name": "X-Api-Key", "value": "workspace-static-key"}},
		"requiresCustomerToken": true,
	}
}

func TestActionDefinitionsAndRoles(t *testing.T) {
	app := apptest.New(t, service.Options{Actions: testExecutor()})
	o := app.Owned(t, "Acme")
	ws := o.Workspace.ID
	admin := app.Member(t, ws, "admin@acme.test", helpium.RoleAdmin)
	agent := app.Member(t, ws, "agent@acme.test", helpium.RoleAgent)
	var rec recorder

	var created struct{ CreateAction gqlAction }
	mustGraphQL(t, rec.gql(t, app, admin.Token, createActionMutation, map[string]any{"w": ws, "in": orderAction("https://shop.example.com")}, &created))
	a := created.CreateAction
	if a.ID == "" || a.Method != "GET" || a.URLTemplate != "https://shop.example.com/orders/{order_id}?lang={lang}" ||
		a.Parameters["type"] != "object" || !a.RequiresCustomerToken || len(a.Headers) != 1 || *a.Headers[0].Value != "workspace-static-key" {
		t.Fatalf("created %+v", a)
	}

	// Agents list and read actions, without header values; they cannot write.
	var list struct{ Actions []gqlAction }
	mustGraphQL(t, rec.gql(t, app, agent.Token, `query($w: ID!) { actions(workspaceId: $w) { `+actionFields+` } }`, map[string]any{"w": ws}, &list))
	if len(list.Actions) != 1 || list.Actions[0].Headers[0].Name != "X-Api-Key" || list.Actions[0].Headers[0].Value != nil {
		t.Errorf("agent list %+v", list)
	}
	var one struct{ Action gqlAction }
	mustGraphQL(t, rec.gql(t, app, agent.Token, `query($id: ID!) { action(id: $id) { `+actionFields+` } }`, map[string]any{"id": a.ID}, &one))
	if one.Action.Name != "lookup_order" || one.Action.Headers[0].Value != nil {
		t.Errorf("agent read %+v", one)
	}
	if strings.Contains(rec.String()[strings.Index(rec.String(), `"actions"`):], "workspace-static-key") {
		t.Error("an agent saw a header value")
	}
	for name, op := range map[string]struct {
		q    string
		vars map[string]any
	}{
		"createAction": {createActionMutation, map[string]any{"w": ws, "in": orderAction("https://shop.example.com")}},
		"updateAction": {`mutation($id: ID!, $in: ActionInput!) { updateAction(id: $id, input: $in) { id } }`, map[string]any{"id": a.ID, "in": orderAction("https://evil.example.com")}},
		"deleteAction": {`mutation($id: ID!) { deleteAction(id: $id) }`, map[string]any{"id": a.ID}},
		"actionCalls":  {`query($w: ID!) { actionCalls(workspaceId: $w) { id } }`, map[string]any{"w": ws}},
	} {
		errs := rec.gql(t, app, agent.Token, op.q, op.vars, nil)
		if len(errs) == 0 || errs[0].Code() != "forbidden" {
			t.Errorf("agent %s: %+v", name, errs)
		}
	}

	// Validation on save names the field.
	for _, tc := range []struct {
		name   string
		change func(map[string]any)
		code   string
		field  string
	}{
		{"undeclared placeholder", func(in map[string]any) { in["urlTemplate"] = "https://shop.example.com/orders/{id}" }, "invalid_input", "input.urlTemplate"},
		{"placeholder in host", func(in map[string]any) { in["urlTemplate"] = "https://{order_id}.example.com/" }, "invalid_input", "input.urlTemplate"},
		{"plain http", func(in map[string]any) { in["urlTemplate"] = "http://shop.example.com/orders/{order_id}" }, "invalid_input", "input.urlTemplate"},
		{"private address", func(in map[string]any) { in["urlTemplate"] = "https://192.168.1.1/orders/{order_id}" }, "invalid_input", "input.urlTemplate"},
		{"schema not an object schema", func(in map[string]any) { in["parameters"] = map[string]any{"type": "array"} }, "invalid_input", "input.parameters"},
		{"invalid schema", func(in map[string]any) {
			in["parameters"] = map[string]any{"type": "object", "properties": map[string]any{"order_id": map[string]any{"minLength": -1}}}
		}, "invalid_input", "input.parameters"},
		{"schema with a file reference", func(in map[string]any) {
			in["parameters"] = map[string]any{"type": "object", "properties": map[string]any{"order_id": map[string]any{"$ref": "file:///etc/passwd"}}}
		}, "invalid_input", "input.parameters"},
		{"bad name", func(in map[string]any) { in["name"] = "look up" }, "invalid_input", "input.name"},
		{"token with an Authorization header", func(in map[string]any) {
			in["headers"] = []map[string]any{{"name": "Authorization", "value": "x"}}
		}, "invalid_input", "input.headers[0].name"},
		{"duplicate name", func(in map[string]any) { in["name"] = "LOOKUP_ORDER" }, "conflict", "input.name"},
	} {
		in := orderAction("https://shop.example.com")
		tc.change(in)
		errs := rec.gql(t, app, admin.Token, createActionMutation, map[string]any{"w": ws, "in": in}, nil)
		if len(errs) == 0 || errs[0].Code() != tc.code || errs[0].Extensions["field"] != tc.field {
			t.Errorf("%s: %+v", tc.name, errs)
		}
	}

	// Update replaces the definition; delete removes it.
	upd := orderAction("https://shop.example.com/v2")
	upd["name"], upd["method"], upd["headers"], upd["requiresCustomerToken"] = "order_status", "POST", []any{}, false
	var updated struct{ UpdateAction gqlAction }
	mustGraphQL(t, rec.gql(t, app, o.Token, `mutation($id: ID!, $in: ActionInput!) { updateAction(id: $id, input: $in) { `+actionFields+` } }`, map[string]any{"id": a.ID, "in": upd}, &updated))
	if u := updated.UpdateAction; u.ID != a.ID || u.Name != "order_status" || u.Method != "POST" || len(u.Headers) != 0 || u.RequiresCustomerToken {
		t.Errorf("updated %+v", u)
	}
	var deleted struct{ DeleteAction bool }
	mustGraphQL(t, rec.gql(t, app, admin.Token, `mutation($id: ID!) { deleteAction(id: $id) }`, map[string]any{"id": a.ID}, &deleted))
	errs := rec.gql(t, app, admin.Token, `query($id: ID!) { action(id: $id) { id } }`, map[string]any{"id": a.ID}, nil)
	if !deleted.DeleteAction || len(errs) == 0 || errs[0].Code() != "not_found" {
		t.Errorf("after delete: %+v", errs)
	}
}

type gqlResult struct {
	OK         bool
	StatusCode *int
	JSON       map[string]any
	Text       *string
	Truncated  bool
	Error      *string
	DurationMs int
	Message    *struct {
		ID, Author, Body string
		Internal         bool
	}
}

const runActionMutation = `mutation($c: ID!, $a: ID!, $in: JSON) { runAction(conversationId: $c, actionId: $a, input: $in) {
	ok statusCode json text truncated error durationMs message { id author body internal } } }`

func TestRunActionForConversation(t *testing.T) {
	shop := newCustomerApp(t)
	app := apptest.New(t, service.Options{Actions: testExecutor()})
	ctx := context.Background()
	o := app.Owned(t, "Acme")
	ws, key := o.Workspace.ID, o.Workspace.APIKey
	agent := app.Member(t, ws, "agent@acme.test", helpium.RoleAgent)
	var rec recorder

	conv, widgetToken := startConversation(t, app, key, "Where is my order?")
	res, _ := identify(t, app, key, map[string]any{"email": "ann@example.com", "widget_token": widgetToken, "bearer_token": customerBearer}, &rec.Builder)
	if res.Status != 200 {
		t.Fatalf("identify %d %s", res.Status, res.Body)
	}
	var created struct{ CreateAction gqlAction }
	mustGraphQL(t, rec.gql(t, app, o.Token, createActionMutation, map[string]any{"w": ws, "in": orderAction(shop.URL)}, &created))
	actionID := created.CreateAction.ID

	var out struct{ RunAction gqlResult }
	mustGraphQL(t, rec.gql(t, app, agent.Token, runActionMutation, map[string]any{"c": conv, "a": actionID, "in": map[string]any{"order_id": "A-17", "lang": "en&x=y"}}, &out))
	r := out.RunAction
	if !r.OK || r.StatusCode == nil || *r.StatusCode != 200 || r.JSON["status"] != "shipped" || r.JSON["order"] != "A-17" || r.Truncated || r.Error != nil {
		t.Fatalf("run %+v", r)
	}
	if got := shop.seen(); len(got) != 1 || got[0] != "/orders/A-17?lang=en%26x%3Dy" {
		t.Errorf("the application saw %q", got)
	}
	if r.Message == nil || r.Message.Author != "SYSTEM" || !r.Message.Internal || !strings.Contains(r.Message.Body, "lookup_order") || !strings.Contains(r.Message.Body, "shipped") {
		t.Errorf("note %+v", r.Message)
	}
	// The note is for agents: the widget never sees it.
	widget := app.Request(t, "GET", "/api/customer/conversations/"+widgetToken+"/messages", key, nil)
	if widget.Status != 200 || strings.Contains(string(widget.Body), "lookup_order") {
		t.Errorf("widget messages %d %s", widget.Status, widget.Body)
	}
	var inbox struct {
		Conversation struct {
			Messages struct {
				Edges []struct{ Node struct{ Author, Body string } }
			}
		}
	}
	mustGraphQL(t, rec.gql(t, app, agent.Token, `query($c: ID!) { conversation(id: $c) { messages(last: 5) { edges { node { author body } } } } }`, map[string]any{"c": conv}, &inbox))
	if e := inbox.Conversation.Messages.Edges; len(e) != 2 || e[1].Node.Author != "SYSTEM" {
		t.Errorf("agent messages %+v", inbox)
	}

	// Input that does not match the schema is refused before any call.
	errs := rec.gql(t, app, agent.Token, runActionMutation, map[string]any{"c": conv, "a": actionID, "in": map[string]any{"order_id": "../admin"}}, nil)
	if len(errs) == 0 || errs[0].Code() != "invalid_input" || errs[0].Extensions["field"] != "input.order_id" {
		t.Errorf("bad input: %+v", errs)
	}
	// A conversation without an identified customer, or a customer without
	// a token, cannot run an action that needs the token.
	anon, _ := startConversation(t, app, key, "hello")
	errs = rec.gql(t, app, agent.Token, runActionMutation, map[string]any{"c": anon, "a": actionID, "in": map[string]any{"order_id": "A-1"}}, nil)
	if len(errs) == 0 || errs[0].Code() != "invalid_input" || errs[0].Extensions["field"] != "conversationId" || !strings.Contains(errs[0].Message, "no identified customer") {
		t.Errorf("anonymous: %+v", errs)
	}
	noToken, noTokenWidget := startConversation(t, app, key, "hi")
	identify(t, app, key, map[string]any{"email": "bob@example.com", "widget_token": noTokenWidget}, &rec.Builder)
	errs = rec.gql(t, app, agent.Token, runActionMutation, map[string]any{"c": noToken, "a": actionID, "in": map[string]any{"order_id": "A-1"}}, nil)
	if len(errs) == 0 || errs[0].Code() != "invalid_input" || !strings.Contains(errs[0].Message, "none is available") {
		t.Errorf("no token: %+v", errs)
	}
	if len(shop.seen()) != 1 {
		t.Errorf("refused calls reached the application: %q", shop.seen())
	}

	// An action whose host resolves to a private address is refused after
	// DNS resolution; the refusal is a result, noted and audited, and does
	// not say what the name resolved to.
	ssrf := orderAction("https://internal.example.test")
	ssrf["name"] = "internal"
	var createdSSRF struct{ CreateAction gqlAction }
	mustGraphQL(t, rec.gql(t, app, o.Token, createActionMutation, map[string]any{"w": ws, "in": ssrf}, &createdSSRF))
	mustGraphQL(t, rec.gql(t, app, agent.Token, runActionMutation, map[string]any{"c": conv, "a": createdSSRF.CreateAction.ID, "in": map[string]any{"order_id": "A-1"}}, &out))
	if out.RunAction.OK || out.RunAction.StatusCode != nil || out.RunAction.Error == nil ||
		!strings.Contains(*out.RunAction.Error, "internal.example.test: address not allowed") || strings.Contains(*out.RunAction.Error, "10.0.0.7") {
		t.Errorf("ssrf: %+v", out.RunAction)
	}

	// Another workspace's action or conversation is not found.
	other := app.Owned(t, "Other")
	var otherAction struct{ CreateAction gqlAction }
	mustGraphQL(t, rec.gql(t, app, other.Token, createActionMutation, map[string]any{"w": other.Workspace.ID, "in": orderAction(shop.URL)}, &otherAction))
	otherConv, _ := startConversation(t, app, other.Workspace.APIKey, "x")
	for _, ids := range [][2]string{{conv, otherAction.CreateAction.ID}, {otherConv, actionID}} {
		errs = rec.gql(t, app, o.Token, runActionMutation, map[string]any{"c": ids[0], "a": ids[1], "in": map[string]any{"order_id": "A-1"}}, nil)
		if len(errs) == 0 || errs[0].Code() != "not_found" {
			t.Errorf("cross-workspace run %v: %+v", ids, errs)
		}
	}

	// One audit row per call: success, the two refusals before a request
	// (no customer, no token), the schema mismatch and the SSRF refusal.
	var calls struct {
		ActionCalls []struct {
			ActionID, ActionName, Caller string
			ConversationID               *string
			Agent                        *struct{ Email string }
			StatusCode                   *int
			DurationMs                   int
			Error                        *string
		}
	}
	mustGraphQL(t, rec.gql(t, app, o.Token, `query($w: ID!) { actionCalls(workspaceId: $w, limit: 10) { actionId actionName conversationId caller agent { email } statusCode durationMs error } }`, map[string]any{"w": ws}, &calls))
	if len(calls.ActionCalls) != 5 {
		t.Fatalf("audit %+v", calls)
	}
	first := calls.ActionCalls[len(calls.ActionCalls)-1]
	if first.ActionID != actionID || first.Caller != "AGENT" || first.Agent == nil || first.Agent.Email != "agent@acme.test" ||
		first.StatusCode == nil || *first.StatusCode != 200 || first.Error != nil || *first.ConversationID != conv {
		t.Errorf("audit of the call %+v", first)
	}
	last := calls.ActionCalls[0]
	if last.ActionName != "internal" || last.StatusCode != nil || last.Error == nil || !strings.Contains(*last.Error, "Refused") {
		t.Errorf("audit of the refusal %+v", last)
	}
	var byConv struct{ ActionCalls []struct{ ID string } }
	mustGraphQL(t, rec.gql(t, app, o.Token, `query($w: ID!, $c: ID!) { actionCalls(workspaceId: $w, conversationId: $c) { id } }`, map[string]any{"w": ws, "c": anon}, &byConv))
	if len(byConv.ActionCalls) != 1 {
		t.Errorf("audit for the anonymous conversation: %+v", byConv)
	}

	// The token is nowhere: responses, logs, audit rows, messages.
	var dump string
	if err := app.DB.QueryRowContext(ctx, `SELECT coalesce(string_agg(row_to_json(ac)::text, ' '), '') FROM action_calls ac`).Scan(&dump); err != nil {
		t.Fatal(err)
	}
	var msgs string
	if err := app.DB.QueryRowContext(ctx, `SELECT string_agg(body, ' ') FROM messages`).Scan(&msgs); err != nil {
		t.Fatal(err)
	}
	for where, text := range map[string]string{"responses": rec.String(), "logs": app.LogText(), "audit rows": dump, "messages": msgs} {
		if strings.Contains(text, customerBearer) || strings.Contains(text, "7Hq2") {
			t.Errorf("the customer's token appears in the %s", where)
		}
	}
	if strings.Contains(dump, "shipped") {
		t.Error("an audit row holds the response body")
	}
	// The refused input ("../admin") is named by its field, not quoted.
	if !strings.Contains(dump, "invalid input: input.order_id") || strings.Contains(dump, "../admin") || strings.Contains(app.LogText(), "../admin") {
		t.Error("the audit or the log quotes a refused parameter value, or does not name its field")
	}
	if !strings.Contains(app.LogText(), `"msg":"action call"`) {
		t.Error("action calls are not logged")
	}
}

// fakeModel is an httptest server speaking the OpenAI chat-completions
// protocol: it answers the first request with a tool call and the second
// with a final message, and records the requests.
type fakeModel struct {
	*httptest.Server
	mu       sync.Mutex
	requests []map[string]any
	raw      strings.Builder
	fail     bool
}

func newFakeModel(t *testing.T) *fakeModel {
	m := &fakeModel{}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req map[string]any
		json.Unmarshal(body, &req)
		m.mu.Lock()
		m.requests = append(m.requests, req)
		m.raw.Write(body)
		n, fail := len(m.requests), m.fail
		m.mu.Unlock()
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer model-key" || fail {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"error": {"message": "boom"}}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if n%2 == 1 {
			io.WriteString(w, `{"id": "c1", "model": "test-model", "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null,
				"tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "lookup_order", "arguments": "{\"order_id\": \"A-17\"}"}}]}}]}`)
			return
		}
		io.WriteString(w, `{"id": "c2", "model": "test-model", "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Your order A-17 has shipped with DHL."}}]}`)
	}))
	t.Cleanup(m.Close)
	return m
}

func TestAIToolCallRoundTrip(t *testing.T) {
	shop := newCustomerApp(t)
	model := newFakeModel(t)
	client, err := llm.New(llm.Config{BaseURL: model.URL, Model: "test-model", APIKey: "model-key"})
	if err != nil {
		t.Fatal(err)
	}
	app := apptest.New(t, service.Options{Actions: testExecutor(), LLM: client})
	ctx := context.Background()
	o := app.Owned(t, "Acme Shop")
	ws, key := o.Workspace, o.Workspace.APIKey
	var rec recorder
	conv, widgetToken := startConversation(t, app, key, "Where is my order A-17?")
	identify(t, app, key, map[string]any{"email": "ann@example.com", "widget_token": widgetToken, "bearer_token": customerBearer}, &rec.Builder)
	var created struct{ CreateAction gqlAction }
	mustGraphQL(t, rec.gql(t, app, o.Token, createActionMutation, map[string]any{"w": ws.ID, "in": orderAction(shop.URL)}, &created))
	status := orderAction("https://status.example.com")
	status["name"], status["requiresCustomerToken"], status["urlTemplate"] = "service_status", false, "https://status.example.com/{order_id}"
	mustGraphQL(t, rec.gql(t, app, o.Token, createActionMutation, map[string]any{"w": ws.ID, "in": status}, nil))

	widgetCtx := helpium.WithActor(ctx, &helpium.Actor{Workspace: ws})
	answer, err := app.Service.Actions.AnswerWithActions(widgetCtx, widgetToken, "Where is my order A-17?")
	if err != nil {
		t.Fatal(err)
	}
	if answer.Answer != "Your order A-17 has shipped with DHL." || len(answer.Calls) != 1 || !answer.Calls[0].OK() {
		t.Fatalf("answer %+v", answer)
	}
	if got := shop.seen(); len(got) != 1 || got[0] != "/orders/A-17?lang=" {
		t.Errorf("the application saw %q", got)
	}

	if len(model.requests) != 2 {
		t.Fatalf("%d model requests", len(model.requests))
	}
	first, second := model.requests[0], model.requests[1]
	if first["model"] != "test-model" {
		t.Errorf("model %v", first["model"])
	}
	msgs := first["messages"].([]any)
	if len(msgs) != 2 || msgs[0].(map[string]any)["role"] != "system" || !strings.Contains(msgs[0].(map[string]any)["content"].(string), "Acme Shop") ||
		msgs[1].(map[string]any)["role"] != "user" || msgs[1].(map[string]any)["content"] != "Where is my order A-17?" {
		t.Errorf("first messages %v", msgs)
	}
	var toolNames []string
	for _, tool := range first["tools"].([]any) {
		fn := tool.(map[string]any)["function"].(map[string]any)
		toolNames = append(toolNames, fn["name"].(string))
		if fn["name"] == "lookup_order" && (fn["description"] != "Looks up one of the customer's orders by its id." || fn["parameters"].(map[string]any)["required"].([]any)[0] != "order_id") {
			t.Errorf("tool %v", fn)
		}
	}
	if strings.Join(toolNames, ",") != "lookup_order,service_status" {
		t.Errorf("tools %v", toolNames)
	}
	msgs = second["messages"].([]any)
	if len(msgs) != 4 {
		t.Fatalf("second messages %v", msgs)
	}
	assistant, tool := msgs[2].(map[string]any), msgs[3].(map[string]any)
	calls, _ := assistant["tool_calls"].([]any)
	if assistant["role"] != "assistant" || len(calls) != 1 || calls[0].(map[string]any)["id"] != "call_1" {
		t.Errorf("assistant turn %v", assistant)
	}
	var result struct {
		Status int
		Body   map[string]any
	}
	json.Unmarshal([]byte(tool["content"].(string)), &result)
	if tool["role"] != "tool" || tool["tool_call_id"] != "call_1" || result.Status != 200 || result.Body["status"] != "shipped" {
		t.Errorf("tool turn %v", tool)
	}

	// Audited as the AI's call, and noted for agents.
	var caller, agentID, errText *string
	if err := app.DB.QueryRowContext(ctx, `SELECT caller, agent_id::text, error FROM action_calls WHERE conversation_id = ?`, conv).Scan(&caller, &agentID, &errText); err != nil {
		t.Fatal(err)
	}
	if *caller != "ai" || agentID != nil || errText != nil {
		t.Errorf("audit caller %v agent %v error %v", *caller, agentID, errText)
	}
	var note string
	app.DB.QueryRowContext(ctx, `SELECT body FROM messages WHERE conversation_id = ? AND author_kind = 'system' AND internal`, conv).Scan(&note) //nolint:errcheck
	if !strings.Contains(note, "AI assistant called the action lookup_order") {
		t.Errorf("note %q", note)
	}

	// A conversation whose customer has no token is not offered the action
	// that needs one.
	_, anonToken := startConversation(t, app, key, "hi")
	if _, err := app.Service.Actions.AnswerWithActions(widgetCtx, anonToken, "Is the service up?"); err != nil {
		t.Fatal(err)
	}
	if tools := model.requests[2]["tools"].([]any); len(tools) != 1 || tools[0].(map[string]any)["function"].(map[string]any)["name"] != "service_status" {
		t.Errorf("tools without a customer token: %v", tools)
	}

	// The token never reaches the model, a response or a log.
	for where, text := range map[string]string{"model prompts": model.raw.String(), "responses": rec.String(), "logs": app.LogText()} {
		if strings.Contains(text, customerBearer) {
			t.Errorf("the customer's token appears in the %s", where)
		}
	}

	// A failing model is unavailable; no model at all too.
	model.mu.Lock()
	model.fail = true
	model.mu.Unlock()
	if _, err := app.Service.Actions.AnswerWithActions(widgetCtx, widgetToken, "again?"); helpium.ErrorCode(err) != helpium.EUnavailable {
		t.Errorf("failing model: %v", err)
	}
	bare := service.New(app.Service.Store(), service.Options{})
	if _, err := bare.Actions.AnswerWithActions(widgetCtx, widgetToken, "hi"); helpium.ErrorCode(err) != helpium.EUnavailable {
		t.Errorf("no model: %v", err)
	}
	if _, err := app.Service.Actions.AnswerWithActions(widgetCtx, widgetToken, "  "); helpium.ErrorCode(err) != helpium.EInvalid {
		t.Errorf("blank question: %v", err)
	}
}

// TestWidgetAnswerRunsActions: the widget's answer endpoint, given the
// customer's widget token and a configured model, lets the model call an
// action for the identified customer and answers from its result.
func TestWidgetAnswerRunsActions(t *testing.T) {
	shop := newCustomerApp(t)
	model := newFakeModel(t)
	client, err := llm.New(llm.Config{BaseURL: model.URL, Model: "test-model", APIKey: "model-key"})
	if err != nil {
		t.Fatal(err)
	}
	app := apptest.New(t, service.Options{Actions: testExecutor(), LLM: client})
	o := app.Owned(t, "Acme Shop")
	key := o.Workspace.APIKey
	var rec recorder
	_, widgetToken := startConversation(t, app, key, "hello")
	identify(t, app, key, map[string]any{"email": "ann@example.com", "widget_token": widgetToken, "bearer_token": customerBearer}, &rec.Builder)
	mustGraphQL(t, rec.gql(t, app, o.Token, createActionMutation, map[string]any{"w": o.Workspace.ID, "in": orderAction(shop.URL)}, nil))

	res := app.Request(t, "POST", "/api/customer/search/answer", key, map[string]any{"query": "Where is my order A-17?", "widget_token": widgetToken})
	var a struct {
		Answered  bool
		Answer    string
		Generator string
	}
	res.JSON(t, &a)
	if res.Status != 200 || !a.Answered || a.Answer != "Your order A-17 has shipped with DHL." || a.Generator != "llm-actions" {
		t.Fatalf("answer: %d %s", res.Status, res.Body)
	}
	if got := shop.seen(); len(got) != 1 {
		t.Errorf("the application saw %q", got)
	}
	if strings.Contains(string(res.Body), customerBearer) {
		t.Error("the customer's token is in the answer")
	}
}

// TestUnverifiedSessionNeverActsWithAnotherSessionsToken: a verified
// customer's bearer token is used for her verified sessions only. Whoever
// identifies with her email without a user hash is linked to her, but an
// action for their conversation has no token, or only the one that session
// handed over itself.
func TestUnverifiedSessionNeverActsWithAnotherSessionsToken(t *testing.T) {
	shop := newCustomerApp(t)
	app := apptest.New(t, service.Options{Actions: testExecutor()})
	o := app.Owned(t, "Acme")
	ws, key := o.Workspace.ID, o.Workspace.APIKey
	secretKey, err := app.Service.Identity.IdentitySecret(agentCtx(t, app, o.Token), ws)
	if err != nil {
		t.Fatal(err)
	}
	var rec recorder
	var created struct{ CreateAction gqlAction }
	mustGraphQL(t, rec.gql(t, app, o.Token, createActionMutation, map[string]any{"w": ws, "in": orderAction(shop.URL)}, &created))
	run := func(conv string) ([]apptest.GraphQLError, gqlResult) {
		var out struct{ RunAction gqlResult }
		errs := rec.gql(t, app, o.Token, runActionMutation, map[string]any{"c": conv, "a": created.CreateAction.ID, "in": map[string]any{"order_id": "A-1"}}, &out)
		return errs, out.RunAction
	}

	ann, annToken := startConversation(t, app, key, "where is my order")
	identify(t, app, key, map[string]any{"email": "ann@example.com", "widget_token": annToken, "bearer_token": customerBearer,
		"user_hash": service.UserHash(secretKey, "ann@example.com")}, &rec.Builder)
	if errs, r := run(ann); len(errs) > 0 || !r.OK {
		t.Fatalf("Ann's verified session: %+v %+v", errs, r)
	}

	mallory, malloryToken := startConversation(t, app, key, "where is my order")
	identify(t, app, key, map[string]any{"email": "ann@example.com", "widget_token": malloryToken}, &rec.Builder)
	if errs, _ := run(mallory); len(errs) == 0 || errs[0].Code() != "invalid_input" || !strings.Contains(errs[0].Message, "none is available") {
		t.Errorf("an unverified session claiming Ann's email ran with a token: %+v", errs)
	}
	identify(t, app, key, map[string]any{"email": "ann@example.com", "widget_token": malloryToken, "bearer_token": "mallory-token"}, &rec.Builder)
	if errs, r := run(mallory); len(errs) > 0 || r.OK || r.StatusCode == nil || *r.StatusCode != 401 {
		t.Errorf("with its own token the session's call should carry that token (the application refuses it): %+v %+v", errs, r)
	}
	// Ann's verified session still acts with her own token.
	if errs, r := run(ann); len(errs) > 0 || !r.OK {
		t.Errorf("Ann's token after the unverified identifies: %+v %+v", errs, r)
	}
	if n := len(shop.seen()); n != 3 {
		t.Errorf("the application saw %d calls, want 3", n)
	}
}
