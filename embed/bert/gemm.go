package bert

// Matrix products. Every product in the model is C = A·B with A in row
// order ([m][lda]) and B packed into panels of panelWidth columns: panel j
// holds B[p][16j..16j+15] for p = 0..k-1, so the kernel streams a panel with
// one 64-byte load per step while it keeps a 6x16 block of C in registers
// (kernel6x16, AVX2 + FMA on amd64; a portable loop elsewhere). A's row
// count must be a multiple of kernelRows (callers pad); B's width a multiple
// of panelWidth (every width in these models is).

const (
	panelWidth = 16
	kernelRows = 6
)

// packed is a k x n matrix in panel order.
type packed struct {
	k, n int
	data []float32 // [n/panelWidth][k][panelWidth]
}

// packTransposed packs the transpose of w, a [rows][cols] matrix in row
// order (PyTorch's Linear weight layout [out][in]): the result is the
// cols x rows matrix B with B[p][j] = w[j][p].
func packTransposed(dst *packed, w []float32, rows, cols, ldw int) {
	dst.k, dst.n = cols, rows
	dst.data = grow(dst.data, rows*cols)
	for j0 := 0; j0 < rows; j0 += panelWidth {
		panel := dst.data[j0*cols:]
		for c := 0; c < panelWidth; c++ {
			row := w[(j0+c)*ldw : (j0+c)*ldw+cols]
			for p, v := range row {
				panel[p*panelWidth+c] = v
			}
		}
	}
}

// packRows packs b, a [k][n] matrix in row order with leading dimension
// ldb, as it is.
func packRows(dst *packed, b []float32, k, n, ldb int) {
	dst.k, dst.n = k, n
	dst.data = grow(dst.data, k*n)
	for j0 := 0; j0 < n; j0 += panelWidth {
		panel := dst.data[j0*k:]
		for p := 0; p < k; p++ {
			copy(panel[p*panelWidth:(p+1)*panelWidth], b[p*ldb+j0:p*ldb+j0+panelWidth])
		}
	}
}

// matmul sets c[i][j] = sum_p a[i*lda+p] * b[p][j] for i < m (a multiple of
// kernelRows), j < b.n, with c's rows ldc apart. Products large enough to
// pay for it are split by panels across GOMAXPROCS goroutines.
func matmul(c, a []float32, m, lda int, b *packed, ldc int) {
	panels := b.n / panelWidth
	if m == 0 || panels == 0 {
		return
	}
	_ = a[(m-1)*lda+b.k-1]
	_ = c[(m-1)*ldc+b.n-1]
	work := m * b.k * panelWidth // multiply-adds per panel
	parallelFor(panels, (minParallelWork+work-1)/work, func(lo, hi int) {
		matmulPanels(c, a, m, lda, b, ldc, lo, hi)
	})
}

// matmulPanels computes the columns of panels lo..hi-1 of matmul on the
// calling goroutine.
func matmulPanels(c, a []float32, m, lda int, b *packed, ldc, lo, hi int) {
	for j := lo; j < hi; j++ {
		panel := b.data[j*b.k*panelWidth : (j+1)*b.k*panelWidth]
		for i := 0; i < m; i += kernelRows {
			kernel6x16(a[i*lda:], lda, panel, c[i*ldc+j*panelWidth:], ldc, b.k)
		}
	}
}

// kernel6x16Go is the portable kernel: c[i][0:16] = sum_p a[i*lda+p] *
// b[p*16:p*16+16] for i < 6.
func kernel6x16Go(a []float32, lda int, b []float32, c []float32, ldc, k int) {
	for i := 0; i < kernelRows; i++ {
		var acc [panelWidth]float32
		row := a[i*lda : i*lda+k]
		for p, x := range row {
			bp := b[p*panelWidth : (p+1)*panelWidth : (p+1)*panelWidth]
			for j := range acc {
				acc[j] += x * bp[j]
			}
		}
		copy(c[i*ldc:i*ldc+panelWidth], acc[:])
	}
}

// minParallelWork is the number of multiply-adds below which splitting a
// product across goroutines costs more than it saves.
const minParallelWork = 1 << 18

// grow returns s resliced to n elements, reallocated when too small.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}
