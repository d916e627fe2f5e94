package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultBuffer is how many undelivered events a subscription holds before
// it drops events and asks for a resync.
const DefaultBuffer = 256

// Broker fans out PostgreSQL notifications to in-process subscribers.
//
// Run holds one dedicated connection (not from the pool) that LISTENs on
// Channel and reconnects with capped exponential backoff, so the server
// survives PostgreSQL restarts. The listener never blocks on a subscriber:
// each subscription has a bounded buffer, and a full buffer drops the event
// and signals the subscription's Resync channel instead.
type Broker struct {
	url string
	log *slog.Logger

	// Tunables; the defaults are set by NewBroker, tests shorten them.
	buffer       int           // per-subscription buffer
	minBackoff   time.Duration // first reconnect delay
	maxBackoff   time.Duration // cap of the reconnect delay
	stableAfter  time.Duration // a connection up this long resets the backoff
	idleCheck    time.Duration // ping the server after this long without a notification
	pingTimeout  time.Duration
	closeTimeout time.Duration

	running atomic.Bool
	ready   atomic.Bool
	subs    atomic.Int64

	// mu guards byWorkspace and every Subscription's stop. The listener
	// holds it for reading while it delivers one event, Subscribe and
	// Close hold it for writing: a subscription's channel is closed only
	// after it left the index, so the listener never sends on a closed
	// channel.
	mu          sync.RWMutex
	byWorkspace map[string]map[*Subscription]struct{}
}

// NewBroker returns a Broker for the database at databaseURL; it does
// nothing until Run is called. log may be nil.
func NewBroker(databaseURL string, log *slog.Logger) *Broker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Broker{
		url:          databaseURL,
		log:          log,
		buffer:       DefaultBuffer,
		minBackoff:   200 * time.Millisecond,
		maxBackoff:   10 * time.Second,
		stableAfter:  30 * time.Second,
		idleCheck:    30 * time.Second,
		pingTimeout:  5 * time.Second,
		closeTimeout: time.Second,
		byWorkspace:  make(map[string]map[*Subscription]struct{}),
	}
}

// Ready reports whether the broker is listening now (for readiness checks).
func (b *Broker) Ready() bool { return b.ready.Load() }

// Subscribers is the number of open subscriptions (for metrics).
func (b *Broker) Subscribers() int { return int(b.subs.Load()) }

// Run listens for notifications until ctx is done, then returns nil. It
// reconnects after any connection failure, waiting between attempts with
// capped, jittered exponential backoff; each time it starts listening again
// every subscription is signalled on Resync, since notifications sent in
// between are lost. It returns an error only when the database URL is
// invalid or Run is already running.
func (b *Broker) Run(ctx context.Context) error {
	cfg, err := pgx.ParseConfig(b.url)
	if err != nil {
		return fmt.Errorf("events: parse database URL: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "helpium-events"
	}
	if !b.running.CompareAndSwap(false, true) {
		return errors.New("events: Broker.Run is already running")
	}
	defer b.running.Store(false)

	backoff := b.minBackoff
	failures := 0
	for {
		up, err := b.listen(ctx, cfg, failures > 0)
		if ctx.Err() != nil {
			return nil
		}
		if up >= b.stableAfter {
			backoff = b.minBackoff
		}
		if up > 0 {
			failures = 0
		}
		failures++
		wait := backoff/2 + rand.N(backoff/2+1) // jitter: replicas don't reconnect in lockstep
		b.log.Warn("events: listener connection lost; reconnecting",
			"err", err, "attempt", failures, "retry_in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, b.maxBackoff)
	}
}

// listen connects, LISTENs and dispatches notifications until the
// connection fails or ctx is done. It returns how long it was listening
// (0 if it never got there) and why it stopped.
func (b *Broker) listen(ctx context.Context, cfg *pgx.ConnConfig, reconnect bool) (time.Duration, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return 0, fmt.Errorf("connect: %w", err)
	}
	defer func() {
		b.ready.Store(false)
		cctx, cancel := context.WithTimeout(context.Background(), b.closeTimeout)
		conn.Close(cctx)
		cancel()
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return 0, fmt.Errorf("listen: %w", err)
	}
	start := time.Now()
	b.ready.Store(true)
	// Whatever was published before LISTEN took effect is lost: ask every
	// subscriber to re-read. (On the first start there are usually none.)
	n := b.resyncAll()
	if reconnect {
		b.log.Info("events: listener reconnected", "subscribers", n)
	} else {
		b.log.Debug("events: listening", "channel", Channel, "subscribers", n)
	}

	for {
		wctx, cancel := context.WithTimeout(ctx, b.idleCheck)
		note, err := conn.WaitForNotification(wctx)
		cancel()
		if note != nil {
			b.dispatch(note.Payload)
		}
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return time.Since(start), ctx.Err()
		}
		if !errors.Is(err, context.DeadlineExceeded) || conn.IsClosed() {
			return time.Since(start), fmt.Errorf("wait for notification: %w", err)
		}
		// Quiet for a while: make sure the server is still there, since a
		// dead peer need not close the socket. Notifications arriving
		// meanwhile are buffered by pgx and returned by the next wait.
		pctx, cancel := context.WithTimeout(ctx, b.pingTimeout)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return time.Since(start), ctx.Err()
			}
			return time.Since(start), fmt.Errorf("ping: %w", err)
		}
	}
}

