package embed

import (
	"context"
	"time"
)

// Observed wraps e so that every Embed call reports its duration.
func Observed(e Embedder, observe func(name string, d time.Duration)) Embedder {
	if e == nil || observe == nil {
		return e
	}
	return observed{e, observe}
}

type observed struct {
	Embedder
	observe func(string, time.Duration)
}

func (o observed) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	start := time.Now()
	v, err := o.Embedder.Embed(ctx, texts)
	o.observe(o.Name(), time.Since(start))
	return v, err
}
