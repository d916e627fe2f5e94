package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/metrics"
	"github.com/helpium/helpium/secret"
)

// Notifications runs the emails customers get: away emails (with the
// widget presence that holds them back) and transcripts, and the links
// they carry (emaillinks.go).
type Notifications struct {
	base
	workspaces *Workspaces
	secrets    *secret.Keyring // signs the links
	publicURL  string          // base of the links; "" when email is off
	metrics    *metrics.Metrics
	presence   time.Duration // how often a connected widget's presence is written
	polls      presenceThrottle
}

// Email when the customer is away (#21). A widget that has a conversation
// open says so (widget_presence): its event stream when it connects, every
// presence interval while connected and when it ends, and its reads of the
// messages. The notifier emails an identified customer the agents' replies
// they have neither seen nor been emailed, once no widget has had the
// conversation open for the workspace's delay and the oldest of them is
// that old, so replies written in a burst go out in one email.

// DefaultPresenceInterval is how often a connected widget's presence is
// written: well inside the shortest delay (a minute).
const DefaultPresenceInterval = 20 * time.Second

// awayBatchLimit bounds the emails one SendAwayEmails call queues.
const awayBatchLimit = 500

// SetAwayEmail replaces a workspace's away-email settings. Admins only.
// Switching it on records when, so that replies written before are never
// emailed. Returns EInvalid naming delayMinutes or resumeUrl.
func (s *Notifications) SetAwayEmail(ctx context.Context, workspaceID string, a helpium.AwayEmail) (*helpium.Workspace, error) {
	return s.workspaces.updateWorkspace(ctx, workspaceID, func(ws *helpium.Workspace) error {
		a, err := a.Validate()
		if err != nil {
			return err
		}
		switch {
		case !a.Enabled:
			a.EnabledAt = nil
		case ws.AwayEmail.Enabled && ws.AwayEmail.EnabledAt != nil:
			a.EnabledAt = ws.AwayEmail.EnabledAt
		default:
			now := s.clock()
			a.EnabledAt = &now
		}
		ws.AwayEmail = a
		return nil
	})
}

// AwayEmailOf returns a workspace's away-email settings (the default delay
// filled in) for one of its agents.
func (s *Notifications) AwayEmailOf(ctx context.Context, ws *helpium.Workspace) (helpium.AwayEmail, error) {
	if _, _, err := s.authorize(ctx, ws.ID, helpium.RoleAgent); err != nil {
		return helpium.AwayEmail{}, err
	}
	return ws.AwayEmail.Effective(), nil
}

// presenceThrottle keeps a widget's polls from writing its presence more
// than once an interval per conversation on this replica.
type presenceThrottle struct {
	mu   sync.Mutex
	last map[string]time.Time
}

func (p *presenceThrottle) allow(conversationID string, now time.Time, every time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last == nil {
		p.last = make(map[string]time.Time)
	}
	if t, ok := p.last[conversationID]; ok && now.Sub(t) < every && !now.Before(t) {
		return false
	}
	if len(p.last) >= 10000 {
		for id, t := range p.last {
			if now.Sub(t) >= every {
				delete(p.last, id)
			}
		}
	}
	p.last[conversationID] = now
	return true
}

// seeWidget records that the calling widget has conversation c open, if
// its workspace sends away emails (nobody reads presence otherwise). A
// failure is logged: presence only delays emails.
func (s *Notifications) seeWidget(ctx context.Context, ws *helpium.Workspace, c *helpium.Conversation) {
	if ws == nil || !ws.AwayEmail.Enabled {
		return
	}
	if err := s.store.SeeWidget(ctx, c.ID, s.clock()); err != nil && ctx.Err() == nil {
		s.log.WarnContext(ctx, "widget presence not recorded", "conversation", c.ID, "err", err)
	}
}

// seeWidgetPolling records presence for a widget's read of the messages,
// at most once an interval per conversation.
func (s *Notifications) seeWidgetPolling(ctx context.Context, c *helpium.Conversation) {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil || !ws.AwayEmail.Enabled || !s.polls.allow(c.ID, s.now(), s.presence) {
		return
	}
	s.seeWidget(ctx, ws, c)
}

// trackPresence records that the calling widget has conversation c open
// while ctx lasts (its event stream): now, every presence interval, and
// once more when the stream ends. The workspace's setting is read again at
// each interval from the widget-key cache, so switching it on or off
// takes effect on open streams.
func (s *Notifications) trackPresence(ctx context.Context, c *helpium.Conversation) {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil {
		return
	}
	s.seeWidget(ctx, ws, c)
	go func() {
		t := time.NewTicker(s.presence)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if fresh, err := s.workspaces.AuthenticateWidgetKey(ctx, ws.APIKey); err == nil && fresh.ID == ws.ID {
					ws = fresh
				}
				s.seeWidget(ctx, ws, c)
			case <-ctx.Done():
				end, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				s.seeWidget(end, ws, c)
				cancel()
				return
			}
		}
	}()
}

