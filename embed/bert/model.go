package bert

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Config is the encoder's shape: the part of Hugging Face's config.json
// that the forward pass needs.
type Config struct {
	Hidden       int     `json:"hidden_size"`
	Layers       int     `json:"num_hidden_layers"`
	Heads        int     `json:"num_attention_heads"`
	Intermediate int     `json:"intermediate_size"`
	MaxPositions int     `json:"max_position_embeddings"`
	Vocab        int     `json:"vocab_size"`
	TypeVocab    int     `json:"type_vocab_size"`
	Eps          float64 `json:"layer_norm_eps"`
	Act          string  `json:"hidden_act"`
	ModelType    string  `json:"model_type"`
}

func (c *Config) check() error {
	switch {
	case c.ModelType != "bert" || c.Act != "gelu":
		return fmt.Errorf("config: model %q with activation %q, want bert with gelu", c.ModelType, c.Act)
	case c.Hidden <= 0 || c.Heads <= 0 || c.Hidden%c.Heads != 0 || (c.Hidden/c.Heads)%panelWidth != 0:
		return fmt.Errorf("config: hidden size %d and %d heads not supported", c.Hidden, c.Heads)
	case c.Hidden%panelWidth != 0 || c.Intermediate%panelWidth != 0:
		return fmt.Errorf("config: widths %d and %d are not multiples of %d", c.Hidden, c.Intermediate, panelWidth)
	case c.Layers <= 0 || c.MaxPositions <= 2 || c.Vocab <= 0 || c.TypeVocab <= 0:
		return fmt.Errorf("config: implausible sizes")
	}
	return nil
}

// encoder holds a BERT encoder's weights, matrices packed for matmul.
type encoder struct {
	cfg     Config
	cls     bool      // pool the [CLS] token's vector, not the mean
	words   []float32 // [vocab][hidden]
	pos     []float32 // [maxPositions][hidden]
	typ0    []float32 // [hidden]: token type 0, the only one used
	embNorm layerNorm
	layers  []encoderLayer
}

type encoderLayer struct {
	qkv      packed    // hidden -> 3*hidden: query | key | value
	qkvBias  []float32 // [3*hidden]
	out      packed    // hidden -> hidden
	outBias  []float32
	attnNorm layerNorm
	ffn1     packed // hidden -> intermediate
	ffn1Bias []float32
	ffn2     packed // intermediate -> hidden
	ffn2Bias []float32
	ffnNorm  layerNorm
}

type layerNorm struct{ gamma, beta []float32 }

// weights reads a named float32 tensor in PyTorch's layout, checking its
// shape: safetensors or ONNX initializers.
type weights interface {
	float32s(name string, shape ...int) ([]float32, error)
}

