package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/server"
	"github.com/helpium/helpium/service"
)

// options sends an OPTIONS request directly: preflights are HTTP, not part
// of the Customer API contract that apptest.Request checks.
func options(t *testing.T, app *apptest.App, path string, header ...string) apptest.Response {
	t.Helper()
	req, _ := http.NewRequest("OPTIONS", app.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return apptest.Response{Status: res.StatusCode, Header: res.Header, Body: body}
}

func TestCORSPreflight(t *testing.T) {
	app := apptest.New(t, service.Options{})
	for _, path := range []string{"/api/customer/conversations", "/api/customer/conversations/wt_x/messages", "/api/customer/widget/settings", "/graphql"} {
		res := options(t, app, path,
			"Origin", "https://shop.example.com", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type,x-api-key")
		h := res.Header
		if res.Status != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "https://shop.example.com" ||
			!strings.Contains(h.Get("Access-Control-Allow-Headers"), "X-API-Key") || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
			h.Get("Access-Control-Max-Age") == "" || !strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") {
			t.Errorf("preflight %s: %d %v", path, res.Status, h)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("preflight %s without security headers", path)
		}
	}
	// A malformed origin gets no grant; a plain OPTIONS is answered too.
	res := options(t, app, "/api/customer/conversations", "Origin", "null", "Access-Control-Request-Method", "POST")
	if res.Status != 204 || res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("origin null: %d %v", res.Status, res.Header)
	}
	if res := options(t, app, "/api/customer/conversations"); res.Status != 204 || res.Header.Get("Allow") == "" {
		t.Errorf("plain OPTIONS: %d %v", res.Status, res.Header)
	}
	// Unknown paths stay 404 (no catch-all OPTIONS route).
	if res := app.Request(t, "GET", "/api/customer/nothing", "pk_x", nil); res.Status != 404 && res.Status != 401 {
		t.Errorf("unknown path: %d", res.Status)
	}
}

