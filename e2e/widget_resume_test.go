//go:build e2e

package e2e

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/uuid"

	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/internal/mailpit"
	"github.com/helpium/helpium/secret"
	"github.com/helpium/helpium/service"
)

// TestWidgetResume: the widget after the agent has gone quiet (#21). On
// /demo, with the panel open on a conversation, the agent resolves it and
// the rating question appears from the event stream's status event (no
// fetch brings the status), and goes when the agent reopens it. "Email me a
// transcript" asks for an email first, then, once the page has identified
// the customer, sends the transcript, which arrives in Mailpit (without
// SMTP the server answers 503 and the action goes away). An away email's
// resume link, ?helpium_resume=CODE, with a code the server refuses
// (malformed, or signed but expired) leaves a notice and the stored
// conversation; a valid code, opened in a browser that never had the
// conversation, opens the panel on it with its history and a new widget
// token (the old one stops working), live, and takes the parameter out of
// the address.
//
// The valid code is made as the away email makes it (service.Notifications.ResumeCode,
// with the server's keyring, which the test hands the server through
// HELPIUM_ENCRYPTION_KEY): waiting for the notifier (a minute's delay at
// least, then its 30-second runs) would make this test minutes long, and
// server/away_test.go covers the email and its link.
func TestWidgetResume(t *testing.T) {
	keySpec := os.Getenv("HELPIUM_ENCRYPTION_KEY")
	if keySpec == "" {
		keySpec = secret.NewKeySpec("e2e")
		t.Setenv("HELPIUM_ENCRYPTION_KEY", keySpec) // startServer passes the environment on
	}
	keyring, err := secret.ParseKeyring(keySpec)
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t)
	key := service.DemoAPIKey
	mailOn := os.Getenv("HELPIUM_SMTP_HOST") != ""
	var box *mailpit.Client
	if mailOn {
		box = mailpit.FromEnv(t)
	}
	b := newBrowser(t)
	began := time.Now()
	step := func(name string, fn func()) {
		if !t.Failed() {
			t.Logf("%5.2fs: %s", time.Since(began).Seconds(), name)
			fn()
		}
	}
	gql := func(token, what, query string, vars map[string]any, out any) {
		t.Helper()
		if errs := srv.graphQL(t, token, query, vars, out); len(errs) > 0 {
			t.Fatalf("%s: %+v", what, errs)
		}
	}
	storedToken := func() string {
		return b.str(`JSON.parse(localStorage.getItem(` + jsString("helpium:"+key) + `) || "{}").token`)
	}
	owner, _ := srv.demoOwner(t)
	setStatus := func(convID, status string) {
		t.Helper()
		var set struct{ SetConversationStatus struct{ Status string } }
		gql(owner, "setConversationStatus "+status, `mutation($c: ID!, $s: ConversationStatus!) { setConversationStatus(conversationId: $c, status: $s) { status } }`,
			map[string]any{"c": convID, "s": status}, &set)
		if set.SetConversationStatus.Status != status {
			t.Fatalf("setConversationStatus: %+v", set)
		}
	}
	const (
		question   = "My export to PDF stops halfway."
		firstReply = "Which notebook do you export?"
		expired    = "This link has expired. Start a new conversation or find your earlier one here."
		transcript = `.foot .mail button`
		mailNote   = `.foot .mail [role=status]`
		rating     = `.conv .csat .q`
	)
	email := "ada-" + uuid.NewString()[:8] + "@mail.test"

	var token, convID, wsID string
	step("the customer starts a conversation and the agent replies", func() {
		b.do("open the demo", chromedp.Navigate(srv.URL+"/demo"))
		b.wait("launcher", visible(".launcher"), 15*time.Second)
		b.do("open", chromedp.Click(el(".launcher")))
		b.do("start", chromedp.Click(el(".home .primary")))
		b.wait("composer", visible("#hp-input"), 5*time.Second)
		if b.boolean(visible(".foot .mail")) {
			t.Error(`"Email me a transcript" shows before there is a conversation`)
		}
		b.do("send", chromedp.SendKeys(el("#hp-input"), question+kb.Enter))
		b.wait("message sent", wAll(".log .msg.mine:not(.pending)")+`.length === 1`, 15*time.Second)
		token = storedToken()
		var conv struct {
			ID string `json:"id"`
		}
		srv.getJSON(t, "/api/customer/conversations/"+token, key, &conv)
		if convID = conv.ID; convID == "" {
			t.Fatal("no conversation id")
		}
		// The reply comes over the event stream: once it shows, the stream
		// is listening.
		agentReply(t, srv, owner, convID, firstReply)
		b.wait("the reply", wAll(".log .msg[data-author=agent]")+`.length === 1`, 15*time.Second)
		var mine struct {
			MyWorkspaces []struct{ Workspace struct{ ID string } }
		}
		gql(owner, "myWorkspaces", `{ myWorkspaces { workspace { id } } }`, nil, &mine)
		if len(mine.MyWorkspaces) != 1 {
			t.Fatalf("the demo owner's workspaces: %+v", mine.MyWorkspaces)
		}
		wsID = mine.MyWorkspaces[0].Workspace.ID
	})

	step("resolved, the rating is asked live; reopened, the question goes", func() {
		// From here on, note any answer that carries the resolved status
		// and arrives before the question shows: the question must come
		// from the stream's status event. (A fetch after it, such as a
		// refresh when a busy machine's stream reconnects, is no evidence.)
		// The widget gets each answer only once it has been checked.
		b.eval(`(() => { window.__statusFetched = false; const f = window.fetch; window.fetch = async (...a) => {
			const r = await f(...a);
			const t = await r.clone().text().catch(() => "");
			if (/"status":"(resolved|closed)"/.test(t) && !(`+visible(rating)+`)) window.__statusFetched = true;
			return r; }; })()`, nil)
		setStatus(convID, "RESOLVED")
		b.wait("the rating question, the panel open all along", visible(rating)+` && `+w(rating)+`.textContent === "How would you rate this conversation?" && `+
			w(".conv")+`.dataset.status === "resolved"`, 10*time.Second)
		if !b.boolean(visible(".panel")) {
			t.Error("the panel closed")
		}
		if b.boolean(`window.__statusFetched`) {
			t.Error("the widget fetched the resolved status; the question should come from the status event")
		}
		b.shot("rating-asked-live")
		b.accessible("the rating asked live")

		setStatus(convID, "OPEN")
		b.wait("the question gone", `!(`+visible(".csat")+`) && `+w(".conv")+`.dataset.status === "open"`, 10*time.Second)
		b.shot("reopened")
	})

	step("Email me a transcript", func() {
		b.wait("the action under the conversation", visible(transcript)+` && `+w(transcript)+`.textContent === "Email me a transcript"`, 5*time.Second)
		if !mailOn {
			// A server without SMTP sends no email: 503, and the action goes.
			b.do("ask for a transcript", chromedp.Click(el(transcript)))
			b.wait("the action gone (no SMTP)", `!(`+visible(".foot .mail")+`)`, 10*time.Second)
			t.Log("HELPIUM_SMTP_HOST is not set: the server sends no email, and the action hid after its 503")
			return
		}
		b.do("ask for a transcript", chromedp.Click(el(transcript)))
		b.wait("asked for an email", w(mailNote)+`?.textContent === "Tell us your email first."`, 10*time.Second)
		b.shot("transcript-no-email")

		var got string
		b.eval(`Helpium.identify({ email: `+jsString(email)+`, name: "Ada Lovelace" }).then(c => c && c.email)`, &got)
		if got != email {
			t.Fatalf("Helpium.identify resolved to email %q, want %q", got, email)
		}
		b.do("ask again", chromedp.Click(el(transcript)))
		b.wait("sent", w(mailNote)+`?.textContent === "We've sent the transcript to your email." && `+visible(mailNote), 10*time.Second)
		b.shot("transcript-sent")
		b.accessible("the transcript sent")
		m := box.Wait(t, email, 1)[0]
		if !strings.HasPrefix(m.Subject, "Your conversation with ") || !strings.Contains(m.Text, question) || !strings.Contains(m.Text, firstReply) {
			t.Errorf("the transcript email %q:\n%s\nwant the question and the reply", m.Subject, m.Text)
		}
	})

	step("a resume link the server refuses: a notice, and the stored conversation stays", func() {
		// Signed with the server's keyring, but eight days ago: expired (404).
		old, err := resumeService(t, srv, keyring, time.Now().Add(-8*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ name, code string }{
			{"malformed", "not-a-code"}, // 422
			{"expired", old.Notifications.ResumeCode(wsID, convID)},
		} {
			b.do("open the "+c.name+" link", chromedp.Navigate(srv.URL+"/demo?from=email&"+"helpium_resume="+url.QueryEscape(c.code)+"#pricing"))
			b.wait("the notice ("+c.name+")", visible(".home .notice.warn")+` && `+w(".home .notice.warn")+`.textContent === `+jsString(expired), 15*time.Second)
			if got := b.str(`location.search + location.hash`); got != "?from=email#pricing" {
				t.Errorf("%s link: the address keeps %q, want ?from=email#pricing", c.name, got)
			}
			if got := storedToken(); got != token {
				t.Errorf("%s link: the stored token changed to %q", c.name, got)
			}
			if got := b.str(w(".home .primary") + `.textContent`); got != "Continue the conversation" {
				t.Errorf("%s link: the home view offers %q", c.name, got)
			}
		}
		b.shot("link-expired")
		b.accessible("the expired link's notice")
		b.do("continue", chromedp.Click(el(".home .primary")))
		b.wait("the stored conversation", wAll(".log .msg")+`.length === 2`, 10*time.Second)
	})

	var newToken string
	step("a valid resume link in a browser that never had the conversation", func() {
		svc, err := resumeService(t, srv, keyring, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		code := svc.Notifications.ResumeCode(wsID, convID)
		// Another device: no stored session.
		b.do("leave the widget", chromedp.Navigate(srv.URL+"/healthz"))
		b.eval(`localStorage.clear()`, nil)
		b.do("open the link", chromedp.Navigate(srv.URL+"/demo?helpium_resume="+url.QueryEscape(code)+"&utm_source=email"))
		b.wait("the panel open on the conversation, with its history", visible(".log")+` && `+
			wAll(".log .msg")+`.map(m => m.dataset.author).join() === "customer,agent"`, 15*time.Second)
		if got := b.str(`location.pathname + location.search + location.hash`); got != "/demo?utm_source=email" {
			t.Errorf("the address is %q after the link, want /demo?utm_source=email", got)
		}
		if got := b.str(w(".log .msg[data-author=customer] .bubble") + `.textContent`); got != question {
			t.Errorf("the history starts with %q", got)
		}
		newToken = storedToken()
		if !strings.HasPrefix(newToken, "wt_") || newToken == token {
			t.Fatalf("stored token after the link: %q (before: %q)", newToken, token)
		}
		if status, _, body := srv.call(t, http.MethodGet, "/api/customer/conversations/"+token, key, ""); status != http.StatusNotFound {
			t.Errorf("the old token after the resume: %d %s, want 404", status, body)
		}
		var conv struct {
			ID string `json:"id"`
		}
		srv.getJSON(t, "/api/customer/conversations/"+newToken, key, &conv)
		if conv.ID != convID {
			t.Errorf("the new token opens %q, want %q", conv.ID, convID)
		}
		// Live: the stream follows the new token.
		agentReply(t, srv, owner, convID, "Welcome back! Try exporting one section at a time.")
		b.wait("the agent's new reply, live", wAll(".log .msg[data-author=agent]")+`.length === 2`, 15*time.Second)
		b.shot("resumed")
		b.accessible("the resumed conversation")
	})

	step("the transcript from the resumed conversation, without identify on this page", func() {
		if !mailOn {
			return
		}
		// The customer is identified on the conversation from before: the
		// page need not say so again.
		b.wait("the action", visible(transcript), 5*time.Second)
		b.do("ask for a transcript", chromedp.Click(el(transcript)))
		b.wait("sent", w(mailNote)+`?.textContent === "We've sent the transcript to your email."`, 10*time.Second)
		if m := box.Wait(t, email, 2)[1]; !strings.Contains(m.Text, "Welcome back!") {
			t.Errorf("the second transcript:\n%s\nwant the reply after the resume", m.Text)
		}
	})

	step("too many transcripts: the wait from Retry-After", func() {
		if !mailOn {
			return
		}
		// Five an hour per conversation: two went; three more through the API.
		for i := 0; i < 3; i++ {
			if status, _, body := srv.call(t, http.MethodPost, "/api/customer/conversations/"+newToken+"/transcript", key, ""); status != http.StatusAccepted {
				t.Fatalf("POST .../transcript: %d %s", status, body)
			}
		}
		b.do("ask for a sixth", chromedp.Click(el(transcript)))
		b.wait("try again later", w(mailNote)+`?.textContent.startsWith("Too many transcripts for now. Try again in ")`, 10*time.Second)
		if got := b.str(w(mailNote) + `.textContent`); !strings.HasSuffix(got, " minutes.") {
			t.Errorf("the wait reads %q, want minutes (Retry-After is close to an hour)", got)
		}
		if !b.boolean(w(transcript) + `.disabled`) {
			t.Error("the action is not disabled until Retry-After")
		}
		b.shot("transcripts-limited")
	})

	// The refusals this test asks for (422 and 404 links, a 422 and a 429
	// transcript, or without SMTP a 503 one) show in the console as failed
	// loads; nothing else may.
	refusals := []string{"404 (Not Found)", "422 (Unprocessable Entity)", "429 (Too Many Requests)"}
	if !mailOn {
		refusals = append(refusals, "503 (Service Unavailable)")
	}
	for _, line := range b.consoleErrors() {
		expected := false
		for _, status := range refusals {
			expected = expected || strings.Contains(line, "status of "+status)
		}
		if (strings.Contains(line, "Failed to load") && !expected) || strings.Contains(line, "Content Security Policy") {
			t.Errorf("browser console: %s", line)
		}
	}
}

// resumeService is a Service on the server's database and keyring, whose
// clock reads now (the real time when zero), to make resume codes as the
// away email does.
func resumeService(t *testing.T, srv *server, keyring *secret.Keyring, now time.Time) (*service.Service, error) {
	t.Helper()
	bdb, err := db.Open(context.Background(), srv.DatabaseURL, db.Options{MaxOpenConns: 1})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { bdb.Close() })
	opt := service.Options{Secrets: keyring}
	if !now.IsZero() {
		opt.Now = func() time.Time { return now }
	}
	return service.New(db.NewStore(bdb), opt), nil
}
