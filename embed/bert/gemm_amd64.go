package bert

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly kernel; it needs AVX2 and FMA.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func kernel6x16AVX2(a *float32, lda int, b *float32, c *float32, ldc int, k int)

func kernel6x16(a []float32, lda int, b []float32, c []float32, ldc, k int) {
	if !useAVX2 {
		kernel6x16Go(a, lda, b, c, ldc, k)
		return
	}
	// The bounds the assembly relies on.
	_ = a[5*lda+k-1]
	_ = b[k*panelWidth-1]
	_ = c[5*ldc+panelWidth-1]
	kernel6x16AVX2(&a[0], lda, &b[0], &c[0], ldc, k)
}
