// Package webhook delivers the webhook events the database queues (see the
// webhooks migration): it claims due deliveries, signs and POSTs them under
// the AI Actions outbound policy, and records each attempt, retrying with
// backoff for a day and disabling endpoints that are gone or keep failing.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/actions"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/events"
	"github.com/helpium/helpium/metrics"
	"github.com/helpium/helpium/secret"
)

// Schedule is the wait before each retry: after the first failed attempt
// 30 s, then 2 minutes and so on; past its end, 8 hours each, for as long
// as the event is younger than Window. Each wait varies by ±20%.
var Schedule = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour}

// Defaults.
const (
	Window       = 24 * time.Hour      // retries stop once an event is this old
	DisableAfter = 72 * time.Hour      // an endpoint failing this long is disabled
	Timeout      = 10 * time.Second    // per attempt
	Keep         = 30 * 24 * time.Hour // finished events are deleted after this
	// MaxResponse is how much of an answer is kept for the deliveries list.
	MaxResponse = 1024
)

// Options tunes a Dispatcher; zero values take the defaults.
type Options struct {
	Workers     int           // attempts in flight at once (8)
	PerEndpoint int           // attempts in flight to one endpoint (2)
	Poll        time.Duration // how often to look for due deliveries without a wake-up (1 s)
	Lease       time.Duration // a claimed delivery's lease; outlasts Timeout (1 minute)
	Timeout     time.Duration
	Schedule    []time.Duration
	Window      time.Duration
	// DisableAfter is how long an endpoint may fail without a success
	// before it is disabled.
	DisableAfter time.Duration
	Now          func() time.Time
}

// Dispatcher sends due deliveries. Several (one per replica) share the
// queue: a claimed delivery is hidden from the others for its lease.
// Delivery is at least once: an attempt whose outcome could not be
// recorded (a crash, PostgreSQL gone) is made again after the lease, with
// the same event id.
type Dispatcher struct {
	store   *db.Store
	sender  *actions.Executor
	secrets *secret.Keyring
	events  *events.Broker
	metrics *metrics.Metrics
	log     *slog.Logger
	opt     Options

	mu       sync.Mutex
	inflight int
	busy     map[string]int // attempts in flight per endpoint
	done     chan struct{}
}

// New returns a dispatcher. broker, when set, wakes it as soon as the
// database queues deliveries; metrics may be nil.
func New(store *db.Store, sender *actions.Executor, secrets *secret.Keyring, broker *events.Broker, m *metrics.Metrics, log *slog.Logger, opt Options) *Dispatcher {
	if opt.Workers <= 0 {
		opt.Workers = 8
	}
	if opt.PerEndpoint <= 0 {
		opt.PerEndpoint = 2
	}
	if opt.Poll <= 0 {
		opt.Poll = time.Second
	}
	if opt.Timeout <= 0 {
		opt.Timeout = Timeout
	}
	if opt.Lease <= 0 {
		opt.Lease = max(time.Minute, 3*opt.Timeout)
	}
	if opt.Schedule == nil {
		opt.Schedule = Schedule
	}
	if opt.Window <= 0 {
		opt.Window = Window
	}
	if opt.DisableAfter <= 0 {
		opt.DisableAfter = DisableAfter
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Dispatcher{store: store, sender: sender, secrets: secrets, events: broker, metrics: m, log: log, opt: opt,
		busy: map[string]int{}, done: make(chan struct{}, 1)}
}

// Run delivers until ctx ends, then waits for the attempts in flight.
func (d *Dispatcher) Run(ctx context.Context) {
	var wake <-chan events.Event
	if d.events != nil {
		sub := d.events.Subscribe(ctx, events.AllWorkspaces, func(ev events.Event) bool { return ev.Type == events.TypeWebhookQueued })
		defer sub.Close()
		wake = sub.C()
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	var pruned time.Time
	for {
		if now := d.opt.Now(); now.Sub(pruned) > 24*time.Hour {
			pruned = now
			if n, err := d.store.PruneWebhooks(ctx, now.Add(-Keep)); err != nil {
				d.log.Warn("webhooks: pruning", "err", err)
			} else if n > 0 {
				d.log.Info("webhooks: pruned old events", "events", n)
			}
		}
		for d.startOne(ctx, &wg) {
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-d.done:
		case <-time.After(d.opt.Poll):
		}
	}
}

// startOne claims one due delivery, if a worker is free, and starts its
// attempt; it reports whether it did.
func (d *Dispatcher) startOne(ctx context.Context, wg *sync.WaitGroup) bool {
	d.mu.Lock()
	if d.inflight >= d.opt.Workers {
		d.mu.Unlock()
		return false
	}
	var full []string
	for ep, n := range d.busy {
		if n >= d.opt.PerEndpoint {
			full = append(full, ep)
		}
	}
	d.mu.Unlock()
	claimed, err := d.store.ClaimWebhookDeliveries(ctx, 1, d.opt.Lease, full)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("webhooks: claiming deliveries", "err", err)
		}
		return false
	}
	if len(claimed) == 0 {
		return false
	}
	c := claimed[0]
	d.mu.Lock()
	d.inflight++
	d.busy[c.EndpointID]++
	d.mu.Unlock()
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.attempt(ctx, &c)
		d.mu.Lock()
		d.inflight--
		if d.busy[c.EndpointID]--; d.busy[c.EndpointID] == 0 {
			delete(d.busy, c.EndpointID)
		}
		d.mu.Unlock()
		select {
		case d.done <- struct{}{}:
		default:
		}
	}()
	return true
}

