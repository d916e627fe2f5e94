//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/service"
)

// TestAppActivity: the agent app's unread counts, typing indicators and
// read state, against a customer on the Customer API (REST and its event
// stream). The inbox counts the customer's unread messages and drops to 0
// when the agent opens the conversation (the server agrees); the
// customer's typing shows as "Customer is typing…" until they stop or
// send; the agent typing a reply reaches the customer's stream as a typing
// event, and sending stops it; the customer's read shows "Seen" under the
// reply, live and after a reload; a colleague's typing shows with their
// name, the agent's own never.
func TestAppActivity(t *testing.T) {
	srv := startServer(t)
	key := service.DemoAPIKey
	_, token, password := srv.memberWithPassword(t, "activity-agent@demo.test", helpium.RoleAgent)
	_, colleagueToken := srv.member(t, "colleague@demo.test", helpium.RoleAgent)
	agent := newBrowser(t)

	q := func(sel string) string { return fmt.Sprintf("document.querySelector(%s)", jsString(sel)) }
	typeIn := func(sel, s string) chromedp.Action[chromedp.Void] {
		return chromedp.SendKeys(chromedp.JSPath(q(sel)), s)
	}
	// row is the inbox's button for the conversation whose preview has text.
	row := func(text string) string {
		return `[...document.querySelectorAll(".inbox .list button")].find(b => b.textContent.includes(` + jsString(text) + `))`
	}
	typingText := q(".conversation .typing") + `?.textContent`
	step := func(name string, fn func()) {
		if !t.Failed() {
			fn()
		}
	}
	// customer calls the Customer API for the conversation behind the
	// widget token and wants status.
	var widgetToken, conversationID string
	customer := func(method, path, body string, want int) []byte {
		t.Helper()
		status, _, out := srv.call(t, method, "/api/customer/conversations/"+widgetToken+path, key, body)
		if status != want {
			t.Fatalf("%s %s %s: %d %s, want %d", method, path, body, status, out, want)
		}
		return out
	}
	// unread is the conversation's unreadCount for the agent in the browser.
	unread := func() int {
		t.Helper()
		var out struct {
			Conversation struct{ UnreadCount int } `json:"conversation"`
		}
		if errs := srv.graphQL(t, token, `query($id: ID!) { conversation(id: $id) { unreadCount } }`, map[string]any{"id": conversationID}, &out); len(errs) > 0 {
			t.Fatalf("unreadCount: %+v", errs)
		}
		return out.Conversation.UnreadCount
	}
	untilUnread := func(want int, timeout time.Duration) {
		t.Helper()
		got := -1
		for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if got = unread(); got == want {
				return
			}
		}
		t.Errorf("the server's unreadCount is %d, want %d", got, want)
	}

	step("sign in", func() {
		agent.do("open", chromedp.Navigate(srv.URL+"/app"))
		agent.signIn("activity-agent@demo.test", password)
	})

	const first, second = "My parcel has not arrived.", "It was due on Monday."
	step("the inbox counts the customer's unread messages", func() {
		status, _, body := srv.call(t, http.MethodPost, "/api/customer/conversations", key, `{"message":`+jsString(first)+`}`)
		var created struct {
			Conversation struct{ ID string } `json:"conversation"`
			WidgetToken  string              `json:"widget_token"`
		}
		if status != http.StatusCreated || json.Unmarshal(body, &created) != nil || created.WidgetToken == "" {
			t.Fatalf("start a conversation: %d %s", status, body)
		}
		widgetToken, conversationID = created.WidgetToken, created.Conversation.ID
		agent.wait("the conversation, 1 unread", `(b => b && b.classList.contains("unread") && b.querySelector(".badge")?.textContent === "1 unread")(`+row(first)+`)`, 15*time.Second)
		customer(http.MethodPost, "/messages", `{"body":`+jsString(second)+`}`, http.StatusCreated)
		agent.wait("2 unread", `(b => b && b.querySelector(".badge")?.textContent === "2 unread")(`+row(second)+`)`, 15*time.Second)
		agent.shot("inbox-unread")
		if n := unread(); n != 2 {
			t.Errorf("the server's unreadCount is %d before opening, want 2", n)
		}
	})

	step("opening the conversation reads it", func() {
		agent.do("open it", chromedp.Click(chromedp.JSPath(row(second))))
		agent.wait("the thread", `[...document.querySelectorAll(".thread .msg.customer")].some(m => m.textContent.includes(`+jsString(second)+`))`, 10*time.Second)
		agent.wait("no unread count in the inbox", `(b => b && !b.classList.contains("unread") && !b.querySelector(".badge"))(`+row(second)+`)`, 10*time.Second)
		untilUnread(0, 10*time.Second)
		agent.shot("conversation-read")
	})

	step("the customer's typing shows until they stop", func() {
		customer(http.MethodPost, "/typing", `{"typing":true}`, http.StatusNoContent)
		agent.wait("Customer is typing…", typingText+` === "Customer is typing…"`, 10*time.Second)
		agent.shot("customer-typing")
		customer(http.MethodPost, "/typing", `{"typing":false}`, http.StatusNoContent)
		agent.wait("the indicator gone", typingText+` === ""`, 10*time.Second)
	})

	const reply = "It left our warehouse this morning."
	var replyID string
	step("the agent's typing reaches the customer's event stream", func() {
		stream := followEvents(t, srv.URL+"/api/customer/conversations/"+widgetToken+"/events?api_key="+key)
		agent.do("type a reply", typeIn(`#reply-body`, reply))
		ev := stream.next(t, "a typing start", 10*time.Second, func(ev sseEvent) bool { return ev.name == "typing" })
		var typing struct {
			Actor     string  `json:"actor"`
			Typing    *bool   `json:"typing"`
			ExpiresAt *string `json:"expires_at"`
		}
		json.Unmarshal([]byte(ev.data), &typing)
		if typing.Typing == nil || !*typing.Typing || typing.Actor != "agent" || typing.ExpiresAt == nil {
			t.Errorf("first typing event %s, want the agent starting, with expires_at", ev.data)
		}
		if got := agent.str(typingText); got != "" {
			t.Errorf("the agent sees their own typing: %q", got)
		}
		agent.do("send", chromedp.Click(chromedp.JSPath(q(`.reply button[type=submit]`))))
		// The typing stop and the reply, in either order: the app sends
		// both at once.
		var stopped bool
		stream.next(t, "a typing stop and the reply", 10*time.Second, func(ev sseEvent) bool {
			switch {
			case ev.name == "typing" && strings.Contains(ev.data, `"typing":false`):
				stopped = true
			case ev.name == "message" && strings.Contains(ev.data, reply):
				var m struct{ ID string }
				if json.Unmarshal([]byte(ev.data), &m); m.ID == "" {
					t.Fatalf("message event without an id: %s", ev.data)
				}
				replyID = m.ID
			}
			return stopped && replyID != ""
		})
	})

	// seenUnder is a JavaScript condition: "Seen" is shown once, under the
	// agent's message with text.
	seenUnder := func(text string) string {
		return `(s => s.length === 1 && s[0].textContent === "Seen" && s[0].closest(".msg.agent").textContent.includes(` + jsString(text) + `))([...document.querySelectorAll(".thread .seen")])`
	}
	step("the customer's read shows Seen, live and after a reload", func() {
		if agent.boolean(q(".thread .seen")) {
			t.Error(`"Seen" before the customer read anything`)
		}
		customer(http.MethodPost, "/read", `{"message_id":`+jsString(replyID)+`}`, http.StatusOK)
		agent.wait("Seen under the reply", seenUnder(reply), 10*time.Second)
		agent.shot("seen")
		agent.do("reload", chromedp.Reload())
		agent.wait("the inbox", row(reply), 15*time.Second)
		agent.do("open it", chromedp.Click(chromedp.JSPath(row(reply))))
		agent.wait("Seen from the conversation's seenUpTo", seenUnder(reply), 10*time.Second)
	})

	step("a colleague's typing shows with their name; the customer's ends with their message", func() {
		var me struct{ Me struct{ Name string } }
		srv.graphQL(t, colleagueToken, `{ me { name } }`, nil, &me)
		setTyping := func(on bool) {
			if errs := srv.graphQL(t, colleagueToken, `mutation($c: ID!, $t: Boolean!) { setTyping(conversationId: $c, typing: $t) }`,
				map[string]any{"c": conversationID, "t": on}, nil); len(errs) > 0 {
				t.Fatalf("setTyping(%v) as a colleague: %+v", on, errs)
			}
		}
		setTyping(true)
		agent.wait("the colleague typing", typingText+` === `+jsString(me.Me.Name+" is typing…"), 10*time.Second)
		// A start within 2 s of the customer's last one is dropped: ask
		// again until the indicator shows.
		shown := false
		for deadline := time.Now().Add(10 * time.Second); !shown && time.Now().Before(deadline); {
			customer(http.MethodPost, "/typing", `{"typing":true}`, http.StatusNoContent)
			for until := time.Now().Add(time.Second); !shown && time.Now().Before(until); time.Sleep(100 * time.Millisecond) {
				shown = agent.boolean(typingText + `.includes("Customer is typing…")`)
			}
		}
		if !shown {
			t.Fatal("the customer's typing never showed beside the colleague's")
		}
		agent.shot("both-typing")
		const thanks = "Great, thank you!"
		customer(http.MethodPost, "/messages", `{"body":`+jsString(thanks)+`}`, http.StatusCreated)
		agent.wait("the customer's message ends their indicator", `[...document.querySelectorAll(".thread .msg.customer")].some(m => m.textContent.includes(`+jsString(thanks)+`)) && `+
			typingText+` === `+jsString(me.Me.Name+" is typing…"), 10*time.Second)
		// The conversation is open and the tab visible: the new message is
		// read at once.
		agent.wait("still no unread count", `(b => b && !b.querySelector(".badge"))(`+row(thanks)+`)`, 10*time.Second)
		untilUnread(0, 10*time.Second)
		setTyping(false)
		agent.wait("the colleague's indicator gone", typingText+` === ""`, 10*time.Second)
		for _, v := range agent.axeViolations() {
			t.Errorf("axe-core, conversation: %s", v)
		}
	})

	for _, line := range agent.consoleErrors() {
		if strings.Contains(line, "Content Security Policy") || strings.Contains(line, "Failed to load") {
			t.Errorf("browser console: %s", line)
		}
	}
}

// sseEvent is one Server-Sent Event: its name and data.
type sseEvent struct{ name, data string }

// eventStream is a Customer API event stream being read.
type eventStream struct{ events chan sseEvent }

// followEvents opens an event stream and reads it until the test ends.
func followEvents(t *testing.T, url string) *eventStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Accept", "text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	s := &eventStream{events: make(chan sseEvent, 64)}
	go func() {
		defer res.Body.Close()
		defer close(s.events)
		var ev sseEvent
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" || ev.data != "" {
					select {
					case s.events <- ev:
					case <-ctx.Done():
						return
					}
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.name = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				ev.data += line[len("data: "):]
			}
		}
	}()
	return s
}

// next returns the first event that ok accepts, skipping the others.
func (s *eventStream) next(t *testing.T, what string, timeout time.Duration, ok func(sseEvent) bool) sseEvent {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev, open := <-s.events:
			if !open {
				t.Fatalf("the event stream ended before %s", what)
			}
			if ok(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %s on the event stream in %s", what, timeout)
		}
	}
}
