package server_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

// sseStream is an open widget event stream, read event by event.
type sseStream struct {
	events chan string // each event's lines
	cancel context.CancelFunc
}

func openSSE(t *testing.T, app *apptest.App, key, token string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", app.URL+"/api/customer/conversations/"+token+"/events?api_key="+key, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	s := &sseStream{events: make(chan string, 64), cancel: cancel}
	t.Cleanup(func() { cancel(); res.Body.Close() })
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		var ev []string
		for sc.Scan() {
			if line := sc.Text(); line != "" {
				ev = append(ev, line)
				continue
			}
			if len(ev) > 0 && !strings.HasPrefix(ev[0], ":") && !strings.HasPrefix(ev[0], "retry:") {
				s.events <- strings.Join(ev, "\n")
			}
			ev = nil
		}
	}()
	return s
}

// next returns the next event whose text contains want, skipping others,
// or fails after timeout.
func (s *sseStream) next(t *testing.T, want string, timeout time.Duration) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatalf("stream ended waiting for %q", want)
			}
			if strings.Contains(ev, want) {
				return ev
			}
		case <-deadline:
			t.Fatalf("no event with %q within %s", want, timeout)
		}
	}
}

type activityEvent struct {
	ConversationActivity struct {
		Kind, Actor       string
		Typing            *bool
		ExpiresAt         *time.Time
		LastReadMessageID *string
		Agent             *struct{ ID string }
	}
}

