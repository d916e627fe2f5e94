package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/embed"
)

// A search is one GraphQL request to Weaviate with aliased queries: the
// query vector's nearest chunks (nearVector, with their cosine distance)
// as "v", and BM25 over the chunks' text as "t0". On a collection with
// BlockMax WAND (see Index.WordByWord) the BM25 query is instead one query
// per distinct word, "t0", "t1"...: BM25 is a sum over the query's words,
// so the sum of the one-word scores is the query's score, and the
// one-word queries are exact.
//
// The two lists are fused here, as Weaviate's relativeScoreFusion would:
// each side min-max normalised over its own list, weighed alpha (vector)
// and 1-alpha (words), a chunk missing from a side scoring 0 there. The
// best candidates are grouped by article (see rank).

// maxTerms caps the words searched one by one; a longer question's later
// words are searched together in one last query.
const maxTerms = 16

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
	ID       string      `json:"id"`
	Score    json.Number `json:"score"`
	Distance json.Number `json:"distance"`
	Vector   []float32   `json:"vector"`
}

// candidate is a chunk with its scores on both sides.
type candidate struct {
	hit        *chunkHit // nil until its fields are fetched
	id         string
	articleID  string
	chunk      int
	similarity float64 // cosine to the query; valid if hasSim
	hasSim     bool
	words      float64 // summed BM25 of the query's words
	fused      float64
}

// EmbedQueries returns the vectors of texts as Search embeds a query, or
// nil without an embedder.
func (x *Index) EmbedQueries(ctx context.Context, texts []string) ([][]float32, error) {
	if x.emb == nil || len(texts) == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, embedTimeout*time.Duration(1+len(texts)/32))
	defer cancel()
	v, err := x.emb.Embed(ctx, texts)
	if err != nil {
		return nil, searchUnavailable(fmt.Errorf("embed queries: %w", err))
	}
	return v, nil
}

// Search corrects the query's typos (see spelling.go), runs it in a
// workspace's tenant, filtered by locale and, unless drafts are included,
// by published status; it fuses the vector and word lists, groups chunks
// by article, keeps the articles that pass the relevance threshold, and
// returns the best q.Limit, each with its matching passages best first.
// An unreachable Weaviate is ESearchUnavailable within searchTimeout.
func (x *Index) Search(ctx context.Context, workspaceID string, q helpium.SearchQuery) ([]*helpium.ArticleHit, error) {
	asked := q.Text
	text, err := x.Correct(ctx, workspaceID, q.Locale, q.Text)
	if err != nil {
		return nil, fmt.Errorf("search: correct query: %w", err) // keeps the store's code (unavailable)
	}
	q.Text = text
	// The query's vector first: embedding is CPU work, slow only when the
	// machine is busy, which is not Weaviate being unavailable.
	vecs, err := x.EmbedQueries(ctx, []string{q.Text})
	if err != nil {
		return nil, err
	}
	var qvec []float32
	if vecs != nil {
		qvec = vecs[0]
		x.recent.add(asked, qvec)
	}
	ctx, cancel := context.WithTimeout(ctx, searchTimeout)
	defer cancel()
	if _, err := x.Ensure(ctx); err != nil {
		if unavailable(err) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, searchUnavailable(err)
		}
		return nil, helpium.Internal(err)
	}
	if qvec == nil && len(searchTerms(cleanQuery(q.Text))) == 0 {
		return []*helpium.ArticleHit{}, nil // only stop words: nothing to look for
	}
	var lists map[string][]*chunkHit
	if err := x.get(ctx, x.Query(workspaceID, q, qvec), &lists); err != nil {
		if isMissing(err) {
			return []*helpium.ArticleHit{}, nil
		}
		return nil, err
	}
	return x.rank(ctx, workspaceID, fuse(lists, x.alpha, qvec != nil), q, qvec)
}

// searchTerms are the distinct words of q as Weaviate's "word"
// tokenization cuts them (lower-cased, split at anything but letters and
// digits), without stop words, and without single letters unless nothing
// else is left ("it's" gives "s").
func searchTerms(q string) []string {
	var words, letters []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if bm25Stopwords[w] || seen[w] {
			continue
		}
		seen[w] = true
		if r := []rune(w); len(r) == 1 && !unicode.IsDigit(r[0]) {
			letters = append(letters, w)
		} else {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return letters
	}
	return words
}

// bm25Stopwords is Weaviate's "en" stop word preset, which the collection
// uses: searching them alone finds nothing.
var bm25Stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields("a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with") {
		bm25Stopwords[w] = true
	}
}

