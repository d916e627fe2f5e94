package db

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

type conversationRow struct {
	bun.BaseModel `bun:"table:conversations"`

	ID              string       `bun:"id,pk,type:uuid"`
	WorkspaceID     string       `bun:"workspace_id,type:uuid"`
	CustomerID      *string      `bun:"customer_id,type:uuid"`
	AssigneeID      *string      `bun:"assignee_id,type:uuid"`
	TokenHash       []byte       `bun:"token_hash"`
	Status          string       `bun:"status"`
	LastSeq         int64        `bun:"last_seq"`
	CreatedAt       time.Time    `bun:"created_at"`
	UpdatedAt       time.Time    `bun:"updated_at"`
	LastMessageAt   bun.NullTime `bun:"last_message_at"`
	FirstResponseAt bun.NullTime `bun:"first_response_at"`
	ResolvedAt      bun.NullTime `bun:"resolved_at"`
	// IdentityVerified: the widget session proved its customer's identity.
	IdentityVerified bool `bun:"identity_verified"`
	// IdempotencyKey is helpium.ConversationKey of a start that can be
	// retried; written once, never read back into the domain.
	IdempotencyKey []byte       `bun:"idempotency_key,nullzero"`
	HandedOverAt   bun.NullTime `bun:"handed_over_at"`
	InstallationID *string      `bun:"installation_id"`
	CSATRating     *int         `bun:"csat_rating"`
	CSATComment    *string      `bun:"csat_comment"`
	CSATAt         bun.NullTime `bun:"csat_at"`
}

// conversationColumns are the columns of conversationRow, for queries that
// alias conversations as c. The sealed bearer token an unverified session
// may keep in its row is not among them: only FindBearerToken reads it.
const conversationColumns = "c.id, c.workspace_id, c.customer_id, c.assignee_id, c.token_hash, c.status, c.last_seq, " +
	"c.created_at, c.updated_at, c.last_message_at, c.first_response_at, c.resolved_at, c.identity_verified, " +
	"c.handed_over_at, c.installation_id, c.csat_rating, c.csat_comment, c.csat_at"

func (r *conversationRow) toConversation() *helpium.Conversation {
	return &helpium.Conversation{
		ID: r.ID, WorkspaceID: r.WorkspaceID, CustomerID: r.CustomerID, AssigneeID: r.AssigneeID, LastSeq: r.LastSeq,
		Status:    helpium.ConversationStatus(r.Status),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		LastMessageAt:    timePtr(r.LastMessageAt),
		FirstResponseAt:  timePtr(r.FirstResponseAt),
		ResolvedAt:       timePtr(r.ResolvedAt),
		IdentityVerified: r.IdentityVerified,
		HandedOverAt:     timePtr(r.HandedOverAt),
		InstallationID:   r.InstallationID,
		CSAT:             r.csat(),
	}
}

func (r *conversationRow) csat() *helpium.CSAT {
	if r.CSATRating == nil {
		return nil
	}
	return &helpium.CSAT{Rating: *r.CSATRating, Comment: r.CSATComment, SubmittedAt: r.CSATAt.Time.UTC()}
}

type messageRow struct {
	bun.BaseModel `bun:"table:messages"`

	ID              string    `bun:"id,pk,type:uuid"`
	ConversationID  string    `bun:"conversation_id,type:uuid"`
	WorkspaceID     string    `bun:"workspace_id,type:uuid"`
	Seq             int64     `bun:"seq"`
	AuthorKind      string    `bun:"author_kind"`
	AuthorAgentID   *string   `bun:"author_agent_id,type:uuid"`
	Internal        bool      `bun:"internal"`
	Body            string    `bun:"body"`
	ClientMessageID *string   `bun:"client_message_id"`
	CreatedAt       time.Time `bun:"created_at"`
	AnswerID        *string   `bun:"answer_id,type:uuid"`
}

func (r *messageRow) toMessage() *helpium.Message {
	return &helpium.Message{
		ID: r.ID, ConversationID: r.ConversationID, WorkspaceID: r.WorkspaceID,
		Seq: r.Seq, Author: helpium.AuthorKind(r.AuthorKind), AuthorAgentID: r.AuthorAgentID, Internal: r.Internal,
		Body: r.Body, ClientMessageID: r.ClientMessageID, CreatedAt: r.CreatedAt, AnswerID: r.AnswerID,
	}
}

