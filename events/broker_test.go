package events

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/helpium/helpium/db/dbtest"
)

const waitTimeout = 15 * time.Second

// env is one test's fresh database with a writer connection.
type env struct {
	t   *testing.T
	url string
	w   *pgx.Conn
}

func newEnv(t *testing.T) *env {
	t.Helper()
	url := dbtest.NewURL(t)
	w, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { w.Close(context.Background()) })
	return &env{t: t, url: url, w: w}
}

func (e *env) exec(sql string, args ...any) {
	e.t.Helper()
	if _, err := e.w.Exec(context.Background(), sql, args...); err != nil {
		e.t.Fatalf("%s: %v", firstLine(sql), err)
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func (e *env) workspace() string {
	e.t.Helper()
	id := uuid.NewString()
	e.exec(`INSERT INTO workspaces (id, name, api_key, widget, business_hours) VALUES ($1, 'ws', $2, '{}', '{}')`,
		id, "key_"+id)
	return id
}

// conversation inserts a conversation and returns its id and token hash.
func (e *env) conversation(ws string) (string, []byte) {
	e.t.Helper()
	id, hash := uuid.NewString(), randomBytes(32)
	e.exec(`INSERT INTO conversations (id, workspace_id, token_hash) VALUES ($1, $2, $3)`, id, ws, hash)
	return id, hash
}

// message inserts a message row as is (without bumping last_seq).
func (e *env) message(ws, conv string, seq int64, internal bool) string {
	e.t.Helper()
	id := uuid.NewString()
	e.exec(`INSERT INTO messages (id, conversation_id, workspace_id, seq, author_kind, internal, body)
		VALUES ($1, $2, $3, $4, 'agent', $5, 'hello')`, id, conv, ws, seq, internal)
	return id
}

// appendMessage adds a message the way the store does: one statement that
// bumps last_seq (reopening on a customer message) and inserts the message.
func (e *env) appendMessage(ws string, tokenHash []byte, author string) {
	e.t.Helper()
	e.exec(`
		WITH c AS (
			UPDATE conversations SET
				last_seq = last_seq + 1,
				updated_at = now(),
				last_message_at = now(),
				status = CASE WHEN $3 = 'customer' AND status IN ('resolved', 'closed') THEN 'open' ELSE status END
			WHERE token_hash = $2 AND workspace_id = $1
			RETURNING id, last_seq
		)
		INSERT INTO messages (id, conversation_id, workspace_id, seq, author_kind, body)
		SELECT gen_random_uuid(), c.id, $1, c.last_seq, $3, 'hi' FROM c`, ws, tokenHash, author)
}

func (e *env) agent() string {
	e.t.Helper()
	id := uuid.NewString()
	e.exec(`INSERT INTO agents (id, email, name, password_hash) VALUES ($1, $2, 'Agent', 'x')`, id, id+"@example.com")
	return id
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// startBroker runs a broker until the test ends and waits until it listens.
func startBroker(t *testing.T, url string) *Broker {
	t.Helper()
	b := NewBroker(url, testLogger(t))
	b.minBackoff = 20 * time.Millisecond
	b.maxBackoff = 200 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitTimeout):
			t.Errorf("Run did not return after cancel")
		}
	})
	waitFor(t, "broker ready", b.Ready)
	return b
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func next(t *testing.T, s *Subscription) Event {
	t.Helper()
	select {
	case ev, ok := <-s.C():
		if !ok {
			t.Fatalf("subscription closed")
		}
		return ev
	case <-time.After(waitTimeout):
		t.Fatalf("no event within %v", waitTimeout)
	}
	panic("unreachable")
}

func expectResync(t *testing.T, s *Subscription) {
	t.Helper()
	select {
	case <-s.Resync():
	case <-time.After(waitTimeout):
		t.Fatalf("no resync within %v", waitTimeout)
	}
}

func noResync(t *testing.T, s *Subscription) {
	t.Helper()
	select {
	case <-s.Resync():
		t.Fatalf("unexpected resync")
	default:
	}
}

