package service

import (
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
)

// What the areas that queue email (Accounts: invitations and password
// resets; Notifications: away emails and transcripts) share. The outbox
// (db) holds what they queue and package mail sends it.

// emailEnabled refuses, with EUnavailable, what needs email when this
// server sends none (publicURL, the base of the emailed links, is empty).
func emailEnabled(publicURL, what string) error {
	if publicURL == "" {
		return helpium.Errorf(helpium.EUnavailable, "%s are sent by email, and this server has no email configured (HELPIUM_SMTP_HOST).", what)
	}
	return nil
}

// newEmail is an email to queue now.
func (b *base) newEmail(workspaceID, to, subject, body string) *helpium.Email {
	return &helpium.Email{ID: uuid.Must(uuid.NewV7()).String(), WorkspaceID: workspaceID, To: to,
		Subject: subject, Body: body, CreatedAt: b.clock()}
}

func mailTime(t time.Time) string { return t.UTC().Format("Monday 2 January 2006, 15:04 UTC") }
