package search_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/db/dbtest"
	"github.com/helpium/helpium/embed"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/search"
	"github.com/helpium/helpium/service"
)

// qualityKB has articles that share words, with one rare word each.
var qualityKB = []helpium.ArticleInput{
	article("sync", "Set up Zorblax sync", "Zorblax keeps your notebooks in step across devices.\n\n## Turn it on\nOpen **Settings → Devices** and switch on sync for each device."),
	article("devices", "Add a device", "You can use your account on five devices.\n\n## Remove a device\nOpen **Settings → Devices**, choose the device and select **Remove**."),
	article("export", "Export your notebooks", "Download every notebook as Markdown from **Settings → Export**. Large exports arrive by email within an hour."),
	article("billing", "Change your plan", "Switch between the Free and Pro plans in **Settings → Billing**. Upgrades apply at once; downgrades at the end of the billing period."),
}

// TestKeywordHitSurvivesThreshold: an article whose chunks are all below
// the similarity threshold is kept when it contains the query's words (a
// feature named in its title, even misspelt), and dropped when it does not.
// The threshold here is set above every similarity, so the rule is tested
// whatever the embedder makes of the words.
func TestKeywordHitSurvivesThreshold(t *testing.T) {
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{})
	ws := app.Workspace(t, "Acme")
	importKB(t, app, ws, qualityKB)
	const threshold = 0.95
	index := search.NewIndex(weaviate(t), apptest.TestEmbedder(t), search.IndexOptions{MinSimilarity: ptr(threshold)})
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"zorblax", []string{"Set up Zorblax sync"}},
		{"zorlbax", []string{"Set up Zorblax sync"}}, // two letters swapped
		{"zorblax settings devices", []string{"Set up Zorblax sync", "Add a device"}},
		{"how can my notes stay the same on my laptop and phone", nil}, // similar, but not in its words
	} {
		hits, err := index.Search(context.Background(), ws.ID, helpium.SearchQuery{Text: c.query, Limit: 5, Locale: "en"})
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, h := range hits {
			titles = append(titles, h.Title)
			for _, p := range h.Passages {
				if p.Similarity >= threshold {
					t.Fatalf("%q: %s is %.3f similar; the test needs every chunk below %.2f", c.query, h.Title, p.Similarity, threshold)
				}
			}
		}
		if !slices.Equal(titles, c.want) {
			t.Errorf("%q: %v, want %v", c.query, titles, c.want)
		}
	}
}

// TestRareWordFoundAmongCommonOnes: BM25 over several words ranks first
// the chunk that has the query's rarest word, here found in one chunk only
// among many that share the query's common words. (Weaviate v1.35's BM25
// over the whole query left that chunk out; search.Index sums one-word
// queries instead.)
func TestRareWordFoundAmongCommonOnes(t *testing.T) {
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{BM25Only: true})
	ws := app.Workspace(t, "Acme")
	var kb []helpium.ArticleInput
	for i := range 40 {
		kb = append(kb, article(fmt.Sprintf("a%d", i), fmt.Sprintf("Business settings, part %d", i),
			fmt.Sprintf("Your business details live in settings.\n\n## Section %d\nChange the business name in settings.\n\n## More\nBusiness settings apply to every user.", i)))
	}
	kb = append(kb, article("expenses", "Record expenses", "Use expenses for things you paid for, like a train ticket or a laptop.\n\n## Add one\nOpen Purchases and choose New expense."))
	importKB(t, app, ws, kb)
	got := restSearch(t, app, ws.APIKey, map[string]any{"query": "bought a laptop for the business, which settings"})
	if len(got.Results) == 0 || got.Results[0].Title != "Record expenses" {
		t.Fatalf("BM25 for a rare word among common ones: %v, want Record expenses first", got.titles())
	}
}

// TestUnrelatedQuestionFindsNothing: a question that has nothing to do with
// the help center gets no results and no answer.
func TestUnrelatedQuestionFindsNothing(t *testing.T) {
	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{})
	ws := app.Workspace(t, "Acme")
	importKB(t, app, ws, qualityKB)
	for _, q := range []string{"what is the capital of france", "best pizza recipe with pineapple"} {
		if got := restSearch(t, app, ws.APIKey, map[string]any{"query": q}); len(got.Results) != 0 {
			t.Errorf("search %q: %v, want nothing", q, got.titles())
		}
		if a := restAnswer(t, app, ws.APIKey, q); a.Answered || len(a.Sources) != 0 {
			t.Errorf("answer %q: %+v, want answered false", q, a)
		}
	}
	// A question the help center does answer still gets an answer.
	if a := restAnswer(t, app, ws.APIKey, "how do I get rid of an old phone from my account"); !a.Answered || a.Sources[0].Title != "Add a device" {
		t.Errorf("answerable question: %+v, want an answer from Add a device", a)
	}
}

// countingEmbedder counts the texts it embeds; name changes the model id
// its vectors are cached under.
type countingEmbedder struct {
	embed.Embedder
	name  string
	mu    sync.Mutex
	texts int
}

func (c *countingEmbedder) Name() string { return c.name }

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.mu.Lock()
	c.texts += len(texts)
	c.mu.Unlock()
	return c.Embedder.Embed(ctx, texts)
}

func (c *countingEmbedder) take() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.texts
	c.texts = 0
	return n
}

