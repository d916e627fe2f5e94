package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

type attachmentRow struct {
	bun.BaseModel `bun:"table:attachments"`

	ID             string       `bun:"id,pk,type:uuid"`
	WorkspaceID    string       `bun:"workspace_id,type:uuid"`
	ConversationID *string      `bun:"conversation_id,type:uuid"`
	MessageID      *string      `bun:"message_id,type:uuid"`
	Filename       string       `bun:"filename"`
	ContentType    string       `bun:"content_type"`
	Kind           string       `bun:"kind"`
	Size           int64        `bun:"size"`
	SHA256         []byte       `bun:"sha256"`
	BlobKey        string       `bun:"blob_key"`
	CreatedAt      time.Time    `bun:"created_at"`
	SweptAt        bun.NullTime `bun:"swept_at"`
}

func (r *attachmentRow) toAttachment() *helpium.Attachment {
	a := &helpium.Attachment{
		ID: r.ID, WorkspaceID: r.WorkspaceID, Filename: r.Filename, ContentType: r.ContentType,
		Kind: helpium.AttachmentKind(r.Kind), Size: r.Size, SHA256: r.SHA256, Key: r.BlobKey, CreatedAt: r.CreatedAt,
	}
	if r.ConversationID != nil {
		a.ConversationID = *r.ConversationID
	}
	if r.MessageID != nil {
		a.MessageID = *r.MessageID
	}
	return a
}

// InsertPendingAttachment records a file about to be written to the blob
// store, before any message holds it. The message's transaction links it
// (AppendMessage, CreateConversation); SweepPendingAttachments collects it
// if that never happens.
func (s *Store) InsertPendingAttachment(ctx context.Context, a *helpium.Attachment) error {
	row := &attachmentRow{
		ID: a.ID, WorkspaceID: a.WorkspaceID, Filename: a.Filename, ContentType: a.ContentType,
		Kind: string(a.Kind), Size: a.Size, SHA256: a.SHA256, BlobKey: a.Key, CreatedAt: a.CreatedAt,
	}
	_, err := s.db.NewInsert().Model(row).Exec(ctx)
	return dbErr(err, "attachment")
}

// linkAttachments gives pending attachments of the workspace to message m
// of conversationID, in the message's transaction and before the message
// is inserted, so that its webhook trigger sees them. An attachment no
// longer pending (swept as too old) is EConflict.
func linkAttachments(ctx context.Context, tx bun.IDB, workspaceID, conversationID string, m *helpium.Message) error {
	if len(m.Attachments) == 0 {
		return nil
	}
	ids := make([]string, len(m.Attachments))
	for i, a := range m.Attachments {
		ids[i] = a.ID
	}
	res, err := tx.NewUpdate().Table("attachments").
		Set("message_id = ?", m.ID).Set("conversation_id = ?", conversationID).
		Where("id IN (?)", bun.In(ids)).Where("workspace_id = ?", workspaceID).Where("message_id IS NULL").Where("swept_at IS NULL").
		Exec(ctx)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || int(n) != len(ids) {
		return helpium.Errorf(helpium.EConflict, "An attachment expired before its message was stored; send the files again.")
	}
	for _, a := range m.Attachments {
		a.MessageID, a.ConversationID = m.ID, conversationID
	}
	return nil
}

// DeleteAttachment removes an attachment's row.
func (s *Store) DeleteAttachment(ctx context.Context, id string) error {
	_, err := s.db.NewDelete().Table("attachments").Where("id = ?", id).Exec(ctx)
	return dbErr(err, "attachment")
}

// CountConversationAttachments returns how many files a conversation's
// messages hold.
func (s *Store) CountConversationAttachments(ctx context.Context, conversationID string) (int, error) {
	n, err := s.db.NewSelect().Table("attachments").
		Where("conversation_id = ?", conversationID).Where("message_id IS NOT NULL").Count(ctx)
	return int(n), dbErr(err, "attachments")
}

// FindMessageAttachments returns the files of the messages, each message's
// in the order they were sent.
func (s *Store) FindMessageAttachments(ctx context.Context, messageIDs []string) ([]*helpium.Attachment, error) {
	if len(messageIDs) == 0 {
		return nil, nil
	}
	var rows []attachmentRow
	err := s.db.NewSelect().Model(&rows).Where("message_id IN (?)", bun.In(messageIDs)).
		OrderExpr("message_id, created_at, id").Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "attachments")
	}
	return each(rows, (*attachmentRow).toAttachment), nil
}

// FindAttachment returns a file that a stored message holds, with whether
// that message is an internal note. Pending uploads are ENotFound.
func (s *Store) FindAttachment(ctx context.Context, id string) (*helpium.Attachment, bool, error) {
	var row struct {
		attachmentRow `bun:",extend"`
		Internal      bool `bun:"internal"`
	}
	err := s.db.NewSelect().Model(&row).ColumnExpr("attachment_row.*, m.internal").
		Join("JOIN messages AS m ON m.id = attachment_row.message_id").
		Where("attachment_row.id = ?", id).Scan(ctx)
	if err != nil {
		return nil, false, dbErr(err, "attachment")
	}
	return row.attachmentRow.toAttachment(), row.Internal, nil
}

// ClaimPendingAttachments marks up to limit uploads created before cutoff
// that no message holds as swept, so that none can be linked any more, and
// returns them (with any marked by an earlier sweep that did not finish).
func (s *Store) ClaimPendingAttachments(ctx context.Context, cutoff time.Time, limit int) ([]*helpium.Attachment, error) {
	var rows []attachmentRow
	err := s.db.NewRaw(`UPDATE attachments SET swept_at = coalesce(swept_at, now())
		WHERE id IN (SELECT id FROM attachments WHERE message_id IS NULL AND created_at < ? ORDER BY created_at LIMIT ?)
		AND message_id IS NULL RETURNING *`, cutoff, limit).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr(err, "attachments")
	}
	return each(rows, (*attachmentRow).toAttachment), nil
}

// DeletePendingAttachment removes an upload's row if no message took it
// meanwhile, and reports whether it did.
func (s *Store) DeletePendingAttachment(ctx context.Context, id string) (bool, error) {
	res, err := s.db.NewDelete().Table("attachments").Where("id = ?", id).Where("message_id IS NULL").Exec(ctx)
	if err != nil {
		return false, dbErr(err, "attachment")
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
