//go:build !amd64

package bert

const useAVX2 = false

func kernel6x16(a []float32, lda int, b []float32, c []float32, ldc, k int) {
	kernel6x16Go(a, lda, b, c, ldc, k)
}
