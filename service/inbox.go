package service

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
)

// Inbox runs the agents' side of conversations: the inbox and its
// loaders, replies and internal notes, assignment, status, reads,
// customers and stats.
type Inbox struct {
	base
	files *Files // replies' and notes' attachments
}

// Conversations returns a page of a workspace's inbox for one of its
// agents, with the relations inc asks for.
func (s *Inbox) Conversations(ctx context.Context, workspaceID string, f helpium.ConversationFilter, order helpium.ConversationOrder, page helpium.Page, inc helpium.ConversationInclude) (*helpium.ConversationConnection, error) {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := helpium.CheckID("Workspace", workspaceID); err != nil {
		return nil, err
	}
	if f, err = f.Validate(); err != nil {
		return nil, err
	}
	if f.Assignee != nil && f.Assignee.AgentID != nil {
		if !helpium.ValidID(*f.Assignee.AgentID) {
			return nil, helpium.Invalid("filter.assignee.agentId", "filter.assignee.agentId is not an agent id")
		}
	}
	if f.CustomerID != nil {
		if !helpium.ValidID(*f.CustomerID) {
			return nil, helpium.Invalid("filter.customerId", "filter.customerId is not a customer id")
		}
	}
	// The page query returns rows only to members of the workspace, so a
	// page with rows needs no separate membership check (one round trip
	// fewer on the inbox); an empty page asks, to tell a non-member
	// (not_found) from an empty inbox.
	conn, err := s.store.FindConversations(ctx, workspaceID, a.Agent.ID, f, order, page, inc)
	if err != nil {
		return nil, err
	}
	if len(conn.Edges) == 0 {
		if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAgent); err != nil {
			return nil, err
		}
	}
	conn.Count = sync.OnceValues(func() (int, error) { return s.store.CountConversations(ctx, workspaceID, a.Agent.ID, f) })
	return conn, nil
}

// Conversation returns a conversation in one of the calling agent's
// workspaces. Returns ENotFound for any other.
func (s *Inbox) Conversation(ctx context.Context, id string) (*helpium.Conversation, error) {
	return s.agentConversation(ctx, id)
}

// CustomersByIDs returns customers the caller (an agent) may see, in ids'
// order, nil where not found. It backs the per-request customer loader.
func (s *Inbox) CustomersByIDs(ctx context.Context, ids []string) ([]*helpium.Customer, error) {
	a, err := dashboardOnly(ctx)
	if err != nil {
		return nil, err
	}
	found, err := s.store.FindCustomersByIDs(ctx, db.Scope{AgentID: a.Agent.ID}, ids)
	if err != nil {
		return nil, err
	}
	return inIDOrder(ids, found, func(c *helpium.Customer) string { return c.ID }), nil
}

// ConversationsByIDs returns conversations of the calling agent's
// workspaces, in ids' order, nil where not found. It backs the
// conversation loader.
func (s *Inbox) ConversationsByIDs(ctx context.Context, ids []string) ([]*helpium.Conversation, error) {
	a, err := dashboardOnly(ctx)
	if err != nil {
		return nil, err
	}
	found, err := s.store.FindConversationsByIDs(ctx, db.Scope{AgentID: a.Agent.ID}, ids)
	if err != nil {
		return nil, err
	}
	return inIDOrder(ids, found, func(c *helpium.Conversation) string { return c.ID }), nil
}

// AgentsByIDs returns agents who share a workspace with the calling agent,
// in ids' order, nil where not found. It backs the agent loader.
func (s *Inbox) AgentsByIDs(ctx context.Context, ids []string) ([]*helpium.Agent, error) {
	a, err := dashboardOnly(ctx)
	if err != nil {
		return nil, err
	}
	found, err := s.store.FindAgentsByIDs(ctx, db.Scope{AgentID: a.Agent.ID}, ids)
	if err != nil {
		return nil, err
	}
	return inIDOrder(ids, found, func(ag *helpium.Agent) string { return ag.ID }), nil
}

// inIDOrder returns found in ids' order, nil for an id not found: the
// shape a dataloader wants.
func inIDOrder[V any](ids []string, found []*V, id func(*V) string) []*V {
	byID := make(map[string]*V, len(found))
	for _, v := range found {
		byID[id(v)] = v
	}
	out := make([]*V, len(ids))
	for i, k := range ids {
		out[i] = byID[k]
	}
	return out
}

