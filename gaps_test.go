package helpium

import (
	"fmt"
	"math"
	"testing"
)

func TestCluster(t *testing.T) {
	v := func(x ...float32) []float32 { return x }
	// (1,0) and (3,4) have a cosine of exactly 3/5, which float64
	// represents as the literal 0.6 does: the boundary is testable.
	above := math.Nextafter(0.6, 1)
	for _, tc := range []struct {
		name      string
		vecs      [][]float32
		weights   []int
		threshold float64
		want      string
	}{
		{"no items", nil, nil, ClusterThreshold, "[]"},
		{"one item", [][]float32{v(1, 2)}, []int{1}, ClusterThreshold, "[[0]]"},
		{"the same direction, any length", [][]float32{v(1, 1), v(5, 5), v(0.1, 0.1)}, []int{1, 1, 1}, 0.99, "[[0 1 2]]"},
		{"orthogonal items stay apart", [][]float32{v(1, 0, 0), v(0, 1, 0), v(0, 0, 1)}, []int{1, 1, 1}, 0.01, "[[0] [1] [2]]"},
		{"opposite items stay apart", [][]float32{v(1, 0), v(-1, 0)}, []int{1, 1}, 0, "[[0] [1]]"},
		{"similarity equal to the threshold joins", [][]float32{v(1, 0), v(3, 4)}, []int{1, 1}, 0.6, "[[0 1]]"},
		{"just under the threshold does not", [][]float32{v(1, 0), v(3, 4)}, []int{1, 1}, above, "[[0] [1]]"},
		{"a zero vector joins nothing", [][]float32{v(1, 0), v(0, 0), v(0, 0)}, []int{1, 1, 1}, 0.1, "[[0] [1] [2]]"},
		// The centre is the sum of the members: (1,0) and (1,1) make
		// (2,1), to which (0,1) is 0.447 similar, under 0.5, although
		// it is 0.707 similar to (1,1).
		{"similarity is to the group's centre, not its members", [][]float32{v(1, 0), v(1, 1), v(0, 1)}, []int{3, 2, 1}, 0.5, "[[0 1] [2]]"},
		// (1,0.2) passes the threshold for both groups, 0.83 similar to
		// (1,1) and 0.98 to (1,0): it joins the closer, lighter one.
		{"an item joins the most similar group", [][]float32{v(1, 1), v(1, 0), v(1, 0.2)}, []int{5, 4, 1}, 0.8, "[[0] [1 2]]"},
		// Items are placed heaviest first: (1,0.1), weight 2, starts its
		// group before (1,0), weight 1, joins it.
		{"members heaviest first", [][]float32{v(1, 0), v(0, 1), v(1, 0.1)}, []int{1, 2, 2}, 0.9, "[[2 0] [1]]"},
		// Three light items outweigh one heavy one.
		{"groups by total weight", [][]float32{v(0, 1), v(1, 0), v(1, 0.05), v(1, -0.05)}, []int{4, 2, 2, 1}, 0.9, "[[1 2 3] [0]]"},
		// (1,1) is as similar to (1,0) as to (0,1): it joins the group
		// placed first, the heavier.
		{"a tie goes to the heavier group", [][]float32{v(1, 0), v(0, 1), v(1, 1)}, []int{3, 2, 1}, 0.5, "[[0 2] [1]]"},
		{"equal weights keep the input order", [][]float32{v(0, 1, 0), v(1, 0, 0), v(0, 0, 1)}, []int{2, 2, 2}, 0.5, "[[0] [1] [2]]"},
		{"members by weight, not by index", [][]float32{v(0, 1), v(1, 0), v(1, 0.01)}, []int{1, 2, 3}, 0.9, "[[2 1] [0]]"},
		{"a negative threshold puts everything together", [][]float32{v(1, 0), v(-1, 0), v(0, 1)}, []int{1, 1, 1}, -1, "[[0 1 2]]"},
	} {
		got := Cluster(tc.vecs, tc.weights, tc.threshold)
		if s := fmt.Sprint(got); s != tc.want {
			t.Errorf("%s: Cluster = %s, want %s", tc.name, s, tc.want)
		}
		// Every item is in exactly one group.
		seen := make([]int, len(tc.vecs))
		for _, g := range got {
			if len(g) == 0 {
				t.Errorf("%s: an empty group in %v", tc.name, got)
			}
			for _, i := range g {
				seen[i]++
			}
		}
		for i, n := range seen {
			if n != 1 {
				t.Errorf("%s: item %d is in %d groups", tc.name, i, n)
			}
		}
	}
}

// TestClusterThresholdSeparatesParaphrases: the threshold's documented
// reasoning holds for vectors at the quoted similarities.
func TestClusterThresholdSeparatesParaphrases(t *testing.T) {
	// Unit vectors at a given cosine to (1,0).
	at := func(cos float64) []float32 { return []float32{float32(cos), float32(math.Sqrt(1 - cos*cos))} }
	for _, tc := range []struct {
		cos  float64
		want int // groups
	}{
		{0.94, 1}, {0.51, 1}, {0.45, 2}, {0.1, 2},
	} {
		if got := Cluster([][]float32{{1, 0}, at(tc.cos)}, []int{1, 1}, ClusterThreshold); len(got) != tc.want {
			t.Errorf("similarity %.2f: %d groups, want %d", tc.cos, len(got), tc.want)
		}
	}
}

func TestDeflectionRate(t *testing.T) {
	for _, tc := range []struct {
		d    Deflection
		want *float64
	}{
		{Deflection{}, nil},
		{Deflection{Answers: 0, LedToConversation: 0}, nil},
		{Deflection{Answers: 4, LedToConversation: 0}, ptrTo(1.0)},
		{Deflection{Answers: 4, LedToConversation: 1}, ptrTo(0.75)},
		{Deflection{Answers: 4, LedToConversation: 4}, ptrTo(0.0)},
		{Deflection{Answers: 3, LedToConversation: 1}, ptrTo(0.6667)},
		{Deflection{Answers: 3, LedToConversation: 2}, ptrTo(0.3333)},
		{Deflection{Answers: 7, LedToConversation: 0}, ptrTo(1.0)},
	} {
		got := tc.d.Rate()
		if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("%+v.Rate() = %v, want %v", tc.d, fmtPtr(got), fmtPtr(tc.want))
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

func fmtPtr(f *float64) string {
	if f == nil {
		return "nil"
	}
	return fmt.Sprint(*f)
}
