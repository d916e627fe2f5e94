package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/db/dbtest"
	"github.com/helpium/helpium/service"
)

// TestAppendMessageAppliesItsEffect: the statement that adds a message
// applies what helpium.Message.Effect decides, and nothing else.
func TestAppendMessageAppliesItsEffect(t *testing.T) {
	ctx := context.Background()
	store := db.NewStore(dbtest.New(t))
	ws, err := service.New(store, service.Options{}).Workspaces.CreateWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	agent := uuid.NewString()
	if _, err := store.DB().ExecContext(ctx, `INSERT INTO agents (id, email, name, password_hash, created_at) VALUES (?, 'ann@example.com', 'Ann', '', now())`, agent); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	msg := func(author helpium.AuthorKind, internal bool, min int) *helpium.Message {
		m := &helpium.Message{ID: uuid.NewString(), Author: author, Internal: internal, Body: "hello", CreatedAt: at(min)}
		if author == helpium.AuthorAgent {
			m.AuthorAgentID = &agent
		}
		return m
	}
	c := &helpium.Conversation{ID: uuid.NewString(), WorkspaceID: ws.ID, Status: helpium.StatusOpen, CreatedAt: at(0), UpdatedAt: at(0), LastMessageAt: ptr(at(0))}
	first := msg(helpium.AuthorCustomer, false, 0)
	first.ConversationID, first.WorkspaceID = c.ID, ws.ID
	if _, _, _, err := store.CreateConversation(ctx, c, []byte("token-hash"), first, nil); err != nil {
		t.Fatal(err)
	}
	get := func() *helpium.Conversation {
		got, err := store.FindConversationByID(ctx, db.Scope{WorkspaceID: ws.ID}, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, step := range []struct {
		name                      string
		before                    func()
		m                         *helpium.Message
		status                    helpium.ConversationStatus
		lastMessage, firstResonse *time.Time
	}{
		{"an internal note moves nothing", nil, msg(helpium.AuthorAgent, true, 1), helpium.StatusOpen, ptr(at(0)), nil},
		{"a bot answer is activity, not a response", nil, msg(helpium.AuthorBot, false, 2), helpium.StatusOpen, ptr(at(2)), nil},
		{"the first agent reply is the first response", nil, msg(helpium.AuthorAgent, false, 3), helpium.StatusOpen, ptr(at(3)), ptr(at(3))},
		{"a later reply keeps it", nil, msg(helpium.AuthorAgent, false, 4), helpium.StatusOpen, ptr(at(4)), ptr(at(3))},
		{"a customer reopens a resolved conversation", func() {
			if _, err := store.SetConversationStatus(ctx, ws.ID, c.ID, helpium.StatusResolved, agent, at(5)); err != nil {
				t.Fatal(err)
			}
		}, msg(helpium.AuthorCustomer, false, 6), helpium.StatusOpen, ptr(at(6)), ptr(at(3))},
		{"an agent does not", func() {
			if _, err := store.SetConversationStatus(ctx, ws.ID, c.ID, helpium.StatusClosed, agent, at(7)); err != nil {
				t.Fatal(err)
			}
		}, msg(helpium.AuthorAgent, false, 8), helpium.StatusClosed, ptr(at(8)), ptr(at(3))},
		{"pending stays pending for a customer", func() {
			if _, err := store.SetConversationStatus(ctx, ws.ID, c.ID, helpium.StatusPending, agent, at(9)); err != nil {
				t.Fatal(err)
			}
		}, msg(helpium.AuthorCustomer, false, 10), helpium.StatusPending, ptr(at(10)), ptr(at(3))},
	} {
		if step.before != nil {
			step.before()
		}
		if _, _, err := store.AppendMessage(ctx, db.MessageTarget{WorkspaceID: ws.ID, ConversationID: c.ID}, step.m); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		got := get()
		if got.Status != step.status || !sameTime(got.LastMessageAt, step.lastMessage) || !sameTime(got.FirstResponseAt, step.firstResonse) {
			t.Errorf("%s: status %s, last message %v, first response %v", step.name, got.Status, got.LastMessageAt, got.FirstResponseAt)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func sameTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}