// expectCreated asserts that the next event of s is the creation of conv.
// Written after other events, such a sentinel proves that nothing else
// (a duplicate, a leak from another workspace) came before it, because
// notifications arrive in commit order.
func expectCreated(t *testing.T, s *Subscription, conv string) {
	t.Helper()
	ev := next(t, s)
	if ev.Type != TypeConversationChanged || ev.Change != ChangeCreated || ev.ConversationID != conv {
		t.Fatalf("next event = %+v, want creation of %s", ev, conv)
	}
}

func strp(s string) *string { return &s }

func eqPtr(a, b *string) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func checkChanged(t *testing.T, ev Event, ws, conv, change, status string, seq int64, assignee *string) {
	t.Helper()
	want := Event{Type: TypeConversationChanged, Change: change, WorkspaceID: ws, ConversationID: conv,
		Seq: seq, Status: status, AssigneeID: assignee}
	got := ev
	got.AssigneeID, want.AssigneeID = nil, nil
	if got != want || !eqPtr(ev.AssigneeID, assignee) {
		t.Fatalf("event = %s, want %s", fmtEvent(ev), fmtEvent(Event{Type: TypeConversationChanged, Change: change,
			WorkspaceID: ws, ConversationID: conv, Seq: seq, Status: status, AssigneeID: assignee}))
	}
}

func fmtEvent(ev Event) string {
	a := "<nil>"
	if ev.AssigneeID != nil {
		a = *ev.AssigneeID
	}
	return fmt.Sprintf("%+v (assignee %s)", ev, a)
}

func TestMessageAddedTenantIsolation(t *testing.T) {
	e := newEnv(t)
	wsA, wsB := e.workspace(), e.workspace()
	convA, _ := e.conversation(wsA)
	b := startBroker(t, e.url)
	subA := b.Subscribe(t.Context(), wsA, nil)
	subB := b.Subscribe(t.Context(), wsB, nil)
	if n := b.Subscribers(); n != 2 {
		t.Fatalf("Subscribers = %d, want 2", n)
	}

	msg := e.message(wsA, convA, 1, true)
	got := next(t, subA)
	want := Event{Type: TypeMessageAdded, WorkspaceID: wsA, ConversationID: convA, MessageID: msg, Seq: 1, Internal: true}
	if got.AssigneeID != nil || got != want {
		t.Fatalf("event = %s, want %+v", fmtEvent(got), want)
	}

	sentinelA, _ := e.conversation(wsA)
	expectCreated(t, subA, sentinelA) // exactly one message_added
	sentinelB, _ := e.conversation(wsB)
	expectCreated(t, subB, sentinelB) // nothing of workspace A reached B
	noResync(t, subA)
	noResync(t, subB)
}

func TestTwoBrokers(t *testing.T) {
	e := newEnv(t)
	ws := e.workspace()
	conv, _ := e.conversation(ws)
	b1, b2 := startBroker(t, e.url), startBroker(t, e.url)
	s1 := b1.Subscribe(t.Context(), ws, nil)
	s2 := b2.Subscribe(t.Context(), ws, nil)

	msg := e.message(ws, conv, 1, false)
	for i, s := range []*Subscription{s1, s2} {
		ev := next(t, s)
		if ev.Type != TypeMessageAdded || ev.MessageID != msg || ev.Seq != 1 || ev.Internal {
			t.Fatalf("broker %d: event = %s, want message_added %s", i+1, fmtEvent(ev), msg)
		}
	}
	sentinel, _ := e.conversation(ws)
	expectCreated(t, s1, sentinel)
	expectCreated(t, s2, sentinel)
}

