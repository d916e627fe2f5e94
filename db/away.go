package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

// Emails to customers about their conversations (#21): the widget's
// presence, the away notifier's batches, transcripts, unsubscribing, and
// the fresh widget token an emailed resume link gets.

// SeeWidget records that a widget has conversation conversationID open at
// at (its event stream is connected, or it polls). The time never moves
// back.
func (s *Store) SeeWidget(ctx context.Context, conversationID string, at time.Time) error {
	_, err := s.db.NewRaw(`INSERT INTO widget_presence (conversation_id, seen_at) VALUES (?, ?)
		ON CONFLICT (conversation_id) DO UPDATE SET seen_at = GREATEST(widget_presence.seen_at, EXCLUDED.seen_at)`,
		conversationID, at).Exec(ctx)
	return dbErr(err, "conversation")
}

// WidgetSeenAt returns when a widget last had the conversation open, or
// nil when none has been seen.
func (s *Store) WidgetSeenAt(ctx context.Context, conversationID string) (*time.Time, error) {
	var at time.Time
	err := s.db.NewRaw(`SELECT seen_at FROM widget_presence WHERE conversation_id = ?`, conversationID).Scan(ctx, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, dbErr(err, "conversation")
	}
	return &at, nil
}

// ConversationLine is a customer-visible message as an email shows it.
type ConversationLine struct {
	Seq       int64
	Author    helpium.AuthorKind
	AgentName string // for agents' messages; "" once the agent is deleted
	Body      string
	CreatedAt time.Time
	Files     []string // the names of its attachments
}

// conversationLinesSQL selects a conversation's customer-visible messages
// after a sequence number as ConversationLines; %s adds conditions on m.
const conversationLinesSQL = `
SELECT m.seq, m.author_kind, coalesce(a.name, '') AS agent_name, m.body, m.created_at,
	coalesce((SELECT array_agg(f.filename ORDER BY f.created_at, f.id) FROM attachments f WHERE f.message_id = m.id), '{}') AS files
FROM messages m LEFT JOIN agents a ON a.id = m.author_agent_id
WHERE m.conversation_id = ? AND m.seq > ? AND NOT m.internal %s
ORDER BY m.seq LIMIT ?`

type lineRow struct {
	Seq       int64     `bun:"seq"`
	Author    string    `bun:"author_kind"`
	AgentName string    `bun:"agent_name"`
	Body      string    `bun:"body"`
	CreatedAt time.Time `bun:"created_at"`
	Files     []string  `bun:"files,array"`
}

func conversationLines(ctx context.Context, db bun.IDB, query string, args ...any) ([]ConversationLine, error) {
	var rows []lineRow
	if err := db.NewRaw(query, args...).Scan(ctx, &rows); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	out := make([]ConversationLine, len(rows))
	for i, r := range rows {
		out[i] = ConversationLine{Seq: r.Seq, Author: helpium.AuthorKind(r.Author), AgentName: r.AgentName, Body: r.Body,
			CreatedAt: r.CreatedAt.UTC(), Files: r.Files}
	}
	return out, nil
}

// AwayBatch is one away email's worth: the agents' replies of a
// conversation that its customer has neither seen nor been emailed.
type AwayBatch struct {
	ConversationID string
	WorkspaceID    string
	WorkspaceName  string
	Settings       helpium.AwayEmail
	CustomerID     string
	CustomerEmail  string
	CustomerName   string
	Replies        []ConversationLine // oldest first, at most MaxAwayReplies
	More           int                // replies left out beyond those
}

// MaxAwayReplies is how many replies one away email lists.
const MaxAwayReplies = 50

// AwayQuery says which conversations are due an away email at Now.
type AwayQuery struct {
	Now time.Time
	// Since bounds how old a reply may be (helpium.AwayHorizon before Now).
	Since time.Time
	// DefaultDelayMinutes applies to workspaces that set none.
	DefaultDelayMinutes int
}

