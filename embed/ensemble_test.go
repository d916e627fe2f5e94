package embed

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

// table embeds each text as the vector the table gives it (not unit
// length, to show the ensemble normalises each part).
type table struct {
	name  string
	dims  int
	vecs  map[string][]float32
	err   error
	words map[string]bool // nil: no vocabulary
}

func (t *table) Name() string    { return t.name }
func (t *table) Dimensions() int { return t.dims }
func (t *table) Embed(_ context.Context, texts []string) ([][]float32, error) {
	if t.err != nil {
		return nil, t.err
	}
	out := make([][]float32, len(texts))
	for i, s := range texts {
		out[i] = t.vecs[s]
	}
	return out, nil
}

type lexical struct{ *table }

func (l lexical) Known(w string) bool { return l.words[w] }

func TestEnsembleCosineIsTheWeightedMean(t *testing.T) {
	a := &table{name: "a@1", dims: 2, vecs: map[string][]float32{"x": {3, 4}, "y": {4, -3}, "z": {1, 1}}}
	b := &table{name: "b@2", dims: 3, vecs: map[string][]float32{"x": {0, 0, 2}, "y": {0, 1, 1}, "z": {5, 0, 0}}}
	e, err := NewEnsemble(Part{a, 3}, Part{b, 2}) // weights 0.6 and 0.4
	if err != nil {
		t.Fatal(err)
	}
	if e.Name() != "0.6*a@1+0.4*b@2" || e.Dimensions() != 5 {
		t.Errorf("Name %q, Dimensions %d", e.Name(), e.Dimensions())
	}
	texts := []string{"x", "y", "z"}
	got, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	av, _ := a.Embed(context.Background(), texts)
	bv, _ := b.Embed(context.Background(), texts)
	for i := range texts {
		if len(got[i]) != 5 {
			t.Errorf("%s: %d dimensions", texts[i], len(got[i]))
		}
		var norm float64
		for _, x := range got[i] {
			norm += float64(x) * float64(x)
		}
		if math.Abs(norm-1) > 1e-6 {
			t.Errorf("%s: squared length %v, want 1", texts[i], norm)
		}
		for j := range texts {
			want := 0.6*Cosine(av[i], av[j]) + 0.4*Cosine(bv[i], bv[j])
			if c := Cosine(got[i], got[j]); math.Abs(c-want) > 1e-6 {
				t.Errorf("cosine(%s, %s) = %.6f, want 0.6·%.3f + 0.4·%.3f = %.6f", texts[i], texts[j], c, Cosine(av[i], av[j]), Cosine(bv[i], bv[j]), want)
			}
		}
	}
}

func TestEnsembleErrors(t *testing.T) {
	ok := &table{name: "ok", dims: 1, vecs: map[string][]float32{"x": {1}}}
	down := &table{name: "down", dims: 1, err: errors.New("model gone")}
	short := &table{name: "short", dims: 2, vecs: map[string][]float32{"x": {1}}}
	for _, c := range []struct {
		name  string
		parts []Part
		want  string // from NewEnsemble, else from Embed
		embed bool
	}{
		{"no parts", nil, "at least one part", false},
		{"zero weight", []Part{{ok, 1}, {ok, 0}}, "positive weight", false},
		{"nil embedder", []Part{{nil, 1}}, "positive weight", false},
		{"a part fails", []Part{{ok, 1}, {down, 1}}, "model gone", true},
		{"a part's vector has the wrong length", []Part{{ok, 1}, {short, 1}}, "1 dimensions, want 2", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, err := NewEnsemble(c.parts...)
			if c.embed {
				if err != nil {
					t.Fatal(err)
				}
				_, err = e.Embed(context.Background(), []string{"x"})
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one with %q", err, c.want)
			}
		})
	}
}

func TestEnsembleKnownAsksTheFirstVocabulary(t *testing.T) {
	plain := &table{name: "plain", dims: 1}
	first := lexical{&table{name: "first", dims: 1, words: map[string]bool{"refund": true}}}
	second := lexical{&table{name: "second", dims: 1, words: map[string]bool{"invoice": true}}}
	e, err := NewEnsemble(Part{plain, 1}, Part{first, 1}, Part{second, 1})
	if err != nil {
		t.Fatal(err)
	}
	if !e.Known("refund") || e.Known("invoice") {
		t.Errorf("Known(refund) %v, Known(invoice) %v; want the first vocabulary's answers (true, false)", e.Known("refund"), e.Known("invoice"))
	}
	none, _ := NewEnsemble(Part{plain, 1})
	if none.Known("refund") {
		t.Error("an ensemble without a vocabulary knows a word")
	}
}