// LastMessages returns the newest message the caller may see of each
// conversation, in ids' order. It backs the last-message loader.
func (s *Inbox) LastMessages(ctx context.Context, conversationIDs []string) ([]*helpium.Message, error) {
	sc, err := scope(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.store.FindLastMessages(ctx, sc, conversationIDs)
	if err != nil {
		return nil, err
	}
	out := make([]*helpium.Message, len(conversationIDs))
	for i, id := range conversationIDs {
		out[i] = m[id]
	}
	return out, nil
}

// CustomerConversations is a batch key: the first N conversations of a
// customer in the default order, without a cursor (what a customer list
// shows under each customer).
type CustomerConversations struct {
	WorkspaceID string
	CustomerID  string
	N           int
}

// CustomersConversations returns a conversation connection for each key;
// keys of one workspace and N share one query. As with Conversations, a
// caller who is not a member gets ENotFound. It backs the
// customer-conversations loader.
func (s *Inbox) CustomersConversations(ctx context.Context, keys []CustomerConversations) ([]*helpium.ConversationConnection, error) {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return nil, err
	}
	type group struct {
		workspaceID string
		n           int
	}
	ids := make(map[group][]string)
	for _, k := range keys {
		if _, _, err := (helpium.Page{First: &k.N}).Size(); err != nil {
			return nil, err
		}
		if err := helpium.CheckID("Workspace", k.WorkspaceID); err != nil {
			return nil, err
		}
		if err := helpium.CheckID("Customer", k.CustomerID); err != nil {
			return nil, err
		}
		g := group{k.WorkspaceID, k.N}
		ids[g] = append(ids[g], k.CustomerID)
	}
	order := helpium.DefaultConversationOrder
	conns := make(map[group]map[string]*helpium.ConversationConnection)
	counts := make(map[group]func() (map[string]int, error))
	for g, list := range ids {
		// totalCount, when asked for, is counted once for the whole group.
		counts[g] = sync.OnceValues(func() (map[string]int, error) {
			return s.store.CountCustomersConversations(ctx, g.workspaceID, a.Agent.ID, list)
		})
		byCustomer, err := s.store.FindCustomersConversations(ctx, g.workspaceID, a.Agent.ID, list, order, g.n)
		if err != nil {
			return nil, err
		}
		empty := true
		for _, c := range byCustomer {
			empty = empty && len(c.Edges) == 0
		}
		if empty { // tell a non-member (not_found) from customers without conversations
			if _, _, err := s.authorize(ctx, g.workspaceID, helpium.RoleAgent); err != nil {
				return nil, err
			}
		}
		conns[g] = byCustomer
	}
	out := make([]*helpium.ConversationConnection, len(keys))
	for i, k := range keys {
		g := group{k.WorkspaceID, k.N}
		c := conns[g][k.CustomerID]
		c.Count = func() (int, error) {
			n, err := counts[g]()
			return n[k.CustomerID], err
		}
		out[i] = c
	}
	return out, nil
}

// MessageWindow is a batch key: the first or last N messages of a conversation.
type MessageWindow struct {
	ConversationID string
	N              int
	FromEnd        bool
}

// MessageWindows returns, for each key, a message connection of its first
// or last N messages visible to the caller. Keys with the same N and
// direction share one query. It backs the message-window loader.
func (s *Inbox) MessageWindows(ctx context.Context, keys []MessageWindow) ([]*helpium.MessageConnection, error) {
	sc, err := scope(ctx)
	if err != nil {
		return nil, err
	}
	type group struct {
		n       int
		fromEnd bool
	}
	ids := make(map[group][]string)
	for _, k := range keys {
		g := group{k.N, k.FromEnd}
		ids[g] = append(ids[g], k.ConversationID)
	}
	windows := make(map[group]map[string][]*helpium.Message)
	for g, list := range ids {
		w, err := s.store.FindMessageWindows(ctx, sc, list, g.n, g.fromEnd)
		if err != nil {
			return nil, err
		}
		windows[g] = w
	}
	out := make([]*helpium.MessageConnection, len(keys))
	for i, k := range keys {
		out[i] = messageConnection(windows[group{k.N, k.FromEnd}][k.ConversationID], k.N, k.FromEnd, false)
	}
	return out, nil
}

