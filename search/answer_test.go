package search_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

type answerResponse struct {
	Answered bool   `json:"answered"`
	Answer   string `json:"answer"`
	Sources  []struct {
		ArticleID string  `json:"article_id"`
		Title     string  `json:"title"`
		URL       *string `json:"url"`
	} `json:"sources"`
	Confidence float64 `json:"confidence"`
	Generator  string  `json:"generator"`
}

func restAnswer(t *testing.T, app *apptest.App, key, query string) answerResponse {
	t.Helper()
	res := app.Request(t, "POST", "/api/customer/search/answer", key, map[string]any{"query": query})
	if res.Status != 200 {
		t.Fatalf("answer %q: %d %s", query, res.Status, res.Body)
	}
	var a answerResponse
	res.JSON(t, &a)
	return a
}

var answerKB = []helpium.ArticleInput{
	article("reset", "Reset your password", "If you forgot your password, you can set a new one.\n\n## Steps\n1. Open the sign-in page and choose **Forgot password**.\n2. Enter the email address of your account.\n3. Open the link we email you within 30 minutes and choose a new password."),
	article("refund", "Refunds", "We refund unused subscriptions within 14 days of purchase. Refunds reach your card within 5 business days. Go to **Billing → Invoices** and choose **Request refund**."),
	article("locker", "Use a parcel locker", "Lockers are open 24 hours a day. Scan the QR code from your pickup email at the locker's screen and the door opens."),
}

func TestAnswersGroundedWithSources(t *testing.T) {
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{})
	ws := app.Workspace(t, "Acme")
	importKB(t, app, ws, answerKB)

	a := restAnswer(t, app, ws.APIKey, "I can't log in, I don't remember my password")
	if !a.Answered || len(a.Sources) == 0 || a.Sources[0].Title != "Reset your password" || a.Generator != "extractive" {
		t.Fatalf("answer %+v", a)
	}
	for _, want := range []string{"Forgot password", "[1]"} {
		if !strings.Contains(a.Answer, want) {
			t.Errorf("answer lacks %q:\n%s", want, a.Answer)
		}
	}
	// Every sentence comes from the cited article.
	for _, line := range strings.Split(a.Answer, "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), "[1]"))
		if line != "" && !strings.Contains(answerKB[0].Body, strings.TrimSuffix(line, " ")) &&
			!strings.Contains(strings.ReplaceAll(answerKB[0].Body, "**", ""), line) {
			t.Errorf("answer line %q is not in the cited article", line)
		}
	}
	// The same answer through GraphQL.
	var g struct {
		Answer struct {
			Answered bool
			Answer   string
			Sources  []struct{ Title string }
		}
	}
	if errs := app.GraphQL(t, ws.APIKey, `query($q: String!) { answer(query: $q) { answered answer sources { title } } }`,
		map[string]any{"q": "I can't log in, I don't remember my password"}, &g); len(errs) > 0 || g.Answer.Answer != a.Answer {
		t.Errorf("graphql answer %+v %+v", errs, g)
	}
	// An agent trying what the widget answers (the agent app's "Try it")
	// gets the same answer for their workspace, and no customer's.
	agent := app.Member(t, ws.ID, "ann@acme.test", helpium.RoleAgent)
	g.Answer.Answer = ""
	if errs := app.AgentGraphQL(t, agent.Token, `query($q: String!, $w: ID) { answer(query: $q, workspaceId: $w) { answered answer sources { title } } }`,
		map[string]any{"q": "I can't log in, I don't remember my password", "w": ws.ID}, &g); len(errs) > 0 || g.Answer.Answer != a.Answer {
		t.Errorf("an agent's answer %+v %+v", errs, g)
	}
	errs := app.AgentGraphQL(t, agent.Token, `query($w: ID) { answer(query: "password", workspaceId: $w, widgetToken: "wt_x") { answered } }`, map[string]any{"w": ws.ID}, nil)
	if len(errs) != 1 || errs[0].Code() != "invalid_input" || errs[0].Extensions["field"] != "widgetToken" {
		t.Errorf("an agent's answer for a widget token: %+v", errs)
	}
}

