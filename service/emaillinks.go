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
func (s *Notifications) resumeCode(workspaceID, conversationID string, expires time.Time) string {
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
func (s *Notifications) ResumeCode(workspaceID, conversationID string) string {
	return s.resumeCode(workspaceID, conversationID, s.clock().Add(helpium.ResumeCodeTTL))
}

// unsubscribeURL returns the link that unsubscribes a customer from emails
// about their conversations. It does not expire: an unsubscribe link in an
// old email should still work.
func (s *Notifications) unsubscribeURL(customerID string) string {
	tag := s.secrets.MAC(unsubscribePurpose, []byte(customerID))[:16]
	return s.publicURL + UnsubscribePath + "?c=" + customerID + "&s=" + base64.RawURLEncoding.EncodeToString(tag)
}

// unsubscribeTarget checks an unsubscribe link's customer id and tag.
// Returns ENotFound for a link that is not one.
func (s *Notifications) unsubscribeTarget(ctx context.Context, customerID, tag string) (string, error) {
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
func (s *Notifications) EmailSubscriptionByLink(ctx context.Context, customerID, tag string) (*helpium.EmailSubscription, error) {
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
func (s *Notifications) Unsubscribe(ctx context.Context, customerID, tag string) (*helpium.EmailSubscription, error) {
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
