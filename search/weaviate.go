// Package search indexes help-center articles in Weaviate and answers
// semantic searches over them.
package search

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/weaviate/weaviate-go-client/v4/weaviate"
)

// Weaviate is a connection to a Weaviate server.
type Weaviate struct {
	client *weaviate.Client
	base   string // http(s)://host:port
}

// NewWeaviate returns a client for the Weaviate server at rawURL
// (http://host:port). It does not connect.
func NewWeaviate(rawURL string) (*Weaviate, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("WEAVIATE_URL %q must look like http://host:port", rawURL)
	}
	c, err := weaviate.NewClient(weaviate.Config{Host: u.Host, Scheme: u.Scheme, Timeout: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	return &Weaviate{client: c, base: u.Scheme + "://" + u.Host}, nil
}

// blockMaxWAND reports whether a collection's BM25 uses BlockMax WAND (a
// field the client library's schema model does not have).
func (w *Weaviate) blockMaxWAND(ctx context.Context, class string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.base+"/v1/schema/"+url.PathEscape(class), nil)
	if err != nil {
		return false, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return false, fmt.Errorf("GET /v1/schema/%s: %s", class, res.Status)
	}
	var c struct {
		InvertedIndexConfig struct {
			UsingBlockMaxWAND bool `json:"usingBlockMaxWAND"`
		} `json:"invertedIndexConfig"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&c); err != nil {
		return false, fmt.Errorf("GET /v1/schema/%s: %w", class, err)
	}
	return c.InvertedIndexConfig.UsingBlockMaxWAND, nil
}

// Client returns the underlying Weaviate client.
func (w *Weaviate) Client() *weaviate.Client { return w.client }

// Ready reports whether Weaviate answers its readiness check.
func (w *Weaviate) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	ok, err := w.client.Misc().ReadyChecker().Do(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("weaviate is not ready")
	}
	return nil
}
