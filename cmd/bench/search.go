package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/search"
)

// Synthetic help-center vocabulary: short articles (one chunk each) and
// queries that overlap them, generated from a fixed seed.
var (
	verbs    = []string{"change", "reset", "cancel", "update", "export", "delete", "share", "restore", "connect", "verify", "download", "transfer", "pause", "upgrade", "refund", "track"}
	objects  = []string{"password", "invoice", "subscription", "shipping address", "order", "payment method", "account email", "team member", "notebook", "backup", "API key", "parcel", "plan", "receipt", "profile photo", "two-factor login", "calendar sync", "gift card", "delivery date", "workspace"}
	contexts = []string{"on the mobile app", "from the web dashboard", "after checkout", "for a business account", "when travelling abroad", "on Android", "on iPhone", "in the browser extension", "for a family plan", "during a free trial"}
	details  = []string{
		"Open Settings first.",
		"It takes effect at once.",
		"Ask the owner for access.",
		"Undo it within 30 days.",
		"Refunds take five days.",
		"Support can help.",
		"Sign in first.",
		"Same on web and app.",
	}
)

type article struct{ id, title, body string }

// corpus returns n articles numbered from first, deterministic per seed.
func corpus(seed uint64, first, n int) []article {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]article, n)
	for i := range out {
		v, o, c := verbs[rng.IntN(len(verbs))], objects[rng.IntN(len(objects))], contexts[rng.IntN(len(contexts))]
		// Short on purpose: the embedder costs a few million multiply-adds
		// per token, and indexing the corpora must fit in the run.
		title := fmt.Sprintf("%s %s %d", v, o, first+i)
		body := fmt.Sprintf("%s %s. %s", c, o, details[rng.IntN(len(details))])
		out[i] = article{id: fmt.Sprintf("bench-%d", first+i), title: title, body: body}
	}
	return out
}

// queries returns n customer questions over the same vocabulary.
func queries(n int) []string {
	rng := rand.New(rand.NewPCG(42, 9))
	forms := []string{"how do I %s my %s %s", "can't %s %s %s", "%s %s %s?", "help: %s the %s %s"}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(forms[rng.IntN(len(forms))], verbs[rng.IntN(len(verbs))], objects[rng.IntN(len(objects))], contexts[rng.IntN(len(contexts))])
	}
	return out
}

// importArticles imports articles into a workspace through the service
// (what `helpium kb import` does), published.
func (h *harness) importArticles(ctx context.Context, workspaceID string, arts []article) error {
	const batch = 500
	for len(arts) > 0 {
		n := min(batch, len(arts))
		in := make([]helpium.ArticleInput, n)
		for i, a := range arts[:n] {
			id, status := a.id, helpium.ArticlePublished
			in[i] = helpium.ArticleInput{ExternalID: &id, Title: a.title, Body: a.body, Status: &status}
		}
		if _, err := h.svc.Knowledge.ImportArticles(ctx, workspaceID, in); err != nil {
			return err
		}
		arts = arts[n:]
	}
	return nil
}

