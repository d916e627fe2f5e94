package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/helpium/helpium"
)

// Scope limits batch reads to what a caller may see: the workspaces an
// agent belongs to (AgentID), or one workspace for a widget (WorkspaceID).
// Access rules live in the query, so a batch never returns other tenants'
// rows.
type Scope struct {
	AgentID     string
	WorkspaceID string
}

// apply adds the scope's tenant condition on column (e.g. "c.workspace_id").
func (sc Scope) apply(q *bun.SelectQuery, column string) *bun.SelectQuery {
	if sc.AgentID != "" {
		return q.Where("? IN (SELECT workspace_id FROM memberships WHERE agent_id = ?)", bun.Ident(column), sc.AgentID)
	}
	return q.Where("? = ?", bun.Ident(column), sc.WorkspaceID)
}

// internalVisible reports whether the scope sees internal notes: agents do,
// widgets never.
func (sc Scope) internalVisible() bool { return sc.AgentID != "" }

func orderColumn(f helpium.ConversationOrderField) string {
	switch f {
	case helpium.OrderCreatedAt:
		return "c.created_at"
	case helpium.OrderLastMessageAt:
		return "coalesce(c.last_message_at, c.created_at)"
	}
	return "c.updated_at"
}

// orderBy sorts conversations by a field, ties broken by id, ascending or
// descending.
func orderBy(f helpium.ConversationOrderField, asc bool) string {
	dir := "DESC"
	if asc {
		dir = "ASC"
	}
	return fmt.Sprintf("%s %s, c.id %s", orderColumn(f), dir, dir)
}

func orderValue(c *conversationRow, f helpium.ConversationOrderField) time.Time {
	switch f {
	case helpium.OrderCreatedAt:
		return c.CreatedAt
	case helpium.OrderLastMessageAt:
		if !c.LastMessageAt.IsZero() {
			return c.LastMessageAt.Time
		}
		return c.CreatedAt
	}
	return c.UpdatedAt
}

// filterConversations applies a workspace's conversation filter for the
// calling agent meID: only a member of the workspace gets any rows, and
// meID is who "assigned to me" means.
func filterConversations(q *bun.SelectQuery, workspaceID, meID string, f helpium.ConversationFilter) *bun.SelectQuery {
	q = q.Where("c.workspace_id = ?", workspaceID).
		Where("EXISTS (SELECT 1 FROM memberships mb WHERE mb.workspace_id = ? AND mb.agent_id = ?)", workspaceID, meID)
	if len(f.Status) > 0 {
		ss := make([]string, len(f.Status))
		for i, s := range f.Status {
			ss[i] = string(s)
		}
		q = q.Where("c.status IN (?)", bun.In(ss))
	}
	if a := f.Assignee; a != nil {
		switch {
		case a.Me:
			q = q.Where("c.assignee_id = ?", meID)
		case a.None:
			q = q.Where("c.assignee_id IS NULL")
		case a.AgentID != nil:
			q = q.Where("c.assignee_id = ?", *a.AgentID)
		}
	}
	if f.CustomerID != nil {
		q = q.Where("c.customer_id = ?", *f.CustomerID)
	}
	if f.UpdatedSince != nil {
		q = q.Where("c.updated_at >= ?", *f.UpdatedSince)
	}
	if f.Text != nil {
		q = q.Where(`EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id
			AND to_tsvector('simple', m.body) @@ websearch_to_tsquery('simple', ?))`, *f.Text)
	}
	return q
}

// pageRow is a conversation of a page with the relations read along with
// it; a relation not asked for, or absent, leaves its part zero.
type pageRow struct {
	conversationRow
	Customer customerRow `bun:"embed:cu_"`
	Assignee agentRow    `bun:"embed:a_"`
	Last     messageRow  `bun:"embed:m_"`
}

// include joins the relations inc asks for to a page of conversations (c),
// each as its own reader may see it: the customer of the conversation's
// workspace, an assignee who shares a workspace with the agent meID (as
// FindAgentsByIDs), and the newest message, internal notes included (the
// page is an agent's). Each join reads one row by index per conversation.
func include(q *bun.SelectQuery, meID string, inc helpium.ConversationInclude) *bun.SelectQuery {
	if inc.Customer {
		q = q.ColumnExpr(pageCustomerColumns).
			Join("LEFT JOIN customers AS cu ON cu.id = c.customer_id AND cu.workspace_id = c.workspace_id")
	}
	if inc.Assignee {
		q = q.ColumnExpr(pageAgentColumns).Join("LEFT JOIN agents AS a ON a.id = c.assignee_id AND "+sharesWorkspace, meID)
	}
	if inc.LastMessage {
		q = q.ColumnExpr(pageMessageColumns).
			Join("LEFT JOIN LATERAL (SELECT * FROM messages WHERE conversation_id = c.id ORDER BY seq DESC LIMIT 1) AS m ON true")
	}
	return q
}

