package use

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/helpium/helpium/embed"
)

// The model is fetched with Ensure into $HELPIUM_MODEL_DIR, by default
// <repo root>/.data/models. If it cannot be had, the tests fail: they never
// skip.

var (
	modelOnce sync.Once
	testModel *Model
	modelErr  error
	loadTime  time.Duration
)

func modelsDir() (string, error) {
	if d := os.Getenv("HELPIUM_MODEL_DIR"); d != "" {
		return d, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, ".data", "models"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func getModel(tb testing.TB) *Model {
	tb.Helper()
	modelOnce.Do(func() {
		dir, err := modelsDir()
		if err != nil {
			modelErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		md, err := Ensure(ctx, dir)
		if err != nil {
			modelErr = fmt.Errorf("Ensure(%s): %w", dir, err)
			return
		}
		start := time.Now()
		testModel, modelErr = Load(md)
		loadTime = time.Since(start)
	})
	if modelErr != nil {
		tb.Fatalf("USE-lite model unavailable (needs npm and its registry, or a populated HELPIUM_MODEL_DIR): %v", modelErr)
	}
	return testModel
}

type refEntry struct {
	Text   string    `json:"text"`
	Tokens []int32   `json:"tokens"`
	Vector []float32 `json:"vector"`
}

func loadReference(tb testing.TB) []refEntry {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "reference.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var ref []refEntry
	if err := json.Unmarshal(b, &ref); err != nil {
		tb.Fatal(err)
	}
	if len(ref) < 20 {
		tb.Fatalf("reference has %d entries", len(ref))
	}
	return ref
}

func refTexts(ref []refEntry) []string {
	texts := make([]string, len(ref))
	for i, e := range ref {
		texts[i] = e.Text
	}
	return texts
}

func TestModelInfo(t *testing.T) {
	m := getModel(t)
	var e embed.Embedder = m
	if e.Name() != "use-lite@0.2.0" || e.Dimensions() != 512 {
		t.Fatalf("Name %q Dimensions %d", e.Name(), e.Dimensions())
	}
	t.Logf("model load time: %v", loadTime)
}

func TestTokenizerMatchesReference(t *testing.T) {
	m := getModel(t)
	for _, e := range loadReference(t) {
		got := m.Tokenize(e.Text)
		if !slices.Equal(got, e.Tokens) {
			t.Errorf("Tokenize(%q)\n got %v\nwant %v", e.Text, got, e.Tokens)
		}
	}
}

func TestEmbedMatchesReference(t *testing.T) {
	m := getModel(t)
	ref := loadReference(t)
	texts := refTexts(ref)

	batch, err := m.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(batch) != len(texts) {
		t.Fatalf("got %d vectors for %d texts", len(batch), len(texts))
	}
	minCos, minText := 2.0, ""
	for i, e := range ref {
		if len(batch[i]) != Dimensions {
			t.Fatalf("vector %d has %d dimensions", i, len(batch[i]))
		}
		c := embed.Cosine(batch[i], e.Vector)
		if c < minCos {
			minCos, minText = c, e.Text
		}
		if c < 0.999 {
			t.Errorf("cosine(Go, reference) = %.6f for %q", c, e.Text)
		}
		// Each text alone must give the same vector as in the batch.
		single, err := m.Embed(context.Background(), []string{e.Text})
		if err != nil {
			t.Fatal(err)
		}
		if c := embed.Cosine(single[0], batch[i]); c < 0.99999 {
			t.Errorf("single vs batch cosine %.7f for %q", c, e.Text)
		}
		var norm float64
		for _, v := range batch[i] {
			norm += float64(v) * float64(v)
		}
		if math.Abs(norm-1) > 1e-4 {
			t.Errorf("|v|^2 = %v for %q", norm, e.Text)
		}
	}
	t.Logf("min cosine(Go, reference) over %d texts: %.9f, 1-cos = %.2g (%q)", len(ref), minCos, 1-minCos, minText)
}

func TestSemanticSanity(t *testing.T) {
	m := getModel(t)
	cases := []struct{ query, near, far string }{
		{"I can't get into my account", "Reset your password", "Track a parcel"},
		{"Where is my package?", "Track a parcel", "Reset your password"},
		{"I want my money back", "How do I get a refund?", "Change my email address"},
		{"The app keeps crashing", "The application closes unexpectedly on startup", "What are your opening hours?"},
		{"Cancel my subscription", "How do I stop my monthly plan?", "The parcel arrived damaged"},
		{"I forgot my password", "I can't log in", "When will my order ship?"},
	}
	for _, c := range cases {
		v, err := m.Embed(context.Background(), []string{c.query, c.near, c.far})
		if err != nil {
			t.Fatal(err)
		}
		near, far := embed.Cosine(v[0], v[1]), embed.Cosine(v[0], v[2])
		t.Logf("%q: %.3f %q vs %.3f %q", c.query, near, c.near, far, c.far)
		if near <= far {
			t.Errorf("%q: cos to %q = %.3f, not above cos to %q = %.3f", c.query, c.near, near, c.far, far)
		}
	}
}

func TestEmbedEdgeCases(t *testing.T) {
	m := getModel(t)
	ctx := context.Background()
	v, err := m.Embed(ctx, nil)
	if err != nil || len(v) != 0 {
		t.Fatalf("Embed(nil) = %v, %v", v, err)
	}
	// Only the first MaxTokens tokens count.
	long := ""
	for i := 0; i < 200; i++ {
		long += "word "
	}
	if n := len(m.Tokenize(long)); n <= MaxTokens {
		t.Fatalf("test text has only %d tokens", n)
	}
	a, err := m.Embed(ctx, []string{long, long + "and a different ending that the model never reads"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a[0], a[1]) {
		t.Error("tokens past MaxTokens changed the vector")
	}
	// Many empty texts alone (a chunk without tokens).
	e, err := m.Embed(ctx, []string{"", "", ""})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(e[0], e[2]) || math.IsNaN(float64(e[0][0])) {
		t.Error("empty texts differ or are NaN")
	}
	// A canceled context is reported.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m.Embed(cctx, []string{"hello"}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: err = %v", err)
	}
	// A batch spanning several chunks equals the texts embedded one by one.
	texts := make([]string, 16)
	for i := range texts {
		texts[i] = fmt.Sprintf("Ticket %d: my order number %d has not arrived yet, it has been three weeks since I paid, and I would like an update please", i, 1000+i)
	}
	if n := len(m.Tokenize(texts[0])); n*len(texts) <= maxChunkTokens {
		t.Fatalf("batch of %d tokens fits one chunk", n*len(texts))
	}
	batch, err := m.Embed(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		one, err := m.Embed(ctx, []string{text})
		if err != nil {
			t.Fatal(err)
		}
		if c := embed.Cosine(one[0], batch[i]); c < 0.99999 {
			t.Errorf("text %d: single vs batch cosine %.7f", i, c)
		}
	}
}

func TestConcurrentEmbed(t *testing.T) {
	m := getModel(t)
	texts := []string{"I can't get into my account", "Reset your password", "Track a parcel", "Où est ma commande ?"}
	want, err := m.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for it := 0; it < 3; it++ {
				// Rotate the order so goroutines do different work.
				in := append(slices.Clone(texts[g%len(texts):]), texts[:g%len(texts)]...)
				got, err := m.Embed(context.Background(), in)
				if err != nil {
					errs <- err
					return
				}
				for i := range in {
					if !slices.Equal(got[i], want[(i+g)%len(texts)]) {
						errs <- fmt.Errorf("goroutine %d: vector for %q differs", g, in[i])
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestEnsureIdempotentAndConcurrent(t *testing.T) {
	getModel(t) // also warms npm's cache
	dir, _ := modelsDir()
	start := time.Now()
	md, err := Ensure(context.Background(), dir)
	if err != nil || md != filepath.Join(dir, DirName) {
		t.Fatalf("Ensure again = %q, %v", md, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Ensure of an installed model took %v", d)
	}

	fresh := t.TempDir()
	var wg sync.WaitGroup
	results := make([]error, 3)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, results[i] = Ensure(context.Background(), fresh)
		}(i)
	}
	wg.Wait()
	for i, err := range results {
		if err != nil {
			t.Errorf("concurrent Ensure %d: %v", i, err)
		}
	}
	if _, err := Open(context.Background(), fresh); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(fresh)
	if len(entries) != 1 {
		t.Errorf("leftovers in %s: %v", fresh, entries)
	}
}

func TestInstallReplacesIncompleteDir(t *testing.T) {
	dir := t.TempDir()
	modelDir := filepath.Join(dir, DirName)
	if err := os.MkdirAll(modelDir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(modelDir, "junk"), []byte("x"), 0o644)
	staged := filepath.Join(dir, "staged")
	os.Mkdir(staged, 0o755)
	for name := range modelFiles {
		os.WriteFile(filepath.Join(staged, name), nil, 0o644)
	}
	os.WriteFile(filepath.Join(staged, completeMarker), []byte(TarballSHA256), 0o644)
	tmp := filepath.Join(dir, "tmp")
	os.Mkdir(tmp, 0o755)
	if err := install(staged, modelDir, tmp); err != nil {
		t.Fatal(err)
	}
	if !complete(modelDir) {
		t.Fatal("not complete after install")
	}
}

func TestVerifyTarballRejects(t *testing.T) {
	if err := verifyTarball([]byte("not the tarball")); err == nil {
		t.Fatal("verifyTarball accepted garbage")
	}
}

func TestLoadRejectsModifiedFiles(t *testing.T) {
	getModel(t)
	dir, _ := modelsDir()
	src := filepath.Join(dir, DirName)
	dst := t.TempDir()
	for name := range modelFiles {
		if err := os.Symlink(filepath.Join(src, name), filepath.Join(dst, name)); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(filepath.Join(dst, "vocab.json"))
	if err := os.WriteFile(filepath.Join(dst, "vocab.json"), []byte(`[["a",0]]`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dst); err == nil {
		t.Fatal("Load accepted a modified vocab.json")
	}
	if _, err := Load(t.TempDir()); err == nil {
		t.Fatal("Load accepted an empty directory")
	}
}

// Benchmarks. Sentences/s is reported per benchmark; with GOMAXPROCS > 1 a
// single call also uses several cores for its larger matrix products.

var benchSentences = []string{
	"I can't get into my account",
	"Reset your password",
	"Where is my refund? I returned the item two weeks ago.",
	"The app crashes when I upload a photo larger than 5MB.",
	"Can I change the shipping address for my order?",
	"How do I cancel my subscription before the next billing date?",
	"My parcel says delivered but I never received it",
	"Bonjour, je n'arrive pas à me connecter à mon compte.",
	"Is there a discount for annual plans?",
	"I was charged twice for the same order, please help",
	"What are your opening hours on weekends?",
	"The password reset email never arrives in my inbox",
	"Can I talk to a human agent?",
	"Your website shows an error 500 when I check out",
	"How long does international shipping take to Canada?",
	"Please delete my account and all my personal data",
}

func BenchmarkTokenize(b *testing.B) {
	m := getModel(b)
	ref := loadReference(b)
	texts := append(refTexts(ref), benchSentences...)
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, t := range texts {
			m.Tokenize(t)
		}
		n += len(texts)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "sentences/s")
}

func BenchmarkEmbedSingle(b *testing.B) {
	m := getModel(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := m.Embed(ctx, benchSentences[i%len(benchSentences):i%len(benchSentences)+1]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "sentences/s")
}

func BenchmarkEmbedBatch16(b *testing.B) {
	m := getModel(b)
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := m.Embed(ctx, benchSentences); err != nil {
			b.Fatal(err)
		}
		n += len(benchSentences)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "sentences/s")
}

func BenchmarkLoad(b *testing.B) {
	getModel(b)
	dir, _ := modelsDir()
	for b.Loop() {
		if _, err := Load(filepath.Join(dir, DirName)); err != nil {
			b.Fatal(err)
		}
	}
}