func toMessageRow(m *helpium.Message) *messageRow {
	return &messageRow{
		ID: m.ID, ConversationID: m.ConversationID, WorkspaceID: m.WorkspaceID,
		Seq: m.Seq, AuthorKind: string(m.Author), AuthorAgentID: m.AuthorAgentID, Internal: m.Internal,
		Body: m.Body, ClientMessageID: m.ClientMessageID, CreatedAt: m.CreatedAt, AnswerID: m.AnswerID,
	}
}

// CreateConversation inserts c with its first message m in one transaction.
// c and m must carry ids and timestamps; m gets sequence number 1. With an
// idempotency key (helpium.ConversationKey) that already started a
// conversation of the workspace (a retry whose answer was lost), nothing is
// inserted and that conversation is returned with its first message, and
// created is false; its widget token is left as it is, and it must hash to
// tokenHash (the caller derives it from the same secret), else the start
// is EConflict.
func (s *Store) CreateConversation(ctx context.Context, c *helpium.Conversation, tokenHash []byte, m *helpium.Message, key []byte) (conv *helpium.Conversation, first *helpium.Message, created bool, err error) {
	m.Seq = 1
	crow := &conversationRow{
		ID: c.ID, WorkspaceID: c.WorkspaceID, CustomerID: c.CustomerID, TokenHash: tokenHash,
		Status: string(c.Status), LastSeq: 1, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		LastMessageAt: bun.NullTime{Time: m.CreatedAt}, IdempotencyKey: key, InstallationID: c.InstallationID,
	}
	create := func() error {
		return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if key != nil {
				found, ferr := false, error(nil)
				conv, first, found, ferr = findByKey(ctx, tx, c.WorkspaceID, key, tokenHash)
				if ferr != nil || found {
					return ferr
				}
			}
			if _, err := tx.NewInsert().Model(crow).Exec(ctx); err != nil {
				return err
			}
			if err := linkAttachments(ctx, tx, c.WorkspaceID, c.ID, m); err != nil {
				return err
			}
			if _, err := tx.NewInsert().Model(toMessageRow(m)).Exec(ctx); err != nil {
				return err
			}
			conv, first, created = c, m, true
			return nil
		})
	}
	err = create()
	// Two tries with the same key at once: the loser finds the winner's.
	// Their tokens are equal too, so either unique index may refuse it.
	if key != nil && (isConstraint(err, "conversations_idempotency_key") || isConstraint(err, "conversations_token_hash_key")) {
		err = create()
	}
	return conv, first, created, dbErr(err, "conversation")
}

// findByKey finds the conversation of a workspace started with the
// idempotency key, and its first message; found is false when there is
// none.
func findByKey(ctx context.Context, tx bun.Tx, workspaceID string, key, tokenHash []byte) (*helpium.Conversation, *helpium.Message, bool, error) {
	row := new(conversationRow)
	err := tx.NewSelect().Model(row).ModelTableExpr("conversations AS c").ColumnExpr(conversationColumns).
		Where("c.workspace_id = ?", workspaceID).Where("c.idempotency_key = ?", key).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	if !bytes.Equal(row.TokenHash, tokenHash) {
		return nil, nil, false, &helpium.Error{Code: helpium.EConflict, Message: "This client message id already started a conversation."}
	}
	first := new(messageRow)
	if err := tx.NewSelect().Model(first).Where("conversation_id = ?", row.ID).Where("seq = 1").Scan(ctx); err != nil {
		return nil, nil, false, err
	}
	return row.toConversation(), first.toMessage(), true, nil
}

// FindConversationByToken returns the conversation of workspaceID whose
// widget token hashes to tokenHash. A token of another workspace is
// ENotFound, like an unknown one.
func (s *Store) FindConversationByToken(ctx context.Context, workspaceID string, tokenHash []byte) (*helpium.Conversation, error) {
	row := new(conversationRow)
	err := s.db.NewSelect().Model(row).
		Where("token_hash = ?", tokenHash).Where("workspace_id = ?", workspaceID).
		Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "conversation")
	}
	return row.toConversation(), nil
}

