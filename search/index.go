package search

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/google/uuid"
	"github.com/weaviate/weaviate-go-client/v4/weaviate/fault"
	"github.com/weaviate/weaviate-go-client/v4/weaviate/filters"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/embed"
)

// chunkNamespace is the UUIDv5 namespace of chunk object ids: the id of
// chunk n of article a is UUIDv5(chunkNamespace, "a/n"), so indexing the
// same article twice overwrites the same objects.
var chunkNamespace = uuid.MustParse("5f0b6a0e-3c59-4f43-9d64-2b8a4f1d7c21")

// ChunkID returns the Weaviate object id of chunk n of an article.
func ChunkID(articleID string, n int) string {
	return uuid.NewSHA1(chunkNamespace, fmt.Appendf(nil, "%s/%d", articleID, n)).String()
}

// Tuning of the hybrid query; see EVAL.md for the measurements behind them.
const (
	// DefaultAlpha weighs the vector side of the hybrid query (1 = vector
	// only, 0 = BM25 only).
	DefaultAlpha = 0.75
	// DefaultMinSimilarity drops articles whose best chunk is less similar
	// to the query than this (cosine) and which contain too few of its
	// words, so an unrelated question returns nothing. Only used with an
	// embedder.
	DefaultMinSimilarity = helpium.DefaultMinSimilarity
	// MiniLMAlpha and MiniLMMinSimilarity tune the search for
	// all-MiniLM-L6-v2 alone (HELPIUM_EMBEDDER=minilm), whose cosines run
	// lower than the default ensemble's; they were its defaults (EVAL.md).
	MiniLMAlpha         = 0.65
	MiniLMMinSimilarity = 0.25
	// candidates is how many chunks the hybrid query returns before they
	// are grouped by article.
	candidates = 60
	// searchTimeout bounds a search's calls to Weaviate, so that an
	// unreachable Weaviate is reported within the 2 seconds the Customer
	// API promises.
	searchTimeout = 1500 * time.Millisecond
	// embedTimeout bounds embedding the query (an OpenAI-compatible
	// embedder is a network call; the in-process one only needs CPU).
	embedTimeout = 5 * time.Second
)

// IndexOptions tunes an Index. Zero values take the defaults.
type IndexOptions struct {
	Chunking      ChunkOptions
	Alpha         *float64
	MinSimilarity *float64
	// Cache, if set, keeps the vectors of indexed chunks, so that
	// re-indexing an unchanged chunk never embeds it again, and of the
	// sentences Similarities scores. Queries are not cached.
	Cache embed.VectorCache
	// Words and Lexicon, if both set, correct typos in queries (see
	// spelling.go): Words keeps the articles' words, Lexicon tells English
	// words from typos (the default embedder is one).
	Words   WordStore
	Lexicon Lexicon
}

// Index is the collection of article chunks in Weaviate for one embedder,
// with one tenant per workspace. The collection's name is derived from the
// embedder's name and dimension, and its description records them, so
// vectors of different embedders never mix: starting with another embedder
// uses (and fills) another collection.
type Index struct {
	wv     *Weaviate
	emb    embed.Embedder // nil: keyword search only
	docEmb embed.Embedder // emb through the cache, for chunks
	class  string
	opt    IndexOptions
	alpha  float64
	minSim float64

	recent recentQueries // for Similarities

	mu         sync.Mutex
	ensured    bool
	wordByWord atomic.Bool // see WordByWord
}

