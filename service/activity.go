package service

import (
	"context"
	"sync"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/events"
)

// typingThrottle lets through at most one "started typing" per
// helpium.TypingThrottle per conversation and side, on this replica.
// Stops always pass, so an indicator never hangs on for its whole TTL.
type typingThrottle struct {
	mu   sync.Mutex
	last map[string]time.Time // conversation id + side → last start sent
}

// allow reports whether a start by side in conversation may be sent now.
func (t *typingThrottle) allow(conversationID, side string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last == nil {
		t.last = make(map[string]time.Time)
	}
	key := conversationID + "/" + side
	if now.Sub(t.last[key]) < helpium.TypingThrottle {
		return false
	}
	t.last[key] = now
	if len(t.last) > 10000 { // forget starts old enough not to matter
		for k, at := range t.last {
			if now.Sub(at) >= helpium.TypingThrottle {
				delete(t.last, k)
			}
		}
	}
	return true
}

// sendTyping publishes a typing start or stop, throttling starts.
func (s *Live) sendTyping(ctx context.Context, c *helpium.Conversation, agentID *string, typing bool) error {
	side := "customer"
	if agentID != nil {
		side = *agentID
	}
	if typing && !s.typing.allow(c.ID, side, s.clock()) {
		return nil
	}
	return s.store.NotifyTyping(ctx, c, agentID, typing)
}

// SetTyping says the calling agent started (true) or stopped typing a
// reply in a conversation of theirs; the customer's widget shows it.
func (s *Live) SetTyping(ctx context.Context, conversationID string, typing bool) error {
	c, err := s.agentConversation(ctx, conversationID)
	if err != nil {
		return err
	}
	return s.sendTyping(ctx, c, &helpium.ActorFrom(ctx).Agent.ID, typing)
}

// WidgetTyping says the customer behind a widget token started or stopped
// typing; the workspace's agents see it.
func (s *Live) WidgetTyping(ctx context.Context, token string, typing bool) error {
	c, err := s.widgetConversation(ctx, token)
	if err != nil {
		return err
	}
	return s.sendTyping(ctx, c, nil, typing)
}

// ConversationActivity streams what the customer and the other agents do
// in a conversation of the calling agent's: typing, and the customer's
// reads.
func (s *Live) ConversationActivity(ctx context.Context, conversationID string) (<-chan *helpium.ConversationActivity, error) {
	c, err := s.agentConversation(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	me := helpium.ActorFrom(ctx).Agent.ID
	return s.followActivity(ctx, c, func(ev events.Event) bool {
		if ev.Actor == string(helpium.AuthorCustomer) {
			return true
		}
		return ev.Type == events.TypeTyping && ev.AgentID != nil && *ev.AgentID != me
	}), nil
}

// WidgetActivity streams the team's typing and reads in the conversation
// behind a widget token, and its status changes (so that the widget can
// ask for a rating once it is resolved). Which agent it was is not said.
func (s *Live) WidgetActivity(ctx context.Context, token string) (<-chan *helpium.ConversationActivity, error) {
	c, err := s.widgetConversation(ctx, token)
	if err != nil {
		return nil, err
	}
	return s.followActivity(ctx, c, func(ev events.Event) bool {
		return ev.Actor == string(helpium.AuthorAgent) || ev.Type == events.TypeConversationChanged
	}), nil
}

// followActivity streams c's typing and read events that want accepts,
// until ctx ends or the caller's credential stops being valid.
func (s *Live) followActivity(ctx context.Context, c *helpium.Conversation, want func(events.Event) bool) <-chan *helpium.ConversationActivity {
	sub := s.events.Subscribe(ctx, c.WorkspaceID, func(ev events.Event) bool {
		return ev.ConversationID == c.ID && (ev.Type == events.TypeTyping || ev.Type == events.TypeRead ||
			ev.Type == events.TypeConversationChanged && ev.Change == events.ChangeStatus) && want(ev)
	})
	widget := helpium.ActorFrom(ctx).Agent == nil
	// Passing signals are not replayed: a missed typing event expires by
	// itself, and reads and the status show on the next fetch.
	return relay(ctx, sub, s.guardFor(ctx, c.WorkspaceID), func(ev events.Event) (*helpium.ConversationActivity, bool) {
		if ev.Type == events.TypeConversationChanged {
			status := helpium.ConversationStatus(ev.Status)
			return &helpium.ConversationActivity{Kind: helpium.ActivityStatus, ConversationID: c.ID,
				Actor: helpium.AuthorSystem, Status: &status, At: s.clock()}, true
		}
		a := activityOf(ev, s.clock())
		if widget {
			a.AgentID = nil
		}
		return a, true
	})
}

func activityOf(ev events.Event, now time.Time) *helpium.ConversationActivity {
	a := &helpium.ConversationActivity{ConversationID: ev.ConversationID, Actor: helpium.AuthorKind(ev.Actor), AgentID: ev.AgentID, At: now}
	if ev.Type == events.TypeTyping {
		typing := ev.Typing
		a.Kind, a.Typing = helpium.ActivityTyping, &typing
		if typing {
			expires := now.Add(helpium.TypingTTL)
			a.ExpiresAt = &expires
		}
		return a
	}
	id := ev.MessageID
	a.Kind, a.LastReadMessageID = helpium.ActivityRead, &id
	return a
}
