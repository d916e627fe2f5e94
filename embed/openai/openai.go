// Package openai is an embed.Embedder backed by an OpenAI-compatible
// embeddings API: POST {BaseURL}/v1/embeddings with {"model", "input": [...]},
// answered by {"data": [{"index", "embedding"}]}.
package openai

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
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/helpium/helpium/embed"
)

const (
	// MaxBatch is the largest number of inputs sent in one request.
	MaxBatch = 64
	// DefaultTimeout applies to each request when Config.Timeout is zero.
	DefaultTimeout = 60 * time.Second

	maxResponseBytes = 64 << 20
	maxMessageRunes  = 300
)

// Config configures a Client.
type Config struct {
	// BaseURL is the API root, e.g. "https://api.openai.com". A trailing
	// "/v1" is accepted too: requests go to {root}/v1/embeddings.
	BaseURL string
	// Model is sent as "model" in every request, e.g. "text-embedding-3-small".
	Model string
	// APIKey, if set, is sent as "Authorization: Bearer <APIKey>". It never
	// appears in errors.
	APIKey string
	// Dimensions is the expected vector length. Zero means "learn it from
	// the first response". It is checked, not sent to the provider.
	Dimensions int
	// Timeout bounds each HTTP request (DefaultTimeout if zero).
	Timeout time.Duration
	// HTTPClient is used for requests (http.DefaultClient if nil).
	HTTPClient *http.Client
}

// Client implements embed.Embedder. It is safe for concurrent use.
type Client struct {
	cfg      Config
	endpoint string
	hc       *http.Client
	dims     atomic.Int64
}

var _ embed.Embedder = (*Client)(nil)

// New validates cfg and returns a client. It makes no request.
func New(cfg Config) (*Client, error) {
	if cfg.Model == "" {
		return nil, errors.New("openai: Config.Model is empty")
	}
	if cfg.Dimensions < 0 {
		return nil, fmt.Errorf("openai: Config.Dimensions is %d", cfg.Dimensions)
	}
	u, err := url.Parse(strings.TrimSpace(cfg.BaseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("openai: Config.BaseURL %q is not an http(s) URL", cfg.BaseURL)
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/v1") + "/v1/embeddings"
	u.RawQuery, u.Fragment, u.RawPath = "", "", ""
	c := &Client{cfg: cfg, endpoint: u.String(), hc: cfg.HTTPClient}
	if c.hc == nil {
		c.hc = http.DefaultClient
	}
	if c.cfg.Timeout <= 0 {
		c.cfg.Timeout = DefaultTimeout
	}
	c.dims.Store(int64(cfg.Dimensions))
	return c, nil
}

// Name implements embed.Embedder: "openai:" followed by the model name.
func (c *Client) Name() string { return "openai:" + c.cfg.Model }

// Dimensions implements embed.Embedder. It is zero until the first
// successful response when Config.Dimensions is zero.
func (c *Client) Dimensions() int { return int(c.dims.Load()) }

// APIError is returned when the provider answers with a non-2xx status.
type APIError struct {
	StatusCode int
	// Message is the provider's error message, shortened and with the API
	// key removed.
	Message string
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "(no message)"
	}
	return fmt.Sprintf("openai: embeddings request failed: HTTP %d %s: %s", e.StatusCode, http.StatusText(e.StatusCode), msg)
}

// Embed implements embed.Embedder. Inputs are sent in batches of at most
// MaxBatch, one request at a time.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += MaxBatch {
		batch := texts[start:min(start+MaxBatch, len(texts))]
		vecs, err := c.embedBatch(ctx, batch)
		if err != nil {
			if len(texts) > MaxBatch {
				return nil, fmt.Errorf("%w (inputs %d-%d of %d)", err, start, start+len(batch)-1, len(texts))
			}
			return nil, err
		}
		out = append(out, vecs...)
	}
	return out, nil
}

type request struct {
	Model string   `json:"model"`
	Input []string `json:"input"`
}

type response struct {
	Data []struct {
		Index     *int      `json:"index"`
		Embedding []float32 `json:"embedding"`
	} `json:"data"`
}

func (c *Client) embedBatch(ctx context.Context, batch []string) ([][]float32, error) {
	body, err := json.Marshal(request{Model: c.cfg.Model, Input: batch})
	if err != nil {
		return nil, fmt.Errorf("openai: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("openai: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("openai: POST %s: %s", c.endpoint, c.redact(err.Error()))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("openai: POST %s: reading response: %s", c.endpoint, c.redact(err.Error()))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &APIError{StatusCode: resp.StatusCode, Message: c.providerMessage(raw)}
	}
	if len(raw) > maxResponseBytes {
		return nil, fmt.Errorf("openai: POST %s: response larger than %d bytes", c.endpoint, maxResponseBytes)
	}
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("openai: POST %s: malformed response (%v): %s", c.endpoint, err, c.shorten(string(raw)))
	}
	return c.order(r, len(batch))
}

// order checks the response and returns the embeddings ordered by index.
func (c *Client) order(r response, n int) ([][]float32, error) {
	if len(r.Data) != n {
		return nil, fmt.Errorf("openai: %d embeddings returned for %d inputs", len(r.Data), n)
	}
	out := make([][]float32, n)
	for i, d := range r.Data {
		if d.Index == nil {
			return nil, fmt.Errorf("openai: embedding %d has no index", i)
		}
		idx := *d.Index
		if idx < 0 || idx >= n || out[idx] != nil {
			return nil, fmt.Errorf("openai: embedding index %d out of range or repeated (%d inputs)", idx, n)
		}
		if len(d.Embedding) == 0 {
			return nil, fmt.Errorf("openai: embedding %d is empty", idx)
		}
		want := c.dims.Load()
		if want == 0 {
			c.dims.CompareAndSwap(0, int64(len(d.Embedding)))
			want = c.dims.Load()
		}
		if int64(len(d.Embedding)) != want {
			return nil, fmt.Errorf("openai: embedding %d has %d dimensions, want %d", idx, len(d.Embedding), want)
		}
		out[idx] = d.Embedding
	}
	return out, nil
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
	return c.shorten(msg)
}

// shorten collapses whitespace, removes the API key and truncates s.
func (c *Client) shorten(s string) string {
	s = c.redact(strings.Join(strings.Fields(strings.ToValidUTF8(s, "?")), " "))
	if utf8.RuneCountInString(s) > maxMessageRunes {
		r := []rune(s)
		s = string(r[:maxMessageRunes]) + "…"
	}
	return s
}

func (c *Client) redact(s string) string {
	if c.cfg.APIKey != "" {
		s = strings.ReplaceAll(s, c.cfg.APIKey, "[redacted]")
	}
	return s
}
