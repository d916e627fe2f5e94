package helpium

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// ConversationStatus is where a conversation stands in the agents' workflow.
type ConversationStatus string

// Conversation statuses.
const (
	StatusOpen     ConversationStatus = "open"
	StatusPending  ConversationStatus = "pending"
	StatusResolved ConversationStatus = "resolved"
	StatusClosed   ConversationStatus = "closed"
)

// Valid reports whether s is a known status.
func (s ConversationStatus) Valid() bool {
	switch s {
	case StatusOpen, StatusPending, StatusResolved, StatusClosed:
		return true
	}
	return false
}

// ConversationChange is what changed in a conversation, for live updates.
type ConversationChange string

// Conversation changes, most specific first when one update changes several
// things.
const (
	ChangeCreated    ConversationChange = "created"    // the conversation started
	ChangeStatus     ConversationChange = "status"     // its status changed (also when a message reopened it)
	ChangeAssignment ConversationChange = "assignment" // its assignee changed
	ChangeMessage    ConversationChange = "message"    // a message was added
	ChangeCSAT       ConversationChange = "csat"       // the customer rated it
)

// Valid reports whether c is a known change.
func (c ConversationChange) Valid() bool {
	switch c {
	case ChangeCreated, ChangeStatus, ChangeAssignment, ChangeMessage, ChangeCSAT:
		return true
	}
	return false
}

// AuthorKind says who wrote a message.
type AuthorKind string

// Author kinds.
const (
	AuthorCustomer AuthorKind = "customer"
	AuthorAgent    AuthorKind = "agent"
	AuthorBot      AuthorKind = "bot"
	AuthorSystem   AuthorKind = "system"
)

// Valid reports whether k is a known author kind.
func (k AuthorKind) Valid() bool {
	switch k {
	case AuthorCustomer, AuthorAgent, AuthorBot, AuthorSystem:
		return true
	}
	return false
}

// Conversation is a thread between a customer and the workspace's agents.
type Conversation struct {
	ID          string  `json:"id"`
	WorkspaceID string  `json:"-"`
	CustomerID  *string `json:"-"`
	AssigneeID  *string `json:"-"`
	// LastSeq is the sequence number of the newest message.
	LastSeq       int64              `json:"-"`
	Status        ConversationStatus `json:"status"`
	CreatedAt     time.Time          `json:"created_at"`
	UpdatedAt     time.Time          `json:"updated_at"`
	LastMessageAt *time.Time         `json:"last_message_at"`
	// FirstResponseAt is the first agent reply; ResolvedAt the last time it
	// was resolved or closed (cleared on reopen).
	FirstResponseAt *time.Time `json:"-"`
	ResolvedAt      *time.Time `json:"-"`
	// IdentityVerified says the widget session behind the conversation
	// proved its customer's identity with a user hash when it identified.
	IdentityVerified bool `json:"-"`
	// Read is the widget's read state, set where the Customer API returns
	// a conversation.
	Read *ReadState `json:"read,omitempty"`
	// HandedOverAt is when the customer asked for a person; from then on
	// the AI does not answer inside the conversation.
	HandedOverAt *time.Time `json:"-"`
	// InstallationID is the widget installation that started it, if sent.
	InstallationID *string `json:"-"`
	// CSAT is the customer's rating, once given.
	CSAT *CSAT `json:"csat"`
}

// AIMayAnswer reports whether the AI may still answer inside c: not once
// the customer asked for a person or an agent replied.
func (c *Conversation) AIMayAnswer() bool {
	return c.HandedOverAt == nil && c.FirstResponseAt == nil
}

// Message is one message in a conversation. Seq orders messages within their
// conversation and never repeats.
type Message struct {
	ID              string     `json:"id"`
	ConversationID  string     `json:"conversation_id"`
	WorkspaceID     string     `json:"-"`
	Seq             int64      `json:"-"`
	Author          AuthorKind `json:"author"`
	AuthorAgentID   *string    `json:"-"`
	Body            string     `json:"body"`
	Internal        bool       `json:"-"`
	ClientMessageID *string    `json:"client_message_id"`
	CreatedAt       time.Time  `json:"created_at"`
	// Attachments are the message's files, in the order sent. The store
	// links them when it adds the message; readers get them filled in by
	// the service (nil until then).
	Attachments []*Attachment `json:"attachments"`
	// AnswerID marks a message a handover copied from an AI answer: the
	// customer's question and the answer they saw.
	AnswerID *string `json:"answer_id"`
}

// MessageEffect is what adding a message does to its conversation. The
// store applies it in the statement that adds the message.
type MessageEffect struct {
	// Activity: the message moves the conversation's last activity
	// (last_message_at); internal notes do not.
	Activity bool
	// FirstResponse: the message is the team's public reply, the first of
	// which sets first_response_at.
	FirstResponse bool
	// ReopenFrom lists the statuses the message takes back to open, as the
	// customer's change: a customer writing to a resolved or closed
	// conversation reopens it. Empty when the message reopens nothing.
	ReopenFrom []ConversationStatus
}