// loadEncoder reads the encoder's shape (spec.Config, or config.json) and
// its weights (spec.Weights) from dir.
func loadEncoder(spec Spec, dir string) (*encoder, error) {
	e := &encoder{cls: spec.CLS}
	if spec.Config != nil {
		e.cfg = *spec.Config
	} else {
		cb, err := os.ReadFile(filepath.Join(dir, "config.json"))
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(cb, &e.cfg); err != nil {
			return nil, fmt.Errorf("config.json: %w", err)
		}
	}
	if err := e.cfg.check(); err != nil {
		return nil, err
	}
	wb, err := os.ReadFile(filepath.Join(dir, spec.Weights))
	if err != nil {
		return nil, err
	}
	var t weights
	if strings.HasSuffix(spec.Weights, ".onnx") {
		t, err = parseONNX(wb)
	} else {
		t, err = parseSafetensors(wb)
	}
	if err != nil {
		return nil, err
	}
	c := &e.cfg
	h := c.Hidden
	r := tensorReader{t: t}
	e.words = r.get("embeddings.word_embeddings.weight", c.Vocab, h)
	e.pos = r.get("embeddings.position_embeddings.weight", c.MaxPositions, h)
	if types := r.get("embeddings.token_type_embeddings.weight", c.TypeVocab, h); types != nil {
		e.typ0 = types[:h]
	}
	e.embNorm = r.norm("embeddings.LayerNorm", h)
	e.layers = make([]encoderLayer, c.Layers)
	for i := range e.layers {
		p := fmt.Sprintf("encoder.layer.%d.", i)
		l := &e.layers[i]
		var qkv, qkvBias []float32
		for _, part := range []string{"query", "key", "value"} {
			qkv = append(qkv, r.get(p+"attention.self."+part+".weight", h, h)...)
			qkvBias = append(qkvBias, r.get(p+"attention.self."+part+".bias", h)...)
		}
		if r.err == nil {
			packTransposed(&l.qkv, qkv, 3*h, h, h)
		}
		l.qkvBias = qkvBias
		r.linear(&l.out, &l.outBias, p+"attention.output.dense", h, h)
		l.attnNorm = r.norm(p+"attention.output.LayerNorm", h)
		r.linear(&l.ffn1, &l.ffn1Bias, p+"intermediate.dense", c.Intermediate, h)
		r.linear(&l.ffn2, &l.ffn2Bias, p+"output.dense", h, c.Intermediate)
		l.ffnNorm = r.norm(p+"output.LayerNorm", h)
	}
	if r.err != nil {
		return nil, r.err
	}
	return e, nil
}

// tensorReader reads tensors and keeps the first error.
type tensorReader struct {
	t   weights
	err error
}

func (r *tensorReader) get(name string, shape ...int) []float32 {
	if r.err != nil {
		return nil
	}
	v, err := r.t.float32s(name, shape...)
	r.err = err
	return v
}

func (r *tensorReader) norm(prefix string, n int) layerNorm {
	return layerNorm{gamma: r.get(prefix+".weight", n), beta: r.get(prefix+".bias", n)}
}

// linear packs a PyTorch Linear layer (weight [out][in]).
func (r *tensorReader) linear(dst *packed, bias *[]float32, prefix string, out, in int) {
	w := r.get(prefix+".weight", out, in)
	*bias = r.get(prefix+".bias", out)
	if r.err == nil {
		packTransposed(dst, w, out, in, in)
	}
}

// scratch is the working memory of one forward pass, reused across calls.
type scratch struct {
	x, qkv, ctx, tmp, ffn []float32
	heads                 []headScratch
}

// headScratch is one goroutine's working memory for attention.
type headScratch struct {
	k, v   packed
	scores []float32
	out    []float32
}

