package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/actions"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/db/dbtest"
	"github.com/helpium/helpium/secret"
	"github.com/helpium/helpium/service"
)

func TestSign(t *testing.T) {
	body := []byte(`{"id":"e1"}`)
	at := time.Unix(1764849600, 0)
	mac := func(secret string) string {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte("1764849600." + string(body)))
		return hex.EncodeToString(m.Sum(nil))
	}
	if got, want := Sign(at, body, "whsec_a"), "t=1764849600,v1="+mac("whsec_a"); got != want {
		t.Errorf("one secret: %s, want %s", got, want)
	}
	if got, want := Sign(at, body, "whsec_a", "whsec_b"), "t=1764849600,v1="+mac("whsec_a")+",v1="+mac("whsec_b"); got != want {
		t.Errorf("two secrets: %s, want %s", got, want)
	}
}

// TestOutcome: what each answer means for the delivery and its endpoint.
func TestOutcome(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	d := New(nil, nil, nil, nil, nil, nil, Options{Now: func() time.Time { return now }})
	failingFor := func(dur time.Duration) *time.Time { t := now.Add(-dur); return &t }
	for _, tc := range []struct {
		name         string
		status       int // 0: err
		attempts     int
		eventAge     time.Duration
		failingSince *time.Time
		want         helpium.WebhookDeliveryStatus
		retryIn      time.Duration // pending: the schedule's wait (±20%)
		disable      string
	}{
		{"200", 200, 1, 0, nil, helpium.DeliverySucceeded, 0, ""},
		{"204 after failures", 204, 4, time.Hour, failingFor(time.Hour), helpium.DeliverySucceeded, 0, ""},
		{"500, first attempt", 500, 1, 0, nil, helpium.DeliveryPending, 30 * time.Second, ""},
		{"a timeout, third attempt", 0, 3, 3 * time.Minute, nil, helpium.DeliveryPending, 10 * time.Minute, ""},
		{"past the schedule", 503, 12, 10 * time.Hour, nil, helpium.DeliveryPending, 8 * time.Hour, ""},
		{"a redirect is a failure", 302, 1, 0, nil, helpium.DeliveryPending, 30 * time.Second, ""},
		{"past the 24-hour window", 500, 9, 20 * time.Hour, nil, helpium.DeliveryFailed, 0, ""},
		{"410 Gone", 410, 1, 0, nil, helpium.DeliveryFailed, 0, "410"},
		{"failing for three days", 500, 2, time.Minute, failingFor(72 * time.Hour), helpium.DeliveryFailed, 0, "3 days"},
		{"failing for two days", 500, 2, time.Minute, failingFor(48 * time.Hour), helpium.DeliveryPending, 2 * time.Minute, ""},
	} {
		c := &db.ClaimedDelivery{Attempts: tc.attempts, EventCreatedAt: now.Add(-tc.eventAge), FailingSince: tc.failingSince}
		var res *actions.Response
		var err error
		if tc.status == 0 {
			err = errors.New("The request timed out after 10s.")
		} else {
			res = &actions.Response{Status: tc.status, Body: []byte("ok")}
		}
		a := d.outcome(c, res, err, now)
		if a.Status != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, a.Status, tc.want)
		}
		if tc.retryIn > 0 {
			if wait := a.RetryAt.Sub(now); wait < tc.retryIn*8/10 || wait > tc.retryIn*12/10 {
				t.Errorf("%s: retry in %s, want %s ±20%%", tc.name, wait, tc.retryIn)
			}
		}
		if (a.DisableReason != "") != (tc.disable != "") || !strings.Contains(a.DisableReason, tc.disable) {
			t.Errorf("%s: disable %q, want %q", tc.name, a.DisableReason, tc.disable)
		}
		if a.EndpointFailed != (tc.want != helpium.DeliverySucceeded && tc.status != 410) {
			t.Errorf("%s: endpoint failed %v", tc.name, a.EndpointFailed)
		}
	}
}

// TestDeliveriesSurviveARestart: events queued while the receiver is down,
// and one whose attempt was cut off by a crash, are delivered by the next
// dispatcher (another process, after a restart), under the same event ids.
func TestDeliveriesSurviveARestart(t *testing.T) {
	ctx := context.Background()
	store := db.NewStore(dbtest.New(t))
	keys, err := secret.ParseKeyring(secret.NewKeySpec("test"))
	if err != nil {
		t.Fatal(err)
	}
	var up atomic.Bool
	var mu sync.Mutex
	seen := map[string]int{}
	block := make(chan struct{})
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		id := r.Header.Get("Helpium-Event-Id")
		mu.Lock()
		seen[id]++
		mu.Unlock()
		if r.URL.Path == "/block" && !up.Load() {
			<-block // the attempt in flight when the dispatcher dies
		}
		if !up.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer rec.Close()
	defer close(block)
	sender := actions.New(actions.Config{AllowHTTPHosts: []string{strings.TrimPrefix(rec.URL, "http://")}, Timeout: 5 * time.Second})
	acme, err := service.New(store, service.Options{}).CreateWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	ws := acme.ID
	endpoint := func(url string) *helpium.WebhookEndpoint {
		now := time.Now()
		e := &helpium.WebhookEndpoint{ID: uuid.NewString(), WorkspaceID: ws, URL: url, EventTypes: []helpium.WebhookEventType{helpium.EventMessageCreated},
			Enabled: true, CreatedAt: now, UpdatedAt: now}
		keyID, ct := keys.Seal([]byte("whsec_test"), helpium.WebhookSecretAAD(e.ID))
		if err := store.CreateWebhookEndpoint(ctx, e, db.SealedSecret{KeyID: keyID, Ciphertext: ct}); err != nil {
			t.Fatal(err)
		}
		return e
	}
	normal, blocking := endpoint(rec.URL+"/in"), endpoint(rec.URL+"/block")
	var events []string
	for i := range 5 {
		e := normal
		if i == 0 {
			e = blocking
		}
		d, err := store.QueueTestEvent(ctx, e, uuid.NewString(), uuid.NewString(), map[string]any{"kind": "system"}, map[string]any{"n": i}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, d.EventID)
	}
	opts := Options{Poll: 20 * time.Millisecond, Lease: 500 * time.Millisecond, Schedule: []time.Duration{50 * time.Millisecond}}

	// The first dispatcher meets a receiver that is down, and dies with
	// an attempt in flight.
	runCtx, kill := context.WithCancel(ctx)
	first := New(store, sender, keys, nil, nil, nil, opts)
	done := make(chan struct{})
	go func() { first.Run(runCtx); close(done) }()
	waitUntil(t, "the first attempts", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return seen[events[0]] == 1 && seen[events[1]] >= 1
	})
	kill()
	<-done
	block <- struct{}{} // let the cut-off attempt's handler return

	// The receiver recovers; the next dispatcher delivers everything.
	up.Store(true)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go New(store, sender, keys, nil, nil, nil, opts).Run(runCtx)
	waitUntil(t, "every event delivered", func() bool {
		var pending int
		store.DB().QueryRowContext(ctx, `SELECT count(*) FROM webhook_deliveries WHERE status <> 'succeeded'`).Scan(&pending)
		return pending == 0
	})
	mu.Lock()
	defer mu.Unlock()
	for i, id := range events {
		if seen[id] < 2 && i < 2 || seen[id] < 1 {
			t.Errorf("event %d (%s) arrived %d times", i, id, seen[id])
		}
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
