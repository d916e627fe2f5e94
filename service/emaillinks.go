package service

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/helpium/helpium"
)

// The links in customers' emails: a resume code, which the widget on the
// business's page trades for a widget token, and an unsubscribe link to a
// page of Helpium's. Both are signed with the keyring (secret.Keyring.MAC),
// so nothing about them is stored.

const (
	resumeCodePurpose  = "helpium resume link"
	unsubscribePurpose = "helpium unsubscribe link"
	// UnsubscribePath is the page an email's unsubscribe link opens (GET:
	// a confirmation button; POST, also RFC 8058's one-click: unsubscribe).
	UnsubscribePath = "/unsubscribe"
)

// resumeCode returns a code that resumes a conversation of a workspace
// until expires: <conversation id>.<expiry, Unix seconds>.<tag>. The
// workspace is signed but not written, so the code works only with that
// workspace's widget key.
func (s *Service) resumeCode(workspaceID, conversationID string, expires time.Time) string {
	exp := expires.Unix()
	tag := s.secrets.MAC(resumeCodePurpose, resumeMessage(workspaceID, conversationID, exp))[:16]
	return conversationID + "." + strconv.FormatInt(exp, 10) + "." + base64.RawURLEncoding.EncodeToString(tag)
}

func resumeMessage(workspaceID, conversationID string, exp int64) []byte {
	return []byte(workspaceID + "|" + conversationID + "|" + strconv.FormatInt(exp, 10))
}

// ResumeCode returns a resume code for a conversation of a workspace, valid
// for helpium.ResumeCodeTTL, as an away email carries it (for tests and
// tools; the email is the only place customers get one).
func (s *Service) ResumeCode(workspaceID, conversationID string) string {
	return s.resumeCode(workspaceID, conversationID, s.clock().Add(helpium.ResumeCodeTTL))
}

// ResumeConversation trades a resume code from an away email for the
// conversation and a new widget token, which replaces the old one: the
// browser that opens the link gets the conversation, and any other that had
// it loses it (widget tokens are stored hashed, so the old one cannot be
// handed out; a second token per conversation would mean a second lookup on
// every widget request). Returns EInvalid naming code for a malformed code,
// and ENotFound for one that is forged, expired, of another workspace or of
// a conversation since deleted.
func (s *Service) ResumeConversation(ctx context.Context, code string) (*helpium.ResumedConversation, error) {
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

// unsubscribeURL returns the link that unsubscribes a customer from emails
// about their conversations. It does not expire: an unsubscribe link in an
// old email should still work.
func (s *Service) unsubscribeURL(customerID string) string {
	tag := s.secrets.MAC(unsubscribePurpose, []byte(customerID))[:16]
	return s.publicURL + UnsubscribePath + "?c=" + customerID + "&s=" + base64.RawURLEncoding.EncodeToString(tag)
}

// unsubscribeTarget checks an unsubscribe link's customer id and tag.
// Returns ENotFound for a link that is not one.
func (s *Service) unsubscribeTarget(ctx context.Context, customerID, tag string) (string, error) {
	notFound := helpium.Errorf(helpium.ENotFound, "This unsubscribe link is not valid: use the whole link from the email.")
	t, err := base64.RawURLEncoding.DecodeString(tag)
	if err != nil || len(t) != 16 || !helpium.ValidID(customerID) || s.secrets == nil ||
		!s.secrets.VerifyMAC(unsubscribePurpose, []byte(customerID), t) {
		return "", notFound
	}
	return customerID, nil
}

// EmailSubscriptionByLink returns what an unsubscribe link names, changing
// nothing (mail scanners open links). Returns ENotFound for a bad link or
// a customer since deleted.
func (s *Service) EmailSubscriptionByLink(ctx context.Context, customerID, tag string) (*helpium.EmailSubscription, error) {
	id, err := s.unsubscribeTarget(ctx, customerID, tag)
	if err != nil {
		return nil, err
	}
	t, err := s.store.FindUnsubscribeTarget(ctx, id)
	if err != nil {
		return nil, err
	}
	return &helpium.EmailSubscription{WorkspaceName: t.WorkspaceName, MaskedEmail: maskEmail(t.Email), Unsubscribed: t.UnsubscribedAt != nil}, nil
}

// Unsubscribe stops away emails and transcripts to the customer an
// unsubscribe link names, and returns what it names. Doing it again changes
// nothing. Returns ENotFound as EmailSubscriptionByLink.
func (s *Service) Unsubscribe(ctx context.Context, customerID, tag string) (*helpium.EmailSubscription, error) {
	id, err := s.unsubscribeTarget(ctx, customerID, tag)
	if err != nil {
		return nil, err
	}
	if err := s.store.UnsubscribeCustomer(ctx, id, s.clock()); err != nil {
		return nil, err
	}
	s.metrics.EmailUnsubscribed()
	return s.EmailSubscriptionByLink(ctx, customerID, tag)
}

// maskEmail hides most of an address's local part: ann@example.com is
// a**@example.com.
func maskEmail(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at <= 0 {
		return ""
	}
	local := []rune(email[:at])
	return string(local[0]) + strings.Repeat("*", min(len(local)-1, 8)) + email[at:]
}