// NewIndex returns the index of emb's vectors in wv; emb nil means BM25
// only. It does not connect: call Ensure (the indexer does).
func NewIndex(wv *Weaviate, emb embed.Embedder, opt IndexOptions) *Index {
	x := &Index{wv: wv, emb: emb, docEmb: emb, opt: opt, alpha: DefaultAlpha, minSim: DefaultMinSimilarity}
	if emb != nil && opt.Cache != nil {
		x.docEmb = embed.Cached(emb, opt.Cache)
	}
	if opt.Chunking.MaxChars <= 0 {
		x.opt.Chunking = DefaultChunkOptions
	}
	if opt.Alpha != nil {
		x.alpha = *opt.Alpha
	}
	if opt.MinSimilarity != nil {
		x.minSim = *opt.MinSimilarity
	}
	if emb != nil && emb.Dimensions() > 0 {
		x.class = className(emb.Name(), emb.Dimensions())
	} else if emb == nil {
		x.class = className("none", 0)
	}
	return x
}

// EmbedderName is the embedder the index uses, "none" for BM25 only.
func (x *Index) EmbedderName() string {
	if x.emb == nil {
		return "none"
	}
	return x.emb.Name()
}

var classUnsafe = regexp.MustCompile(`[^A-Za-z0-9]+`)

// schemaVersion changes whenever what a collection stores changes (its
// properties, the text chunks are embedded from): a new version is a new
// collection, which the indexer fills from PostgreSQL.
const schemaVersion = 3

// className derives the collection name from the embedder and the schema
// version: readable, and distinct for distinct (name, dimension) pairs.
func className(embedder string, dims int) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s|%d|v%d", embedder, dims, schemaVersion))
	readable := strings.Trim(classUnsafe.ReplaceAllString(embedder, "_"), "_")
	if len(readable) > 40 {
		readable = readable[:40]
	}
	return fmt.Sprintf("HelpiumChunks_%s_%d_%s", readable, dims, hex.EncodeToString(h[:4]))
}

func (x *Index) description() string {
	dims := 0
	if x.emb != nil {
		dims = x.emb.Dimensions()
	}
	return fmt.Sprintf("Helpium article chunks. embedder=%s dimensions=%d schema=%d", x.EmbedderName(), dims, schemaVersion)
}

// Class returns the collection's name ("" until an embedder that learns its
// dimension from its first answer has answered).
func (x *Index) Class() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.class
}

// Ensure creates the collection if it does not exist and reports whether
// it did. It checks that an existing one was made for this embedder, and
// reads which BM25 index it has (see WordByWord).
func (x *Index) Ensure(ctx context.Context) (created bool, err error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.ensured {
		return false, nil
	}
	if created, err = x.ensureClass(ctx); err != nil {
		return false, err
	}
	bmw, err := x.wv.blockMaxWAND(ctx, x.class)
	if err != nil {
		return false, fmt.Errorf("search: collection %s: %w", x.class, err)
	}
	x.wordByWord.Store(bmw)
	x.ensured = true
	return created, nil
}

// WordByWord reports whether the collection's BM25 is BlockMax WAND, whose
// Weaviate v1.35 implementation drops documents holding a rare word of a
// query of several words (weaviate/weaviate#11779): searches then send one
// BM25 query per word and add up the scores, which costs Weaviate's fixed
// cost of a query once per word. Run Weaviate with
// USE_INVERTED_SEARCHABLE=false (as devstack does) to avoid it.
func (x *Index) WordByWord() bool { return x.wordByWord.Load() }

