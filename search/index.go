package search

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"regexp"
	"sort"
	"strings"
	"sync"
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
	DefaultAlpha = 0.65
	// DefaultMinSimilarity drops articles whose best chunk is less similar
	// to the query than this (cosine), so an unanswerable question returns
	// nothing. Only used with an embedder.
	DefaultMinSimilarity = 0.25
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
}

// Index is the collection of article chunks in Weaviate for one embedder,
// with one tenant per workspace. The collection's name is derived from the
// embedder's name and dimension, and its description records them, so
// vectors of different embedders never mix: starting with another embedder
// uses (and fills) another collection.
type Index struct {
	wv     *Weaviate
	emb    embed.Embedder // nil: keyword search only
	class  string
	opt    IndexOptions
	alpha  float64
	minSim float64

	mu      sync.Mutex
	ensured bool
}

// NewIndex returns the index of emb's vectors in wv; emb nil means BM25
// only. It does not connect: call Ensure (the indexer does).
func NewIndex(wv *Weaviate, emb embed.Embedder, opt IndexOptions) *Index {
	x := &Index{wv: wv, emb: emb, opt: opt, alpha: DefaultAlpha, minSim: DefaultMinSimilarity}
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

// className derives the collection name from the embedder: readable, and
// distinct for distinct (name, dimension) pairs.
func className(embedder string, dims int) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s|%d", embedder, dims))
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
	return fmt.Sprintf("Helpium article chunks. embedder=%s dimensions=%d", x.EmbedderName(), dims)
}

// Class returns the collection's name ("" until an embedder that learns its
// dimension from its first answer has answered).
func (x *Index) Class() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.class
}

// Ensure creates the collection if it does not exist and reports whether
// it did. It checks that an existing one was made for this embedder.
func (x *Index) Ensure(ctx context.Context) (created bool, err error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.ensured {
		return false, nil
	}
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
		x.ensured = true
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
			text("title", "word", true, false),
			text("heading", "word", false, false),
			text("body", "word", true, false),
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
			x.ensured = true
			return false, nil
		}
		return false, fmt.Errorf("search: create collection %s: %w", x.class, err)
	}
	x.ensured = true
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
// new last one.
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
		if vectors, err = x.emb.Embed(ctx, texts); err != nil {
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
				"url": url, "locale": a.Locale, "status": string(a.Status),
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
	return x.removeChunks(ctx, a.WorkspaceID, a.ID, len(chunks))
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

// chunkHit is one chunk returned by Weaviate.
type chunkHit struct {
	ArticleID string    `json:"article_id"`
	Chunk     int       `json:"chunk"`
	Title     string    `json:"title"`
	Heading   string    `json:"heading"`
	Body      string    `json:"body"`
	URL       string    `json:"url"`
	Status    string    `json:"status"`
	Add       chunkMeta `json:"_additional"`
}

type chunkMeta struct {
	ID     string      `json:"id"`
	Score  json.Number `json:"score"`
	Vector []float32   `json:"vector"`
}

// Search runs a hybrid query (BM25F over title and body plus the query's
// vector) in a workspace's tenant, filtered by locale and, unless drafts
// are included, by published status; it groups chunks by article, keeps
// articles that pass the relevance threshold, and returns the best
// q.Limit, each with its matching passages best first. An unreachable
// Weaviate is ESearchUnavailable within searchTimeout.
func (x *Index) Search(ctx context.Context, workspaceID string, q helpium.SearchQuery) ([]*helpium.ArticleHit, error) {
	// The query's vector first: embedding is CPU work, slow only when the
	// machine is busy, which is not Weaviate being unavailable.
	var qvec []float32
	if x.emb != nil {
		ectx, cancel := context.WithTimeout(ctx, embedTimeout)
		v, err := x.emb.Embed(ectx, []string{q.Text})
		cancel()
		if err != nil {
			return nil, searchUnavailable(fmt.Errorf("embed query: %w", err))
		}
		qvec = v[0]
	}
	ctx, cancel := context.WithTimeout(ctx, searchTimeout)
	defer cancel()
	if _, err := x.Ensure(ctx); err != nil {
		if unavailable(err) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, searchUnavailable(err)
		}
		return nil, helpium.Internal(err)
	}
	var chunks []*chunkHit
	if err := x.get(ctx, x.query(workspaceID, q, qvec), &chunks); err != nil {
		if isMissing(err) {
			return []*helpium.ArticleHit{}, nil
		}
		return nil, err
	}
	return x.rank(ctx, workspaceID, chunks, q, qvec)
}

