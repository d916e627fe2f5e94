// Package apptest runs a complete Helpium HTTP server for tests, on a fresh
// PostgreSQL database and the test Weaviate that `make test` starts.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/db/dbtest"
	"github.com/helpium/helpium/search"
	"github.com/helpium/helpium/server"
	"github.com/helpium/helpium/service"
)

// App is a running server and direct handles on what is behind it.
type App struct {
	URL     string
	DB      *bun.DB
	Service *service.Service
	Server  *httptest.Server
	logs    *lockedWriter
}

// WeaviateURL returns the test Weaviate's URL, failing the test when unset.
func WeaviateURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("WEAVIATE_URL")
	if u == "" {
		t.Fatal("WEAVIATE_URL is not set: run the tests with `make test`, which starts PostgreSQL and Weaviate")
	}
	return u
}

// New starts a server on a fresh database. opt may be the zero value.
func New(t testing.TB, opt service.Options) *App {
	t.Helper()
	bdb := dbtest.New(t)
	wv, err := search.NewWeaviate(WeaviateURL(t))
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedWriter{w: new(bytes.Buffer)}
	log := server.NewLogger(logs, "json", slog.LevelDebug)
	opt.Logger = log
	svc := service.New(db.NewStore(bdb), opt)
	srv := httptest.NewServer(server.NewHandler(server.Deps{Service: svc, Weaviate: wv, Logger: log}))
	t.Cleanup(srv.Close)
	return &App{URL: srv.URL, DB: bdb, Service: svc, Server: srv, logs: logs}
}

// Workspace creates a workspace called name.
func (a *App) Workspace(t testing.TB, name string) *helpium.Workspace {
	t.Helper()
	ws, err := a.Service.CreateWorkspace(context.Background(), name)
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
// body that is not []byte or string is sent as JSON.
func (a *App) Request(t testing.TB, method, path, key string, body any, header ...string) Response {
	t.Helper()
	var r io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r, contentType = bytes.NewReader(raw), "application/json"
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
	return Response{Status: res.StatusCode, Header: res.Header, Body: out}
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