func TestConversationChanged(t *testing.T) {
	e := newEnv(t)
	ws := e.workspace()
	b := startBroker(t, e.url)
	onlyConv := func(ev Event) bool { return ev.Type == TypeConversationChanged }
	sub := b.Subscribe(t.Context(), ws, onlyConv)
	all := b.Subscribe(t.Context(), ws, nil)

	conv, hash := e.conversation(ws)
	checkChanged(t, next(t, sub), ws, conv, ChangeCreated, "open", 0, nil)
	checkChanged(t, next(t, all), ws, conv, ChangeCreated, "open", 0, nil)

	e.exec(`UPDATE conversations SET status = 'pending', updated_at = now() WHERE id = $1`, conv)
	checkChanged(t, next(t, sub), ws, conv, ChangeStatus, "pending", 0, nil)

	agent := e.agent()
	e.exec(`UPDATE conversations SET assignee_id = $2 WHERE id = $1`, conv, agent)
	checkChanged(t, next(t, sub), ws, conv, ChangeAssignment, "pending", 0, strp(agent))

	// A new message as the store writes it: one conversation_changed
	// (message) plus the message_added that the filter keeps from sub.
	e.appendMessage(ws, hash, "agent")
	checkChanged(t, next(t, sub), ws, conv, ChangeMessage, "pending", 1, strp(agent))

	// Unassign.
	e.exec(`UPDATE conversations SET assignee_id = NULL WHERE id = $1`, conv)
	checkChanged(t, next(t, sub), ws, conv, ChangeAssignment, "pending", 1, nil)

	// A customer message reopening a resolved conversation changes status
	// and last_seq in one update: one event, the most specific change.
	e.exec(`UPDATE conversations SET status = 'resolved' WHERE id = $1`, conv)
	checkChanged(t, next(t, sub), ws, conv, ChangeStatus, "resolved", 1, nil)
	e.appendMessage(ws, hash, "customer")
	checkChanged(t, next(t, sub), ws, conv, ChangeStatus, "open", 2, nil)

	// Assignment and message in one update: assignment wins.
	e.exec(`UPDATE conversations SET assignee_id = $2, last_seq = last_seq + 1 WHERE id = $1`, conv, agent)
	checkChanged(t, next(t, sub), ws, conv, ChangeAssignment, "open", 3, strp(agent))

	// Updates that change none of status, assignee, last_seq publish nothing.
	e.exec(`UPDATE conversations SET updated_at = now(), last_message_at = now() WHERE id = $1`, conv)
	e.exec(`UPDATE conversations SET status = 'open', assignee_id = $2 WHERE id = $1`, conv, agent)
	sentinel, _ := e.conversation(ws)
	expectCreated(t, sub, sentinel)

	// The unfiltered subscription saw every event in commit order; the two
	// of each appended message come from one statement, in either order.
	var seen []string
	for {
		ev := next(t, all)
		if ev.ConversationID == sentinel {
			break
		}
		if ev.Type == TypeMessageAdded {
			seen = append(seen, fmt.Sprintf("message_added/%d", ev.Seq))
		} else {
			seen = append(seen, ev.Change+"/"+fmt.Sprint(ev.Seq))
		}
	}
	got := strings.Join(seen, " ")
	got = strings.Replace(got, "message/1 message_added/1", "message_added/1 message/1", 1)
	got = strings.Replace(got, "status/2 message_added/2", "message_added/2 status/2", 1)
	want := "status/0 assignment/0 message_added/1 message/1 assignment/1 status/1 message_added/2 status/2 assignment/3"
	if got != want {
		t.Fatalf("events = %s\nwant       %s", got, want)
	}
}