// appendMessageSQL numbers and inserts a message in one statement: bumping
// last_seq locks the conversation row, so concurrent sends to one
// conversation are numbered in commit order. It applies the message's
// helpium.MessageEffect (activity, first response, reopening), which the
// domain decides. A retry with a client message id already stored
// inserts nothing. %s selects the conversation. A message's created_at is
// the later of the caller's clock and the conversation's last change, so
// messages numbered later are never stamped earlier (concurrent sends
// read the clock before they queue for the row).
const appendMessageSQL = `
WITH c AS (
	UPDATE conversations SET
		last_seq = last_seq + 1,
		updated_at = GREATEST(?created_at, updated_at),
		last_message_at = CASE WHEN ?activity THEN GREATEST(?created_at, updated_at) ELSE last_message_at END,
		first_response_at = CASE WHEN ?first_response THEN coalesce(first_response_at, GREATEST(?created_at, updated_at)) ELSE first_response_at END,
		status = CASE WHEN status = ANY (?reopen_from) THEN 'open' ELSE status END,
		updated_by_kind = CASE WHEN status = ANY (?reopen_from) THEN 'customer' ELSE updated_by_kind END,
		updated_by_id = CASE WHEN status = ANY (?reopen_from) THEN customer_id ELSE updated_by_id END,
		resolved_at = CASE WHEN status = ANY (?reopen_from) THEN NULL ELSE resolved_at END
	WHERE %s AND workspace_id = ?workspace_id
		AND (?client_message_id::text IS NULL OR NOT EXISTS (
			SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id AND m.client_message_id = ?client_message_id))
	RETURNING id, last_seq, updated_at
)
INSERT INTO messages (id, conversation_id, workspace_id, seq, author_kind, author_agent_id, internal, body, client_message_id, created_at, answer_id)
SELECT ?id, c.id, ?workspace_id, c.last_seq, ?author_kind, ?author_agent_id, ?internal, ?body, ?client_message_id, c.updated_at, ?answer_id FROM c
ON CONFLICT (conversation_id, client_message_id) DO NOTHING
RETURNING conversation_id, seq, created_at`

var (
	appendByTokenSQL = fmt.Sprintf(appendMessageSQL, "token_hash = ?token_hash")
	appendByIDSQL    = fmt.Sprintf(appendMessageSQL, "id = ?conversation_id")
)

// MessageTarget names the conversation a message goes to: by widget token
// hash (the widget) or by id (agents), always within a workspace.
type MessageTarget struct {
	WorkspaceID    string
	TokenHash      []byte
	ConversationID string
}

var errNotInserted = errors.New("message not inserted")

// AppendMessage adds m to the target conversation, with its attachments
// (pending uploads of the workspace; m.ConversationID must then name the
// target). It reports created=false
// and returns the stored message when m.ClientMessageID was already used in
// that conversation. Returns ENotFound when the target names no
// conversation of the workspace.
func (s *Store) AppendMessage(ctx context.Context, to MessageTarget, m *helpium.Message) (*helpium.Message, bool, error) {
	var inserted bool
	var err error
	if len(m.Attachments) == 0 {
		inserted, err = insertMessage(ctx, s.db, to, m)
	} else {
		// The files join the message in its transaction; a message not
		// inserted (a retry, an unknown conversation) leaves them pending.
		err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if err := linkAttachments(ctx, tx, to.WorkspaceID, m.ConversationID, m); err != nil {
				return err
			}
			if inserted, err = insertMessage(ctx, tx, to, m); err == nil && !inserted {
				return errNotInserted
			}
			return err
		})
		if errors.Is(err, errNotInserted) {
			err = nil
		}
	}
	if err != nil {
		return nil, false, dbErr(err, "conversation")
	}
	if inserted {
		return m, true, nil
	}
	// Nothing inserted: either the target is unknown, or this is a retry.
	if m.ClientMessageID == nil {
		return nil, false, notFound("conversation")
	}
	row := new(messageRow)
	q := s.db.NewSelect().Model(row).
		Join("JOIN conversations AS c ON c.id = message_row.conversation_id").
		Where("c.workspace_id = ?", to.WorkspaceID).
		Where("message_row.client_message_id = ?", *m.ClientMessageID)
	if to.TokenHash != nil {
		q = q.Where("c.token_hash = ?", to.TokenHash)
	} else {
		q = q.Where("c.id = ?", to.ConversationID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, dbErr(err, "conversation")
	}
	return row.toMessage(), false, nil
}

