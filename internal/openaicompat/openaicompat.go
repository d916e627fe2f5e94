// Package openaicompat is the HTTP client that the OpenAI-compatible
// embedder (embed/openai) and chat client (llm) share: endpoint URLs under
// {root}/v1, bearer authentication, timeouts, bounded bodies, and one error
// type that never carries the API key.
package openaicompat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

const maxMessageRunes = 300

// Client posts JSON to one endpoint of an OpenAI-compatible API. It is safe
// for concurrent use.
type Client struct {
	// Endpoint is the URL requests go to, e.g. https://api.openai.com/v1/embeddings.
	Endpoint string
	name     string // prefixes every error, e.g. "llm"
	apiKey   string
	timeout  time.Duration
	hc       *http.Client
}

// New returns a client of baseURL's path ("embeddings", "chat/completions"):
// requests go to {root}/v1/{path}, a trailing "/v1" on baseURL accepted.
// name (the calling package's) prefixes every error; apiKey, if set, is
// sent as a bearer token; hc may be nil.
func New(name, baseURL, path, apiKey string, timeout time.Duration, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: Config.BaseURL %q is not an http(s) URL", name, baseURL)
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/v1") + "/v1/" + path
	u.RawQuery, u.Fragment, u.RawPath = "", "", ""
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{Endpoint: u.String(), name: name, apiKey: apiKey, timeout: timeout, hc: hc}, nil
}

// APIError is a non-2xx answer from the provider.
type APIError struct {
	StatusCode int
	// Message is the provider's error message, shortened, with the API key
	// removed.
	Message string
	// What names the request, e.g. "openai: embeddings request".
	What string
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "(no message)"
	}
	return fmt.Sprintf("%s failed: HTTP %d %s: %s", e.What, e.StatusCode, http.StatusText(e.StatusCode), msg)
}

// Temporary reports whether retrying may help (rate limits, server errors).
func (e *APIError) Temporary() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// Post sends body as JSON, accepting accept, and returns the response once
// its status is 2xx; otherwise an *APIError naming what. The caller closes
// the body and calls cancel, which ends the request's timeout.
func (c *Client) Post(ctx context.Context, what string, body any, accept string) (*http.Response, context.CancelFunc, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", c.name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint, bytes.NewReader(raw))
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("%s: %w", c.name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", accept)
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		cancel()
		return nil, nil, c.TransportError(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		cancel()
		return nil, nil, &APIError{StatusCode: resp.StatusCode, Message: c.providerMessage(msg), What: c.name + ": " + what}
	}
	return resp, cancel, nil
}

// ReadBody reads a response body of at most max bytes.
func (c *Client) ReadBody(resp *http.Response, max int) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, int64(max)+1))
	if err != nil {
		return nil, c.TransportError(err)
	}
	if len(raw) > max {
		return nil, fmt.Errorf("%s: POST %s: response larger than %d bytes", c.name, c.Endpoint, max)
	}
	return raw, nil
}

// TransportError describes a failed request, under the client's name and
// without the API key; it wraps
// context.DeadlineExceeded on timeout and context.Canceled.
func (c *Client) TransportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: POST %s: timed out after %s: %w", c.name, c.Endpoint, c.timeout, context.DeadlineExceeded)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: POST %s: %w", c.name, c.Endpoint, context.Canceled)
	}
	return fmt.Errorf("%s: POST %s: %s", c.name, c.Endpoint, c.redact(err.Error()))
}

// providerMessage extracts the provider's error message from an error body:
// {"error": {"message": ...}}, {"error": "..."}, {"message": ...} or text.
func (c *Client) providerMessage(raw []byte) string {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	msg := ""
	if json.Unmarshal(raw, &v) == nil {
		var obj struct {
			Message string `json:"message"`
		}
		var s string
		switch {
		case json.Unmarshal(v.Error, &obj) == nil && obj.Message != "":
			msg = obj.Message
		case json.Unmarshal(v.Error, &s) == nil && s != "":
			msg = s
		case v.Message != "":
			msg = v.Message
		}
	}
	if msg == "" {
		msg = string(raw)
	}
	return c.Shorten(msg)
}

// Shorten collapses whitespace, removes the API key and truncates s, for
// error messages.
func (c *Client) Shorten(s string) string {
	s = c.redact(strings.Join(strings.Fields(strings.ToValidUTF8(s, "?")), " "))
	if utf8.RuneCountInString(s) > maxMessageRunes {
		s = string([]rune(s)[:maxMessageRunes]) + "…"
	}
	return s
}

func (c *Client) redact(s string) string {
	if c.apiKey != "" {
		s = strings.ReplaceAll(s, c.apiKey, "[redacted]")
	}
	return s
}
