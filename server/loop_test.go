package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

func publishedArticle(id, title, body string) helpium.ArticleInput {
	published := helpium.ArticlePublished
	return helpium.ArticleInput{ExternalID: &id, Title: title, Body: body, Status: &published}
}

var loopKB = []helpium.ArticleInput{
	publishedArticle("reset", "Reset your password", "If you forgot your password, open the sign-in page and choose **Forgot password**. Open the link we email you within 30 minutes and choose a new password."),
	publishedArticle("refund", "Refunds", "We refund unused subscriptions within 14 days of purchase. Go to **Billing → Invoices** and choose **Request refund**."),
}

// loopApp is a server with a searchable knowledge base.
func loopApp(t *testing.T) (*apptest.App, *service.NewOwner) {
	t.Helper()
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{})
	o := app.Owned(t, "Acme")
	if _, err := app.Service.Knowledge.ImportArticles(context.Background(), o.Workspace.ID, loopKB); err != nil {
		t.Fatal(err)
	}
	app.WaitIndexed(t, o.Workspace.ID, time.Minute)
	return app, o
}

type restAnswer struct {
	AnswerID   *string `json:"answer_id"`
	Answered   bool    `json:"answered"`
	Answer     string  `json:"answer"`
	HandedOver bool    `json:"handed_over"`
}

func askREST(t *testing.T, app *apptest.App, key string, body map[string]any) restAnswer {
	t.Helper()
	res := app.Request(t, "POST", "/api/customer/search/answer", key, body)
	if res.Status != http.StatusOK {
		t.Fatalf("answer %v: %d %s", body, res.Status, res.Body)
	}
	var a restAnswer
	res.JSON(t, &a)
	return a
}

type loopMessage struct {
	Author   string  `json:"author"`
	Body     string  `json:"body"`
	AnswerID *string `json:"answer_id"`
}

func widgetMessages(t *testing.T, app *apptest.App, key, token string) []loopMessage {
	t.Helper()
	var page struct{ Messages []loopMessage }
	res := app.Request(t, "GET", "/api/customer/conversations/"+token+"/messages", key, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("messages: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &page)
	return page.Messages
}

func TestAnswerFeedback(t *testing.T) {
	app, o := loopApp(t)
	key := o.Workspace.APIKey
	a := askREST(t, app, key, map[string]any{"query": "I forgot my password", "installation_id": "install-feedback-0001"})
	if !a.Answered || a.AnswerID == nil {
		t.Fatalf("answer %+v, want an answer with an id", a)
	}
	// Each answer given is kept under its own id, even from the cache.
	if again := askREST(t, app, key, map[string]any{"query": "I forgot my password"}); again.AnswerID == nil || *again.AnswerID == *a.AnswerID {
		t.Errorf("a cached answer's id %v, want a new one", again.AnswerID)
	}
	path := "/api/customer/answers/" + *a.AnswerID + "/feedback"

	// REST: a "no" with a comment.
	var fb struct {
		AnswerID string  `json:"answer_id"`
		Helpful  bool    `json:"helpful"`
		Comment  *string `json:"comment"`
	}
	res := app.Request(t, "POST", path, key, map[string]any{"helpful": false, "comment": "  Still locked out  "})
	res.JSON(t, &fb)
	if res.Status != http.StatusOK || fb.Helpful || fb.Comment == nil || *fb.Comment != "Still locked out" || fb.AnswerID != *a.AnswerID {
		t.Fatalf("REST feedback: %d %s", res.Status, res.Body)
	}
	// GraphQL: the same widget changes its mind.
	var g struct{ RateAnswer struct{ Helpful bool } }
	mustGraphQL(t, app.GraphQL(t, key, `mutation($a: ID!) { rateAnswer(answerId: $a, helpful: true) { helpful } }`, map[string]any{"a": *a.AnswerID}, &g))
	if !g.RateAnswer.Helpful {
		t.Errorf("GraphQL feedback %+v", g)
	}
	// Agents read the votes with the question, the answer and its sources.
	type record struct {
		ID, Question string
		Answer       struct {
			Answered bool
			Sources  []struct{ Title string }
		}
		Feedback *struct {
			Helpful bool
			Comment *string
		}
	}
	var list struct{ Answers []record }
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($w: ID!) { answers(workspaceId: $w, helpful: true) {
		id question answer { answered sources { title } } feedback { helpful comment } } }`, map[string]any{"w": o.Workspace.ID}, &list))
	if len(list.Answers) != 1 || list.Answers[0].ID != *a.AnswerID || list.Answers[0].Question != "I forgot my password" ||
		!list.Answers[0].Answer.Answered || len(list.Answers[0].Answer.Sources) == 0 || list.Answers[0].Answer.Sources[0].Title != "Reset your password" ||
		list.Answers[0].Feedback == nil || list.Answers[0].Feedback.Comment != nil {
		t.Errorf("answers voted helpful: %+v", list.Answers)
	}

	other := app.Owned(t, "Other")
	for _, tc := range []struct {
		name, key, path string
		body            map[string]any
		status          int
		code, field     string
	}{
		{"no vote", key, path, map[string]any{"comment": "hm"}, 422, "invalid_input", "helpful"},
		{"vote not a boolean", key, path, map[string]any{"helpful": "no"}, 422, "invalid_input", "helpful"},
		{"comment too long", key, path, map[string]any{"helpful": false, "comment": string(padded(1001))}, 422, "invalid_input", "comment"},
		{"unknown answer", key, "/api/customer/answers/0193a2c4-0000-7000-8000-000000000000/feedback", map[string]any{"helpful": true}, 404, "not_found", ""},
		{"not an id", key, "/api/customer/answers/nope/feedback", map[string]any{"helpful": true}, 404, "not_found", ""},
		{"another workspace's answer", other.Workspace.APIKey, path, map[string]any{"helpful": true}, 404, "not_found", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkEnvelope(t, tc.name, app.Request(t, "POST", tc.path, tc.key, tc.body), tc.status, tc.code, tc.field)
		})
	}
	// An agent's preview is not kept, so it has no id to vote on.
	var preview struct{ Answer struct{ ID *string } }
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($w: ID) { answer(query: "I forgot my password", workspaceId: $w) { id } }`, map[string]any{"w": o.Workspace.ID}, &preview))
	if preview.Answer.ID != nil {
		t.Errorf("an agent's preview has id %v", *preview.Answer.ID)
	}
}

