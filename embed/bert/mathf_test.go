package bert

import (
	"math"
	"testing"
)

func TestExpf(t *testing.T) {
	worst := 0.0
	for x := -87.0; x <= 0; x += 0.001 {
		xf := float32(x)
		want := math.Exp(float64(xf))
		got := float64(expf(xf))
		worst = max(worst, math.Abs(got-want)/want)
	}
	if worst > 2e-7 {
		t.Errorf("expf: worst relative error %.3g, want < 2e-7", worst)
	}
	if expf(-100) != 0 || expf(0) != 1 {
		t.Errorf("expf(-100) = %g, expf(0) = %g; want 0 and 1", expf(-100), expf(0))
	}
}

func TestGELU(t *testing.T) {
	worst := 0.0
	for x := -12.0; x <= 12; x += 0.0005 {
		want := 0.5 * x * (1 + math.Erf(x/math.Sqrt2))
		got := float64(gelu(float32(x)))
		worst = max(worst, math.Abs(got-want)/max(1, math.Abs(x)))
	}
	if worst > 3e-7 {
		t.Errorf("gelu: worst error %.3g (relative to max(1, |x|)), want < 3e-7", worst)
	}
}
