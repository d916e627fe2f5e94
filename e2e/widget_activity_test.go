//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/service"
)

// activityEvent is a conversationActivity event as an agent receives it.
type activityEvent struct {
	Kind              string
	Actor             string
	Typing            *bool
	ExpiresAt         *string
	LastReadMessageID *string
}

// TestWidgetActivity: typing indicators and read state between the widget
// on /demo and agents over GraphQL. The customer's typing reaches an
// agent's conversationActivity subscription (one start per 2 s, a stop on
// send); an agent's setTyping shows "Agent is typing…" until a stop, a
// reply or its expiry; the widget reports what it has shown as read (the
// agent's seenUpTo), shows "Seen" after markConversationRead, after a
// reload takes its unread badge and "Seen" from the server, and sends again
// a read report the server never got; a file over the workspace's limits
// is refused before any upload.
func TestWidgetActivity(t *testing.T) {
	srv := startServer(t)
	key := service.DemoAPIKey
	_, agentToken := srv.member(t, "agent@demo.test", helpium.RoleAgent)
	wsID, ownerToken := srv.member(t, "owner@demo.test", helpium.RoleOwner)
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
	const typingText = `Agent is typing…`
	typingShown := w(".conv .typing[role=status]") + `?.textContent === ` + jsString(typingText) + ` && ` + visible(".conv .typing")
	typingGone := w(".conv .typing") + `?.textContent === ""`
	// seenOn is a JavaScript condition: "Seen" shows once, under the
	// customer's message with this id.
	seenOn := func(id string) string {
		return wAll(".log .seen") + `.length === 1 && ` + w(".log .seen") + `.textContent === "Seen" && ` +
			w(".log .seen") + `.closest(".msg").dataset.id === ` + jsString(id) + ` && ` + visible(".log .seen")
	}

	var token, convID string
	step("the customer starts a conversation", func() {
		b.do("open the demo", chromedp.Navigate(srv.URL+"/demo"))
		b.wait("launcher", visible(".launcher"), 15*time.Second)
		b.do("open", chromedp.Click(el(".launcher")))
		b.do("start", chromedp.Click(el(".home .primary")))
		b.wait("composer", visible("#hp-input"), 5*time.Second)
		b.do("send", chromedp.SendKeys(el("#hp-input"), "My invoices page is blank."+kb.Enter))
		b.wait("message sent", wAll(".log .msg.mine:not(.pending)")+`.length === 1`, 15*time.Second)
		token = b.str(`JSON.parse(localStorage.getItem(` + jsString("helpium:"+key) + `) || "{}").token`)
		var conv struct {
			ID   string `json:"id"`
			Read *struct {
				UnreadCount int     `json:"unread_count"`
				SeenUpTo    *string `json:"seen_up_to"`
			} `json:"read"`
		}
		srv.getJSON(t, "/api/customer/conversations/"+token, key, &conv)
		convID = conv.ID
		if convID == "" || conv.Read == nil || conv.Read.SeenUpTo != nil {
			t.Fatalf("GET /conversations/{token}: %+v, want an id and read state, seen by nobody", conv)
		}
	})

	// The owner follows the conversation's activity, as the agent app does.
	var sub <-chan activityEvent
	step("an agent's typing shows in the widget until they stop", func() {
		sub = activityFeed(t, srv, ownerToken, convID)
		// The subscription starts on its own time: the customer's stops
		// (never throttled, and nothing to show) go until one arrives.
		for ready, deadline := false, time.Now().Add(15*time.Second); !ready; {
			if time.Now().After(deadline) {
				t.Fatal("conversationActivity never delivered the customer's typing")
			}
			if status, _, body := srv.call(t, http.MethodPost, "/api/customer/conversations/"+token+"/typing", key, `{"typing":false}`); status != http.StatusNoContent {
				t.Fatalf("POST .../typing: %d %s", status, body)
			}
			select {
			case a, ok := <-sub:
				ready = ok && a.Kind == "TYPING" && a.Actor == "CUSTOMER"
			case <-time.After(500 * time.Millisecond):
			}
		}
		// So is the widget's stream, and the server lets one start through
		// per 2 s: start again until the widget shows it.
		agentTypes(t, srv, b, agentToken, convID, typingShown)
		a := awaitActivity(t, sub, "the agent's typing", 10*time.Second, func(a activityEvent) bool { return a.Kind == "TYPING" && a.Actor == "AGENT" })
		if a.Typing == nil || !*a.Typing || a.ExpiresAt == nil {
			t.Errorf("the other agent's typing: %+v", a)
		}
		b.shot("agent-typing")
		for _, v := range b.axeViolations() {
			t.Errorf("axe-core, agent typing: %s", v)
		}
		gql(agentToken, "setTyping false", `mutation($c: ID!) { setTyping(conversationId: $c, typing: false) }`, map[string]any{"c": convID}, nil)
		b.wait("the indicator gone after the stop", typingGone, 5*time.Second)
	})

	step("the indicator also ends with the agent's reply, or by itself", func() {
		agentTypes(t, srv, b, agentToken, convID, typingShown)
		agentReply(t, srv, agentToken, convID, "Which browser do you use?")
		b.wait("the reply, and no indicator", wAll(".log .msg[data-author=agent]")+`.length === 1 && `+typingGone, 10*time.Second)

		agentTypes(t, srv, b, agentToken, convID, typingShown)
		start := time.Now()
		b.wait("the indicator gone by itself (expires_at, 6 s)", typingGone, 10*time.Second)
		if d := time.Since(start); d < 3*time.Second {
			t.Errorf("the indicator went after %s, with no stop, reply or expiry", d)
		}
	})

	step("the customer's typing reaches the agent: a start per 2 s, a stop on send", func() {
		b.eval(`(() => { window.__typing = []; const f = window.fetch; window.fetch = (u, o) => {
			if (String(u).endsWith("/typing")) window.__typing.push(JSON.parse(o.body).typing); return f(u, o); }; })()`, nil)
		b.do("type", chromedp.SendKeys(el("#hp-input"), "Chrome on a Mac"))
		a := awaitActivity(t, sub, "the customer's typing", 10*time.Second, func(a activityEvent) bool { return a.Kind == "TYPING" && a.Actor == "CUSTOMER" })
		if a.Typing == nil || !*a.Typing {
			t.Errorf("the customer's typing: %+v, want a start", a)
		}
		if got := b.str(`JSON.stringify(window.__typing)`); got != "[true]" {
			t.Errorf("typing requests while typing 15 characters: %s, want one start", got)
		}
		time.Sleep(2100 * time.Millisecond) // the 2 s between starts; what follows is checked
		b.do("type on", chromedp.SendKeys(el("#hp-input"), ", version 126."))
		b.wait("a second start", `JSON.stringify(window.__typing) === "[true,true]"`, 5*time.Second)
		b.do("send", chromedp.SendKeys(el("#hp-input"), kb.Enter))
		b.wait("a stop on send", `JSON.stringify(window.__typing) === "[true,true,false]"`, 5*time.Second)
		awaitActivity(t, sub, "the customer's stop", 10*time.Second, func(a activityEvent) bool {
			return a.Kind == "TYPING" && a.Actor == "CUSTOMER" && a.Typing != nil && !*a.Typing
		})
	})

	var latest string
	step("the widget reports what it has shown as read", func() {
		b.wait("the message sent", wAll(".log .msg.mine:not(.pending)")+`.length === 2`, 15*time.Second)
		latest = agentReply(t, srv, agentToken, convID, "Thanks, we are looking into it.")
		b.wait("the reply", wAll(".log .msg[data-author=agent]")+`.length === 2`, 15*time.Second)
		waitSeenUpTo(t, srv, agentToken, convID, latest, "after the reply showed")
		awaitActivity(t, sub, "the customer's read", 10*time.Second, func(a activityEvent) bool {
			return a.Kind == "READ" && a.Actor == "CUSTOMER" && a.LastReadMessageID != nil && *a.LastReadMessageID == latest
		})
	})

	var seenMsg string // the customer's message "Seen" is under
	step("an agent's read shows as Seen under the customer's newest message before it", func() {
		if b.boolean(wAll(".log .seen") + `.length > 0`) {
			t.Error(`"Seen" shows before any agent has read the conversation`)
		}
		seenMsg = b.str(wAll(".log .msg.mine") + `.at(-1).dataset.id`)
		gql(agentToken, "markConversationRead", `mutation($c: ID!) { markConversationRead(conversationId: $c) { id } }`, map[string]any{"c": convID}, nil)
		b.wait(`"Seen" under the customer's second message`, seenOn(seenMsg), 10*time.Second)
		b.shot("seen")

		b.do("send another", chromedp.SendKeys(el("#hp-input"), "Thanks!"+kb.Enter))
		b.wait("sent", wAll(".log .msg.mine:not(.pending)")+`.length === 3`, 15*time.Second)
		if !b.boolean(seenOn(seenMsg)) {
			t.Error(`"Seen" moved to a message no agent has read`)
		}
		third := b.str(wAll(".log .msg.mine") + `.at(-1).dataset.id`)
		gql(agentToken, "markConversationRead", `mutation($c: ID!) { markConversationRead(conversationId: $c) { id } }`, map[string]any{"c": convID}, nil)
		b.wait(`"Seen" moved to the newest message`, seenOn(third), 10*time.Second)
		seenMsg = third
	})

	step("after a reload, the badge and Seen come from the server", func() {
		b.do("close", chromedp.Click(el(`.head [aria-label="Close support chat"]`)))
		b.wait("closed", `!(`+visible(".panel")+`)`, 5*time.Second)
		latest = agentReply(t, srv, agentToken, convID, "Found it: clear the cache once and it loads.")
		b.wait("unread badge", visible(".badge")+` && `+w(".badge")+`.textContent === "1"`, 15*time.Second)
		// Only the server can say what is unread now.
		b.eval(`(k => { const v = JSON.parse(localStorage.getItem(k)); delete v.lastRead; localStorage.setItem(k, JSON.stringify(v)); })(`+jsString("helpium:"+key)+`)`, nil)
		b.do("reload", chromedp.Reload())
		b.wait("the badge again, from the server", visible(".badge")+` && `+w(".badge")+`.textContent === "1"`, 15*time.Second)
		b.wait(`"Seen" from the server`, w(".log .seen")+`?.closest(".msg").dataset.id === `+jsString(seenMsg), 10*time.Second)
		b.shot("unread-after-reload")
		var seen struct{ Conversation struct{ SeenUpTo *string } }
		gql(agentToken, "conversation", `query($c: ID!) { conversation(id: $c) { seenUpTo } }`, map[string]any{"c": convID}, &seen)
		if got := seen.Conversation.SeenUpTo; got == nil || *got != seenMsg {
			t.Errorf("seenUpTo %v before the customer opened the panel, want %s (the message before the reply)", jsonOf(got), seenMsg)
		}
		b.do("open", chromedp.Click(el(".launcher")))
		b.do("continue", chromedp.Click(el(".home .primary")))
		b.wait("badge cleared", `!(`+visible(".badge")+`)`, 5*time.Second)
		waitSeenUpTo(t, srv, agentToken, convID, latest, "after the panel opened on it")
		if !b.boolean(seenOn(seenMsg)) {
			t.Error(`"Seen" is not under the customer's newest message after the reload`)
		}
	})

	step("a read report lost as the page goes is sent again on the next load", func() {
		b.do("close", chromedp.Click(el(`.head [aria-label="Close support chat"]`)))
		b.wait("closed", `!(`+visible(".panel")+`)`, 5*time.Second)
		latest = agentReply(t, srv, agentToken, convID, "Did that work?")
		b.wait("unread badge", visible(".badge")+` && `+w(".badge")+`.textContent === "1"`, 15*time.Second)
		b.eval(`(() => { window.__dropped = 0; const f = window.fetch; window.fetch = (u, o) => {
			if (String(u).endsWith("/read")) { window.__dropped++; return Promise.reject(new TypeError("dropped")); } return f(u, o); }; })()`, nil)
		b.do("open", chromedp.Click(el(".launcher")))
		b.wait("badge cleared, the report dropped", `!(`+visible(".badge")+`) && window.__dropped === 1`, 5*time.Second)
		b.do("close again", chromedp.Click(el(`.head [aria-label="Close support chat"]`)))
		b.do("reload", chromedp.Reload())
		b.wait("history", wAll(".log .msg[data-author=agent]")+`.length === 4`, 15*time.Second)
		waitSeenUpTo(t, srv, agentToken, convID, latest, "after the reload, the panel closed")
		if b.boolean(visible(".badge")) {
			t.Error("the badge shows a message the customer has seen")
		}
	})

	step("files over the workspace's limits are refused before any upload", func() {
		gql(ownerToken, "setAttachmentLimits", `mutation($w: ID!, $in: AttachmentLimitsInput!) { setAttachmentLimits(workspaceId: $w, input: $in) { id } }`,
			map[string]any{"w": wsID, "in": map[string]any{"maxFileBytes": 64 << 10, "maxFilesPerMessage": 2}}, nil)
		dir := t.TempDir()
		big := writeFile(t, dir, "console.log", bytes.Repeat([]byte("GET /invoices 200 0 bytes\n"), 4000))
		small := []string{writeFile(t, dir, "a.txt", []byte("one\n")), writeFile(t, dir, "b.txt", []byte("two\n")), writeFile(t, dir, "c.txt", []byte("three\n"))}
		b.do("reload", chromedp.Reload()) // the widget reads the limits with its settings
		b.wait("launcher", visible(".launcher"), 15*time.Second)
		b.do("open", chromedp.Click(el(".launcher")))
		b.do("continue", chromedp.Click(el(".home .primary")))
		b.wait("composer", visible("#hp-input"), 5*time.Second)
		// The history first: it arrives after the composer shows, and the
		// count of the customer's messages below is taken from it.
		b.wait("history", wAll(".log .msg[data-author=agent]")+`.length === 4`, 15*time.Second)
		b.eval(`(() => { window.__uploads = 0; const s = XMLHttpRequest.prototype.send;
			XMLHttpRequest.prototype.send = function (body) { window.__uploads++; return s.call(this, body); }; })()`, nil)
		sent := b.str(wAll(".log .msg.mine") + `.length`)

		b.do("choose a 101 KB file", chromedp.SetUploadFiles(el(`.composer input[type=file]`), []string{big}))
		b.wait("the refusal, at once", visible(".composer-error")+` && `+w(".chips .chip.bad .name")+`?.textContent === "console.log"`, 5*time.Second)
		if msg := b.str(w(".composer-error") + `.textContent`); msg != "console.log is larger than the limit of 64 KB." {
			t.Errorf("refusal %q", msg)
		}
		b.do("try to send it", chromedp.SendKeys(el("#hp-input"), "The log."+kb.Enter))
		b.shot("file-too-large")
		if got := b.str(`window.__uploads`); got != "0" || b.str(wAll(".log .msg.mine")+`.length`) != sent || b.boolean(w(".log .msg.pending")) {
			t.Errorf("the file too large went out: %s uploads", got)
		}
		if !b.boolean(visible(".composer-error")) || b.str(w("#hp-input")+`.value`) != "The log." {
			t.Error("the refusal or the text left the composer")
		}
		b.do("remove it", chromedp.Click(el(".chips .chip-x")))
		b.wait("no chip, no error", w(".chips")+`.hidden && `+w(".composer-error")+`.hidden`, 5*time.Second)

		b.do("choose three files", chromedp.SetUploadFiles(el(`.composer input[type=file]`), small))
		b.wait("the refusal of a third file", visible(".composer-error")+` && `+wAll(".chips .chip")+`.length === 3`, 5*time.Second)
		if msg := b.str(w(".composer-error") + `.textContent`); msg != "A message may carry at most 2 files." {
			t.Errorf("refusal %q", msg)
		}
		b.do("try to send them", chromedp.SendKeys(el("#hp-input"), kb.Enter))
		if got := b.str(`window.__uploads`); got != "0" {
			t.Errorf("three files went out: %s uploads", got)
		}
		b.do("remove one", chromedp.Click(el(".chips .chip-x")))
		b.wait("no error with two", w(".composer-error")+`.hidden && `+wAll(".chips .chip")+`.length === 2`, 5*time.Second)
		b.do("send two", chromedp.SendKeys(el("#hp-input"), kb.Enter))
		b.wait("sent, with both files", wAll(".log .msg.mine:not(.pending)")+`.at(-1)?.querySelectorAll(".files li").length === 2`, 15*time.Second)
		if got := b.str(`window.__uploads`); got != "1" {
			t.Errorf("uploads %s, want the one message with two files", got)
		}
	})

	for _, line := range b.consoleErrors() {
		if strings.Contains(line, "Failed to load") || strings.Contains(line, "Content Security Policy") {
			t.Errorf("browser console: %s", line)
		}
	}
}