func (x *Index) ensureClass(ctx context.Context) (created bool, err error) {
	if x.class == "" { // learn the dimension of a remote embedder
		v, err := x.emb.Embed(ctx, []string{"dimension probe"})
		if err != nil {
			return false, fmt.Errorf("search: probe embedder %s: %w", x.emb.Name(), err)
		}
		x.class = className(x.emb.Name(), len(v[0]))
	}
	c := x.wv.client
	cls, err := c.Schema().ClassGetter().WithClassName(x.class).Do(ctx)
	if err == nil {
		if cls.Description != x.description() {
			return false, fmt.Errorf("search: collection %s records %q, not %q", x.class, cls.Description, x.description())
		}
		return false, nil
	}
	var ce *fault.WeaviateClientError
	if !errors.As(err, &ce) || ce.StatusCode != 404 {
		return false, fmt.Errorf("search: get collection %s: %w", x.class, err)
	}
	text := func(name, tokenization string, searchable, filterable bool) *models.Property {
		return &models.Property{Name: name, DataType: []string{"text"}, Tokenization: tokenization,
			IndexSearchable: &searchable, IndexFilterable: &filterable}
	}
	f := false
	class := &models.Class{
		Class:       x.class,
		Description: x.description(),
		Vectorizer:  "none",
		Properties: []*models.Property{
			text("article_id", "field", false, true),
			{Name: "chunk", DataType: []string{"int"}, IndexSearchable: &f},
			text("title", "word", false, false),
			text("heading", "word", false, false),
			text("body", "word", false, false),
			text("text", "word", true, false),
			text("url", "field", false, false),
			text("locale", "field", false, true),
			text("status", "field", false, true),
		},
		VectorIndexConfig:  map[string]any{"distance": "cosine"},
		MultiTenancyConfig: &models.MultiTenancyConfig{Enabled: true, AutoTenantCreation: true, AutoTenantActivation: true},
		InvertedIndexConfig: &models.InvertedIndexConfig{
			Bm25:      &models.BM25Config{B: 0.75, K1: 1.2},
			Stopwords: &models.StopwordConfig{Preset: "en"},
		},
	}
	if err := c.Schema().ClassCreator().WithClass(class).Do(ctx); err != nil {
		if strings.Contains(err.Error(), "already exists") { // another replica won
			return false, nil
		}
		return false, fmt.Errorf("search: create collection %s: %w", x.class, err)
	}
	return true, nil
}

// Drop deletes the collection with every tenant.
func (x *Index) Drop(ctx context.Context) error {
	if _, err := x.Ensure(ctx); err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.ensured = false
	return x.wv.client.Schema().ClassDeleter().WithClassName(x.class).Do(ctx)
}

// DropTenant deletes a workspace's chunks.
func (x *Index) DropTenant(ctx context.Context, workspaceID string) error {
	if _, err := x.Ensure(ctx); err != nil {
		return err
	}
	err := x.wv.client.Schema().TenantsDeleter().WithClassName(x.Class()).WithTenants(workspaceID).Do(ctx)
	if err != nil && !isMissing(err) {
		return fmt.Errorf("search: drop tenant %s: %w", workspaceID, err)
	}
	return nil
}

// chunkText is what gets embedded: the title, heading and text together.
func chunkText(title string, c Chunk) string {
	parts := []string{title}
	if c.Heading != "" {
		parts = append(parts, c.Heading)
	}
	if c.Text != "" {
		parts = append(parts, c.Text)
	}
	return strings.Join(parts, "\n")
}

