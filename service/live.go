package service

import (
	"context"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/events"
)

// Live streams what happens in a conversation as it happens: new
// messages, conversation changes, typing and reads. A stream ends when the
// caller's credential stops being valid.
type Live struct {
	base
	workspaces    *Workspaces    // a widget's key is checked again while it streams
	files         *Files         // streamed messages' attachments
	notifications *Notifications // a widget streaming its messages is present: no away email
	events        *events.Broker
	recheck       time.Duration // how often a stream checks its credential
	typing        typingThrottle
}

// liveGuard ends a live subscription or stream once its credential stops
// being valid: an agent's token revoked or expired, or the agent no longer
// in the workspace; a widget key rotated. The subscription asks it every
// Options.LiveRecheck.
type liveGuard struct {
	s           *Live
	tokenID     string // an agent's
	workspaceID string
	widgetKey   string // or the widget's
}

// guardFor returns the guard of the caller's subscription to a workspace
// (nil without a caller).
func (s *Live) guardFor(ctx context.Context, workspaceID string) *liveGuard {
	a := helpium.ActorFrom(ctx)
	switch {
	case a == nil:
		return nil
	case a.Agent != nil && a.TokenID != "":
		return &liveGuard{s: s, tokenID: a.TokenID, workspaceID: workspaceID}
	case a.Workspace != nil:
		return &liveGuard{s: s, workspaceID: workspaceID, widgetKey: a.Workspace.APIKey}
	}
	return nil
}

// ticker fires when the guard should be asked again (never for nil).
func (g *liveGuard) ticker() (<-chan time.Time, func()) {
	if g == nil {
		return nil, func() {}
	}
	t := time.NewTicker(g.s.recheck)
	return t.C, t.Stop
}

// allowed reports whether the subscription may go on. A failed check (the
// database unreachable) lets it go on until the next one.
func (g *liveGuard) allowed(ctx context.Context) bool {
	if g.widgetKey != "" {
		ws, err := g.s.workspaces.AuthenticateWidgetKey(ctx, g.widgetKey)
		if helpium.ErrorCode(err) == helpium.EUnauthenticated {
			return false // rotated
		}
		return err != nil || ws.ID == g.workspaceID
	}
	ok, err := g.s.store.AgentTokenAllowed(ctx, g.tokenID, g.workspaceID, g.s.clock())
	return err != nil || ok
}

// liveBatch is how many messages one catch-up read returns at most.
const liveBatch = 200

// followMessages streams a conversation's messages with seq after afterSeq,
// oldest first and without gaps, until ctx ends: it replays what is stored,
// then reads again after every notification or resync, so a notification
// lost while disconnected costs nothing. Internal notes are included only
// when internal is set.
func (s *Live) followMessages(ctx context.Context, c *helpium.Conversation, afterSeq int64, internal bool, guard *liveGuard) <-chan *helpium.Message {
	out := make(chan *helpium.Message, 16)
	sub := s.events.Subscribe(ctx, c.WorkspaceID, func(ev events.Event) bool {
		return ev.Type == events.TypeMessageAdded && ev.ConversationID == c.ID && (internal || !ev.Internal)
	})
	go func() {
		defer close(out)
		defer sub.Close()
		last := afterSeq
		catchUp := func() bool {
			for {
				msgs, err := s.store.FindMessages(ctx, c.ID, last, liveBatch, internal)
				if err == nil {
					err = s.files.fillAttachments(ctx, msgs...)
				}
				if err != nil {
					if ctx.Err() == nil {
						s.log.WarnContext(ctx, "live messages: catch-up read failed", "err", err)
					}
					return ctx.Err() == nil // retried on the next event or resync
				}
				for _, m := range msgs {
					select {
					case out <- m:
						last = m.Seq
					case <-ctx.Done():
						return false
					}
				}
				if len(msgs) < liveBatch {
					return true
				}
			}
		}
		if !catchUp() {
			return
		}
		recheck, stop := guard.ticker()
		defer stop()
		for {
			select {
			case ev, ok := <-sub.C():
				if !ok {
					return
				}
				if ev.Seq > last && !catchUp() {
					return
				}
			case <-sub.Resync():
				if !catchUp() {
					return
				}
			case <-recheck:
				if !guard.allowed(ctx) {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// MessageAdded streams new messages of a conversation in one of the calling
// agent's workspaces, internal notes included.
func (s *Live) MessageAdded(ctx context.Context, conversationID string) (<-chan *helpium.Message, error) {
	c, err := s.agentConversation(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	return s.followMessages(ctx, c, c.LastSeq, true, s.guardFor(ctx, c.WorkspaceID)), nil
}

// FollowMessagesByToken streams the customer-visible messages of the
// conversation behind a widget token after the cursor (all when nil; the
// SSE Last-Event-ID), then every new one as it is written, until the
// widget key it was opened with is rotated. While it lasts, the widget
// counts as present (no away email; see trackPresence).
func (s *Live) FollowMessagesByToken(ctx context.Context, token string, after *string) (<-chan *helpium.Message, error) {
	var afterSeq int64
	if after != nil {
		var err error
		if afterSeq, err = helpium.ParseMessageCursor("after", *after); err != nil {
			return nil, err
		}
	}
	c, err := s.widgetConversation(ctx, token)
	if err != nil {
		return nil, err
	}
	s.notifications.trackPresence(ctx, c) // the customer is here: no away email while it lasts
	return s.followMessages(ctx, c, afterSeq, false, s.guardFor(ctx, c.WorkspaceID)), nil
}

// ConversationChange is a change to a conversation, for dashboards.
type ConversationChange struct {
	Change       helpium.ConversationChange
	Conversation *helpium.Conversation
}

// ConversationChanged streams changes to a workspace's conversations: new
// conversations, status, assignment and new messages.
func (s *Live) ConversationChanged(ctx context.Context, workspaceID string) (<-chan *ConversationChange, error) {
	a, _, err := s.authorize(ctx, workspaceID, helpium.RoleAgent)
	if err != nil {
		return nil, err
	}
	sub := s.events.Subscribe(ctx, workspaceID, func(ev events.Event) bool {
		return ev.Type == events.TypeConversationChanged
	})
	// Changes missed while disconnected are not replayed; the dashboard
	// refetches its inbox on reconnect.
	return relay(ctx, sub, s.guardFor(ctx, workspaceID), func(ev events.Event) (*ConversationChange, bool) {
		c, err := s.store.FindConversationByID(ctx, scopeOf(a), ev.ConversationID)
		if err != nil {
			return nil, false // removed since, or the agent left the workspace
		}
		return &ConversationChange{Change: helpium.ConversationChange(ev.Change), Conversation: c}, true
	}), nil
}

// relay sends what convert makes of each of sub's events until ctx ends or
// the guard finds the caller's credential gone; convert skips an event by
// returning false. Events missed during a reconnect are not replayed.
func relay[T any](ctx context.Context, sub *events.Subscription, guard *liveGuard, convert func(events.Event) (T, bool)) <-chan T {
	out := make(chan T, 16)
	go func() {
		defer close(out)
		defer sub.Close()
		recheck, stop := guard.ticker()
		defer stop()
		for {
			select {
			case ev, ok := <-sub.C():
				if !ok {
					return
				}
				v, ok := convert(ev)
				if !ok {
					continue
				}
				select {
				case out <- v:
				case <-ctx.Done():
					return
				}
			case <-sub.Resync():
			case <-recheck:
				if !guard.allowed(ctx) {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
