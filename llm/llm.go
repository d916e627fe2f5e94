// Package llm is a small client for OpenAI-compatible chat-completions
// APIs (OpenAI, Ollama, vLLM, llama.cpp server): POST
// {BaseURL}/v1/chat/completions with messages and, optionally, tools the
// model may call.
//
// It knows nothing about Helpium: callers build the messages (grounded
// prompts, tool results) and decide what to do with the reply.
package llm

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/helpium/helpium/internal/openaicompat"
)

// Defaults.
const (
	// DefaultTimeout bounds one request when Config.Timeout is zero.
	DefaultTimeout = 20 * time.Second

	maxResponseBytes = 8 << 20
)

// Roles of chat messages.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleTool      = "tool"
)

// Config configures a Client.
type Config struct {
	// BaseURL is the API root, e.g. "https://api.openai.com" or
	// "http://127.0.0.1:11434" (Ollama). A trailing "/v1" is accepted:
	// requests go to {root}/v1/chat/completions.
	BaseURL string
	// Model is sent as "model" unless a Request names another.
	Model string
	// APIKey, if set, is sent as "Authorization: Bearer <APIKey>". It
	// never appears in errors.
	APIKey string
	// Timeout bounds each request, streaming included (DefaultTimeout if
	// zero). A caller's context deadline applies as well.
	Timeout time.Duration
	// HTTPClient sends requests (a plain client if nil).
	HTTPClient *http.Client
}

// Client calls a chat-completions API. It is safe for concurrent use.
type Client struct {
	cfg Config
	api *openaicompat.Client
}

// New validates cfg and returns a client. It makes no request.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("llm: Config.Model is empty")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	api, err := openaicompat.New("llm", cfg.BaseURL, "chat/completions", cfg.APIKey, cfg.Timeout, cfg.HTTPClient)
	if err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, api: api}, nil
}

// Model returns the default model name.
func (c *Client) Model() string { return c.cfg.Model }

// Timeout returns the per-request timeout.
func (c *Client) Timeout() time.Duration { return c.cfg.Timeout }

// Message is one chat message.
type Message struct {
	Role string `json:"role"`
	// Content is the text. Assistant messages that only call tools may
	// have none.
	Content string `json:"content"`
	// ToolCalls are the calls an assistant message asks for.
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// ToolCallID answers a tool call, on a RoleTool message.
	ToolCallID string `json:"tool_call_id,omitempty"`
	// Name optionally names the author (or the tool, on RoleTool).
	Name string `json:"name,omitempty"`
}

// ToolCall is the model asking to call a function.
type ToolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"` // "function"
	Function FunctionCall `json:"function"`
}

// FunctionCall names a function and its arguments as JSON text, exactly as
// the model wrote them (they may be invalid JSON).
type FunctionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// Tool is a function the model may call.
type Tool struct {
	Type     string   `json:"type"` // "function"
	Function Function `json:"function"`
}

// Function describes a callable function: Parameters is a JSON Schema
// object.
type Function struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

// FunctionTool returns a Tool for a function.
func FunctionTool(name, description string, parameters json.RawMessage) Tool {
	return Tool{Type: "function", Function: Function{Name: name, Description: description, Parameters: parameters}}
}

// Request is one chat completion to make. Only Messages is required.
type Request struct {
	// Model overrides Config.Model.
	Model    string
	Messages []Message
	Tools    []Tool
	// ToolChoice is "auto", "none", "required", or a specific function as
	// {"type": "function", "function": {"name": ...}}; empty leaves it to
	// the provider (auto when tools are given).
	ToolChoice any
	// Temperature and MaxTokens are sent when set.
	Temperature *float64
	MaxTokens   int
	// JSONMode asks for a JSON object reply (response_format json_object).
	JSONMode bool
	// Stop sequences end the reply.
	Stop []string
	// Extra fields are merged into the request body (provider options such
	// as "seed" or "top_p"); they never override the fields above.
	Extra map[string]any
}

// Response is the model's reply: the first choice.
type Response struct {
	Message Message
	// FinishReason is "stop", "length", "tool_calls", "content_filter"...
	FinishReason string
	Model        string
	Usage        Usage
}

// Usage is the provider's token accounting, when it reports it.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// APIError is a non-2xx answer from the provider.
type APIError = openaicompat.APIError

// body is the JSON request.
func (c *Client) body(r Request, stream bool) (map[string]any, error) {
	if len(r.Messages) == 0 {
		return nil, errors.New("llm: Request.Messages is empty")
	}
	m := map[string]any{}
	for k, v := range r.Extra {
		m[k] = v
	}
	m["model"] = c.cfg.Model
	if r.Model != "" {
		m["model"] = r.Model
	}
	m["messages"] = r.Messages
	if len(r.Tools) > 0 {
		m["tools"] = r.Tools
	}
	if r.ToolChoice != nil {
		m["tool_choice"] = r.ToolChoice
	}
	if r.Temperature != nil {
		m["temperature"] = *r.Temperature
	}
	if r.MaxTokens > 0 {
		m["max_tokens"] = r.MaxTokens
	}
	if r.JSONMode {
		m["response_format"] = map[string]string{"type": "json_object"}
	}
	if len(r.Stop) > 0 {
		m["stop"] = r.Stop
	}
	if stream {
		m["stream"] = true
	} else {
		delete(m, "stream")
	}
	return m, nil
}