// messageConnection builds a connection from up to n+1 messages, oldest
// first; the extra one, at the far end of the walk (the oldest when the
// walk is from the end), means there are more. cursorGiven says the page
// started at a cursor, so there is a page before it in the walk's
// direction.
func messageConnection(msgs []*helpium.Message, n int, fromEnd, cursorGiven bool) *helpium.MessageConnection {
	if fromEnd {
		msgs = slices.Clone(msgs)
		slices.Reverse(msgs) // walk order
	}
	p := helpium.PageOf(msgs, n, fromEnd, cursorGiven, func(m *helpium.Message) string { return helpium.MessageCursor(m.Seq) })
	conn := &helpium.MessageConnection{PageInfo: p.Info}
	for i, m := range p.Items {
		conn.Edges = append(conn.Edges, &helpium.MessageEdge{Cursor: p.Cursors[i], Node: m})
	}
	return conn
}

// ConversationMessages returns a page of a conversation's messages visible
// to the caller, for pages that start at a cursor (windows without a cursor
// go through MessageWindows in batches).
func (s *Inbox) ConversationMessages(ctx context.Context, conversationID string, page helpium.Page) (*helpium.MessageConnection, error) {
	sc, err := scope(ctx)
	if err != nil {
		return nil, err
	}
	n, fromEnd, err := page.Size()
	if err != nil {
		return nil, err
	}
	var after, before int64
	if page.After != nil {
		if after, err = helpium.ParseMessageCursor("after", *page.After); err != nil {
			return nil, err
		}
	}
	if page.Before != nil {
		if before, err = helpium.ParseMessageCursor("before", *page.Before); err != nil {
			return nil, err
		}
	}
	msgs, err := s.store.FindMessagesPage(ctx, sc, conversationID, after, before, n, fromEnd)
	if err != nil {
		return nil, err
	}
	return messageConnection(msgs, n, fromEnd, page.After != nil || page.Before != nil), nil
}

