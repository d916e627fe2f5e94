package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
)

// IndexerOptions tunes an Indexer. Zero values take the defaults.
type IndexerOptions struct {
	// Poll is how often an idle indexer looks for work (default 500ms).
	Poll time.Duration
	// Batch is how many outbox rows one claim takes (default 32).
	Batch int
	// Lease is how long a claimed row stays invisible to other indexers
	// (default 2 minutes); a crashed indexer's rows come back after it.
	Lease time.Duration
	// MinBackoff and MaxBackoff bound the delay before a failed row is
	// retried; it doubles with every attempt (defaults 1s and 1 minute).
	MinBackoff, MaxBackoff time.Duration
	// OnError, if set, is called for every failed attempt (for metrics).
	OnError func()
}

// Indexer keeps the Weaviate index in step with PostgreSQL by draining the
// article outbox. Any number of indexers may run against one database: a
// row is claimed by one of them at a time (FOR UPDATE SKIP LOCKED, with a
// lease), and every row is idempotent, since it syncs the article's
// current state. A failed row (Weaviate down, embedder error) is retried
// with exponential backoff, so nothing written while Weaviate is away is
// lost.
type Indexer struct {
	store  *db.Store
	index  *Index
	log    *slog.Logger
	opt    IndexerOptions
	warned atomic.Bool // the WordByWord warning was logged
}

// NewIndexer returns an indexer of store's articles into index.
func NewIndexer(store *db.Store, index *Index, log *slog.Logger, opt IndexerOptions) *Indexer {
	if opt.Poll <= 0 {
		opt.Poll = 500 * time.Millisecond
	}
	if opt.Batch <= 0 {
		opt.Batch = 32
	}
	if opt.Lease <= 0 {
		opt.Lease = 2 * time.Minute
	}
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = time.Second
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = time.Minute
	}
	if log == nil {
		log = slog.Default()
	}
	return &Indexer{store: store, index: index, log: log, opt: opt}
}

// Index returns the index the indexer writes to.
func (ix *Indexer) Index() *Index { return ix.index }

