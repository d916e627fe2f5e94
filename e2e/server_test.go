//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/db/dbtest"
	"github.com/helpium/helpium/service"
)

// server is the real Helpium binary, run as `make run` runs it (`serve
// -migrate -seed`, so with the demo workspace and its knowledge base), on a
// fresh database of the devstack PostgreSQL and on its Weaviate.
type server struct {
	URL         string
	DatabaseURL string
	out         *syncBuffer
}

// startServer builds cmd/helpium and runs it until the test ends.
func startServer(t *testing.T) *server {
	t.Helper()
	if os.Getenv("DATABASE_URL") == "" || os.Getenv("WEAVIATE_URL") == "" {
		t.Fatal("DATABASE_URL and WEAVIATE_URL are not set: run these tests with `make e2e`, which starts PostgreSQL and Weaviate")
	}
	bin := filepath.Join(t.TempDir(), "helpium")
	build := exec.Command("go", "build", "-o", bin, "github.com/helpium/helpium/cmd/helpium")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/helpium: %v\n%s", err, out)
	}
	dbURL := dbtest.NewURL(t)
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "HELPIUM_ADDR=127.0.0.1:"+freePort(t), "HELPIUM_LOG_LEVEL=warn",
		"HELPIUM_BLOB_DIR="+t.TempDir()) // attachments, dropped with the test
	if os.Getenv("HELPIUM_ENCRYPTION_KEY") == "" {
		// Servers that keep customers' bearer tokens need a key; older
		// builds have no keys command and need none.
		if key, err := exec.Command(bin, "keys", "generate", "-id", "e2e").Output(); err == nil {
			env = append(env, "HELPIUM_ENCRYPTION_KEY="+strings.TrimSpace(string(key)))
		}
	}
	s := &server{DatabaseURL: dbURL, out: &syncBuffer{}}
	cmd := exec.Command(bin, "serve", "-migrate", "-seed")
	cmd.Env = env
	cmd.Dir = ".." // the repository root, where `make run` runs it
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Registered after dbtest's cleanup, so it runs first: the server lets
	// go of the database before it is dropped.
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			// To a file, so that the test's own messages stay the last
			// lines before its FAIL.
			log := filepath.Join(artifactsDir, t.Name(), "server.log")
			if err := os.MkdirAll(filepath.Dir(log), 0o755); err == nil && os.WriteFile(log, []byte(s.out.String()), 0o644) == nil {
				t.Logf("server output: %s", log)
			} else {
				t.Logf("server output:\n%s", s.out.String())
			}
		}
	})
	addr := ""
	for _, env := range env {
		if v, ok := strings.CutPrefix(env, "HELPIUM_ADDR="); ok {
			addr = v
		}
	}
	s.URL = "http://" + addr
	// The first start on a data dir fetches the embedding model; give it time.
	deadline := time.Now().Add(5 * time.Minute)
	for {
		res, err := http.Get(s.URL + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("helpium serve exited: %v\n%s", err, s.out.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("helpium serve not ready after 5 minutes:\n%s", s.out.String())
		}
	}
	return s
}

// member adds an agent with role to the demo workspace and returns its
// personal access token.
func (s *server) member(t *testing.T, email string, role helpium.Role) (workspaceID, token string) {
	workspaceID, token, _ = s.memberWithPassword(t, email, role)
	return workspaceID, token
}

// memberWithPassword is member that also returns the agent's password.
func (s *server) memberWithPassword(t *testing.T, email string, role helpium.Role) (workspaceID, token, password string) {
	t.Helper()
	ctx := context.Background()
	bdb, err := db.Open(ctx, s.DatabaseURL, db.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	store := db.NewStore(bdb)
	ws, err := store.FindWorkspaceByAPIKey(ctx, service.DemoAPIKey)
	if err != nil {
		t.Fatalf("demo workspace: %v", err)
	}
	_, token, password, err = service.New(store, service.Options{}).Accounts.CreateMember(ctx, ws.ID, email, "", role)
	if err != nil {
		t.Fatal(err)
	}
	return ws.ID, token, password
}

// demoOwner signs the demo workspace's owner in over GraphQL and returns
// the session token and the workspace's id.
func (s *server) demoOwner(t *testing.T) (token, workspaceID string) {
	t.Helper()
	var login struct{ Login struct{ Token string } }
	if errs := s.graphQL(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`,
		map[string]any{"e": service.DemoOwnerEmail, "p": service.DemoOwnerPassword}, &login); len(errs) > 0 || login.Login.Token == "" {
		t.Fatalf("login as %s: %+v", service.DemoOwnerEmail, errs)
	}
	var mine struct {
		MyWorkspaces []struct{ Workspace struct{ ID string } }
	}
	if errs := s.graphQL(t, login.Login.Token, `{ myWorkspaces { workspace { id } } }`, nil, &mine); len(errs) > 0 || len(mine.MyWorkspaces) != 1 {
		t.Fatalf("the demo owner's workspaces: %+v %+v", mine.MyWorkspaces, errs)
	}
	return login.Login.Token, mine.MyWorkspaces[0].Workspace.ID
}

// call sends a request with the widget key (or, for GraphQL, an agent
// token) and returns the status, headers and body.
func (s *server) call(t *testing.T, method, path, key, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	res, err := send(method, s.URL+path, key, body, header...)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

// getJSON GETs a Customer API path and decodes a 200 answer into out.
func (s *server) getJSON(t *testing.T, path, key string, out any) {
	t.Helper()
	status, _, body := s.call(t, http.MethodGet, path, key, "")
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// graphQL runs an operation as the agent owning token (anonymously
// without one, as login does).
func (s *server) graphQL(t *testing.T, token, query string, vars map[string]any, out any) []gqlError {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	var header []string
	if token != "" {
		header = []string{"Authorization", "Bearer " + token}
	}
	_, _, body := s.call(t, http.MethodPost, "/graphql", "", string(payload), header...)
	var res struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("graphql: %v: %s", err, body)
	}
	if out != nil && len(res.Data) > 0 && string(res.Data) != "null" {
		json.Unmarshal(res.Data, out)
	}
	return res.Errors
}

// send makes one request; body, when not empty, is JSON.
func send(method, url, key, body string, header ...string) (*http.Response, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return http.DefaultClient.Do(req)
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
