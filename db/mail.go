package db

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

type mailRow struct {
	bun.BaseModel `bun:"table:mail_outbox"`

	ID          string    `bun:"id,pk,type:uuid"`
	WorkspaceID *string   `bun:"workspace_id,type:uuid"`
	To          string    `bun:"to_address"`
	Subject     string    `bun:"subject"`
	Body        string    `bun:"body"`
	CreatedAt   time.Time `bun:"created_at"`
	AvailableAt time.Time `bun:"available_at,nullzero"` // default: the database's now()
	Attempts    int       `bun:"attempts"`
	// Kind and ConversationID tag customers' emails (see MailKind).
	Kind            *string `bun:"kind"`
	ConversationID  *string `bun:"conversation_id,type:uuid"`
	ListUnsubscribe string  `bun:"list_unsubscribe"`
}

// MailKind names a kind of email to a customer about a conversation, kept
// on its outbox row so that it can be counted.
type MailKind string

// Kinds of customers' emails.
const (
	MailAway       MailKind = "away"       // agents' replies the customer has not seen
	MailTranscript MailKind = "transcript" // a transcript the customer asked for
)

// enqueueMail adds m to the outbox, due at once by the database's clock
// (which the mailer's claims use), within the caller's transaction.
func enqueueMail(ctx context.Context, db bun.IDB, m *helpium.Email) error {
	return enqueueConversationMail(ctx, db, m, "", "")
}

// enqueueConversationMail adds m to the outbox as enqueueMail does, tagged
// with its kind and conversation when kind is set.
func enqueueConversationMail(ctx context.Context, db bun.IDB, m *helpium.Email, kind MailKind, conversationID string) error {
	row := &mailRow{ID: m.ID, To: m.To, Subject: m.Subject, Body: m.Body, CreatedAt: m.CreatedAt, ListUnsubscribe: m.ListUnsubscribe}
	if m.WorkspaceID != "" {
		row.WorkspaceID = &m.WorkspaceID
	}
	if kind != "" {
		k := string(kind)
		row.Kind, row.ConversationID = &k, &conversationID
	}
	_, err := db.NewInsert().Model(row).Exec(ctx)
	return err
}

// EnqueueMail adds m to the outbox.
func (s *Store) EnqueueMail(ctx context.Context, m *helpium.Email) error {
	return dbErr(enqueueMail(ctx, s.db, m), "email")
}

// ClaimedMail is an outbox row claimed for sending. Attempts counts claims,
// this one included.
type ClaimedMail struct {
	helpium.Email
	Attempts int
}

// ClaimMail claims up to n due emails for lease: other claimers skip them
// until the lease ends, so several mailers never send the same row at once,
// and a crashed mailer's rows come back.
func (s *Store) ClaimMail(ctx context.Context, n int, lease time.Duration) ([]ClaimedMail, error) {
	var rows []mailRow
	err := s.db.NewRaw(`UPDATE mail_outbox SET attempts = attempts + 1, available_at = now() + ?::interval
		WHERE id IN (SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND available_at <= now()
			ORDER BY available_at LIMIT ? FOR UPDATE SKIP LOCKED)
		RETURNING id, workspace_id, to_address, subject, body, created_at, available_at, attempts, list_unsubscribe`, lease.String(), n).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr(err, "email outbox")
	}
	out := make([]ClaimedMail, len(rows))
	for i, r := range rows {
		out[i] = ClaimedMail{Email: helpium.Email{ID: r.ID, To: r.To, Subject: r.Subject, Body: r.Body, CreatedAt: r.CreatedAt,
			ListUnsubscribe: r.ListUnsubscribe}, Attempts: r.Attempts}
		if r.WorkspaceID != nil {
			out[i].WorkspaceID = *r.WorkspaceID
		}
	}
	return out, nil
}

// MailSent marks a claimed email sent and drops its body.
func (s *Store) MailSent(ctx context.Context, id string, now time.Time) error {
	_, err := s.db.NewUpdate().Model((*mailRow)(nil)).Set("sent_at = ?", now).Set("body = ''").
		Where("id = ?", id).Exec(ctx)
	return dbErr(err, "email")
}

// RetryMail makes a claimed email due again after delay, recording why it
// failed.
func (s *Store) RetryMail(ctx context.Context, id string, delay time.Duration, reason string) error {
	_, err := s.db.NewUpdate().Model((*mailRow)(nil)).
		Set("available_at = now() + ?::interval", delay.String()).Set("last_error = ?", truncate(reason, 1000)).
		Where("id = ?", id).Exec(ctx)
	return dbErr(err, "email")
}

// MailFailed gives up on a claimed email, recording why, and drops its body.
func (s *Store) MailFailed(ctx context.Context, id string, now time.Time, reason string) error {
	_, err := s.db.NewUpdate().Model((*mailRow)(nil)).Set("failed_at = ?", now).Set("body = ''").
		Set("last_error = ?", truncate(reason, 1000)).Where("id = ?", id).Exec(ctx)
	return dbErr(err, "email")
}

// MailQueue returns how many emails wait to be sent and how long the oldest
// has waited.
func (s *Store) MailQueue(ctx context.Context) (int, time.Duration, error) {
	var n int
	var age float64
	err := s.db.NewRaw(`SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)
		FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL`).Scan(ctx, &n, &age)
	return n, time.Duration(age * float64(time.Second)), dbErr(err, "email outbox")
}

// PruneMail deletes emails sent or given up on before, and password-reset
// requests made before it.
func (s *Store) PruneMail(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.NewDelete().Model((*mailRow)(nil)).Where("coalesce(sent_at, failed_at) < ?", before).Exec(ctx)
	if err != nil {
		return 0, dbErr(err, "email outbox")
	}
	n, _ := res.RowsAffected()
	if _, err := s.db.NewDelete().Table("password_resets").Where("created_at < ?", before).Exec(ctx); err != nil {
		return int(n), dbErr(err, "password resets")
	}
	return int(n), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