// awayDueSQL finds one conversation due an away email, and locks it: its
// workspace sends away emails; its customer has an address and has not
// unsubscribed; no widget has had it open for the workspace's delay; and
// it has agents' replies (not internal, written since the setting was
// switched on and within the horizon) after what the customer has read and
// been emailed, the oldest of them at least the delay old. Conversations
// another notifier holds are skipped.
const awayDueSQL = `
SELECT c.id, c.workspace_id, w.name AS workspace_name, w.away_email, cu.id AS customer_id, cu.email, coalesce(cu.name, '') AS customer_name,
	c.last_seq, GREATEST(c.customer_read_seq, c.away_notified_seq) AS from_seq
FROM conversations c
JOIN workspaces w ON w.id = c.workspace_id
JOIN customers cu ON cu.id = c.customer_id
CROSS JOIN LATERAL (SELECT ?now::timestamptz - make_interval(mins => coalesce(nullif((w.away_email->>'delay_minutes')::int, 0), ?default_delay)) AS before) d
WHERE c.customer_id IS NOT NULL AND c.last_seq > GREATEST(c.customer_read_seq, c.away_notified_seq)
	AND c.last_message_at > ?since
	AND coalesce((w.away_email->>'enabled')::boolean, false)
	AND cu.email IS NOT NULL AND NOT EXISTS (SELECT 1 FROM email_unsubscribes u WHERE u.customer_id = cu.id)
	AND NOT EXISTS (SELECT 1 FROM widget_presence p WHERE p.conversation_id = c.id AND p.seen_at > d.before)
	AND (SELECT min(m.created_at) FROM messages m
		WHERE m.conversation_id = c.id AND m.seq > GREATEST(c.customer_read_seq, c.away_notified_seq)
			AND m.author_kind = 'agent' AND NOT m.internal AND m.created_at > ?since
			AND m.created_at >= coalesce((w.away_email->>'enabled_at')::timestamptz, '-infinity')) <= d.before
ORDER BY c.last_message_at
LIMIT 1
FOR UPDATE OF c SKIP LOCKED`

// QueueAwayEmail finds one conversation due an away email (see
// awayDueSQL), has compose write the email for its batch, queues it and
// records the conversation as emailed up to its last message, all in one
// transaction: a crash before the commit leaves the replies to be emailed
// again, and after it, the email is in the outbox and the replies are never
// emailed twice. It reports whether it found one.
func (s *Store) QueueAwayEmail(ctx context.Context, q AwayQuery, compose func(*AwayBatch) (*helpium.Email, error)) (bool, error) {
	found := false
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var due []struct {
			ID            string            `bun:"id"`
			WorkspaceID   string            `bun:"workspace_id"`
			WorkspaceName string            `bun:"workspace_name"`
			AwayEmail     helpium.AwayEmail `bun:"away_email,type:jsonb"`
			CustomerID    string            `bun:"customer_id"`
			Email         string            `bun:"email"`
			CustomerName  string            `bun:"customer_name"`
			LastSeq       int64             `bun:"last_seq"`
			FromSeq       int64             `bun:"from_seq"`
		}
		err := tx.NewRaw(awayDueSQL, &struct {
			Now          time.Time `bun:"now"`
			Since        time.Time `bun:"since"`
			DefaultDelay int       `bun:"default_delay"`
		}{q.Now, q.Since, q.DefaultDelayMinutes}).Scan(ctx, &due)
		if errors.Is(err, sql.ErrNoRows) || err == nil && len(due) == 0 {
			return nil
		}
		if err != nil {
			return err
		}
		d := due[0]
		cond := "AND m.author_kind = 'agent' AND m.created_at > ?"
		args := []any{d.ID, d.FromSeq, q.Since}
		if d.AwayEmail.EnabledAt != nil {
			cond += " AND m.created_at >= ?"
			args = append(args, *d.AwayEmail.EnabledAt)
		}
		replies, err := conversationLines(ctx, tx, fmtLines(cond), append(args, MaxAwayReplies+1)...)
		if err != nil {
			return err
		}
		b := &AwayBatch{ConversationID: d.ID, WorkspaceID: d.WorkspaceID, WorkspaceName: d.WorkspaceName, Settings: d.AwayEmail,
			CustomerID: d.CustomerID, CustomerEmail: d.Email, CustomerName: d.CustomerName, Replies: replies}
		if len(replies) > MaxAwayReplies {
			var total int
			if err := tx.NewRaw(`SELECT count(*) FROM messages m WHERE m.conversation_id = ? AND m.seq > ? AND NOT m.internal `+cond,
				args...).Scan(ctx, &total); err != nil {
				return err
			}
			b.Replies, b.More = replies[:MaxAwayReplies], total-MaxAwayReplies
		}
		m, err := compose(b)
		if err != nil {
			return err
		}
		if err := enqueueConversationMail(ctx, tx, m, MailAway, d.ID); err != nil {
			return err
		}
		if _, err := tx.NewRaw(`UPDATE conversations SET away_notified_seq = ? WHERE id = ?`, d.LastSeq, d.ID).Exec(ctx); err != nil {
			return err
		}
		found = true
		return nil
	})
	return found, dbErr(err, "away email")
}

