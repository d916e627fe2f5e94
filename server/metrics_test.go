package server_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/server"
	"github.com/helpium/helpium/service"
)

func TestMetricsExposed(t *testing.T) {
	app := apptest.New(t, service.Options{})
	ws := app.Workspace(t, "Acme")
	app.SetRateLimits(t, ws.ID, helpium.RateLimits{CustomerAPI: 1000, Conversations: 1, Messages: 1000})
	app.Request(t, "GET", "/api/customer/widget/settings", ws.APIKey, nil)
	app.Request(t, "GET", "/api/customer/widget/settings", "pk_wrong", nil)
	_, token := startConversation(t, app, ws.APIKey, "hi")
	if res := app.Request(t, "POST", "/api/customer/conversations", ws.APIKey, map[string]any{"message": "again"}); res.Status != 429 {
		t.Fatalf("second conversation under a limit of 1: %d", res.Status)
	}

	// Hold a widget event stream open while scraping.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", app.URL+"/api/customer/conversations/"+token+"/events?api_key="+ws.APIKey, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()

	var body string
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(20 * time.Millisecond) {
		r := app.Request(t, "GET", "/metrics", "", nil, "Authorization", "Bearer "+apptest.MetricsToken)
		body = string(r.Body)
		if strings.Contains(body, `helpium_live_connections{kind="sse"} 1`) {
			break
		}
	}
	if !regexp.MustCompile(`(?m)^helpium_event_subscribers [1-9]`).MatchString(body) {
		t.Error("/metrics lacks a positive helpium_event_subscribers")
	}
	for _, want := range []string{
		`helpium_http_requests_total{method="GET",route="/api/customer/widget/settings",status="200"} 1`,
		`helpium_http_requests_total{method="GET",route="/api/customer/widget/settings",status="401"} 1`,
		`helpium_http_requests_total{method="POST",route="/api/customer/conversations",status="201"} 1`,
		`helpium_http_request_duration_seconds_bucket{method="GET",route="/api/customer/widget/settings",le="`,
		`helpium_live_connections{kind="sse"} 1`,
		`go_sql_open_connections{db_name="helpium"}`,
		`helpium_indexer_errors_total 0`,
		`helpium_rate_limited_total{limit="create_conversation"} 1`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestMetricsEndpointAndLabelsBounded: /metrics on the main listener needs
// the metrics token, and methods a client makes up all count as OTHER, so
// they cannot grow the series without bound.
func TestMetricsEndpointAndLabelsBounded(t *testing.T) {
	app := apptest.New(t, service.Options{})
	for _, h := range [][]string{nil, {"Authorization", "Bearer wrong-token-0123456789"}} {
		if r := app.Request(t, "GET", "/metrics", "", nil, h...); r.Status != http.StatusUnauthorized {
			t.Errorf("/metrics with %v: %d, want 401", h, r.Status)
		}
	}
	for i := range 50 {
		req, _ := http.NewRequest(fmt.Sprintf("X-MADE-UP-%d", i), app.URL+"/api/customer/widget/settings", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}
	r := app.Request(t, "GET", "/metrics", "", nil, "Authorization", "Bearer "+apptest.MetricsToken)
	body := string(r.Body)
	if r.Status != 200 || strings.Contains(body, "X-MADE-UP") || !strings.Contains(body, `method="OTHER"`) {
		t.Errorf("/metrics after 50 made-up methods: %d; want them counted as OTHER, none named", r.Status)
	}
	// Without a token the main listener has no /metrics at all.
	bare := apptest.New(t, service.Options{}, func(d *server.Deps) { d.MetricsToken = "" })
	if r := bare.Request(t, "GET", "/metrics", "", nil, "Authorization", "Bearer "+apptest.MetricsToken); r.Status != http.StatusNotFound {
		t.Errorf("/metrics without HELPIUM_METRICS_TOKEN: %d, want 404", r.Status)
	}
}

// TestSecretsNeverLogged drives every credential through the server —
// widget key, widget token, agent password, session and personal tokens,
// a bearer token — including failing requests, and greps the logs.
func TestSecretsNeverLogged(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o, err := app.Service.Accounts.CreateWorkspaceWithOwner(context.Background(), "Acme", "owner@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	key := o.Workspace.APIKey
	_, token := startConversation(t, app, key, "hi")
	app.Request(t, "GET", "/api/customer/conversations/"+token+"/messages", key, nil)
	app.Request(t, "GET", "/api/customer/conversations/"+token+"/messages?after=bad&limit=1000", key, nil)
	app.Request(t, "POST", "/api/customer/tracking/identify", key, map[string]any{"email": "ann@example.com", "widget_token": token, "bearer_token": "brr-SECRET-bearer-42"})
	var login struct{ Login struct{ Token string } }
	app.GraphQL(t, "", `mutation($p: String!) { login(email: "owner@acme.test", password: $p) { token } }`, map[string]any{"p": o.Password}, &login)
	app.GraphQL(t, "", `mutation { login(email: "owner@acme.test", password: "wrong-Passw0rd-guess") { token } }`, nil, nil)
	app.AgentGraphQL(t, login.Login.Token, `{ me { id } }`, nil, nil)
	app.AgentGraphQL(t, "at_not-a-real-token-123456", `{ me { id } }`, nil, nil)
	app.Request(t, "GET", "/api/customer/conversations/"+token+"/events?api_key=pk_invalid_key_zzz", "", nil)

	logs := app.LogText()
	if !strings.Contains(logs, `"msg":"request"`) {
		t.Fatal("no access log lines were written")
	}
	for name, secret := range map[string]string{
		"widget key": key, "widget token": token, "owner password": o.Password, "personal token": o.Token,
		"session token": login.Login.Token, "bearer token": "brr-SECRET-bearer-42", "wrong password": "wrong-Passw0rd-guess",
		"unknown token": "at_not-a-real-token-123456", "query-string key": "pk_invalid_key_zzz",
	} {
		if secret != "" && strings.Contains(logs, secret) {
			t.Errorf("the %s appears in the logs", name)
		}
	}
	// Every request line names the request id, route, status and duration;
	// widget requests also their workspace.
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, `"msg":"request"`) {
			continue
		}
		for _, field := range []string{`"request_id":`, `"route":`, `"status":`, `"duration":`} {
			if !strings.Contains(line, field) {
				t.Errorf("request line without %s: %s", field, line)
			}
		}
		if strings.Contains(line, `"route":"/api/customer/widget/settings"`) && strings.Contains(line, `"status":200`) && !strings.Contains(line, o.Workspace.ID) {
			t.Errorf("widget request line without workspace_id: %s", line)
		}
	}
}
