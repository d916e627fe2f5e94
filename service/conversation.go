package service

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/secret"
)

// Conversations runs the widget's side of a conversation, reached by its
// widget token: starting one, the customer's messages, reads and rating,
// and resuming one from an away email's link.
type Conversations struct {
	base
	rates         *Rates          // starting conversations and sending messages are limited
	files         *Files          // messages' attachments
	notifications *Notifications  // a widget reading the messages is present
	secrets       *secret.Keyring // checks resume codes
}

// CreateConversation starts a conversation in the calling widget's workspace
// with the customer's first message, and returns it with the widget token,
// the conversation's only credential. With a client message id and an
// installation id (a random id the client keeps), a retry from the same
// installation of a request that already started a conversation (its
// answer lost on the way) returns that conversation, Created false, under
// the same widget token, which is derived from both ids; the same client
// message id from another installation, or without one, starts another
// conversation and takes nothing from the first. It charges the
// per-client limit on starting conversations. Returns EInvalid for bad
// input.
func (s *Conversations) CreateConversation(ctx context.Context, message string, clientMessageID, installationID *string, files []helpium.Upload) (*helpium.NewConversation, error) {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.rates.Charge(ctx, RateCreateConversation); err != nil {
		return nil, err
	}
	body, err := helpium.ValidateMessageBody("message", message, len(files))
	if err != nil {
		return nil, err
	}
	if err := helpium.ValidateClientMessageID(clientMessageID); err != nil {
		return nil, err
	}
	if err := helpium.ValidateInstallationID(installationID); err != nil {
		return nil, err
	}
	now := s.clock()
	c := &helpium.Conversation{
		ID: uuid.Must(uuid.NewV7()).String(), WorkspaceID: ws.ID,
		Status: helpium.StatusOpen, CreatedAt: now, UpdatedAt: now, LastMessageAt: &now, InstallationID: installationID,
	}
	m := &helpium.Message{
		ID: uuid.Must(uuid.NewV7()).String(), ConversationID: c.ID, WorkspaceID: ws.ID,
		Author: helpium.AuthorCustomer, Body: body, ClientMessageID: clientMessageID, CreatedAt: now,
	}
	token, key := helpium.NewToken(widgetTokenPrefix), []byte(nil)
	if clientMessageID != nil && installationID != nil {
		token = helpium.DeriveToken(widgetTokenPrefix, "helpium widget token", ws.ID, *installationID, *clientMessageID)
		key = helpium.ConversationKey(ws.ID, *installationID, *clientMessageID)
	}
	if m.Attachments, err = s.files.storeUploads(ctx, ws, "", files); err != nil {
		return nil, err
	}
	atts := m.Attachments
	conv, first, created, err := s.store.CreateConversation(ctx, c, helpium.HashToken(token), m, key)
	if err := s.files.settleUploads(ctx, atts, first, created, err); err != nil {
		return nil, err
	}
	return &helpium.NewConversation{Conversation: conv, Message: first, WidgetToken: token, Created: created}, nil
}

// SendMessage adds a customer message to the conversation behind the widget
// token. With a client message id, a retry returns the original message with
// Created false instead of storing a duplicate. It charges the per-client
// limit on customer messages. Returns ENotFound for a token
// that names no conversation of the caller's workspace and EInvalid for bad
// input.
func (s *Conversations) SendMessage(ctx context.Context, token, body string, clientMessageID *string, files []helpium.Upload) (*helpium.SentMessage, error) {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.rates.Charge(ctx, RateSendMessage); err != nil {
		return nil, err
	}
	hash, err := widgetTokenHash(token)
	if err != nil {
		return nil, err
	}
	if body, err = helpium.ValidateMessageBody("body", body, len(files)); err != nil {
		return nil, err
	}
	if err := helpium.ValidateClientMessageID(clientMessageID); err != nil {
		return nil, err
	}
	m := &helpium.Message{
		ID: uuid.Must(uuid.NewV7()).String(), Author: helpium.AuthorCustomer,
		Body: body, ClientMessageID: clientMessageID, CreatedAt: s.clock(),
	}
	if len(files) > 0 {
		c, err := s.store.FindConversationByToken(ctx, ws.ID, hash)
		if err != nil {
			return nil, err
		}
		if m.Attachments, err = s.files.storeUploads(ctx, ws, c.ID, files); err != nil {
			return nil, err
		}
		m.ConversationID = c.ID
	}
	atts := m.Attachments
	stored, created, err := s.store.AppendMessage(ctx, db.MessageTarget{WorkspaceID: ws.ID, TokenHash: hash}, m)
	if err := s.files.settleUploads(ctx, atts, stored, created, err); err != nil {
		return nil, err
	}
	return &helpium.SentMessage{Message: stored, Created: created}, nil
}

// ConversationByToken returns the conversation behind a widget token.
// Returns ENotFound for a token of another workspace or none.
func (s *Conversations) ConversationByToken(ctx context.Context, token string) (*helpium.Conversation, error) {
	return s.widgetConversation(ctx, token)
}

