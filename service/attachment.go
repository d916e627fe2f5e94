package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/metrics"
	"github.com/helpium/helpium/secret"
)

// Files runs attachments: checking and storing uploads, signing their
// links, serving them, sweeping the abandoned, and a workspace's limits.
type Files struct {
	base
	workspaces *Workspaces
	blobs      Blobs           // attachments' bytes; nil: uploads refused
	secrets    *secret.Keyring // signs links
	metrics    *metrics.Metrics
}

// Blobs keeps attachment bytes (blob.Disk, blob.S3).
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Open(ctx context.Context, key string) (io.ReadCloser, int64, error)
	Delete(ctx context.Context, key string) error
	DeletePrefix(ctx context.Context, prefix string) error
}

// Attachment links: valid for at least an hour and at most two, the same
// link for a whole hour (so browsers cache the file).
const (
	attachmentURLPurpose = "helpium attachment url"
	attachmentURLWindow  = time.Hour
)

// AttachmentSweepAge is how old an upload no message took must be before
// SweepAttachments deletes it: far longer than any upload and message.
const AttachmentSweepAge = time.Hour

// readUploads reads and checks the files sent with a message against the
// workspace's limits, before anything is stored: a message with one bad
// file stores none. existing is the conversation's count of files so far.
func (s *Files) readUploads(ws *helpium.Workspace, existing int, uploads []helpium.Upload) ([]*helpium.Attachment, [][]byte, error) {
	if len(uploads) == 0 {
		return nil, nil, nil
	}
	if s.blobs == nil {
		return nil, nil, helpium.Errorf(helpium.EUnavailable, "File uploads are not configured on this server.")
	}
	lim := ws.AttachmentLimits.Effective()
	if len(uploads) > lim.MaxFilesPerMessage {
		s.metrics.AttachmentRefused("too_many")
		return nil, nil, helpium.Invalid("files", "a message may carry at most %d files", lim.MaxFilesPerMessage)
	}
	if existing+len(uploads) > lim.MaxFilesPerConversation {
		s.metrics.AttachmentRefused("too_many")
		return nil, nil, helpium.Invalid("files", "a conversation may hold at most %d files; it has %d", lim.MaxFilesPerConversation, existing)
	}
	atts, data := make([]*helpium.Attachment, len(uploads)), make([][]byte, len(uploads))
	for i, u := range uploads {
		field, name := helpium.FileField(i), helpium.CleanFilename(u.Filename)
		b, err := io.ReadAll(io.LimitReader(u.Content, lim.MaxFileBytes+1))
		if err != nil {
			return nil, nil, helpium.Invalid(field, "%s (%s) could not be read", field, name)
		}
		if int64(len(b)) > lim.MaxFileBytes {
			s.metrics.AttachmentRefused("too_large")
			return nil, nil, &helpium.Error{Code: helpium.EPayloadTooLarge, Field: field,
				Message: fmt.Sprintf("%s (%s) is larger than the limit of %s.", field, name, formatBytes(lim.MaxFileBytes))}
		}
		if len(b) == 0 {
			s.metrics.AttachmentRefused("empty")
			return nil, nil, helpium.Invalid(field, "%s (%s) is empty", field, name)
		}
		kind, contentType, ok := helpium.SniffAttachment(name, b)
		if !ok {
			s.metrics.AttachmentRefused("type")
			return nil, nil, helpium.Invalid(field, "%s (%s) is not a file type that can be attached: send an image, a PDF, text, CSV or an office document", field, name)
		}
		if !lim.Allows(kind) {
			s.metrics.AttachmentRefused("type_not_allowed")
			return nil, nil, helpium.Invalid(field, "%s (%s): this help desk does not accept %s files", field, name, kind)
		}
		sum := sha256.Sum256(b)
		id := uuid.Must(uuid.NewV7()).String()
		atts[i] = &helpium.Attachment{
			ID: id, WorkspaceID: ws.ID, Filename: name, ContentType: contentType, Kind: kind,
			Size: int64(len(b)), SHA256: sum[:], Key: helpium.AttachmentKey(ws.ID, id), CreatedAt: s.clock(),
		}
		data[i] = b
	}
	return atts, data, nil
}

