package service

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
)

const widgetTokenPrefix = "wt_"

// widgetTokenHash returns the stored hash of a widget token, or ENotFound
// for a string that cannot be a widget token.
func widgetTokenHash(token string) ([]byte, error) {
	if !strings.HasPrefix(token, widgetTokenPrefix) || len(token) != len(widgetTokenPrefix)+43 {
		return nil, helpium.Errorf(helpium.ENotFound, "Conversation not found.")
	}
	return helpium.HashToken(token), nil
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
func (s *Service) CreateConversation(ctx context.Context, message string, clientMessageID, installationID *string, files []helpium.Upload) (*helpium.NewConversation, error) {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Charge(ctx, RateCreateConversation); err != nil {
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
	if m.Attachments, err = s.storeUploads(ctx, ws, "", files); err != nil {
		return nil, err
	}
	atts := m.Attachments
	conv, first, created, err := s.store.CreateConversation(ctx, c, helpium.HashToken(token), m, key)
	if err := s.settleUploads(ctx, atts, first, created, err); err != nil {
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
func (s *Service) SendMessage(ctx context.Context, token, body string, clientMessageID *string, files []helpium.Upload) (*helpium.SentMessage, error) {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Charge(ctx, RateSendMessage); err != nil {
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
		if m.Attachments, err = s.storeUploads(ctx, ws, c.ID, files); err != nil {
			return nil, err
		}
		m.ConversationID = c.ID
	}
	atts := m.Attachments
	stored, created, err := s.store.AppendMessage(ctx, db.MessageTarget{WorkspaceID: ws.ID, TokenHash: hash}, m)
	if err := s.settleUploads(ctx, atts, stored, created, err); err != nil {
		return nil, err
	}
	return &helpium.SentMessage{Message: stored, Created: created}, nil
}

// ConversationByToken returns the conversation behind a widget token.
// Returns ENotFound for a token of another workspace or none.
func (s *Service) ConversationByToken(ctx context.Context, token string) (*helpium.Conversation, error) {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil {
		return nil, err
	}
	hash, err := widgetTokenHash(token)
	if err != nil {
		return nil, err
	}
	return s.store.FindConversationByToken(ctx, ws.ID, hash)
}

// MessagesByToken returns the customer-visible messages of the conversation
// behind a widget token, oldest first, after the cursor. Internal notes are
// never included. Returns ENotFound as ConversationByToken and EInvalid for
// a bad cursor or limit.
func (s *Service) MessagesByToken(ctx context.Context, token string, after *string, limit *int) (*helpium.MessagePage, error) {
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
	s.seeWidgetPolling(ctx, c) // a widget that polls instead of streaming is present too
	msgs, err := s.store.FindMessages(ctx, c.ID, afterSeq, n+1, false)
	if err != nil {
		return nil, err
	}
	if err := s.fillAttachments(ctx, msgs...); err != nil {
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
