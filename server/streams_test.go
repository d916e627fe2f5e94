package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/server"
	"github.com/helpium/helpium/service"
)

// dialGraphQL opens a GraphQL WebSocket as client (X-Forwarded-For, with
// the test server's loopback peer trusted); it returns the connection or
// the HTTP status the upgrade got.
func dialGraphQL(t *testing.T, app *apptest.App, client string) (*websocket.Conn, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(app.URL, "http")+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: http.Header{"X-Forwarded-For": {client}},
	})
	if err != nil {
		if res != nil {
			return nil, res.StatusCode
		}
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close(websocket.StatusNormalClosure, "") })
	return conn, http.StatusSwitchingProtocols
}

// closeStatus waits for the server to close conn and returns its status.
func closeStatus(t *testing.T, conn *websocket.Conn, timeout time.Duration) websocket.StatusCode {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		var m map[string]any
		err := wsjson.Read(ctx, conn, &m)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		t.Fatalf("read: %v, want the server to close the socket", err)
	}
}

func trustLoopback(d *server.Deps) {
	d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
}

// TestWebSocketsMustAuthenticateInTime: a socket that sends no
// connection_init is closed after the init timeout (gqlgen closes it as a
// protocol error, 1002); one whose init has no
// credentials, or wrong ones, is closed with 4401 (graphql-transport-ws's
// "unauthorized", which clients do not retry), not 1000.
func TestWebSocketsMustAuthenticateInTime(t *testing.T) {
	app := apptest.New(t, service.Options{}, func(d *server.Deps) { d.WebSocketInitTimeout = 300 * time.Millisecond })
	silent, _ := dialGraphQL(t, app, "")
	if code := closeStatus(t, silent, 5*time.Second); code != websocket.StatusProtocolError {
		t.Errorf("no connection_init: closed with %d, want 1002 (init timeout)", code)
	}
	for name, init := range map[string]map[string]any{
		"anonymous":     {},
		"unknown token": {"Authorization": "Bearer at_not-a-token-0123456789"},
		"unknown key":   {"X-API-Key": "pk_not_a_key"},
	} {
		conn, _ := dialGraphQL(t, app, "")
		if err := wsjson.Write(context.Background(), conn, map[string]any{"type": "connection_init", "payload": init}); err != nil {
			t.Fatal(err)
		}
		if code := closeStatus(t, conn, 5*time.Second); code != 4401 {
			t.Errorf("%s init: closed with %d, want 4401", name, code)
		}
	}
	// The legacy protocol (graphql-ws) sends the refusal as text: the
	// message alone, without the error's internal prefix.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(app.URL, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(websocket.StatusNormalClosure, "")
	wsjson.Write(ctx, conn, map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer at_unknown"}})
	var m struct {
		Type    string
		Payload struct{ Message string }
	}
	if err := wsjson.Read(ctx, conn, &m); err != nil || m.Type != "connection_error" ||
		!strings.HasPrefix(m.Payload.Message, "The access token is invalid") {
		t.Errorf("legacy protocol: %+v %v", m, err)
	}
}

// TestStreamCapsPerClient: one client IP can open at most
// MaxStreamsPerClient WebSockets (before authenticating, too) and as many
// widget event streams per workspace; other clients are not affected.
func TestStreamCapsPerClient(t *testing.T) {
	const perClient = 3
	app := apptest.New(t, service.Options{}, trustLoopback, func(d *server.Deps) { d.MaxStreamsPerClient = perClient })
	ws := app.Workspace(t, "Acme")
	app.SetRateLimits(t, ws.ID, apptest.Generous)
	for range perClient {
		if _, status := dialGraphQL(t, app, "203.0.113.7"); status != http.StatusSwitchingProtocols {
			t.Fatalf("socket within the cap: %d", status)
		}
	}
	if _, status := dialGraphQL(t, app, "203.0.113.7"); status != http.StatusTooManyRequests {
		t.Errorf("socket over the per-client cap: %d, want 429", status)
	}
	if _, status := dialGraphQL(t, app, "203.0.113.8"); status != http.StatusSwitchingProtocols {
		t.Errorf("another client's socket: %d", status)
	}

	_, token := startConversation(t, app, ws.APIKey, "hi")
	open := func(client string) int {
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		req, _ := http.NewRequestWithContext(ctx, "GET", app.URL+"/api/customer/conversations/"+token+"/events", nil)
		req.Header.Set("X-API-Key", ws.APIKey)
		req.Header.Set("X-Forwarded-For", client)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res.StatusCode
	}
	for range perClient {
		if s := open("198.51.100.1"); s != 200 {
			t.Fatalf("stream within the cap: %d", s)
		}
	}
	if s := open("198.51.100.1"); s != http.StatusTooManyRequests {
		t.Errorf("stream over the per-client cap: %d, want 429", s)
	}
	if s := open("198.51.100.2"); s != 200 {
		t.Errorf("another client's stream: %d", s)
	}
}
