package devstack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests start the real services. They fail (never skip) when the
// services cannot be started: that is exactly what they are here to catch.
// The first run may have to install PostgreSQL and build Weaviate (~6 min).

func TestFreePort(t *testing.T) {
	ports, err := freePorts(6)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if p <= 0 || seen[p] {
			t.Fatalf("bad or duplicate port %d in %v", p, ports)
		}
		seen[p] = true
		if !portFree(p) {
			t.Errorf("port %d not free after freePorts returned", p)
		}
	}
}

// TestFreePortsSkipReserved: a port promised to a service that has not
// bound it yet is never picked for another, even when it is the one free
// port offered first.
func TestFreePortsSkipReserved(t *testing.T) {
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	promised := l.Addr().(*net.TCPAddr).Port
	l.Close()
	Reserve(promised)
	offered := 0
	listen := func() (net.Listener, error) {
		offered++
		if offered == 1 {
			return net.Listen("tcp", fmt.Sprintf(":%d", promised))
		}
		return net.Listen("tcp", ":0")
	}
	ports, err := freePortsFrom(2, listen)
	if err != nil {
		t.Fatal(err)
	}
	if offered < 3 || slices.Contains(ports, promised) {
		t.Errorf("picked %v after %d offers; the promised port %d must be passed over", ports, offered, promised)
	}
}

// TestStartOnPort: a picked or preferred port that something takes before
// the service binds it is replaced by another pick; a port the caller chose
// is not.
func TestStartOnPort(t *testing.T) {
	// takeFirst makes the first port it is offered busy, as an outgoing
	// connection's ephemeral port would, then starts like a service does.
	takeFirst := func(t *testing.T, tried *[]int) func(int) error {
		return func(port int) error {
			*tried = append(*tried, port)
			if len(*tried) == 1 {
				l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { l.Close() })
			}
			if !portFree(port) {
				return fmt.Errorf("cannot start: %w: %d", errPortTaken, port)
			}
			return nil
		}
	}

	t.Run("picked", func(t *testing.T) {
		var tried []int
		var log bytes.Buffer
		port, err := startOnPort(0, 0, &log, takeFirst(t, &tried))
		if err != nil {
			t.Fatal(err)
		}
		if len(tried) != 2 || tried[1] == tried[0] || port != tried[1] {
			t.Fatalf("tried %v, started on %d; want a second, different port", tried, port)
		}
		if !strings.Contains(log.String(), "picking another port") {
			t.Errorf("log %q does not say why another port was picked", log.String())
		}
	})

	t.Run("chosen", func(t *testing.T) {
		want, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		var tried []int
		_, err = startOnPort(want, 0, io.Discard, takeFirst(t, &tried))
		if !errors.Is(err, errPortTaken) || !slices.Equal(tried, []int{want}) {
			t.Fatalf("tried %v, err %v; want only %d and errPortTaken", tried, err, want)
		}
	})

	t.Run("preferred", func(t *testing.T) {
		prefer, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		var tried []int
		port, err := startOnPort(0, prefer, io.Discard, func(p int) error { tried = append(tried, p); return nil })
		if err != nil || port != prefer || !slices.Equal(tried, []int{prefer}) {
			t.Fatalf("tried %v, started on %d, err %v; want the preferred %d", tried, port, err, prefer)
		}
		tried = nil
		port, err = startOnPort(0, prefer, io.Discard, takeFirst(t, &tried))
		if err != nil || len(tried) != 2 || tried[0] != prefer || port == prefer || port != tried[1] {
			t.Fatalf("tried %v, started on %d, err %v; want %d first, then another", tried, port, err, prefer)
		}
	})

	t.Run("other errors", func(t *testing.T) {
		calls := 0
		boom := errors.New("boom")
		_, err := startOnPort(0, 0, io.Discard, func(int) error { calls++; return boom })
		if err != boom || calls != 1 {
			t.Fatalf("calls %d, err %v; want one call and its error", calls, err)
		}
	})

	t.Run("always taken", func(t *testing.T) {
		calls := 0
		_, err := startOnPort(0, 0, io.Discard, func(int) error { calls++; return errPortTaken })
		if !errors.Is(err, errPortTaken) || calls != pickAttempts {
			t.Fatalf("calls %d, err %v; want %d calls and errPortTaken", calls, err, pickAttempts)
		}
	})
}

