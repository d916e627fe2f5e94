package helpium

import "time"

// ActivityKind is what a passing conversation signal says.
type ActivityKind string

// Activity kinds.
const (
	ActivityTyping ActivityKind = "typing" // someone is typing, or stopped
	ActivityRead   ActivityKind = "read"   // someone read up to a message
	ActivityStatus ActivityKind = "status" // the conversation's status changed (widget streams only)
)

// Valid reports whether k is a known kind.
func (k ActivityKind) Valid() bool {
	return k == ActivityTyping || k == ActivityRead || k == ActivityStatus
}

// Typing indicators are never stored: an event says someone started or
// stopped, and clients stop showing it TypingTTL after the last start.
// Starts are throttled to one per TypingThrottle per conversation and side.
const (
	TypingTTL      = 6 * time.Second
	TypingThrottle = 2 * time.Second
)

// ConversationActivity is a passing signal in a conversation: the customer
// or an agent typing, or reading.
type ConversationActivity struct {
	Kind           ActivityKind `json:"kind"`
	ConversationID string       `json:"conversation_id"`
	// Actor is the customer or an agent; AgentID names the agent (never
	// shown to the widget).
	Actor   AuthorKind `json:"actor"`
	AgentID *string    `json:"-"`
	// Typing: true when they started, false when they stopped; ExpiresAt
	// is when to stop showing it without a newer event.
	Typing    *bool      `json:"typing,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// Read: the newest message they have read.
	LastReadMessageID *string `json:"last_read_message_id,omitempty"`
	// Status: the conversation's new status (resolved: time to ask for a
	// rating).
	Status *ConversationStatus `json:"status,omitempty"`
	At     time.Time           `json:"at"`
}

// ReadState is a conversation's read state as one side sees it.
type ReadState struct {
	// UnreadCount counts the other side's messages this side has not read.
	UnreadCount int `json:"unread_count"`
	// SeenUpTo is the newest message the other side has read (for the
	// customer: read by any agent), nil before they read any.
	SeenUpTo *string `json:"seen_up_to"`
}

// UnknownMessage is the ENotFound for a message id, in field, that names
// no message the caller can see in the conversation.
func UnknownMessage(field string) *Error {
	return &Error{Code: ENotFound, Field: field, Message: field + " names no message of this conversation."}
}