// agentReply sends an agent's reply and returns its message id.
func agentReply(t *testing.T, srv *server, agentToken, convID, body string) string {
	t.Helper()
	var out struct {
		ReplyToConversation struct{ Message struct{ ID string } }
	}
	errs := srv.graphQL(t, agentToken, `mutation($in: ReplyInput!) { replyToConversation(input: $in) { message { id } } }`,
		map[string]any{"in": map[string]any{"conversationId": convID, "body": body}}, &out)
	if len(errs) > 0 || out.ReplyToConversation.Message.ID == "" {
		t.Fatalf("replyToConversation: %+v", errs)
	}
	return out.ReplyToConversation.Message.ID
}

// agentTypes starts the agent's typing until the widget shows it (cond),
// for at most 20 s: the widget's stream may not be listening yet, and the
// server drops starts less than 2 s apart.
func agentTypes(t *testing.T, srv *server, b *browser, agentToken, convID, cond string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if errs := srv.graphQL(t, agentToken, `mutation($c: ID!) { setTyping(conversationId: $c, typing: true) }`, map[string]any{"c": convID}, nil); len(errs) > 0 {
			t.Fatalf("setTyping: %+v", errs)
		}
		for next := time.Now().Add(2100 * time.Millisecond); time.Now().Before(next); time.Sleep(100 * time.Millisecond) {
			if b.boolean(cond) {
				return
			}
		}
	}
	b.shot("timeout-agent-typing")
	t.Fatal(`the widget never showed "Agent is typing…"`)
}

