package embed

import (
	"context"
	"crypto/sha256"
	"fmt"
)

// VectorCache keeps vectors by embedder name and the SHA-256 of the text.
type VectorCache interface {
	FindVectors(ctx context.Context, model string, hashes [][32]byte) (map[[32]byte][]float32, error)
	SaveVectors(ctx context.Context, model string, vectors map[[32]byte][]float32) error
}

// Cached returns an embedder that looks every text up in c first, keyed by
// e's name and the text's SHA-256, embeds only the texts it does not find,
// and stores their vectors. Identical texts within one call are embedded
// once. A cache that cannot be read or written fails the call: the caller
// (the indexer) retries later rather than indexing without it.
func Cached(e Embedder, c VectorCache) Embedder {
	return &cached{Embedder: e, cache: c}
}

type cached struct {
	Embedder
	cache VectorCache
}

func (c *cached) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	hashes := make([][32]byte, len(texts))
	for i, t := range texts {
		hashes[i] = sha256.Sum256([]byte(t))
	}
	found, err := c.cache.FindVectors(ctx, c.Name(), hashes)
	if err != nil {
		return nil, fmt.Errorf("embedding cache: %w", err)
	}
	var missing []string
	var missingHashes [][32]byte
	seen := map[[32]byte]bool{}
	for i, h := range hashes {
		if _, ok := found[h]; !ok && !seen[h] {
			seen[h] = true
			missing = append(missing, texts[i])
			missingHashes = append(missingHashes, h)
		}
	}
	if len(missing) > 0 {
		vecs, err := c.Embedder.Embed(ctx, missing)
		if err != nil {
			return nil, err
		}
		fresh := make(map[[32]byte][]float32, len(vecs))
		for i, v := range vecs {
			fresh[missingHashes[i]] = v
			found[missingHashes[i]] = v
		}
		if err := c.cache.SaveVectors(ctx, c.Name(), fresh); err != nil {
			return nil, fmt.Errorf("embedding cache: %w", err)
		}
	}
	out := make([][]float32, len(texts))
	for i, h := range hashes {
		out[i] = found[h]
	}
	return out, nil
}