func TestRolledBackTransactionPublishesNothing(t *testing.T) {
	e := newEnv(t)
	ws := e.workspace()
	conv, _ := e.conversation(ws)
	b := startBroker(t, e.url)
	sub := b.Subscribe(t.Context(), ws, nil)
	ctx := t.Context()

	tx, err := e.w.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE conversations SET last_seq = 1, status = 'pending' WHERE id = $1`, conv); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO messages (id, conversation_id, workspace_id, seq, author_kind, body)
		VALUES ($1, $2, $3, 1, 'customer', 'x')`, uuid.NewString(), conv, ws); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO conversations (id, workspace_id, token_hash) VALUES ($1, $2, $3)`,
		uuid.NewString(), ws, randomBytes(32)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	sentinel, _ := e.conversation(ws)
	expectCreated(t, sub, sentinel)

	// A transaction publishes at commit, not before.
	tx, err = e.w.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	msg := uuid.NewString()
	if _, err := tx.Exec(ctx, `INSERT INTO messages (id, conversation_id, workspace_id, seq, author_kind, body)
		VALUES ($1, $2, $3, 1, 'customer', 'x')`, msg, conv, ws); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-sub.C():
		t.Fatalf("event before commit: %s", fmtEvent(ev))
	case <-time.After(200 * time.Millisecond):
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, sub); ev.MessageID != msg {
		t.Fatalf("event = %s, want message_added %s", fmtEvent(ev), msg)
	}
}

// terminateListeners kills the brokers' backends of this database.
func (e *env) terminateListeners() int {
	e.t.Helper()
	var n int
	err := e.w.QueryRow(context.Background(), `
		SELECT count(*) FROM (
			SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()
				AND (application_name = 'helpium-events' OR query LIKE 'LISTEN%')) AS t`).Scan(&n)
	if err != nil {
		e.t.Fatalf("terminate: %v", err)
	}
	return n
}

func TestReconnect(t *testing.T) {
	e := newEnv(t)
	ws := e.workspace()
	conv, _ := e.conversation(ws)
	b := startBroker(t, e.url)
	sub := b.Subscribe(t.Context(), ws, nil)
	noResync(t, sub)

	for round := int64(1); round <= 3; round++ {
		if n := e.terminateListeners(); n != 1 {
			t.Fatalf("terminated %d backends, want 1", n)
		}
		// Resync is signalled once the broker listens again, so whatever
		// is written from now on is delivered.
		expectResync(t, sub)
		if !b.Ready() {
			t.Fatalf("resync before the broker is ready")
		}
		msg := e.message(ws, conv, round, false)
		if ev := next(t, sub); ev.Type != TypeMessageAdded || ev.MessageID != msg || ev.Seq != round {
			t.Fatalf("round %d: event = %s, want message_added %s", round, fmtEvent(ev), msg)
		}
	}
	if n := b.Subscribers(); n != 1 {
		t.Fatalf("Subscribers = %d, want 1", n)
	}
}

func TestRunWithoutServer(t *testing.T) {
	// A port nobody listens on: Run keeps retrying and stops when told to.
	b := NewBroker("postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=1", testLogger(t))
	b.minBackoff, b.maxBackoff = 10*time.Millisecond, 40*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	time.Sleep(300 * time.Millisecond)
	if b.Ready() {
		t.Fatal("Ready without a server")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v, want nil", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Run did not return")
	}
	if err := NewBroker("://bad", nil).Run(context.Background()); err == nil {
		t.Fatal("Run with a bad URL: no error")
	}
}

func TestSlowSubscriber(t *testing.T) {
	e := newEnv(t)
	ws := e.workspace()
	conv, _ := e.conversation(ws)
	b := startBroker(t, e.url)
	slow := b.Subscribe(t.Context(), ws, nil) // never read
	fast := b.Subscribe(t.Context(), ws, nil)

	const batches, perBatch = 10, 30 // 300 events > DefaultBuffer
	seq := int64(0)
	for i := 0; i < batches; i++ {
		e.exec(`INSERT INTO messages (id, conversation_id, workspace_id, seq, author_kind, body)
			SELECT gen_random_uuid(), $1, $2, s, 'customer', 'x' FROM generate_series($3::bigint, $4::bigint) AS s`,
			conv, ws, seq+1, seq+perBatch)
		for j := 0; j < perBatch; j++ {
			seq++
			if ev := next(t, fast); ev.Type != TypeMessageAdded || ev.Seq != seq {
				t.Fatalf("fast: event = %s, want message_added seq %d", fmtEvent(ev), seq)
			}
		}
	}
	noResync(t, fast)
	expectResync(t, slow)
	if n, d := len(slow.C()), slow.Dropped(); n != DefaultBuffer || d != batches*perBatch-DefaultBuffer {
		t.Fatalf("slow: %d buffered, %d dropped; want %d, %d", n, d, DefaultBuffer, batches*perBatch-DefaultBuffer)
	}
	// Once it catches up it gets events again.
	for range DefaultBuffer {
		<-slow.C()
	}
	sentinel, _ := e.conversation(ws)
	expectCreated(t, slow, sentinel)
	expectCreated(t, fast, sentinel)
}

func TestSubscriptionLifecycleNoLeak(t *testing.T) {
	e := newEnv(t)
	ws := e.workspace()
	conv, _ := e.conversation(ws)
	runtime.GC()
	before := runtime.NumGoroutine()

	b := NewBroker(e.url, testLogger(t))
	runCtx, stopRun := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	waitFor(t, "broker ready", b.Ready)

	// Many subscriptions across workspaces, some consumed concurrently,
	// ended by Close, by their context, or by an already-done context.
	subCtx, cancelSubs := context.WithCancel(context.Background())
	var closed, cancelled []*Subscription
	for i := range 2000 {
		w := ws
		if i%10 != 0 {
			w = fmt.Sprintf("other-%d", i%97)
		}
		if i%2 == 0 {
			closed = append(closed, b.Subscribe(context.Background(), w, nil))
		} else {
			cancelled = append(cancelled, b.Subscribe(subCtx, w, nil))
		}
	}
	doneCtx, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	early := b.Subscribe(doneCtx, ws, nil)
	if _, ok := <-early.C(); ok {
		t.Fatal("subscription with a done context delivered an event")
	}

	var readers sync.WaitGroup
	for _, s := range append(closed[:20:20], cancelled[:20]...) {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for range s.C() { // until closed
			}
		}()
	}
	// Churn while events flow (exercised under -race).
	var churn sync.WaitGroup
	for range 4 {
		churn.Add(1)
		go func() {
			defer churn.Done()
			for range 200 {
				b.Subscribe(context.Background(), ws, nil).Close()
			}
		}()
	}
	for i := int64(1); i <= 20; i++ {
		e.message(ws, conv, i, false)
	}
	churn.Wait()
	if n := b.Subscribers(); n != 2000 {
		t.Fatalf("Subscribers = %d, want 2000", n)
	}

	for _, s := range closed {
		s.Close()
		s.Close() // idempotent
	}
	cancelSubs()
	readers.Wait()
	waitFor(t, "subscriptions to end", func() bool { return b.Subscribers() == 0 })
	for _, s := range append(closed, cancelled...) {
		for range s.C() { // closed: drains and ends
		}
	}
	b.mu.RLock()
	left := len(b.byWorkspace)
	b.mu.RUnlock()
	if left != 0 {
		t.Fatalf("%d workspaces left in the index", left)
	}

	stopRun()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if b.Ready() {
		t.Fatal("Ready after Run returned")
	}
	const slack = 2
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		n := runtime.NumGoroutine()
		if n <= before+slack {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: %d before, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestParseEvent(t *testing.T) {
	for _, bad := range []string{
		``, `{`, `{"type":"message_added"}`,
		`{"type":"x","workspace_id":"w","conversation_id":"c"}`,
		`{"type":"message_added","workspace_id":"w","conversation_id":"c"}`,
	} {
		if _, err := ParseEvent(bad); err == nil {
			t.Errorf("ParseEvent(%q): no error", bad)
		}
	}
	ev, err := ParseEvent(`{"type":"conversation_changed","change":"assignment","workspace_id":"w","conversation_id":"c","status":"open","assignee_id":"a","last_seq":7}`)
	if err != nil || ev.Change != ChangeAssignment || ev.Seq != 7 || ev.AssigneeID == nil || *ev.AssigneeID != "a" || ev.Status != "open" {
		t.Fatalf("ParseEvent = %s, %v", fmtEvent(ev), err)
	}
}
