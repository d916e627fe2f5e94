package search

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/helpium/helpium/embed"
)

// Similarities returns the cosine similarity of each text's vector to the
// query's, or nil without an embedder. The texts go through the embedding
// cache, as chunks do; the query's vector is the one Search just made for
// it, when it is among the last ones searched.
func (x *Index) Similarities(ctx context.Context, query string, texts []string) ([]float64, error) {
	if x.emb == nil || len(texts) == 0 {
		return nil, nil
	}
	qvec, ok := x.recent.get(query)
	if !ok {
		v, err := x.EmbedQueries(ctx, []string{query})
		if err != nil {
			return nil, err
		}
		qvec = v[0]
	}
	ctx, cancel := context.WithTimeout(ctx, embedTimeout*time.Duration(1+len(texts)/32))
	defer cancel()
	vecs, err := x.docEmb.Embed(ctx, texts)
	if err != nil {
		return nil, searchUnavailable(fmt.Errorf("embed texts: %w", err))
	}
	out := make([]float64, len(texts))
	for i, v := range vecs {
		out[i] = embed.Cosine(qvec, v)
	}
	return out, nil
}

// recentQueries remembers the vectors of the last queries searched, by
// the text as asked. Search only adds to it, so that its own cost is
// always that of embedding the query.
type recentQueries struct {
	mu    sync.Mutex
	vecs  map[string][]float32
	order []string // oldest first
}

// recentQueriesKept is how many query vectors are remembered (1.5 KB each
// for the default embedder).
const recentQueriesKept = 256

func (r *recentQueries) add(text string, v []float32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.vecs == nil {
		r.vecs = map[string][]float32{}
	}
	if _, ok := r.vecs[text]; ok {
		return
	}
	if len(r.order) == recentQueriesKept {
		delete(r.vecs, r.order[0])
		r.order = r.order[1:]
	}
	r.vecs[text] = v
	r.order = append(r.order, text)
}

func (r *recentQueries) get(text string) ([]float32, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.vecs[text]
	return v, ok
}
