//go:build soak

package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/server"
	"github.com/helpium/helpium/service"
)

// TestSoak (make soak) drives a server on loopback with mixed widget
// traffic from 50 concurrent clients (each its own client IP) for
// SOAK_DURATION (default 60 s): conversations, messages, history reads over
// REST and GraphQL, settings, and event streams held open for a while. It
// restarts its PostgreSQL once in the middle, and prints: 5xx outside the
// outage window, acknowledged versus stored messages, goroutines and heap
// before and after. It fails on a 5xx outside
// the outage, a lost acknowledged message, or growth beyond the bounds.
func TestSoak(t *testing.T) {
	duration := 60 * time.Second
	if d, err := time.ParseDuration(os.Getenv("SOAK_DURATION")); err == nil {
		duration = d
	}
	const clients = 50
	ctx := context.Background()
	pg := ownPostgres(t)
	app := apptest.Start(t, pg.URL(), service.Options{}, func(d *server.Deps) {
		d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	ws := app.Workspace(t, "Soak")
	// The whole-workspace limit would cap 50 clients at 10 requests a
	// second; the per-client limits stay at their defaults.
	app.SetRateLimits(t, ws.ID, apptest.RateLimitsFor(1_000_000, 0, 0))

	client := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	req := func(method, path, ip string, body any) (int, []byte) {
		var rd *bytesReaderT
		if body != nil {
			raw, _ := json.Marshal(body)
			rd = newBytesReader(raw)
		}
		var r *http.Request
		if rd != nil {
			r, _ = http.NewRequest(method, app.URL+path, rd)
			r.Header.Set("Content-Type", "application/json")
		} else {
			r, _ = http.NewRequest(method, app.URL+path, nil)
		}
		r.Header.Set("X-API-Key", ws.APIKey)
		r.Header.Set("X-Forwarded-For", ip)
		res, err := client.Do(r)
		if err != nil {
			return 0, []byte(err.Error())
		}
		defer res.Body.Close()
		var buf [64 << 10]byte
		n, _ := readFull(res.Body, buf[:])
		return res.StatusCode, buf[:n]
	}

	// stream holds the conversation's event stream open for d, as a widget
	// does between page loads, and returns the status it was answered with.
	stream := func(token, ip string, d time.Duration) int {
		sctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		r, _ := http.NewRequestWithContext(sctx, "GET", app.URL+"/api/customer/conversations/"+token+"/events?api_key="+ws.APIKey, nil)
		r.Header.Set("X-Forwarded-For", ip)
		res, err := client.Do(r)
		if err != nil {
			return 0
		}
		defer res.Body.Close()
		io.Copy(io.Discard, res.Body) //nolint:errcheck // ends when d has passed
		return res.StatusCode
	}
	graphQL := func(ip, query string, vars map[string]any) int {
		status, body := req("POST", "/graphql", ip, map[string]any{"query": query, "variables": vars})
		if status == 200 && bytes.Contains(body, []byte(`"errors"`)) {
			var out struct {
				Errors []struct {
					Extensions struct{ Code string }
				}
			}
			json.Unmarshal(body, &out) //nolint:errcheck
			if len(out.Errors) > 0 && (out.Errors[0].Extensions.Code == "unavailable" || out.Errors[0].Extensions.Code == "internal") {
				return 503 // counted as a server error, as REST would answer it
			}
		}
		return status
	}

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	goroutinesBefore := runtime.NumGoroutine()

	var (
		mu                      sync.Mutex
		acked                   = map[string]bool{}
		statuses                = map[int]int{}
		serverErrOutside        []string
		outageFrom, outageUntil time.Time
		total                   atomic.Int64
	)
	inOutage := func(start, end time.Time) bool {
		mu.Lock()
		defer mu.Unlock()
		if outageFrom.IsZero() {
			return false
		}
		// A request overlapping the restart (plus reconnect slack) is in it.
		return end.After(outageFrom) && (outageUntil.IsZero() || start.Before(outageUntil.Add(2*time.Second)))
	}
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			ip := fmt.Sprintf("198.51.100.%d", c+1)
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			var token string
			n := 0
			for time.Now().Before(deadline) {
				start := time.Now()
				var status int
				var body []byte
				switch p := rng.IntN(12); {
				case token == "" || p == 0:
					status, body = req("POST", "/api/customer/conversations", ip, map[string]any{"message": fmt.Sprintf("client %d asks", c)})
					if status == 201 {
						var created restCreated
						json.Unmarshal(body, &created) //nolint:errcheck
						token = created.WidgetToken
					}
				case p <= 4:
					n++
					id := fmt.Sprintf("c%d-%d", c, n)
					status, _ = req("POST", "/api/customer/conversations/"+token+"/messages", ip, map[string]any{"body": "message " + id, "client_message_id": id})
					if status == 201 || status == 200 {
						mu.Lock()
						acked[id] = true
						mu.Unlock()
					}
				case p <= 7:
					status, _ = req("GET", "/api/customer/conversations/"+token+"/messages?limit=20", ip, nil)
				case p == 8:
					status, _ = req("GET", "/api/customer/widget/settings", ip, nil)
				case p == 9:
					status = graphQL(ip, `query($t: String!) { widgetMessages(token: $t, limit: 20) { messages { body } } }`, map[string]any{"t": token})
				case p == 10:
					status = stream(token, ip, time.Duration(500+rng.IntN(1500))*time.Millisecond)
				default:
					status, _ = req("GET", "/api/customer/conversations/"+token, ip, nil)
				}
				total.Add(1)
				mu.Lock()
				statuses[status]++
				mu.Unlock()
				if (status >= 500 || status == 0) && !inOutage(start, time.Now()) {
					mu.Lock()
					serverErrOutside = append(serverErrOutside, fmt.Sprintf("%d at %s", status, time.Since(deadline.Add(-duration)).Round(time.Millisecond)))
					mu.Unlock()
				}
				time.Sleep(time.Duration(500+rng.IntN(1000)) * time.Millisecond)
			}
		}(c)
	}
	time.Sleep(duration / 2)
	mu.Lock()
	outageFrom = time.Now()
	mu.Unlock()
	if err := pg.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	outageUntil = time.Now()
	mu.Unlock()
	wg.Wait()
	client.CloseIdleConnections()

	// Give the server a moment to finish what the clients left, then measure.
	time.Sleep(2 * time.Second)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	goroutinesAfter := runtime.NumGoroutine()

	var stored int
	if err := app.DB.QueryRowContext(ctx, "SELECT count(DISTINCT client_message_id) FROM messages WHERE client_message_id IS NOT NULL").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	lost := 0
	rows, err := app.DB.QueryContext(ctx, "SELECT client_message_id FROM messages WHERE client_message_id IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for rows.Next() {
		var id string
		rows.Scan(&id) //nolint:errcheck
		have[id] = true
	}
	rows.Close()
	for id := range acked {
		if !have[id] {
			lost++
		}
	}
	outage5xx := 0
	for s, n := range statuses {
		if s >= 500 || s == 0 {
			outage5xx += n
		}
	}
	outage5xx -= len(serverErrOutside)

	fmt.Printf("\nsoak: %v, %d clients, %d requests (%.0f/s), statuses %v\n", duration, clients, total.Load(), float64(total.Load())/duration.Seconds(), statuses)
	fmt.Printf("soak: PostgreSQL restart took %v; 5xx during the outage window: %d; 5xx outside it: %d\n",
		outageUntil.Sub(outageFrom).Round(time.Millisecond), outage5xx, len(serverErrOutside))
	fmt.Printf("soak: messages acknowledged %d, stored %d, lost %d\n", len(acked), stored, lost)
	fmt.Printf("soak: goroutines %d -> %d; heap in use %.1f MiB -> %.1f MiB\n\n",
		goroutinesBefore, goroutinesAfter, float64(before.HeapInuse)/(1<<20), float64(after.HeapInuse)/(1<<20))

	if len(serverErrOutside) > 0 {
		t.Errorf("5xx outside the outage window: %v", serverErrOutside)
	}
	if lost > 0 || stored < len(acked) {
		t.Errorf("%d acknowledged messages lost", lost)
	}
	if goroutinesAfter > goroutinesBefore+50 {
		t.Errorf("goroutines grew from %d to %d", goroutinesBefore, goroutinesAfter)
	}
	if after.HeapInuse > before.HeapInuse+64<<20 {
		t.Errorf("heap in use grew by %.1f MiB", float64(after.HeapInuse-before.HeapInuse)/(1<<20))
	}
}

type bytesReaderT = bytes.Reader

func newBytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
