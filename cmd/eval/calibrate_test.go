package main

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFitLogisticRecoversWeights fits data drawn from a known logistic
// model (balanced classes) and expects its weights back.
func TestFitLogisticRecoversWeights(t *testing.T) {
	want := [3]float64{-2, 3, 5}
	rng := rand.New(rand.NewPCG(1, 2))
	var rows []calRow
	for len(rows) < 20000 {
		x := [3]float64{1, rng.Float64(), rng.Float64() * 0.6}
		rows = append(rows, calRow{answerable: rng.Float64() < sigmoid(dot3(want, x)), x: x})
	}
	var pos, neg float64
	for _, r := range rows {
		if r.answerable {
			pos++
		} else {
			neg++
		}
	}
	got := fitLogistic(rows)
	// Class weighting shifts the bias by log(neg/pos); the slopes stay.
	want[0] += math.Log(neg / pos)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 0.25 {
			t.Errorf("weight %d: got %.3f, want %.3f (all: %v)", i, got[i], want[i], got)
		}
	}
}
