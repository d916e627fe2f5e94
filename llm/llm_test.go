package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/helpium/helpium/llm"
)

func TestCompleteWithTools(t *testing.T) {
	var got map[string]any
	var auth, path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, path = r.Header.Get("Authorization"), r.URL.Path
		json.NewDecoder(r.Body).Decode(&got)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"c1","model":"m-2","choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":null,
			"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup_order","arguments":"{\"order_id\":\"42\"}"}}]}}],
			"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}`)
	}))
	defer srv.Close()
	c, err := llm.New(llm.Config{BaseURL: srv.URL + "/v1/", Model: "m", APIKey: "sk-test"})
	if err != nil {
		t.Fatal(err)
	}
	temp := 0.0
	res, err := c.Complete(context.Background(), llm.Request{
		Messages:    []llm.Message{{Role: llm.RoleSystem, Content: "be brief"}, {Role: llm.RoleUser, Content: "where is order 42?"}},
		Tools:       []llm.Tool{llm.FunctionTool("lookup_order", "Look up an order.", json.RawMessage(`{"type":"object","properties":{"order_id":{"type":"string"}}}`))},
		ToolChoice:  "auto",
		Temperature: &temp,
		MaxTokens:   100,
		Extra:       map[string]any{"seed": 7, "model": "ignored"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if path != "/v1/chat/completions" || auth != "Bearer sk-test" {
		t.Errorf("path %q auth %q", path, auth)
	}
	if got["model"] != "m" || got["tool_choice"] != "auto" || got["temperature"] != 0.0 || got["max_tokens"] != 100.0 || got["seed"] != 7.0 {
		t.Errorf("request %v", got)
	}
	if _, ok := got["stream"]; ok {
		t.Errorf("stream sent: %v", got)
	}
	tools := got["tools"].([]any)
	fn := tools[0].(map[string]any)["function"].(map[string]any)
	if fn["name"] != "lookup_order" || fn["parameters"].(map[string]any)["type"] != "object" {
		t.Errorf("tools %v", tools)
	}
	if len(res.Message.ToolCalls) != 1 || res.Message.ToolCalls[0].ID != "call_1" ||
		res.Message.ToolCalls[0].Function.Arguments != `{"order_id":"42"}` || res.FinishReason != "tool_calls" ||
		res.Usage.TotalTokens != 15 || res.Model != "m-2" || res.Message.Role != "assistant" {
		t.Errorf("response %+v", res)
	}
}

func TestErrorsHideTheKey(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("case") {
		default:
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s","type":"invalid_request_error"}}`, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		}
	}))
	defer srv.Close()
	c, _ := llm.New(llm.Config{BaseURL: srv.URL, Model: "m", APIKey: "sk-very-secret"})
	_, err := c.Complete(context.Background(), llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}})
	var apiErr *llm.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Temporary() {
		t.Fatalf("err %v", err)
	}
	if strings.Contains(err.Error(), "sk-very-secret") || !strings.Contains(err.Error(), "Incorrect API key") {
		t.Errorf("error %q", err)
	}
	if _, err := c.Complete(context.Background(), llm.Request{}); err == nil {
		t.Error("empty request accepted")
	}
	for _, bad := range []llm.Config{{BaseURL: "ftp://x", Model: "m"}, {BaseURL: "http://x"}, {BaseURL: "", Model: "m"}} {
		if _, err := llm.New(bad); err == nil {
			t.Errorf("New(%+v) accepted", bad)
		}
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ := llm.New(llm.Config{BaseURL: srv.URL, Model: "m", Timeout: 100 * time.Millisecond})
	start := time.Now()
	_, err := c.Complete(context.Background(), llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("err %v after %s", err, time.Since(start))
	}
}

func TestStream(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		json.NewDecoder(r.Body).Decode(&req)
		if req["stream"] != true || r.Header.Get("Accept") != "text/event-stream" {
			http.Error(w, "not streaming", 400)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, chunk := range []string{
			`{"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Your order "}}]}`,
			`{"choices":[{"index":0,"delta":{"content":"shipped."}}]}`,
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"track","arguments":"{\"id\":"}}]}}]}`,
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"7\"}"}}]},"finish_reason":"tool_calls"}]}`,
		} {
			fmt.Fprintf(w, ": keep-alive\n\ndata: %s\n\n", chunk)
			w.(http.Flusher).Flush()
		}
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	defer srv.Close()
	c, _ := llm.New(llm.Config{BaseURL: srv.URL, Model: "m"})
	var deltas []string
	res, err := c.Stream(context.Background(), llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}}, func(d string) error {
		deltas = append(deltas, d)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(deltas, "|") != "Your order |shipped." || res.Message.Content != "Your order shipped." || res.FinishReason != "tool_calls" {
		t.Errorf("deltas %q response %+v", deltas, res)
	}
	if len(res.Message.ToolCalls) != 1 || res.Message.ToolCalls[0].ID != "call_9" || res.Message.ToolCalls[0].Function.Name != "track" ||
		res.Message.ToolCalls[0].Function.Arguments != `{"id":"7"}` {
		t.Errorf("tool calls %+v", res.Message.ToolCalls)
	}
	stop := errors.New("stop")
	if _, err := c.Stream(context.Background(), llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}}, func(string) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("callback error not returned: %v", err)
	}
}
