//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/service"
)

// TestWidgetEndToEnd drives the widget on /demo of the real server binary,
// started as `make run` starts it, on real PostgreSQL and Weaviate, as a
// customer would, while an agent answers through GraphQL.
func TestWidgetEndToEnd(t *testing.T) {
	srv := startServer(t)
	key := service.DemoAPIKey
	_, agentToken := srv.member(t, "agent@demo.test", helpium.RoleAgent)
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
		LauncherText  string `json:"launcher_text"`
		BusinessHours struct {
			IsOpen             bool    `json:"is_open"`
			OutOfOfficeMessage *string `json:"out_of_office_message"`
		} `json:"business_hours"`
	}
	srv.getJSON(t, "/api/customer/widget/settings", key, &settings)

	step("open the demo page", func(t *testing.T) {
		b.do("navigate", chromedp.Navigate(srv.URL+"/demo"))
		b.wait("launcher", visible(".launcher"), 15*time.Second)
		var look struct {
			Right bool
			Bg    string
			Label string
		}
		b.eval(`(() => { const l = `+w(".launcher")+`; const r = l.getBoundingClientRect();
			return { Right: r.right > innerWidth - 100, Bg: getComputedStyle(l).backgroundColor, Label: l.textContent } })()`, &look)
		if !look.Right || look.Bg != "rgb(15, 118, 110)" || look.Label != settings.LauncherText {
			t.Errorf("launcher %+v, want bottom-right, rgb(15, 118, 110) (#0f766e), label %q", look, settings.LauncherText)
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
		const query = "I can't get into my account"
		// `serve -seed` seeds the demo knowledge base; indexing is asynchronous.
		if !waitForResults(t, srv, key, query, 90*time.Second) {
			t.Fatalf("the seeded demo knowledge base never became searchable for %q", query)
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
		b.do("type", chromedp.SendKeys(el("#hp-input"), "Hi, my notes are not syncing."+kb.Enter))
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
		srv.getJSON(t, "/api/customer/conversations/"+token, key, &conv)
		var out struct {
			ReplyToConversation struct{ Message struct{ ID string } }
		}
		errs := srv.graphQL(t, agentToken, `mutation($in: ReplyInput!) { replyToConversation(input: $in) { message { id } } }`,
			map[string]any{"in": map[string]any{"conversationId": conv.ID, "body": body}}, &out)
		if len(errs) > 0 || out.ReplyToConversation.Message.ID == "" {
			t.Fatalf("replyToConversation: %+v", errs)
		}
	}

	step("receive an agent reply without reloading", func(t *testing.T) {
		reply(t, "Sorry about that! Which devices do you use?")
		b.wait("live agent reply", wAll(".log .msg[data-author=agent]")+".length === 1", 15*time.Second)
		if got := b.str(w(".log .msg[data-author=agent] .bubble") + ".textContent"); got != "Sorry about that! Which devices do you use?" {
			t.Errorf("agent reply %q", got)
		}
		b.shot("agent-reply-live")

		b.do("close", chromedp.Click(el(`.head [aria-label="Close support chat"]`)))
		b.wait("closed", "!("+visible(".panel")+")", 5*time.Second)
		reply(t, "Please sign out and in again on the phone; that restarts sync.")
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
		if _, h, _ := srv.call(t, http.MethodGet, "/api/customer/widget/settings", key, ""); h.Get("X-RateLimit-Limit") == "" {
			t.Fatal("the server sends no X-RateLimit-* headers")
		}
		// Use up this client's message allowance from the same address as the
		// browser, in another conversation, and keep it used up (limits refill
		// continuously) until the widget has shown the 429.
		status, _, body := srv.call(t, http.MethodPost, "/api/customer/conversations", key, `{"message":"a second conversation to flood"}`)
		var created struct {
			WidgetToken string `json:"widget_token"`
		}
		json.Unmarshal(body, &created)
		if status != http.StatusCreated || created.WidgetToken == "" {
			t.Fatalf("second conversation: %d %s", status, body)
		}
		floodPath := "/api/customer/conversations/" + created.WidgetToken + "/messages"
		limited := false
		for i := 0; i < 1000 && !limited; i++ {
			status, _, _ := srv.call(t, http.MethodPost, floodPath, key, `{"body":"flood"}`)
			limited = status == http.StatusTooManyRequests
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
					if res, err := send(http.MethodPost, srv.URL+floodPath, key, `{"body":"flood"}`); err == nil {
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

	step("embed on another origin", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/api/customer/widget/settings", nil)
		req.Header.Set("Origin", "http://shop.example")
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("Access-Control-Request-Headers", "x-api-key")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.Header.Get("Access-Control-Allow-Origin") == "" {
			t.Fatal("the Customer API grants no CORS to another origin")
		}
		host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><title>Shop</title><h1>A shop on another origin</h1>
<script src="%[1]s/widget.js"></script>
<script>Helpium.on("ready", () => { window.__ready = true }); Helpium.init({ apiKey: %[2]q });</script>`, srv.URL, key)
		}))
		defer host.Close()
		b.do("navigate", chromedp.Navigate(host.URL))
		b.wait("ready (baseUrl from the script's origin)", `window.__ready === true && `+visible(".launcher"), 15*time.Second)
		b.do("open", chromedp.Click(el(".launcher")))
		b.do("start", chromedp.Click(el(".home .primary")))
		b.do("type", chromedp.SendKeys(el("#hp-input"), "Hello from another origin."+kb.Enter))
		b.wait("message sent", wAll(".log .msg.mine:not(.pending)")+".length === 1", 15*time.Second)
		token = b.str(`JSON.parse(localStorage.getItem(` + jsString("helpium:"+key) + `) || "{}").token`)
		reply(t, "Hello, shop visitor!")
		b.wait("live reply across origins", wAll(".log .msg[data-author=agent]")+".length === 1", 15*time.Second)
		b.shot("another-origin")
	})
}

// waitForResults polls the search endpoint until the query finds an article
// (indexing is asynchronous).
func waitForResults(t *testing.T, srv *server, key, query string, timeout time.Duration) bool {
	t.Helper()
	q, _ := json.Marshal(map[string]string{"query": query})
	deadline := time.Now().Add(timeout)
	for {
		var out struct {
			Results []json.RawMessage `json:"results"`
		}
		status, _, body := srv.call(t, http.MethodPost, "/api/customer/search", key, string(q))
		if status == http.StatusOK && json.Unmarshal(body, &out) == nil && len(out.Results) > 0 {
			return true
		}
		if time.Now().After(deadline) {
			t.Logf("search for %q: last answer %d %s", query, status, body)
			return false
		}
		time.Sleep(time.Second)
	}
}

// TestWidgetOnDisallowedOrigin: on a page whose origin the workspace does
// not allow, the widget asks once, reads the server's forbidden, stays
// hidden and says why, instead of retrying what looks like a network error.
func TestWidgetOnDisallowedOrigin(t *testing.T) {
	srv := startServer(t)
	wsID, owner := srv.member(t, "owner@demo.test", helpium.RoleOwner)
	if errs := srv.graphQL(t, owner, `mutation($w: ID!) { setAllowedOrigins(workspaceId: $w, origins: ["https://shop.example"]) { id } }`,
		map[string]any{"w": wsID}, nil); len(errs) > 0 {
		t.Fatalf("setAllowedOrigins: %+v", errs)
	}
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Elsewhere</title>
<script>
window.__settingsRequests = 0; window.__console = [];
const f = window.fetch; window.fetch = (u, o) => { if (String(u).includes("/widget/settings")) window.__settingsRequests++; return f(u, o); };
const ce = console.error; console.error = (...a) => { window.__console.push(a.join(" ")); ce(...a); };
</script>
<script src="%[1]s/widget.js"></script>
<script>Helpium.on("error", (e) => { window.__error = e }); Helpium.init({ apiKey: %[2]q });</script>`, srv.URL, service.DemoAPIKey)
	}))
	defer host.Close()
	b := newBrowser(t)
	b.do("navigate", chromedp.Navigate(host.URL))
	b.wait("the error event", `window.__error`, 10*time.Second)
	time.Sleep(2 * time.Second) // room for retries, were there any
	var got struct {
		Code     string
		Requests int
		Console  []string
		Launcher bool
	}
	b.eval(`({ Code: window.__error.code, Requests: window.__settingsRequests, Console: window.__console, Launcher: `+visible(".launcher")+` })`, &got)
	if got.Code != "forbidden" || got.Requests != 1 || got.Launcher {
		t.Errorf("on a disallowed origin: %+v, want one request, error forbidden, no launcher", got)
	}
	if len(got.Console) != 1 || !strings.Contains(got.Console[0], host.URL) || !strings.Contains(got.Console[0], "setAllowedOrigins") {
		t.Errorf("console: %q", got.Console)
	}
	b.shot("disallowed-origin")
}
