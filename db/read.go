package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

type readArgs struct {
	Conversation string    `bun:"conversation"`
	Workspace    string    `bun:"workspace"`
	Message      string    `bun:"message"`
	Agent        string    `bun:"agent"`
	Now          time.Time `bun:"now"`
}

// MarkCustomerRead records that the customer has seen conversation c up
// to messageID, a customer-visible message of it, and publishes a read
// event when that moves their position forward (it never moves back).
// Returns ENotFound when the message is not one of c's visible messages.
func (s *Store) MarkCustomerRead(ctx context.Context, c *helpium.Conversation, messageID string, now time.Time) error {
	var out struct {
		Found    int `bun:"found"`
		Advanced int `bun:"advanced"`
	}
	err := s.db.NewRaw(`
WITH target AS (
	SELECT m.seq, m.id FROM messages m WHERE m.conversation_id = ?conversation AND m.id = ?message AND NOT m.internal
), moved AS (
	UPDATE conversations c SET customer_read_seq = t.seq, customer_read_at = ?now
	FROM target t WHERE c.id = ?conversation AND c.customer_read_seq < t.seq
	RETURNING c.id
), note AS (
	SELECT pg_notify('helpium_events', json_build_object('type', 'read', 'workspace_id', ?workspace::uuid,
		'conversation_id', ?conversation::uuid, 'actor', 'customer', 'message_id', t.id, 'seq', t.seq)::text)
	FROM target t, moved
)
SELECT (SELECT count(*) FROM target) AS found, (SELECT count(*) FROM note) AS advanced`,
		&readArgs{Conversation: c.ID, Workspace: c.WorkspaceID, Message: messageID, Now: now}).Scan(ctx, &out)
	if err != nil {
		return dbErr(err, "conversation")
	}
	if out.Found == 0 {
		return helpium.UnknownMessage("message_id")
	}
	return nil
}

// MarkAgentRead records that the agent has read conversation c up to its
// newest message, and publishes a read event naming the newest message the
// customer can see when that moves the agent's position forward.
func (s *Store) MarkAgentRead(ctx context.Context, c *helpium.Conversation, agentID string, now time.Time) error {
	_, err := s.db.NewRaw(`
WITH moved AS (
	INSERT INTO conversation_reads (conversation_id, agent_id, last_read_seq, read_at)
	SELECT id, ?agent, last_seq, ?now FROM conversations WHERE id = ?conversation
	ON CONFLICT (conversation_id, agent_id) DO UPDATE SET last_read_seq = excluded.last_read_seq, read_at = excluded.read_at
		WHERE conversation_reads.last_read_seq < excluded.last_read_seq
	RETURNING last_read_seq
), seen AS (
	SELECT m.id, m.seq FROM messages m, moved
	WHERE m.conversation_id = ?conversation AND NOT m.internal AND m.seq <= moved.last_read_seq
	ORDER BY m.seq DESC LIMIT 1
)
SELECT pg_notify('helpium_events', json_build_object('type', 'read', 'workspace_id', ?workspace::uuid,
	'conversation_id', ?conversation::uuid, 'actor', 'agent', 'agent_id', ?agent::uuid, 'message_id', seen.id, 'seq', seen.seq)::text)
FROM seen`,
		&readArgs{Conversation: c.ID, Workspace: c.WorkspaceID, Agent: agentID, Now: now}).Exec(ctx)
	return dbErr(err, "conversation")
}

// NotifyTyping publishes that the customer (agentID nil) or an agent of
// conversation c started or stopped typing. Nothing is stored.
func (s *Store) NotifyTyping(ctx context.Context, c *helpium.Conversation, agentID *string, typing bool) error {
	actor := string(helpium.AuthorCustomer)
	if agentID != nil {
		actor = string(helpium.AuthorAgent)
	}
	_, err := s.db.ExecContext(ctx, `SELECT pg_notify('helpium_events', json_build_object('type', 'typing', 'workspace_id', ?::uuid,
		'conversation_id', ?::uuid, 'actor', ?, 'agent_id', ?::uuid, 'typing', ?::boolean)::text)`, c.WorkspaceID, c.ID, actor, agentID, typing)
	return dbErr(err, "conversation")
}

// CustomerReadState returns conversation c's read state as its customer
// sees it: the team's messages they have not read, and the newest message
// any agent has read.
func (s *Store) CustomerReadState(ctx context.Context, conversationID string) (*helpium.ReadState, error) {
	var out struct {
		Unread int     `bun:"unread"`
		Seen   *string `bun:"seen"`
	}
	err := s.db.NewRaw(`
SELECT
	(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND NOT m.internal
		AND m.author_kind <> 'customer' AND m.seq > c.customer_read_seq) AS unread,
	(SELECT m.id FROM messages m WHERE m.conversation_id = c.id AND NOT m.internal
		AND m.seq <= (SELECT max(r.last_read_seq) FROM conversation_reads r WHERE r.conversation_id = c.id)
		ORDER BY m.seq DESC LIMIT 1) AS seen
FROM conversations c WHERE c.id = ?`, conversationID).Scan(ctx, &out)
	if err != nil {
		return nil, dbErr(err, "conversation")
	}
	return &helpium.ReadState{UnreadCount: out.Unread, SeenUpTo: out.Seen}, nil
}

// AgentReadStates returns, for each conversation id in order, its read
// state as the agent sees it: the customer's messages the agent has not
// read, and the newest message the customer has read. An unknown id gets a
// zero state.
func (s *Store) AgentReadStates(ctx context.Context, agentID string, conversationIDs []string) ([]*helpium.ReadState, error) {
	var rows []struct {
		ID     string  `bun:"id"`
		Unread int     `bun:"unread"`
		Seen   *string `bun:"seen"`
	}
	if len(conversationIDs) > 0 {
		err := s.db.NewRaw(`
SELECT c.id,
	(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.author_kind = 'customer'
		AND m.seq > coalesce(r.last_read_seq, 0)) AS unread,
	(SELECT m.id FROM messages m WHERE m.conversation_id = c.id AND NOT m.internal AND m.seq <= c.customer_read_seq
		ORDER BY m.seq DESC LIMIT 1) AS seen
FROM conversations c LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.agent_id = ?
WHERE c.id IN (?)`, agentID, bun.In(conversationIDs)).Scan(ctx, &rows)
		if err != nil {
			return nil, dbErr(err, "conversations")
		}
	}
	byID := make(map[string]*helpium.ReadState, len(rows))
	for _, r := range rows {
		byID[r.ID] = &helpium.ReadState{UnreadCount: r.Unread, SeenUpTo: r.Seen}
	}
	out := make([]*helpium.ReadState, len(conversationIDs))
	for i, id := range conversationIDs {
		if out[i] = byID[id]; out[i] == nil {
			out[i] = &helpium.ReadState{}
		}
	}
	return out, nil
}
