package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

// row is one workload and its baseline, as reported.
type row struct {
	key            string // settings, messages, inbox, search-small, search-large, search-tenants, embed-1, embed-32
	name, baseline string
	conc           int
	ours, base     sample
	hasBase        bool
	baseIsServer   bool   // base cpu/RSS are of a server subprocess
	baseCPUNote    string // what base cpu measures when not a server
	unit           string // "req" by default; "sentences" for embedding, "MB" for uploads
	perOp          int    // units per operation (embedding batches, MB per upload)
	// alone is the part underneath measured by itself (Weaviate's share
	// of the search baseline, the blob store's Put of an upload).
	alone     *sample
	aloneName string
}

// rounds alternates baseline and Helpium rounds and merges them.
func (h *harness) rounds(ctx context.Context, name string, conc int, srv proc, base op, baseProc proc, ours op) (b, o sample) {
	for i := range h.o.rounds {
		if base != nil {
			logf("%s: baseline round %d", name, i+1)
			b.add(measure(ctx, baseProc, conc, h.o.warm, h.o.dur, h.o.maxOps, base))
		}
		logf("%s: helpium round %d", name, i+1)
		wait := func() {}
		if i == 0 {
			wait = h.profile(h.srv, strings.NewReplacer(" ", "_", "/", "_", ",", "").Replace(name), h.o.dur+h.o.warm)
		}
		o.add(measure(ctx, srv, conc, h.o.warm, h.o.dur, h.o.maxOps, ours))
		wait()
	}
	return b, o
}

// checkErrors logs failed requests; the report shows their count next to
// the workload (failed requests are not in the latency figures).
func checkErrors(name string, s sample) error {
	if s.errs > 0 {
		logf("WARNING %s: %d of %d requests failed, first: %v", name, s.errs, s.ops+s.errs, s.firstErr)
	}
	return nil
}

// settings: GET /api/customer/widget/settings against a bare gin handler
// answering the same bytes.
func (h *harness) settings(ctx context.Context) error {
	ws, err := h.newWorkspace(ctx, "bench settings")
	if err != nil {
		return err
	}
	const path = "/api/customer/widget/settings"
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.base+path, nil)
	req.Header.Set("X-API-Key", ws.key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("settings: status %d: %s", res.StatusCode, body)
	}
	bs, err := h.startBaselineServer(ctx, path, body)
	if err != nil {
		return err
	}
	defer bs.stop()
	hdr := map[string]string{"X-API-Key": ws.key}
	c := httpClient(h.o.conc)
	ours := func(ctx context.Context, _ int, _ int64) error {
		return do(ctx, c, http.MethodGet, h.base+path, hdr, nil, http.StatusOK)
	}
	baseURL := "http://" + bs.addr + path
	base := func(ctx context.Context, _ int, _ int64) error {
		return do(ctx, c, http.MethodGet, baseURL, hdr, nil, http.StatusOK)
	}
	b, o := h.rounds(ctx, "widget settings", h.o.conc, h.srv.p, base, bs.p, ours)
	h.r.add(row{key: "settings", name: "GET /api/customer/widget/settings", baseline: fmt.Sprintf("bare gin handler, same %d-byte JSON, same server settings", len(body)),
		conc: h.o.conc, ours: o, base: b, hasBase: true, baseIsServer: true})
	return checkErrors("settings", o)
}

// messageWorkspace is the workspace with the message workload's
// conversations, reused by the inbox.
type messageWorkspace struct {
	ws     *workspace
	tokens []string
	ids    []string
}

var msgWS *messageWorkspace