// Run drains the outbox until ctx is cancelled. Errors are logged and
// retried; Run returns nil when ctx ends.
func (ix *Indexer) Run(ctx context.Context) error {
	ix.log.Info("search indexer started", "embedder", ix.index.EmbedderName())
	wait := ix.opt.Poll
	var pruned time.Time
	for {
		if time.Since(pruned) > 24*time.Hour {
			pruned = time.Now()
			if n, err := ix.store.PruneVectors(ctx, pruned.Add(-vectorRetention)); err != nil {
				ix.log.Warn("search: pruning the embedding cache", "err", err)
			} else if n > 0 {
				ix.log.Info("search: pruned the embedding cache", "vectors", n)
			}
		}
		n, err := ix.Drain(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			ix.log.Warn("search indexer", "err", err, "retry_in", wait)
			wait = min(wait*2, ix.opt.MaxBackoff)
		case n > 0:
			wait = ix.opt.Poll
			continue // more may be due
		default:
			wait = ix.opt.Poll
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// vectorRetention is how long a cached chunk vector is kept unused (the
// cache marks an entry used at most once a day).
const vectorRetention = 90 * 24 * time.Hour

// Ensure creates the collection if needed; a new collection (first start,
// or a different embedder) gets every workspace's articles queued for
// indexing.
func (ix *Indexer) Ensure(ctx context.Context) error {
	created, err := ix.index.Ensure(ctx)
	if err != nil {
		return err
	}
	if ix.index.WordByWord() && !ix.warned.Swap(true) {
		ix.log.Warn("search collection uses BlockMax WAND, whose BM25 drops rare words in Weaviate v1.35: searching word by word, which is slower; run Weaviate with USE_INVERTED_SEARCHABLE=false before the collection is created",
			"collection", ix.index.Class())
	}
	if created {
		// A new collection has no tenants: queue the articles themselves
		// (dropping tenants first, as a rebuild does, would empty the
		// search of articles already indexed into it meanwhile).
		n, err := ix.store.EnqueueAllArticles(ctx)
		if err != nil {
			return err
		}
		ix.log.Info("search collection created; indexing every workspace", "collection", ix.index.Class(), "workspaces", n)
	}
	return nil
}

// Drain processes due outbox rows until none is left, and returns how many
// it processed. Rows that fail are rescheduled, not returned as errors;
// the error is for failures to reach PostgreSQL or to set up the
// collection.
func (ix *Indexer) Drain(ctx context.Context) (int, error) {
	if err := ix.Ensure(ctx); err != nil {
		return 0, err
	}
	total := 0
	for {
		entries, err := ix.store.ClaimOutbox(ctx, ix.opt.Batch, ix.opt.Lease)
		if err != nil || len(entries) == 0 {
			return total, err
		}
		if err := ix.process(ctx, entries); err != nil {
			return total, err
		}
		total += len(entries)
	}
}

// process syncs one claimed batch. Entries for the same article are synced
// once.
func (ix *Indexer) process(ctx context.Context, entries []db.OutboxEntry) error {
	var ids []string
	for _, e := range entries {
		if e.ArticleID != "" {
			ids = append(ids, e.ArticleID)
		}
	}
	articles, err := ix.store.FindArticlesByIDs(ctx, ids)
	if err != nil {
		return err
	}
	byID := make(map[string]*helpium.Article, len(articles))
	for _, a := range articles {
		byID[a.ID] = a
	}
	done := make(map[string]error) // article id → outcome, within this batch
	var completed []int64
	for _, e := range entries {
		var err error
		if e.ArticleID == "" {
			err = ix.rebuild(ctx, e.WorkspaceID)
		} else if prev, ok := done[e.ArticleID]; ok {
			err = prev
		} else {
			if a := byID[e.ArticleID]; a != nil && a.WorkspaceID == e.WorkspaceID {
				err = ix.index.IndexArticle(ctx, a)
			} else {
				err = ix.index.RemoveArticle(ctx, e.WorkspaceID, e.ArticleID)
			}
			done[e.ArticleID] = err
		}
		if err == nil {
			completed = append(completed, e.ID)
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err() // the lease brings the rows back
		}
		if ix.opt.OnError != nil {
			ix.opt.OnError()
		}
		delay := ix.backoff(e.Attempts)
		ix.log.Warn("search indexing failed; will retry", "workspace_id", e.WorkspaceID, "article_id", e.ArticleID,
			"attempts", e.Attempts, "retry_in", delay.Round(time.Millisecond), "err", err)
		if rerr := ix.store.RetryOutbox(ctx, e.ID, delay, err.Error()); rerr != nil {
			return rerr
		}
	}
	if len(completed) > 0 {
		ix.log.Debug("search indexed", "rows", len(completed))
	}
	return ix.store.CompleteOutbox(ctx, completed)
}

// rebuild drops a workspace's tenant and queues every article of it.
func (ix *Indexer) rebuild(ctx context.Context, workspaceID string) error {
	if err := ix.index.DropTenant(ctx, workspaceID); err != nil {
		return err
	}
	n, err := ix.store.EnqueueWorkspaceArticles(ctx, workspaceID)
	if err == nil {
		ix.log.Info("search rebuilding workspace", "workspace_id", workspaceID, "articles", n)
	}
	return err
}

// backoff is the delay before attempt+1: MinBackoff doubled per attempt,
// capped at MaxBackoff, with ±20% jitter so replicas spread out.
func (ix *Indexer) backoff(attempts int) time.Duration {
	d := ix.opt.MinBackoff
	for i := 1; i < attempts && d < ix.opt.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, ix.opt.MaxBackoff)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// WaitWorkspace drains the outbox until a workspace has nothing left to
// index, or timeout passes. It returns an error naming the last indexing
// failure when it gives up.
func (ix *Indexer) WaitWorkspace(ctx context.Context, workspaceID string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if _, err := ix.Drain(ctx); err != nil && ctx.Err() == nil {
			ix.log.Warn("search indexer", "err", err)
		}
		b, err := ix.store.FindOutboxBacklog(ctx, workspaceID)
		if err != nil {
			return err
		}
		if b.Pending == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			msg := "no error recorded"
			if b.LastError != nil {
				msg = *b.LastError
			}
			return fmt.Errorf("%d article changes are still waiting to be indexed after %v (last error: %s)", b.Pending, timeout, msg)
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), fmt.Errorf("%d article changes not indexed yet", b.Pending))
		case <-time.After(200 * time.Millisecond):
		}
	}
}
