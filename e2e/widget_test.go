//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

// TestWidgetEndToEnd drives the widget on /demo against a real server on
// real PostgreSQL and Weaviate, as a customer would, while an agent answers
// through GraphQL. Steps that need a feature another issue delivers skip
// with the reason while that feature is missing, and run once it lands.
func TestWidgetEndToEnd(t *testing.T) {
	ctx := context.Background()
	app := apptest.New(t, service.Options{})
	ws, err := app.Service.SeedDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key := ws.APIKey
	agent := app.Member(t, ws.ID, "agent@demo.test", helpium.RoleAgent)
	admin := app.Member(t, ws.ID, "admin@demo.test", helpium.RoleAdmin)
	b := newBrowser(t)

	// step runs fn as a subtest on the shared browser; the test stops at the
	// first failed step, since later steps build on it.
	step := func(name string, fn func(t *testing.T)) {
		if t.Failed() {
			return
		}
		t.Run(name, func(st *testing.T) {
			parent := b.t
			b.t = st
			defer func() { b.t = parent }()
			fn(st)
		})
	}

	var settings struct {
		Greeting      string `json:"greeting"`
		BusinessHours struct {
			IsOpen             bool    `json:"is_open"`
			OutOfOfficeMessage *string `json:"out_of_office_message"`
		} `json:"business_hours"`
	}
	app.Request(t, http.MethodGet, "/api/customer/widget/settings", key, nil).JSON(t, &settings)

	step("open the demo page", func(t *testing.T) {
		b.do("navigate", chromedp.Navigate(app.URL+"/demo"))
		b.wait("launcher", visible(".launcher"), 15*time.Second)
		var look struct {
			Right bool
			Bg    string
			Label string
		}
		b.eval(`(() => { const l = `+w(".launcher")+`; const r = l.getBoundingClientRect();
			return { Right: r.right > innerWidth - 100, Bg: getComputedStyle(l).backgroundColor, Label: l.textContent } })()`, &look)
		if !look.Right || look.Bg != "rgb(15, 118, 110)" || look.Label != ws.Widget.LauncherText {
			t.Errorf("launcher %+v, want bottom-right, rgb(15, 118, 110) (#0f766e), label %q", look, ws.Widget.LauncherText)
		}
		b.shot("demo-page")
	})

	step("read the greeting", func(t *testing.T) {
		b.do("open", chromedp.Click(el(".launcher")))
		b.wait("panel", visible(".panel"), 5*time.Second)
		if g := b.str(w(".greeting") + ".textContent"); g != settings.Greeting {
			t.Errorf("greeting %q, want %q", g, settings.Greeting)
		}
		status := b.str(w(".status") + ".textContent")
		notice := b.str(`(` + visible(".home .notice") + `) ? ` + w(".home .notice") + `.textContent : ""`)
		if settings.BusinessHours.IsOpen {
			if status != "We are online" || notice != "" {
				t.Errorf("open hours: status %q, notice %q", status, notice)
			}
		} else if !strings.HasPrefix(status, "We are away") || settings.BusinessHours.OutOfOfficeMessage == nil || notice != *settings.BusinessHours.OutOfOfficeMessage {
			t.Errorf("closed hours: status %q, notice %q", status, notice)
		}
		b.shot("greeting")
	})

	step("search and read the answer with its sources", func(t *testing.T) {
		const query = "Where is my parcel?"
		for _, path := range []string{"/api/customer/search", "/api/customer/search/answer"} {
			if missingRoute(t, app.URL+path, key, `{"query":"probe"}`) {
				t.Skipf("POST %s is not served yet (knowledge-base search and answers, issues 4 and 5)", path)
			}
		}
		if !publishArticles(t, app, admin.Token, ws.ID) {
			t.Skip("the createArticle mutation is not served yet (knowledge base, issue 4)")
		}
		if !waitForResults(t, app, key, query, 90*time.Second) {
			t.Fatalf("published articles never became searchable for %q", query)
		}
		b.do("search", chromedp.SendKeys(el("#hp-q"), query+kb.Enter))
		b.wait("article results", wAll(".articles li")+".length > 0", 20*time.Second)
		b.wait("answer with sources", visible(".answer")+" && "+wAll(".answer .sources li")+".length > 0", 30*time.Second)
		b.shot("search-answer-sources")
	})

	var token string
	step("start a conversation", func(t *testing.T) {
		b.do("start", chromedp.Click(el(".home .primary")))
		b.wait("composer", visible("#hp-input"), 5*time.Second)
		b.do("type", chromedp.SendKeys(el("#hp-input"), "Hi, my parcel is late."+kb.Enter))
		b.wait("message sent", wAll(".log .msg.mine:not(.pending)")+".length === 1", 15*time.Second)
		token = b.str(`JSON.parse(localStorage.getItem(` + jsString("helpium:"+key) + `) || "{}").token`)
		if !strings.HasPrefix(token, "wt_") {
			t.Fatalf("widget token in localStorage: %q", token)
		}
		b.shot("conversation-started")
	})

	reply := func(t *testing.T, body string) {
		t.Helper()
		var conv struct {
			ID string `json:"id"`
		}
		app.Request(t, http.MethodGet, "/api/customer/conversations/"+token, key, nil).JSON(t, &conv)
		var out struct {
			ReplyToConversation struct{ Message struct{ ID string } }
		}
		errs := app.AgentGraphQL(t, agent.Token, `mutation($in: ReplyInput!) { replyToConversation(input: $in) { message { id } } }`,
			map[string]any{"in": map[string]any{"conversationId": conv.ID, "body": body}}, &out)
		if len(errs) > 0 || out.ReplyToConversation.Message.ID == "" {
			t.Fatalf("replyToConversation: %+v", errs)
		}
	}

	step("receive an agent reply without reloading", func(t *testing.T) {
		reply(t, "Sorry about that! Let me check where it is.")
		b.wait("live agent reply", wAll(".log .msg[data-author=agent]")+".length === 1", 15*time.Second)
		if got := b.str(w(".log .msg[data-author=agent] .bubble") + ".textContent"); got != "Sorry about that! Let me check where it is." {
			t.Errorf("agent reply %q", got)
		}
		b.shot("agent-reply-live")

		b.do("close", chromedp.Click(el(`.head [aria-label="Close support chat"]`)))
		b.wait("closed", "!("+visible(".panel")+")", 5*time.Second)
		reply(t, "Found it: it is in locker 12, code 4711.")
		b.wait("unread badge", visible(".badge")+" && "+w(".badge")+`.textContent === "1"`, 15*time.Second)
		if label := b.str(w(".launcher") + `.getAttribute("aria-label")`); !strings.Contains(label, "1 unread message") {
			t.Errorf("launcher aria-label %q", label)
		}
		b.shot("unread-badge")
		b.do("reopen", chromedp.Click(el(".launcher")))
		b.wait("badge cleared", "!("+visible(".badge")+")", 5*time.Second)
		b.wait("second reply", wAll(".log .msg[data-author=agent]")+".length === 2", 5*time.Second)
	})

	step("reload and still see the history", func(t *testing.T) {
		b.do("reload", chromedp.Reload())
		b.wait("launcher", visible(".launcher"), 15*time.Second)
		b.wait("history loaded", wAll(".log .msg")+".length === 3", 15*time.Second)
		if visibleNow := b.str(visible(".badge")); visibleNow != "false" {
			t.Errorf("unread badge after reload of a read conversation: %s", visibleNow)
		}
		b.do("open", chromedp.Click(el(".launcher")))
		if label := b.str(w(".home .primary") + ".textContent"); label != "Continue the conversation" {
			t.Errorf("home button %q", label)
		}
		b.do("continue", chromedp.Click(el(".home .primary")))
		b.wait("conversation view", visible(".log"), 5*time.Second)
		var authors []string
		b.eval(wAll(".log .msg")+".map(m => m.dataset.author)", &authors)
		if strings.Join(authors, ",") != "customer,agent,agent" {
			t.Errorf("history authors %v", authors)
		}
		b.shot("history-after-reload")
	})

	step("identify", func(t *testing.T) {
		const bearer = "app-session-secret-e2e-7f3a"
		if missingRoute(t, app.URL+"/api/customer/tracking/identify", key, `{}`) {
			t.Skip("POST /api/customer/tracking/identify is not served yet (customer identity, issue 6)")
		}
		var customer struct {
			ID, Email, Name string
			Verified        bool
		}
		b.eval(`Helpium.identify({ email: "ada@example.com", name: "Ada Lovelace", bearerToken: `+jsString(bearer)+` })`, &customer)
		if customer.Email != "ada@example.com" || customer.ID == "" || customer.Verified {
			t.Errorf("identify resolved to %+v", customer)
		}
		b.do("home", chromedp.Click(el(`.head [aria-label="Back"]`)))
		b.wait("signed in", visible(".who")+" && "+w(".who")+`.textContent.includes("Ada Lovelace")`, 5*time.Second)
		var stored string
		b.eval(`JSON.stringify(Object.entries(localStorage)) + " " + document.cookie`, &stored)
		if strings.Contains(stored, bearer) {
			t.Errorf("the bearer token is stored in the browser: %s", stored)
		}
		b.shot("identified")
	})

	step("see the 429 message under a rate limit", func(t *testing.T) {
		res := app.Request(t, http.MethodGet, "/api/customer/widget/settings", key, nil)
		if res.Header.Get("X-RateLimit-Limit") == "" {
			t.Skip("the server sends no X-RateLimit-* headers yet (rate limiting, issue 7)")
		}
		// Use up this client's message allowance from the same address as the
		// browser, in another conversation, and keep it used up (limits refill
		// continuously) until the widget has shown the 429.
		other := rawPost(t, app.URL+"/api/customer/conversations", key, `{"message":"a second conversation to flood"}`)
		var created struct {
			WidgetToken string `json:"widget_token"`
		}
		json.Unmarshal(other.body, &created)
		if other.status != http.StatusCreated || created.WidgetToken == "" {
			t.Fatalf("second conversation: %d %s", other.status, other.body)
		}
		floodURL := app.URL + "/api/customer/conversations/" + created.WidgetToken + "/messages"
		limited := false
		for i := 0; i < 1000 && !limited; i++ {
			limited = rawPost(t, floodURL, key, `{"body":"flood"}`).status == http.StatusTooManyRequests
		}
		if !limited {
			t.Fatal("no 429 after 1000 messages")
		}
		stop := make(chan struct{})
		flooding := make(chan struct{})
		go func() {
			defer close(flooding)
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
					if res, err := post(floodURL, key, `{"body":"flood"}`); err == nil {
						res.Body.Close()
					}
				}
			}
		}()
		stopFlood := sync.OnceFunc(func() { close(stop); <-flooding })
		defer stopFlood()
		b.do("conversation", chromedp.Click(el(".home .primary")))
		b.do("send", chromedp.SendKeys(el("#hp-input"), "Are you still there?"+kb.Enter))
		b.wait("429 banner", visible(".banner"), 15*time.Second)
		if s := b.str(w(".banner") + ".textContent"); !strings.Contains(s, "too quickly") {
			t.Errorf("banner %q", s)
		}
		b.shot("rate-limited")
		stopFlood()
		b.wait("sent after Retry-After", `[...`+wAll(".log .msg.mine:not(.pending) .bubble")+`].some(e => e.textContent === "Are you still there?")`, 90*time.Second)
		b.shot("sent-after-retry")
	})
}