// get runs a GraphQL Get query on the collection and decodes its objects
// into out. It returns ESearchUnavailable when Weaviate cannot be reached,
// and the error itself (see isMissing) for a missing tenant or collection.
func (x *Index) get(ctx context.Context, gql string, out any) error {
	res, err := x.wv.client.GraphQL().Raw().WithQuery(gql).Do(ctx)
	if err != nil {
		if isMissing(err) {
			return err
		}
		if unavailable(err) {
			return searchUnavailable(err)
		}
		return helpium.Internal(fmt.Errorf("search: %w", err))
	}
	if len(res.Errors) > 0 {
		err := errors.New(res.Errors[0].Message)
		if isMissing(err) {
			return err
		}
		return helpium.Internal(fmt.Errorf("search: %w", err))
	}
	if get, ok := res.Data["Get"].(map[string]any); ok {
		raw, _ := json.Marshal(get[x.Class()])
		if err := json.Unmarshal(raw, out); err != nil {
			return helpium.Internal(fmt.Errorf("search: decode: %w", err))
		}
	}
	return nil
}

// gqlString quotes s as a GraphQL string: JSON string syntax is valid
// GraphQL string syntax.
func gqlString(s string) string { b, _ := json.Marshal(s); return string(b) }

// query builds the GraphQL Get query.
func (x *Index) query(tenant string, q helpium.SearchQuery, qvec []float32) string {
	text := cleanQuery(q.Text)
	where := fmt.Sprintf(`{path: ["locale"], operator: Equal, valueText: %s}`, gqlString(q.Locale))
	if !q.IncludeDrafts {
		where = fmt.Sprintf(`{operator: And, operands: [%s, {path: ["status"], operator: Equal, valueText: "published"}]}`, where)
	}
	var search string
	if qvec != nil {
		vec, _ := json.Marshal(qvec)
		search = fmt.Sprintf(`hybrid: {query: %s, vector: %s, alpha: %g, properties: ["title^2", "body"], fusionType: relativeScoreFusion}`,
			gqlString(text), vec, x.alpha)
	} else {
		search = fmt.Sprintf(`bm25: {query: %s, properties: ["title^2", "body"]}`, gqlString(text))
	}
	return fmt.Sprintf(`{Get {%s(tenant: %s, limit: %d, %s, where: %s) {article_id chunk title heading body url status _additional {score}}}}`,
		x.Class(), gqlString(tenant), candidates, search, where)
}

// cleanQuery replaces control characters with spaces.
func cleanQuery(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }), " ")
}

