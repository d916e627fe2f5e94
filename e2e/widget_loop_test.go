//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/service"
)

// TestWidgetLoop: the widget after an AI answer (#21). On /demo the
// customer searches a question the demo knowledge base answers, votes the
// answer down and asks for a person: the widget opens the conversation the
// handover started, with the question, the AI's answer and the note. The
// agent (signed in as the demo owner) sees the AI's answer as a BOT message
// with its answerId, the conversation handed over, and the vote among the
// answers voted not helpful. Once the agent resolves the conversation, the
// widget asks for a rating when the panel opens again; the customer's 4
// reaches the agent, and the question is not asked again after a reload.
func TestWidgetLoop(t *testing.T) {
	srv := startServer(t)
	key := service.DemoAPIKey
	b := newBrowser(t)
	step := func(name string, fn func()) {
		if !t.Failed() {
			fn()
		}
	}
	gql := func(token, what, query string, vars map[string]any, out any) {
		t.Helper()
		if errs := srv.graphQL(t, token, query, vars, out); len(errs) > 0 {
			t.Fatalf("%s: %+v", what, errs)
		}
	}
	// button is a widget button in scope with this visible text.
	button := func(scope, text string) string {
		return wAll(scope+" button") + `.find(b => b.textContent === ` + jsString(text) + `)`
	}
	isVisible := func(js string) string {
		return `(e => !!e && e.getClientRects().length > 0 && !e.closest("[hidden]"))(` + js + `)`
	}

	// The agent: the demo owner, signed in over GraphQL.
	var agentToken, wsID string
	step("the agent signs in", func() {
		agentToken, wsID = srv.demoOwner(t)
	})

	const question = "How do I reset my password?"
	var token string
	step("the customer votes the answer down and talks to a person", func() {
		// `serve -seed` seeds the demo knowledge base; indexing is asynchronous.
		if !searchFinds(t, srv, key, "reset my password", "Reset your password", 90*time.Second) {
			t.Fatal("the demo knowledge base never became searchable")
		}
		b.do("open the demo", chromedp.Navigate(srv.URL+"/demo"))
		b.wait("launcher", visible(".launcher"), 15*time.Second)
		b.do("open", chromedp.Click(el(".launcher")))
		b.do("search", chromedp.SendKeys(el("#hp-q"), question+kb.Enter))
		b.wait("the answer and the question under it", visible(".answer")+` && `+visible(".vote")+` && `+
			w(".vote [role=group]")+`.textContent.startsWith("Did this answer your question?")`, 30*time.Second)
		if b.boolean(button(".answer-box", "Talk to a person")) {
			t.Error(`"Talk to a person" shows under an answer before a "No"`)
		}
		b.shot("answer-vote")
		b.accessible("the answer with its vote")

		b.do("vote no", chromedp.Click(chromedp.JSPath(button(".vote", "No"))))
		b.wait("thanks, and a person offered", w(".vote p")+`?.textContent === "Thanks for your feedback." && `+isVisible(button(".vote", "Talk to a person")), 10*time.Second)
		if b.boolean(button(".vote", "Yes")) {
			t.Error("the vote buttons stay after the vote")
		}
		b.shot("voted-no")

		b.do("talk to a person", chromedp.Click(chromedp.JSPath(button(".vote", "Talk to a person"))))
		b.wait("the conversation: the question, the AI's answer and the note",
			visible(".log")+` && `+wAll(".log .msg")+`.map(m => m.dataset.author).join() === "customer,bot,system"`, 15*time.Second)
		var msgs []struct{ Bubble, Meta, Align string }
		b.eval(wAll(".log .msg")+`.map(m => ({ Bubble: m.querySelector(".bubble").textContent, Meta: m.querySelector(".meta").textContent,
			Align: getComputedStyle(m).alignSelf }))`, &msgs)
		if len(msgs) != 3 || msgs[0].Bubble != question || !strings.HasPrefix(msgs[1].Meta, "AI answer") || !strings.Contains(msgs[1].Bubble, "password") ||
			msgs[2].Bubble != helpium.HandoverNote || msgs[2].Align != "center" {
			t.Errorf("the conversation shows %+v, want the question, the answer marked as the AI's, and the note centred", msgs)
		}
		if b.boolean(wAll(".log .msg[data-author=bot] .bubble") + `[0].textContent.match(/\[\d+\]/)`) {
			t.Error("the AI's answer shows citation markers without their sources")
		}
		token = b.str(`JSON.parse(localStorage.getItem(` + jsString("helpium:"+key) + `) || "{}").token`)
		if !strings.HasPrefix(token, "wt_") {
			t.Fatalf("widget token in localStorage: %q", token)
		}
		b.shot("handed-over")
		b.accessible("the handed-over conversation")
	})

	var convID string
	step("the agent sees the AI's context and the vote", func() {
		var conv struct {
			ID string `json:"id"`
		}
		srv.getJSON(t, "/api/customer/conversations/"+token, key, &conv)
		convID = conv.ID
		var out struct {
			Conversation struct {
				HandedOverAt *string
				Messages     struct {
					Edges []struct {
						Node struct {
							Author, Body string
							AnswerID     *string
						}
					}
				}
			}
		}
		gql(agentToken, "conversation", `query($c: ID!) { conversation(id: $c) { handedOverAt messages { edges { node { author body answerId } } } } }`,
			map[string]any{"c": convID}, &out)
		var got []string
		answerID := ""
		for _, e := range out.Conversation.Messages.Edges {
			n := e.Node
			got = append(got, n.Author)
			if n.Author == "BOT" && n.AnswerID != nil {
				answerID = *n.AnswerID
			}
		}
		if strings.Join(got, ",") != "CUSTOMER,BOT,SYSTEM" || answerID == "" || out.Conversation.HandedOverAt == nil {
			t.Fatalf("the agent sees %s, BOT answerId %q, handedOverAt %v; want the question, the AI's answer with its answerId and the note, handed over",
				jsonOf(out.Conversation.Messages.Edges), answerID, out.Conversation.HandedOverAt)
		}
		var answers struct {
			Answers []struct {
				ID, Question string
				Feedback     *struct{ Helpful bool }
				Conversation *struct{ ID string }
			}
		}
		gql(agentToken, "answers", `query($w: ID!) { answers(workspaceId: $w, helpful: false) { id question feedback { helpful } conversation { id } } }`,
			map[string]any{"w": wsID}, &answers)
		found := false
		for _, a := range answers.Answers {
			if a.ID == answerID {
				found = a.Question == question && a.Feedback != nil && !a.Feedback.Helpful && a.Conversation != nil && a.Conversation.ID == convID
			}
		}
		if !found {
			t.Errorf("answers(helpful: false): %s, want %s asked as %q, voted no, handed over to %s", jsonOf(answers.Answers), answerID, question, convID)
		}
	})

	step("after the agent resolves, the widget asks for a rating once", func() {
		var set struct{ SetConversationStatus struct{ Status string } }
		gql(agentToken, "setConversationStatus", `mutation($c: ID!) { setConversationStatus(conversationId: $c, status: RESOLVED) { status } }`,
			map[string]any{"c": convID}, &set)
		if set.SetConversationStatus.Status != "RESOLVED" {
			t.Fatalf("setConversationStatus: %+v", set)
		}
		// Opening the panel again fetches the status too (for a widget
		// that polls; TestWidgetResume follows the live status event).
		b.do("close", chromedp.Click(el(`.head [aria-label="Close support chat"]`)))
		b.wait("closed", `!(`+visible(".panel")+`)`, 5*time.Second)
		b.do("open again", chromedp.Click(el(".launcher")))
		b.wait("the rating prompt", visible(".conv .csat")+` && `+w(".csat .q")+`.textContent === "How would you rate this conversation?"`, 10*time.Second)
		var labels []string
		b.eval(wAll(".csat .scale button")+`.map(b => b.textContent + "|" + b.getAttribute("aria-label"))`, &labels)
		if strings.Join(labels, ",") != "1|1 – Very bad,2|2 – Bad,3|3 – Okay,4|4 – Good,5|5 – Very good" {
			t.Errorf("the rating buttons: %q", labels)
		}
		b.shot("rating-asked")
		b.accessible("the rating prompt")

		b.do("rate 4", chromedp.Click(el(`.csat .scale button[aria-label="4 – Good"]`)))
		b.wait("thanks", visible(".csat .thanks")+` && `+w(".csat .thanks")+`.textContent === "Thanks for rating."`, 10*time.Second)
		b.shot("rated")
		var rated struct {
			Conversation struct{ CSAT *struct{ Rating int } }
		}
		gql(agentToken, "conversation csat", `query($c: ID!) { conversation(id: $c) { csat { rating } } }`, map[string]any{"c": convID}, &rated)
		if rated.Conversation.CSAT == nil || rated.Conversation.CSAT.Rating != 4 {
			t.Errorf("the agent sees csat %s, want a rating of 4", jsonOf(rated.Conversation.CSAT))
		}
	})

	step("the rating is not asked again after a reload", func() {
		b.do("reload", chromedp.Reload())
		b.wait("launcher", visible(".launcher"), 15*time.Second)
		b.do("open", chromedp.Click(el(".launcher")))
		// The widget marks the status it fetched: only then is the absence
		// of the prompt an answer.
		b.wait("the status fetched, and the history", w(".conv")+`.dataset.status === "resolved" && `+wAll(".log .msg")+`.length === 3`, 15*time.Second)
		if b.boolean(visible(".csat")) {
			t.Error("the rating prompt is back on the home view after a reload")
		}
		b.do("continue", chromedp.Click(el(".home .primary")))
		b.wait("the conversation", visible(".log"), 5*time.Second)
		if b.boolean(visible(".csat")) {
			t.Error("the rating prompt is back in the conversation after a reload")
		}
		b.shot("not-asked-again")
	})

	for _, line := range b.consoleErrors() {
		if strings.Contains(line, "Failed to load") || strings.Contains(line, "Content Security Policy") {
			t.Errorf("browser console: %s", line)
		}
	}
}