// post sends the request and returns the response once its status is 2xx.
// The caller closes the body and calls cancel.
func (c *Client) post(ctx context.Context, r Request, stream bool) (*http.Response, context.CancelFunc, error) {
	body, err := c.body(r, stream)
	if err != nil {
		return nil, nil, err
	}
	accept := "application/json"
	if stream {
		accept = "text/event-stream"
	}
	return c.api.Post(ctx, "chat completion", body, accept)
}

// Complete sends one chat completion and returns the first choice. Errors
// are *APIError for a non-2xx answer, wrap context.DeadlineExceeded on
// timeout, and never contain the API key.
func (c *Client) Complete(ctx context.Context, r Request) (Response, error) {
	resp, cancel, err := c.post(ctx, r, false)
	if err != nil {
		return Response{}, err
	}
	defer cancel()
	defer resp.Body.Close()
	raw, err := c.api.ReadBody(resp, maxResponseBytes)
	if err != nil {
		return Response{}, err
	}
	var out struct {
		Model   string `json:"model"`
		Choices []struct {
			Message      Message `json:"message"`
			FinishReason string  `json:"finish_reason"`
		} `json:"choices"`
		Usage Usage `json:"usage"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return Response{}, fmt.Errorf("llm: malformed response (%v): %s", err, c.api.Shorten(string(raw)))
	}
	if len(out.Choices) == 0 {
		return Response{}, fmt.Errorf("llm: response has no choices: %s", c.api.Shorten(string(raw)))
	}
	ch := out.Choices[0]
	if ch.Message.Role == "" {
		ch.Message.Role = RoleAssistant
	}
	return Response{Message: ch.Message, FinishReason: ch.FinishReason, Model: out.Model, Usage: out.Usage}, nil
}

// Stream sends a streaming chat completion, calls onDelta with each piece
// of content as it arrives, and returns the assembled reply (tool calls
// included). An error from onDelta stops the stream and is returned.
func (c *Client) Stream(ctx context.Context, r Request, onDelta func(content string) error) (Response, error) {
	resp, cancel, err := c.post(ctx, r, true)
	if err != nil {
		return Response{}, err
	}
	defer cancel()
	defer resp.Body.Close()
	var (
		out     = Response{Message: Message{Role: RoleAssistant}}
		content strings.Builder
		calls   []ToolCall
		total   int
	)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		total += len(line)
		if total > maxResponseBytes {
			return Response{}, fmt.Errorf("llm: stream larger than %d bytes", maxResponseBytes)
		}
		data, ok := strings.CutPrefix(line, "data:")
		if !ok {
			continue // comments, event names, blank separators
		}
		data = strings.TrimSpace(data)
		if data == "[DONE]" {
			break
		}
		var chunk struct {
			Model   string `json:"model"`
			Choices []struct {
				Delta struct {
					Role      string `json:"role"`
					Content   string `json:"content"`
					ToolCalls []struct {
						Index    int    `json:"index"`
						ID       string `json:"id"`
						Type     string `json:"type"`
						Function struct {
							Name      string `json:"name"`
							Arguments string `json:"arguments"`
						} `json:"function"`
					} `json:"tool_calls"`
				} `json:"delta"`
				FinishReason *string `json:"finish_reason"`
			} `json:"choices"`
			Usage *Usage `json:"usage"`
		}
		if err := json.Unmarshal([]byte(data), &chunk); err != nil {
			return Response{}, fmt.Errorf("llm: malformed stream chunk (%v): %s", err, c.api.Shorten(data))
		}
		if chunk.Model != "" {
			out.Model = chunk.Model
		}
		if chunk.Usage != nil {
			out.Usage = *chunk.Usage
		}
		if len(chunk.Choices) == 0 {
			continue
		}
		ch := chunk.Choices[0]
		if ch.FinishReason != nil {
			out.FinishReason = *ch.FinishReason
		}
		for _, tc := range ch.Delta.ToolCalls {
			for len(calls) <= tc.Index {
				calls = append(calls, ToolCall{Type: "function"})
			}
			call := &calls[tc.Index]
			if tc.ID != "" {
				call.ID = tc.ID
			}
			if tc.Type != "" {
				call.Type = tc.Type
			}
			call.Function.Name += tc.Function.Name
			call.Function.Arguments += tc.Function.Arguments
		}
		if ch.Delta.Content != "" {
			content.WriteString(ch.Delta.Content)
			if onDelta != nil {
				if err := onDelta(ch.Delta.Content); err != nil {
					return Response{}, err
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return Response{}, c.api.TransportError(err)
	}
	out.Message.Content = content.String()
	out.Message.ToolCalls = calls
	return out, nil
}
