package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The help-center workload: a fresh import of o.helpCenter articles written
// like real ones (the evaluation sets' articles, evalsets/*.json, ~250
// words and ~6 chunks each), indexed by helpium serve's own indexer alone,
// until searchable; then the same workspace re-indexed from scratch (its
// tenant dropped), which the embedding cache serves; then search over it
// with the sets' own customer queries. Each copy of an article gets a
// numbered title with this run's nonce, so its chunks are text no earlier
// run embedded.

type evalSet struct {
	Articles []struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	} `json:"articles"`
	Queries []struct {
		Query string `json:"query"`
	} `json:"queries"`
}

// helpCenterCorpus returns n articles cycled from the evaluation sets and
// their queries.
func helpCenterCorpus(n int, nonce string) ([]article, []string, error) {
	paths, err := filepath.Glob("evalsets/*.json")
	if err != nil || len(paths) == 0 {
		return nil, nil, fmt.Errorf("no evaluation sets in evalsets/ (run from the repository root): %v", err)
	}
	var src []article
	var qs []string
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, err
		}
		var s evalSet
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", p, err)
		}
		for _, a := range s.Articles {
			src = append(src, article{title: a.Title, body: a.Body})
		}
		for _, q := range s.Queries {
			qs = append(qs, q.Query)
		}
	}
	out := make([]article, n)
	for i := range out {
		a := src[i%len(src)]
		out[i] = article{id: fmt.Sprintf("hc-%s-%d", nonce, i), title: fmt.Sprintf("%s (%s-%d)", a.title, nonce, i), body: a.body}
	}
	return out, qs, nil
}

func (h *harness) helpCenter(ctx context.Context) error {
	nonce := fmt.Sprintf("r%x", time.Now().Unix())
	arts, qs, err := helpCenterCorpus(h.o.helpCenter, nonce)
	if err != nil {
		return err
	}
	ws, err := h.newWorkspace(ctx, "bench help center")
	if err != nil {
		return err
	}
	index := h.index()
	t0 := time.Now()
	if err := h.importArticles(ctx, ws.id, arts); err != nil {
		return err
	}
	if err := h.waitIndexed(ctx, index, []string{ws.id}, 0); err != nil {
		return err
	}
	h.r.fresh = time.Since(t0)
	h.r.setup(fmt.Sprintf("fresh import of %d help-center articles until searchable (helpium serve's indexer alone)", len(arts)), h.r.fresh)

	t0 = time.Now()
	if err := h.store.EnqueueRebuild(ctx, ws.id); err != nil {
		return err
	}
	if err := h.waitIndexed(ctx, index, []string{ws.id}, 0); err != nil {
		return err
	}
	h.r.reindex = time.Since(t0)
	h.r.setup(fmt.Sprintf("re-index the same %d articles (tenant dropped; vectors from the embedding cache)", len(arts)), h.r.reindex)

	return h.measureSearch(ctx, index, "search-helpcenter", fmt.Sprintf("%d help-center articles (evaluation sets' articles and queries)", len(arts)),
		[]string{ws.key}, []string{ws.id}, qs)
}
