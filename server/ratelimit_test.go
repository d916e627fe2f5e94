package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/server"
	"github.com/helpium/helpium/service"
)

// checkRateHeaders asserts the X-RateLimit-* headers: limit, remaining
// and a reset within the minute.
func checkRateHeaders(t *testing.T, name string, res apptest.Response, limit, remaining int) {
	t.Helper()
	l, _ := strconv.Atoi(res.Header.Get("X-RateLimit-Limit"))
	r, err := strconv.Atoi(res.Header.Get("X-RateLimit-Remaining"))
	reset, err2 := strconv.Atoi(res.Header.Get("X-RateLimit-Reset"))
	if l != limit || err != nil || r != remaining || err2 != nil || reset < 0 || reset > 60 {
		t.Errorf("%s: X-RateLimit-Limit %q Remaining %q Reset %q, want %d, %d, 0..60", name,
			res.Header.Get("X-RateLimit-Limit"), res.Header.Get("X-RateLimit-Remaining"), res.Header.Get("X-RateLimit-Reset"), limit, remaining)
	}
}

func checkTooMany(t *testing.T, name string, res apptest.Response) {
	t.Helper()
	checkEnvelope(t, name, res, http.StatusTooManyRequests, "too_many_requests", "")
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Errorf("%s: Retry-After %q", name, res.Header.Get("Retry-After"))
	}
	if res.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("%s: X-RateLimit-Remaining %q on a refusal", name, res.Header.Get("X-RateLimit-Remaining"))
	}
}

// setLimits sets a workspace's limits through GraphQL as its owner.
func setLimits(t *testing.T, app *apptest.App, ownerToken, workspaceID string, input map[string]any) {
	t.Helper()
	var out struct {
		SetRateLimits struct {
			RateLimits map[string]int `json:"rateLimits"`
		} `json:"setRateLimits"`
	}
	mustGraphQL(t, app.AgentGraphQL(t, ownerToken, `mutation($w: ID!, $in: RateLimitsInput!) {
		setRateLimits(workspaceId: $w, input: $in) { rateLimits { customerApiPerMinute conversationsPerMinute messagesPerMinute } } }`,
		map[string]any{"w": workspaceID, "in": input}, &out))
}

