package helpium

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// Role is an agent's role in one workspace. Agents read and answer
// conversations; admins also manage settings, the widget key, business
// hours, the knowledge base and agents; owners also manage admins.
type Role string

// Roles, from least to most powerful.
const (
	RoleAgent Role = "agent"
	RoleAdmin Role = "admin"
	RoleOwner Role = "owner"
)

func (r Role) rank() int {
	switch r {
	case RoleAgent:
		return 1
	case RoleAdmin:
		return 2
	case RoleOwner:
		return 3
	}
	return 0
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r has every permission of min.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() }

// Agent is a person who answers conversations in one or more workspaces.
type Agent struct {
	ID        string
	Email     string
	Name      string
	CreatedAt time.Time
}

// Membership is an agent's role in a workspace.
type Membership struct {
	WorkspaceID string
	AgentID     string
	Role        Role
	CreatedAt   time.Time
}

// Access token kinds.
const (
	TokenSession  = "session"
	TokenPersonal = "personal"
)

// AccessToken describes an agent's API token. The secret itself is shown
// once, when the token is created, and only its hash is stored.
type AccessToken struct {
	ID         string
	AgentID    string
	Kind       string
	Name       string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
}

// Session is the result of logging in.
type Session struct {
	Token     string
	ExpiresAt time.Time
	Agent     *Agent
}

// NewAccessToken is a freshly created personal access token with its secret.
type NewAccessToken struct {
	Token       string
	AccessToken *AccessToken
}

// NormalizeEmail validates an email address and returns it trimmed.
func NormalizeEmail(field, email string) (string, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", Invalid(field, "%s is required", field)
	}
	if err := CheckText(field, email, 254, true); err != nil {
		return "", err
	}
	for _, r := range email {
		// Invisible characters (zero-width spaces, direction marks) would
		// make two addresses that look the same differ.
		if unicode.In(r, unicode.Cf, unicode.Cc, unicode.Co) || unicode.IsSpace(r) {
			return "", Invalid(field, "%s must not contain spaces or invisible characters", field)
		}
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return "", Invalid(field, "%s must be an email address like ann@example.com", field)
	}
	return email, nil
}

// ValidateName checks a person's or token's display name and returns it trimmed.
func ValidateName(field, name string, required bool) (string, error) {
	if err := CheckText(field, name, 200, required); err != nil {
		return "", err
	}
	return strings.TrimSpace(name), nil
}
