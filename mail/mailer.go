package mail

import (
	"context"
	"log/slog"
	"time"

	"github.com/helpium/helpium/db"
)

// MailerOptions tunes a Mailer; zero values take the defaults.
type MailerOptions struct {
	// Poll is how often the outbox is checked when it was empty (2 s).
	Poll time.Duration
	// Lease is how long a claimed email is hidden from other mailers; it
	// outlasts a delivery's timeout (2 minutes).
	Lease time.Duration
	// Backoff is the wait before the first retry, doubled after each
	// failure up to an hour (30 s).
	Backoff time.Duration
	// MaxAttempts is how many times delivery is tried before giving up
	// (10: about seven hours with the default backoff).
	MaxAttempts int
	// Now returns the current time; tests may fix it.
	Now func() time.Time
}

// Keep is how long sent and failed emails (without their bodies) and
// password-reset requests stay in the database.
const Keep = 30 * 24 * time.Hour

// Mailer sends the outbox's emails. Several mailers (one per replica) share
// an outbox: each claims rows for a lease, so a row is sent by one of them
// at a time; a mailer that crashes between the server's acceptance and
// marking the row sent leaves it to be sent again after the lease, with the
// same Message-ID. Rows written while no SMTP server answers wait and are
// retried with backoff.
type Mailer struct {
	store  *db.Store
	sender Sender
	log    *slog.Logger
	opt    MailerOptions
}

// NewMailer returns a mailer sending store's outbox through sender.
func NewMailer(store *db.Store, sender Sender, log *slog.Logger, opt MailerOptions) *Mailer {
	if opt.Poll <= 0 {
		opt.Poll = 2 * time.Second
	}
	if opt.Lease <= 0 {
		opt.Lease = 2 * time.Minute
	}
	if opt.Backoff <= 0 {
		opt.Backoff = 30 * time.Second
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 10
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Mailer{store: store, sender: sender, log: log, opt: opt}
}

// Run sends due emails until ctx ends, and prunes old ones daily.
func (m *Mailer) Run(ctx context.Context) {
	var pruned time.Time
	for {
		if now := m.opt.Now(); now.Sub(pruned) > 24*time.Hour {
			pruned = now
			if n, err := m.store.PruneMail(ctx, now.Add(-Keep)); err != nil {
				m.log.Warn("mail: pruning the outbox", "err", err)
			} else if n > 0 {
				m.log.Info("mail: pruned the outbox", "emails", n)
			}
		}
		n, err := m.Drain(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			m.log.Warn("mail: reading the outbox", "err", err)
		}
		if n > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(m.opt.Poll):
		}
	}
}

// Drain sends the emails due now and returns how many it tried. It claims
// one at a time, so that the lease covers one delivery's timeout. A failed
// delivery is rescheduled or given up on, not returned: the error is for a
// failure to reach the outbox.
func (m *Mailer) Drain(ctx context.Context) (int, error) {
	for tried := 0; ; tried++ {
		claimed, err := m.store.ClaimMail(ctx, 1, m.opt.Lease)
		if err != nil || len(claimed) == 0 {
			return tried, err
		}
		if err := m.send(ctx, claimed[0]); err != nil {
			return tried, err
		}
	}
}

func (m *Mailer) send(ctx context.Context, e db.ClaimedMail) error {
	err := m.sender.Send(ctx, &e.Email)
	now := m.opt.Now()
	switch {
	case err == nil:
		m.log.Info("mail: sent", "id", e.ID, "workspace_id", e.WorkspaceID, "attempts", e.Attempts)
		return m.store.MailSent(ctx, e.ID, now)
	case ctx.Err() != nil:
		return ctx.Err() // the lease brings the row back
	case Permanent(err) || e.Attempts >= m.opt.MaxAttempts:
		m.log.Error("mail: giving up", "id", e.ID, "workspace_id", e.WorkspaceID, "attempts", e.Attempts, "err", err)
		return m.store.MailFailed(ctx, e.ID, now, err.Error())
	}
	delay := min(m.opt.Backoff<<min(e.Attempts-1, 16), time.Hour)
	m.log.Warn("mail: delivery failed; will retry", "id", e.ID, "workspace_id", e.WorkspaceID, "attempts", e.Attempts, "retry_in", delay, "err", err)
	return m.store.RetryMail(ctx, e.ID, delay, err.Error())
}