// dispatch delivers one notification to the subscribers of its workspace.
func (b *Broker) dispatch(raw string) {
	ev, err := ParseEvent(raw)
	if err != nil {
		b.log.Warn("events: ignoring notification", "err", err, "payload_len", len(raw))
		return
	}
	b.mu.RLock()
	for s := range b.byWorkspace[ev.WorkspaceID] {
		s.deliver(ev)
	}
	for s := range b.byWorkspace[AllWorkspaces] {
		s.deliver(ev)
	}
	b.mu.RUnlock()
}

// resyncAll signals every subscription and returns how many there are.
func (b *Broker) resyncAll() int {
	n := 0
	b.mu.RLock()
	for _, set := range b.byWorkspace {
		for s := range set {
			s.signalResync()
			n++
		}
	}
	b.mu.RUnlock()
	return n
}

// Subscribe returns a subscription to the events of workspaceID (or of
// every workspace, with AllWorkspaces) for which
// filter (nil: all) returns true. filter runs on the listener goroutine:
// it must be quick and must not block or call into the Broker.
//
// The subscription ends when ctx is done or Close is called; its channel
// C is then closed. Events are delivered in commit order. Consumers should
// subscribe first and then read the current state from the database, and
// re-read (e.g. messages after the last seq seen) whenever Resync fires;
// events may repeat what such a read returned, so apply them idempotently
// (by seq).
func (b *Broker) Subscribe(ctx context.Context, workspaceID string, filter func(Event) bool) *Subscription {
	s := &Subscription{
		b:           b,
		workspaceID: workspaceID,
		filter:      filter,
		ch:          make(chan Event, b.buffer),
		resync:      make(chan struct{}, 1),
	}
	b.mu.Lock()
	set := b.byWorkspace[workspaceID]
	if set == nil {
		set = make(map[*Subscription]struct{})
		b.byWorkspace[workspaceID] = set
	}
	set[s] = struct{}{}
	// Registered under mu: if ctx is already done, Close runs in its own
	// goroutine and waits for mu, so it sees stop.
	s.stop = context.AfterFunc(ctx, s.Close)
	b.mu.Unlock()
	b.subs.Add(1)
	return s
}

// Subscription is one consumer's stream of events; see Broker.Subscribe.
type Subscription struct {
	b           *Broker
	workspaceID string
	filter      func(Event) bool
	ch          chan Event
	resync      chan struct{}
	stop        func() bool // unregisters the context.AfterFunc; guarded by b.mu
	closeOnce   sync.Once
	dropped     atomic.Uint64
}

// C delivers the events. It is closed when the subscription ends.
func (s *Subscription) C() <-chan Event { return s.ch }

// Resync is signalled (coalesced, capacity 1) when events may have been
// lost: the broker reconnected, or this subscription's buffer was full.
// The consumer should then re-read its state from the database. It is
// never closed.
func (s *Subscription) Resync() <-chan struct{} { return s.resync }

// Dropped is how many events were dropped because the buffer was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close ends the subscription and releases it; C is closed. It is safe to
// call more than once and from any goroutine.
func (s *Subscription) Close() {
	s.closeOnce.Do(func() {
		b := s.b
		b.mu.Lock()
		if set := b.byWorkspace[s.workspaceID]; set != nil {
			delete(set, s)
			if len(set) == 0 {
				delete(b.byWorkspace, s.workspaceID)
			}
		}
		stop := s.stop
		b.mu.Unlock()
		if stop != nil {
			stop()
		}
		b.subs.Add(-1)
		close(s.ch) // out of the index: the listener no longer sends to it
	})
}

// deliver hands ev to the subscription without ever blocking; it runs
// on the listener goroutine under b.mu (read).
func (s *Subscription) deliver(ev Event) {
	if s.filter != nil && !s.filter(ev) {
		return
	}
	select {
	case s.ch <- ev:
	default:
		s.dropped.Add(1)
		s.signalResync()
	}
}

func (s *Subscription) signalResync() {
	select {
	case s.resync <- struct{}{}:
	default: // already pending
	}
}