// IndexArticle makes the article's chunks in its workspace's tenant match
// a: it writes every chunk (same ids as before) and removes chunks past the
// new last one. With a word store it also keeps the words of a published
// article for spelling correction (none for a draft).
func (x *Index) IndexArticle(ctx context.Context, a *helpium.Article) error {
	if _, err := x.Ensure(ctx); err != nil {
		return err
	}
	chunks := ChunkMarkdown(a.Body, x.opt.Chunking)
	if len(chunks) == 0 {
		chunks = []Chunk{{}}
	}
	var vectors [][]float32
	if x.emb != nil {
		texts := make([]string, len(chunks))
		for i, c := range chunks {
			texts[i] = chunkText(a.Title, c)
		}
		var err error
		if vectors, err = x.docEmb.Embed(ctx, texts); err != nil {
			return fmt.Errorf("search: embed article %s: %w", a.ID, err)
		}
	}
	url := ""
	if a.URL != nil {
		url = *a.URL
	}
	objs := make([]*models.Object, len(chunks))
	for i, c := range chunks {
		body := c.Text
		if c.Heading != "" {
			body = c.Heading + "\n" + c.Text
		}
		objs[i] = &models.Object{
			Class: x.Class(), ID: strfmt.UUID(ChunkID(a.ID, c.N)), Tenant: a.WorkspaceID,
			Properties: map[string]any{
				"article_id": a.ID, "chunk": c.N, "title": a.Title, "heading": c.Heading, "body": body,
				"text": a.Title + "\n" + body,
				"url":  url, "locale": a.Locale, "status": string(a.Status),
			},
		}
		if vectors != nil {
			objs[i].Vector = vectors[i]
		}
	}
	res, err := x.wv.client.Batch().ObjectsBatcher().WithObjects(objs...).Do(ctx)
	if err != nil {
		return fmt.Errorf("search: index article %s: %w", a.ID, err)
	}
	for _, r := range res {
		if r.Result != nil && r.Result.Errors != nil && len(r.Result.Errors.Error) > 0 {
			return fmt.Errorf("search: index article %s: %s", a.ID, r.Result.Errors.Error[0].Message)
		}
	}
	if err := x.removeChunks(ctx, a.WorkspaceID, a.ID, len(chunks)); err != nil {
		return err
	}
	if x.opt.Words == nil {
		return nil
	}
	// Spelling correction suggests only published articles' words.
	var words []string
	if a.Status == helpium.ArticlePublished {
		words = articleWords(a.Title, chunks)
	}
	if err := x.opt.Words.SetArticleWords(ctx, a.WorkspaceID, a.ID, words); err != nil {
		return fmt.Errorf("search: words of article %s: %w", a.ID, err)
	}
	return nil
}

// RemoveArticle removes every chunk of an article.
func (x *Index) RemoveArticle(ctx context.Context, workspaceID, articleID string) error {
	if _, err := x.Ensure(ctx); err != nil {
		return err
	}
	return x.removeChunks(ctx, workspaceID, articleID, 0)
}

// removeChunks deletes an article's chunks numbered from on.
func (x *Index) removeChunks(ctx context.Context, workspaceID, articleID string, from int) error {
	where := filters.Where().WithOperator(filters.And).WithOperands([]*filters.WhereBuilder{
		filters.Where().WithPath([]string{"article_id"}).WithOperator(filters.Equal).WithValueText(articleID),
		filters.Where().WithPath([]string{"chunk"}).WithOperator(filters.GreaterThanEqual).WithValueInt(int64(from)),
	})
	_, err := x.wv.client.Batch().ObjectsBatchDeleter().WithClassName(x.Class()).WithTenant(workspaceID).
		WithOutput("minimal").WithWhere(where).Do(ctx)
	if err != nil && !isMissing(err) {
		return fmt.Errorf("search: remove chunks of %s: %w", articleID, err)
	}
	return nil
}

// isMissing reports whether err says the tenant or collection does not
// exist, which for reads and deletes means "nothing there".
func isMissing(err error) bool {
	if err == nil {
		return false
	}
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "tenant not found") || strings.Contains(s, "not found") && strings.Contains(s, "tenant") ||
		strings.Contains(s, "cannot query field") || strings.Contains(s, "class not found") ||
		strings.Contains(s, "could not find class")
}

// unavailable reports whether err means Weaviate could not be reached or
// is not serving.
func unavailable(err error) bool {
	var netErr net.Error
	var ce *fault.WeaviateClientError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr):
		return true
	case errors.As(err, &ce):
		return !ce.IsUnexpectedStatusCode || ce.StatusCode >= 500
	}
	return false
}

func searchUnavailable(err error) error {
	return &helpium.Error{Code: helpium.ESearchUnavailable, Message: "Search is temporarily unavailable. Please retry.", Cause: err}
}

// aggregateDepth chunks count towards an article's score; aggregateNorm
// (1 + 1/2 + 1/3) scales the sum back to 0..1.
const (
	aggregateDepth = 3
	aggregateNorm  = 1 + 1.0/2 + 1.0/3
)
