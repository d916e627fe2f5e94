// Package apptest runs a complete Helpium HTTP server for tests, on a fresh
// PostgreSQL database and the test Weaviate that `make test` starts.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/actions"
	"github.com/helpium/helpium/blob"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/db/dbtest"
	"github.com/helpium/helpium/events"
	"github.com/helpium/helpium/mail"
	"github.com/helpium/helpium/metrics"
	"github.com/helpium/helpium/search"
	"github.com/helpium/helpium/secret"
	"github.com/helpium/helpium/server"
	"github.com/helpium/helpium/service"
	"github.com/helpium/helpium/webhook"
)

// App is a running server and direct handles on what is behind it.
type App struct {
	URL         string
	DatabaseURL string
	DB          *bun.DB
	Service     *service.Service
	Events      *events.Broker
	Server      *httptest.Server
	logs        *lockedWriter
}

func init() { gin.SetMode(gin.ReleaseMode) }

// WeaviateURL returns the test Weaviate's URL, failing the test when unset.
func WeaviateURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("WEAVIATE_URL")
	if u == "" {
		t.Fatal("WEAVIATE_URL is not set: run the tests with `make test`, which starts PostgreSQL and Weaviate")
	}
	return u
}

// TestSMTP returns a sender to the Mailpit that `make test` starts
// (HELPIUM_SMTP_HOST and HELPIUM_SMTP_PORT), failing the test when it is
// not configured.
func TestSMTP(t testing.TB) *mail.SMTP {
	t.Helper()
	host, port := os.Getenv("HELPIUM_SMTP_HOST"), os.Getenv("HELPIUM_SMTP_PORT")
	if host == "" || port == "" {
		t.Fatal("HELPIUM_SMTP_HOST and HELPIUM_SMTP_PORT are not set: run the tests with `make test`, which starts Mailpit")
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatalf("HELPIUM_SMTP_PORT: %v", err)
	}
	s, err := mail.NewSMTP(mail.SMTPConfig{Host: host, Port: p, From: "Helpium <helpium@helpium.test>", TLS: mail.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// New starts a server on a fresh database. opt may be the zero value;
// configure, if given, adjusts the HTTP layer's dependencies.
func New(t testing.TB, opt service.Options, configure ...func(*server.Deps)) *App {
	t.Helper()
	return Start(t, dbtest.NewURL(t), opt, configure...)
}

// Start starts a server on the database at dbURL; several servers on one
// database behave like replicas. configure, if given, adjusts the HTTP
// layer's dependencies (trusted proxies, stream caps, another Weaviate).
func Start(t testing.TB, dbURL string, opt service.Options, configure ...func(*server.Deps)) *App {
	t.Helper()
	bdb, err := db.Open(context.Background(), dbURL, db.Options{MaxOpenConns: 16, Debug: os.Getenv("HELPIUM_DB_DEBUG") == "true"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	wv, err := search.NewWeaviate(WeaviateURL(t))
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedWriter{w: new(bytes.Buffer)}
	log := server.NewLogger(logs, "json", slog.LevelDebug)
	broker := events.NewBroker(dbURL, log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { broker.Run(ctx); close(done) }()
	opt.Logger, opt.Events = log, broker
	if opt.Secrets == nil {
		opt.Secrets = TestKeyring(t)
	}
	if opt.Metrics == nil {
		opt.Metrics = metrics.New()
	}
	if opt.Actions == nil {
		opt.Actions = actions.New(actions.Config{})
	}
	if opt.Blobs == nil {
		disk, err := blob.NewDisk(filepath.Join(t.TempDir(), "blobs"))
		if err != nil {
			t.Fatal(err)
		}
		opt.Blobs = disk
	}
	m := opt.Metrics // the service's and the server's, as helpium serve wires them
	srv := httptest.NewUnstartedServer(nil)
	if opt.PublicURL == "" {
		opt.PublicURL = "http://" + srv.Listener.Addr().String()
	}
	store := db.NewStore(bdb)
	svc := service.New(store, opt)
	runDone := make(chan struct{})
	go func() { svc.Run(ctx); close(runDone) }()
	// The mailer and the webhook dispatcher poll on a pool of their own, so
	// that tests counting the server's SQL statements do not count theirs.
	mailDB, err := db.Open(context.Background(), dbURL, db.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mailDB.Close() })
	mailer := mail.NewMailer(db.NewStore(mailDB), TestSMTP(t), log, mail.MailerOptions{Poll: 50 * time.Millisecond})
	mailerDone := make(chan struct{})
	go func() { mailer.Run(ctx); close(mailerDone) }()
	dispatcher := webhook.New(db.NewStore(mailDB), opt.Actions, opt.Secrets, broker, m, log,
		webhook.Options{Poll: 50 * time.Millisecond, Timeout: 2 * time.Second, Schedule: WebhookRetries})
	dispatcherDone := make(chan struct{})
	go func() { dispatcher.Run(ctx); close(dispatcherDone) }()
	m.WatchDB(bdb.DB)
	m.Gauge("helpium_event_subscribers", "Live event subscriptions on this replica.", func() float64 { return float64(broker.Subscribers()) })
	deps := server.Deps{Service: svc, Weaviate: wv, Events: broker, Logger: log, Metrics: m, MetricsToken: MetricsToken}
	for _, f := range configure {
		f(&deps)
	}
	srv.Config.Handler = server.NewHandler(deps)
	server.DefaultTimeouts.Apply(srv.Config) // as helpium serve runs it
	srv.Start()
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		cancel()
		<-done
		<-runDone
		<-mailerDone
		<-dispatcherDone
	})
	waitFor(t, "events broker", broker.Ready)
	return &App{URL: srv.URL, DB: bdb, Service: svc, Server: srv, Events: broker, DatabaseURL: dbURL, logs: logs}
}

// WebhookRetries are the waits between webhook attempts on test servers.
var WebhookRetries = []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}

// MetricsToken is the bearer token test servers serve /metrics to.
const MetricsToken = "test-metrics-token-0123456789"

// Workspace creates a workspace called name.
func (a *App) Workspace(t testing.TB, name string) *helpium.Workspace {
	t.Helper()
	ws, err := a.Service.Workspaces.CreateWorkspace(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// Response is a recorded HTTP response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Request sends a request with optional widget key and headers; a non-nil
// body that is not []byte, string or io.Reader is sent as JSON. An
// io.Reader is sent without a Content-Length (chunked), so the server
// learns its size only by reading it.
func (a *App) Request(t testing.TB, method, path, key string, body any, header ...string) Response {
	t.Helper()
	var raw []byte
	contentType := ""
	chunked := false
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case string:
		raw = []byte(b)
	case io.Reader:
		var err error
		if raw, err = io.ReadAll(b); err != nil {
			t.Fatal(err)
		}
		chunked = true
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
		contentType = "application/json"
	}
	var r io.Reader
	switch {
	case chunked:
		r = io.MultiReader(bytes.NewReader(raw)) // hides the length from http.NewRequest
	case body != nil:
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, a.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	resp := Response{Status: res.StatusCode, Header: res.Header, Body: out}
	checkContract(t, req, raw, resp)
	return resp
}

// GraphQLError is one entry of a GraphQL response's errors.
type GraphQLError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns extensions.code.
func (e GraphQLError) Code() string { s, _ := e.Extensions["code"].(string); return s }

// GraphQL posts a query with the given widget key and decodes data into
// out; it returns the errors of the response.
func (a *App) GraphQL(t testing.TB, key, query string, vars map[string]any, out any, header ...string) []GraphQLError {
	t.Helper()
	res := a.Request(t, http.MethodPost, "/graphql", key, map[string]any{"query": query, "variables": vars}, header...)
	var body struct {
		Data   json.RawMessage `json:"data"`
		Errors []GraphQLError  `json:"errors"`
	}
	res.JSON(t, &body)
	if out != nil && len(body.Data) > 0 && string(body.Data) != "null" {
		if err := json.Unmarshal(body.Data, out); err != nil {
			t.Fatalf("decode data %s: %v", body.Data, err)
		}
	}
	return body.Errors
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Member is an agent of a workspace with a personal access token.
type Member struct {
	Agent *helpium.Agent
	Token string
}

// Owned creates a workspace called name with an owner agent, and returns
// both with the owner's token.
func (a *App) Owned(t testing.TB, name string) *service.NewOwner {
	t.Helper()
	o, err := a.Service.Accounts.CreateWorkspaceWithOwner(context.Background(), name, "")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// Member adds an agent with role to a workspace.
func (a *App) Member(t testing.TB, workspaceID, email string, role helpium.Role) Member {
	t.Helper()
	agent, token, _, err := a.Service.Accounts.CreateMember(context.Background(), workspaceID, email, "", role)
	if err != nil {
		t.Fatal(err)
	}
	return Member{Agent: agent, Token: token}
}

// AgentGraphQL runs a GraphQL operation as the agent owning token.
func (a *App) AgentGraphQL(t testing.TB, token, query string, vars map[string]any, out any) []GraphQLError {
	t.Helper()
	return a.GraphQL(t, "", query, vars, out, "Authorization", "Bearer "+token)
}

// TestKeyring returns a keyring with one fresh key.
func TestKeyring(t testing.TB) *secret.Keyring {
	k, err := secret.ParseKeyring(secret.NewKeySpec("test"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// File is a file part of a multipart request.
type File struct {
	Field, Name, Type string // Field defaults to "files"
	Data              []byte
}

// Multipart sends a multipart/form-data request with text fields and
// files, as a browser's FormData does.
func (a *App) Multipart(t testing.TB, method, path, key string, fields map[string]string, files []File, header ...string) Response {
	t.Helper()
	body, contentType := MultipartBody(t, fields, files)
	return a.Request(t, method, path, key, body, append([]string{"Content-Type", contentType}, header...)...)
}

// MultipartBody encodes fields and files as multipart/form-data.
func MultipartBody(t testing.TB, fields map[string]string, files []File) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	// The GraphQL multipart request spec wants operations, then map,
	// before the files; other fields go in name order.
	rank := map[string]int{"operations": 1, "map": 2}
	sort.Slice(names, func(i, j int) bool {
		ri, rj := rank[names[i]], rank[names[j]]
		if ri == 0 {
			ri = 3
		}
		if rj == 0 {
			rj = 3
		}
		return ri < rj || ri == rj && names[i] < names[j]
	})
	for _, k := range names {
		if err := w.WriteField(k, fields[k]); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		field := f.Field
		if field == "" {
			field = "files"
		}
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, f.Name))
		if f.Type != "" {
			h.Set("Content-Type", f.Type)
		}
		part, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(f.Data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w.FormDataContentType()
}
