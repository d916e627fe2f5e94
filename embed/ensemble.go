package embed

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// Part is one embedder of an ensemble and the weight of its similarity.
type Part struct {
	Embedder Embedder
	Weight   float64
}

// Ensemble is an embedder made of several: a text's vector is each
// part's, at unit length and scaled by the square root of the part's
// share of the weights, laid end to end. The cosine similarity of two
// such vectors is the weighted mean of the parts' cosine similarities, so
// a vector index ranks by it as it would by one model's.
type Ensemble struct {
	parts  []Part
	scales []float32
	name   string
	dims   int
}

// NewEnsemble combines parts; weights must be positive.
func NewEnsemble(parts ...Part) (*Ensemble, error) {
	e := &Ensemble{parts: parts}
	total := 0.0
	for _, p := range parts {
		if p.Embedder == nil || !(p.Weight > 0) {
			return nil, fmt.Errorf("embed: ensemble part %v: an embedder with a positive weight is required", p)
		}
		total += p.Weight
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("embed: an ensemble needs at least one part")
	}
	names := make([]string, len(parts))
	for i, p := range parts {
		e.scales = append(e.scales, float32(math.Sqrt(p.Weight/total)))
		names[i] = fmt.Sprintf("%g*%s", p.Weight/total, p.Embedder.Name())
		e.dims += p.Embedder.Dimensions()
	}
	e.name = strings.Join(names, "+")
	return e, nil
}

// Name names the parts and their weights, e.g. "0.6*a@1+0.4*b@2".
func (e *Ensemble) Name() string { return e.name }

// Dimensions is the sum of the parts'.
func (e *Ensemble) Dimensions() int { return e.dims }

// Embed runs the parts one after another and joins their vectors. The
// in-process models spread each call over every core themselves, so one
// after another is the faster order for a query (measured with bert's two:
// 13.3 against 15.8 ms for a short question) and the same for a batch.
func (e *Ensemble) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	got := make([][][]float32, len(e.parts))
	for i, p := range e.parts {
		vecs, err := p.Embedder.Embed(ctx, texts)
		if err != nil {
			return nil, err
		}
		if len(vecs) != len(texts) {
			return nil, fmt.Errorf("embed: %s returned %d vectors for %d texts", p.Embedder.Name(), len(vecs), len(texts))
		}
		got[i] = vecs
	}
	out := make([][]float32, len(texts))
	for t := range texts {
		v := make([]float32, 0, e.dims)
		for i, vecs := range got {
			part := vecs[t]
			if len(part) != e.parts[i].Embedder.Dimensions() {
				return nil, fmt.Errorf("embed: %s returned a vector of %d dimensions, want %d", e.parts[i].Embedder.Name(), len(part), e.parts[i].Embedder.Dimensions())
			}
			start := len(v)
			v = append(v, part...)
			Normalize(v[start:])
			for j := start; j < len(v); j++ {
				v[j] *= e.scales[i]
			}
		}
		out[t] = v
	}
	return out, nil
}

// Known reports whether the first part that has a vocabulary (a method
// Known) knows word; the search's spelling correction asks it.
func (e *Ensemble) Known(word string) bool {
	for _, p := range e.parts {
		if l, ok := p.Embedder.(interface{ Known(string) bool }); ok {
			return l.Known(word)
		}
	}
	return false
}
