package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const testKey = "sk-test-0123456789abcdef"

// fakeServer speaks the OpenAI embeddings protocol. The embedding of a text
// is [len(text), first byte, 1], so tests can check the order.
type fakeServer struct {
	t        *testing.T
	mu       sync.Mutex
	requests [][]string
	models   []string
	auth     []string
	handler  func(w http.ResponseWriter, inputs []string) bool // true if it answered
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		http.Error(w, "bad content type "+ct, http.StatusBadRequest)
		return
	}
	var req struct {
		Model string   `json:"model"`
		Input []string `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, req.Input)
	f.models = append(f.models, req.Model)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	if f.handler != nil && f.handler(w, req.Input) {
		return
	}
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	var data []item
	// Answer in reverse order: the client must sort by index.
	for i := len(req.Input) - 1; i >= 0; i-- {
		s := req.Input[i]
		first := float32(0)
		if s != "" {
			first = float32(s[0])
		}
		data = append(data, item{"embedding", i, []float32{float32(len(s)), first, 1}})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model})
}

func newTest(t *testing.T, cfg Config) (*Client, *fakeServer) {
	t.Helper()
	f := &fakeServer{t: t}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	if cfg.BaseURL == "" {
		cfg.BaseURL = srv.URL
	}
	if cfg.Model == "" {
		cfg.Model = "text-embedding-test"
	}
	if cfg.APIKey == "" {
		cfg.APIKey = testKey
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}

func TestEmbedBatchesAndOrders(t *testing.T) {
	c, f := newTest(t, Config{})
	if c.Name() != "openai:text-embedding-test" || c.Dimensions() != 0 {
		t.Fatalf("Name %q Dimensions %d", c.Name(), c.Dimensions())
	}
	texts := make([]string, 150)
	for i := range texts {
		texts[i] = strings.Repeat(string(rune('a'+i%26)), i+1)
	}
	vecs, err := c.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != len(texts) {
		t.Fatalf("%d vectors for %d texts", len(vecs), len(texts))
	}
	for i, v := range vecs {
		if v[0] != float32(len(texts[i])) || v[1] != float32(texts[i][0]) {
			t.Fatalf("vector %d = %v does not belong to %q", i, v, texts[i])
		}
	}
	if got := []int{len(f.requests[0]), len(f.requests[1]), len(f.requests[2])}; len(f.requests) != 3 || got[0] != 64 || got[1] != 64 || got[2] != 22 {
		t.Fatalf("batches %v (%d requests)", got, len(f.requests))
	}
	for i := range f.requests {
		if f.models[i] != "text-embedding-test" {
			t.Errorf("request %d: model %q", i, f.models[i])
		}
		if f.auth[i] != "Bearer "+testKey {
			t.Errorf("request %d: Authorization %q", i, f.auth[i])
		}
	}
	if c.Dimensions() != 3 {
		t.Errorf("Dimensions learned = %d, want 3", c.Dimensions())
	}
	// Nothing to embed: no request.
	if v, err := c.Embed(context.Background(), nil); err != nil || len(v) != 0 || len(f.requests) != 3 {
		t.Errorf("Embed(nil) = %v, %v after %d requests", v, err, len(f.requests))
	}
}

func TestBaseURLForms(t *testing.T) {
	f := &fakeServer{t: t}
	srv := httptest.NewServer(f)
	defer srv.Close()
	for _, base := range []string{srv.URL, srv.URL + "/", srv.URL + "/v1", srv.URL + "/v1/"} {
		c, err := New(Config{BaseURL: base, Model: "m"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Embed(context.Background(), []string{"x"}); err != nil {
			t.Errorf("BaseURL %q: %v", base, err)
		}
	}
	if f.auth[0] != "" {
		t.Errorf("Authorization sent without an API key: %q", f.auth[0])
	}
	for _, bad := range []Config{{BaseURL: "", Model: "m"}, {BaseURL: "ftp://x", Model: "m"}, {BaseURL: srv.URL}, {BaseURL: srv.URL, Model: "m", Dimensions: -1}} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%+v) accepted", bad)
		}
	}
}

func TestErrorMapping(t *testing.T) {
	long := strings.Repeat("very long upstream failure ", 100)
	cases := []struct {
		name    string
		status  int
		body    string
		want    []string
		notWant []string
	}{
		{"openai style", 401, `{"error":{"message":"Incorrect API key provided: ` + testKey + `.","type":"invalid_request_error"}}`,
			[]string{"401", "Incorrect API key provided: [redacted]"}, []string{testKey}},
		{"string error", 429, `{"error":"rate limited, slow down"}`, []string{"429", "rate limited, slow down"}, nil},
		{"message field", 400, `{"message":"input too long"}`, []string{"400", "input too long"}, nil},
		{"plain text", 502, "<html><body>" + long + "</body></html>", []string{"502", "very long upstream failure"}, []string{strings.Repeat("very long upstream failure ", 20)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, f := newTest(t, Config{})
			f.handler = func(w http.ResponseWriter, _ []string) bool {
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
				return true
			}
			_, err := c.Embed(context.Background(), []string{"hello"})
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.status {
				t.Fatalf("err = %v, want APIError %d", err, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error %q contains %q", err, w)
				}
			}
			if len(apiErr.Message) > 4*300+10 { // 300 runes at most
				t.Errorf("message not truncated: %d bytes", len(apiErr.Message))
			}
		})
	}
}

func TestBadResponses(t *testing.T) {
	cases := map[string]string{
		"malformed":     `{"data": [`,
		"count":         `{"data": [{"index": 0, "embedding": [1, 2, 3]}]}`,
		"missing index": `{"data": [{"embedding": [1]}, {"embedding": [2]}]}`,
		"repeat index":  `{"data": [{"index": 0, "embedding": [1]}, {"index": 0, "embedding": [2]}]}`,
		"out of range":  `{"data": [{"index": 0, "embedding": [1]}, {"index": 2, "embedding": [2]}]}`,
		"ragged":        `{"data": [{"index": 0, "embedding": [1, 2]}, {"index": 1, "embedding": [2]}]}`,
		"empty vector":  `{"data": [{"index": 0, "embedding": []}, {"index": 1, "embedding": []}]}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			c, f := newTest(t, Config{})
			f.handler = func(w http.ResponseWriter, _ []string) bool {
				fmt.Fprint(w, body)
				return true
			}
			if _, err := c.Embed(context.Background(), []string{"a", "b"}); err == nil {
				t.Fatal("accepted")
			} else if strings.Contains(err.Error(), testKey) {
				t.Fatalf("error leaks the key: %v", err)
			}
		})
	}
}

func TestConfiguredDimensionsChecked(t *testing.T) {
	c, _ := newTest(t, Config{Dimensions: 4})
	if c.Dimensions() != 4 {
		t.Fatalf("Dimensions %d", c.Dimensions())
	}
	if _, err := c.Embed(context.Background(), []string{"a"}); err == nil || !strings.Contains(err.Error(), "want 4") {
		t.Fatalf("err = %v, want a dimension mismatch", err)
	}
}

func TestTimeout(t *testing.T) {
	c, f := newTest(t, Config{Timeout: 50 * time.Millisecond})
	f.handler = func(w http.ResponseWriter, _ []string) bool {
		time.Sleep(300 * time.Millisecond)
		return false
	}
	start := time.Now()
	_, err := c.Embed(context.Background(), []string{"a"})
	if err == nil || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("timeout took %v", d)
	}
}

func TestConcurrentUse(t *testing.T) {
	c, _ := newTest(t, Config{})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			text := strings.Repeat("z", g+1)
			v, err := c.Embed(context.Background(), []string{text})
			if err != nil || v[0][0] != float32(g+1) {
				t.Errorf("goroutine %d: %v %v", g, v, err)
			}
		}(g)
	}
	wg.Wait()
}
