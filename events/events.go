// Package events delivers live changes (new messages, conversation status,
// assignment and activity) to subscribers on every server replica.
//
// Database triggers (migration 20261124010000_events) publish each committed
// write to messages and conversations with pg_notify on the
// "helpium_events" channel. Every replica runs one Broker, which LISTENs on
// a dedicated connection and fans the notifications out to in-process
// subscriptions (GraphQL subscriptions, the widget's SSE stream), indexed by
// workspace.
//
// Delivery is best effort: notifications sent while a broker is
// disconnected are lost, and a subscriber that does not keep up loses
// events. In both cases the subscription's Resync channel is signalled and
// the consumer re-reads what it shows from the database (for example the
// messages after the last seq it saw). Events carry ids only; consumers load
// the records, applying their own access rules (internal notes are for
// agents only).
package events

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/helpium/helpium"
)

// Channel is the PostgreSQL notification channel the triggers publish on.
const Channel = "helpium_events"

// Event types.
const (
	TypeMessageAdded        = "message_added"
	TypeConversationChanged = "conversation_changed"
	// TypeWorkspaceChanged: a workspace's settings changed (cache invalidation).
	TypeWorkspaceChanged = "workspace_changed"
	// TypeKBChanged: a workspace's search index changed (answer cache
	// invalidation).
	TypeKBChanged = "kb_changed"
	// TypeWebhookQueued: webhook deliveries were queued (wakes the
	// dispatchers).
	TypeWebhookQueued = "webhook_queued"
	// TypeTyping: the customer or an agent started or stopped typing
	// (published by the service; never stored).
	TypeTyping = "typing"
	// TypeRead: the customer or an agent read a conversation further.
	TypeRead = "read"
)

// AllWorkspaces subscribes to the events of every workspace.
const AllWorkspaces = "*"

// Changes of a conversation_changed event, as the database's triggers
// name them (helpium.ConversationChange).
const (
	ChangeCreated    = string(helpium.ChangeCreated)    // conversation inserted
	ChangeStatus     = string(helpium.ChangeStatus)     // status changed (also when a message reopened it)
	ChangeAssignment = string(helpium.ChangeAssignment) // assignee_id changed
	ChangeMessage    = string(helpium.ChangeMessage)    // last_seq bumped: a message was added
	ChangeCSAT       = string(helpium.ChangeCSAT)       // csat_rating set: the customer rated it
)

// Event is one change published by the database.
type Event struct {
	Type           string // TypeMessageAdded | TypeConversationChanged
	Change         string // for conversation_changed: "created" | "status" | "assignment" | "message" | "csat"
	WorkspaceID    string
	ConversationID string
	MessageID      string // message_added
	Seq            int64  // message_added: the message's seq; conversation_changed: last_seq
	Internal       bool   // message_added: an agents-only internal note
	Status         string // conversation_changed: the conversation's status
	AssigneeID     *string
	Actor          string  // typing, read: "customer" or "agent"
	AgentID        *string // typing, read: the agent
	Typing         bool    // typing: started (true) or stopped
}

// payload is the JSON the triggers send.
type payload struct {
	Type           string  `json:"type"`
	Change         string  `json:"change"`
	WorkspaceID    string  `json:"workspace_id"`
	ConversationID string  `json:"conversation_id"`
	MessageID      string  `json:"message_id"`
	Seq            int64   `json:"seq"`
	LastSeq        int64   `json:"last_seq"`
	Internal       bool    `json:"internal"`
	Status         string  `json:"status"`
	AssigneeID     *string `json:"assignee_id"`
	Actor          string  `json:"actor"`
	AgentID        *string `json:"agent_id"`
	Typing         bool    `json:"typing"`
}

// ParseEvent decodes a notification payload sent by the triggers.
func ParseEvent(s string) (Event, error) {
	var p payload
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return Event{}, fmt.Errorf("events: decode payload: %w", err)
	}
	if p.WorkspaceID == "" || (p.ConversationID == "" && p.Type != TypeWorkspaceChanged && p.Type != TypeKBChanged && p.Type != TypeWebhookQueued) {
		return Event{}, errors.New("events: payload without workspace_id or conversation_id")
	}
	ev := Event{
		Type:           p.Type,
		WorkspaceID:    p.WorkspaceID,
		ConversationID: p.ConversationID,
	}
	switch p.Type {
	case TypeMessageAdded:
		if p.MessageID == "" {
			return Event{}, errors.New("events: message_added without message_id")
		}
		ev.MessageID, ev.Seq, ev.Internal = p.MessageID, p.Seq, p.Internal
	case TypeConversationChanged:
		ev.Change, ev.Seq, ev.Status, ev.AssigneeID = p.Change, p.LastSeq, p.Status, p.AssigneeID
	case TypeTyping:
		ev.Actor, ev.AgentID, ev.Typing = p.Actor, p.AgentID, p.Typing
	case TypeRead:
		ev.Actor, ev.AgentID, ev.MessageID, ev.Seq = p.Actor, p.AgentID, p.MessageID, p.Seq
	case TypeWorkspaceChanged, TypeKBChanged, TypeWebhookQueued:
	default:
		return Event{}, fmt.Errorf("events: unknown event type %q", p.Type)
	}
	return ev, nil
}
