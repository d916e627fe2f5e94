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
	"github.com/chromedp/chromedp/kb"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/service"
)

// TestAgentApp: an agent signs in to /app; a customer writes in the real
// widget on /demo (another browser) and the message appears in the inbox
// live; the agent's reply reaches the widget, an internal note does not;
// assign and resolve; the session survives a reload and signing out ends
// it.
func TestAgentApp(t *testing.T) {
	srv := startServer(t)
	agent, customer := newBrowser(t), newBrowser(t)
	q := func(sel string) string { return fmt.Sprintf("document.querySelector(%s)", jsString(sel)) }
	text := func(sel string) string { return "(" + q(sel) + `?.textContent ?? "")` }
	at := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.JSPath(q(sel))) }
	typeIn := func(sel, s string) chromedp.Action[chromedp.Void] {
		return chromedp.SendKeys(chromedp.JSPath(q(sel)), s)
	}
	step := func(name string, fn func()) {
		if !t.Failed() {
			fn()
		}
	}

	step("sign in", func() {
		agent.do("open", chromedp.Navigate(srv.URL+"/app"))
		agent.wait("the sign-in form", q(`.signin input[name=email]`), 15*time.Second)
		agent.shot("sign-in")
		agent.accessible("sign-in")
		agent.signIn(service.DemoOwnerEmail, service.DemoOwnerPassword)
		if !agent.boolean(`document.cookie === ""`) {
			t.Error("the session is readable by scripts: " + agent.str(`document.cookie`))
		}
	})

	const body = "Where is my order 1234?"
	step("a customer's message appears live", func() {
		customer.do("open the demo", chromedp.Navigate(srv.URL+"/demo"))
		customer.wait("launcher", visible(".launcher"), 15*time.Second)
		customer.do("open", chromedp.Click(el(".launcher")))
		customer.do("start", chromedp.Click(el(".home .primary")))
		customer.wait("composer", visible("#hp-input"), 5*time.Second)
		customer.do("type", chromedp.SendKeys(el("#hp-input"), body+kb.Enter))
		agent.wait("the new conversation in the inbox", `[...document.querySelectorAll(".inbox .list button")].some(b => b.textContent.includes(`+jsString(body)+`) && b.classList.contains("unread"))`, 15*time.Second)
		agent.shot("inbox-live")
	})

	step("reply, and the widget shows it", func() {
		agent.do("open it", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll(".inbox .list button")].find(b => b.textContent.includes(`+jsString(body)+`))`)))
		agent.wait("the thread", `[...document.querySelectorAll(".thread .msg")].some(m => m.textContent.includes(`+jsString(body)+`))`, 10*time.Second)
		agent.do("reply", typeIn(`#reply-body`, "It ships **today**."), at(`.reply button[type=submit]`))
		agent.wait("the reply in the thread", `[...document.querySelectorAll(".thread .msg.agent")].some(m => m.querySelector("strong")?.textContent === "today")`, 10*time.Second)
		agent.accessible("inbox and conversation")
		customer.wait("the reply in the widget", wAll(".log .msg[data-author=agent]")+".some(m => m.textContent.includes('It ships'))", 15*time.Second)
		agent.shot("conversation-reply")
	})

	step("an internal note stays with the agents", func() {
		agent.do("note", at(`.reply-actions input[type=checkbox]`), typeIn(`#reply-body`, "VIP customer, be quick"), at(`.reply button[type=submit]`))
		agent.wait("the note in the thread", `[...document.querySelectorAll(".thread .msg.note")].some(m => m.textContent.includes("VIP customer"))`, 10*time.Second)
		time.Sleep(2 * time.Second) // room for a wrong delivery
		if customer.boolean(wAll(".log .msg") + `.some(m => m.textContent.includes("VIP customer"))`) {
			t.Error("the internal note reached the widget")
		}
		agent.shot("internal-note")
	})

	step("assign, then resolve", func() {
		agent.do("assign", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll(".toolbar button")].find(b => b.textContent === "Assign to me")`)))
		agent.wait("assigned", text(".assignee")+` === "Assigned to you"`, 10*time.Second)
		agent.do("resolve", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll(".toolbar button")].find(b => b.textContent === "Resolve")`)))
		agent.wait("resolved", text(".toolbar .status")+` === "resolved"`, 10*time.Second)
		agent.shot("resolved")
	})

	const title = "Gift cards never expire"
	step("publish an article, then find it through the widget's search", func() {
		agent.do("open the knowledge base", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("nav button")].find(b => b.textContent === "Knowledge base")`)))
		agent.do("new article", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll(".kb button")].find(b => b.textContent === "New article")`)))
		agent.do("write it", typeIn(`.editor input`, title), typeIn(`.editor textarea`, "Helpium gift cards never expire: redeem them at checkout any time."))
		agent.do("create", at(`.editor button[type=submit]`))
		agent.wait("the draft in the list", `[...document.querySelectorAll(".kb-list button")].some(b => b.textContent.includes(`+jsString(title)+`) && b.textContent.includes("draft"))`, 10*time.Second)
		agent.do("open it", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll(".kb-list button")].find(b => b.textContent.includes(`+jsString(title)+`))`)))
		agent.do("publish", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll(".editor button")].find(b => b.textContent === "Publish")`)))
		agent.wait("published", `[...document.querySelectorAll(".kb-list button")].some(b => b.textContent.includes(`+jsString(title)+`) && b.textContent.includes("published"))`, 10*time.Second)
		agent.shot("article-published")
		if !searchFinds(t, srv, service.DemoAPIKey, "do gift cards expire", title, 90*time.Second) {
			t.Errorf("the widget's search never found %q", title)
		}
		// Try it shows what the widget would: the article, and an answer from it.
		agent.do("try it", typeIn(`.tryit input`, "do gift cards expire?"), at(`.tryit button[type=submit]`))
		agent.wait("the answer and the article", `[...document.querySelectorAll(".tryit-out .results strong")].some(e => e.textContent === `+jsString(title)+`) && `+
			q(`.tryit-out .answer`)+`.textContent.includes("never expire")`, 15*time.Second)
		agent.shot("try-it")
		agent.accessible("knowledge base")
	})

	step("reports chart the period", func() {
		agent.do("open reports", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("nav button")].find(b => b.textContent === "Reports")`)))
		agent.wait("the figures", `[...document.querySelectorAll(".tiles div")].some(d => d.textContent.startsWith("Opened") && Number(d.querySelector("dd").textContent) >= 1)`, 10*time.Second)
		agent.wait("the charts", `document.querySelectorAll(".chart rect").length >= 14`, 5*time.Second)
		agent.shot("reports")
		agent.accessible("reports")
	})

	step("change the widget colour in settings, and see /demo change", func() {
		agent.do("open settings", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("nav button")].find(b => b.textContent === "Settings")`)))
		agent.wait("the settings and the real widget previewed", q(`input[name=primary]`)+` && `+visible(".launcher"), 15*time.Second)
		agent.eval(`(() => { const i = document.querySelector("input[name=primary]"); i.value = "#b91c1c"; i.dispatchEvent(new Event("input", {bubbles: true})); })()`, nil)
		agent.do("save", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll(".settings button")].find(b => b.textContent === "Save widget")`)))
		agent.wait("saved", text(".saved")+` === "Widget saved."`, 10*time.Second)
		agent.wait("the preview restarted in the new colour", `(l => l && getComputedStyle(l).backgroundColor === "rgb(185, 28, 28)")(`+w(".launcher")+`)`, 15*time.Second)
		agent.shot("settings")
		agent.accessible("settings, with the widget")
		agent.do("show the identity secret", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll(".settings button")].find(b => b.textContent === "Show secret")`)))
		agent.wait("the secret", `[...document.querySelectorAll(".settings code")].length === 2`, 5*time.Second)
		agent.eval(`(() => { const i = document.querySelector("input[name=messages]"); i.value = "45"; i.dispatchEvent(new Event("input", {bubbles: true})); })()`, nil)
		agent.do("save limits", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll(".settings button")].find(b => b.textContent === "Save limits")`)))
		agent.wait("saved", text(".saved")+` === "Rate limits saved."`, 10*time.Second)
		agent.do("open on Saturdays", chromedp.Click(chromedp.JSPath(q(`input[aria-label="Open on Saturday"]`))))
		agent.do("save hours", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll(".settings button")].find(b => b.textContent === "Save business hours")`)))
		agent.wait("hours saved", text(".saved")+` === "Business hours saved."`, 10*time.Second)
		agent.do("reload", chromedp.Reload())
		agent.wait("the saved limit", q(`input[name=messages]`)+`?.value === "45"`, 15*time.Second)
		if got := agent.str(q(`input[aria-label="Saturday opens"]`) + `?.value`); got != "09:00" {
			t.Errorf("Saturday opens at %q after saving 09:00", got)
		}
		customer.do("reload the demo", chromedp.Navigate(srv.URL+"/demo"))
		customer.wait("the launcher in the new colour", `(l => l && getComputedStyle(l).backgroundColor === "rgb(185, 28, 28)")(`+w(".launcher")+`)`, 15*time.Second)
	})

	ws, token, password := srv.memberWithPassword(t, "plain-agent@demo.test", helpium.RoleAgent)
	step("an agent without the admin role may not write articles", func() {
		errs := srv.graphQL(t, token, `mutation($w: ID!) { createArticle(input: {workspaceId: $w, title: "x", body: "y"}) { id } }`,
			map[string]any{"w": ws}, nil)
		if len(errs) == 0 || errs[0].Extensions["code"] != "forbidden" {
			t.Errorf("createArticle as an agent: %+v", errs)
		}
	})

	step("usable on a 390-pixel phone", func() {
		fits := func(what string) {
			if !agent.boolean(`document.documentElement.scrollWidth <= innerWidth`) {
				t.Errorf("%s: the page is %s px wide on a 390 px screen", what, agent.str(`document.documentElement.scrollWidth`))
			}
		}
		agent.do("phone viewport", chromedp.EmulateViewport(390, 844))
		agent.do("inbox", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("nav button")].find(b => b.textContent === "Inbox")`)))
		agent.wait("the inbox", q(".inbox .filters"), 10*time.Second)
		agent.eval(`document.querySelector(".conversation .back")?.click()`, nil) // a conversation left open earlier
		agent.wait("the inbox shown", visible2(".inbox .filters"), 10*time.Second)
		agent.eval(`(() => { const s = document.querySelector(".inbox select"); s.value = ""; s.dispatchEvent(new Event("change", {bubbles: true})); })()`, nil)
		agent.wait("the conversation listed", `[...document.querySelectorAll(".inbox .list button")].some(b => b.textContent.includes("VIP customer"))`, 10*time.Second)
		fits("inbox")
		agent.shot("phone-inbox")
		agent.do("open it", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll(".inbox .list button")].find(b => b.textContent.includes("VIP customer"))`)))
		agent.wait("the thread alone, with a way back", visible2(".conversation .back")+` && !`+visible2(".inbox"), 10*time.Second)
		fits("conversation")
		agent.shot("phone-conversation")
		agent.do("desktop viewport", chromedp.EmulateViewport(1280, 800))
	})

	step("the session survives a reload, and signing out ends it", func() {
		agent.do("reload", chromedp.Reload())
		agent.wait("signed in again", q(`header nav`), 15*time.Second)
		agent.do("sign out", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("header button")].find(b => b.textContent === "Sign out")`)))
		agent.wait("the sign-in form", q(`.signin input[name=email]`), 10*time.Second)
		agent.do("reload", chromedp.Reload())
		agent.wait("still signed out", q(`.signin input[name=email]`), 15*time.Second)
		agent.shot("signed-out")
	})

	step("an agent without the admin role sees no settings", func() {
		agent.signIn("plain-agent@demo.test", password)
		if agent.boolean(`[...document.querySelectorAll("nav button")].some(b => b.textContent === "Settings")`) {
			t.Error("an agent sees the Settings tab")
		}
		agent.do("ask for settings by address", chromedp.Navigate(srv.URL+"/app#settings"), chromedp.Reload())
		agent.wait("the inbox instead", q(`.inbox .filters`), 15*time.Second)
		if agent.boolean(q(`.settings`)) {
			t.Error("an agent reached the settings page")
		}
	})

	for _, line := range agent.consoleErrors() {
		if strings.Contains(line, "Content Security Policy") || strings.Contains(line, "Failed to load") {
			t.Errorf("browser console: %s", line)
		}
	}
}

// searchFinds polls the Customer API's search until an article titled
// title is among the results for query.
func searchFinds(t *testing.T, srv *server, key, query, title string, timeout time.Duration) bool {
	t.Helper()
	q, _ := json.Marshal(map[string]string{"query": query})
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(time.Second) {
		var out struct {
			Results []struct{ Title string } `json:"results"`
		}
		status, _, body := srv.call(t, http.MethodPost, "/api/customer/search", key, string(q))
		if status == http.StatusOK && json.Unmarshal(body, &out) == nil {
			for _, r := range out.Results {
				if r.Title == title {
					return true
				}
			}
		}
	}
	return false
}

// visible2 is a JavaScript condition: the page's element (not the
// widget's) exists and is rendered.
func visible2(selector string) string {
	return fmt.Sprintf(`(e => !!e && e.getClientRects().length > 0)(document.querySelector(%s))`, jsString(selector))
}