// The relations' columns in a page's statement.
var (
	pageCustomerColumns = aliased(customerColumns)
	pageAgentColumns    = aliased(agentColumns)
	pageMessageColumns  = aliased(messageColumns)
)

// aliased names each column of a list such as "m.id, m.body" after its
// table's alias, "m.id AS m_id, m.body AS m_body", as pageRow's embedded
// rows expect.
func aliased(columns string) string {
	cols := strings.Split(columns, ", ")
	for i, c := range cols {
		cols[i] = c + " AS " + strings.Replace(c, ".", "_", 1)
	}
	return strings.Join(cols, ", ")
}

// related collects the relations read with a page, keyed by conversation;
// a map is made only for a relation asked for.
func related(rows []pageRow, inc helpium.ConversationInclude) *helpium.ConversationRelated {
	if inc == (helpium.ConversationInclude{}) {
		return nil
	}
	r := &helpium.ConversationRelated{}
	if inc.Customer {
		r.Customers = make(map[string]*helpium.Customer, len(rows))
	}
	if inc.Assignee {
		r.Assignees = make(map[string]*helpium.Agent, len(rows))
	}
	if inc.LastMessage {
		r.LastMessages = make(map[string]*helpium.Message, len(rows))
	}
	// A relation not asked for was not selected: its id is empty.
	for i := range rows {
		row := &rows[i]
		if row.Customer.ID != "" {
			r.Customers[row.ID] = row.Customer.toCustomer()
		}
		if row.Assignee.ID != "" {
			r.Assignees[row.ID] = row.Assignee.toAgent()
		}
		if row.Last.ID != "" {
			r.LastMessages[row.ID] = row.Last.toMessage()
		}
	}
	return r
}

// FindConversations returns one page of a workspace's conversations, the
// page's edges in display order, with the relations inc asks for.
func (s *Store) FindConversations(ctx context.Context, workspaceID, meID string, f helpium.ConversationFilter, order helpium.ConversationOrder, page helpium.Page, inc helpium.ConversationInclude) (*helpium.ConversationConnection, error) {
	n, backward, err := page.Size()
	if err != nil {
		return nil, err
	}
	// A forward page walks in display order, a backward one against it.
	asc := (order.Direction == helpium.Asc) != backward
	var rows []pageRow
	q := filterConversations(s.db.NewSelect().Model(&rows).ModelTableExpr("conversations AS c").ColumnExpr(conversationColumns), workspaceID, meID, f)
	q = include(q, meID, inc)
	cursor, field := page.After, "after"
	if backward {
		cursor, field = page.Before, "before"
	}
	if cursor != nil {
		kc, err := helpium.ParseKeyCursor(field, *cursor)
		if err != nil {
			return nil, err
		}
		cmp := "<"
		if asc {
			cmp = ">"
		}
		q = q.Where(fmt.Sprintf("(%s, c.id) %s (?, ?)", orderColumn(order.Field), cmp), kc.At, kc.ID)
	}
	if err := q.OrderExpr(orderBy(order.Field, asc)).Limit(int64(n + 1)).Scan(ctx); err != nil {
		return nil, dbErr(err, "conversations")
	}
	convs := make([]conversationRow, len(rows))
	for i := range rows {
		convs[i] = rows[i].conversationRow
	}
	conn := conversationConnection(convs, order, n, backward, cursor != nil)
	conn.Related = related(rows, inc)
	return conn, nil
}

// conversationConnection builds a page from up to n+1 rows in walk order;
// the extra one means there are more in that direction. cursorGiven says
// the walk started at a cursor, so there is a page behind it.
func conversationConnection(rows []conversationRow, order helpium.ConversationOrder, n int, backward, cursorGiven bool) *helpium.ConversationConnection {
	p := helpium.PageOf(rows, n, backward, cursorGiven, func(r conversationRow) string {
		return helpium.KeyCursor{At: orderValue(&r, order.Field), ID: r.ID}.Encode()
	})
	conn := &helpium.ConversationConnection{PageInfo: p.Info}
	for i := range p.Items {
		conn.Edges = append(conn.Edges, &helpium.ConversationEdge{Cursor: p.Cursors[i], Node: p.Items[i].toConversation()})
	}
	return conn
}

