//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/mailpit"
)

// TestAccountPages follows the emails' links in the browser: an invitee
// opens the invitation page and chooses a password, then forgets it and
// resets it from the reset page, all on the real server and its Mailpit.
func TestAccountPages(t *testing.T) {
	srv := startServer(t)
	box := mailpit.FromEnv(t)
	wsID, owner := srv.member(t, "owner@demo.test", helpium.RoleOwner)
	email := fmt.Sprintf("invitee-%s@mail.test", uuid.NewString()[:8])
	b := newBrowser(t)
	page := func(selector string) chromedp.JSPath {
		return chromedp.JSPath(fmt.Sprintf("document.querySelector(%s)", jsString(selector)))
	}
	status := func() string { return b.str(`document.querySelector("#status").textContent`) }
	signIn := func(password string) string {
		payload, _ := json.Marshal(map[string]any{"query": `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`,
			"variables": map[string]any{"e": email, "p": password}})
		_, _, body := srv.call(t, http.MethodPost, "/graphql", "", string(payload))
		return string(body)
	}
	signedIn := func(body string) bool { return strings.Contains(body, `"token":"at_`) }

	if errs := srv.graphQL(t, owner, `mutation($w: ID!, $e: String!) { inviteAgent(workspaceId: $w, email: $e, role: AGENT) { invitation { id } } }`,
		map[string]any{"w": wsID, "e": email}, nil); len(errs) > 0 {
		t.Fatalf("invite: %+v", errs)
	}
	link := mailpit.Token(t, box.Wait(t, email, 1)[0], "/app/invitation")
	_, header, _ := srv.call(t, http.MethodGet, "/app/invitation", "", "")
	if csp := header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("Content-Security-Policy %q", csp)
	}

	b.do("open the invitation", chromedp.Navigate(srv.URL+"/app/invitation#token="+link))
	b.wait("the form", `document.querySelector("#create-password")`, 10*time.Second)
	if h := b.str("location.hash"); h != "" {
		t.Errorf("the token stays in the address bar: %q", h)
	}
	b.do("mistype the confirmation",
		chromedp.SendKeys(page("#create-name"), "Ivy Invitee"),
		chromedp.SendKeys(page("#create-password"), "my own password"),
		chromedp.SendKeys(page("#create-confirm"), "my own passwort"),
		chromedp.Click(page("#create button")))
	b.wait("the mismatch", `document.querySelector("#status").className === "error"`, 5*time.Second)
	b.eval(`document.querySelector("#create-confirm").value = ""`, nil)
	b.do("fix it",
		chromedp.SendKeys(page("#create-confirm"), "my own password"),
		chromedp.Click(page("#create button")))
	b.wait("welcome", `document.querySelector("#status").textContent.startsWith("Welcome")`, 10*time.Second)
	b.shot("invitation-accepted")
	if s := status(); !strings.Contains(s, "as agent") {
		t.Errorf("status %q", s)
	}
	if body := signIn("my own password"); !signedIn(body) {
		t.Errorf("sign-in with the chosen password: %s", body)
	}

	b.do("ask for a reset", chromedp.Navigate(srv.URL+"/app/reset-password"))
	b.wait("the request form", `document.querySelector("#request-email") && document.querySelector("#reset").hidden`, 10*time.Second)
	b.do("request", chromedp.SendKeys(page("#request-email"), email), chromedp.Click(page("#request button")))
	b.wait("the confirmation", `document.querySelector("#status").textContent.includes("on its way")`, 10*time.Second)
	reset := mailpit.Token(t, box.Wait(t, email, 2)[1], "/app/reset-password")

	// As from the email: a fresh load, not a change of this page's fragment.
	b.do("leave the page", chromedp.Navigate(srv.URL+"/healthz"))
	b.do("open the reset link", chromedp.Navigate(srv.URL+"/app/reset-password#token="+reset))
	b.wait("the reset form", `document.querySelector("#request").hidden && !document.querySelector("#reset").hidden`, 10*time.Second)
	b.do("choose a new password",
		chromedp.SendKeys(page("#reset-password"), "a brand new one"),
		chromedp.SendKeys(page("#reset-confirm"), "a brand new one"),
		chromedp.Click(page("#reset button")))
	b.wait("done", `document.querySelector("#status").textContent.includes("password is changed")`, 10*time.Second)
	b.shot("password-reset")
	if body := signIn("my own password"); signedIn(body) {
		t.Error("the old password still works")
	}
	if body := signIn("a brand new one"); !signedIn(body) {
		t.Errorf("the new password: %s", body)
	}
}
