// Package openai is an embed.Embedder backed by an OpenAI-compatible
// embeddings API: POST {BaseURL}/v1/embeddings with {"model", "input": [...]},
// answered by {"data": [{"index", "embedding"}]}.
package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/helpium/helpium/embed"
	"github.com/helpium/helpium/internal/openaicompat"
)

const (
	// MaxBatch is the largest number of inputs sent in one request.
	MaxBatch = 64
	// DefaultTimeout applies to each request when Config.Timeout is zero.
	DefaultTimeout = 60 * time.Second

	maxResponseBytes = 64 << 20
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
	cfg  Config
	api  *openaicompat.Client
	dims atomic.Int64
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
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	api, err := openaicompat.New("openai", cfg.BaseURL, "embeddings", cfg.APIKey, cfg.Timeout, cfg.HTTPClient)
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, api: api}
	c.dims.Store(int64(cfg.Dimensions))
	return c, nil
}

// Name implements embed.Embedder: "openai:" followed by the model name.
func (c *Client) Name() string { return "openai:" + c.cfg.Model }

// Dimensions implements embed.Embedder. It is zero until the first
// successful response when Config.Dimensions is zero.
func (c *Client) Dimensions() int { return int(c.dims.Load()) }

// APIError is returned when the provider answers with a non-2xx status.
type APIError = openaicompat.APIError

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
	resp, cancel, err := c.api.Post(ctx, "embeddings request", request{Model: c.cfg.Model, Input: batch}, "application/json")
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer resp.Body.Close()
	raw, err := c.api.ReadBody(resp, maxResponseBytes)
	if err != nil {
		return nil, err
	}
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("openai: POST %s: malformed response (%v): %s", c.api.Endpoint, err, c.api.Shorten(string(raw)))
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