func TestHandover(t *testing.T) {
	app, o := loopApp(t)
	key := o.Workspace.APIKey
	a := askREST(t, app, key, map[string]any{"query": "How do I get a refund?", "installation_id": "install-handover-0001"})
	if a.AnswerID == nil || !a.Answered {
		t.Fatalf("answer %+v", a)
	}
	handover := func(answerID string, body map[string]any) (int, restCreated) {
		t.Helper()
		res := app.Request(t, "POST", "/api/customer/answers/"+answerID+"/handover", key, body)
		var c restCreated
		if res.Status == 200 || res.Status == 201 {
			res.JSON(t, &c)
		} else {
			t.Fatalf("handover: %d %s\n%s", res.Status, res.Body, app.LogText())
		}
		return res.Status, c
	}

	// "Talk to a person" with no conversation yet starts one carrying the
	// question and the AI's answer, marked as the AI's, then the note.
	status, first := handover(*a.AnswerID, map[string]any{"installation_id": "install-handover-0001"})
	if status != 201 || first.WidgetToken == "" || first.Message.Body != "How do I get a refund?" {
		t.Fatalf("handover: %d %+v", status, first)
	}
	token := first.WidgetToken
	msgs := widgetMessages(t, app, key, token)
	wantAuthors := []string{"customer", "bot", "system"}
	if len(msgs) != 3 || msgs[0].Body != "How do I get a refund?" || msgs[1].Body != a.Answer+"\n\nSources:\n1. Refunds" || msgs[2].Body != helpium.HandoverNote {
		t.Fatalf("messages after a handover: %+v", msgs)
	}
	for i, m := range msgs {
		if m.Author != wantAuthors[i] || (i < 2) != (m.AnswerID != nil && *m.AnswerID == *a.AnswerID) {
			t.Errorf("message %d: %+v, want author %s and the answer's id on the question and answer only", i, m, wantAuthors[i])
		}
	}
	// The agent sees the same, as context from the AI.
	var conv struct {
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
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($c: ID!) { conversation(id: $c) { handedOverAt messages(first: 10) { edges { node { author body answerId } } } } }`,
		map[string]any{"c": first.Conversation.ID}, &conv))
	if conv.Conversation.HandedOverAt == nil || len(conv.Conversation.Messages.Edges) != 3 || conv.Conversation.Messages.Edges[1].Node.Author != "BOT" ||
		conv.Conversation.Messages.Edges[1].Node.AnswerID == nil {
		t.Errorf("the agent's view: %+v", conv)
	}

	// A retry (its response lost) gets the same conversation and token and
	// adds nothing.
	if status, again := handover(*a.AnswerID, map[string]any{}); status != 200 || again.WidgetToken != token || again.Conversation.ID != first.Conversation.ID {
		t.Errorf("the same handover again: %d %+v", status, again)
	}
	// An empty token is none, as on answers.
	if status, again := handover(*a.AnswerID, map[string]any{"token": ""}); status != 200 || again.WidgetToken != token {
		t.Errorf("the same handover with an empty token: %d %+v", status, again)
	}
	if n := len(widgetMessages(t, app, key, token)); n != 3 {
		t.Errorf("%d messages after a repeated handover, want 3", n)
	}

	// From now on the AI does not answer inside the conversation.
	if in := askREST(t, app, key, map[string]any{"query": "How do I get a refund?", "widget_token": token}); in.Answered || !in.HandedOver ||
		in.AnswerID != nil || in.Answer != helpium.HandedOverMessage("en") {
		t.Errorf("an answer inside a handed-over conversation: %+v", in)
	}
	var g struct {
		Answer struct{ Answered, HandedOver bool }
	}
	mustGraphQL(t, app.GraphQL(t, key, `query($t: String) { answer(query: "refund", widgetToken: $t) { answered handedOver } }`, map[string]any{"t": token}, &g))
	if g.Answer.Answered || !g.Answer.HandedOver {
		t.Errorf("GraphQL answer inside a handed-over conversation: %+v", g)
	}

	// Resolved, then reopened by the customer: another "Talk to a person"
	// into the same conversation (GraphQL this time) brings its question
	// and answer, but no second handover note.
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!) { setConversationStatus(conversationId: $c, status: RESOLVED) { id } }`,
		map[string]any{"c": first.Conversation.ID}, nil))
	if res := app.Request(t, "POST", "/api/customer/conversations/"+token+"/messages", key, map[string]any{"body": "One more thing"}); res.Status != 201 {
		t.Fatalf("send: %d %s", res.Status, res.Body)
	}
	b := askREST(t, app, key, map[string]any{"query": "I forgot my password"})
	var h struct {
		HandOver struct {
			WidgetToken  string
			Created      bool
			Conversation struct{ ID, Status string }
		}
	}
	mustGraphQL(t, app.GraphQL(t, key, `mutation($a: ID!, $t: String) { handOver(answerId: $a, token: $t) { widgetToken created conversation { id status } } }`,
		map[string]any{"a": *b.AnswerID, "t": token}, &h))
	if h.HandOver.WidgetToken != token || h.HandOver.Created || h.HandOver.Conversation.ID != first.Conversation.ID || h.HandOver.Conversation.Status != "OPEN" {
		t.Errorf("a handover into the open conversation: %+v", h)
	}
	msgs = widgetMessages(t, app, key, token)
	var notes []string
	var bodies []string
	for _, m := range msgs {
		bodies = append(bodies, m.Author+": "+m.Body)
		if m.Author == "system" {
			notes = append(notes, m.Body)
		}
	}
	if len(msgs) != 6 || len(notes) != 1 || msgs[4].Body != "I forgot my password" || msgs[5].Author != "bot" {
		t.Errorf("after resolve, reopen and another handover: %q", bodies)
	}

	// Bad input, and other tenants.
	other := app.Owned(t, "Other")
	for _, tc := range []struct {
		name, key, path string
		body            map[string]any
		status          int
		code, field     string
	}{
		{"unknown answer", key, "/api/customer/answers/0193a2c4-0000-7000-8000-000000000000/handover", map[string]any{}, 404, "not_found", ""},
		{"bad installation id", key, "/api/customer/answers/" + *b.AnswerID + "/handover", map[string]any{"installation_id": "x"}, 422, "invalid_input", "installation_id"},
		{"unknown token", key, "/api/customer/answers/" + *b.AnswerID + "/handover", map[string]any{"token": "wt_nope"}, 404, "not_found", ""},
		{"another workspace's answer", other.Workspace.APIKey, "/api/customer/answers/" + *a.AnswerID + "/handover", map[string]any{}, 404, "not_found", ""},
		{"handed over elsewhere", key, "/api/customer/answers/" + *a.AnswerID + "/handover", map[string]any{"token": otherConversation(t, app, key)}, 409, "conflict", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkEnvelope(t, tc.name, app.Request(t, "POST", tc.path, tc.key, tc.body), tc.status, tc.code, tc.field)
		})
	}
}