func TestAnswerAbstainsWithFallback(t *testing.T) {
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{})
	o := app.Owned(t, "Acme")
	importKB(t, app, o.Workspace, answerKB)
	a := restAnswer(t, app, o.Workspace.APIKey, "do you sell gift cards for my grandmother's birthday")
	if a.Answered || len(a.Sources) != 0 || !strings.Contains(a.Answer, "Start a conversation") {
		t.Errorf("unanswerable question: %+v", a)
	}
	// The fallback message is the workspace's own, by locale.
	if errs := app.AgentGraphQL(t, o.Token, `mutation($w: ID!) { updateAnswerSettings(workspaceId: $w, fallbackMessages: [{locale: "en", message: "Ask our team in the chat."}]) { threshold } }`,
		map[string]any{"w": o.Workspace.ID}, nil); len(errs) > 0 {
		t.Fatal(errs)
	}
	// Another question as far from the three articles ("do you sell gift
	// cards" is near the refunds article's card payments for the default
	// embedder: cosine 0.38).
	if a := restAnswer(t, app, o.Workspace.APIKey, "do you have a store in Paris where I can buy things"); a.Answered || a.Answer != "Ask our team in the chat." {
		t.Errorf("custom fallback: %+v", a)
	}
	// A threshold of 1 refuses everything, even a good match.
	if errs := app.AgentGraphQL(t, o.Token, `mutation($w: ID!) { updateAnswerSettings(workspaceId: $w, threshold: 1) { threshold } }`,
		map[string]any{"w": o.Workspace.ID}, nil); len(errs) > 0 {
		t.Fatal(errs)
	}
	if a := restAnswer(t, app, o.Workspace.APIKey, "how do I reset my password"); a.Answered {
		t.Errorf("answered above a threshold of 1: %+v", a)
	}
	errs := app.AgentGraphQL(t, o.Token, `mutation($w: ID!) { updateAnswerSettings(workspaceId: $w, threshold: 1.5) { threshold } }`, map[string]any{"w": o.Workspace.ID}, nil)
	if len(errs) != 1 || errs[0].Code() != "invalid_input" {
		t.Errorf("threshold 1.5: %+v", errs)
	}
}

func TestAnswerCacheDroppedOnArticleChange(t *testing.T) {
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{})
	o := app.Owned(t, "Acme")
	importKB(t, app, o.Workspace, answerKB)
	q := "how long do refunds take"
	first := restAnswer(t, app, o.Workspace.APIKey, q)
	if !first.Answered || !strings.Contains(first.Answer, "5 business days") {
		t.Fatalf("first answer %+v", first)
	}
	// Re-importing the article with new text changes the answer once the
	// index has it.
	changed := answerKB[1]
	changed.Body = strings.ReplaceAll(changed.Body, "5 business days", "10 business days")
	importKB(t, app, o.Workspace, []helpium.ArticleInput{changed})
	deadline := time.Now().Add(10 * time.Second)
	for {
		a := restAnswer(t, app, o.Workspace.APIKey, "How long do refunds take?") // same normalised question
		if strings.Contains(a.Answer, "10 business days") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cached answer survived the article change: %s", a.Answer)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestAnswerStreamsServerSentEvents(t *testing.T) {
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{})
	ws := app.Workspace(t, "Acme")
	importKB(t, app, ws, answerKB)
	body, _ := json.Marshal(map[string]any{"query": "reset my password"})
	req, _ := http.NewRequest("POST", app.URL+"/api/customer/search/answer", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("X-API-Key", ws.APIKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("content type %q", res.Header.Get("Content-Type"))
	}
	var events []string
	var text strings.Builder
	var done answerResponse
	sc := bufio.NewScanner(res.Body)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
			events = append(events, event)
		case strings.HasPrefix(line, "data: "):
			data := strings.TrimPrefix(line, "data: ")
			switch event {
			case "delta":
				var d struct{ Text string }
				json.Unmarshal([]byte(data), &d) //nolint:errcheck
				text.WriteString(d.Text)
			case "done":
				json.Unmarshal([]byte(data), &done) //nolint:errcheck
			}
		}
	}
	if len(events) < 3 || events[0] != "sources" || events[len(events)-1] != "done" || events[1] != "delta" {
		t.Errorf("events %v", events)
	}
	if !done.Answered || text.String() != done.Answer {
		t.Errorf("deltas %q do not add up to the final answer %q", text.String(), done.Answer)
	}
}

func TestAnswerValidation(t *testing.T) {
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{})
	ws := app.Workspace(t, "Acme")
	for _, c := range []struct {
		body  any
		field string
	}{
		{map[string]any{"query": ""}, "query"},
		{map[string]any{"query": strings.Repeat("x", 501)}, "query"},
		{map[string]any{"query": 5}, "query"},
		{map[string]any{"query": "ok", "locale": "not a locale!"}, "locale"},
	} {
		res := app.Request(t, "POST", "/api/customer/search/answer", ws.APIKey, c.body)
		if res.Status != 422 || !strings.Contains(string(res.Body), `"field":"`+c.field+`"`) {
			t.Errorf("%v: %d %s", c.body, res.Status, res.Body)
		}
	}
	// 500 characters exactly is accepted.
	if res := app.Request(t, "POST", "/api/customer/search/answer", ws.APIKey, map[string]any{"query": strings.Repeat("é", 500)}); res.Status != 200 {
		t.Errorf("500 characters: %d %s", res.Status, res.Body)
	}
}
