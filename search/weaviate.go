// Package search indexes help-center articles in Weaviate and answers
// semantic searches over them.
package search

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/weaviate/weaviate-go-client/v4/weaviate"
)

// Weaviate is a connection to a Weaviate server.
type Weaviate struct {
	client *weaviate.Client
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
	return &Weaviate{client: c}, nil
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