func otherConversation(t *testing.T, app *apptest.App, key string) string {
	_, token := startConversation(t, app, key, "A different question")
	return token
}

// TestAIStepsBackWhenAnAgentReplies: in a conversation started without a
// handover, the AI answers until an agent has replied.
func TestAIStepsBackWhenAnAgentReplies(t *testing.T) {
	app, o := loopApp(t)
	key := o.Workspace.APIKey
	conv, token := startConversation(t, app, key, "Hello")
	if a := askREST(t, app, key, map[string]any{"query": "I forgot my password", "widget_token": token}); !a.Answered || a.HandedOver {
		t.Fatalf("before an agent replies: %+v", a)
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!) { replyToConversation(input: {conversationId: $c, body: "Hi, I'm here."}) { created } }`,
		map[string]any{"c": conv}, nil))
	if a := askREST(t, app, key, map[string]any{"query": "I forgot my password", "widget_token": token, "locale": "de"}); a.Answered || !a.HandedOver ||
		a.Answer != helpium.HandedOverMessage("de") {
		t.Errorf("after an agent replied: %+v", a)
	}
}

func TestCSAT(t *testing.T) {
	rec := newReceiver(t)
	app := webhookApp(t, rec)
	o := app.Owned(t, "Acme")
	key := o.Workspace.APIKey
	createEndpoint(t, app, o.Token, o.Workspace.ID, rec.URL+"/hooks", []string{"CSAT_SUBMITTED"}, false)
	resolve := func(conv string) {
		mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!) { setConversationStatus(conversationId: $c, status: RESOLVED) { id } }`, map[string]any{"c": conv}, nil))
	}
	conv1, token1 := startConversation(t, app, key, "Where is my parcel?")
	path := "/api/customer/conversations/" + token1 + "/csat"

	// Asked once, after the conversation is resolved.
	checkEnvelope(t, "before it is resolved", app.Request(t, "POST", path, key, map[string]any{"rating": 5}), 409, "conflict", "")
	resolve(conv1)
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no rating", map[string]any{"comment": "ok"}, "rating"},
		{"zero", map[string]any{"rating": 0}, "rating"},
		{"six", map[string]any{"rating": 6}, "rating"},
		{"not a whole number", map[string]any{"rating": 4.5}, "rating"},
		{"comment too long", map[string]any{"rating": 4, "comment": string(padded(1001))}, "comment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkEnvelope(t, tc.name, app.Request(t, "POST", path, key, tc.body), 422, "invalid_input", tc.field)
		})
	}
	var rated struct {
		Status string
		CSAT   *struct {
			Rating  int     `json:"rating"`
			Comment *string `json:"comment"`
		} `json:"csat"`
	}
	res := app.Request(t, "POST", path, key, map[string]any{"rating": 4, "comment": "Quick and kind"})
	res.JSON(t, &rated)
	if res.Status != 200 || rated.CSAT == nil || rated.CSAT.Rating != 4 || *rated.CSAT.Comment != "Quick and kind" {
		t.Fatalf("rating: %d %s", res.Status, res.Body)
	}
	checkEnvelope(t, "a second rating", app.Request(t, "POST", path, key, map[string]any{"rating": 1}), 409, "conflict", "")
	// The widget sees it on the conversation, and knows not to ask again.
	var got struct {
		CSAT *struct{ Rating int } `json:"csat"`
	}
	app.Request(t, "GET", "/api/customer/conversations/"+token1, key, nil).JSON(t, &got)
	if got.CSAT == nil || got.CSAT.Rating != 4 {
		t.Errorf("the conversation's csat: %+v", got)
	}

	// GraphQL, for a second conversation. An open widget hears that it
	// was resolved (its cue to ask), and agents see the rating arrive.
	conv2, token2 := startConversation(t, app, key, "Refund please")
	stream := openSSE(t, app, key, token2)
	changes := app.SubscribeLive(t, map[string]any{"Authorization": "Bearer " + o.Token},
		`subscription($w: ID!) { conversationChanged(workspaceId: $w) { change conversation { id csat { rating } } } }`, map[string]any{"w": o.Workspace.ID})
	resolve(conv2)
	if ev := stream.next(t, "event: status", 5*time.Second); !strings.Contains(ev, `"status":"resolved"`) || !strings.Contains(ev, `"actor":"system"`) {
		t.Errorf("status event: %s", ev)
	}
	var g struct {
		RateConversation struct{ CSAT struct{ Rating int } }
	}
	mustGraphQL(t, app.GraphQL(t, key, `mutation($t: String!) { rateConversation(token: $t, rating: 2) { csat { rating } } }`, map[string]any{"t": token2}, &g))
	if g.RateConversation.CSAT.Rating != 2 {
		t.Errorf("GraphQL rating %+v", g)
	}
	for {
		var ch struct {
			ConversationChanged struct {
				Change       string
				Conversation struct {
					ID   string
					CSAT *struct{ Rating int }
				}
			}
		}
		if errs := changes.Next(t, 10*time.Second, &ch); len(errs) > 0 {
			t.Fatalf("conversationChanged: %+v", errs)
		}
		if c := ch.ConversationChanged; c.Change == "CSAT" {
			if c.Conversation.ID != conv2 || c.Conversation.CSAT == nil || c.Conversation.CSAT.Rating != 2 {
				t.Errorf("the CSAT change: %+v", c)
			}
			break
		}
	}
	other := app.Owned(t, "Other")
	checkEnvelope(t, "another workspace", app.Request(t, "POST", path, other.Workspace.APIKey, map[string]any{"rating": 5}), 404, "not_found", "")

	// Stats: the average and the distribution, in total and per day.
	var st struct {
		Stats struct {
			CSAT struct {
				Count        int
				Average      *float64
				Distribution []int
			}
			Days []struct {
				Date string
				CSAT struct{ Count int }
			}
		}
	}
	now := time.Now().UTC()
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($w: ID!, $f: Time!, $t: Time!) { stats(workspaceId: $w, from: $f, to: $t) {
		csat { count average distribution } days { date csat { count } } } }`,
		map[string]any{"w": o.Workspace.ID, "f": now.Add(-48 * time.Hour), "t": now.Add(time.Hour)}, &st))
	c := st.Stats.CSAT
	if c.Count != 2 || c.Average == nil || *c.Average != 3 || !slices.Equal(c.Distribution, []int{0, 1, 0, 1, 0}) {
		t.Errorf("stats csat %+v", c)
	}
	perDay := 0
	for _, d := range st.Stats.Days {
		perDay += d.CSAT.Count
	}
	if perDay != 2 {
		t.Errorf("per-day ratings add up to %d, want 2: %+v", perDay, st.Stats.Days)
	}

	// csat.submitted, once per rating.
	got2 := rec.waitFor(t, "two csat.submitted", func(got []received) bool { return len(ofType(got, "csat.submitted")) >= 2 })
	var payloads []string
	for _, r := range ofType(got2, "csat.submitted") {
		var p struct {
			CSAT         struct{ Rating int }
			Conversation struct{ ID string }
		}
		if err := json.Unmarshal(r.Event.Data, &p); err != nil {
			t.Fatal(err)
		}
		payloads = append(payloads, fmt.Sprint(p.CSAT.Rating, " ", p.Conversation.ID == conv1 || p.Conversation.ID == conv2))
	}
	slices.Sort(payloads)
	if !slices.Equal(payloads, []string{"2 true", "4 true"}) {
		t.Errorf("csat.submitted events: %q", payloads)
	}
}

// TestContentGaps: refused and down-voted questions are grouped by
// meaning, with the closest articles; the deflection rate counts answers
// not followed by a conversation.
func TestContentGaps(t *testing.T) {
	app, o := loopApp(t)
	key := o.Workspace.APIKey
	from := time.Now().UTC().Add(-time.Minute)
	// Questions the help center does not cover, all voted "no" (so that
	// refused or not, they count).
	questions := []string{
		"How do I export my data to CSV?", "export data csv", "How do I export my data to CSV?",
		"Do you ship to Canada?", "Is international shipping available to Canada?",
		"Can I pay with PayPal?", "Which payment methods do you accept?",
		"What is your phone number?",
	}
	for _, q := range questions {
		a := askREST(t, app, key, map[string]any{"query": q})
		if res := app.Request(t, "POST", "/api/customer/answers/"+*a.AnswerID+"/feedback", key, map[string]any{"helpful": false}); res.Status != 200 {
			t.Fatalf("vote: %d %s", res.Status, res.Body)
		}
	}
	// Deflection: two answers; one browser then starts a conversation.
	for _, inst := range []string{"install-gaps-0001", "install-gaps-0002"} {
		if a := askREST(t, app, key, map[string]any{"query": "How do I get a refund?", "installation_id": inst}); !a.Answered {
			t.Fatalf("refund answer %+v", a)
		}
	}
	if res := app.Request(t, "POST", "/api/customer/conversations", key, map[string]any{"message": "Refund still missing", "installation_id": "install-gaps-0001", "client_message_id": "m-1"}); res.Status != 201 {
		t.Fatalf("start: %d %s", res.Status, res.Body)
	}

	var rep struct {
		ContentGaps struct {
			Questions int
			Clusters  []struct {
				Size     int
				Examples []string
				Articles []struct{ Title string }
			}
			Deflection struct {
				Answers, LedToConversation int
				Rate                       *float64
			}
		}
	}
	to := time.Now().UTC().Add(time.Minute)
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($w: ID!, $f: Time!, $t: Time!) { contentGaps(workspaceId: $w, from: $f, to: $t) {
		questions clusters { size examples articles { title } } deflection { answers ledToConversation rate } } }`,
		map[string]any{"w": o.Workspace.ID, "f": from, "t": to}, &rep))
	r := rep.ContentGaps
	// Groups of equal size, and questions asked equally often, come newest
	// first: compare them sorted.
	var groups []string
	for _, c := range r.Clusters {
		slices.Sort(c.Examples)
		groups = append(groups, fmt.Sprint(c.Size, c.Examples))
	}
	slices.Sort(groups)
	want := []string{
		"1 [What is your phone number?]",
		"2 [Can I pay with PayPal? Which payment methods do you accept?]",
		"2 [Do you ship to Canada? Is international shipping available to Canada?]",
		"3 [How do I export my data to CSV? export data csv]",
	}
	if r.Questions != len(questions) || !slices.Equal(groups, want) {
		t.Errorf("content gaps: %d questions, groups\n%q\nwant\n%q", r.Questions, groups, want)
	}
	if d := r.Deflection; d.Answers < 2 || d.LedToConversation != 1 || d.Rate == nil {
		t.Errorf("deflection %+v: want the refund answers counted, one followed by a conversation", d)
	}

	// Admins only.
	agent := app.Member(t, o.Workspace.ID, "ann@acme.test", helpium.RoleAgent)
	errs := app.AgentGraphQL(t, agent.Token, `query($w: ID!, $f: Time!, $t: Time!) { contentGaps(workspaceId: $w, from: $f, to: $t) { questions } }`,
		map[string]any{"w": o.Workspace.ID, "f": from, "t": to}, nil)
	if len(errs) != 1 || errs[0].Code() != "forbidden" {
		t.Errorf("an agent's report: %+v", errs)
	}
	errs = app.AgentGraphQL(t, o.Token, `query($w: ID!, $f: Time!) { contentGaps(workspaceId: $w, from: $f, to: $f) { questions } }`,
		map[string]any{"w": o.Workspace.ID, "f": from}, nil)
	if len(errs) != 1 || errs[0].Code() != "invalid_input" || errs[0].Extensions["field"] != "to" {
		t.Errorf("an empty period: %+v", errs)
	}
}
