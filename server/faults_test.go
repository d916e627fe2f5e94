package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/actions"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/internal/devstack"
	"github.com/helpium/helpium/search"
	"github.com/helpium/helpium/service"
)

// discard swallows a service's log.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestWeaviateStoppedMidRun stops a Weaviate of the test's own (never the
// shared one) under a running server: search and answers fail with 503
// search_unavailable within 2 s, conversations and messages go on, and
// search comes back after Weaviate restarts, without restarting the server.
func TestWeaviateStoppedMidRun(t *testing.T) {
	ctx := context.Background()
	wv, err := devstack.StartWeaviate(ctx, devstack.WeaviateOptions{DataDir: filepath.Join(t.TempDir(), "weaviate"), Log: discard{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wv.Stop() })
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{
		WeaviateURL: wv.URL(), BM25Only: true,
		Indexer: search.IndexerOptions{Poll: 100 * time.Millisecond, MinBackoff: 200 * time.Millisecond, MaxBackoff: time.Second},
	})
	ws := app.Workspace(t, "Acme")
	published, ext := helpium.ArticlePublished, "pw"
	if _, err := app.Service.Knowledge.ImportArticles(ctx, ws.ID, []helpium.ArticleInput{{ExternalID: &ext, Title: "Reset your password", Body: "Open settings and choose reset password.", Status: &published}}); err != nil {
		t.Fatal(err)
	}
	app.WaitIndexed(t, ws.ID, time.Minute)
	searchOK := func() bool {
		res := app.Request(t, "POST", "/api/customer/search", ws.APIKey, map[string]any{"query": "reset password"})
		return res.Status == 200 && json.Valid(res.Body) && len(res.Body) > 20
	}
	if !searchOK() {
		t.Fatal("search fails before the outage")
	}
	_, token := startConversation(t, app, ws.APIKey, "before the outage")

	if err := wv.Stop(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		for _, path := range []string{"/api/customer/search", "/api/customer/search/answer"} {
			start := time.Now()
			res := app.Request(t, "POST", path, ws.APIKey, map[string]any{"query": "reset password"})
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("%s took %v during the outage, want under 2 s", path, took)
			}
			checkEnvelope(t, path+" during the outage", res, http.StatusServiceUnavailable, "search_unavailable", "")
		}
	}
	if res := app.Request(t, "POST", "/api/customer/conversations", ws.APIKey, map[string]any{"message": "during the outage"}); res.Status != 201 {
		t.Errorf("conversation during the outage: %d %s", res.Status, res.Body)
	}
	if res := app.Request(t, "POST", "/api/customer/conversations/"+token+"/messages", ws.APIKey, map[string]any{"body": "still there?"}); res.Status != 201 {
		t.Errorf("message during the outage: %d %s", res.Status, res.Body)
	}

	if err := wv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for !searchOK() {
		if time.Now().After(deadline) {
			t.Fatal("search did not recover within a minute of Weaviate's restart")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestPostgresRestartedMidRun restarts a PostgreSQL of the test's own
// under steady message traffic: requests during the outage fail quickly
// with 503 unavailable (none hangs), the server recovers by itself, and
// every message acknowledged with 201 is in the database.
func TestPostgresRestartedMidRun(t *testing.T) {
	ctx := context.Background()
	pg := ownPostgres(t)
	app := apptest.Start(t, pg.URL(), service.Options{})
	ws := app.Workspace(t, "Acme")
	app.SetRateLimits(t, ws.ID, apptest.Generous)
	_, token := startConversation(t, app, ws.APIKey, "start")

	var (
		mu       sync.Mutex
		acked    []string
		statuses = map[int]int{}
		slowest  time.Duration
		bad      []string
		seq      atomic.Int64
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	client := &http.Client{Timeout: 15 * time.Second}
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("m-%d", seq.Add(1))
				start := time.Now()
				res := rawClientRequest(client, app.URL+"/api/customer/conversations/"+token+"/messages", ws.APIKey, map[string]any{"body": id, "client_message_id": id})
				took := time.Since(start)
				mu.Lock()
				statuses[res.Status]++
				slowest = max(slowest, took)
				switch {
				case res.Status == 201:
					acked = append(acked, id)
				case res.Status == 503:
					var env envelope
					if json.Unmarshal(res.Body, &env) != nil || env.Error.Code != "unavailable" {
						bad = append(bad, fmt.Sprintf("503 without unavailable: %s", res.Body))
					}
				default:
					bad = append(bad, fmt.Sprintf("%d %s", res.Status, res.Body))
				}
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	time.Sleep(time.Second)
	outage := time.Now()
	if err := pg.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("PostgreSQL down and back in %v", time.Since(outage))
	// The server recovers by itself: writes succeed again soon.
	mu.Lock()
	before := len(acked)
	mu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for {
		time.Sleep(200 * time.Millisecond)
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n > before+20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no successful writes within 30 s of PostgreSQL's restart")
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("statuses %v, slowest request %v", statuses, slowest)
	for _, b := range bad {
		t.Error(b)
	}
	if slowest > 6*time.Second {
		t.Errorf("slowest request took %v: requests must fail fast during an outage", slowest)
	}
	// Every acknowledged message is stored, exactly once.
	var stored []string
	rows, err := app.DB.QueryContext(ctx, "SELECT client_message_id FROM messages WHERE client_message_id IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id) //nolint:errcheck
		stored = append(stored, id)
	}
	rows.Close()
	have := map[string]int{}
	for _, id := range stored {
		have[id]++
	}
	for _, id := range acked {
		if have[id] != 1 {
			t.Errorf("acknowledged message %s stored %d times", id, have[id])
		}
	}
	t.Logf("%d acknowledged, %d stored", len(acked), len(stored))
	// Readiness and the live event stream recover too.
	deadline = time.Now().Add(30 * time.Second)
	for {
		res := app.Request(t, "GET", "/readyz", "", nil)
		if res.Status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz after the restart: %d %s", res.Status, res.Body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ownPostgres starts a migrated PostgreSQL of the test's own, to restart
// without disturbing other tests.
func ownPostgres(t *testing.T) *devstack.Postgres {
	ctx := context.Background()
	pg, err := devstack.StartPostgres(ctx, devstack.PostgresOptions{DataDir: filepath.Join(t.TempDir(), "pg"), Fast: true, Log: discard{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop() })
	bdb, err := db.Open(ctx, pg.URL(), db.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if err := db.Migrate(ctx, bdb); err != nil {
		t.Fatal(err)
	}
	return pg
}

// rawClientRequest posts JSON without the test helpers (safe from many
// goroutines, no t.Fatal); a transport error is status 0.
func rawClientRequest(client *http.Client, url, key string, body any) apptest.Response {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytesReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", key)
	res, err := client.Do(req)
	if err != nil {
		return apptest.Response{Status: 0, Body: []byte(err.Error())}
	}
	defer res.Body.Close()
	var buf [64 << 10]byte
	n, _ := readFull(res.Body, buf[:])
	return apptest.Response{Status: res.StatusCode, Header: res.Header, Body: buf[:n]}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func readFull(r io.Reader, buf []byte) (int, error) {
	n, err := io.ReadFull(r, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return n, err
}

// TestWebhooksAcrossPostgresRestart restarts PostgreSQL while customer
// messages flow and their message.created events are being delivered:
// every message acknowledged with 201 reaches the receiver at least once,
// under one event id however often it arrives.
func TestWebhooksAcrossPostgresRestart(t *testing.T) {
	ctx := context.Background()
	pg := ownPostgres(t)
	rec := newReceiver(t)
	rec.delayFor = func(int) time.Duration { return 5 * time.Millisecond } // attempts are in flight when it goes
	app := apptest.Start(t, pg.URL(), service.Options{Actions: actions.New(actions.Config{
		AllowHTTPHosts: []string{strings.TrimPrefix(rec.URL, "http://")}, Timeout: 2 * time.Second})})
	o := app.Owned(t, "Acme")
	app.SetRateLimits(t, o.Workspace.ID, apptest.Generous)
	createEndpoint(t, app, o.Token, o.Workspace.ID, rec.URL, []string{"MESSAGE_CREATED"}, false)
	_, token := startConversation(t, app, o.Workspace.APIKey, "start")

	var (
		mu     sync.Mutex
		acked  []string
		failed int // refused during the outage
		stop   = make(chan struct{})
		wg     sync.WaitGroup
	)
	client := &http.Client{Timeout: 15 * time.Second}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf("w%d-%d", w, i)
				res := rawClientRequest(client, app.URL+"/api/customer/conversations/"+token+"/messages", o.Workspace.APIKey, map[string]any{"body": body})
				mu.Lock()
				if res.Status == 201 {
					acked = append(acked, body)
				} else {
					failed++
				}
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	time.Sleep(time.Second)
	if err := pg.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // traffic after the restart too
	close(stop)
	wg.Wait()

	bodyOf := func(r received) string {
		var d struct{ Message struct{ Body string } }
		json.Unmarshal(r.Event.Data, &d) //nolint:errcheck
		return d.Message.Body
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := rec.requests()
		ids := map[string]string{} // body → event id
		var missing []string
		for _, r := range got {
			b := bodyOf(r)
			if id, ok := ids[b]; ok && id != r.Event.ID {
				t.Fatalf("message %q arrived as events %s and %s", b, id, r.Event.ID)
			}
			ids[b] = r.Event.ID
		}
		for _, b := range acked {
			if ids[b] == "" {
				missing = append(missing, b)
			}
		}
		if len(missing) == 0 {
			t.Logf("%d messages acknowledged, %d refused during the outage, %d deliveries received", len(acked), failed, len(got))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged messages never reached the receiver, e.g. %q", len(missing), len(acked), missing[0])
		}
		time.Sleep(200 * time.Millisecond)
	}
}