func TestTypingIndicators(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Typing")
	key := o.Workspace.APIKey
	conv, token := startConversation(t, app, key, "hello")
	typing := "/api/customer/conversations/" + token + "/typing"

	// The customer types: the agent sees a start that expires, then a stop.
	sub := app.SubscribeLive(t, map[string]any{"Authorization": "Bearer " + o.Token},
		`subscription($c: ID!) { conversationActivity(conversationId: $c) { kind actor typing expiresAt lastReadMessageId agent { id } } }`, map[string]any{"c": conv})
	if res := app.Request(t, "POST", typing, key, map[string]any{"typing": true}); res.Status != http.StatusNoContent {
		t.Fatalf("typing: %d %s", res.Status, res.Body)
	}
	// A second start within the throttle's 2 s is dropped; the stop is not.
	app.Request(t, "POST", typing, key, map[string]any{"typing": true})
	app.Request(t, "POST", typing, key, map[string]any{"typing": false})
	var ev activityEvent
	mustGraphQL(t, sub.Next(t, 5*time.Second, &ev))
	a := ev.ConversationActivity
	if a.Kind != "TYPING" || a.Actor != "CUSTOMER" || a.Typing == nil || !*a.Typing || a.ExpiresAt == nil ||
		time.Until(*a.ExpiresAt) < 3*time.Second || time.Until(*a.ExpiresAt) > 7*time.Second || a.Agent != nil {
		t.Fatalf("start: %+v", a)
	}
	mustGraphQL(t, sub.Next(t, 5*time.Second, &ev))
	if a := ev.ConversationActivity; a.Typing == nil || *a.Typing || a.ExpiresAt != nil {
		t.Fatalf("after one start, want the stop (the second start throttled): %+v", a)
	}

	// The agent types: the widget's stream gets it without an id (the
	// resume point stays) and without naming the agent.
	stream := openSSE(t, app, key, token)
	stream.next(t, `"body":"hello"`, 5*time.Second)
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!) { setTyping(conversationId: $c, typing: true) }`, map[string]any{"c": conv}, nil))
	got := stream.next(t, "event: typing", 5*time.Second)
	if strings.Contains(got, "id:") || !strings.Contains(got, `"actor":"agent"`) || !strings.Contains(got, `"typing":true`) ||
		!strings.Contains(got, `"expires_at"`) || strings.Contains(got, "agent_id") {
		t.Errorf("widget typing event: %s", got)
	}
	// An agent's own typing does not come back to them.
	if typ, payload := sub.NextMessageWithin(t, 500*time.Millisecond); typ != "" {
		t.Errorf("the agent got their own typing: %s %s", typ, payload)
	}

	// Bad input is named; another workspace's token is not found.
	checkEnvelope(t, "no typing field", app.Request(t, "POST", typing, key, map[string]any{}), 422, "invalid_input", "typing")
	other := app.Workspace(t, "Other")
	checkEnvelope(t, "foreign token", app.Request(t, "POST", typing, other.APIKey, map[string]any{"typing": true}), 404, "not_found", "")
}

func TestReadStateAndUnreadCounts(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Reads")
	key := o.Workspace.APIKey
	conv, token := startConversation(t, app, key, "first")
	path := "/api/customer/conversations/" + token
	app.Request(t, "POST", path+"/messages", key, map[string]any{"body": "second"})

	agentState := func() (int, *string) {
		t.Helper()
		var out struct {
			Conversations struct {
				Edges []struct {
					Node struct {
						ID          string
						UnreadCount int
						SeenUpTo    *string
					}
				}
			}
		}
		mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($w: ID!) { conversations(workspaceId: $w) { edges { node { id unreadCount seenUpTo } } } }`,
			map[string]any{"w": o.Workspace.ID}, &out))
		n := out.Conversations.Edges[0].Node
		return n.UnreadCount, n.SeenUpTo
	}
	type widgetConv struct {
		Read struct {
			UnreadCount int     `json:"unread_count"`
			SeenUpTo    *string `json:"seen_up_to"`
		} `json:"read"`
	}
	widgetState := func(res apptest.Response) widgetConv {
		t.Helper()
		if res.Status != 200 {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
		var c widgetConv
		res.JSON(t, &c)
		return c
	}

	// Two customer messages unread by the agent, until they open it.
	if n, seen := agentState(); n != 2 || seen != nil {
		t.Fatalf("agent before reading: %d unread, seen %v", n, seen)
	}
	stream := openSSE(t, app, key, token)
	stream.next(t, `"body":"second"`, 5*time.Second)
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!) { markConversationRead(conversationId: $c) { id } }`, map[string]any{"c": conv}, nil))
	if n, _ := agentState(); n != 0 {
		t.Fatalf("agent after reading: %d unread", n)
	}
	// The widget hears that the team read its messages, up to "second".
	var page struct{ Messages []fileMessage }
	app.Request(t, "GET", path+"/messages", key, nil).JSON(t, &page)
	if ev := stream.next(t, "event: read", 5*time.Second); !strings.Contains(ev, `"last_read_message_id":"`+page.Messages[1].ID+`"`) {
		t.Errorf("widget read event: %s", ev)
	}

	// Two replies: unread for the customer until the widget reports them
	// seen; the position never moves back.
	sub := app.SubscribeLive(t, map[string]any{"Authorization": "Bearer " + o.Token},
		`subscription($c: ID!) { conversationActivity(conversationId: $c) { kind actor lastReadMessageId } }`, map[string]any{"c": conv})
	var replies []string
	for _, body := range []string{"reply one", "reply two"} {
		var r struct {
			ReplyToConversation struct{ Message struct{ ID string } }
		}
		mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($c: ID!, $b: String!) { replyToConversation(input: {conversationId: $c, body: $b}) { message { id } } }`,
			map[string]any{"c": conv, "b": body}, &r))
		replies = append(replies, r.ReplyToConversation.Message.ID)
	}
	if c := widgetState(app.Request(t, "GET", path, key, nil)); c.Read.UnreadCount != 2 || c.Read.SeenUpTo == nil || *c.Read.SeenUpTo != page.Messages[1].ID {
		t.Fatalf("widget before reading: %+v", c.Read)
	}
	for i, step := range []struct {
		message string
		unread  int
	}{{replies[0], 1}, {replies[1], 0}, {replies[0], 0}} {
		c := widgetState(app.Request(t, "POST", path+"/read", key, map[string]any{"message_id": step.message}))
		if c.Read.UnreadCount != step.unread {
			t.Errorf("step %d: %d unread, want %d", i, c.Read.UnreadCount, step.unread)
		}
	}
	// The agent hears both reads (not the one that moved nothing back), and
	// sees where the customer is.
	for _, want := range replies {
		var ev activityEvent
		mustGraphQL(t, sub.Next(t, 5*time.Second, &ev))
		if a := ev.ConversationActivity; a.Kind != "READ" || a.Actor != "CUSTOMER" || a.LastReadMessageID == nil || *a.LastReadMessageID != want {
			t.Errorf("read event: %+v, want up to %s", a, want)
		}
	}
	if typ, payload := sub.NextMessageWithin(t, 500*time.Millisecond); typ != "" {
		t.Errorf("a read that moved nothing was published: %s %s", typ, payload)
	}
	if _, seen := agentState(); seen == nil || *seen != replies[1] {
		t.Errorf("agent sees the customer's position %v, want %s", seen, replies[1])
	}

	// Another conversation's message, or none, is not found, naming it.
	_, otherToken := startConversation(t, app, key, "other")
	var otherPage struct{ Messages []fileMessage }
	app.Request(t, "GET", "/api/customer/conversations/"+otherToken+"/messages", key, nil).JSON(t, &otherPage)
	checkEnvelope(t, "another conversation's message", app.Request(t, "POST", path+"/read", key, map[string]any{"message_id": otherPage.Messages[0].ID}), 404, "not_found", "message_id")
	checkEnvelope(t, "not an id", app.Request(t, "POST", path+"/read", key, map[string]any{"message_id": "x"}), 404, "not_found", "message_id")
	checkEnvelope(t, "missing", app.Request(t, "POST", path+"/read", key, map[string]any{}), 422, "invalid_input", "message_id")
}
