package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/embed"
	"github.com/helpium/helpium/embed/bert"
	"github.com/helpium/helpium/search"
	"github.com/helpium/helpium/service"
)

// harness holds what every workload uses: the Helpium server subprocess,
// a direct database connection (for baselines and seeding) and the
// embedding model (for the search baseline and the embedding workload).
type harness struct {
	o       options
	r       *report
	tmp     string
	dataDir string
	blobDir string // the disk store's directory
	bin     string
	env     []string
	srv     *subprocess
	base    string // http://127.0.0.1:port of the server
	bdb     *bun.DB
	store   *db.Store
	svc     *service.Service
	model   *embed.Ensemble
	wv      *search.Weaviate
	hooks   *hookReceiver // the webhook workload's receiver
	log     *slog.Logger
	closers []func()
}

// subprocess is a server started by the harness.
type subprocess struct {
	cmd   *exec.Cmd
	addr  string
	admin string
	p     proc
	done  chan struct{}
}

func (s *subprocess) stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

func (h *harness) close() {
	for i := len(h.closers) - 1; i >= 0; i-- {
		h.closers[i]()
	}
	h.closers = nil
}

// setup builds helpium, migrates, loads the model and starts the server.
func setup(ctx context.Context, o options, r *report) (*harness, error) {
	h := &harness{o: o, r: r, log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	ok := false
	defer func() {
		if !ok {
			h.close()
		}
	}()
	var err error
	if h.tmp, err = os.MkdirTemp("", "helpium-bench-"); err != nil {
		return nil, err
	}
	h.closers = append(h.closers, func() { os.RemoveAll(h.tmp) })

	t0 := time.Now()
	h.bin = filepath.Join(h.tmp, "helpium")
	build := exec.CommandContext(ctx, "go", "build", "-o", h.bin, "./cmd/helpium")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/helpium: %w", err)
	}
	r.setup("build helpium", time.Since(t0))

	dataDir := os.Getenv("HELPIUM_DATA_DIR")
	if dataDir == "" {
		dataDir = ".data/bench"
	}
	h.dataDir, h.blobDir = dataDir, filepath.Join(dataDir, "blobs")
	key, err := output(ctx, os.Environ(), h.bin, "keys", "generate", "-id", "bench")
	if err != nil {
		return nil, err
	}
	h.env = append(os.Environ(),
		"HELPIUM_ENCRYPTION_KEY="+strings.TrimSpace(key),
		"HELPIUM_AGENT_RATE_LIMIT=1000000", // one agent drives the inbox workload
		"HELPIUM_MODEL_DIR="+filepath.Join(dataDir, "models"),
		"HELPIUM_BLOB_STORE=disk", "HELPIUM_BLOB_DIR="+h.blobDir, // the uploads workload starts an S3 server of its own
	)
	t0 = time.Now()
	if _, err := output(ctx, h.env, h.bin, "migrate"); err != nil {
		return nil, err
	}
	if h.bdb, err = db.Open(ctx, os.Getenv("DATABASE_URL"), db.Options{MaxOpenConns: 32}); err != nil {
		return nil, err
	}
	h.closers = append(h.closers, func() { h.bdb.Close() })
	h.store = db.NewStore(h.bdb)
	h.svc = service.New(h.store, service.Options{Logger: h.log})
	r.setup("migrate", time.Since(t0))

	t0 = time.Now()
	if h.model, err = bert.OpenDefault(ctx, filepath.Join(dataDir, "models"), bert.SourcesFromEnv()); err != nil {
		return nil, fmt.Errorf("embedding model: %w", err)
	}
	if h.wv, err = search.NewWeaviate(os.Getenv("WEAVIATE_URL")); err != nil {
		return nil, err
	}
	r.setup("fetch and load the embedding model", time.Since(t0))

	// Webhooks go to a receiver on loopback, listed as for development.
	if h.hooks, err = startHookReceiver(); err != nil {
		return nil, err
	}
	h.closers = append(h.closers, h.hooks.close)
	h.env = append(h.env, "HELPIUM_OUTBOUND_ALLOW_HOSTS="+h.hooks.addr)

	t0 = time.Now()
	logPath := filepath.Join(dataDir, "logs", "helpium-bench.log")
	if h.srv, err = h.startHelpium(ctx, logPath); err != nil {
		return nil, err
	}
	h.closers = append(h.closers, h.srv.stop)
	h.base = "http://" + h.srv.addr
	r.setup("start helpium serve", time.Since(t0))
	r.idleRSS = h.srv.p.rss()
	ok = true
	return h, nil
}

