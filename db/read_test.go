package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/events"
)

// TestReadState: unread counts follow the messages as they arrive and the
// read positions as they move, which is only ever forward, with a read
// event each time one moves and none otherwise.
func TestReadState(t *testing.T) {
	f := newFixture(t)
	ws := f.workspace("Acme")
	ann, bob := f.agent("ann@example.com"), f.agent("bob@example.com")
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	c := f.conversation(ws, "wt_read", nil, at(0))
	other := f.conversation(ws, "wt_other", nil, at(0))
	otherMsg := f.message(other, helpium.AuthorAgent, false, "Elsewhere", at(0))

	// Messages by name, m1 being the customer's first.
	first, err := f.store.FindMessages(f.ctx, c.ID, 0, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{"m1": first[0].ID}
	names := map[string]string{first[0].ID: "m1"}
	add := func(name string, author helpium.AuthorKind, internal bool, min int) func() error {
		return func() error {
			m := f.message(c, author, internal, name, at(min))
			ids[name], names[m.ID] = m.ID, name
			return nil
		}
	}
	customerRead := func(name string, min int) func() error {
		return func() error {
			id, ok := ids[name]
			if !ok {
				id = otherMsg.ID
			}
			return f.store.MarkCustomerRead(f.ctx, c, id, at(min))
		}
	}
	agentRead := func(agent string, min int) func() error {
		return func() error { return f.store.MarkAgentRead(f.ctx, c, agent, at(min)) }
	}

	listen := listenEvents(t, f.url)

	// state is the conversation's read state: the customer's unread count
	// and the newest message an agent has read, Ann's and Bob's unread
	// counts and the newest message the customer has read, by name.
	type state struct {
		customerUnread int
		customerSeen   string
		annUnread      int
		annSeen        string
		bobUnread      int
	}
	var wantEvents []string
	for _, step := range []struct {
		name  string
		do    func() error
		code  string
		event string // the read event it publishes: "actor message", or none
		want  state
	}{
		{"the customer's first message", func() error { return nil }, "", "", state{0, "", 1, "", 1}},
		{"an agent replies", add("m2", helpium.AuthorAgent, false, 1), "", "", state{1, "", 1, "", 1}},
		{"an internal note is no one's to read", add("m3", helpium.AuthorAgent, true, 2), "", "", state{1, "", 1, "", 1}},
		{"the AI answers", add("m4", helpium.AuthorBot, false, 3), "", "", state{2, "", 1, "", 1}},
		{"the customer writes again", add("m5", helpium.AuthorCustomer, false, 4), "", "", state{2, "", 2, "", 2}},
		{"the customer reads up to the AI's answer", customerRead("m4", 5), "", "customer m4", state{0, "", 2, "m4", 2}},
		{"the customer reads an older message: no move", customerRead("m2", 6), "", "", state{0, "", 2, "m4", 2}},
		{"the same message again: no move", customerRead("m4", 6), "", "", state{0, "", 2, "m4", 2}},
		{"an internal note is not the customer's to read", customerRead("m3", 7), helpium.ENotFound, "", state{0, "", 2, "m4", 2}},
		{"another conversation's message", customerRead("elsewhere", 7), helpium.ENotFound, "", state{0, "", 2, "m4", 2}},
		{"the customer reads their own message", customerRead("m5", 8), "", "customer m5", state{0, "", 2, "m5", 2}},
		{"Ann opens the conversation", agentRead(ann, 9), "", "agent:ann m5", state{0, "m5", 0, "m5", 2}},
		{"Ann opens it again: no move", agentRead(ann, 10), "", "", state{0, "m5", 0, "m5", 2}},
		{"Bob replies", add("m6", helpium.AuthorAgent, false, 11), "", "", state{1, "m5", 0, "m5", 2}},
		{"the customer writes", add("m7", helpium.AuthorCustomer, false, 12), "", "", state{1, "m5", 1, "m5", 3}},
		{"a system message", add("m8", helpium.AuthorSystem, false, 13), "", "", state{2, "m5", 1, "m5", 3}},
		{"an internal note last", add("m9", helpium.AuthorAgent, true, 14), "", "", state{2, "m5", 1, "m5", 3}},
		{"Bob reads past the note: the event names the newest the customer can see", agentRead(bob, 15), "", "agent:bob m8", state{2, "m8", 1, "m5", 0}},
		{"Ann catches up", agentRead(ann, 16), "", "agent:ann m8", state{2, "m8", 0, "m5", 0}},
		{"the customer reads everything", customerRead("m8", 17), "", "customer m8", state{0, "m8", 0, "m8", 0}},
	} {
		if err := step.do(); code(err) != step.code {
			t.Errorf("%s: error %v, want code %q", step.name, err, step.code)
		}
		if step.code == helpium.ENotFound {
			if err := step.do(); helpium.ErrorField(err) != "message_id" {
				t.Errorf("%s: error %v, want it to name message_id", step.name, err)
			}
		}
		if step.event != "" {
			wantEvents = append(wantEvents, step.event)
		}
		cs, err := f.store.CustomerReadState(f.ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		as, err := f.store.AgentReadStates(f.ctx, ann, []string{c.ID})
		if err != nil {
			t.Fatal(err)
		}
		bs, err := f.store.AgentReadStates(f.ctx, bob, []string{c.ID})
		if err != nil {
			t.Fatal(err)
		}
		name := func(id *string) string {
			if id == nil {
				return ""
			}
			if n, ok := names[*id]; ok {
				return n
			}
			return *id
		}
		got := state{cs.UnreadCount, name(cs.SeenUpTo), as[0].UnreadCount, name(as[0].SeenUpTo), bs[0].UnreadCount}
		if got != step.want {
			t.Errorf("%s: %+v, want %+v", step.name, got, step.want)
		}
	}

	// The events, in order, and no others: the sentinel comes after them.
	agents := map[string]string{ann: "ann", bob: "bob"}
	var got []string
	for _, ev := range listen.until(t, f.store) {
		if ev.Type != "read" || ev.ConversationID != c.ID {
			continue
		}
		actor := ev.Actor
		if ev.Actor == "agent" {
			actor += ":" + agents[ev.AgentID]
		}
		got = append(got, actor+" "+names[ev.MessageID])
		if ev.WorkspaceID != ws || ev.MessageID == "" || ev.Seq == 0 {
			t.Errorf("read event %+v", ev)
		}
	}
	if !slices.Equal(got, wantEvents) {
		t.Errorf("read events\n%q\nwant\n%q", got, wantEvents)
	}

	// Several conversations at once, in the order asked; an unknown one
	// reads as nothing to read.
	states, err := f.store.AgentReadStates(f.ctx, bob, []string{other.ID, uuid.NewString(), c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 3 || states[0].UnreadCount != 1 || states[0].SeenUpTo != nil ||
		states[1].UnreadCount != 0 || states[1].SeenUpTo != nil || states[2].UnreadCount != 0 || deref(states[2].SeenUpTo) != ids["m8"] {
		t.Errorf("read states of three conversations: %+v %+v %+v", states[0], states[1], states[2])
	}
	if states, err := f.store.AgentReadStates(f.ctx, bob, nil); err != nil || len(states) != 0 {
		t.Errorf("read states of no conversations: %v, %v", states, err)
	}
}

type readEvent struct {
	Type           string `json:"type"`
	WorkspaceID    string `json:"workspace_id"`
	ConversationID string `json:"conversation_id"`
	Actor          string `json:"actor"`
	AgentID        string `json:"agent_id"`
	MessageID      string `json:"message_id"`
	Seq            int64  `json:"seq"`
}

type eventListener struct{ conn *pgx.Conn }

// listenEvents listens on the events channel of the database at url.
func listenEvents(t *testing.T, url string) *eventListener {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(context.Background(), "LISTEN "+events.Channel); err != nil {
		t.Fatal(err)
	}
	return &eventListener{conn: conn}
}

// until publishes a sentinel through the store and returns the events received
// before it, failing the test when it does not arrive in 10 seconds.
func (l *eventListener) until(t *testing.T, store *db.Store) []readEvent {
	t.Helper()
	sentinel := uuid.NewString()
	if _, err := store.DB().ExecContext(context.Background(), fmt.Sprintf("SELECT pg_notify('%s', json_build_object('type', 'sentinel', 'conversation_id', ?::text)::text)", events.Channel), sentinel); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []readEvent
	for {
		n, err := l.conn.WaitForNotification(ctx)
		if err != nil {
			t.Fatalf("waiting for events: %v (got %+v)", err, out)
		}
		var ev readEvent
		if err := json.Unmarshal([]byte(n.Payload), &ev); err != nil {
			t.Fatalf("event %s: %v", n.Payload, err)
		}
		if ev.Type == "sentinel" && ev.ConversationID == sentinel {
			return out
		}
		out = append(out, ev)
	}
}