// waitIndexed drains the outbox with helpers extra in-process indexers
// (the server's own keeps running; rows are claimed with SKIP LOCKED) until
// no workspace has changes waiting.
func (h *harness) waitIndexed(ctx context.Context, index *search.Index, workspaceIDs []string, helpers int) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Minute)
	defer cancel()
	dctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range helpers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ix := search.NewIndexer(h.store, index, h.log, search.IndexerOptions{Batch: 16})
			for dctx.Err() == nil {
				if n, _ := ix.Drain(dctx); n == 0 {
					select {
					case <-dctx.Done():
					case <-time.After(100 * time.Millisecond):
					}
				}
			}
		}()
	}
	defer func() { stop(); wg.Wait() }()
	last := time.Now()
	for {
		pending := 0
		var lastErr *string
		for _, id := range workspaceIDs {
			b, err := h.store.FindOutboxBacklog(ctx, id)
			if err != nil {
				return err
			}
			pending += b.Pending
			if b.LastError != nil {
				lastErr = b.LastError
			}
		}
		if pending == 0 {
			return nil
		}
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			msg := ""
			if lastErr != nil {
				msg = " (last error: " + *lastErr + ")"
			}
			logf("search: %d article changes waiting to be indexed%s", pending, msg)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d article changes still not indexed: %w", pending, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// directSearch is the search baseline: the embedding call alone plus the
// same GraphQL request search.Index sends (search.Index.Query), straight to
// Weaviate.
type directSearch struct {
	h     *harness
	index *search.Index
	mu    sync.Mutex
	wv    []time.Duration // Weaviate's part of each call
}

func (d *directSearch) do(ctx context.Context, tenant, text string) (int, error) {
	v, err := d.h.model.Embed(ctx, []string{text})
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	q := helpium.SearchQuery{Text: text, Locale: "en", Limit: 5}
	res, err := d.h.wv.Client().GraphQL().Raw().WithQuery(d.index.Query(tenant, q, v[0])).Do(ctx)
	took := time.Since(t0)
	if err != nil {
		return 0, err
	}
	if len(res.Errors) > 0 {
		return 0, errors.New(res.Errors[0].Message)
	}
	d.mu.Lock()
	d.wv = append(d.wv, took)
	d.mu.Unlock()
	get, _ := res.Data["Get"].(map[string]any)
	hits, _ := get["v"].([]any)
	return len(hits), nil
}

// measureSearch runs POST /api/customer/search against the embedding call
// plus the same Weaviate request, over the workspaces' corpora.
func (h *harness) measureSearch(ctx context.Context, index *search.Index, key, label string, keys, tenants, qs []string) error {
	c := httpClient(h.o.searchConc)
	time.Sleep(5 * time.Second) // let Weaviate finish the background work of the import
	d := &directSearch{h: h, index: index}
	// Sanity: both sides find articles.
	if n, err := d.do(ctx, tenants[0], qs[0]); err != nil || n == 0 {
		return fmt.Errorf("%s: direct query found %d chunks: %v", label, n, err)
	}
	var got struct{ Results []json.RawMessage }
	if err := h.customerPost(ctx, keys[0], "/search", map[string]any{"query": qs[0]}, &got, http.StatusOK); err != nil {
		return err
	}
	if len(got.Results) == 0 {
		return fmt.Errorf("%s: /search found nothing for %q", label, qs[0])
	}
	d.wv = nil
	ours := func(ctx context.Context, _ int, i int64) error {
		k := int(i) % len(keys)
		body := fmt.Appendf(nil, `{"query":%q}`, qs[int(i)%len(qs)])
		return do(ctx, c, http.MethodPost, h.base+"/api/customer/search",
			map[string]string{"X-API-Key": keys[k], "Content-Type": "application/json"}, body, http.StatusOK)
	}
	base := func(ctx context.Context, _ int, i int64) error {
		_, err := d.do(ctx, tenants[int(i)%len(tenants)], qs[int(i)%len(qs)])
		return err
	}
	b, o := h.rounds(ctx, "search "+label, h.o.searchConc, h.srv.p, base, proc{}, ours)
	wv := sample{lat: d.wv}
	h.r.add(row{key: key, name: "POST /api/customer/search, " + label, baseline: "embed call + the same Weaviate request (search.Index.Query) through weaviate-go-client",
		conc: h.o.searchConc, ours: o, base: b, hasBase: true, alone: &wv, aloneName: "of which Weaviate alone"})
	if err := checkErrors("search baseline "+label, b); err != nil {
		return err
	}
	return checkErrors("search "+label, o)
}

// search: POST /api/customer/search at three synthetic corpus shapes
// against the embedding call plus the direct Weaviate request.
func (h *harness) search(ctx context.Context) error {
	index := h.index()
	if _, err := index.Ensure(ctx); err != nil {
		return err
	}
	qs := queries(500)
	measureCorpus := func(key, label string, keys, tenants []string) error {
		return h.measureSearch(ctx, index, key, label, keys, tenants, qs)
	}

	// One workspace: small corpus, then grown to the large one.
	one, err := h.newWorkspace(ctx, "bench search")
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := h.importArticles(ctx, one.id, corpus(1, 0, h.o.small)); err != nil {
		return err
	}
	if err := h.waitIndexed(ctx, index, []string{one.id}, 3); err != nil {
		return err
	}
	h.r.setup(fmt.Sprintf("import and index %d articles", h.o.small), time.Since(t0))
	if err := measureCorpus("search-small", fmt.Sprintf("%d articles in one workspace", h.o.small), []string{one.key}, []string{one.id}); err != nil {
		return err
	}
	t0 = time.Now()
	if err := h.importArticles(ctx, one.id, corpus(1, h.o.small, h.o.large-h.o.small)); err != nil {
		return err
	}
	if err := h.waitIndexed(ctx, index, []string{one.id}, 3); err != nil {
		return err
	}
	h.r.setup(fmt.Sprintf("import and index %d more articles", h.o.large-h.o.small), time.Since(t0))
	if err := measureCorpus("search-large", fmt.Sprintf("%d articles in one workspace", h.o.large), []string{one.key}, []string{one.id}); err != nil {
		return err
	}

	// Many workspaces, a small corpus each.
	t0 = time.Now()
	keys := make([]string, h.o.tenants)
	ids := make([]string, h.o.tenants)
	for i := range h.o.tenants {
		ws, err := h.newWorkspace(ctx, fmt.Sprintf("bench tenant %d", i))
		if err != nil {
			return err
		}
		keys[i], ids[i] = ws.key, ws.id
		if err := h.importArticles(ctx, ws.id, corpus(uint64(100+i), 0, h.o.perTenant)); err != nil {
			return err
		}
	}
	if err := h.waitIndexed(ctx, index, ids, 3); err != nil {
		return err
	}
	h.r.setup(fmt.Sprintf("import and index %d workspaces × %d articles", h.o.tenants, h.o.perTenant), time.Since(t0))
	return measureCorpus("search-tenants", fmt.Sprintf("%d workspaces × %d articles", h.o.tenants, h.o.perTenant), keys, ids)
}

// embedding: sentences per second of the in-process model, one sentence
// per call and batches of 32.
func (h *harness) embedding(ctx context.Context) error {
	qs := queries(256)
	for _, batch := range []int{1, 32} {
		fn := func(ctx context.Context, _ int, i int64) error {
			k := int(i) * batch % len(qs)
			_, err := h.model.Embed(ctx, qs[k:min(k+batch, len(qs))])
			return err
		}
		if batch > 1 {
			qs = qs[:len(qs)/batch*batch]
		}
		logf("embedding: batch %d", batch)
		s := measure(ctx, proc{}, 1, h.o.warm, h.o.dur, h.o.maxOps, fn)
		name := "embedding, one sentence per call"
		if batch > 1 {
			name = fmt.Sprintf("embedding, batches of %d sentences", batch)
		}
		h.r.add(row{key: fmt.Sprintf("embed-%d", batch), name: name, conc: 1, ours: s, unit: "sentences", perOp: batch})
		if s.errs > 0 {
			return s.firstErr
		}
	}
	return nil
}

// index is the search index helpium serve uses: same embedder, same
// embedding cache.
func (h *harness) index() *search.Index {
	return search.NewIndex(h.wv, h.model, search.IndexOptions{Cache: h.store, Words: h.store, Lexicon: h.model})
}
