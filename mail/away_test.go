package mail_test

import (
	"context"
	"crypto/tls"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/db/dbtest"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/internal/mailpit"
	"github.com/helpium/helpium/mail"
	"github.com/helpium/helpium/service"
)

// TestAwayEmailSurvivesAnSMTPOutage: the outbox's retries (covered for any
// email above) carry an away email across an SMTP outage. It is queued
// once, waits while the server refuses it, arrives once the server is
// back, and neither a restarted notifier nor a restarted mailer sends it
// again.
func TestAwayEmailSurvivesAnSMTPOutage(t *testing.T) {
	m, pool := tlsMailpit(t)
	box := &mailpit.Client{URL: m.URL()}
	store := db.NewStore(dbtest.New(t))
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Now().UTC()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	keys := apptest.TestKeyring(t)
	newService := func() *service.Service {
		return service.New(store, service.Options{Now: clock, Secrets: keys, PublicURL: "https://help.example.com"})
	}
	svc := newService()

	owner, err := svc.Accounts.CreateWorkspaceWithOwner(ctx, "Acme", "")
	if err != nil {
		t.Fatal(err)
	}
	agent, err := svc.Accounts.AuthenticateAgentToken(ctx, owner.Token)
	if err != nil {
		t.Fatal(err)
	}
	agentCtx := helpium.WithActor(ctx, agent)
	if _, err := svc.Notifications.SetAwayEmail(agentCtx, owner.Workspace.ID, helpium.AwayEmail{Enabled: true, ResumeURL: "https://shop.example.com/"}); err != nil {
		t.Fatal(err)
	}
	ws, err := svc.Workspaces.AuthenticateWidgetKey(ctx, owner.Workspace.APIKey)
	if err != nil {
		t.Fatal(err)
	}
	widgetCtx := helpium.WithActor(ctx, &helpium.Actor{Workspace: ws})
	started, err := svc.Conversations.CreateConversation(widgetCtx, "Is my order shipped?", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	const to = "away-outage@mail.test"
	if _, err := svc.Identity.Identify(widgetCtx, service.Identify{Email: to, WidgetToken: started.WidgetToken}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Inbox.ReplyToConversation(agentCtx, started.Conversation.ID, "Yes, this morning.", nil, nil); err != nil {
		t.Fatal(err)
	}
	advance(6 * time.Minute)
	if n, err := svc.Notifications.SendAwayEmails(ctx); err != nil || n != 1 {
		t.Fatalf("queued %d (%v), want 1", n, err)
	}

	sender, err := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", Port: m.SMTPPort(), From: "helpium@helpium.test",
		TLS: mail.TLSStartTLS, TLSConfig: &tls.Config{RootCAs: pool}, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	const backoff = 200 * time.Millisecond
	mailer := func() *mail.Mailer {
		return mail.NewMailer(store, sender, nil, mail.MailerOptions{Backoff: backoff, MaxAttempts: 5})
	}
	// The server refuses for now (451): the email waits.
	setChaos(t, m, 451)
	if n, err := mailer().Drain(ctx); err != nil || n != 1 {
		t.Fatalf("drain: %d, %v", n, err)
	}
	if r := outboxRows(t, store)[to]; r.Sent || r.Failed || r.Attempts != 1 || !strings.Contains(r.LastError, "451") {
		t.Errorf("during the outage: %+v", r)
	}
	// A restarted notifier queues nothing more, the outage or not.
	advance(time.Hour)
	if n, err := newService().Notifications.SendAwayEmails(ctx); err != nil || n != 0 {
		t.Fatalf("a restarted notifier queued %d (%v)", n, err)
	}
	// The server is back: a new mailer (a restart) sends it, once.
	setChaos(t, m, 0)
	time.Sleep(backoff)
	if n, err := mailer().Drain(ctx); err != nil || n != 1 {
		t.Fatalf("drain: %d, %v", n, err)
	}
	got := box.Wait(t, to, 1)
	if !strings.Contains(got[0].Text, "Yes, this morning.") || !strings.Contains(got[0].Text, "https://shop.example.com/?helpium_resume=") {
		t.Errorf("received:\n%s", got[0].Text)
	}
	if h := box.Headers(t, got[0].ID); len(h["List-Unsubscribe-Post"]) != 1 {
		t.Errorf("one-click unsubscribe header missing: %v", h)
	}
	if n, _ := mailer().Drain(ctx); n != 0 {
		t.Errorf("drained %d more", n)
	}
	if r := outboxRows(t, store)[to]; !r.Sent || r.Attempts != 2 || r.Body != "" {
		t.Errorf("after delivery: %+v", r)
	}
	if got := box.To(t, to); len(got) != 1 {
		t.Errorf("%d copies arrived", len(got))
	}
}