// SendAwayEmails queues the away emails due now, one transaction per
// conversation, and returns how many. Several replicas may run it at once:
// each skips the conversations another holds. Without email configured it
// does nothing.
func (s *Notifications) SendAwayEmails(ctx context.Context) (int, error) {
	if s.publicURL == "" || s.secrets == nil {
		return 0, nil
	}
	now := s.clock()
	q := db.AwayQuery{Now: now, Since: now.Add(-helpium.AwayHorizon), DefaultDelayMinutes: helpium.DefaultAwayDelayMinutes}
	n := 0
	for n < awayBatchLimit {
		found, err := s.store.QueueAwayEmail(ctx, q, s.composeAwayEmail)
		if err != nil || !found {
			return n, err
		}
		s.metrics.CustomerEmailQueued(string(db.MailAway))
		n++
	}
	return n, nil
}

// RunAwayEmails runs SendAwayEmails every interval until ctx ends.
func (s *Notifications) RunAwayEmails(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.SendAwayEmails(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Warn("away emails", "err", err, "queued", n)
		} else if n > 0 {
			s.log.Info("away emails", "queued", n)
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// composeAwayEmail writes the away email of a batch: the replies, a link
// that resumes the conversation (when the workspace has a resume page) and
// one that unsubscribes.
func (s *Notifications) composeAwayEmail(b *db.AwayBatch) (*helpium.Email, error) {
	team := oneLine(b.WorkspaceName)
	subject := "New reply from " + team
	if n := len(b.Replies) + b.More; n > 1 {
		subject = fmt.Sprintf("%d new replies from %s", n, team)
	}
	var w strings.Builder
	fmt.Fprintf(&w, "%s,\n\n", greeting(b.CustomerName))
	fmt.Fprintf(&w, "%s replied to your conversation while you were away:\n\n", team)
	for _, l := range b.Replies {
		writeLine(&w, l, team)
	}
	if b.More > 0 {
		fmt.Fprintf(&w, "… and %d more.\n\n", b.More)
	}
	now := s.clock()
	if link := b.Settings.ResumeLink(s.resumeCode(b.WorkspaceID, b.ConversationID, now.Add(helpium.ResumeCodeTTL))); link != "" {
		fmt.Fprintf(&w, "Continue the conversation:\n%s\n(The link works until %s.)\n\n", link, mailTime(now.Add(helpium.ResumeCodeTTL)))
	} else {
		fmt.Fprintf(&w, "To answer, open the chat on %s's site again.\n\n", team)
	}
	unsubscribe := s.unsubscribeURL(b.CustomerID)
	fmt.Fprintf(&w, "You get this email because you left the chat before the reply arrived.\n"+
		"To get no more emails about your conversations with %s, unsubscribe:\n%s\n", team, unsubscribe)
	m := s.newEmail(b.WorkspaceID, b.CustomerEmail, subject, w.String())
	m.ListUnsubscribe = unsubscribe
	return m, nil
}

// writeLine writes one message of a conversation for an email: who and
// when, the body indented, and its files.
func writeLine(w *strings.Builder, l db.ConversationLine, team string) {
	fmt.Fprintf(w, "%s, %s:\n", authorLabel(l, team), mailTime(l.CreatedAt))
	for _, line := range strings.Split(strings.TrimRight(l.Body, "\n"), "\n") {
		if l.Body == "" {
			break
		}
		w.WriteString("  " + line + "\n")
	}
	if len(l.Files) > 0 {
		fmt.Fprintf(w, "  [files: %s]\n", strings.Join(l.Files, ", "))
	}
	w.WriteString("\n")
}

func authorLabel(l db.ConversationLine, team string) string {
	switch l.Author {
	case helpium.AuthorCustomer:
		return "You"
	case helpium.AuthorAgent:
		if l.AgentName != "" {
			return oneLine(l.AgentName) + " (" + team + ")"
		}
		return team
	case helpium.AuthorBot:
		return team + " (AI assistant)"
	}
	return team
}

func greeting(name string) string {
	if name = oneLine(name); name != "" {
		return "Hello " + name
	}
	return "Hello"
}

// oneLine folds a name's whitespace, line breaks included, so that it fits
// in a subject or a line of an email.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