func TestAllowedOrigins(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
	key := o.Workspace.APIKey
	origin := func(o string) []string { return []string{"Origin", o} }

	// No list: any origin is granted.
	res := app.Request(t, "GET", "/api/customer/widget/settings", key, nil, origin("https://anywhere.test")...)
	if res.Status != 200 || res.Header.Get("Access-Control-Allow-Origin") != "https://anywhere.test" ||
		!strings.Contains(res.Header.Get("Access-Control-Expose-Headers"), "Retry-After") {
		t.Fatalf("empty list: %d %v", res.Status, res.Header)
	}

	// Invalid entries are refused.
	for _, bad := range []string{"*", "shop.test", "https://shop.test/path", "ftp://shop.test", "https://user@shop.test", " https://shop.test"} {
		errs := app.AgentGraphQL(t, o.Token, `mutation($w: ID!, $o: [String!]!) { setAllowedOrigins(workspaceId: $w, origins: $o) { id } }`,
			map[string]any{"w": o.Workspace.ID, "o": []string{bad}}, nil)
		if len(errs) != 1 || errs[0].Code() != "invalid_input" {
			t.Errorf("origin %q: %+v", bad, errs)
		}
	}
	// Admins set the list; it is stored in canonical form.
	var set struct {
		SetAllowedOrigins struct{ AllowedOrigins []string } `json:"setAllowedOrigins"`
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($w: ID!) { setAllowedOrigins(workspaceId: $w, origins: ["https://Shop.Example.com:443", "http://localhost:3000"]) { allowedOrigins } }`,
		map[string]any{"w": o.Workspace.ID}, &set))
	if got := strings.Join(set.SetAllowedOrigins.AllowedOrigins, " "); got != "https://shop.example.com http://localhost:3000" {
		t.Errorf("stored origins %q", got)
	}
	// An agent may not change them.
	agent := app.Member(t, o.Workspace.ID, "ann@acme.test", "agent")
	if errs := app.AgentGraphQL(t, agent.Token, `mutation($w: ID!) { setAllowedOrigins(workspaceId: $w, origins: []) { id } }`, map[string]any{"w": o.Workspace.ID}, nil); len(errs) != 1 || errs[0].Code() != "forbidden" {
		t.Errorf("agent changing origins: %+v", errs)
	}

	res = app.Request(t, "POST", "/api/customer/conversations", key, map[string]any{"message": "from the shop"}, origin("https://shop.example.com")...)
	if res.Status != 201 || res.Header.Get("Access-Control-Allow-Origin") != "https://shop.example.com" {
		t.Errorf("allowed origin: %d %v", res.Status, res.Header)
	}
	// A request without Origin (a server, curl) is not a browser's.
	if res := app.Request(t, "GET", "/api/customer/widget/settings", key, nil); res.Status != 200 {
		t.Errorf("no origin: %d", res.Status)
	}
	// Other origins: 403 forbidden, readable by the page (so that the
	// widget reports it rather than retrying a network error), nothing
	// stored.
	for _, evil := range []string{"https://evil.test", "https://shop.example.com.evil.test", "http://shop.example.com", "null"} {
		res := app.Request(t, "POST", "/api/customer/conversations", key, map[string]any{"message": "from " + evil}, origin(evil)...)
		checkEnvelope(t, evil, res, http.StatusForbidden, "forbidden", "")
		if res.Header.Get("Access-Control-Allow-Origin") != evil {
			t.Errorf("%s: the refusal is not readable by the page: %v", evil, res.Header)
		}
	}
	var n int
	app.DB.QueryRowContext(context.Background(), "SELECT count(*) FROM conversations WHERE workspace_id = ?", o.Workspace.ID).Scan(&n) //nolint:errcheck
	if n != 1 {
		t.Errorf("%d conversations stored, want 1", n)
	}
	// The same for widget GraphQL, over HTTP and WebSocket.
	res = app.Request(t, "POST", "/graphql", key, map[string]any{"query": "{ widgetSettings { greeting } }"}, origin("https://evil.test")...)
	if res.Status != 403 || !strings.Contains(string(res.Body), `"forbidden"`) || res.Header.Get("Access-Control-Allow-Origin") != "https://evil.test" {
		t.Errorf("GraphQL from another origin: %d %s %v", res.Status, res.Body, res.Header)
	}
	res = app.Request(t, "POST", "/graphql", key, map[string]any{"query": "{ widgetSettings { greeting } }"}, origin("https://shop.example.com")...)
	if res.Status != 200 || res.Header.Get("Access-Control-Allow-Origin") != "https://shop.example.com" {
		t.Errorf("GraphQL from the allowed origin: %d %s", res.Status, res.Body)
	}
	if msg := wsInit(t, app, "https://evil.test", map[string]any{"X-API-Key": key}); !strings.Contains(msg, "may not be used from origin") {
		t.Errorf("WebSocket from another origin: %s", msg)
	}
	if msg := wsInit(t, app, "https://shop.example.com", map[string]any{"X-API-Key": key}); !strings.Contains(msg, "connection_ack") {
		t.Errorf("WebSocket from the allowed origin: %s", msg)
	}
	// Agents' requests are not subject to a workspace's widget origins.
	if res := app.Request(t, "POST", "/graphql", "", map[string]any{"query": "{ me { id } }"}, "Authorization", "Bearer "+o.Token, "Origin", "https://dashboard.test"); res.Status != 200 {
		t.Errorf("dashboard from another origin: %d %s", res.Status, res.Body)
	}
}

// wsInit opens a GraphQL WebSocket from origin, sends connection_init and
// returns the first message (or the close reason).
func wsInit(t *testing.T, app *apptest.App, origin string, init map[string]any) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(app.URL, "http")+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: http.Header{"Origin": {origin}},
	})
	if err != nil {
		return "dial: " + err.Error()
	}
	defer conn.Close(websocket.StatusNormalClosure, "")
	payload, _ := json.Marshal(init)
	if err := wsjson.Write(ctx, conn, map[string]any{"type": "connection_init", "payload": json.RawMessage(payload)}); err != nil {
		return "write: " + err.Error()
	}
	var m json.RawMessage
	if err := wsjson.Read(ctx, conn, &m); err != nil {
		return "closed: " + err.Error()
	}
	return string(m)
}

func TestStreamCapPerWorkspace(t *testing.T) {
	app := apptest.New(t, service.Options{}, func(d *server.Deps) { d.MaxStreamsPerWorkspace = 2 })
	ws := app.Workspace(t, "Acme")
	_, token := startConversation(t, app, ws.APIKey, "hi")
	other := app.Workspace(t, "Other")
	_, otherToken := startConversation(t, app, other.APIKey, "hi")

	open := func(key, token string) (*http.Response, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", app.URL+"/api/customer/conversations/"+token+"/events", nil)
		req.Header.Set("X-API-Key", key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res, cancel
	}
	r1, c1 := open(ws.APIKey, token)
	defer c1()
	r2, c2 := open(ws.APIKey, token)
	defer c2()
	if r1.StatusCode != 200 || r2.StatusCode != 200 {
		t.Fatalf("streams: %d %d", r1.StatusCode, r2.StatusCode)
	}
	r3, c3 := open(ws.APIKey, token)
	defer c3()
	if r3.StatusCode != 429 || r3.Header.Get("Retry-After") == "" {
		t.Errorf("third stream: %d", r3.StatusCode)
	}
	// A widget WebSocket counts against the same cap.
	if msg := wsInit(t, app, "https://x.test", map[string]any{"X-API-Key": ws.APIKey}); !strings.Contains(msg, "Too many open streams") {
		t.Errorf("WebSocket over the cap: %s", msg)
	}
	// Another workspace is not affected.
	r4, c4 := open(other.APIKey, otherToken)
	defer c4()
	if r4.StatusCode != 200 {
		t.Errorf("other workspace's stream: %d", r4.StatusCode)
	}
	// Closing a stream frees its slot.
	c1()
	r1.Body.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r5, c5 := open(ws.APIKey, token)
		c5()
		if r5.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("slot not freed: %d", r5.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