// MessagesByToken returns the customer-visible messages of the conversation
// behind a widget token, oldest first, after the cursor. Internal notes are
// never included. Returns ENotFound as ConversationByToken and EInvalid for
// a bad cursor or limit.
func (s *Conversations) MessagesByToken(ctx context.Context, token string, after *string, limit *int) (*helpium.MessagePage, error) {
	var cursor string
	if after != nil {
		cursor = *after
	}
	afterSeq, err := helpium.ParseMessageCursor("after", cursor)
	if err != nil {
		return nil, err
	}
	n, err := helpium.ValidatePageSize(limit)
	if err != nil {
		return nil, err
	}
	c, err := s.ConversationByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	s.notifications.seeWidgetPolling(ctx, c) // a widget that polls instead of streaming is present too
	msgs, err := s.store.FindMessages(ctx, c.ID, afterSeq, n+1, false)
	if err != nil {
		return nil, err
	}
	if err := s.files.fillAttachments(ctx, msgs...); err != nil {
		return nil, err
	}
	page := &helpium.MessagePage{Messages: msgs}
	if len(msgs) > n {
		page.Messages, page.HasMore = msgs[:n], true
	}
	next := cursor
	if len(page.Messages) > 0 {
		next = helpium.MessageCursor(page.Messages[len(page.Messages)-1].Seq)
	}
	if next != "" {
		page.NextCursor = &next
	}
	return page, nil
}

// MarkWidgetRead records that the customer behind a widget token has seen
// the conversation up to messageID, and returns the conversation with its
// read state. Returns ENotFound naming message_id for a message that is
// not the conversation's.
func (s *Conversations) MarkWidgetRead(ctx context.Context, token, messageID string) (*helpium.Conversation, error) {
	c, err := s.ConversationByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	if !helpium.ValidID(messageID) {
		return nil, helpium.UnknownMessage("message_id")
	}
	if err := s.store.MarkCustomerRead(ctx, c, messageID, s.clock()); err != nil {
		return nil, err
	}
	return s.withReadState(ctx, c)
}

// withReadState sets the widget's read state on c.
func (s *Conversations) withReadState(ctx context.Context, c *helpium.Conversation) (*helpium.Conversation, error) {
	rs, err := s.WidgetReadState(ctx, c)
	if err != nil {
		return nil, err
	}
	c.Read = rs
	return c, nil
}

// WidgetReadState returns the read state of a conversation the widget
// caller reached with its token.
func (s *Conversations) WidgetReadState(ctx context.Context, c *helpium.Conversation) (*helpium.ReadState, error) {
	return s.store.CustomerReadState(ctx, c.ID)
}

// WidgetConversation returns the conversation behind a widget token with
// its read state.
func (s *Conversations) WidgetConversation(ctx context.Context, token string) (*helpium.Conversation, error) {
	c, err := s.ConversationByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return s.withReadState(ctx, c)
}

// ResumeConversation trades a resume code from an away email for the
// conversation and a new widget token, which replaces the old one: the
// browser that opens the link gets the conversation, and any other that had
// it loses it (widget tokens are stored hashed, so the old one cannot be
// handed out; a second token per conversation would mean a second lookup on
// every widget request). Returns EInvalid naming code for a malformed code,
// and ENotFound for one that is forged, expired, of another workspace or of
// a conversation since deleted.
func (s *Conversations) ResumeConversation(ctx context.Context, code string) (*helpium.ResumedConversation, error) {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil {
		return nil, err
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return nil, helpium.Invalid("code", "code is required: the %s parameter of the emailed link", helpium.ResumeParam)
	}
	parts := strings.Split(code, ".")
	if len(parts) != 3 || len(code) > 200 {
		return nil, helpium.Invalid("code", "code is not a resume code: pass the %s parameter of the emailed link as it is", helpium.ResumeParam)
	}
	exp, expErr := strconv.ParseInt(parts[1], 10, 64)
	tag, tagErr := base64.RawURLEncoding.DecodeString(parts[2])
	if !helpium.ValidID(parts[0]) || expErr != nil || tagErr != nil || len(tag) != 16 {
		return nil, helpium.Invalid("code", "code is not a resume code: pass the %s parameter of the emailed link as it is", helpium.ResumeParam)
	}
	if s.secrets == nil || !s.secrets.VerifyMAC(resumeCodePurpose, resumeMessage(ws.ID, parts[0], exp), tag) {
		return nil, helpium.Errorf(helpium.ENotFound, "Conversation not found: the link is not valid for this site.")
	}
	if s.clock().Unix() > exp {
		return nil, helpium.Errorf(helpium.ENotFound, "This link has expired: start a new conversation.")
	}
	token := helpium.NewToken(widgetTokenPrefix)
	c, err := s.store.ReplaceWidgetToken(ctx, ws.ID, parts[0], helpium.HashToken(token))
	if err != nil {
		return nil, err
	}
	if c, err = s.withReadState(ctx, c); err != nil {
		return nil, err
	}
	return &helpium.ResumedConversation{Conversation: c, WidgetToken: token}, nil
}

// RateConversation records the customer's CSAT rating (1 to 5, with an
// optional comment) of the conversation behind the widget token, once it
// is resolved. A second rating is EConflict.
func (s *Conversations) RateConversation(ctx context.Context, token string, rating int, comment *string) (*helpium.Conversation, error) {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.rates.Charge(ctx, RateSendMessage); err != nil {
		return nil, err
	}
	hash, err := widgetTokenHash(token)
	if err != nil {
		return nil, err
	}
	if err := helpium.ValidateRating(rating); err != nil {
		return nil, err
	}
	if comment, err = helpium.CleanComment("comment", comment); err != nil {
		return nil, err
	}
	c, err := s.store.RateConversation(ctx, ws.ID, hash, rating, comment, s.clock())
	if err != nil {
		return nil, err
	}
	return s.withReadState(ctx, c)
}
