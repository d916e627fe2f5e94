package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

// TestCookieSessions: the agent app's session lives in an HttpOnly,
// SameSite=Strict cookie that only same-origin requests which opt in may
// use, and logout revokes and clears it.
func TestCookieSessions(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
	_, _, pw, err := app.Service.Accounts.CreateMember(context.Background(), o.Workspace.ID, "ann@example.com", "Ann", helpium.RoleAgent)
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(app.URL, "http://")
	post := func(query, cookie string, header map[string]string) (*http.Response, map[string]any) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query})
		req, _ := http.NewRequest(http.MethodPost, app.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "helpium_session", Value: cookie})
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out) //nolint:errcheck
		return res, out
	}
	fromApp := map[string]string{"X-Helpium-Session": "cookie", "Origin": "http://" + host}

	res, out := post(`mutation { login(email: "ann@example.com", password: "`+pw+`") { token agent { email } } }`, "", fromApp)
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "helpium_session" {
			session = c
		}
	}
	data, _ := out["data"].(map[string]any)
	login, _ := data["login"].(map[string]any)
	if session == nil || session.Value == "" || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || login["token"] != "" {
		t.Fatalf("login: cookie %+v, payload %v", session, out)
	}

	me := `{ me { email } }`
	for _, c := range []struct {
		name   string
		header map[string]string
		want   string // the email, or the error code
	}{
		{"the app, same origin", fromApp, "ann@example.com"},
		{"without opting in the cookie is ignored", map[string]string{"Origin": "http://" + host}, "unauthenticated"},
		{"another origin", map[string]string{"X-Helpium-Session": "cookie", "Origin": "https://evil.example"}, "forbidden"},
		{"no origin", map[string]string{"X-Helpium-Session": "cookie"}, "forbidden"},
	} {
		_, out := post(me, session.Value, c.header)
		got := ""
		if d, ok := out["data"].(map[string]any); ok && d != nil {
			got, _ = d["me"].(map[string]any)["email"].(string)
		}
		if errs, ok := out["errors"].([]any); ok && len(errs) > 0 {
			got, _ = errs[0].(map[string]any)["extensions"].(map[string]any)["code"].(string)
		}
		if got != c.want {
			t.Errorf("%s: %s, want %s (%v)", c.name, got, c.want, out)
		}
	}

	// Logout clears the cookie and revokes its token.
	res, _ = post(`mutation { logout }`, session.Value, fromApp)
	cleared := false
	for _, c := range res.Cookies() {
		cleared = cleared || c.Name == "helpium_session" && c.MaxAge < 0
	}
	if !cleared {
		t.Errorf("logout set cookies %v", res.Header.Values("Set-Cookie"))
	}
	if _, out := post(me, session.Value, fromApp); out["data"] != nil && out["errors"] == nil {
		t.Errorf("the revoked session still works: %v", out)
	}
}
