package server_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/server"
	"github.com/helpium/helpium/service"
)

// TestRevokedCredentialsStopWorkingOnOpenConnections: a WebSocket opened with
// an agent token that is then revoked, or with a widget key that is then
// rotated, refuses the next operation; an SSE stream opened with a rotated
// widget key ends. (The socket's credential is checked again before an
// operation once server.Deps.WebSocketRecheck has passed, here always.)
func TestRevokedCredentialsStopWorkingOnOpenConnections(t *testing.T) {
	app := apptest.New(t, service.Options{LiveRecheck: 50 * time.Millisecond}, func(d *server.Deps) { d.WebSocketRecheck = -1 })
	o := app.Owned(t, "Acme")

	var login struct{ Login struct{ Token string } }
	mustGraphQL(t, app.GraphQL(t, "", loginMutation, map[string]any{"e": o.Email, "p": o.Password}, &login))
	agent := app.Socket(t, map[string]any{"Authorization": "Bearer " + login.Login.Token})
	if errs := agent.Do(t, `{ me { id } }`, nil, nil); len(errs) != 0 {
		t.Fatalf("agent socket before logout: %+v", errs)
	}
	mustGraphQL(t, app.AgentGraphQL(t, login.Login.Token, `mutation { logout }`, nil, nil))
	if errs := agent.Do(t, `{ me { id } }`, nil, nil); len(errs) == 0 || errs[0].Code() != "unauthenticated" {
		t.Errorf("agent socket after its token was revoked: %+v, want unauthenticated", errs)
	}

	widget := app.Socket(t, map[string]any{"X-API-Key": o.Workspace.APIKey})
	if errs := widget.Do(t, `{ widgetSettings { greeting } }`, nil, nil); len(errs) != 0 {
		t.Fatalf("widget socket before the rotation: %+v", errs)
	}
	_, token := startConversation(t, app, o.Workspace.APIKey, "Hello")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", app.URL+"/api/customer/conversations/"+token+"/events?api_key="+o.Workspace.APIKey, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("event stream: %v %v", res, err)
	}
	defer res.Body.Close()
	ended := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, res.Body); ended <- err }()

	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($w: ID!) { rotateWidgetKey(workspaceId: $w) { id } }`, map[string]any{"w": o.Workspace.ID}, nil))
	if errs := widget.Do(t, `{ widgetSettings { greeting } }`, nil, nil); len(errs) == 0 || errs[0].Code() != "unauthenticated" {
		t.Errorf("widget socket after the key was rotated: %+v, want unauthenticated", errs)
	}
	select {
	case err := <-ended:
		if err != nil {
			t.Errorf("event stream ended with %v, want a clean end", err)
		}
	case <-ctx.Done():
		t.Errorf("the event stream of a rotated widget key was still open after 10 s")
	}
}