// forward runs the encoder over the sequences in ids (each starting with
// [CLS] and ending with [SEP]) and writes each one's pooled (mean or
// [CLS]), unit-length vector to out[i].
func (e *encoder) forward(sc *scratch, ids [][]int32, out [][]float32) {
	c := &e.cfg
	h := c.Hidden
	total := 0
	for _, s := range ids {
		total += len(s)
	}
	rows := roundUp(total, kernelRows)
	// Attention reads up to kernelRows-1 rows past a sequence's end.
	alloc := rows + kernelRows
	sc.x = zeroed(sc.x, alloc*h)
	sc.qkv = zeroed(sc.qkv, alloc*3*h)
	sc.ctx = zeroed(sc.ctx, alloc*h)
	sc.tmp = grow(sc.tmp, alloc*h)
	sc.ffn = grow(sc.ffn, alloc*c.Intermediate)

	row := 0
	for _, s := range ids {
		for p, id := range s {
			x := sc.x[row*h : (row+1)*h]
			w := e.words[int(id)*h : (int(id)+1)*h]
			pe := e.pos[p*h : (p+1)*h]
			for j := range x {
				x[j] = w[j] + pe[j] + e.typ0[j]
			}
			row++
		}
	}
	eps := float32(c.Eps)
	e.embNorm.apply(sc.x, sc.x, total, h, eps)

	for i := range e.layers {
		l := &e.layers[i]
		matmul(sc.qkv, sc.x, rows, h, &l.qkv, 3*h)
		addBias(sc.qkv, l.qkvBias, total)
		e.attention(sc, ids)
		matmul(sc.tmp, sc.ctx, rows, h, &l.out, h)
		addBias(sc.tmp, l.outBias, total)
		addInto(sc.tmp, sc.x, total*h)
		l.attnNorm.apply(sc.x, sc.tmp, total, h, eps)

		matmul(sc.ffn, sc.x, rows, h, &l.ffn1, c.Intermediate)
		biasGELU(sc.ffn, l.ffn1Bias, total)
		matmul(sc.tmp, sc.ffn, rows, c.Intermediate, &l.ffn2, h)
		addBias(sc.tmp, l.ffn2Bias, total)
		addInto(sc.tmp, sc.x, total*h)
		l.ffnNorm.apply(sc.x, sc.tmp, total, h, eps)
	}

	row = 0
	for i, s := range ids {
		v := make([]float32, h)
		sum := make([]float64, h)
		pooled := len(s)
		if e.cls {
			pooled = 1 // [CLS] is each sequence's first row
		}
		for r := row; r < row+pooled; r++ {
			for j, x := range sc.x[r*h : (r+1)*h] {
				sum[j] += float64(x)
			}
		}
		var norm float64
		for j := range sum {
			sum[j] /= float64(pooled)
			norm += sum[j] * sum[j]
		}
		norm = math.Max(math.Sqrt(norm), 1e-12)
		for j := range v {
			v[j] = float32(sum[j] / norm)
		}
		out[i] = v
		row += len(s)
	}
}

// attention computes every sequence's multi-head self-attention from
// sc.qkv into sc.ctx, one (sequence, head) pair per task.
func (e *encoder) attention(sc *scratch, ids [][]int32) {
	c := &e.cfg
	h, dh := c.Hidden, c.Hidden/c.Heads
	starts := make([]int, len(ids))
	for i := 1; i < len(ids); i++ {
		starts[i] = starts[i-1] + len(ids[i-1])
	}
	tasks := len(ids) * c.Heads
	work := 0
	for _, s := range ids {
		work += len(s) * len(s) * dh * 2
	}
	workers := min(tasks, max(1, work/minParallelWork)+1)
	if len(sc.heads) < workers {
		sc.heads = make([]headScratch, workers)
	}
	var next sync.Mutex
	task := 0
	parallelFor(workers, 1, func(lo, hi int) {
		for w := lo; w < hi; w++ {
			hs := &sc.heads[w]
			for {
				next.Lock()
				t := task
				task++
				next.Unlock()
				if t >= tasks {
					break
				}
				s, head := t/c.Heads, t%c.Heads
				e.attendHead(hs, sc, starts[s], len(ids[s]), head, h, dh)
			}
		}
	})
}

// attendHead computes one head of one sequence (n rows from row start).
func (e *encoder) attendHead(hs *headScratch, sc *scratch, start, n, head, h, dh int) {
	m := roundUp(n, kernelRows)
	width := roundUp(n, panelWidth) // key positions, padded
	ld := 3 * h
	q := sc.qkv[start*ld+head*dh:]
	k := sc.qkv[start*ld+h+head*dh:]
	v := sc.qkv[start*ld+2*h+head*dh:]

	// scores = Q·Kᵀ: Kᵀ is dh x width; key rows past n are zero.
	packKeys(&hs.k, k, n, width, dh, ld)
	hs.scores = grow(hs.scores, m*width)
	matmulPanels(hs.scores, q, m, ld, &hs.k, width, 0, width/panelWidth)
	scale := float32(1 / math.Sqrt(float64(dh)))
	for r := 0; r < n; r++ {
		softmaxScaled(hs.scores[r*width:r*width+n], scale)
		clear(hs.scores[r*width+n : (r+1)*width])
	}
	// out = P·V: V is width x dh, rows past n zero.
	packValues(&hs.v, v, n, width, dh, ld)
	hs.out = grow(hs.out, m*dh)
	matmulPanels(hs.out, hs.scores, m, width, &hs.v, dh, 0, dh/panelWidth)
	for r := 0; r < n; r++ {
		copy(sc.ctx[(start+r)*h+head*dh:(start+r)*h+(head+1)*dh], hs.out[r*dh:(r+1)*dh])
	}
}