// startHelpium runs `helpium serve` on a free loopback port with the admin
// (pprof) listener on another, and waits until it answers /readyz; env
// adds to (or overrides) the harness's environment.
func (h *harness) startHelpium(ctx context.Context, logPath string, env ...string) (*subprocess, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	admin, err := freeAddr()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(h.bin, "serve")
	cmd.Env = slices.Concat(h.env, env, []string{"HELPIUM_ADDR=" + addr, "HELPIUM_ADMIN_ADDR=" + admin})
	cmd.Stdout, cmd.Stderr = io.Discard, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	s, err := startSub(cmd, addr)
	if err != nil {
		logf.Close()
		return nil, err
	}
	s.admin = admin
	go func() { <-s.done; logf.Close() }()
	if err := waitHTTP(ctx, "http://"+addr+"/readyz", 3*time.Minute, s.done); err != nil {
		s.stop()
		tail, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("helpium serve: %w\n%s", err, lastLines(string(tail), 30))
	}
	return s, nil
}

func startSub(cmd *exec.Cmd, addr string) (*subprocess, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &subprocess{cmd: cmd, addr: addr, p: proc{cmd.Process.Pid}, done: make(chan struct{})}
	go func() { cmd.Wait(); close(s.done) }()
	return s, nil
}

// startBaselineServer runs this program's baseline-server mode serving
// body at path.
func (h *harness) startBaselineServer(ctx context.Context, path string, body []byte) (*subprocess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	file := filepath.Join(h.tmp, "baseline-body.json")
	if err := os.WriteFile(file, body, 0o644); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "baseline-server", "-addr", addr, "-path", path, "-body", file)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	s, err := startSub(cmd, addr)
	if err != nil {
		return nil, err
	}
	if err := waitHTTP(ctx, "http://"+addr+path, 30*time.Second, s.done); err != nil {
		s.stop()
		return nil, fmt.Errorf("baseline server: %w", err)
	}
	return s, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitHTTP(ctx context.Context, url string, timeout time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("exited before answering %s", url)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s not ready after %v", url, timeout)
}

func output(ctx context.Context, env []string, bin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// workspace is a workspace made for a workload, with generous rate limits
// so that the limiter counts every request but refuses none.
type workspace struct {
	id, key, token, ownerID string
	email, password         string // the owner's, to sign in to the agent app
}

func (h *harness) newWorkspace(ctx context.Context, name string) (*workspace, error) {
	o, err := h.svc.Accounts.CreateWorkspaceWithOwner(ctx, name, "")
	if err != nil {
		return nil, err
	}
	w := &workspace{id: o.Workspace.ID, key: o.Workspace.APIKey, token: o.Token, email: o.Email, password: o.Password}
	if err := h.bdb.NewRaw("SELECT agent_id FROM memberships WHERE workspace_id = ? LIMIT 1", w.id).Scan(ctx, &w.ownerID); err != nil {
		return nil, err
	}
	var out struct {
		SetRateLimits struct{ ID string }
	}
	err = h.graphQL(ctx, w.token, `mutation($w: ID!) { setRateLimits(workspaceId: $w, input: {customerApiPerMinute: 1000000,
		conversationsPerMinute: 1000000, messagesPerMinute: 1000000}) { id } }`, map[string]any{"w": w.id}, &out)
	return w, err
}

// graphQL posts one GraphQL request as an agent and decodes data into out.
func (h *harness) graphQL(ctx context.Context, token, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var env struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("graphql: status %d: %s", res.StatusCode, raw)
	}
	if len(env.Errors) > 0 {
		return fmt.Errorf("graphql: %s", env.Errors[0].Message)
	}
	return json.Unmarshal(env.Data, out)
}

// customerPost posts JSON to the Customer API and decodes the answer.
func (h *harness) customerPost(ctx context.Context, key, path string, in, out any, want int) error {
	body, _ := json.Marshal(in)
	return h.customerSend(ctx, key, path, "application/json", body, out, want)
}

// customerForm posts a multipart form with files to the Customer API and
// decodes the answer.
func (h *harness) customerForm(ctx context.Context, key, path string, fields map[string]string, files []formFile, out any, want int) error {
	body, contentType := multipartBody(fields, files)
	return h.customerSend(ctx, key, path, contentType, body, out, want)
}

func (h *harness) customerSend(ctx context.Context, key, path, contentType string, body []byte, out any, want int) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.base+"/api/customer"+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-API-Key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return fmt.Errorf("POST %s: status %d: %s", path, res.StatusCode, raw)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// profile saves a CPU profile of server s over d, when -profile is set.
func (h *harness) profile(s *subprocess, name string, d time.Duration) (wait func()) {
	if h.o.profileDir == "" || s == nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		secs := max(1, int(d.Seconds()))
		res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.admin, secs))
		if err != nil {
			logf("profile %s: %v", name, err)
			return
		}
		defer res.Body.Close()
		os.MkdirAll(h.o.profileDir, 0o755)
		f, err := os.Create(filepath.Join(h.o.profileDir, name+".pprof"))
		if err != nil {
			logf("profile %s: %v", name, err)
			return
		}
		io.Copy(f, res.Body)
		f.Close()
		logf("profile %s saved", name)
	}()
	return func() { <-done }
}
