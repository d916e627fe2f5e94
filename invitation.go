package helpium

import (
	"time"
	"unicode/utf8"
)

// InvitationTTL is how long an emailed invitation link works.
const InvitationTTL = 7 * 24 * time.Hour

// PasswordResetTTL is how long an emailed password-reset link works.
const PasswordResetTTL = time.Hour

// Invitation asks the owner of an email address to join a workspace with a
// role. Its link is emailed to the address and never shown to anyone else;
// only its hash is stored.
type Invitation struct {
	ID          string
	WorkspaceID string
	Email       string
	Name        string // suggested display name for a new account
	Role        Role
	InvitedBy   string // agent id; "" once that agent is deleted
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Email is a message waiting in the outbox to be sent.
type Email struct {
	ID          string
	WorkspaceID string // "" for mail about an account, not a workspace
	To          string
	Subject     string
	Body        string // plain text
	CreatedAt   time.Time
	// ListUnsubscribe is the one-click unsubscribe URL of an email to a
	// customer (RFC 8058: sent as List-Unsubscribe with
	// List-Unsubscribe-Post); "" for mail that cannot be unsubscribed from.
	ListUnsubscribe string
}

// Password length limits, in characters and bytes.
const (
	MinPasswordChars = 10
	MaxPasswordBytes = 256
)

// ValidatePassword checks a password an agent chose: long enough to resist
// guessing, short enough to hash cheaply.
func ValidatePassword(field, password string) error {
	switch {
	case !utf8.ValidString(password):
		return Invalid(field, "%s must be valid UTF-8", field)
	case utf8.RuneCountInString(password) < MinPasswordChars:
		return Invalid(field, "%s must be at least %d characters long", field, MinPasswordChars)
	case len(password) > MaxPasswordBytes:
		return Invalid(field, "%s must be at most %d bytes long", field, MaxPasswordBytes)
	}
	return nil
}