// packKeys packs the transpose of n key rows (dh wide, ld apart) as a dh x
// width matrix, zero past column n.
func packKeys(dst *packed, k []float32, n, width, dh, ld int) {
	dst.k, dst.n = dh, width
	dst.data = grow(dst.data, dh*width)
	for j0 := 0; j0 < width; j0 += panelWidth {
		panel := dst.data[j0*dh : (j0+panelWidth)*dh]
		for c := 0; c < panelWidth; c++ {
			if j0+c >= n {
				for p := 0; p < dh; p++ {
					panel[p*panelWidth+c] = 0
				}
				continue
			}
			row := k[(j0+c)*ld : (j0+c)*ld+dh]
			for p, x := range row {
				panel[p*panelWidth+c] = x
			}
		}
	}
}

// packValues packs n value rows (dh wide, ld apart) as a width x dh matrix,
// zero past row n.
func packValues(dst *packed, v []float32, n, width, dh, ld int) {
	dst.k, dst.n = width, dh
	dst.data = grow(dst.data, width*dh)
	for j0 := 0; j0 < dh; j0 += panelWidth {
		panel := dst.data[j0*width : (j0+panelWidth)*width]
		for p := 0; p < width; p++ {
			d := panel[p*panelWidth : (p+1)*panelWidth]
			if p >= n {
				clear(d)
				continue
			}
			copy(d, v[p*ld+j0:p*ld+j0+panelWidth])
		}
	}
}

func (n *layerNorm) apply(dst, src []float32, rows, width int, eps float32) {
	for r := 0; r < rows; r++ {
		x := src[r*width : (r+1)*width]
		var mean float32
		for _, v := range x {
			mean += v
		}
		mean /= float32(width)
		var variance float32
		for _, v := range x {
			d := v - mean
			variance += d * d
		}
		variance /= float32(width)
		inv := float32(1 / math.Sqrt(float64(variance+eps)))
		y := dst[r*width : (r+1)*width]
		for j, v := range x {
			y[j] = (v-mean)*inv*n.gamma[j] + n.beta[j]
		}
	}
}

func addBias(x, bias []float32, rows int) {
	w := len(bias)
	for r := 0; r < rows; r++ {
		row := x[r*w : (r+1)*w]
		for j, b := range bias {
			row[j] += b
		}
	}
}

func addInto(dst, src []float32, n int) {
	dst, src = dst[:n], src[:n]
	for i, v := range src {
		dst[i] += v
	}
}

// biasGELU adds the bias and applies GELU (the exact, erf form) in place.
func biasGELU(x, bias []float32, rows int) {
	w := len(bias)
	parallelFor(rows, max(1, minParallelGELU/w), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			row := x[r*w : (r+1)*w]
			for j, b := range bias {
				row[j] = gelu(row[j] + b)
			}
		}
	})
}

// minParallelGELU is the fewest values one goroutine takes when GELU is
// split across the cores.
const minParallelGELU = 1 << 13

// softmaxScaled replaces x with softmax(scale*x).
func softmaxScaled(x []float32, scale float32) {
	top := float32(math.Inf(-1))
	for _, v := range x {
		top = max(top, v)
	}
	var sum float32
	for i, v := range x {
		e := expf((v - top) * scale)
		x[i] = e
		sum += e
	}
	inv := 1 / sum
	for i := range x {
		x[i] *= inv
	}
}

func roundUp(n, m int) int { return (n + m - 1) / m * m }

func zeroed(s []float32, n int) []float32 {
	s = grow(s, n)
	clear(s)
	return s
}