// storeUploads checks the files sent with a message and writes each to the
// blob store behind a pending row, which the message's transaction then
// links. On failure nothing stays behind (and a crash leaves only pending
// rows, which SweepAttachments collects).
func (s *Files) storeUploads(ctx context.Context, ws *helpium.Workspace, conversationID string, uploads []helpium.Upload) ([]*helpium.Attachment, error) {
	existing := 0
	if len(uploads) > 0 && conversationID != "" {
		n, err := s.store.CountConversationAttachments(ctx, conversationID)
		if err != nil {
			return nil, err
		}
		existing = n
	}
	atts, data, err := s.readUploads(ws, existing, uploads)
	if err != nil || len(atts) == 0 {
		return nil, err
	}
	for i, a := range atts {
		if err := s.store.InsertPendingAttachment(ctx, a); err != nil {
			s.discardUploads(ctx, atts[:i])
			return nil, err
		}
		if err := s.blobs.Put(ctx, a.Key, bytes.NewReader(data[i]), a.Size, a.ContentType); err != nil {
			s.discardUploads(ctx, atts[:i+1])
			return nil, helpium.Internal(fmt.Errorf("store attachment: %w", err))
		}
		s.metrics.AttachmentBytes("stored", a.Size)
	}
	return atts, nil
}

// discardUploads deletes uploads that no message took (the message was
// refused, or was a retry of one stored already). What fails here is left
// to the sweep.
func (s *Files) discardUploads(ctx context.Context, atts []*helpium.Attachment) {
	for _, a := range atts {
		if err := s.blobs.Delete(ctx, a.Key); err != nil {
			s.log.Warn("discard attachment", "attachment", a.ID, "err", err)
			continue
		}
		if _, err := s.store.DeletePendingAttachment(ctx, a.ID); err != nil {
			s.log.Warn("discard attachment", "attachment", a.ID, "err", err)
			continue
		}
		s.metrics.AttachmentBytes("deleted", a.Size)
	}
}

// settleUploads discards the uploads of a message that was not stored, or
// was a retry (the first attempt's files stand), and fills in the stored
// message's files.
func (s *Files) settleUploads(ctx context.Context, atts []*helpium.Attachment, m *helpium.Message, created bool, err error) error {
	if len(atts) > 0 && (err != nil || !created) {
		s.discardUploads(context.WithoutCancel(ctx), atts)
	}
	if err != nil {
		return err
	}
	return s.fillAttachments(ctx, m)
}

