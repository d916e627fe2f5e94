package bert

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestParallelFor checks that every index is visited exactly once, from
// concurrent and nested calls, and after the helpers have parked.
func TestParallelFor(t *testing.T) {
	check := func(t *testing.T, n, minPer int) {
		t.Helper()
		seen := make([]atomic.Int32, n)
		parallelFor(n, minPer, func(lo, hi int) {
			if n > 0 && lo >= hi {
				t.Errorf("empty range [%d, %d)", lo, hi)
			}
			for i := lo; i < hi; i++ {
				seen[i].Add(1)
			}
		})
		for i := range seen {
			if got := seen[i].Load(); got != 1 {
				t.Fatalf("n=%d minPer=%d: index %d visited %d times", n, minPer, i, got)
			}
		}
	}
	for _, c := range []struct{ n, minPer int }{{0, 1}, {1, 1}, {2, 1}, {7, 1}, {7, 3}, {96, 2}, {1000, 1}, {5, 100}} {
		check(t, c.n, c.minPer)
	}
	t.Run("concurrent callers", func(t *testing.T) {
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 200 {
					check(t, 97, 1)
				}
			})
		}
		wg.Wait()
	})
	t.Run("nested", func(t *testing.T) {
		var total atomic.Int64
		parallelFor(4, 1, func(lo, hi int) {
			for range hi - lo {
				parallelFor(10, 1, func(lo, hi int) { total.Add(int64(hi - lo)) })
			}
		})
		if total.Load() != 40 {
			t.Fatalf("nested calls visited %d indexes, want 40", total.Load())
		}
	})
	t.Run("after the helpers park", func(t *testing.T) {
		for range 3 {
			time.Sleep(50 * time.Millisecond) // far longer than spinRounds
			done := make(chan struct{})
			go func() { check(t, 64, 1); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("a parked helper was never woken")
			}
		}
	})
}