// insertMessage numbers and inserts m in the target conversation with
// appendMessageSQL, filling in its conversation, number and time. It
// reports false when nothing was inserted: an unknown target, or a client
// message id already used there.
func insertMessage(ctx context.Context, db bun.IDB, to MessageTarget, m *helpium.Message) (bool, error) {
	args := struct {
		ID              string    `bun:"id"`
		WorkspaceID     string    `bun:"workspace_id"`
		TokenHash       []byte    `bun:"token_hash"`
		ConversationID  string    `bun:"conversation_id"`
		AuthorKind      string    `bun:"author_kind"`
		AuthorAgentID   *string   `bun:"author_agent_id"`
		Internal        bool      `bun:"internal"`
		Body            string    `bun:"body"`
		ClientMessageID *string   `bun:"client_message_id"`
		CreatedAt       time.Time `bun:"created_at"`
		Activity        bool      `bun:"activity"`
		FirstResponse   bool      `bun:"first_response"`
		ReopenFrom      []string  `bun:"reopen_from,array"`
		AnswerID        *string   `bun:"answer_id"`
	}{ID: m.ID, WorkspaceID: to.WorkspaceID, TokenHash: to.TokenHash, ConversationID: to.ConversationID, AuthorKind: string(m.Author),
		AuthorAgentID: m.AuthorAgentID, Internal: m.Internal, Body: m.Body, ClientMessageID: m.ClientMessageID, CreatedAt: m.CreatedAt,
		AnswerID: m.AnswerID}
	effect := m.Effect()
	args.Activity, args.FirstResponse, args.ReopenFrom = effect.Activity, effect.FirstResponse, []string{}
	for _, st := range effect.ReopenFrom {
		args.ReopenFrom = append(args.ReopenFrom, string(st))
	}
	query := appendByIDSQL
	if to.TokenHash != nil {
		query = appendByTokenSQL
	}
	var out []struct {
		ConversationID string    `bun:"conversation_id"`
		Seq            int64     `bun:"seq"`
		CreatedAt      time.Time `bun:"created_at"`
	}
	if err := db.NewRaw(query, &args).Scan(ctx, &out); err != nil || len(out) == 0 {
		return false, err
	}
	m.ConversationID, m.Seq, m.WorkspaceID, m.CreatedAt = out[0].ConversationID, out[0].Seq, to.WorkspaceID, out[0].CreatedAt.UTC()
	return true, nil
}

// FindMessages returns up to limit messages of a conversation with sequence
// numbers after afterSeq, oldest first. Internal notes are included only
// when includeInternal is set.
func (s *Store) FindMessages(ctx context.Context, conversationID string, afterSeq int64, limit int, includeInternal bool) ([]*helpium.Message, error) {
	var rows []messageRow
	q := s.db.NewSelect().Model(&rows).
		Where("conversation_id = ?", conversationID).Where("seq > ?", afterSeq).
		OrderExpr("seq ASC").Limit(int64(limit))
	if !includeInternal {
		q = q.Where("NOT internal")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbErr(err, "messages")
	}
	return each(rows, (*messageRow).toMessage), nil
}

// FindConversationsByIDs returns the conversations with those ids within
// the scope, in no particular order.
func (s *Store) FindConversationsByIDs(ctx context.Context, sc Scope, ids []string) ([]*helpium.Conversation, error) {
	var rows []conversationRow
	q := s.db.NewSelect().Model(&rows).ModelTableExpr("conversations AS c").ColumnExpr(conversationColumns).Where("c.id IN (?)", bun.In(ids))
	if err := sc.apply(q, "c.workspace_id").Scan(ctx); err != nil {
		return nil, dbErr(err, "conversations")
	}
	return each(rows, (*conversationRow).toConversation), nil
}
