package bert

import (
	"context"

	"github.com/helpium/helpium/embed"
)

// The default embedder's parts and weights: all-MiniLM-L6-v2 and
// bge-small-en-v1.5, their cosine similarities averaged 0.6 to 0.4
// (embed.Ensemble). Chosen on every evaluation set (EVAL.md): either model
// alone ranks worse, and bge's weight has a plateau from 0.3 to 0.5.
const (
	MiniLMWeight = 0.6
	BGEWeight    = 0.4
)

// OpenDefault opens both models (see Open) and returns their ensemble,
// whose Known is MiniLM's vocabulary.
func OpenDefault(ctx context.Context, dir string, src Sources) (*embed.Ensemble, error) {
	minilm, err := Open(ctx, MiniLM, dir, src)
	if err != nil {
		return nil, err
	}
	bge, err := Open(ctx, BGESmall, dir, src)
	if err != nil {
		return nil, err
	}
	return embed.NewEnsemble(embed.Part{Embedder: minilm, Weight: MiniLMWeight}, embed.Part{Embedder: bge, Weight: BGEWeight})
}
