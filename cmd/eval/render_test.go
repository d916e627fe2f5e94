package main

import (
	"slices"
	"testing"

	"github.com/helpium/helpium"
)

// TestSweepThresholds: the sweep runs from 0 to 0.9 in sorted order and
// has a row for the default threshold itself, once.
func TestSweepThresholds(t *testing.T) {
	ts := sweepThresholds()
	if !slices.IsSorted(ts) {
		t.Errorf("not sorted: %v", ts)
	}
	if ts[0] != 0 || ts[len(ts)-1] != 0.9 {
		t.Errorf("range %v to %v, want 0 to 0.9", ts[0], ts[len(ts)-1])
	}
	n := 0
	for _, v := range ts {
		if v == helpium.DefaultAnswerThreshold {
			n++
		}
	}
	if n != 1 {
		t.Errorf("default threshold %v appears %d times in %v", helpium.DefaultAnswerThreshold, n, ts)
	}
}
