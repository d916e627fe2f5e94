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

// fixture is a store on a fresh database, and the records the db tests
// build on it.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	store *db.Store
	url   string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	url := dbtest.NewURL(t)
	bdb, err := db.Open(context.Background(), url, db.Options{MaxOpenConns: 16})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	return &fixture{t: t, ctx: context.Background(), store: db.NewStore(bdb), url: url}
}

// workspace creates a workspace and returns its id.
func (f *fixture) workspace(name string) string {
	f.t.Helper()
	ws, err := service.New(f.store, service.Options{}).Workspaces.CreateWorkspace(f.ctx, name)
	if err != nil {
		f.t.Fatal(err)
	}
	return ws.ID
}

// agent inserts an agent and returns their id.
func (f *fixture) agent(email string) string {
	f.t.Helper()
	id := uuid.NewString()
	if _, err := f.store.DB().ExecContext(f.ctx, `INSERT INTO agents (id, email, name, password_hash, created_at) VALUES (?, ?, 'Agent', '', now())`, id, email); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// conversation starts a conversation of the workspace under token, as the
// widget does: open, with the customer's first message.
func (f *fixture) conversation(workspaceID, token string, installationID *string, at time.Time) *helpium.Conversation {
	f.t.Helper()
	c := &helpium.Conversation{ID: uuid.NewString(), WorkspaceID: workspaceID, Status: helpium.StatusOpen,
		CreatedAt: at, UpdatedAt: at, InstallationID: installationID}
	m := &helpium.Message{ID: uuid.NewString(), WorkspaceID: workspaceID, ConversationID: c.ID, Author: helpium.AuthorCustomer, Body: "Hello", CreatedAt: at}
	conv, _, _, err := f.store.CreateConversation(f.ctx, c, helpium.HashToken(token), m, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return conv
}

// message appends a message to a conversation and returns it.
func (f *fixture) message(c *helpium.Conversation, author helpium.AuthorKind, internal bool, body string, at time.Time) *helpium.Message {
	f.t.Helper()
	m := &helpium.Message{ID: uuid.NewString(), WorkspaceID: c.WorkspaceID, ConversationID: c.ID, Author: author, Internal: internal, Body: body, CreatedAt: at}
	if author == helpium.AuthorAgent {
		agent := f.agent(uuid.NewString() + "@example.com")
		m.AuthorAgentID = &agent
	}
	if _, _, err := f.store.AppendMessage(f.ctx, db.MessageTarget{WorkspaceID: c.WorkspaceID, ConversationID: c.ID}, m); err != nil {
		f.t.Fatal(err)
	}
	return m
}

// setStatus changes a conversation's status as an agent would.
func (f *fixture) setStatus(c *helpium.Conversation, st helpium.ConversationStatus, at time.Time) {
	f.t.Helper()
	if _, err := f.store.SetConversationStatus(f.ctx, c.WorkspaceID, c.ID, st, "", at); err != nil {
		f.t.Fatal(err)
	}
}

// answer keeps an answer a widget was given.
func (f *fixture) answer(workspaceID, question string, answered bool, installationID *string, at time.Time) *helpium.AnswerRecord {
	f.t.Helper()
	a := &helpium.AnswerRecord{ID: uuid.NewString(), WorkspaceID: workspaceID, Question: question, Locale: "en",
		Answer:         helpium.Answer{Answered: answered, Text: "The answer to " + question, Sources: []helpium.AnswerSource{}, Generator: helpium.GeneratorNone},
		InstallationID: installationID, CreatedAt: at}
	if err := f.store.InsertAnswer(f.ctx, a); err != nil {
		f.t.Fatal(err)
	}
	return a
}

// transcript is the conversation's messages, internal notes included, as
// "author: body".
func (f *fixture) transcript(conversationID string) []string {
	f.t.Helper()
	msgs, err := f.store.FindMessages(f.ctx, conversationID, 0, 100, true)
	if err != nil {
		f.t.Fatal(err)
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = string(m.Author) + ": " + m.Body
	}
	return out
}

// code is err's code, or "" for nil.
func code(err error) string {
	if err == nil {
		return ""
	}
	return helpium.ErrorCode(err)
}
