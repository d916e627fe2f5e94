//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/service"
)

// TestAppPhoneSettings: the agent app's Settings on a 390-pixel phone
// (#18), the page TestAgentApp's phone step does not reach. The demo
// workspace is given the widest content Settings shows: a member with a
// long email, a day with two opening ranges and a closure, an action with
// a long URL template and two headers that was called once (so Recent
// calls has a row), the identity secret shown and the action's edit form
// open, with its header rows. At 390 × 844 the page does not scroll
// sideways, no card is wider than the screen or than its own box, and a
// table wider than its card scrolls inside it (in a region a keyboard can
// reach) rather than widening the page. axe-core finds no serious
// violation there. The inbox's render time, which cmd/bench reports, is
// logged, not checked.
func TestAppPhoneSettings(t *testing.T) {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"order": %q, "status": "shipped"}`, strings.TrimPrefix(r.URL.Path, "/orders/"))
	}))
	defer receiver.Close()
	// By name: the server refuses a loopback IP literal in a URL template.
	receiverHost := "localhost:" + receiver.URL[strings.LastIndex(receiver.URL, ":")+1:]
	t.Setenv("HELPIUM_OUTBOUND_ALLOW_HOSTS", receiverHost)

	srv := startServer(t)
	b := newBrowser(t)
	all := func(sel string) string { return fmt.Sprintf("[...document.querySelectorAll(%s)]", jsString(sel)) }
	click := func(scope, label string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.JSPath(all(scope+" button") + `.find(b => b.textContent === ` + jsString(label) + `)`))
	}
	step := func(name string, fn func()) {
		if !t.Failed() {
			fn()
		}
	}
	const (
		longEmail = "alexandra.konstantinopoulou-vanderberg@support.customer-care.example.com"
		longURL   = "/api/v2/customers/{customer_id}/orders/{order_id}/shipments?include=tracking,carrier,estimated_delivery"
	)

	var token, wsID string
	step("the demo workspace gets Settings' widest content", func() {
		payload, _ := json.Marshal(map[string]any{"query": `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`,
			"variables": map[string]any{"e": service.DemoOwnerEmail, "p": service.DemoOwnerPassword}})
		_, _, body := srv.call(t, http.MethodPost, "/graphql", "", string(payload))
		var login struct {
			Data struct{ Login struct{ Token string } }
		}
		json.Unmarshal(body, &login)
		if token = login.Data.Login.Token; token == "" {
			t.Fatalf("login as %s: %s", service.DemoOwnerEmail, body)
		}
		wsID, _ = srv.member(t, longEmail, helpium.RoleAdmin)
		if errs := srv.graphQL(t, token, `mutation($w: ID!, $in: BusinessHoursInput!) { updateBusinessHours(workspaceId: $w, input: $in) { id } }`,
			map[string]any{"w": wsID, "in": map[string]any{
				"enabled": true, "timezone": "America/Argentina/Buenos_Aires",
				"ranges": []map[string]string{
					{"day": "MONDAY", "start": "08:00", "end": "12:30"}, {"day": "MONDAY", "start": "13:30", "end": "18:00"},
					{"day": "TUESDAY", "start": "09:00", "end": "17:00"}, {"day": "WEDNESDAY", "start": "09:00", "end": "17:00"},
				},
				"closures":           []map[string]any{{"date": "2031-12-25", "reason": "Christmas Day, the whole team is away"}},
				"outOfOfficeMessage": "We are away right now; leave your question and we will answer first thing.",
			}}, nil); len(errs) > 0 {
			t.Fatalf("updateBusinessHours: %+v", errs)
		}
		var created struct{ CreateAction struct{ ID string } }
		if errs := srv.graphQL(t, token, `mutation($w: ID!, $in: ActionInput!) { createAction(workspaceId: $w, input: $in) { id } }`, map[string]any{"w": wsID, "in": map[string]any{
			"name": "look_up_the_shipments_of_an_order", "description": "The shipments of an order, with tracking.", "method": "GET",
			"urlTemplate": "http://" + receiverHost + longURL,
			"parameters":  json.RawMessage(`{"type": "object", "properties": {"customer_id": {"type": "string"}, "order_id": {"type": "string"}}, "required": ["customer_id", "order_id"]}`),
			"headers": []map[string]string{
				{"name": "X-Shop-Authorization-Token", "value": "sk_live_51HxLongSecretValueThatDoesNotBreakAnywhere0123456789"},
				{"name": "Accept", "value": "application/json"},
			},
		}}, &created); len(errs) > 0 {
			t.Fatalf("createAction: %+v", errs)
		}
		status, _, body := srv.call(t, http.MethodPost, "/api/customer/conversations", service.DemoAPIKey, `{"message":"Where is order 1234?"}`)
		var conv struct {
			Conversation struct{ ID string } `json:"conversation"`
		}
		if status != http.StatusCreated || json.Unmarshal(body, &conv) != nil || conv.Conversation.ID == "" {
			t.Fatalf("start a conversation: %d %s", status, body)
		}
		var run struct{ RunAction struct{ OK bool } }
		if errs := srv.graphQL(t, token, `mutation($c: ID!, $a: ID!) { runAction(conversationId: $c, actionId: $a, input: {customer_id: "c-42", order_id: "1234"}) { ok } }`,
			map[string]any{"c": conv.Conversation.ID, "a": created.CreateAction.ID}, &run); len(errs) > 0 || !run.RunAction.OK {
			t.Fatalf("runAction: %+v %+v", run, errs)
		}
	})

	step("sign in on a phone; the inbox's render time is logged", func() {
		b.do("phone viewport", chromedp.EmulateViewport(390, 844))
		b.do("open the app", chromedp.Navigate(srv.URL+"/app"))
		b.signIn(service.DemoOwnerEmail, service.DemoOwnerPassword)
		b.wait("the inbox drawn", `performance.getEntriesByName("inbox-render", "measure").length > 0`, 15*time.Second)
		// Reported by make bench (BENCHMARKS.md) on 50 conversations; here
		// only logged, as a time is no assertion.
		t.Logf("inbox: %s conversations drawn %s ms after their data arrived", b.str(all(".inbox .list li")+`.length`),
			b.str(`performance.getEntriesByName("inbox-render", "measure")[0]?.duration.toFixed(1)`))
	})

	step("Settings fit 390 pixels", func() {
		b.do("open settings", click("nav", "Settings"))
		b.wait("every card, the call, the long email and the real widget", all(".settings .card")+`.length >= 9 && `+
			all(".calls tbody tr")+`.length === 1 && `+
			all(".settings td")+`.some(td => td.textContent === `+jsString(longEmail)+`) && `+visible(".launcher"), 15*time.Second)
		b.do("show the identity secret", click(".settings", "Show secret"))
		b.do("edit the action", click(".actions-card", "Edit look_up_the_shipments_of_an_order"))
		b.wait("the form with its header rows", all(".action-form .headers tbody tr")+`.length === 2`, 5*time.Second)

		// overflow lists what is wider than the screen: the page, and each
		// card (its box, and what it holds beyond it, scrolled tables
		// excepted: a scrolling element's content is not its parent's
		// overflow); and each table that scrolls inside its card, with
		// whether a keyboard can reach its scroller.
		var got struct {
			Width    int
			Page     int
			Section  [2]int // the settings section's scrollWidth, clientWidth: it scrolls itself
			Cards    []string
			Scrolled []string
			Out      []string // the elements past the screen's right edge, outside a scroller
		}
		b.eval(`(() => {
			const w = innerWidth;
			const name = (c) => c.querySelector("h2")?.textContent ?? c.className;
			const cards = [...document.querySelectorAll(".settings .card")];
			const s = document.querySelector(".settings");
			const out = {width: w, page: document.documentElement.scrollWidth, section: [s.scrollWidth, s.clientWidth], cards: [], scrolled: [], out: []};
			for (const c of cards) {
				const r = c.getBoundingClientRect();
				if (r.left < 0 || r.right > w + 0.5 || c.scrollWidth > c.clientWidth) {
					out.cards.push(name(c) + ": from " + Math.round(r.left) + " to " + Math.round(r.right) + " px, content " + c.scrollWidth + " px in " + c.clientWidth);
				}
			}
			for (const t of document.querySelectorAll(".settings table")) {
				const s = t.parentElement;
				if (s.scrollWidth > s.clientWidth) {
					out.scrolled.push(name(t.closest(".card")) + ": " + t.offsetWidth + " px in " + s.clientWidth +
						(getComputedStyle(s).overflowX === "auto" && s.tabIndex === 0 && s.getAttribute("role") === "region" && s.getAttribute("aria-label") ? "" : ", not in a labelled, focusable scroller"));
				}
			}
			const path = (e) => e.tagName.toLowerCase() + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "");
			const every = (root) => [...root.querySelectorAll("*")].flatMap(e => e.shadowRoot ? [e, ...every(e.shadowRoot)] : [e]);
			for (const e of every(document.body)) {
				const r = e.getBoundingClientRect();
				if (r.width > 0 && r.right > w + 0.5 && (!e.parentElement?.closest(".scroll") || ["absolute", "fixed"].includes(getComputedStyle(e).position)) && ![...e.children].some(c => c.getBoundingClientRect().right > w + 0.5)) {
					out.out.push((e.parentElement ? path(e.parentElement) : "#shadow-root") + " > " + path(e) + ": to " + Math.round(r.right) + " px");
				}
			}
			return out;
		})()`, &got)
		if got.Width != 390 {
			t.Fatalf("the viewport is %d px wide, want 390", got.Width)
		}
		if got.Page > got.Width {
			t.Errorf("the settings page is %d px wide on a %d px screen", got.Page, got.Width)
		}
		for _, e := range got.Out[:min(len(got.Out), 10)] {
			t.Errorf("past the screen's edge: %s", e)
		}
		if got.Section[0] > got.Section[1] {
			t.Errorf("the settings section scrolls sideways: %d px of content in %d", got.Section[0], got.Section[1])
		}
		for _, c := range got.Cards {
			t.Errorf("a card is wider than the screen or its box: %s", c)
		}
		for _, s := range got.Scrolled {
			t.Logf("scrolls inside its card: %s", s)
			if strings.Contains(s, "not in") {
				t.Errorf("a table wider than its card: %s", s)
			}
		}
		// Every card, as a phone shows it.
		n := 0
		b.eval(all(".settings .card")+`.length`, &n)
		for i := range n {
			// The section scrolls, under the header.
			b.eval(fmt.Sprintf(`(c => { const s = document.querySelector(".settings"); scrollTo(0, 0); s.scrollTop += c.getBoundingClientRect().top - s.getBoundingClientRect().top - 8; })(%s[%d])`,
				all(".settings .card"), i), nil)
			b.shot(fmt.Sprintf("phone-settings-%d", i+1))
		}
		for _, v := range b.axeViolations() {
			t.Errorf("axe-core, settings on a phone: %s", v)
		}
	})

	for _, line := range b.consoleErrors() {
		t.Errorf("browser console: %s", line)
	}
}