// rank groups chunks by article and scores each article by its best
// chunks, best first with diminishing weight (CombSUM over the top
// aggregateDepth chunks, weights 1, 1/2, 1/3): an article that answers the
// query in more than one place beats one with a single lucky match. It then
// applies the relevance threshold and the limit.
func (x *Index) rank(ctx context.Context, tenant string, chunks []*chunkHit, q helpium.SearchQuery, qvec []float32) ([]*helpium.ArticleHit, error) {
	byID := make(map[string]*helpium.ArticleHit)
	var hits []*helpium.ArticleHit
	for _, c := range chunks {
		score, _ := c.Add.Score.Float64()
		h := byID[c.ArticleID]
		if h == nil {
			h = &helpium.ArticleHit{ArticleID: c.ArticleID, Title: c.Title, Status: helpium.ArticleStatus(c.Status)}
			if c.URL != "" {
				u := c.URL
				h.URL = &u
			}
			byID[c.ArticleID] = h
			hits = append(hits, h)
		}
		if n := len(h.Passages); n < aggregateDepth {
			h.Score += score / float64(n+1) / aggregateNorm
		}
		text := c.Body
		if c.Heading != "" {
			text = strings.TrimPrefix(text, c.Heading+"\n")
		}
		h.Passages = append(h.Passages, &helpium.Passage{
			ArticleID: c.ArticleID, Chunk: c.Chunk, Title: c.Title, Heading: c.Heading, Text: text, Score: score,
		})
	}
	// Ties (common with BM25 alone) go by article id, so that the same
	// query gets the same order whatever order Weaviate returned them in.
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].ArticleID < hits[j].ArticleID
	})

	// With an embedder, an article is kept only when one of its chunks is
	// similar enough to the query. The similarities are computed for the
	// best articles only, a few more than the limit at a time, from their
	// chunks' vectors: asking the hybrid query for the vectors of every
	// candidate costs several times the query itself.
	out := make([]*helpium.ArticleHit, 0, min(q.Limit, len(hits)))
	for next := 0; len(out) < q.Limit && next < len(hits); {
		batch := hits[next:min(len(hits), next+q.Limit-len(out)+similarityExtra)]
		next += len(batch)
		if qvec != nil {
			if err := x.similarities(ctx, tenant, qvec, batch); err != nil {
				return nil, err
			}
		}
		for _, h := range batch {
			if qvec != nil && maxSimilarity(h) < x.minSim {
				continue
			}
			if len(out) < q.Limit {
				out = append(out, h)
			}
		}
	}
	for _, h := range out {
		h.Snippet = Snippet(h.Passages[0].Text, q.Text, helpium.MaxSnippet)
	}
	return out, nil
}

// similarityExtra is how many articles beyond those still needed get their
// similarities computed in one round, so that one dropped by the threshold
// rarely costs another round trip.
const similarityExtra = 3

// similarities sets each passage's Similarity: the cosine similarity of its
// chunk's vector to the query's, fetched from Weaviate in one query by the
// chunks' object ids.
func (x *Index) similarities(ctx context.Context, tenant string, qvec []float32, hits []*helpium.ArticleHit) error {
	byID := map[string]*helpium.Passage{}
	for _, h := range hits {
		for _, p := range h.Passages {
			byID[ChunkID(p.ArticleID, p.Chunk)] = p
		}
	}
	if len(byID) == 0 {
		return nil
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	list, _ := json.Marshal(ids)
	gql := fmt.Sprintf(`{Get {%s(tenant: %s, limit: %d, where: {path: ["id"], operator: ContainsAny, valueText: %s}) {_additional {id vector}}}}`,
		x.Class(), gqlString(tenant), len(ids), list)
	var chunks []*chunkHit
	if err := x.get(ctx, gql, &chunks); err != nil {
		if isMissing(err) {
			return nil // the tenant went away meanwhile: nothing is similar
		}
		return err
	}
	for _, c := range chunks {
		if p := byID[c.Add.ID]; p != nil && len(c.Add.Vector) == len(qvec) {
			p.Similarity = embed.Cosine(qvec, c.Add.Vector)
		}
	}
	return nil
}

// maxSimilarity is the best similarity of an article's passages.
func maxSimilarity(h *helpium.ArticleHit) float64 {
	best := 0.0
	for _, p := range h.Passages {
		best = max(best, p.Similarity)
	}
	return best
}

// aggregateDepth chunks count towards an article's score; aggregateNorm
// (1 + 1/2 + 1/3) scales the sum back to 0..1.
const (
	aggregateDepth = 3
	aggregateNorm  = 1 + 1.0/2 + 1.0/3
)