func TestWorkspaceRateLimit(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
	key := o.Workspace.APIKey

	// Defaults, as the dashboard shows them.
	var ws struct {
		Workspace struct {
			RateLimits map[string]int `json:"rateLimits"`
		} `json:"workspace"`
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($w: ID!) { workspace(id: $w) { rateLimits { customerApiPerMinute conversationsPerMinute messagesPerMinute } } }`,
		map[string]any{"w": o.Workspace.ID}, &ws))
	if want := map[string]int{"customerApiPerMinute": 600, "conversationsPerMinute": 30, "messagesPerMinute": 60}; fmt.Sprint(ws.Workspace.RateLimits) != fmt.Sprint(want) {
		t.Errorf("default limits %v, want %v", ws.Workspace.RateLimits, want)
	}
	res := app.Request(t, "GET", "/api/customer/widget/settings", key, nil)
	checkRateHeaders(t, "default", res, 600, 599)

	// Invalid limits are refused, naming the field.
	errs := app.AgentGraphQL(t, o.Token, `mutation($w: ID!) { setRateLimits(workspaceId: $w, input: {messagesPerMinute: -1}) { id } }`, map[string]any{"w": o.Workspace.ID}, nil)
	if len(errs) != 1 || errs[0].Code() != "invalid_input" || errs[0].Extensions["field"] != "input.messagesPerMinute" {
		t.Errorf("negative limit: %+v", errs)
	}

	// An admin lowers the workspace limit: it applies at once, to REST and
	// widget GraphQL alike (one budget).
	setLimits(t, app, o.Token, o.Workspace.ID, map[string]any{"customerApiPerMinute": 6})
	for i := 0; i < 3; i++ {
		res := app.Request(t, "GET", "/api/customer/widget/settings", key, nil)
		if res.Status != 200 {
			t.Fatalf("request %d: %d %s", i, res.Status, res.Body)
		}
		checkRateHeaders(t, "REST", res, 6, 5-i)
	}
	for i := 3; i < 6; i++ {
		res := app.Request(t, "POST", "/graphql", key, map[string]any{"query": "{ widgetSettings { greeting } }"})
		if res.Status != 200 {
			t.Fatalf("graphql %d: %d %s", i, res.Status, res.Body)
		}
		checkRateHeaders(t, "GraphQL", res, 6, 5-i)
	}
	res = app.Request(t, "POST", "/api/customer/conversations", key, map[string]any{"message": "hi"})
	checkTooMany(t, "REST over the limit", res)
	res = app.Request(t, "POST", "/graphql", key, map[string]any{"query": "{ widgetSettings { greeting } }"})
	if res.Status != 429 || res.Header.Get("Retry-After") == "" {
		t.Errorf("GraphQL over the limit: %d %s", res.Status, res.Body)
	}
	var n int
	app.DB.QueryRowContext(context.Background(), "SELECT count(*) FROM conversations WHERE workspace_id = ?", o.Workspace.ID).Scan(&n) //nolint:errcheck
	if n != 0 {
		t.Errorf("a refused request stored %d conversations", n)
	}
	// Another workspace has its own budget.
	other := app.Workspace(t, "Other")
	if res := app.Request(t, "GET", "/api/customer/widget/settings", other.APIKey, nil); res.Status != 200 {
		t.Errorf("other workspace: %d", res.Status)
	}
	// Null restores the default.
	setLimits(t, app, o.Token, o.Workspace.ID, map[string]any{"customerApiPerMinute": nil})
	res = app.Request(t, "GET", "/api/customer/widget/settings", key, nil)
	if res.Status != 200 || res.Header.Get("X-RateLimit-Limit") != "600" {
		t.Errorf("after reset to default: %d %q", res.Status, res.Header.Get("X-RateLimit-Limit"))
	}
}

func TestPerClientLimits(t *testing.T) {
	// The test client connects from 127.0.0.1, a trusted proxy here, so
	// X-Forwarded-For names the client.
	app := apptest.New(t, service.Options{}, func(d *server.Deps) {
		d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	o := app.Owned(t, "Acme")
	key := o.Workspace.APIKey
	setLimits(t, app, o.Token, o.Workspace.ID, map[string]any{"conversationsPerMinute": 2, "messagesPerMinute": 3})
	from := func(ip string) []string { return []string{"X-Forwarded-For", ip} }

	var tokens []string
	for i := 0; i < 2; i++ {
		res := app.Request(t, "POST", "/api/customer/conversations", key, map[string]any{"message": "hi"}, from("203.0.113.7")...)
		if res.Status != 201 {
			t.Fatalf("conversation %d: %d %s", i, res.Status, res.Body)
		}
		// The tighter limit is the one shown.
		checkRateHeaders(t, "create", res, 2, 1-i)
		var c restCreated
		res.JSON(t, &c)
		tokens = append(tokens, c.WidgetToken)
	}
	checkTooMany(t, "third conversation", app.Request(t, "POST", "/api/customer/conversations", key, map[string]any{"message": "hi"}, from("203.0.113.7")...))
	// The same through GraphQL: the same per-client budget.
	errs := app.GraphQL(t, key, `mutation { createConversation(input: {message: "hi"}) { widgetToken } }`, nil, nil, from("203.0.113.7")...)
	checkGraphQLTooMany(t, "GraphQL createConversation over the limit", errs)
	// A spoofed hop left of the real client changes nothing: the rightmost
	// untrusted address is the client.
	checkTooMany(t, "spoofed X-Forwarded-For", app.Request(t, "POST", "/api/customer/conversations", key, map[string]any{"message": "hi"}, from("198.51.100.1, 203.0.113.7")...))
	// Another client of the same workspace is not affected; reads are not
	// limited per client.
	if res := app.Request(t, "POST", "/api/customer/conversations", key, map[string]any{"message": "hi"}, from("203.0.113.8")...); res.Status != 201 {
		t.Errorf("another client: %d %s", res.Status, res.Body)
	}
	if res := app.Request(t, "GET", "/api/customer/conversations/"+tokens[0], key, nil, from("203.0.113.7")...); res.Status != 200 {
		t.Errorf("read by a limited client: %d %s", res.Status, res.Body)
	}

	// Messages: 3 a minute per client, REST and GraphQL together.
	msgs := "/api/customer/conversations/" + tokens[0] + "/messages"
	for i := 0; i < 2; i++ {
		if res := app.Request(t, "POST", msgs, key, map[string]any{"body": fmt.Sprint("m", i)}, from("203.0.113.7")...); res.Status != 201 {
			t.Fatalf("message %d: %d %s", i, res.Status, res.Body)
		}
	}
	mustGraphQL(t, app.GraphQL(t, key, `mutation($t: String!) { sendMessage(input: {token: $t, body: "m2"}) { created } }`, map[string]any{"t": tokens[0]}, nil, from("203.0.113.7")...))
	checkTooMany(t, "fourth message", app.Request(t, "POST", msgs, key, map[string]any{"body": "m3"}, from("203.0.113.7")...))
	errs = app.GraphQL(t, key, `mutation($t: String!) { sendMessage(input: {token: $t, body: "m4"}) { created } }`, map[string]any{"t": tokens[0]}, nil, from("203.0.113.7")...)
	checkGraphQLTooMany(t, "GraphQL sendMessage over the limit", errs)
	if res := app.Request(t, "POST", msgs, key, map[string]any{"body": "other client"}, from("203.0.113.9")...); res.Status != 201 {
		t.Errorf("another client's message: %d %s", res.Status, res.Body)
	}
	var stored int
	app.DB.QueryRowContext(context.Background(), "SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.workspace_id = ?", o.Workspace.ID).Scan(&stored) //nolint:errcheck
	if want := 3 + 3 + 1; stored != want {                                                                                                                                                  // 3 first messages, 3 sent, 1 from another client
		t.Errorf("%d messages stored, want %d", stored, want)
	}
}

func TestUntrustedPeerCannotSpoofClientIP(t *testing.T) {
	app := apptest.New(t, service.Options{}) // no trusted proxies
	ws := app.Workspace(t, "Acme")
	app.SetRateLimits(t, ws.ID, helpium.RateLimits{Conversations: 1})
	for i, ip := range []string{"203.0.113.1", "203.0.113.2"} {
		res := app.Request(t, "POST", "/api/customer/conversations", ws.APIKey, map[string]any{"message": "hi"}, "X-Forwarded-For", ip)
		if want := []int{201, 429}[i]; res.Status != want {
			t.Errorf("request %d claiming %s: %d, want %d (X-Forwarded-For of an untrusted peer must be ignored)", i, ip, res.Status, want)
		}
	}
}

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	cases := []struct {
		peer, xff, want string
	}{
		{"203.0.113.5:1234", "", "203.0.113.5"},
		{"203.0.113.5:1234", "1.2.3.4", "203.0.113.5"}, // untrusted peer: header ignored
		{"10.1.1.1:80", "", "10.1.1.1"},
		{"10.1.1.1:80", "1.2.3.4", "1.2.3.4"},
		{"10.1.1.1:80", "6.6.6.6, 1.2.3.4", "1.2.3.4"},      // the client wrote 6.6.6.6
		{"10.1.1.1:80", "1.2.3.4, 10.2.2.2", "1.2.3.4"},     // two trusted hops
		{"10.1.1.1:80", "10.3.3.3, 10.2.2.2", "10.3.3.3"},   // all trusted: the leftmost
		{"10.1.1.1:80", "garbage, 10.2.2.2", "10.2.2.2"},    // malformed: stop at the last trusted
		{"[::1]:80", "2001:db8::1", "2001:db8::1"},          // IPv6
		{"[::ffff:10.1.1.1]:80", "1.2.3.4:5678", "1.2.3.4"}, // mapped peer, hop with port
		{"10.1.1.1:80", "[2001:db8::2]:443", "2001:db8::2"}, // bracketed hop
	}
	for _, c := range cases {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := server.ClientIP(r, trusted).String(); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
}

func TestAgentRateLimit(t *testing.T) {
	app := apptest.New(t, service.Options{AgentRateLimit: 3})
	o := app.Owned(t, "Acme")
	for i := 0; i < 3; i++ {
		res := app.Request(t, "POST", "/graphql", "", map[string]any{"query": "{ me { id } }"}, "Authorization", "Bearer "+o.Token)
		if res.Status != 200 {
			t.Fatalf("request %d: %d %s", i, res.Status, res.Body)
		}
		checkRateHeaders(t, "agent", res, 3, 2-i)
	}
	res := app.Request(t, "POST", "/graphql", "", map[string]any{"query": "{ me { id } }"}, "Authorization", "Bearer "+o.Token)
	if res.Status != 429 || res.Header.Get("Retry-After") == "" {
		t.Fatalf("4th request: %d %s", res.Status, res.Body)
	}
	var body struct{ Errors []apptest.GraphQLError }
	res.JSON(t, &body)
	checkGraphQLTooMany(t, "4th request", body.Errors)
	// Widget traffic of the same workspace has its own budget.
	if res := app.Request(t, "GET", "/api/customer/widget/settings", o.Workspace.APIKey, nil); res.Status != 200 {
		t.Errorf("widget request: %d", res.Status)
	}
}

// TestReplicasShareRedisLimit runs two servers on one database, both
// counting in one Redis: together they admit exactly the workspace's limit.
func TestReplicasShareRedisLimit(t *testing.T) {
	url := apptest.RedisURL(t)
	prefix := fmt.Sprintf("test:replicas:%d:", time.Now().UnixNano())
	a := apptest.New(t, service.Options{RateLimiter: apptest.RedisLimiter(t, url, prefix)})
	b := apptest.Start(t, a.DatabaseURL, service.Options{RateLimiter: apptest.RedisLimiter(t, url, prefix)})
	ws := a.Workspace(t, "Acme")
	a.SetRateLimits(t, ws.ID, helpium.RateLimits{CustomerAPI: 10})

	admitted := map[string]int{}
	for i := 0; i < 14; i++ {
		app, name := a, "a"
		if i%2 == 1 {
			app, name = b, "b"
		}
		res := app.Request(t, "GET", "/api/customer/widget/settings", ws.APIKey, nil)
		switch {
		case res.Status == 200 && i < 10:
			admitted[name]++
			checkRateHeaders(t, name, res, 10, 9-i)
		case res.Status == 429 && i >= 10:
			checkTooMany(t, name, res)
		default:
			t.Errorf("request %d on replica %s: %d %s", i, name, res.Status, res.Body)
		}
	}
	if admitted["a"] != 5 || admitted["b"] != 5 {
		t.Errorf("admitted %v, want 5 on each replica", admitted)
	}
}

// TestWebSocketOperationsAreRateLimited: every operation sent over a
// GraphQL WebSocket counts against the caller's limit, like an HTTP
// request, for the widget key (the workspace's Customer API limit) and for
// an agent (the per-agent limit).
func TestWebSocketOperationsAreRateLimited(t *testing.T) {
	const limit = 3
	app := apptest.New(t, service.Options{AgentRateLimit: limit})
	o := app.Owned(t, "Acme")
	app.SetRateLimits(t, o.Workspace.ID, helpium.RateLimits{CustomerAPI: limit, Conversations: 100, Messages: 100})
	tests := []struct {
		name  string
		init  map[string]any
		query string
	}{
		{"widget key", map[string]any{"X-API-Key": o.Workspace.APIKey}, `{ widgetSettings { greeting } }`},
		{"agent", map[string]any{"Authorization": "Bearer " + o.Token}, `{ me { id } }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(app.URL, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(websocket.StatusNormalClosure, "")
			if err := wsjson.Write(ctx, conn, map[string]any{"type": "connection_init", "payload": tt.init}); err != nil {
				t.Fatal(err)
			}
			var ack struct{ Type string }
			if err := wsjson.Read(ctx, conn, &ack); err != nil || ack.Type != "connection_ack" {
				t.Fatalf("init: %+v %v", ack, err)
			}
			ok, limited := 0, 0
			for i := range limit + 3 {
				id := strconv.Itoa(i)
				if err := wsjson.Write(ctx, conn, map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": tt.query}}); err != nil {
					t.Fatal(err)
				}
				for done := false; !done; {
					var m struct {
						ID      string
						Type    string
						Payload json.RawMessage
					}
					if err := wsjson.Read(ctx, conn, &m); err != nil {
						t.Fatal(err)
					}
					switch {
					case m.Type == "complete":
						done = true
					case strings.Contains(string(m.Payload), `"too_many_requests"`):
						if !strings.Contains(string(m.Payload), `"retryAfter":`) {
							t.Errorf("refusal without retryAfter: %s", m.Payload)
						}
						limited++
						done = m.Type == "error"
					case m.Type == "next" && strings.Contains(string(m.Payload), `"data"`):
						ok++
					case m.Type == "error" || m.Type == "next":
						t.Fatalf("operation %s: %s %s", id, m.Type, m.Payload)
					}
				}
			}
			if ok != limit || limited != 3 {
				t.Errorf("%d operations answered and %d refused; want %d and 3", ok, limited, limit)
			}
		})
	}
}

// checkGraphQLTooMany wants one too_many_requests error telling GraphQL
// clients, which see no per-field headers, how long to wait.
func checkGraphQLTooMany(t *testing.T, name string, errs []apptest.GraphQLError) {
	t.Helper()
	if len(errs) != 1 || errs[0].Code() != "too_many_requests" {
		t.Errorf("%s: %+v", name, errs)
		return
	}
	if s, ok := errs[0].Extensions["retryAfter"].(float64); !ok || s < 1 || s > 60 {
		t.Errorf("%s: retryAfter %v", name, errs[0].Extensions["retryAfter"])
	}
}
