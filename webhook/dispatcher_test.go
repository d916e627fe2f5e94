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
	acme, err := service.New(store, service.Options{}).Workspaces.CreateWorkspace(ctx, "Acme")
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

// TestKeyRotationReseals: after `keys rotate` both signing secrets of a
// rotating endpoint are sealed under the new key, and a dispatcher without
// the old key still signs with both.
func TestKeyRotationReseals(t *testing.T) {
	ctx := context.Background()
	store := db.NewStore(dbtest.New(t))
	oldSpec := secret.NewKeySpec("k1")
	ring1, err := secret.ParseKeyring(oldSpec)
	if err != nil {
		t.Fatal(err)
	}
	newSpec := secret.NewKeySpec("k2")
	ring2, _ := secret.ParseKeyring(newSpec + "," + oldSpec) // the new key first, the old kept
	only2, _ := secret.ParseKeyring(newSpec)                 // the old key dropped

	got := make(chan string, 1)
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ok := ""
		for _, s := range []string{"whsec_old", "whsec_new"} {
			ts, _, _ := strings.Cut(strings.TrimPrefix(r.Header.Get("Helpium-Signature"), "t="), ",")
			mac := hmac.New(sha256.New, []byte(s))
			mac.Write([]byte(ts + "." + string(body)))
			if strings.Contains(r.Header.Get("Helpium-Signature"), "v1="+hex.EncodeToString(mac.Sum(nil))) {
				ok += s + " "
			}
		}
		got <- ok
	}))
	defer rec.Close()
	ws, err := service.New(store, service.Options{}).Workspaces.CreateWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	e := &helpium.WebhookEndpoint{ID: uuid.NewString(), WorkspaceID: ws.ID, URL: rec.URL, EventTypes: []helpium.WebhookEventType{helpium.EventMessageCreated},
		Enabled: true, CreatedAt: now, UpdatedAt: now}
	seal := func(s string) db.SealedSecret {
		kid, ct := ring1.Seal([]byte(s), helpium.WebhookSecretAAD(e.ID))
		return db.SealedSecret{KeyID: kid, Ciphertext: ct}
	}
	if err := store.CreateWebhookEndpoint(ctx, e, seal("whsec_old")); err != nil {
		t.Fatal(err)
	}
	if err := store.RotateWebhookSecret(ctx, ws.ID, e.ID, seal("whsec_new"), now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}

	rotator := service.New(store, service.Options{Secrets: ring2})
	for i, want := range []int{1, 0} { // the second run finds nothing left
		if n, err := rotator.Webhooks.RotateWebhookSecrets(ctx); err != nil || n != want {
			t.Fatalf("run %d: rotated %d, %v; want %d", i+1, n, err, want)
		}
	}
	var keys string
	store.DB().QueryRowContext(ctx, `SELECT secret_key_id || ',' || previous_key_id FROM webhook_endpoints`).Scan(&keys) //nolint:errcheck
	if keys != "k2,k2" {
		t.Errorf("keys after rotation: %q", keys)
	}

	sender := actions.New(actions.Config{AllowHTTPHosts: []string{strings.TrimPrefix(rec.URL, "http://")}})
	if _, err := store.QueueTestEvent(ctx, e, uuid.NewString(), uuid.NewString(), map[string]any{"kind": "system"}, map[string]any{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go New(store, sender, only2, nil, nil, nil, Options{Poll: 20 * time.Millisecond}).Run(runCtx)
	select {
	case ok := <-got:
		if ok != "whsec_old whsec_new " {
			t.Errorf("signed with: %q", ok)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("nothing delivered")
	}
}

// TestAttemptsRecorded: the endpoint's run of failures starts at its first
// failure, survives later ones, ends with a success, and a disable reason
// turns the endpoint off; the delivery keeps each attempt's outcome.
func TestAttemptsRecorded(t *testing.T) {
	ctx := context.Background()
	store := db.NewStore(dbtest.New(t))
	ws, err := service.New(store, service.Options{}).Workspaces.CreateWorkspace(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	e := &helpium.WebhookEndpoint{ID: uuid.NewString(), WorkspaceID: ws.ID, URL: "https://example.com/", EventTypes: []helpium.WebhookEventType{helpium.EventMessageCreated},
		Enabled: true, CreatedAt: now, UpdatedAt: now}
	if err := store.CreateWebhookEndpoint(ctx, e, db.SealedSecret{KeyID: "k", Ciphertext: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	d, err := store.QueueTestEvent(ctx, e, uuid.NewString(), uuid.NewString(), map[string]any{"kind": "system"}, map[string]any{}, now)
	if err != nil {
		t.Fatal(err)
	}
	claimed := &db.ClaimedDelivery{ID: d.ID, EndpointID: e.ID}
	status := func(n int) *int { return &n }
	for _, step := range []struct {
		name        string
		a           db.DeliveryAttempt
		wantFailing *time.Time
		wantEnabled bool
		wantStatus  string
	}{
		{"first failure starts the run", db.DeliveryAttempt{At: now, Status: helpium.DeliveryPending, RetryAt: now.Add(time.Minute), ResponseStatus: status(500), EndpointFailed: true}, &now, true, "pending"},
		{"a later failure keeps its start", db.DeliveryAttempt{At: now.Add(time.Hour), Status: helpium.DeliveryPending, RetryAt: now.Add(2 * time.Hour), ResponseStatus: status(502), EndpointFailed: true}, &now, true, "pending"},
		{"a success ends it", db.DeliveryAttempt{At: now.Add(2 * time.Hour), Status: helpium.DeliverySucceeded, ResponseStatus: status(200)}, nil, true, "succeeded"},
		{"a disable reason turns it off", db.DeliveryAttempt{At: now.Add(3 * time.Hour), Status: helpium.DeliveryFailed, ResponseStatus: status(410), DisableReason: "gone"}, nil, false, "failed"},
	} {
		if err := store.RecordDeliveryAttempt(ctx, claimed, step.a); err != nil {
			t.Fatal(err)
		}
		var failing *time.Time
		var enabled bool
		var st string
		var code int
		if err := store.DB().QueryRowContext(ctx, `SELECT e.failing_since, e.enabled, d.status, d.response_status FROM webhook_endpoints e
			JOIN webhook_deliveries d ON d.endpoint_id = e.id WHERE d.id = ?`, d.ID).Scan(&failing, &enabled, &st, &code); err != nil {
			t.Fatal(err)
		}
		if (failing == nil) != (step.wantFailing == nil) || failing != nil && !failing.Equal(*step.wantFailing) ||
			enabled != step.wantEnabled || st != step.wantStatus || code != *step.a.ResponseStatus {
			t.Errorf("%s: failing since %v, enabled %v, delivery %s %d", step.name, failing, enabled, st, code)
		}
	}
}
