//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

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
	text := func(sel string) string { return q(sel) + `?.textContent ?? ""` }
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
		agent.wait("the sign-in form", q(`input[name=email]`), 15*time.Second)
		agent.shot("sign-in")
		agent.do("sign in", typeIn(`input[name=email]`, service.DemoOwnerEmail), typeIn(`input[name=password]`, service.DemoOwnerPassword+kb.Enter))
		agent.wait("the inbox", q(`.inbox .filters`), 15*time.Second)
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

	step("the session survives a reload, and signing out ends it", func() {
		agent.do("reload", chromedp.Reload())
		agent.wait("the inbox again", q(`.inbox .filters`), 15*time.Second)
		agent.do("sign out", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("header button")].find(b => b.textContent === "Sign out")`)))
		agent.wait("the sign-in form", q(`input[name=email]`), 10*time.Second)
		agent.do("reload", chromedp.Reload())
		agent.wait("still signed out", q(`input[name=email]`), 15*time.Second)
		agent.shot("signed-out")
	})

	for _, line := range agent.consoleErrors() {
		if strings.Contains(line, "Content Security Policy") || strings.Contains(line, "Failed to load") {
			t.Errorf("browser console: %s", line)
		}
	}
}
