package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// The webhook workload: how long a committed event takes to reach a
// receiver on loopback, one event at a time (message.created, from a
// customer's message through the Customer API), and how fast 1,000 events
// committed at once drain to one endpoint. The baseline is a minimal
// outbox written here: a row and a NOTIFY in one transaction, two workers
// (Helpium's per-endpoint bound) woken by LISTEN that lock the oldest row
// with FOR UPDATE SKIP LOCKED, POST it signed, and mark it done.

// hookReceiver is the third party: it notes when each event arrived.
type hookReceiver struct {
	addr     string
	srv      *http.Server
	arrivals chan arrival
}

type arrival struct {
	created, at time.Time
}

func startHookReceiver() (*hookReceiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &hookReceiver{addr: ln.Addr().String(), arrivals: make(chan arrival, 4096)}
	r.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		at := time.Now()
		var ev struct {
			CreatedAt time.Time `json:"created_at"`
		}
		body, _ := io.ReadAll(req.Body)
		if json.Unmarshal(body, &ev) != nil || req.Header.Get("Helpium-Signature") == "" {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		r.arrivals <- arrival{ev.CreatedAt, at}
	})}
	go r.srv.Serve(ln) //nolint:errcheck // ends with Close
	return r, nil
}

func (r *hookReceiver) close() { r.srv.Close() }

// drain forgets arrivals so far (events of the setup).
func (r *hookReceiver) drain() {
	for {
		select {
		case <-r.arrivals:
		case <-time.After(300 * time.Millisecond):
			return
		}
	}
}

// await waits for n arrivals and returns them.
func (r *hookReceiver) await(ctx context.Context, n int) ([]arrival, error) {
	out := make([]arrival, 0, n)
	timeout := time.NewTimer(2 * time.Minute)
	defer timeout.Stop()
	for len(out) < n {
		select {
		case a := <-r.arrivals:
			out = append(out, a)
		case <-timeout.C:
			return out, fmt.Errorf("%d of %d webhook events arrived within 2 minutes", len(out), n)
		case <-ctx.Done():
			return out, ctx.Err()
		}
	}
	return out, nil
}

// webhookResult is the workload's report.
type webhookResult struct {
	latency, baseLatency sample // one event at a time: event-to-delivery
	burst, baseBurst     sample // 1,000 events committed at once: elapsed until the last arrived
	burstSize            int
}

const (
	webhookSerial = 200  // events per latency round
	webhookBurst  = 1000 // events per throughput round
)

func (h *harness) webhooks(ctx context.Context) error {
	rec := h.hooks
	ws, err := h.newWorkspace(ctx, "bench webhooks")
	if err != nil {
		return err
	}
	var created struct{ CreateWebhookEndpoint struct{ Secret string } }
	if err := h.graphQL(ctx, ws.token, `mutation($w: ID!, $u: String!) { createWebhookEndpoint(workspaceId: $w,
		input: {url: $u, eventTypes: [MESSAGE_CREATED]}) { secret } }`, map[string]any{"w": ws.id, "u": "http://" + rec.addr + "/helpium"}, &created); err != nil {
		return err
	}
	var conv struct {
		WidgetToken string `json:"widget_token"`
	}
	if err := h.customerPost(ctx, ws.key, "/conversations", map[string]any{"message": "Benchmark"}, &conv, http.StatusCreated); err != nil {
		return err
	}
	base, err := startOutbox(ctx, h, "http://"+rec.addr+"/baseline")
	if err != nil {
		return err
	}
	defer base.close()
	rec.drain()

	res := &webhookResult{burstSize: webhookBurst}
	serial := 0
	for r := range h.o.rounds {
		logf("webhooks: baseline round %d", r+1)
		s, err := oneAtATime(ctx, rec, func() error { return base.enqueue(ctx, 1) })
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		res.baseLatency.add(s)
		if s, err = burst(ctx, rec, func() error { return base.enqueue(ctx, webhookBurst) }); err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		res.baseBurst.add(s)

		logf("webhooks: helpium round %d", r+1)
		s, err = oneAtATime(ctx, rec, func() error {
			serial++
			return h.customerPost(ctx, ws.key, "/conversations/"+conv.WidgetToken+"/messages",
				map[string]any{"body": fmt.Sprintf("Benchmark message %d", serial)}, nil, http.StatusCreated)
		})
		if err != nil {
			return err
		}
		res.latency.add(s)
		// 1,000 events in one transaction, through the function the
		// database's triggers call.
		wait := func() {}
		if r == 0 {
			wait = h.profile(h.srv, "webhooks", 2*time.Second)
		}
		s, err = burst(ctx, rec, func() error {
			_, err := h.bdb.ExecContext(ctx, `SELECT helpium_webhook_enqueue(?, 'message.created', '{"kind": "system", "id": null}',
				jsonb_build_object('n', g), false) FROM generate_series(1, ?) g`, ws.id, webhookBurst)
			return err
		})
		wait()
		if err != nil {
			return err
		}
		res.burst.add(s)
	}
	h.r.webhooks = res
	logf("webhooks: event-to-delivery p50 %s p95 %s (baseline %s, %s); 1,000 events %.0f/s (baseline %.0f/s)",
		ms(res.latency.pct(50)), ms(res.latency.pct(95)), ms(res.baseLatency.pct(50)), ms(res.baseLatency.pct(95)),
		res.burst.throughput(), res.baseBurst.throughput())
	return nil
}