// Effect decides what m does to its conversation.
func (m *Message) Effect() MessageEffect {
	e := MessageEffect{
		Activity:      !m.Internal,
		FirstResponse: m.Author == AuthorAgent && !m.Internal,
	}
	if m.Author == AuthorCustomer {
		e.ReopenFrom = []ConversationStatus{StatusResolved, StatusClosed}
	}
	return e
}

// NewConversation is the result of a customer starting a conversation. The
// widget token is the only credential for the conversation and is returned
// only here.
type NewConversation struct {
	Conversation *Conversation `json:"conversation"`
	Message      *Message      `json:"message"`
	WidgetToken  string        `json:"widget_token"`
	// Created is false when the request was a retry (same client message
	// id) of one that started the conversation already.
	Created bool `json:"-"`
}

// SentMessage is the result of sending a message. Created is false when the
// message is a retry of an earlier one with the same client message id.
type SentMessage struct {
	Message *Message `json:"message"`
	Created bool     `json:"-"`
}

// MessagePage is a page of messages, oldest first. NextCursor continues after
// the last message of the page (or repeats the request's cursor when the page
// is empty), so a client can poll with it.
type MessagePage struct {
	Messages   []*Message `json:"messages"`
	NextCursor *string    `json:"next_cursor"`
	HasMore    bool       `json:"has_more"`
}

// Message limits.
const (
	MaxMessageLength       = 20000
	MaxClientMessageIDLen  = 100
	DefaultMessagePageSize = 50
	MaxMessagePageSize     = 200
)

// ValidateMessageBody checks a customer or agent message body and returns it
// trimmed. field names the input field in the error. The body may be empty
// only when the message carries files.
func ValidateMessageBody(field, body string, files int) (string, error) {
	if err := CheckText(field, body, MaxMessageLength, files == 0); err != nil {
		return "", err
	}
	return strings.TrimSpace(body), nil
}

// ValidateClientMessageID checks an optional idempotency key.
func ValidateClientMessageID(id *string) error {
	if id == nil {
		return nil
	}
	if err := CheckText("clientMessageId", *id, MaxClientMessageIDLen, true); err != nil {
		return err
	}
	return nil
}

// Widget installation ids: a random id a client keeps (the widget, in
// localStorage) and sends when it starts a conversation, to which the
// conversation's idempotency key is bound.
const (
	MinInstallationIDLen = 16
	MaxInstallationIDLen = 128
)

// ValidateInstallationID checks an installation id: 16 to 128 characters
// of A-Z, a-z, 0-9, "-" and "_" (a UUID qualifies). It returns EInvalid
// naming installation_id.
func ValidateInstallationID(id *string) error {
	if id == nil {
		return nil
	}
	if n := len(*id); n < MinInstallationIDLen || n > MaxInstallationIDLen {
		return Invalid("installationId", "installationId must be %d to %d characters", MinInstallationIDLen, MaxInstallationIDLen)
	}
	for _, r := range *id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return Invalid("installationId", "installationId may hold only letters, digits, - and _")
		}
	}
	return nil
}

// ConversationKey is the idempotency key of a conversation started by an
// installation with a client message id. A retry from the same
// installation finds the conversation; the same client message id from
// another installation is another conversation.
func ConversationKey(workspaceID, installationID, clientMessageID string) []byte {
	h := sha256.Sum256([]byte("helpium conversation key\x00" + workspaceID + "\x00" + installationID + "\x00" + clientMessageID))
	return h[:]
}

// ValidatePageSize returns limit, or the default when limit is nil.
func ValidatePageSize(limit *int) (int, error) {
	if limit == nil {
		return DefaultMessagePageSize, nil
	}
	if *limit < 1 || *limit > MaxMessagePageSize {
		return 0, Invalid("limit", "limit must be between 1 and %d", MaxMessagePageSize)
	}
	return *limit, nil
}

const cursorPrefix = "m1:"

// MessageCursor returns the opaque cursor that continues after seq.
func MessageCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.FormatInt(seq, 10)))
}

// ParseMessageCursor returns the sequence number a cursor points after. An
// empty cursor means the start of the conversation.
func ParseMessageCursor(field, cursor string) (int64, error) {
	if cursor == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || !strings.HasPrefix(string(raw), cursorPrefix) {
		return 0, Invalid(field, "%s is not a valid cursor", field)
	}
	seq, err := strconv.ParseInt(string(raw[len(cursorPrefix):]), 10, 64)
	if err != nil || seq < 0 {
		return 0, Invalid(field, "%s is not a valid cursor", field)
	}
	return seq, nil
}

func isBlank(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) }) < 0
}