// Query returns the GraphQL request of a search: the nearVector query (if
// qvec is set) as "v" and one BM25 query per word as "t0", "t1"...
func (x *Index) Query(tenant string, q helpium.SearchQuery, qvec []float32) string {
	where := fmt.Sprintf(`{path: ["locale"], operator: Equal, valueText: %s}`, gqlString(q.Locale))
	if !q.IncludeDrafts {
		where = fmt.Sprintf(`{operator: And, operands: [%s, {path: ["status"], operator: Equal, valueText: "published"}]}`, where)
	}
	var b strings.Builder
	b.WriteString("{Get {")
	if qvec != nil {
		vec, _ := json.Marshal(qvec)
		fmt.Fprintf(&b, `v: %s(tenant: %s, limit: %d, nearVector: {vector: %s}, where: %s) {article_id chunk title heading body url status _additional {id distance}} `,
			x.Class(), gqlString(tenant), candidates, vec, where)
	}
	terms := searchTerms(cleanQuery(q.Text))
	switch {
	case len(terms) == 0:
	case !x.WordByWord():
		terms = []string{strings.Join(terms, " ")}
	case len(terms) > maxTerms:
		terms = append(terms[:maxTerms-1], strings.Join(terms[maxTerms-1:], " "))
	}
	for i, t := range terms {
		fmt.Fprintf(&b, `t%d: %s(tenant: %s, limit: %d, bm25: {query: %s, properties: ["text"]}, where: %s) {article_id chunk _additional {id score}} `,
			i, x.Class(), gqlString(tenant), candidates, gqlString(t), where)
	}
	b.WriteString("}}")
	return b.String()
}

// fuse combines the lists of a search into candidates, best first.
func fuse(lists map[string][]*chunkHit, alpha float64, vector bool) []*candidate {
	byID := map[string]*candidate{}
	get := func(h *chunkHit) *candidate {
		c := byID[h.Add.ID]
		if c == nil {
			c = &candidate{id: h.Add.ID, articleID: h.ArticleID, chunk: h.Chunk}
			byID[h.Add.ID] = c
		}
		return c
	}
	for name, list := range lists {
		for _, h := range list {
			c := get(h)
			if name == "v" {
				d, _ := h.Add.Distance.Float64()
				c.similarity, c.hasSim, c.hit = 1-d, true, h
				continue
			}
			s, _ := h.Add.Score.Float64()
			c.words += s
		}
	}
	all := make([]*candidate, 0, len(byID))
	for _, c := range byID {
		all = append(all, c)
	}
	wordWeight := 1 - alpha
	if !vector {
		wordWeight = 1
	}
	addNormalized(all, func(c *candidate) (float64, bool) { return c.similarity, c.hasSim }, alpha)
	addNormalized(all, func(c *candidate) (float64, bool) { return c.words, c.words > 0 }, wordWeight)
	// Ties go by chunk id, so the same query gets the same order whatever
	// order Weaviate returned its lists in.
	sort.Slice(all, func(i, j int) bool {
		if all[i].fused != all[j].fused {
			return all[i].fused > all[j].fused
		}
		return all[i].id < all[j].id
	})
	return all[:min(len(all), candidates)]
}

// addNormalized adds weight × the min-max normalised value of every
// candidate that has one (a single value normalises to 1).
func addNormalized(cs []*candidate, value func(*candidate) (float64, bool), weight float64) {
	lo, hi, any := 0.0, 0.0, false
	for _, c := range cs {
		if v, ok := value(c); ok {
			if !any || v < lo {
				lo = v
			}
			if !any || v > hi {
				hi = v
			}
			any = true
		}
	}
	for _, c := range cs {
		if v, ok := value(c); ok {
			n := 1.0
			if hi > lo {
				n = (v - lo) / (hi - lo)
			}
			c.fused += weight * n
		}
	}
}

// get runs a GraphQL Get request on the collection and decodes each of its
// aliased results into out (a map from alias to chunks). It returns
// ESearchUnavailable when Weaviate cannot be reached, and the error itself
// (see isMissing) for a missing tenant or collection.
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
	raw, _ := json.Marshal(res.Data["Get"])
	if err := json.Unmarshal(raw, out); err != nil {
		return helpium.Internal(fmt.Errorf("search: decode: %w", err))
	}
	return nil
}

// gqlString quotes s as a GraphQL string: JSON string syntax is valid
// GraphQL string syntax.
func gqlString(s string) string { b, _ := json.Marshal(s); return string(b) }

// cleanQuery replaces control characters with spaces.
func cleanQuery(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }), " ")
}