func fmtLines(cond string) string {
	return fmt.Sprintf(conversationLinesSQL, cond)
}

// TranscriptState is what decides whether a transcript may go: the
// conversation's customer and the transcripts sent lately.
type TranscriptState struct {
	ConversationID string
	WorkspaceName  string
	CustomerID     string // "" when the conversation has no customer
	CustomerEmail  string // "" when the customer gave none
	CustomerName   string
	Unsubscribed   bool
	// Transcripts of this conversation, and to this address from the
	// workspace, since the request's Since, with the oldest's time.
	ForConversation, ToAddress             int
	OldestForConversation, OldestToAddress time.Time
}

// TranscriptRequest asks for the transcript of the conversation behind a
// widget token.
type TranscriptRequest struct {
	WorkspaceID string
	TokenHash   []byte
	// Since is the start of the window transcripts are counted in.
	Since time.Time
	// MaxLines bounds the messages read.
	MaxLines int
	// Decide refuses the request (with its error) given the state.
	Decide func(*TranscriptState) error
	// Compose writes the email from the state and the conversation's
	// customer-visible messages, oldest first.
	Compose func(*TranscriptState, []ConversationLine) (*helpium.Email, error)
}

// QueueTranscript queues the transcript email of a conversation if Decide
// allows it, in one transaction that holds the conversation's and the
// customer's rows, so that concurrent requests (on any replica) are
// counted one after the other. Returns ENotFound for an unknown token and
// Decide's error.
func (s *Store) QueueTranscript(ctx context.Context, r TranscriptRequest) error {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		st := &TranscriptState{}
		var customerID *string
		err := tx.NewRaw(`SELECT c.id, c.customer_id, w.name FROM conversations c JOIN workspaces w ON w.id = c.workspace_id
			WHERE c.token_hash = ? AND c.workspace_id = ? FOR UPDATE OF c`, r.TokenHash, r.WorkspaceID).
			Scan(ctx, &st.ConversationID, &customerID, &st.WorkspaceName)
		if err != nil {
			return err
		}
		if customerID != nil {
			var email *string
			var unsubscribed bun.NullTime
			if err := tx.NewRaw(`SELECT cu.id, cu.email, coalesce(cu.name, ''), u.unsubscribed_at
				FROM customers cu LEFT JOIN email_unsubscribes u ON u.customer_id = cu.id WHERE cu.id = ? FOR UPDATE OF cu`, *customerID).
				Scan(ctx, &st.CustomerID, &email, &st.CustomerName, &unsubscribed); err != nil {
				return err
			}
			if email != nil {
				st.CustomerEmail = *email
			}
			st.Unsubscribed = !unsubscribed.IsZero()
		}
		if st.CustomerEmail != "" {
			var oldest, oldestTo bun.NullTime
			if err := tx.NewRaw(`SELECT
				(SELECT count(*) FROM mail_outbox WHERE kind = 'transcript' AND conversation_id = ? AND created_at > ?),
				(SELECT min(created_at) FROM mail_outbox WHERE kind = 'transcript' AND conversation_id = ? AND created_at > ?),
				(SELECT count(*) FROM mail_outbox WHERE kind = 'transcript' AND workspace_id = ? AND lower(to_address) = lower(?) AND created_at > ?),
				(SELECT min(created_at) FROM mail_outbox WHERE kind = 'transcript' AND workspace_id = ? AND lower(to_address) = lower(?) AND created_at > ?)`,
				st.ConversationID, r.Since, st.ConversationID, r.Since,
				r.WorkspaceID, st.CustomerEmail, r.Since, r.WorkspaceID, st.CustomerEmail, r.Since).
				Scan(ctx, &st.ForConversation, &oldest, &st.ToAddress, &oldestTo); err != nil {
				return err
			}
			st.OldestForConversation, st.OldestToAddress = oldest.Time.UTC(), oldestTo.Time.UTC()
		}
		if err := r.Decide(st); err != nil {
			return err
		}
		lines, err := conversationLines(ctx, tx, fmtLines(""), st.ConversationID, 0, r.MaxLines)
		if err != nil {
			return err
		}
		m, err := r.Compose(st, lines)
		if err != nil {
			return err
		}
		return enqueueConversationMail(ctx, tx, m, MailTranscript, st.ConversationID)
	})
	return dbErr(err, "conversation")
}

