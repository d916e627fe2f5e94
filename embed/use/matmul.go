package use

// Dense layers. Weights arrive as [in][out] (TF's MatMul / 1x1 Conv2D kernel
// layout); they are transposed once at load to [out][in] so that every output
// is a dot product of two contiguous float32 slices. The kernel computes a
// 2-row x 4-column block of outputs per pass over the input width, keeping the
// eight partial sums in registers, so each loaded weight is used twice and
// each loaded activation four times.

type linear struct {
	in, out int
	wt      []float32 // [out][in]
	b       []float32 // [out]
}

func newLinear(w, b []float32, in, out int) linear {
	wt := make([]float32, in*out)
	for i := 0; i < in; i++ {
		row := w[i*out : (i+1)*out]
		for o, v := range row {
			wt[o*in+i] = v
		}
	}
	return linear{in: in, out: out, wt: wt, b: b}
}

type applyOp int

const (
	opSet  applyOp = iota // dst = x·W + b
	opAdd                 // dst += x·W + b
	opReLU                // dst = max(x·W + b, 0)
)

// apply computes op(x·W + b) for rows rows of x ([rows][in]) into dst
// ([rows][out]). Large products are split by output columns across
// goroutines.
func (l *linear) apply(dst, x []float32, rows int, op applyOp) {
	if rows == 0 {
		return
	}
	quads := l.out / 4 // every width in this model is a multiple of 4
	parallelFor(quads, minUnitsPerWorker(rows*l.in*4), func(lo, hi int) {
		l.applyCols(dst, x, rows, op, 4*lo, 4*hi)
	})
}

func (l *linear) applyCols(dst, x []float32, rows int, op applyOp, c0, c1 int) {
	in, out := l.in, l.out
	for c := c0; c < c1; c += 4 {
		w0 := l.wt[c*in : (c+1)*in]
		w1 := l.wt[(c+1)*in : (c+2)*in]
		w2 := l.wt[(c+2)*in : (c+3)*in]
		w3 := l.wt[(c+3)*in : (c+4)*in]
		b := l.b[c : c+4 : c+4]
		r := 0
		for ; r+2 <= rows; r += 2 {
			x0 := x[r*in : (r+1)*in]
			x1 := x[(r+1)*in : (r+2)*in]
			s00, s01, s02, s03, s10, s11, s12, s13 := dot2x4(x0, x1, w0, w1, w2, w3)
			store4(dst[r*out+c:r*out+c+4:r*out+c+4], op, s00+b[0], s01+b[1], s02+b[2], s03+b[3])
			store4(dst[(r+1)*out+c:(r+1)*out+c+4:(r+1)*out+c+4], op, s10+b[0], s11+b[1], s12+b[2], s13+b[3])
		}
		if r < rows {
			x0 := x[r*in : (r+1)*in]
			s0, s1, s2, s3 := dot1x4(x0, w0, w1, w2, w3)
			store4(dst[r*out+c:r*out+c+4:r*out+c+4], op, s0+b[0], s1+b[1], s2+b[2], s3+b[3])
		}
	}
}

func store4(d []float32, op applyOp, v0, v1, v2, v3 float32) {
	d = d[:4]
	switch op {
	case opAdd:
		d[0] += v0
		d[1] += v1
		d[2] += v2
		d[3] += v3
	case opReLU:
		d[0], d[1], d[2], d[3] = max(v0, 0), max(v1, 0), max(v2, 0), max(v3, 0)
	default:
		d[0], d[1], d[2], d[3] = v0, v1, v2, v3
	}
}

// dot2x4 returns the dot products of x0 and x1 with w0..w3 (all of len(x0)).
// The loop is unrolled by two; each partial sum still adds its terms in
// index order.
func dot2x4(x0, x1, w0, w1, w2, w3 []float32) (s00, s01, s02, s03, s10, s11, s12, s13 float32) {
	n := len(x0)
	x1, w0, w1, w2, w3 = x1[:n], w0[:n], w1[:n], w2[:n], w3[:n]
	k := 0
	for ; k+2 <= n; k += 2 {
		a0, a1 := x0[k], x1[k]
		b0, b1, b2, b3 := w0[k], w1[k], w2[k], w3[k]
		s00 += a0 * b0
		s01 += a0 * b1
		s02 += a0 * b2
		s03 += a0 * b3
		s10 += a1 * b0
		s11 += a1 * b1
		s12 += a1 * b2
		s13 += a1 * b3
		a0, a1 = x0[k+1], x1[k+1]
		b0, b1, b2, b3 = w0[k+1], w1[k+1], w2[k+1], w3[k+1]
		s00 += a0 * b0
		s01 += a0 * b1
		s02 += a0 * b2
		s03 += a0 * b3
		s10 += a1 * b0
		s11 += a1 * b1
		s12 += a1 * b2
		s13 += a1 * b3
	}
	if k < n {
		a0, a1 := x0[k], x1[k]
		b0, b1, b2, b3 := w0[k], w1[k], w2[k], w3[k]
		s00 += a0 * b0
		s01 += a0 * b1
		s02 += a0 * b2
		s03 += a0 * b3
		s10 += a1 * b0
		s11 += a1 * b1
		s12 += a1 * b2
		s13 += a1 * b3
	}
	return
}

// dot1x4 returns the dot products of x with w0..w3 (all of len(x)), adding
// terms in the same order as dot2x4 so that a text's vector does not depend
// on which rows it shares a batch with.
func dot1x4(x, w0, w1, w2, w3 []float32) (s0, s1, s2, s3 float32) {
	n := len(x)
	w0, w1, w2, w3 = w0[:n], w1[:n], w2[:n], w3[:n]
	for k := 0; k < n; k++ {
		a := x[k]
		s0 += a * w0[k]
		s1 += a * w1[k]
		s2 += a * w2[k]
		s3 += a * w3[k]
	}
	return
}

// dot returns the dot product of a and b (len(b) >= len(a)), with four
// independent partial sums.
func dot(a, b []float32) float32 {
	n := len(a)
	b = b[:n]
	var s0, s1, s2, s3 float32
	k := 0
	for ; k+4 <= n; k += 4 {
		s0 += a[k] * b[k]
		s1 += a[k+1] * b[k+1]
		s2 += a[k+2] * b[k+2]
		s3 += a[k+3] * b[k+3]
	}
	for ; k < n; k++ {
		s0 += a[k] * b[k]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpy computes y += alpha*x (len(x) >= len(y)).
func axpy(y, x []float32, alpha float32) {
	x = x[:len(y)]
	k := 0
	for ; k+4 <= len(y); k += 4 {
		y[k] += alpha * x[k]
		y[k+1] += alpha * x[k+1]
		y[k+2] += alpha * x[k+2]
		y[k+3] += alpha * x[k+3]
	}
	for ; k < len(y); k++ {
		y[k] += alpha * x[k]
	}
}