// TestEmbeddingCache: re-indexing an unchanged article embeds nothing, a
// changed chunk alone is embedded again, and another model embeds
// everything (vectors are cached per model).
func TestEmbeddingCache(t *testing.T) {
	store := db.NewStore(dbtest.New(t))
	ctx := context.Background()
	a := &helpium.Article{
		ID: uuid.NewString(), WorkspaceID: uuid.NewString(), Title: "Export your notebooks", Locale: "en", Status: helpium.ArticlePublished,
		Body: "Download every notebook as Markdown.\n\n## By email\nLarge exports arrive within an hour.\n\n## Formats\nMarkdown or PDF.",
	}
	chunks := len(search.ChunkMarkdown(a.Body, search.DefaultChunkOptions))
	model := func(name string) (*countingEmbedder, *search.Index) {
		emb := &countingEmbedder{Embedder: apptest.TestEmbedder(t), name: fmt.Sprintf("%s-%s", name, uuid.NewString()[:8])}
		index := search.NewIndex(weaviate(t), emb, search.IndexOptions{Cache: store})
		t.Cleanup(func() { index.Drop(context.Background()) })
		return emb, index
	}
	emb, index := model("test-model-a")
	steps := []struct {
		name string
		edit func()
		want int
	}{
		{"first index: every chunk", func() {}, chunks},
		{"unchanged: from the cache", func() {}, 0},
		{"one section changed: that chunk", func() { a.Body = strings.Replace(a.Body, "Markdown or PDF.", "Markdown, PDF or HTML.", 1) }, 1},
	}
	for _, s := range steps {
		s.edit()
		if err := index.IndexArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got := emb.take(); got != s.want {
			t.Errorf("%s: embedded %d texts, want %d", s.name, got, s.want)
		}
	}
	// The cached vectors are the model's: search finds the article.
	hits, err := index.Search(ctx, a.WorkspaceID, helpium.SearchQuery{Text: "get my notes out as files", Limit: 1, Locale: "en"})
	if err != nil || len(hits) != 1 || hits[0].ArticleID != a.ID {
		t.Fatalf("search after cached indexing: %v %v", hits, err)
	}
	if emb.take() != 1 {
		t.Errorf("a query was not embedded exactly once: queries are not cached")
	}
	// Pruned entries are embedded again.
	if n, err := store.PruneVectors(ctx, time.Now().Add(time.Hour)); err != nil || n < chunks {
		t.Fatalf("PruneVectors = %d, %v; want at least the article's %d chunks", n, err, chunks)
	}
	if err := index.IndexArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got := emb.take(); got != chunks {
		t.Errorf("after pruning: embedded %d texts, want all %d", got, chunks)
	}
	other, index2 := model("test-model-b")
	if err := index2.IndexArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got := other.take(); got != chunks {
		t.Errorf("another model: embedded %d texts, want all %d", got, chunks)
	}
}

// TestSimilarities: sentences are scored against the question with the
// search's own vectors. The question's vector is the one its search just
// made, and sentences go through the embedding cache, so asking again
// embeds nothing.
func TestSimilarities(t *testing.T) {
	store := db.NewStore(dbtest.New(t))
	ctx := context.Background()
	emb := &countingEmbedder{Embedder: apptest.TestEmbedder(t), name: "test-sim-" + uuid.NewString()[:8]}
	index := search.NewIndex(weaviate(t), emb, search.IndexOptions{Cache: store})
	t.Cleanup(func() { index.Drop(context.Background()) })
	const question = "my package never showed up"
	texts := []string{"Lockers are open around the clock.", "If a parcel has not arrived after five working days, report it missing."}
	vecs, err := emb.Embedder.Embed(ctx, append([]string{question}, texts...))
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{embed.Cosine(vecs[0], vecs[1]), embed.Cosine(vecs[0], vecs[2])}
	if want[1] <= want[0] {
		t.Fatalf("the model ranks the unrelated sentence first (%v): pick other sentences", want)
	}
	steps := []struct {
		name   string
		search bool // search the question first
		embeds int
	}{
		{"a question not searched: it and the sentences", false, 3},
		{"asked again: the question alone, the sentences are cached", false, 1},
		{"right after its search: nothing more", true, 0},
	}
	for _, s := range steps {
		if s.search {
			if _, err := index.Search(ctx, uuid.NewString(), helpium.SearchQuery{Text: question, Limit: 1, Locale: "en"}); err != nil {
				t.Fatal(err)
			}
			emb.take() // the search's own embedding
		}
		got, err := index.Similarities(ctx, question, texts)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-6 {
				t.Errorf("%s: similarities %v, want %v", s.name, got, want)
				break
			}
		}
		if n := emb.take(); n != s.embeds {
			t.Errorf("%s: embedded %d texts, want %d", s.name, n, s.embeds)
		}
	}
	if got, err := search.NewIndex(weaviate(t), nil, search.IndexOptions{}).Similarities(ctx, question, texts); got != nil || err != nil {
		t.Errorf("without an embedder: %v, %v; want nothing", got, err)
	}
}

func weaviate(t *testing.T) *search.Weaviate {
	t.Helper()
	wv, err := search.NewWeaviate(apptest.WeaviateURL(t))
	if err != nil {
		t.Fatal(err)
	}
	return wv
}

func ptr[T any](v T) *T { return &v }
