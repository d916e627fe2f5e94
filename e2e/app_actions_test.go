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

// TestAppActions: AI Actions in the agent app's Settings (#18). The demo
// owner creates an action through the form (a parameters schema that is
// not JSON is stopped in the page, with the focus on it), finds it listed
// and as the API has it, edits its description, and sees the server's
// refusal of a URL template and of a header under the field it names
// (marked invalid, described by the message, focused), nothing saved.
// An action the server may call (an httptest receiver on loopback, listed
// in HELPIUM_OUTBOUND_ALLOW_HOSTS as in development) is run on a
// conversation, and the call shows in Recent calls. Deleting takes the
// action off the list and out of the API. axe-core finds no serious
// violation with the list, the form and a refusal shown. An agent sees no
// Settings, and the API refuses them the definitions and the audit log.
func TestAppActions(t *testing.T) {
	// The customer's application: GET /orders/{id} answers with the order.
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"order": %q, "status": "shipped"}`, strings.TrimPrefix(r.URL.Path, "/orders/"))
	}))
	defer receiver.Close()
	// By name, not 127.0.0.1: the server refuses a loopback IP literal in
	// a URL template even when its host is listed.
	receiverHost := "localhost:" + receiver.URL[strings.LastIndex(receiver.URL, ":")+1:]
	t.Setenv("HELPIUM_OUTBOUND_ALLOW_HOSTS", receiverHost)

	srv := startServer(t)
	b := newBrowser(t)
	q := func(sel string) string { return fmt.Sprintf("document.querySelector(%s)", jsString(sel)) }
	all := func(sel string) string { return fmt.Sprintf("[...document.querySelectorAll(%s)]", jsString(sel)) }
	byID := func(id string) string { return fmt.Sprintf("document.getElementById(%s)", jsString(id)) }
	text := func(js string) string { return "(" + js + `?.textContent ?? "")` }
	typeIn := func(sel, s string) chromedp.Action[chromedp.Void] {
		return chromedp.SendKeys(chromedp.JSPath(q(sel)), s)
	}
	// button is the button in scope whose text (hidden words included) is label.
	button := func(scope, label string) string {
		return all(scope+" button") + `.find(b => b.textContent === ` + jsString(label) + `)`
	}
	click := func(scope, label string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.JSPath(button(scope, label)))
	}
	step := func(name string, fn func()) {
		if !t.Failed() {
			fn()
		}
	}
	// refused checks that the field sel shows the server's message want
	// under it, in the element errorID, and has the focus.
	refused := func(sel, errorID, want string) {
		t.Helper()
		b.wait("the server's message under the field", text(byID(errorID))+` === `+jsString(want), 10*time.Second)
		if !b.boolean(q(sel)+`.getAttribute("aria-invalid") === "true"`) ||
			!b.boolean(q(sel)+`.getAttribute("aria-describedby")?.split(" ").includes(`+jsString(errorID)+`)`) {
			t.Errorf("%s is not marked invalid and described by the message: aria-invalid=%q aria-describedby=%q", sel,
				b.str(q(sel)+`.getAttribute("aria-invalid")`), b.str(q(sel)+`.getAttribute("aria-describedby")`))
		}
		// The focus moves in an effect, after the message is drawn.
		b.wait("the focus on the field", `document.activeElement === `+q(sel), 5*time.Second)
		if got := b.str(text(q(".saved"))); got != "" {
			t.Errorf("the page says %q after a refused save", got)
		}
		if n := b.str(all("[aria-invalid=true]") + `.length`); n != "1" {
			t.Errorf("%s fields are marked invalid, want 1", n)
		}
	}
	const (
		card     = `.actions-card`
		form     = card + ` form.action-form`
		name     = form + ` input[name=name]`
		method   = form + ` select[name=method]`
		desc     = form + ` textarea[name=description]`
		url      = form + ` input[name=urlTemplate]`
		params   = form + ` textarea[name=parameters]`
		token    = form + ` input[name=requiresCustomerToken]`
		action   = "lookup_order"
		template = "https://shop.example.com/orders/{order_id}"
		schema   = `{"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}`
	)
	item := func(n string) string {
		return all(card+" .action-list li") + `.find(li => li.querySelector(".name")?.textContent === ` + jsString(n) + `)`
	}

	// The demo owner's token and workspace, for asking the API what it has.
	var ownerToken, wsID, ownerName string
	type apiAction struct {
		ID                    string
		Name                  string
		Description           string
		Method                string
		URLTemplate           string
		Parameters            json.RawMessage
		Headers               []struct{ Name, Value string }
		RequiresCustomerToken bool
	}
	serverHas := func() map[string]apiAction {
		t.Helper()
		var out struct{ Actions []apiAction }
		if errs := srv.graphQL(t, ownerToken, `query($w: ID!) { actions(workspaceId: $w) { id name description method urlTemplate parameters headers { name value } requiresCustomerToken } }`,
			map[string]any{"w": wsID}, &out); len(errs) > 0 {
			t.Fatalf("actions: %+v", errs)
		}
		m := map[string]apiAction{}
		for _, a := range out.Actions {
			m[a.Name] = a
		}
		return m
	}
	step("the API knows the demo owner, whose workspace has no actions", func() {
		ownerToken, wsID = srv.demoOwner(t)
		var me struct{ Me struct{ Name, Email string } }
		if errs := srv.graphQL(t, ownerToken, `{ me { name email } }`, nil, &me); len(errs) > 0 {
			t.Fatalf("me: %+v", errs)
		}
		if ownerName = me.Me.Name; ownerName == "" {
			ownerName = me.Me.Email
		}
		if got := serverHas(); len(got) != 0 {
			t.Fatalf("the demo workspace has actions already: %+v", got)
		}
	})

	step("the AI Actions card in Settings", func() {
		b.do("open the app", chromedp.Navigate(srv.URL+"/app"))
		b.signIn(service.DemoOwnerEmail, service.DemoOwnerPassword)
		b.do("open settings", click("nav", "Settings"))
		b.wait("the AI Actions card", text(q(card+" h2"))+` === "AI Actions"`, 15*time.Second)
		if !b.boolean(all(card+" p.none") + `.some(p => p.textContent === "No actions yet.")`) {
			t.Error(`the card does not say "No actions yet."`)
		}
		if !b.boolean(all(card+" p.none") + `.some(p => p.textContent === "No calls yet.")`) {
			t.Error(`the card does not say "No calls yet." under Recent calls`)
		}
	})

	step("New action opens the form, focused on the name", func() {
		b.do("new action", click(card, "New action"))
		b.wait("the form, the name focused", q(name)+` && document.activeElement === `+q(name), 10*time.Second)
		if got := b.str(q(method) + `.value`); got != "GET" {
			t.Errorf("a new action's method is %q, want GET", got)
		}
		// Every field of the form has a name a screen reader reads.
		for _, sel := range []string{name, method, desc, url, params, token} {
			if b.str(q(sel)+`.labels?.[0]?.textContent.trim()`) == "" {
				t.Errorf("%s has no label", sel)
			}
		}
		b.shot("actions-new")
		b.accessible("settings, a new action's form")
	})

	step("parameters that are not JSON are stopped in the page", func() {
		b.do("name", typeIn(name, action))
		b.do("description", typeIn(desc, "Looks up one of the customer's orders by its id."))
		b.do("URL template", typeIn(url, template))
		b.setValue(q(params), `{"type": "object",`)
		b.do("add a header", click(form, "Add header"))
		b.wait("a header row", q(form+` input[name="headers[0].name"]`), 5*time.Second)
		b.do("header name", typeIn(form+` input[name="headers[0].name"]`, "X-Api-Version"))
		b.do("header value", typeIn(form+` input[name="headers[0].value"]`, "2"))
		b.do("create", click(form, "Create action"))
		b.wait("the syntax error under the parameters", text(byID("action-parameters-error"))+`.startsWith("The parameters are not valid JSON")`, 5*time.Second)
		b.wait("the focus on the parameters", `document.activeElement === `+q(params), 5*time.Second)
		if !b.boolean(q(params) + `.getAttribute("aria-invalid") === "true"`) {
			t.Error("the parameters are not marked invalid")
		}
		if got := serverHas(); len(got) != 0 {
			t.Errorf("an action was created from a schema that is not JSON: %+v", got)
		}
	})

	step("create it", func() {
		b.setValue(q(params), schema)
		b.do("create", click(form, "Create action"))
		b.wait("created and listed", text(q(".saved"))+` === "Action created." && `+item(action), 10*time.Second)
		b.wait("the form closed, the focus back on New action", `!`+q(form)+` && document.activeElement === `+button(card, "New action"), 5*time.Second)
		li := item(action)
		if got := b.str(li + `.querySelector(".url").textContent`); got != template {
			t.Errorf("the list shows the URL template %q, want %q", got, template)
		}
		if !b.boolean(li+`.textContent.includes("GET")`) || !b.boolean(li+`.textContent.includes("Looks up one of the customer's orders by its id.")`) {
			t.Errorf("the list item lacks the method or the description: %q", b.str(li+`.textContent`))
		}
		a, ok := serverHas()[action]
		var props struct {
			Properties map[string]any
		}
		json.Unmarshal(a.Parameters, &props)
		if !ok || a.Method != "GET" || a.URLTemplate != template || a.Description != "Looks up one of the customer's orders by its id." ||
			len(a.Headers) != 1 || a.Headers[0].Name != "X-Api-Version" || a.Headers[0].Value != "2" || a.RequiresCustomerToken || props.Properties["order_id"] == nil {
			t.Errorf("the API has %+v (parameters %s), want what the form said", a, a.Parameters)
		}
		b.shot("actions-created")
		b.accessible("settings, an action listed")
	})

	const described = "Looks up an order by its id: status, items and delivery date."
	step("edit its description", func() {
		b.do("edit", click(card, "Edit "+action))
		b.wait("the form with its values", q(desc)+`?.value === "Looks up one of the customer's orders by its id."`, 10*time.Second)
		if b.str(q(name)+`.value`) != action || b.str(q(url)+`.value`) != template ||
			b.str(q(form+` input[name="headers[0].value"]`)+`.value`) != "2" || !b.boolean(`JSON.parse(`+q(params)+`.value).properties.order_id`) {
			t.Errorf("the form shows name %q, URL %q, header value %q, parameters %s", b.str(q(name)+`.value`), b.str(q(url)+`.value`),
				b.str(q(form+` input[name="headers[0].value"]`)+`.value`), b.str(q(params)+`.value`))
		}
		b.setValue(q(desc), described)
		b.do("save", click(form, "Save action"))
		b.wait("saved, listed with the new description", text(q(".saved"))+` === "Action saved." && `+item(action)+`?.textContent.includes(`+jsString(described)+`)`, 10*time.Second)
		b.wait("the focus back on its Edit button", `document.activeElement === `+button(card, "Edit "+action), 5*time.Second)
		if a := serverHas()[action]; a.Description != described || a.URLTemplate != template || len(a.Headers) != 1 {
			t.Errorf("after the edit the API has %+v", a)
		}
	})

	step("a URL template the server refuses shows its message under the field", func() {
		const bad = "https://shop.example.com/orders/{order}"
		id := serverHas()[action].ID
		// What the API says of it, to find in the page.
		errs := srv.graphQL(t, ownerToken, `mutation($id: ID!, $in: ActionInput!) { updateAction(id: $id, input: $in) { id } }`, map[string]any{"id": id, "in": map[string]any{
			"name": action, "description": described, "method": "GET", "urlTemplate": bad, "parameters": json.RawMessage(schema),
		}}, nil)
		if len(errs) != 1 || errs[0].Extensions["code"] != "invalid_input" || errs[0].Extensions["field"] != "input.urlTemplate" {
			t.Fatalf("updateAction with %s: %+v, want invalid_input naming urlTemplate", bad, errs)
		}
		b.do("edit", click(card, "Edit "+action))
		b.wait("the form", q(url), 10*time.Second)
		b.setValue(q(url), bad)
		b.do("save", click(form, "Save action"))
		refused(url, "action-urlTemplate-error", errs[0].Message)
		if got := b.str(q(url) + `.value`); got != bad {
			t.Errorf("the field now holds %q, want what was typed, %q", got, bad)
		}
		b.shot("actions-refused")
		b.accessible("settings, a URL template refused")
		if a := serverHas()[action]; a.URLTemplate != template {
			t.Errorf("after a refused save the API has the URL template %q, want %q kept", a.URLTemplate, template)
		}
	})

	step("a header the server refuses shows its message under its row", func() {
		b.setValue(q(url), template)
		b.setValue(q(form+` input[name="headers[0].name"]`), "Host")
		b.do("save", click(form, "Save action"))
		refused(form+` input[name="headers[0].name"]`, "action-headers-0-name-error", "Host is set by Helpium and cannot be configured")
		b.shot("actions-header-refused")
		if b.boolean(byID("action-urlTemplate-error")) {
			t.Error("the URL template's message is still shown")
		}
		b.do("cancel", click(form, "Cancel"))
		b.wait("the form closed, the focus back on Edit", `!`+q(form)+` && document.activeElement === `+button(card, "Edit "+action), 5*time.Second)
		if a := serverHas()[action]; len(a.Headers) != 1 || a.Headers[0].Name != "X-Api-Version" {
			t.Errorf("after a refused save and Cancel the API has headers %+v", a.Headers)
		}
	})

	step("a call shows in Recent calls", func() {
		var created struct{ CreateAction struct{ ID string } }
		if errs := srv.graphQL(t, ownerToken, `mutation($w: ID!, $in: ActionInput!) { createAction(workspaceId: $w, input: $in) { id } }`, map[string]any{"w": wsID, "in": map[string]any{
			"name": "order_status", "description": "The status of an order.", "method": "GET",
			"urlTemplate": "http://" + receiverHost + "/orders/{order_id}", "parameters": json.RawMessage(schema),
		}}, &created); len(errs) > 0 {
			t.Fatalf("createAction on %s: %+v", receiverHost, errs)
		}
		status, _, body := srv.call(t, http.MethodPost, "/api/customer/conversations", service.DemoAPIKey, `{"message":"Where is order 1234?"}`)
		var conv struct {
			Conversation struct{ ID string } `json:"conversation"`
		}
		if status != http.StatusCreated || json.Unmarshal(body, &conv) != nil || conv.Conversation.ID == "" {
			t.Fatalf("start a conversation: %d %s", status, body)
		}
		var run struct {
			RunAction struct {
				OK         bool
				StatusCode int
				Error      *string
			}
		}
		if errs := srv.graphQL(t, ownerToken, `mutation($c: ID!, $a: ID!) { runAction(conversationId: $c, actionId: $a, input: {order_id: "1234"}) { ok statusCode error } }`,
			map[string]any{"c": conv.Conversation.ID, "a": created.CreateAction.ID}, &run); len(errs) > 0 || !run.RunAction.OK {
			t.Fatalf("runAction: %+v %+v", run, errs)
		}
		b.do("refresh", click(card, "Refresh calls"))
		row := all(card+" table.calls tbody tr") + `.find(r => r.cells[0].textContent === "order_status")`
		b.wait("the call listed", row, 10*time.Second)
		if got := b.str(row + `.cells[2].textContent`); got != ownerName {
			t.Errorf("the call was made by %q, want %q", got, ownerName)
		}
		if got := b.str(row + `.cells[3].textContent`); got != "OK (200)" {
			t.Errorf("the call's result is %q, want OK (200)", got)
		}
		if got := b.str(row + `.cells[4].textContent`); !strings.HasSuffix(got, " ms") {
			t.Errorf("the call's time is %q, want milliseconds", got)
		}
		if b.str(row+`.cells[1].querySelector("time")?.getAttribute("datetime")`) == "" {
			t.Error("the call's time has no datetime")
		}
		var calls struct {
			ActionCalls []struct {
				ActionName string
				StatusCode *int
			}
		}
		if errs := srv.graphQL(t, ownerToken, `query($w: ID!) { actionCalls(workspaceId: $w) { actionName statusCode } }`, map[string]any{"w": wsID}, &calls); len(errs) > 0 ||
			len(calls.ActionCalls) != 1 || calls.ActionCalls[0].ActionName != "order_status" || calls.ActionCalls[0].StatusCode == nil || *calls.ActionCalls[0].StatusCode != 200 {
			t.Errorf("the API's actionCalls: %+v %+v", calls.ActionCalls, errs)
		}
		b.shot("actions-calls")
	})

	step("delete it", func() {
		b.eval(`window.confirm = () => true`, nil) // the browser's dialog, answered
		b.do("delete", click(card, "Delete "+action))
		b.wait("deleted", text(q(".saved"))+` === "Action deleted." && !`+item(action)+` && `+item("order_status"), 10*time.Second)
		if got := serverHas(); len(got) != 1 || got["order_status"].ID == "" {
			t.Errorf("after the delete the API has %+v, want order_status alone", got)
		}
		b.accessible("settings, after a delete")
	})

	step("the card fits a 390-pixel phone", func() {
		b.do("phone viewport", chromedp.EmulateViewport(390, 844))
		b.do("edit", click(card, "Edit order_status"))
		b.wait("the form", q(url), 10*time.Second)
		// Nothing in the card sticks out of it. (The card itself is as wide
		// as the widest settings card, which on a phone is wider than the
		// screen.)
		if got := b.str(`(c => [...c.querySelectorAll("*")].filter(e => e.getBoundingClientRect().right > c.getBoundingClientRect().right + 1)
			.map(e => e.tagName + "." + e.className).join(", "))(` + q(card) + `)`); got != "" {
			t.Errorf("sticking out of the card on a phone: %s", got)
		}
		b.shot("actions-phone")
		b.do("cancel", click(form, "Cancel"))
		b.do("desktop viewport", chromedp.EmulateViewport(1280, 800))
	})

	_, agentToken, password := srv.memberWithPassword(t, "actions-agent@demo.test", helpium.RoleAgent)
	step("an agent may list actions but not define them or read the audit log", func() {
		var out struct{ Actions []apiAction }
		if errs := srv.graphQL(t, agentToken, `query($w: ID!) { actions(workspaceId: $w) { name headers { name value } } }`, map[string]any{"w": wsID}, &out); len(errs) > 0 || len(out.Actions) != 1 {
			t.Errorf("actions as an agent: %+v %+v", out.Actions, errs)
		}
		for op, vars := range map[string]map[string]any{
			`mutation($w: ID!, $in: ActionInput!) { createAction(workspaceId: $w, input: $in) { id } }`: {"w": wsID, "in": map[string]any{
				"name": "agent_made", "description": "x", "method": "GET", "urlTemplate": template, "parameters": json.RawMessage(schema)}},
			`query($w: ID!) { actionCalls(workspaceId: $w) { id } }`: {"w": wsID},
		} {
			if errs := srv.graphQL(t, agentToken, op, vars, nil); len(errs) == 0 || errs[0].Extensions["code"] != "forbidden" {
				t.Errorf("%s as an agent: %+v, want forbidden", op, errs)
			}
		}
	})

	step("an agent sees no Settings, and so no AI Actions", func() {
		b.do("sign out", click("header", "Sign out"))
		b.signIn("actions-agent@demo.test", password)
		if b.boolean(button("nav", "Settings")) {
			t.Error("an agent sees the Settings tab")
		}
		b.do("ask for settings by address", chromedp.Navigate(srv.URL+"/app#settings"), chromedp.Reload())
		b.wait("the inbox instead", q(`.inbox .filters`), 15*time.Second)
		if b.boolean(q(`.settings`)) || b.boolean(q(card)) {
			t.Error("an agent reached the settings page")
		}
	})

	for _, line := range b.consoleErrors() {
		t.Errorf("browser console: %s", line)
	}
}