// agentMessage adds an agent's reply or internal note, with any files, to
// a conversation in one of their workspaces.
func (s *Inbox) agentMessage(ctx context.Context, conversationID, body string, internal bool, clientMessageID *string, files []helpium.Upload) (*helpium.SentMessage, error) {
	c, err := s.Conversation(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	a := helpium.ActorFrom(ctx)
	if body, err = helpium.ValidateMessageBody("body", body, len(files)); err != nil {
		return nil, err
	}
	if err := helpium.ValidateClientMessageID(clientMessageID); err != nil {
		return nil, err
	}
	m := &helpium.Message{
		ID: uuid.Must(uuid.NewV7()).String(), ConversationID: c.ID, Author: helpium.AuthorAgent, AuthorAgentID: &a.Agent.ID,
		Internal: internal, Body: body, ClientMessageID: clientMessageID, CreatedAt: s.clock(),
	}
	if len(files) > 0 {
		ws, err := s.store.FindWorkspaceByID(ctx, c.WorkspaceID)
		if err != nil {
			return nil, err
		}
		if m.Attachments, err = s.files.storeUploads(ctx, ws, c.ID, files); err != nil {
			return nil, err
		}
	}
	atts := m.Attachments
	stored, created, err := s.store.AppendMessage(ctx, db.MessageTarget{WorkspaceID: c.WorkspaceID, ConversationID: c.ID}, m)
	if err := s.files.settleUploads(ctx, atts, stored, created, err); err != nil {
		return nil, err
	}
	return &helpium.SentMessage{Message: stored, Created: created}, nil
}

// ReplyToConversation sends an agent reply that the customer sees in the
// widget.
func (s *Inbox) ReplyToConversation(ctx context.Context, conversationID, body string, clientMessageID *string, files []helpium.Upload) (*helpium.SentMessage, error) {
	return s.agentMessage(ctx, conversationID, body, false, clientMessageID, files)
}

// AddInternalNote adds a note only agents see; no widget endpoint ever
// returns it.
func (s *Inbox) AddInternalNote(ctx context.Context, conversationID, body string, files []helpium.Upload) (*helpium.Message, error) {
	sent, err := s.agentMessage(ctx, conversationID, body, true, nil, files)
	if err != nil {
		return nil, err
	}
	return sent.Message, nil
}

// AssignConversation assigns a conversation to an agent of its workspace,
// or unassigns it when agentID is nil.
func (s *Inbox) AssignConversation(ctx context.Context, conversationID string, agentID *string) (*helpium.Conversation, error) {
	c, err := s.Conversation(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	if agentID != nil {
		if err := helpium.CheckID("Agent", *agentID); err != nil {
			return nil, err
		}
		if _, err := s.store.FindMembership(ctx, c.WorkspaceID, *agentID); err != nil {
			if helpium.ErrorCode(err) == helpium.ENotFound {
				return nil, helpium.Errorf(helpium.ENotFound, "Agent not found.")
			}
			return nil, err
		}
	}
	return s.store.SetConversationAssignee(ctx, c.WorkspaceID, c.ID, agentID, actingAgent(ctx), s.clock())
}

// SetConversationStatus moves a conversation through the workflow.
func (s *Inbox) SetConversationStatus(ctx context.Context, conversationID string, status helpium.ConversationStatus) (*helpium.Conversation, error) {
	if !status.Valid() {
		return nil, helpium.Invalid("status", "status must be OPEN, PENDING, RESOLVED or CLOSED")
	}
	c, err := s.Conversation(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	return s.store.SetConversationStatus(ctx, c.WorkspaceID, c.ID, status, actingAgent(ctx), s.clock())
}

// Customers returns a page of a workspace's customers.
func (s *Inbox) Customers(ctx context.Context, workspaceID, query string, page helpium.Page) (*helpium.CustomerConnection, error) {
	if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAgent); err != nil {
		return nil, err
	}
	if err := helpium.CheckText("query", query, 200, false); err != nil {
		return nil, err
	}
	return s.store.FindCustomers(ctx, workspaceID, query, page)
}

// Customer returns a customer of one of the calling agent's workspaces.
func (s *Inbox) Customer(ctx context.Context, id string) (*helpium.Customer, error) {
	if err := helpium.CheckID("Customer", id); err != nil {
		return nil, err
	}
	list, err := s.CustomersByIDs(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if list[0] == nil {
		return nil, helpium.Errorf(helpium.ENotFound, "Customer not found.")
	}
	return list[0], nil
}

// MaxStatsRange bounds the period of Stats.
const MaxStatsRange = 366 * 24 * time.Hour

// Stats summarises a workspace's conversations over [from, to), per day in
// the workspace's business-hours timezone.
func (s *Inbox) Stats(ctx context.Context, workspaceID string, from, to time.Time) (*helpium.Stats, error) {
	if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAgent); err != nil {
		return nil, err
	}
	if !to.After(from) {
		return nil, helpium.Invalid("to", "to must be after from")
	}
	if to.Sub(from) > MaxStatsRange {
		return nil, helpium.Invalid("to", "the period must be at most 366 days")
	}
	ws, err := s.store.FindWorkspaceByID(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	tz := ws.BusinessHours.Timezone
	if tz == "" {
		tz = "UTC"
	}
	return s.store.Stats(ctx, workspaceID, from.UTC(), to.UTC(), tz)
}

// MarkConversationRead records that the calling agent has read a
// conversation of theirs up to its newest message.
func (s *Inbox) MarkConversationRead(ctx context.Context, conversationID string) (*helpium.Conversation, error) {
	c, err := s.Conversation(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	if err := s.store.MarkAgentRead(ctx, c, helpium.ActorFrom(ctx).Agent.ID, s.clock()); err != nil {
		return nil, err
	}
	return c, nil
}

// ReadStates returns the calling agent's read state of each conversation,
// for the GraphQL dataloader.
func (s *Inbox) ReadStates(ctx context.Context, conversationIDs []string) ([]*helpium.ReadState, error) {
	a, err := dashboardOnly(ctx)
	if err != nil {
		return nil, err
	}
	return s.store.AgentReadStates(ctx, a.Agent.ID, conversationIDs)
}