func TestStack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	dir := t.TempDir()

	var (
		pg    *Postgres
		wv    *Weaviate
		pgErr error
		wvErr error
		wg    sync.WaitGroup
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		t0 := time.Now()
		pg, pgErr = StartPostgres(ctx, PostgresOptions{DataDir: filepath.Join(dir, "postgres"), Fast: true})
		t.Logf("postgres started in %v", time.Since(t0))
	}()
	go func() {
		defer wg.Done()
		t0 := time.Now()
		wv, wvErr = StartWeaviate(ctx, WeaviateOptions{DataDir: filepath.Join(dir, "weaviate")})
		t.Logf("weaviate started in %v", time.Since(t0))
	}()
	wg.Wait()
	if pg != nil {
		defer pg.Stop()
	}
	if wv != nil {
		defer wv.Stop()
	}
	if pgErr != nil {
		t.Fatalf("StartPostgres: %v", pgErr)
	}
	if wvErr != nil {
		t.Fatalf("StartWeaviate: %v", wvErr)
	}

	// PostgreSQL: URLs, a table that must survive a restart.
	wantURL := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/helpium?sslmode=disable", pg.Port())
	if pg.URL() != wantURL {
		t.Errorf("URL() = %q, want %q", pg.URL(), wantURL)
	}
	if !strings.HasSuffix(pg.AdminURL(), fmt.Sprintf(":%d/postgres?sslmode=disable", pg.Port())) {
		t.Errorf("AdminURL() = %q", pg.AdminURL())
	}
	psql(t, pg, "CREATE TABLE t (v text); INSERT INTO t VALUES ('kept')")

	// Weaviate: ready, a class with an object that must survive a restart.
	if want := fmt.Sprintf("http://127.0.0.1:%d", wv.Port()); wv.URL() != want {
		t.Errorf("URL() = %q, want %q", wv.URL(), want)
	}
	if !strings.HasPrefix(wv.GRPCAddr(), "127.0.0.1:") || wv.GRPCAddr() == "127.0.0.1:0" {
		t.Errorf("GRPCAddr() = %q", wv.GRPCAddr())
	}
	checkWeaviateReady(t, wv)
	httpJSON(t, "POST", wv.URL()+"/v1/schema", `{"class":"Doc","vectorizer":"none","properties":[{"name":"title","dataType":["text"]}]}`, 200)
	httpJSON(t, "POST", wv.URL()+"/v1/objects",
		`{"class":"Doc","id":"00000000-0000-0000-0000-000000000001","properties":{"title":"kept"},"vector":[0.1,0.2,0.3]}`, 200)

	pgPid, wvPid := pg.proc.cmd.Process.Pid, wv.proc.cmd.Process.Pid

	// Restart both (an "outage") and check the data is still there.
	t0 := time.Now()
	if err := pg.Restart(ctx); err != nil {
		t.Fatalf("postgres Restart: %v", err)
	}
	t.Logf("postgres restarted in %v", time.Since(t0))
	if got := psql(t, pg, "SELECT v FROM t"); got != "kept" {
		t.Errorf("after restart: SELECT v FROM t = %q, want kept", got)
	}
	if pidAlive(pgPid) {
		t.Errorf("old postgres pid %d still alive after Restart", pgPid)
	}

	t0 = time.Now()
	if err := wv.Restart(ctx); err != nil {
		t.Fatalf("weaviate Restart: %v", err)
	}
	t.Logf("weaviate restarted in %v", time.Since(t0))
	checkWeaviateReady(t, wv)
	body := httpJSON(t, "GET", wv.URL()+"/v1/objects/Doc/00000000-0000-0000-0000-000000000001", "", 200)
	if !strings.Contains(body, `"kept"`) {
		t.Errorf("after restart: object = %s", body)
	}
	if pidAlive(wvPid) {
		t.Errorf("old weaviate pid %d still alive after Restart", wvPid)
	}

	// Stop: ports released, no process left behind.
	pgPid, wvPid = pg.proc.cmd.Process.Pid, wv.proc.cmd.Process.Pid
	wvPorts := wv.allPorts()
	if err := pg.Stop(); err != nil {
		t.Errorf("postgres Stop: %v", err)
	}
	if err := wv.Stop(); err != nil {
		t.Errorf("weaviate Stop: %v", err)
	}
	if err := pg.Stop(); err != nil { // idempotent
		t.Errorf("second postgres Stop: %v", err)
	}
	for _, port := range append([]int{pg.Port()}, wvPorts...) {
		if !waitPortFree(port, 5*time.Second) {
			t.Errorf("port %d still in use after Stop", port)
		}
	}
	for _, pid := range []int{pgPid, wvPid} {
		if !waitPidGone(pid, 5*time.Second) {
			t.Errorf("pid %d still alive after Stop", pid)
		}
	}
	if procs := processesMentioning(dir); len(procs) > 0 {
		t.Errorf("processes left behind after Stop:\n%s", strings.Join(procs, "\n"))
	}
}