// waitSeenUpTo polls the agent's view of the customer's read position
// until it is id, for at most 15 s.
func waitSeenUpTo(t *testing.T, srv *server, agentToken, convID, id, when string) {
	t.Helper()
	got := "null"
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var out struct{ Conversation struct{ SeenUpTo *string } }
		if errs := srv.graphQL(t, agentToken, `query($c: ID!) { conversation(id: $c) { seenUpTo } }`, map[string]any{"c": convID}, &out); len(errs) > 0 {
			t.Fatalf("conversation: %+v", errs)
		}
		if out.Conversation.SeenUpTo != nil {
			if got = *out.Conversation.SeenUpTo; got == id {
				return
			}
		}
	}
	t.Fatalf("seenUpTo %s %s, want %s: the widget did not report it read", got, when, id)
}

// activityFeed follows conversationActivity(conversationId) over
// graphql-transport-ws as the agent owning token, as the agent app does.
// Events arrive on the channel, which closes when the subscription ends.
func activityFeed(t *testing.T, srv *server, token, convID string) <-chan activityEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/graphql"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		cancel()
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { cancel(); conn.Close(websocket.StatusNormalClosure, "") })
	type message struct {
		ID      string          `json:"id,omitempty"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload,omitempty"`
	}
	init, _ := json.Marshal(map[string]any{"Authorization": "Bearer " + token})
	op, _ := json.Marshal(map[string]any{
		"query":     `subscription($c: ID!) { conversationActivity(conversationId: $c) { kind actor typing expiresAt lastReadMessageId } }`,
		"variables": map[string]any{"c": convID},
	})
	var ack message
	if err := wsjson.Write(ctx, conn, message{Type: "connection_init", Payload: init}); err != nil {
		t.Fatal(err)
	}
	actx, acancel := context.WithTimeout(ctx, 10*time.Second)
	defer acancel()
	if err := wsjson.Read(actx, conn, &ack); err != nil || ack.Type != "connection_ack" {
		t.Fatalf("connection_init: %+v %v", ack, err)
	}
	if err := wsjson.Write(ctx, conn, message{ID: "1", Type: "subscribe", Payload: op}); err != nil {
		t.Fatal(err)
	}
	out, done := make(chan activityEvent, 64), make(chan struct{})
	t.Cleanup(func() { cancel(); <-done }) // runs first: no log after the test
	go func() {
		defer close(done)
		defer close(out)
		for {
			var m message
			if err := wsjson.Read(ctx, conn, &m); err != nil {
				return
			}
			switch m.Type {
			case "ping":
				wsjson.Write(ctx, conn, message{Type: "pong"})
				continue
			case "pong":
				continue
			}
			var body struct {
				Data struct {
					ConversationActivity activityEvent `json:"conversationActivity"`
				} `json:"data"`
				Errors []gqlError `json:"errors"`
			}
			if m.Type != "next" || json.Unmarshal(m.Payload, &body) != nil || len(body.Errors) > 0 {
				t.Logf("conversationActivity ended: %s %s", m.Type, m.Payload)
				return
			}
			select {
			case out <- body.Data.ConversationActivity:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// awaitActivity reads conversationActivity events until match accepts one,
// for at most timeout, and returns it.
func awaitActivity(t *testing.T, sub <-chan activityEvent, what string, timeout time.Duration, match func(activityEvent) bool) activityEvent {
	t.Helper()
	deadline := time.After(timeout)
	var seen []activityEvent
	for {
		select {
		case a, ok := <-sub:
			if !ok {
				t.Fatalf("conversationActivity ended before %s; got %+v", what, seen)
			}
			if match(a) {
				return a
			}
			seen = append(seen, a)
		case <-deadline:
			t.Fatalf("no %s on conversationActivity within %s; got %+v", what, timeout, seen)
		}
	}
}

// jsonOf writes v as JSON, for messages.
func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
