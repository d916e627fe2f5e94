package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/internal/mailpit"
	"github.com/helpium/helpium/service"
)

// Email when the customer is away (#21): the notifier runs on a clock the
// tests move, so "five minutes later" takes no time.

// awayClock is a clock tests move forward.
type awayClock struct {
	mu sync.Mutex
	t  time.Time
}

func newAwayClock() *awayClock { return &awayClock{t: time.Now().UTC()} }

func (c *awayClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *awayClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// awaySetup is a workspace that sends away emails after 5 minutes, and a
// conversation of it whose customer gave an address.
type awaySetup struct {
	app          *apptest.App
	clock        *awayClock
	box          *mailpit.Client
	owner        *service.NewOwner
	key          string
	conversation string
	token        string
	email        string
}

const setAwayMutation = `mutation($w: ID!, $in: AwayEmailSettingsInput!) { setAwayEmail(workspaceId: $w, input: $in) { awayEmail { enabled delayMinutes resumeUrl } } }`

func newAwaySetup(t *testing.T, resumeURL string) *awaySetup {
	t.Helper()
	clock := newAwayClock()
	app := apptest.New(t, service.Options{Now: clock.Now, PresenceInterval: 50 * time.Millisecond})
	s := &awaySetup{app: app, clock: clock, box: mailpit.FromEnv(t), owner: app.Owned(t, "Acme Shop")}
	s.key = s.owner.Workspace.APIKey
	in := map[string]any{"enabled": true, "delayMinutes": 5}
	if resumeURL != "" {
		in["resumeUrl"] = resumeURL
	}
	mustGraphQL(t, app.AgentGraphQL(t, s.owner.Token, setAwayMutation, map[string]any{"w": s.owner.Workspace.ID, "in": in}, nil))
	s.conversation, s.token, s.email = s.identifiedConversation(t, "Where is my parcel?")
	return s
}

// identifiedConversation starts a conversation and identifies its customer
// with a new address.
func (s *awaySetup) identifiedConversation(t *testing.T, message string) (id, token, email string) {
	t.Helper()
	id, token = startConversation(t, s.app, s.key, message)
	email = address("customer")
	if res := s.app.Request(t, "POST", "/api/customer/tracking/identify", s.key, map[string]any{"email": email, "name": "Ann", "widget_token": token}); res.Status != 200 {
		t.Fatalf("identify: %d %s", res.Status, res.Body)
	}
	return id, token, email
}

func (s *awaySetup) reply(t *testing.T, conversation, body string) {
	t.Helper()
	mustGraphQL(t, s.app.AgentGraphQL(t, s.owner.Token, `mutation($c: ID!, $b: String!) { replyToConversation(input: {conversationId: $c, body: $b}) { created } }`,
		map[string]any{"c": conversation, "b": body}, nil))
}

func (s *awaySetup) note(t *testing.T, conversation, body string) {
	t.Helper()
	mustGraphQL(t, s.app.AgentGraphQL(t, s.owner.Token, `mutation($c: ID!, $b: String!) { addInternalNote(input: {conversationId: $c, body: $b}) { id } }`,
		map[string]any{"c": conversation, "b": body}, nil))
}

// notify runs the notifier once and returns how many emails it queued.
func (s *awaySetup) notify(t *testing.T) int {
	t.Helper()
	n, err := s.app.Service.Notifications.SendAwayEmails(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitSeen waits until the widget's presence of a conversation has been
// written at the clock's current time (a connected stream writes it every
// 50 ms here).
func (s *awaySetup) waitSeen(t *testing.T, conversation string) {
	t.Helper()
	want := s.clock.Now().Truncate(time.Microsecond)
	deadline := time.Now().Add(10 * time.Second)
	for {
		at, err := s.app.Service.Store().WidgetSeenAt(context.Background(), conversation)
		if err != nil {
			t.Fatal(err)
		}
		if at != nil && !at.Before(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the widget's presence was not written at %s (last: %v)", want, at)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitGone waits until no widget writes the conversation's presence any
// more: the clock moves on a second at a time until its presence stays
// behind for longer than several presence intervals.
func (s *awaySetup) waitGone(t *testing.T, conversation string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		s.clock.Advance(time.Second)
		time.Sleep(200 * time.Millisecond)
		at, err := s.app.Service.Store().WidgetSeenAt(context.Background(), conversation)
		if err != nil {
			t.Fatal(err)
		}
		if at != nil && at.Before(s.clock.Now().Truncate(time.Microsecond)) {
			return
		}
	}
	t.Fatal("the widget's presence is still written after its stream ended")
}

var resumeLink = regexp.MustCompile(`https://shop\.example\.com/help\?\S+`)

// TestAwayEmailArrivesOnceAndItsLinkResumesTheConversation: two replies to a
// customer who left go out in one email, once the oldest is five minutes
// old, exactly once (another replica running the notifier sends nothing
// more), through the real SMTP server; its link reopens the conversation
// in the widget with a new token, and its unsubscribe link works.
func TestAwayEmailArrivesOnceAndItsLinkResumesTheConversation(t *testing.T) {
	s := newAwaySetup(t, "https://shop.example.com/help?lang=en")
	ctx := context.Background()
	s.reply(t, s.conversation, "Your parcel left our warehouse today.")
	s.note(t, s.conversation, "internal: courier is slow this week")
	s.clock.Advance(2 * time.Minute)
	s.reply(t, s.conversation, "Tracking number: ZX-42.")
	if n := s.notify(t); n != 0 {
		t.Fatalf("queued %d emails two minutes after the first reply", n)
	}
	s.clock.Advance(3*time.Minute + time.Second)
	if n := s.notify(t); n != 1 {
		t.Fatalf("queued %d emails five minutes after the first reply, want 1", n)
	}
	// Another replica (a restart) finds nothing more to send.
	other := apptest.Start(t, s.app.DatabaseURL, service.Options{Now: s.clock.Now})
	if n, err := other.Service.Notifications.SendAwayEmails(ctx); err != nil || n != 0 {
		t.Fatalf("the other replica queued %d (%v)", n, err)
	}
	if n := s.notify(t); n != 0 {
		t.Fatalf("queued %d more", n)
	}

	got := s.box.Wait(t, s.email, 1)
	time.Sleep(300 * time.Millisecond) // the mailer polls every 50 ms: a second copy would be here by now
	if got = s.box.To(t, s.email); len(got) != 1 {
		t.Fatalf("%d emails, want 1", len(got))
	}
	m := got[0]
	text := strings.ReplaceAll(m.Text, "\r\n", "\n")
	if m.Subject != "2 new replies from Acme Shop" {
		t.Errorf("subject %q", m.Subject)
	}
	for _, want := range []string{"Hello Ann", "Your parcel left our warehouse today.", "Tracking number: ZX-42.", "(Acme Shop)", "/unsubscribe?c="} {
		if !strings.Contains(text, want) {
			t.Errorf("the email lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "courier is slow") || strings.Contains(text, "Where is my parcel") {
		t.Errorf("the email carries an internal note or the customer's own message:\n%s", text)
	}
	h := s.box.Headers(t, m.ID)
	if lu := h["List-Unsubscribe"]; len(lu) != 1 || !strings.Contains(lu[0], "/unsubscribe?c=") || h["List-Unsubscribe-Post"][0] != "List-Unsubscribe=One-Click" {
		t.Errorf("unsubscribe headers: %v %v", h["List-Unsubscribe"], h["List-Unsubscribe-Post"])
	}

	// The link keeps the page's own query and carries the code.
	link := resumeLink.FindString(text)
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("lang") != "en" || u.Query().Get("helpium_resume") == "" {
		t.Fatalf("resume link %q in:\n%s", link, text)
	}
	code := u.Query().Get("helpium_resume")

	// Another workspace's key, a tampered code or garbage get nothing.
	otherWS := s.app.Owned(t, "Other")
	checkEnvelope(t, "another workspace", s.app.Request(t, "POST", "/api/customer/conversations/resume", otherWS.Workspace.APIKey, map[string]any{"code": code}), 404, "not_found", "")
	tampered := code[:len(code)-2] + map[bool]string{true: "AA", false: "AB"}[!strings.HasSuffix(code, "AA")]
	checkEnvelope(t, "tampered", s.app.Request(t, "POST", "/api/customer/conversations/resume", s.key, map[string]any{"code": tampered}), 404, "not_found", "")
	for name, bad := range map[string]any{"empty": "", "garbage": "not-a-code", "two parts": "a.b", "bad id": "x.1.AAAAAAAAAAAAAAAAAAAAAA"} {
		checkEnvelope(t, name, s.app.Request(t, "POST", "/api/customer/conversations/resume", s.key, map[string]any{"code": bad}), 422, "invalid_input", "code")
	}
	checkEnvelope(t, "code of the wrong type", s.app.Request(t, "POST", "/api/customer/conversations/resume", s.key, map[string]any{"code": 42}), 422, "invalid_input", "code")

	// The code resumes the conversation under a new token; the old token
	// stops working.
	res := s.app.Request(t, "POST", "/api/customer/conversations/resume", s.key, map[string]any{"code": code})
	var resumed struct {
		Conversation struct {
			ID   string
			Read struct {
				UnreadCount int `json:"unread_count"`
			} `json:"read"`
		}
		WidgetToken string `json:"widget_token"`
	}
	res.JSON(t, &resumed)
	if res.Status != 200 || resumed.Conversation.ID != s.conversation || resumed.WidgetToken == s.token || resumed.Conversation.Read.UnreadCount != 2 {
		t.Fatalf("resume: %d %s", res.Status, res.Body)
	}
	var page restPage
	res = s.app.Request(t, "GET", "/api/customer/conversations/"+resumed.WidgetToken+"/messages", s.key, nil)
	res.JSON(t, &page)
	if res.Status != 200 || len(page.Messages) != 3 || page.Messages[2].Body != "Tracking number: ZX-42." {
		t.Errorf("messages under the new token: %d %s", res.Status, res.Body)
	}
	checkEnvelope(t, "the old token", s.app.Request(t, "GET", "/api/customer/conversations/"+s.token, s.key, nil), 404, "not_found", "")
	// The same link works again (the customer opens it on another device).
	var again struct {
		WidgetToken string `json:"widget_token"`
	}
	res = s.app.Request(t, "POST", "/api/customer/conversations/resume", s.key, map[string]any{"code": code})
	res.JSON(t, &again)
	if res.Status != 200 || again.WidgetToken == resumed.WidgetToken {
		t.Errorf("second use: %d %s", res.Status, res.Body)
	}
	// And over GraphQL.
	var gql struct {
		ResumeConversation struct {
			Conversation struct{ ID string }
			WidgetToken  string
		}
	}
	mustGraphQL(t, s.app.GraphQL(t, s.key, `mutation($c: String!) { resumeConversation(code: $c) { conversation { id } widgetToken } }`, map[string]any{"c": code}, &gql))
	if gql.ResumeConversation.Conversation.ID != s.conversation || !strings.HasPrefix(gql.ResumeConversation.WidgetToken, "wt_") {
		t.Errorf("resumeConversation: %+v", gql)
	}

	// A later reply is emailed on its own, five minutes after it.
	s.reply(t, s.conversation, "It will arrive tomorrow.")
	s.clock.Advance(5*time.Minute + time.Second)
	if n := s.notify(t); n != 1 {
		t.Fatalf("the later reply: %d emails", n)
	}
	later := s.box.Wait(t, s.email, 2)[1]
	if later.Subject != "New reply from Acme Shop" || !strings.Contains(later.Text, "It will arrive tomorrow.") || strings.Contains(later.Text, "ZX-42") {
		t.Errorf("the later email %q:\n%s", later.Subject, later.Text)
	}

	// The unsubscribe link: GET shows a button and changes nothing; POST
	// (the button, or a mail client's one-click) stops the emails.
	unsubscribe := regexp.MustCompile(`https?://\S+/unsubscribe\?\S+`).FindString(text)
	if unsubscribe == "" {
		t.Fatalf("no unsubscribe link in:\n%s", text)
	}
	get, err := http.Get(unsubscribe)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, get)
	if get.StatusCode != 200 || !strings.Contains(body, `method="post"`) || !strings.Contains(body, "Acme Shop") || strings.Contains(body, s.email) {
		t.Errorf("unsubscribe page: %d %s", get.StatusCode, body)
	}
	if csp := get.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	s.reply(t, s.conversation, "Anything else?")
	post, err := http.Post(unsubscribe, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, post); post.StatusCode != 200 || !strings.Contains(body, "You are unsubscribed") {
		t.Errorf("one-click unsubscribe: %d %s", post.StatusCode, body)
	}
	s.clock.Advance(10 * time.Minute)
	if n := s.notify(t); n != 0 {
		t.Errorf("queued %d emails to a customer who unsubscribed", n)
	}
	for name, link := range map[string]string{"forged": strings.Replace(unsubscribe, "&s=", "&s=A", 1), "no signature": strings.Split(unsubscribe, "&s=")[0]} {
		res, err := http.Post(link, "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, res); res.StatusCode != 404 || !strings.Contains(body, "not valid") {
			t.Errorf("%s link: %d %s", name, res.StatusCode, body)
		}
	}

	// The code expires after a week.
	s.clock.Advance(7 * 24 * time.Hour)
	checkEnvelope(t, "expired", s.app.Request(t, "POST", "/api/customer/conversations/resume", s.key, map[string]any{"code": code}), 404, "not_found", "")
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

// TestNoAwayEmailWhileTheWidgetIsConnected: a widget with the conversation
// open, over either transport, keeps the replies from being emailed
// however long it stays; once it disconnects, they go after the delay.
func TestNoAwayEmailWhileTheWidgetIsConnected(t *testing.T) {
	for _, transport := range []string{"sse", "websocket"} {
		t.Run(transport, func(t *testing.T) {
			s := newAwaySetup(t, "")
			var stop func()
			switch transport {
			case "sse":
				stream := openSSE(t, s.app, s.key, s.token)
				stream.next(t, "Where is my parcel?", 5*time.Second)
				stop = stream.cancel
			case "websocket":
				sub := s.app.Subscribe(t, map[string]any{"X-API-Key": s.key}, `subscription($t: String!) { widgetMessageAdded(token: $t) { body } }`, map[string]any{"t": s.token})
				var first struct{ WidgetMessageAdded struct{ Body string } }
				if errs := sub.Next(t, 5*time.Second, &first); len(errs) > 0 || first.WidgetMessageAdded.Body != "Where is my parcel?" {
					t.Fatalf("subscription: %+v %+v", first, errs)
				}
			}
			s.reply(t, s.conversation, "Are you still there?")
			for range 3 {
				s.clock.Advance(10 * time.Minute)
				s.waitSeen(t, s.conversation)
				if n := s.notify(t); n != 0 {
					t.Fatalf("queued %d emails while the widget is connected", n)
				}
			}
			if stop == nil {
				return // the socket closes with the test
			}
			stop()
			s.waitGone(t, s.conversation)
			s.clock.Advance(4 * time.Minute)
			if n := s.notify(t); n != 0 {
				t.Fatalf("queued %d emails four minutes after the widget left", n)
			}
			s.clock.Advance(time.Minute + time.Second)
			if n := s.notify(t); n != 1 {
				t.Fatalf("queued %d emails five minutes after the widget left, want 1", n)
			}
			if got := s.box.Wait(t, s.email, 1); !strings.Contains(got[0].Text, "Are you still there?") || strings.Contains(got[0].Text, "helpium_resume") {
				t.Errorf("email (no resume page set, so no link):\n%s", got[0].Text)
			}
		})
	}
}

// TestWhoGetsNoAwayEmail: every reason for no email, each on a conversation
// whose reply is long overdue otherwise.
func TestWhoGetsNoAwayEmail(t *testing.T) {
	s := newAwaySetup(t, "")
	type conv struct{ id, token, email string }
	cases := map[string]func(c conv){
		"the customer gave no address": nil, // set up below
		"only an internal note":        func(c conv) { s.note(t, c.id, "note") },
		"the customer read the reply": func(c conv) {
			s.reply(t, c.id, "read me")
			var page restPage
			s.app.Request(t, "GET", "/api/customer/conversations/"+c.token+"/messages", s.key, nil).JSON(t, &page)
			if res := s.app.Request(t, "POST", "/api/customer/conversations/"+c.token+"/read", s.key, map[string]any{"message_id": page.Messages[len(page.Messages)-1].ID}); res.Status != 200 {
				t.Fatalf("read: %d %s", res.Status, res.Body)
			}
		},
		"the customer wrote last, no reply": func(c conv) {
			s.app.Request(t, "POST", "/api/customer/conversations/"+c.token+"/messages", s.key, map[string]any{"body": "hello?"})
		},
	}
	convs := map[string]conv{}
	for name, act := range cases {
		var c conv
		if act == nil {
			c.id, c.token = startConversation(t, s.app, s.key, "anonymous question")
			s.reply(t, c.id, "to nobody")
		} else {
			c.id, c.token, c.email = s.identifiedConversation(t, name)
			act(c)
		}
		convs[name] = c
	}
	s.clock.Advance(6 * time.Minute)
	if n := s.notify(t); n != 0 {
		t.Errorf("queued %d emails", n)
	}
	for name, c := range convs {
		if c.email != "" {
			if got := s.box.To(t, c.email); len(got) != 0 {
				t.Errorf("%s: %d emails", name, len(got))
			}
		}
	}
	// A widget that polls instead of streaming counts as present.
	s.reply(t, s.conversation, "polling customer")
	s.clock.Advance(6 * time.Minute)
	s.app.Request(t, "GET", "/api/customer/conversations/"+s.token+"/messages", s.key, nil)
	if n := s.notify(t); n != 0 {
		t.Errorf("queued %d emails just after the widget polled", n)
	}
	// Switching the setting off stops emails; switching it on again does
	// not email replies written before.
	mustGraphQL(t, s.app.AgentGraphQL(t, s.owner.Token, setAwayMutation, map[string]any{"w": s.owner.Workspace.ID, "in": map[string]any{"enabled": false}}, nil))
	s.clock.Advance(10 * time.Minute)
	if n := s.notify(t); n != 0 {
		t.Errorf("queued %d emails with the setting off", n)
	}
	s.clock.Advance(time.Second)
	mustGraphQL(t, s.app.AgentGraphQL(t, s.owner.Token, setAwayMutation, map[string]any{"w": s.owner.Workspace.ID, "in": map[string]any{"enabled": true, "delayMinutes": 1}}, nil))
	s.clock.Advance(10 * time.Minute)
	if n := s.notify(t); n != 0 {
		t.Errorf("queued %d emails for replies written before the setting was switched on", n)
	}
	s.reply(t, s.conversation, "after switching on")
	s.clock.Advance(time.Minute + time.Second)
	if n := s.notify(t); n != 1 {
		t.Errorf("queued %d emails a minute after a new reply (delay 1), want 1", n)
	}
}

// TestTranscriptGoesOnlyToTheIdentifiedCustomerFiveTimesAnHour: a
// transcript needs a customer with an address (never one the widget names),
// leaves internal notes out, is limited to five an hour per conversation
// (REST and GraphQL together, on every replica) and ten an hour per
// address, and stops when the customer unsubscribes.
func TestTranscriptGoesOnlyToTheIdentifiedCustomerFiveTimesAnHour(t *testing.T) {
	s := newAwaySetup(t, "")
	transcript := func(key, token string) apptest.Response {
		return s.app.Request(t, "POST", "/api/customer/conversations/"+token+"/transcript", key, nil)
	}
	_, anonToken := startConversation(t, s.app, s.key, "no address here")
	checkEnvelope(t, "no customer", transcript(s.key, anonToken), 422, "invalid_input", "email")
	checkEnvelope(t, "unknown token", transcript(s.key, "wt_"+strings.Repeat("A", 43)), 404, "not_found", "")
	checkEnvelope(t, "another workspace's key", transcript(s.app.Owned(t, "Other").Workspace.APIKey, s.token), 404, "not_found", "")

	s.reply(t, s.conversation, "Your parcel is on its way.")
	s.note(t, s.conversation, "internal: do not tell the customer")
	for i := range 5 {
		var res apptest.Response
		if i%2 == 0 {
			res = transcript(s.key, s.token)
		} else {
			var out struct{ RequestTranscript bool }
			mustGraphQL(t, s.app.GraphQL(t, s.key, `mutation($t: String!) { requestTranscript(token: $t) }`, map[string]any{"t": s.token}, &out))
			res = apptest.Response{Status: http.StatusAccepted, Body: []byte(`{"queued":true}`)}
		}
		if res.Status != http.StatusAccepted || string(res.Body) != `{"queued":true}` {
			t.Fatalf("transcript %d: %d %s", i+1, res.Status, res.Body)
		}
		s.clock.Advance(time.Minute)
	}
	res := transcript(s.key, s.token)
	checkEnvelope(t, "sixth in the hour", res, 429, "too_many_requests", "")
	if ra := res.Header.Get("Retry-After"); ra != "3300" { // the first was 55 minutes ago
		t.Errorf("Retry-After %q, want 3300", ra)
	}
	errs := s.app.GraphQL(t, s.key, `mutation($t: String!) { requestTranscript(token: $t) }`, map[string]any{"t": s.token}, nil)
	if errCode(errs) != "too_many_requests" || errs[0].Extensions["retryAfter"] != float64(3300) {
		t.Errorf("sixth over GraphQL: %+v", errs)
	}
	// Another replica counts the same transcripts.
	other := apptest.Start(t, s.app.DatabaseURL, service.Options{Now: s.clock.Now})
	checkEnvelope(t, "sixth on another replica", other.Request(t, "POST", "/api/customer/conversations/"+s.token+"/transcript", s.key, nil), 429, "too_many_requests", "")

	got := s.box.Wait(t, s.email, 5)
	time.Sleep(300 * time.Millisecond)
	if got = s.box.To(t, s.email); len(got) != 5 {
		t.Fatalf("%d transcripts arrived, want 5", len(got))
	}
	text := got[0].Text
	if got[0].Subject != "Your conversation with Acme Shop" || !strings.Contains(text, "Where is my parcel?") || !strings.Contains(text, "Your parcel is on its way.") ||
		!strings.Contains(text, "You, ") || strings.Contains(text, "do not tell the customer") {
		t.Errorf("transcript %q:\n%s", got[0].Subject, text)
	}
	if h := s.box.Headers(t, got[0].ID); len(h["List-Unsubscribe"]) != 1 {
		t.Errorf("headers %v", h)
	}

	// An hour after the first, one more is allowed.
	s.clock.Advance(56 * time.Minute)
	if res := transcript(s.key, s.token); res.Status != http.StatusAccepted {
		t.Errorf("an hour later: %d %s", res.Status, res.Body)
	}

	// One address gets ten an hour, however many conversations claim it.
	s.clock.Advance(2 * time.Hour)
	second, third := s.sameAddress(t), s.sameAddress(t)
	for i, tok := range []string{second, second, second, second, second, third, third, third, third, third} {
		if res := transcript(s.key, tok); res.Status != http.StatusAccepted {
			t.Fatalf("transcript %d to the address: %d %s", i+1, res.Status, res.Body)
		}
	}
	checkEnvelope(t, "eleventh to the address", transcript(s.key, s.token), 429, "too_many_requests", "")

	// Unsubscribed, the customer gets no more.
	link := regexp.MustCompile(`https?://\S+/unsubscribe\?\S+`).FindString(text)
	res2, err := http.Post(link, "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, res2)
	s.clock.Advance(2 * time.Hour)
	checkEnvelope(t, "unsubscribed", transcript(s.key, s.token), 422, "invalid_input", "email")
}

// sameAddress starts a conversation whose customer claims the setup's
// address, and returns its token.
func (s *awaySetup) sameAddress(t *testing.T) string {
	t.Helper()
	_, token := startConversation(t, s.app, s.key, "me again")
	if res := s.app.Request(t, "POST", "/api/customer/tracking/identify", s.key, map[string]any{"email": s.email, "widget_token": token}); res.Status != 200 {
		t.Fatalf("identify: %d %s", res.Status, res.Body)
	}
	return token
}

// TestAwayEmailSettings: defaults, bad input named by field, admins only.
func TestAwayEmailSettings(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Acme")
	ws := o.Workspace.ID
	var read struct {
		Workspace struct {
			AwayEmail struct {
				Enabled      bool
				DelayMinutes int
				ResumeURL    *string
			}
		}
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($w: ID!) { workspace(id: $w) { awayEmail { enabled delayMinutes resumeUrl } } }`, map[string]any{"w": ws}, &read))
	if a := read.Workspace.AwayEmail; a.Enabled || a.DelayMinutes != 5 || a.ResumeURL != nil {
		t.Errorf("defaults: %+v", a)
	}
	for _, tc := range []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"a negative delay", map[string]any{"enabled": true, "delayMinutes": -1}, "input.delayMinutes"},
		{"over a day", map[string]any{"enabled": true, "delayMinutes": 1441}, "input.delayMinutes"},
		{"not http", map[string]any{"enabled": true, "resumeUrl": "ftp://shop.example.com/"}, "input.resumeUrl"},
		{"a script", map[string]any{"enabled": true, "resumeUrl": "javascript:alert(1)"}, "input.resumeUrl"},
		{"no host", map[string]any{"enabled": true, "resumeUrl": "https:///help"}, "input.resumeUrl"},
		{"the parameter itself", map[string]any{"enabled": true, "resumeUrl": "https://shop.example.com/?helpium_resume=x"}, "input.resumeUrl"},
		{"too long", map[string]any{"enabled": true, "resumeUrl": "https://shop.example.com/" + strings.Repeat("a", 2000)}, "input.resumeUrl"},
	} {
		errs := app.AgentGraphQL(t, o.Token, setAwayMutation, map[string]any{"w": ws, "in": tc.in}, nil)
		if errCode(errs) != "invalid_input" || errs[0].Extensions["field"] != tc.field {
			t.Errorf("%s: %+v", tc.name, errs)
		}
	}
	agent := app.Member(t, ws, address("agent"), helpium.RoleAgent)
	if errs := app.AgentGraphQL(t, agent.Token, setAwayMutation, map[string]any{"w": ws, "in": map[string]any{"enabled": true}}, nil); errCode(errs) != "forbidden" {
		t.Errorf("an agent: %+v", errs)
	}
	var set struct {
		SetAwayEmail struct {
			AwayEmail struct {
				Enabled      bool
				DelayMinutes int
				ResumeURL    *string
			}
		}
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, setAwayMutation, map[string]any{"w": ws, "in": map[string]any{"enabled": true, "delayMinutes": 1, "resumeUrl": " https://shop.example.com/help "}}, &set))
	if a := set.SetAwayEmail.AwayEmail; !a.Enabled || a.DelayMinutes != 1 || a.ResumeURL == nil || *a.ResumeURL != "https://shop.example.com/help" {
		t.Errorf("set: %+v", a)
	}
	mustGraphQL(t, app.AgentGraphQL(t, agent.Token, `query($w: ID!) { workspace(id: $w) { awayEmail { enabled delayMinutes resumeUrl } } }`, map[string]any{"w": ws}, &read))
	if a := read.Workspace.AwayEmail; !a.Enabled || a.DelayMinutes != 1 {
		t.Errorf("an agent reads: %+v", a)
	}
}