// oneAtATime makes webhookSerial events, each after the previous one
// arrived, and measures each from its creation to its arrival.
func oneAtATime(ctx context.Context, rec *hookReceiver, next func() error) (sample, error) {
	var s sample
	t0 := time.Now()
	for range webhookSerial {
		if err := next(); err != nil {
			return s, err
		}
		got, err := rec.await(ctx, 1)
		if err != nil {
			return s, err
		}
		s.lat = append(s.lat, got[0].at.Sub(got[0].created))
		s.ops++
	}
	s.elapsed = time.Since(t0)
	return s, nil
}

// burst commits webhookBurst events at once and measures until the last
// arrived; each event's latency is from its creation to its arrival.
func burst(ctx context.Context, rec *hookReceiver, commit func() error) (sample, error) {
	var s sample
	t0 := time.Now()
	if err := commit(); err != nil {
		return s, err
	}
	got, err := rec.await(ctx, webhookBurst)
	if err != nil {
		return s, err
	}
	for _, a := range got {
		s.lat = append(s.lat, a.at.Sub(a.created))
	}
	s.ops, s.elapsed = int64(len(got)), got[len(got)-1].at.Sub(t0)
	return s, nil
}

// outbox is the baseline dispatcher.
type outbox struct {
	h      *harness
	url    string
	listen *pgx.Conn
	wake   chan struct{}
	stop   context.CancelFunc
	wg     sync.WaitGroup
}

func startOutbox(ctx context.Context, h *harness, url string) (*outbox, error) {
	for _, stmt := range []string{
		`DROP TABLE IF EXISTS bench_webhook_outbox`,
		`CREATE TABLE bench_webhook_outbox (id bigserial PRIMARY KEY, body jsonb NOT NULL,
			created_at timestamptz NOT NULL DEFAULT clock_timestamp(), done boolean NOT NULL DEFAULT false)`,
		`CREATE INDEX ON bench_webhook_outbox (id) WHERE NOT done`,
	} {
		if _, err := h.bdb.ExecContext(ctx, stmt); err != nil {
			return nil, err
		}
	}
	conn, err := pgx.Connect(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN bench_webhook_outbox"); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	runCtx, stop := context.WithCancel(context.Background())
	o := &outbox{h: h, url: url, listen: conn, wake: make(chan struct{}, 2), stop: stop}
	o.wg.Add(3)
	go func() {
		defer o.wg.Done()
		for runCtx.Err() == nil {
			if _, err := conn.WaitForNotification(runCtx); err != nil {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			for range 2 {
				select {
				case o.wake <- struct{}{}:
				default:
				}
			}
		}
	}()
	client := &http.Client{Timeout: 10 * time.Second}
	for range 2 {
		go func() {
			defer o.wg.Done()
			for runCtx.Err() == nil {
				sent, err := o.sendOne(runCtx, client)
				if err != nil && runCtx.Err() == nil {
					logf("webhooks: baseline: %v", err)
				}
				if !sent {
					select {
					case <-o.wake:
					case <-time.After(time.Second):
					case <-runCtx.Done():
					}
				}
			}
		}()
	}
	return o, nil
}

// enqueue commits n events in one transaction.
func (o *outbox) enqueue(ctx context.Context, n int) error {
	_, err := o.h.bdb.ExecContext(ctx, `WITH ins AS (INSERT INTO bench_webhook_outbox (body)
		SELECT jsonb_build_object('type', 'message.created', 'data', jsonb_build_object('n', g)) FROM generate_series(1, ?) g RETURNING 1)
		SELECT pg_notify('bench_webhook_outbox', count(*)::text) FROM ins`, n)
	return err
}

// sendOne locks the oldest pending row, POSTs it signed and marks it done.
func (o *outbox) sendOne(ctx context.Context, client *http.Client) (bool, error) {
	tx, err := o.h.bdb.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	var id int64
	var data []byte
	var created time.Time
	err = tx.QueryRowContext(ctx, `SELECT id, body, created_at FROM bench_webhook_outbox WHERE NOT done ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`).Scan(&id, &data, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	body, _ := json.Marshal(map[string]any{"id": strconv.FormatInt(id, 10), "created_at": created.UTC().Format(time.RFC3339Nano), "event": json.RawMessage(data)})
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte("whsec_baseline"))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, o.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Helpium-Signature", "t="+ts+",v1="+hex.EncodeToString(mac.Sum(nil)))
	res, err := client.Do(req)
	if err != nil {
		return false, err
	}
	io.Copy(io.Discard, res.Body) //nolint:errcheck
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return false, fmt.Errorf("receiver answered %d", res.StatusCode)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE bench_webhook_outbox SET done = true WHERE id = ?`, id); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

func (o *outbox) close() {
	o.stop()
	o.wg.Wait()
	o.listen.Close(context.Background())
	o.h.bdb.ExecContext(context.Background(), "DROP TABLE IF EXISTS bench_webhook_outbox") //nolint:errcheck
}
