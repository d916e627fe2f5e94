package embed

import (
	"context"
	"math"
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	v := []float32{3, 4}
	Normalize(v)
	if math.Abs(float64(v[0])-0.6) > 1e-7 || math.Abs(float64(v[1])-0.8) > 1e-7 {
		t.Fatalf("Normalize = %v", v)
	}
	z := []float32{0, 0}
	Normalize(z)
	if z[0] != 0 || z[1] != 0 {
		t.Fatalf("zero vector changed: %v", z)
	}
}

func TestCosine(t *testing.T) {
	cases := []struct {
		a, b []float32
		want float64
	}{
		{[]float32{1, 0}, []float32{1, 0}, 1},
		{[]float32{1, 0}, []float32{0, 2}, 0},
		{[]float32{1, 1}, []float32{-2, -2}, -1},
		{[]float32{0, 0}, []float32{1, 2}, 0},
	}
	for _, c := range cases {
		if got := Cosine(c.a, c.b); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Cosine(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

type fixed struct{}

func (fixed) Name() string    { return "fixed" }
func (fixed) Dimensions() int { return 1 }
func (fixed) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i := range out {
		out[i] = []float32{1}
	}
	return out, nil
}

func TestObservedReportsEachCall(t *testing.T) {
	var names []string
	e := Observed(fixed{}, func(name string, d time.Duration) { names = append(names, name) })
	if v, err := e.Embed(context.Background(), []string{"a", "b"}); err != nil || len(v) != 2 {
		t.Fatalf("embed: %v %v", v, err)
	}
	if len(names) != 1 || names[0] != "fixed" || e.Dimensions() != 1 {
		t.Errorf("observed %v", names)
	}
}