// UnsubscribeTarget is the customer an unsubscribe link names.
type UnsubscribeTarget struct {
	CustomerID     string
	WorkspaceName  string
	Email          string // "" when the customer has none
	UnsubscribedAt *time.Time
}

// FindUnsubscribeTarget returns the customer with id and their workspace's
// name. Returns ENotFound when there is none.
func (s *Store) FindUnsubscribeTarget(ctx context.Context, customerID string) (*UnsubscribeTarget, error) {
	t := &UnsubscribeTarget{}
	var email *string
	var at bun.NullTime
	err := s.db.NewRaw(`SELECT cu.id, w.name, cu.email, u.unsubscribed_at FROM customers cu JOIN workspaces w ON w.id = cu.workspace_id
		LEFT JOIN email_unsubscribes u ON u.customer_id = cu.id WHERE cu.id = ?`, customerID).Scan(ctx, &t.CustomerID, &t.WorkspaceName, &email, &at)
	if err != nil {
		return nil, dbErr(err, "customer")
	}
	if email != nil {
		t.Email = *email
	}
	t.UnsubscribedAt = timePtr(at)
	return t, nil
}

// UnsubscribeCustomer records that a customer wants no more emails about
// their conversations (away emails, transcripts); the first time counts.
// Returns ENotFound when there is no such customer.
func (s *Store) UnsubscribeCustomer(ctx context.Context, customerID string, now time.Time) error {
	res, err := s.db.NewRaw(`INSERT INTO email_unsubscribes (customer_id, unsubscribed_at) SELECT id, ? FROM customers WHERE id = ?
		ON CONFLICT (customer_id) DO NOTHING`, now, customerID).Exec(ctx)
	if err != nil {
		return dbErr(err, "customer")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		_, err := s.FindUnsubscribeTarget(ctx, customerID) // unsubscribed before, or no such customer
		return err
	}
	return nil
}

// ReplaceWidgetToken makes tokenHash the only widget token of a
// conversation of the workspace (the old one stops working) and returns
// the conversation. Returns ENotFound when there is no such conversation.
func (s *Store) ReplaceWidgetToken(ctx context.Context, workspaceID, conversationID string, tokenHash []byte) (*helpium.Conversation, error) {
	row := new(conversationRow)
	err := s.db.NewRaw(`UPDATE conversations AS c SET token_hash = ? WHERE c.id = ? AND c.workspace_id = ? RETURNING `+conversationColumns,
		tokenHash, conversationID, workspaceID).Scan(ctx, row)
	if err != nil {
		return nil, dbErr(err, "conversation")
	}
	return row.toConversation(), nil
}