// messages: POST /api/customer/conversations/{token}/messages across the
// conversations, against the same INSERT plus the conversation's
// timestamp UPDATE issued directly through bun/pgx.
func (h *harness) messages(ctx context.Context) error {
	m, err := h.messageWorkspace(ctx)
	if err != nil {
		return err
	}
	n := len(m.tokens)
	nonce := uuid.NewString()[:8]
	c := httpClient(h.o.conc)
	hdr := map[string]string{"X-API-Key": m.ws.key, "Content-Type": "application/json"}
	var serial atomic.Int64 // client message ids stay unique across rounds and warm-ups
	ours := func(ctx context.Context, _ int, i int64) error {
		i = serial.Add(1)
		body := fmt.Appendf(nil, `{"body":"Benchmark message %d: where is my parcel?","client_message_id":"b-%s-%d"}`, i, nonce, i)
		return do(ctx, c, http.MethodPost, h.base+"/api/customer/conversations/"+m.tokens[int(i)%n]+"/messages", hdr, body, http.StatusCreated)
	}
	// The baseline numbers messages from counters kept here, starting
	// after what the database holds, so it needs no read.
	seqs := make([]atomic.Int64, n)
	loadSeqs := func() error {
		var rows []struct {
			ID      string `bun:"id"`
			LastSeq int64  `bun:"last_seq"`
		}
		if err := h.bdb.NewRaw("SELECT id, last_seq FROM conversations WHERE workspace_id = ?", m.ws.id).Scan(ctx, &rows); err != nil {
			return err
		}
		byID := make(map[string]int64, len(rows))
		for _, r := range rows {
			byID[r.ID] = r.LastSeq
		}
		for i, id := range m.ids {
			seqs[i].Store(byID[id] + 1000) // leave room for Helpium's rounds in between
		}
		return nil
	}
	base := func(ctx context.Context, _ int, i int64) error {
		i = serial.Add(1)
		k := int(i) % n
		seq := seqs[k].Add(1)
		now := time.Now().UTC()
		cid := fmt.Sprintf("d-%s-%d", nonce, i)
		return h.bdb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO messages (id, conversation_id, workspace_id, seq, author_kind, internal, body, client_message_id, created_at)
				VALUES (?, ?, ?, ?, 'customer', false, ?, ?, ?)`,
				uuid.Must(uuid.NewV7()).String(), m.ids[k], m.ws.id, seq, fmt.Sprintf("Benchmark message %d: where is my parcel?", i), cid, now); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE conversations SET last_seq = greatest(last_seq, ?), updated_at = ?, last_message_at = ? WHERE id = ?`,
				seq, now, now, m.ids[k])
			return err
		})
	}
	var b, o sample
	for r := range h.o.rounds {
		if err := loadSeqs(); err != nil {
			return err
		}
		logf("messages: baseline round %d", r+1)
		b.add(measure(ctx, proc{}, h.o.conc, h.o.warm, h.o.dur, h.o.maxOps, base))
		logf("messages: helpium round %d", r+1)
		wait := func() {}
		if r == 0 {
			wait = h.profile(h.srv, "message_send", h.o.dur+h.o.warm)
		}
		o.add(measure(ctx, h.srv.p, h.o.conc, h.o.warm, h.o.dur, h.o.maxOps, ours))
		wait()
	}
	h.r.add(row{key: "messages", name: fmt.Sprintf("POST …/conversations/{token}/messages (%d conversations)", n),
		baseline: fmt.Sprintf("INSERT message + UPDATE conversation timestamps in one transaction, bun/pgx, %d goroutines", h.o.conc),
		conc:     h.o.conc, ours: o, base: b, hasBase: true})
	if err := checkErrors("message send baseline", b); err != nil {
		return err
	}
	return checkErrors("message send", o)
}

func (h *harness) messageWorkspace(ctx context.Context) (*messageWorkspace, error) {
	if msgWS != nil {
		return msgWS, nil
	}
	t0 := time.Now()
	ws, err := h.newWorkspace(ctx, "bench messages")
	if err != nil {
		return nil, err
	}
	m := &messageWorkspace{ws: ws, tokens: make([]string, h.o.convs)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	work := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				var out struct {
					WidgetToken string `json:"widget_token"`
				}
				err := h.customerPost(ctx, ws.key, "/conversations", map[string]any{"message": fmt.Sprintf("Hello, question number %d", i)}, &out, http.StatusCreated)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				m.tokens[i] = out.WidgetToken
				mu.Unlock()
			}
		}()
	}
	for i := range h.o.convs {
		work <- i
	}
	close(work)
	wg.Wait()
	if first != nil {
		return nil, first
	}
	// Conversation ids in token order, for the direct baseline.
	m.ids = make([]string, len(m.tokens))
	for i, t := range m.tokens {
		if err := h.bdb.NewRaw("SELECT id FROM conversations WHERE token_hash = ?", helpium.HashToken(t)).Scan(ctx, &m.ids[i]); err != nil {
			return nil, fmt.Errorf("conversation of token %d: %w", i, err)
		}
	}
	h.r.setup(fmt.Sprintf("create %d conversations", h.o.convs), time.Since(t0))
	msgWS = m
	return m, nil
}

// inboxQuery is the dashboard's inbox: 50 conversations with customer,
// assignee and last message.
const inboxQuery = `query($w: ID!) { conversations(workspaceId: $w, first: 50) { edges { node {
	id status createdAt updatedAt lastMessageAt
	customer { id email name } assignee { id name email } lastMessage { id author body createdAt } } } } }`

// inboxSQL fetches the same data by hand: one statement.
const inboxSQL = `SELECT c.id, c.status, c.created_at, c.updated_at, c.last_message_at,
	cu.id AS customer_id, cu.email AS customer_email, cu.name AS customer_name,
	a.id AS agent_id, a.name AS agent_name, a.email AS agent_email,
	m.id AS message_id, m.author_kind, m.body, m.created_at AS message_created_at
FROM conversations c
LEFT JOIN customers cu ON cu.id = c.customer_id
LEFT JOIN agents a ON a.id = c.assignee_id
LEFT JOIN LATERAL (SELECT id, author_kind, body, created_at FROM messages
	WHERE conversation_id = c.id ORDER BY seq DESC LIMIT 1) m ON true
WHERE c.workspace_id = ?
ORDER BY c.updated_at DESC, c.id DESC
LIMIT 50`