// rank groups candidates by article and scores each article by its best
// chunks, best first with diminishing weight (CombSUM over the top
// aggregateDepth chunks, weights 1, 1/2, 1/3): an article that answers the
// query in more than one place beats one with a single lucky match. It then
// fetches what the best articles' chunks lack (their text when only the
// word side found them, their similarity when it is needed), applies the
// relevance threshold and the limit.
func (x *Index) rank(ctx context.Context, tenant string, cands []*candidate, q helpium.SearchQuery, qvec []float32) ([]*helpium.ArticleHit, error) {
	type group struct {
		hit   *helpium.ArticleHit
		cands []*candidate
	}
	byID := map[string]*group{}
	var groups []*group
	for _, c := range cands {
		g := byID[c.articleID]
		if g == nil {
			g = &group{hit: &helpium.ArticleHit{ArticleID: c.articleID}}
			byID[c.articleID] = g
			groups = append(groups, g)
		}
		if n := len(g.cands); n < aggregateDepth {
			g.hit.Score += c.fused / float64(n+1) / aggregateNorm
		}
		g.cands = append(g.cands, c)
	}
	// Ties (common with BM25 alone) go by article id.
	sort.SliceStable(groups, func(i, j int) bool {
		if groups[i].hit.Score != groups[j].hit.Score {
			return groups[i].hit.Score > groups[j].hit.Score
		}
		return groups[i].hit.ArticleID < groups[j].hit.ArticleID
	})

	// An article is kept when one of its chunks is similar enough to the
	// query or contains most of its words (weak on both sides: dropped;
	// without an embedder, every article found is kept). Groups are
	// completed a few more than the limit at a time, so that one dropped
	// by the threshold rarely costs another round trip.
	terms := queryTerms(q.Text)
	out := make([]*helpium.ArticleHit, 0, min(q.Limit, len(groups)))
	for next := 0; len(out) < q.Limit && next < len(groups); {
		batch := groups[next:min(len(groups), next+q.Limit-len(out)+similarityExtra)]
		next += len(batch)
		var missing []*candidate
		for _, g := range batch {
			for _, c := range g.cands {
				if c.hit == nil || qvec != nil && !c.hasSim {
					missing = append(missing, c)
				}
			}
		}
		if err := x.complete(ctx, tenant, qvec, missing); err != nil {
			return nil, err
		}
		for _, g := range batch {
			h := g.hit
			for _, c := range g.cands {
				if c.hit == nil {
					continue // deleted meanwhile
				}
				if h.Title == "" {
					h.Title, h.Status = c.hit.Title, helpium.ArticleStatus(c.hit.Status)
					if c.hit.URL != "" {
						u := c.hit.URL
						h.URL = &u
					}
				}
				h.Passages = append(h.Passages, &helpium.Passage{
					ArticleID: c.articleID, Chunk: c.chunk, Title: c.hit.Title, Heading: c.hit.Heading,
					Text: strings.TrimPrefix(c.hit.Body, c.hit.Heading+"\n"), Score: c.fused, Similarity: c.similarity,
				})
			}
			if len(h.Passages) == 0 {
				continue
			}
			if qvec != nil && maxSimilarity(h) < x.minSim && lexicalCoverage(terms, h) < minCoverage {
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

// similarityExtra is how many articles beyond those still needed are
// completed in one round.
const similarityExtra = 3

// complete fetches, in one query by object id, the fields of candidates
// only the word side found and, with a query vector, their vectors, from
// which it sets their similarity.
func (x *Index) complete(ctx context.Context, tenant string, qvec []float32, cands []*candidate) error {
	if len(cands) == 0 {
		return nil
	}
	byID := make(map[string]*candidate, len(cands))
	ids := make([]string, 0, len(cands))
	for _, c := range cands {
		byID[c.id] = c
		ids = append(ids, c.id)
	}
	list, _ := json.Marshal(ids)
	vector := ""
	if qvec != nil {
		vector = " vector"
	}
	gql := fmt.Sprintf(`{Get {c: %s(tenant: %s, limit: %d, where: {path: ["id"], operator: ContainsAny, valueText: %s}) {article_id chunk title heading body url status _additional {id%s}}}}`,
		x.Class(), gqlString(tenant), len(ids), list, vector)
	var got map[string][]*chunkHit
	if err := x.get(ctx, gql, &got); err != nil {
		if isMissing(err) {
			return nil // the tenant went away meanwhile: nothing to add
		}
		return err
	}
	for _, h := range got["c"] {
		c := byID[h.Add.ID]
		if c == nil {
			continue
		}
		c.hit = h
		if qvec != nil && len(h.Add.Vector) == len(qvec) {
			c.similarity, c.hasSim = embed.Cosine(qvec, h.Add.Vector), true
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
