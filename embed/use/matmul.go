package use

// Dense layers. Weights arrive as [in][out] (TF's MatMul / 1x1 Conv2D kernel
// layout); they are transposed once at load to [out][in] so that every output
// is a dot product of two contiguous float32 slices. The kernel computes a
// 3-row x 2-column block of outputs per pass over the input width, keeping
// the six partial sums in registers, so each loaded weight is used three times
// and each loaded activation twice. (Larger blocks run out of the 15 usable
// SSE registers with the default GOAMD64=v1 and spill; 3x2 measured fastest.)
// Every output adds its terms in index order whatever block computes it, so a
// text's vector does not depend on the other texts in its batch.

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
	pairs := l.out / 2 // every width in this model is even
	parallelFor(pairs, minUnitsPerWorker(rows*l.in*2), func(lo, hi int) {
		l.applyCols(dst, x, rows, op, 2*lo, 2*hi)
	})
}

// rowBlock is the number of rows of x processed against all columns before
// moving on, so that the block (at most 48x1536 float32, 288 KiB) stays in the
// L2 cache while the weights stream past it.
const rowBlock = 48

func (l *linear) applyCols(dst, x []float32, rows int, op applyOp, c0, c1 int) {
	for r0 := 0; r0 < rows; r0 += rowBlock {
		l.applyBlock(dst, x, r0, min(r0+rowBlock, rows), op, c0, c1)
	}
}

func (l *linear) applyBlock(dst, x []float32, r0, r1 int, op applyOp, c0, c1 int) {
	in, out := l.in, l.out
	for c := c0; c < c1; c += 2 {
		w0 := l.wt[c*in : (c+1)*in]
		w1 := l.wt[(c+1)*in : (c+2)*in]
		b0, b1 := l.b[c], l.b[c+1]
		r := r0
		for ; r+3 <= r1; r += 3 {
			s00, s01, s10, s11, s20, s21 := dot3x2(x[r*in:(r+1)*in], x[(r+1)*in:(r+2)*in], x[(r+2)*in:(r+3)*in], w0, w1)
			store2(dst[r*out+c:], op, s00+b0, s01+b1)
			store2(dst[(r+1)*out+c:], op, s10+b0, s11+b1)
			store2(dst[(r+2)*out+c:], op, s20+b0, s21+b1)
		}
		switch r1 - r {
		case 2:
			s00, s01, s10, s11 := dot2x2(x[r*in:(r+1)*in], x[(r+1)*in:(r+2)*in], w0, w1)
			store2(dst[r*out+c:], op, s00+b0, s01+b1)
			store2(dst[(r+1)*out+c:], op, s10+b0, s11+b1)
		case 1:
			s0, s1 := dot1x2(x[r*in:(r+1)*in], w0, w1)
			store2(dst[r*out+c:], op, s0+b0, s1+b1)
		}
	}
}

func store2(d []float32, op applyOp, v0, v1 float32) {
	d = d[:2]
	switch op {
	case opAdd:
		d[0] += v0
		d[1] += v1
	case opReLU:
		d[0], d[1] = max(v0, 0), max(v1, 0)
	default:
		d[0], d[1] = v0, v1
	}
}

// dot3x2 returns the dot products of x0, x1 and x2 with w0 and w1 (all of
// len(x0)).
func dot3x2(x0, x1, x2, w0, w1 []float32) (s00, s01, s10, s11, s20, s21 float32) {
	n := len(x0)
	x1, x2, w0, w1 = x1[:n], x2[:n], w0[:n], w1[:n]
	for k := 0; k < n; k++ {
		b0, b1 := w0[k], w1[k]
		a0, a1, a2 := x0[k], x1[k], x2[k]
		s00 += a0 * b0
		s01 += a0 * b1
		s10 += a1 * b0
		s11 += a1 * b1
		s20 += a2 * b0
		s21 += a2 * b1
	}
	return
}

// dot2x2 is dot3x2 for two rows.
func dot2x2(x0, x1, w0, w1 []float32) (s00, s01, s10, s11 float32) {
	n := len(x0)
	x1, w0, w1 = x1[:n], w0[:n], w1[:n]
	for k := 0; k < n; k++ {
		b0, b1 := w0[k], w1[k]
		a0, a1 := x0[k], x1[k]
		s00 += a0 * b0
		s01 += a0 * b1
		s10 += a1 * b0
		s11 += a1 * b1
	}
	return
}

// dot1x2 is dot3x2 for one row.
func dot1x2(x, w0, w1 []float32) (s0, s1 float32) {
	n := len(x)
	w0, w1 = w0[:n], w1[:n]
	for k := 0; k < n; k++ {
		a := x[k]
		s0 += a * w0[k]
		s1 += a * w1[k]
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