// TestPostgresStalePid simulates a crashed run: a postmaster.pid naming a
// dead process must not prevent the next start.
func TestPostgresStalePid(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dataDir := filepath.Join(t.TempDir(), "pg")
	var log bytes.Buffer
	pg, err := StartPostgres(ctx, PostgresOptions{DataDir: dataDir, Fast: true, Log: &syncWriter{w: &log}})
	if err != nil {
		t.Fatalf("StartPostgres: %v", err)
	}
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	// A dead pid (a process we started and reaped) in a leftover pid file.
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	stale := fmt.Sprintf("%d\n%s\n0\n%d\n", c.ProcessState.Pid(), dataDir, pg.Port())
	if err := os.WriteFile(filepath.Join(dataDir, "postmaster.pid"), []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := pg.Restart(ctx); err != nil {
		t.Fatalf("start with stale postmaster.pid: %v", err)
	}
	defer pg.Stop()
	if got := psql(t, pg, "SELECT 42"); got != "42" {
		t.Errorf("SELECT 42 = %q", got)
	}
}

func psql(t *testing.T, pg *Postgres, sql string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(pg.BinDir(), "psql"), "-X", "-q", "-A", "-t",
		"-v", "ON_ERROR_STOP=1", pg.URL(), "-c", sql).CombinedOutput()
	if err != nil {
		t.Fatalf("psql %q: %v\n%s", sql, err, out)
	}
	return strings.TrimSpace(string(out))
}

func checkWeaviateReady(t *testing.T, wv *Weaviate) {
	t.Helper()
	httpJSON(t, "GET", wv.URL()+"/v1/.well-known/ready", "", 200)
	var meta struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal([]byte(httpJSON(t, "GET", wv.URL()+"/v1/meta", "", 200)), &meta); err != nil {
		t.Fatalf("/v1/meta: %v", err)
	}
	if "v"+meta.Version != WeaviateVersion {
		t.Errorf("weaviate version %q, want %s", meta.Version, WeaviateVersion)
	}
}

func httpJSON(t *testing.T, method, url, body string, want int) string {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, url, resp.StatusCode, want, b)
	}
	return string(b)
}

// processesMentioning lists live processes whose command line, working
// directory or executable refers to path.
func processesMentioning(path string) []string {
	var found []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		cwd, _ := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
		environ, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if bytes.Contains(cmdline, []byte(path)) || strings.HasPrefix(cwd, path) || bytes.Contains(environ, []byte(path)) {
			found = append(found, fmt.Sprintf("pid %d: %s", pid, bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})))
		}
	}
	return found
}

// TestBuildLock checks the lock that makes concurrent callers of
// EnsureWeaviateBinary wait for a single build.
func TestBuildLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := flock(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{})
	got := make(chan error, 1)
	go func() {
		u, err := flock(ctx, path, func() { close(waited) })
		if err == nil {
			u()
		}
		got <- err
	}()
	select {
	case <-waited:
	case err := <-got:
		t.Fatalf("second flock did not wait (err %v)", err)
	case <-time.After(5 * time.Second):
		t.Fatal("second flock neither waited nor returned")
	}
	unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("second flock not granted after unlock")
	}
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	unlock, _ = flock(ctx, path, nil)
	defer unlock()
	if _, err := flock(cctx, path, nil); err == nil {
		t.Fatal("flock on a held lock succeeded")
	}
}

func TestExitedDuringStartup(t *testing.T) {
	for _, c := range []struct {
		tail  string
		taken bool
	}{
		{"2026/12/04 18:54:03 listen tcp 127.0.0.1:35369: bind: address already in use", true},
		{"FATAL: data directory has wrong ownership", false},
		{"", false},
	} {
		err := exitedDuringStartup("weaviate", errors.New("exit status 1"), c.tail)
		if errors.Is(err, errPortTaken) != c.taken || !strings.Contains(err.Error(), "weaviate exited during startup") {
			t.Errorf("%q: %v", c.tail, err)
		}
	}
}