// FindCustomersConversations returns the first n conversations (in order)
// of each of a workspace's customers that the agent meID may see, keyed by
// customer id; a customer without any has an empty connection. One
// statement for all customers: each is an index scan that stops after n+1
// rows.
func (s *Store) FindCustomersConversations(ctx context.Context, workspaceID, meID string, customerIDs []string, order helpium.ConversationOrder, n int) (map[string]*helpium.ConversationConnection, error) {
	var rows []conversationRow
	if len(customerIDs) > 0 {
		sortBy := orderBy(order.Field, order.Direction == helpium.Asc)
		inner := filterConversations(s.db.NewSelect().TableExpr("conversations AS c").ColumnExpr(conversationColumns), workspaceID, meID, helpium.ConversationFilter{}).
			Where("c.customer_id = k.id").OrderExpr(sortBy).Limit(int64(n + 1))
		err := s.db.NewSelect().Model(&rows).
			ModelTableExpr("unnest(?::uuid[]) AS k(id) CROSS JOIN LATERAL (?) AS c", pgdialect.Array(customerIDs), inner).
			ColumnExpr(conversationColumns).OrderExpr(sortBy).Scan(ctx)
		if err != nil {
			return nil, dbErr(err, "conversations")
		}
	}
	byCustomer := make(map[string][]conversationRow)
	for _, r := range rows {
		byCustomer[*r.CustomerID] = append(byCustomer[*r.CustomerID], r)
	}
	out := make(map[string]*helpium.ConversationConnection, len(customerIDs))
	for _, id := range customerIDs {
		out[id] = conversationConnection(byCustomer[id], order, n, false, false)
	}
	return out, nil
}

// CountConversations counts a workspace's conversations matching f.
func (s *Store) CountConversations(ctx context.Context, workspaceID, meID string, f helpium.ConversationFilter) (int, error) {
	n, err := filterConversations(s.db.NewSelect().TableExpr("conversations AS c"), workspaceID, meID, f).Count(ctx)
	return int(n), dbErr(err, "conversations")
}

// CountCustomersConversations counts the conversations of each of a
// workspace's customers that the agent meID may see, in one statement;
// customers without any are absent.
func (s *Store) CountCustomersConversations(ctx context.Context, workspaceID, meID string, customerIDs []string) (map[string]int, error) {
	out := make(map[string]int, len(customerIDs))
	if len(customerIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		CustomerID string `bun:"customer_id"`
		N          int    `bun:"n"`
	}
	err := filterConversations(s.db.NewSelect().TableExpr("conversations AS c"), workspaceID, meID, helpium.ConversationFilter{}).
		ColumnExpr("c.customer_id, count(*) AS n").Where("c.customer_id = ANY(?::uuid[])", pgdialect.Array(customerIDs)).
		GroupExpr("c.customer_id").Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr(err, "conversations")
	}
	for _, r := range rows {
		out[r.CustomerID] = r.N
	}
	return out, nil
}

// FindConversationByID returns a conversation within scope. Returns
// ENotFound when it does not exist or is outside the scope.
func (s *Store) FindConversationByID(ctx context.Context, sc Scope, id string) (*helpium.Conversation, error) {
	row := new(conversationRow)
	q := s.db.NewSelect().Model(row).ModelTableExpr("conversations AS c").ColumnExpr(conversationColumns).Where("c.id = ?", id)
	if err := sc.apply(q, "c.workspace_id").Scan(ctx); err != nil {
		return nil, dbErr(err, "conversation")
	}
	return row.toConversation(), nil
}

// SetConversationStatus changes a conversation's status; resolving or
// closing records resolved_at, reopening clears it.
func (s *Store) SetConversationStatus(ctx context.Context, workspaceID, id string, status helpium.ConversationStatus, byAgentID string, now time.Time) (*helpium.Conversation, error) {
	row := new(conversationRow)
	_, err := s.db.NewUpdate().Model(row).ModelTableExpr("conversations AS c").
		Set("status = ?", string(status)).Set("updated_at = ?", now).
		Set("updated_by_kind = 'agent'").Set("updated_by_id = ?", nullUUID(byAgentID)).
		Set("resolved_at = CASE WHEN ? IN ('resolved', 'closed') THEN coalesce(resolved_at, ?) ELSE NULL END", string(status), now).
		Where("id = ?", id).Where("workspace_id = ?", workspaceID).Returning(conversationColumns).Exec(ctx, row)
	if err != nil {
		return nil, dbErr(err, "conversation")
	}
	if row.ID == "" {
		return nil, notFound("conversation")
	}
	return row.toConversation(), nil
}