// Body is a delivery's JSON body: the event.
type Body struct {
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	CreatedAt   string          `json:"created_at"`
	WorkspaceID string          `json:"workspace_id"`
	Actor       json.RawMessage `json:"actor"`
	Data        json.RawMessage `json:"data"`
}

// Sign returns the Helpium-Signature header for body at t: t=<unix
// seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>, with one v1 per
// secret.
func Sign(t time.Time, body []byte, secrets ...string) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	parts := []string{"t=" + ts}
	for _, s := range secrets {
		mac := hmac.New(sha256.New, []byte(s))
		mac.Write([]byte(ts + "."))
		mac.Write(body)
		parts = append(parts, "v1="+hex.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(parts, ",")
}

func (d *Dispatcher) openSecret(endpointID string, s *db.SealedSecret) (string, error) {
	if d.secrets == nil {
		return "", fmt.Errorf("no encryption keyring")
	}
	b, err := d.secrets.Open(s.KeyID, s.Ciphertext, helpium.WebhookSecretAAD(endpointID))
	return string(b), err
}

// attempt sends one claimed delivery and records the outcome.
func (d *Dispatcher) attempt(ctx context.Context, c *db.ClaimedDelivery) {
	log := d.log.With("delivery_id", c.ID, "event_id", c.EventID, "endpoint_id", c.EndpointID, "workspace_id", c.WorkspaceID, "attempt", c.Attempts)
	if !c.Enabled {
		if err := d.store.SkipDelivery(ctx, c.ID); err != nil {
			log.Warn("webhooks: skipping a delivery", "err", err)
		}
		d.metrics.WebhookDelivery("skipped")
		return
	}
	secrets := []string{}
	for _, s := range []*db.SealedSecret{&c.Secret, c.Previous} {
		if s == nil {
			continue
		}
		plain, err := d.openSecret(c.EndpointID, s)
		if err != nil {
			log.Error("webhooks: the endpoint's secret does not open; is its key still in HELPIUM_ENCRYPTION_KEY?", "err", err)
			return // the lease brings it back, should the key return
		}
		secrets = append(secrets, plain)
	}
	body, _ := json.Marshal(Body{ID: c.EventID, Type: c.EventType, CreatedAt: c.EventCreatedAt.UTC().Format(time.RFC3339Nano),
		WorkspaceID: c.WorkspaceID, Actor: c.Actor, Data: c.Data})
	now := d.opt.Now()
	header := http.Header{
		"Content-Type":       {"application/json"},
		"User-Agent":         {"Helpium-Webhooks/1.0"},
		"Helpium-Signature":  {Sign(now, body, secrets...)},
		"Helpium-Event-Id":   {c.EventID},
		"Helpium-Event-Type": {c.EventType},
	}
	res, err := d.sender.Send(ctx, http.MethodPost, c.URL, header, body, d.opt.Timeout, MaxResponse)
	if ctx.Err() != nil {
		return // shutting down: the lease brings it back
	}
	a := d.outcome(c, res, err, now)
	if rerr := d.store.RecordDeliveryAttempt(ctx, c, a); rerr != nil {
		log.Warn("webhooks: recording an attempt; it will be made again", "err", rerr)
		return
	}
	switch {
	case a.Status == helpium.DeliverySucceeded:
		d.metrics.WebhookDelivery("succeeded")
	case a.Status == helpium.DeliveryPending:
		d.metrics.WebhookDelivery("retried")
		log.Info("webhooks: delivery failed; will retry", "status", deref(a.ResponseStatus), "err", deref(a.Error), "retry_at", a.RetryAt)
	default:
		d.metrics.WebhookDelivery("failed")
		log.Warn("webhooks: delivery failed for good", "status", deref(a.ResponseStatus), "err", deref(a.Error))
	}
	if a.DisableReason != "" {
		log.Warn("webhooks: endpoint disabled", "reason", a.DisableReason)
	}
}

// outcome decides what an attempt's answer means.
func (d *Dispatcher) outcome(c *db.ClaimedDelivery, res *actions.Response, err error, at time.Time) db.DeliveryAttempt {
	a := db.DeliveryAttempt{At: at, LatencyMS: int(d.opt.Now().Sub(at).Milliseconds())}
	if err != nil {
		msg := err.Error()
		a.Error = &msg
	} else {
		a.ResponseStatus = &res.Status
		body := strings.ToValidUTF8(string(res.Body), "\uFFFD")
		a.ResponseBody = &body
	}
	switch {
	case err == nil && res.Status >= 200 && res.Status < 300:
		a.Status = helpium.DeliverySucceeded
		return a
	case err == nil && res.Status == http.StatusGone:
		a.Status = helpium.DeliveryFailed
		a.DisableReason = fmt.Sprintf("The endpoint answered 410 Gone at %s.", at.UTC().Format(time.RFC3339))
		return a
	}
	if err == nil {
		msg := fmt.Sprintf("The endpoint answered %d.", res.Status)
		a.Error = &msg
	}
	a.EndpointFailed = true
	if c.FailingSince != nil && at.Sub(*c.FailingSince) >= d.opt.DisableAfter {
		a.DisableReason = fmt.Sprintf("Every delivery failed for %s, since %s.", days(d.opt.DisableAfter), c.FailingSince.UTC().Format(time.RFC3339))
	}
	wait := d.opt.Schedule[min(c.Attempts, len(d.opt.Schedule))-1]
	wait = time.Duration(float64(wait) * (0.8 + 0.4*rand.Float64()))
	if a.DisableReason != "" || at.Add(wait).Sub(c.EventCreatedAt) > d.opt.Window {
		a.Status = helpium.DeliveryFailed
		return a
	}
	a.Status, a.RetryAt = helpium.DeliveryPending, at.Add(wait)
	return a
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// days writes d in days when it is whole days.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}