// fillAttachments sets the files of messages whose Attachments are nil
// (an empty list when they have none) and signs every file's link.
func (s *Files) fillAttachments(ctx context.Context, msgs ...*helpium.Message) error {
	var ids []string
	for _, m := range msgs {
		if m.Attachments == nil {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) > 0 {
		found, err := s.store.FindMessageAttachments(ctx, ids)
		if err != nil {
			return err
		}
		byMessage := make(map[string][]*helpium.Attachment, len(ids))
		for _, a := range found {
			byMessage[a.MessageID] = append(byMessage[a.MessageID], a)
		}
		for _, m := range msgs {
			if m.Attachments == nil {
				m.Attachments = byMessage[m.ID]
				if m.Attachments == nil {
					m.Attachments = []*helpium.Attachment{}
				}
			}
		}
	}
	for _, m := range msgs {
		for _, a := range m.Attachments {
			a.URL = s.attachmentURL(a.ID)
		}
	}
	return nil
}

// MessageAttachments returns the files of each message, for the GraphQL
// dataloader; the messages were read by a caller allowed to see them.
func (s *Files) MessageAttachments(ctx context.Context, messageIDs []string) ([][]*helpium.Attachment, error) {
	msgs := make([]*helpium.Message, len(messageIDs))
	for i, id := range messageIDs {
		msgs[i] = &helpium.Message{ID: id}
	}
	if err := s.fillAttachments(ctx, msgs...); err != nil {
		return nil, err
	}
	out := make([][]*helpium.Attachment, len(msgs))
	for i, m := range msgs {
		out[i] = m.Attachments
	}
	return out, nil
}

// attachmentURL is the signed link that downloads an attachment, the same
// for a whole hour and valid for at least one more.
func (s *Files) attachmentURL(id string) string {
	expires := s.clock().Truncate(attachmentURLWindow).Add(2 * attachmentURLWindow).Unix()
	sig := s.secrets.MAC(attachmentURLPurpose, attachmentURLMessage(id, expires))[:16]
	return "/files/" + id + "?expires=" + strconv.FormatInt(expires, 10) + "&signature=" + base64.RawURLEncoding.EncodeToString(sig)
}

func attachmentURLMessage(id string, expires int64) []byte {
	return []byte(id + "|" + strconv.FormatInt(expires, 10))
}

// OpenAttachment checks a signed link (attachmentURL) and returns the file
// it names, for the caller to close. A bad or expired link, or a file
// gone, is ENotFound.
func (s *Files) OpenAttachment(ctx context.Context, id, expires, signature string) (*helpium.Attachment, io.ReadCloser, error) {
	notFound := helpium.Errorf(helpium.ENotFound, "File not found, or its link has expired: reload the conversation for a fresh one.")
	exp, err := strconv.ParseInt(expires, 10, 64)
	sig, serr := base64.RawURLEncoding.DecodeString(signature)
	if !helpium.ValidID(id) || err != nil || serr != nil || len(sig) != 16 || s.clock().Unix() > exp || s.blobs == nil {
		return nil, nil, notFound
	}
	if !s.secrets.VerifyMAC(attachmentURLPurpose, attachmentURLMessage(id, exp), sig) {
		return nil, nil, notFound
	}
	a, _, err := s.store.FindAttachment(ctx, id)
	if err != nil {
		if helpium.ErrorCode(err) == helpium.ENotFound {
			return nil, nil, notFound
		}
		return nil, nil, err
	}
	r, _, err := s.blobs.Open(ctx, a.Key)
	if err != nil {
		return nil, nil, helpium.Internal(fmt.Errorf("open attachment %s: %w", a.ID, err))
	}
	return a, r, nil
}

// SweepAttachments deletes uploads older than AttachmentSweepAge that no
// message took, bytes first, and returns how many it deleted.
func (s *Files) SweepAttachments(ctx context.Context) (int, error) {
	if s.blobs == nil {
		return 0, nil
	}
	done := 0
	for {
		atts, err := s.store.ClaimPendingAttachments(ctx, s.clock().Add(-AttachmentSweepAge), 100)
		if err != nil || len(atts) == 0 {
			return done, err
		}
		for _, a := range atts {
			if err := s.blobs.Delete(ctx, a.Key); err != nil {
				return done, fmt.Errorf("sweep attachment %s: %w", a.ID, err)
			}
			if err := s.store.DeleteAttachment(ctx, a.ID); err != nil {
				return done, err
			}
			s.metrics.AttachmentBytes("deleted", a.Size)
			done++
		}
	}
}

// RunAttachmentSweeps sweeps every interval until ctx ends.
func (s *Files) RunAttachmentSweeps(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.SweepAttachments(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Warn("attachment sweep", "err", err)
		} else if n > 0 {
			s.log.Info("attachment sweep", "deleted", n)
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

func formatBytes(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// SetAttachmentLimits replaces a workspace's attachment limits; zero fields
// mean the defaults. Admins only. Returns EInvalid naming a setting out of
// range or an unknown kind.
func (s *Files) SetAttachmentLimits(ctx context.Context, workspaceID string, l helpium.AttachmentLimits) (*helpium.Workspace, error) {
	return s.workspaces.updateWorkspace(ctx, workspaceID, func(ws *helpium.Workspace) error {
		if err := l.Validate(); err != nil {
			return err
		}
		ws.AttachmentLimits = l
		return nil
	})
}

// AttachmentLimitsOf returns a workspace's effective attachment limits
// (defaults filled in) for one of its agents.
func (s *Files) AttachmentLimitsOf(ctx context.Context, ws *helpium.Workspace) (helpium.AttachmentLimits, error) {
	if _, _, err := s.authorize(ctx, ws.ID, helpium.RoleAgent); err != nil {
		return helpium.AttachmentLimits{}, err
	}
	return ws.AttachmentLimits.Effective(), nil
}