// SetConversationAssignee assigns a conversation to an agent who must be a
// member of its workspace, or unassigns it (nil).
func (s *Store) SetConversationAssignee(ctx context.Context, workspaceID, id string, agentID *string, byAgentID string, now time.Time) (*helpium.Conversation, error) {
	row := new(conversationRow)
	q := s.db.NewUpdate().Model(row).ModelTableExpr("conversations AS c").
		Set("assignee_id = ?", agentID).Set("updated_at = ?", now).
		Set("updated_by_kind = 'agent'").Set("updated_by_id = ?", nullUUID(byAgentID)).
		Where("id = ?", id).Where("workspace_id = ?", workspaceID)
	if agentID != nil {
		q = q.Where("EXISTS (SELECT 1 FROM memberships WHERE workspace_id = ? AND agent_id = ?)", workspaceID, *agentID)
	}
	if _, err := q.Returning(conversationColumns).Exec(ctx, row); err != nil {
		return nil, dbErr(err, "conversation")
	}
	if row.ID == "" {
		return nil, notFound("conversation or agent")
	}
	return row.toConversation(), nil
}

// FindLastMessages returns the newest message visible in scope of each
// conversation, keyed by conversation id.
func (s *Store) FindLastMessages(ctx context.Context, sc Scope, conversationIDs []string) (map[string]*helpium.Message, error) {
	rows, err := s.messageWindows(ctx, sc, conversationIDs, 1, true)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*helpium.Message, len(rows))
	for i := range rows {
		out[rows[i].ConversationID] = rows[i].toMessage()
	}
	return out, nil
}

// FindMessageWindows returns, for each conversation, its first (fromEnd
// false) or last (fromEnd true) n+1 messages visible in scope, oldest first.
// The extra message tells the caller whether there are more.
func (s *Store) FindMessageWindows(ctx context.Context, sc Scope, conversationIDs []string, n int, fromEnd bool) (map[string][]*helpium.Message, error) {
	rows, err := s.messageWindows(ctx, sc, conversationIDs, n+1, fromEnd)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]*helpium.Message)
	for i := range rows {
		out[rows[i].ConversationID] = append(out[rows[i].ConversationID], rows[i].toMessage())
	}
	return out, nil
}

// messageWindows reads at most limit messages from one end of each
// conversation, oldest first within a conversation. Each conversation is an
// index scan of (conversation_id, seq) that stops after limit rows, so the
// cost does not grow with the length of the conversations.
func (s *Store) messageWindows(ctx context.Context, sc Scope, conversationIDs []string, limit int, fromEnd bool) ([]messageRow, error) {
	if len(conversationIDs) == 0 {
		return nil, nil
	}
	dir := "ASC"
	if fromEnd {
		dir = "DESC"
	}
	inner := s.db.NewSelect().TableExpr("messages AS m").ColumnExpr("m.*").
		Where("m.conversation_id = k.id").OrderExpr("m.seq " + dir).Limit(int64(limit))
	if !sc.internalVisible() {
		inner = inner.Where("NOT m.internal")
	}
	inner = sc.apply(inner, "m.workspace_id")
	var rows []messageRow
	err := s.db.NewSelect().Model(&rows).
		ModelTableExpr("unnest(?::uuid[]) AS k(id) CROSS JOIN LATERAL (?) AS m", pgdialect.Array(conversationIDs), inner).
		ColumnExpr(messageColumns).OrderExpr("m.conversation_id, m.seq").Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "messages")
	}
	return rows, nil
}

const messageColumns = "m.id, m.conversation_id, m.workspace_id, m.seq, m.author_kind, m.author_agent_id, m.internal, m.body, m.client_message_id, m.created_at, m.answer_id"

// FindMessagesPage returns up to n+1 messages of one conversation after or
// before a sequence number, oldest first.
func (s *Store) FindMessagesPage(ctx context.Context, sc Scope, conversationID string, afterSeq, beforeSeq int64, n int, fromEnd bool) ([]*helpium.Message, error) {
	var rows []messageRow
	q := s.db.NewSelect().Model(&rows).ModelTableExpr("messages AS m").ColumnExpr("m.*").Where("m.conversation_id = ?", conversationID)
	if afterSeq > 0 {
		q = q.Where("m.seq > ?", afterSeq)
	}
	if beforeSeq > 0 {
		q = q.Where("m.seq < ?", beforeSeq)
	}
	if !sc.internalVisible() {
		q = q.Where("NOT m.internal")
	}
	dir := "ASC"
	if fromEnd {
		dir = "DESC"
	}
	if err := sc.apply(q, "m.workspace_id").OrderExpr("m.seq " + dir).Limit(int64(n + 1)).Scan(ctx); err != nil {
		return nil, dbErr(err, "messages")
	}
	msgs := each(rows, (*messageRow).toMessage)
	if fromEnd {
		for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
			msgs[i], msgs[j] = msgs[j], msgs[i]
		}
	}
	return msgs, nil
}