type inboxRow struct {
	ID               string         `bun:"id"`
	Status           string         `bun:"status"`
	CreatedAt        time.Time      `bun:"created_at"`
	UpdatedAt        time.Time      `bun:"updated_at"`
	LastMessageAt    sql.NullTime   `bun:"last_message_at"`
	CustomerID       sql.NullString `bun:"customer_id"`
	CustomerEmail    sql.NullString `bun:"customer_email"`
	CustomerName     sql.NullString `bun:"customer_name"`
	AgentID          sql.NullString `bun:"agent_id"`
	AgentName        sql.NullString `bun:"agent_name"`
	AgentEmail       sql.NullString `bun:"agent_email"`
	MessageID        sql.NullString `bun:"message_id"`
	AuthorKind       sql.NullString `bun:"author_kind"`
	Body             sql.NullString `bun:"body"`
	MessageCreatedAt sql.NullTime   `bun:"message_created_at"`
}

// inbox: the GraphQL inbox query against the hand-written SQL.
func (h *harness) inbox(ctx context.Context) error {
	m, err := h.messageWorkspace(ctx)
	if err != nil {
		return err
	}
	t0 := time.Now()
	// Every conversation gets a customer and the owner as assignee, as in
	// server/inbox_test.go.
	if _, err := h.bdb.ExecContext(ctx, `WITH cust AS (
			INSERT INTO customers (id, workspace_id, email, name)
			SELECT gen_random_uuid(), ?, 'customer' || i || '@bench.test', 'Customer ' || i FROM generate_series(1, ?) AS i
			ON CONFLICT DO NOTHING RETURNING id),
		numbered_cust AS (SELECT id, row_number() OVER () AS n FROM cust),
		numbered_conv AS (SELECT id, row_number() OVER () AS n FROM conversations WHERE workspace_id = ?)
		UPDATE conversations c SET customer_id = nc.id, assignee_id = ?
		FROM numbered_conv v JOIN numbered_cust nc ON nc.n = v.n WHERE c.id = v.id`,
		m.ws.id, len(m.ids), m.ws.id, m.ws.ownerID); err != nil {
		return fmt.Errorf("seed customers: %w", err)
	}
	h.r.setup("customers and assignees for the inbox", time.Since(t0))

	// Check once that both sides fetch the same 50 rows.
	var check struct {
		Conversations struct {
			Edges []struct {
				Node struct {
					ID          string
					Customer    *struct{ Name string }
					Assignee    *struct{ Name string }
					LastMessage *struct{ Body string }
				}
			}
		}
	}
	if err := h.graphQL(ctx, m.ws.token, inboxQuery, map[string]any{"w": m.ws.id}, &check); err != nil {
		return err
	}
	var rows []inboxRow
	if err := h.bdb.NewRaw(inboxSQL, m.ws.id).Scan(ctx, &rows); err != nil {
		return err
	}
	edges := check.Conversations.Edges
	if len(edges) != 50 || len(rows) != 50 {
		return fmt.Errorf("inbox: %d edges, %d rows; want 50", len(edges), len(rows))
	}
	for i, e := range edges {
		if e.Node.Customer == nil || e.Node.Assignee == nil || e.Node.LastMessage == nil || e.Node.ID != rows[i].ID {
			return fmt.Errorf("inbox edge %d: %+v does not match the SQL row %s", i, e.Node, rows[i].ID)
		}
	}

	ours := h.graphQLOp(httpClient(h.o.inboxConc), m.ws.token, inboxQuery, map[string]any{"w": m.ws.id})
	base := func(ctx context.Context, _ int, _ int64) error {
		var rows []inboxRow
		if err := h.bdb.NewRaw(inboxSQL, m.ws.id).Scan(ctx, &rows); err != nil {
			return err
		}
		if len(rows) != 50 {
			return fmt.Errorf("inbox SQL: %d rows", len(rows))
		}
		return nil
	}
	b, o := h.rounds(ctx, "inbox", h.o.inboxConc, h.srv.p, base, proc{}, ours)
	h.r.add(row{key: "inbox", name: "GraphQL inbox: 50 conversations + customer, assignee, last message",
		baseline: "one hand-written SQL statement (joins + LATERAL last message), bun/pgx",
		conc:     h.o.inboxConc, ours: o, base: b, hasBase: true})
	if err := checkErrors("inbox baseline", b); err != nil {
		return err
	}
	return checkErrors("inbox", o)
}

// graphQLOp posts one GraphQL request as an agent; an answer with errors
// is a failed request.
func (h *harness) graphQLOp(c *http.Client, token, query string, vars map[string]any) op {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return func(ctx context.Context, _ int, _ int64) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.base+"/graphql", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := c.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK || bytes.Contains(raw, []byte(`"errors"`)) {
			return fmt.Errorf("graphql: status %d: %.300s", res.StatusCode, raw)
		}
		return nil
	}
}