// post sends a JSON POST with the widget key, outside apptest's contract
// checks.
func post(url, key, body string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-API-Key", key)
	req.Header.Set("Content-Type", "application/json")
	return http.DefaultClient.Do(req)
}

type rawResponse struct {
	status int
	body   []byte
}

func rawPost(t *testing.T, url, key, body string) rawResponse {
	t.Helper()
	res, err := post(url, key, body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return rawResponse{res.StatusCode, b}
}

// missingRoute reports whether the server has no route for a POST (as
// opposed to refusing its input). It bypasses apptest's client, which
// checks responses against the API contract, where such routes are absent.
func missingRoute(t *testing.T, url, key, body string) bool {
	t.Helper()
	r := rawPost(t, url, key, body)
	var env struct{ Error struct{ Message string } }
	json.Unmarshal(r.body, &env)
	return r.status == http.StatusNotFound && strings.HasPrefix(env.Error.Message, "No route")
}

// demoArticles is a small parcel-delivery help center.
var demoArticles = []struct{ Title, Body, URL string }{
	{"Track a parcel", "Open the Parcelio app and tap **Track**, or enter the tracking code from your shipping email on parcelio.example/track. The status shows where your parcel is now and when it is expected.", "https://parcelio.example/help/track"},
	{"Parcel is running late", "If your parcel is past its expected delivery date, check the tracking page first. Delays of one or two days happen at busy times. After three working days, contact us and we will open an investigation.", "https://parcelio.example/help/late"},
	{"How parcel lockers work", "When your parcel reaches the locker you get a six-digit code. Enter it on the locker screen and your compartment opens. Parcels stay in the locker for 72 hours.", "https://parcelio.example/help/lockers"},
}

// publishArticles creates the demo articles through GraphQL as an admin;
// false when the server has no article mutations yet.
func publishArticles(t *testing.T, app *apptest.App, token, workspaceID string) bool {
	t.Helper()
	for _, a := range demoArticles {
		var out struct{ CreateArticle struct{ ID string } }
		errs := app.AgentGraphQL(t, token, `mutation($in: CreateArticleInput!) { createArticle(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"workspaceId": workspaceID, "title": a.Title, "body": a.Body, "url": a.URL, "status": "PUBLISHED"}}, &out)
		if len(errs) > 0 {
			if errs[0].Code() == "GRAPHQL_VALIDATION_FAILED" || strings.Contains(errs[0].Message, "Cannot query field") || strings.Contains(errs[0].Message, "Unknown type") {
				return false
			}
			t.Fatalf("createArticle %q: %+v", a.Title, errs)
		}
	}
	return true
}

// waitForResults polls the search endpoint until the query finds an article
// (indexing is asynchronous).
func waitForResults(t *testing.T, app *apptest.App, key, query string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		var out struct {
			Results []json.RawMessage `json:"results"`
		}
		r := app.Request(t, http.MethodPost, "/api/customer/search", key, map[string]any{"query": query})
		if r.Status == http.StatusOK {
			r.JSON(t, &out)
			if len(out.Results) > 0 {
				return true
			}
		}
		if time.Now().After(deadline) {
			t.Logf("search for %q: last answer %d %s", query, r.Status, r.Body)
			return false
		}
		time.Sleep(time.Second)
	}
}
