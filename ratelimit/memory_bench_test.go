package ratelimit_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/helpium/helpium/ratelimit"
)

// BenchmarkMemoryAllow is the in-process limiter on the Customer API's hot
// path: one workspace key, a limit that never refuses.
func BenchmarkMemoryAllow(b *testing.B) {
	m := ratelimit.NewMemory(nil)
	ctx := context.Background()
	l := ratelimit.PerMinute(1_000_000_000)
	b.ReportAllocs()
	for b.Loop() {
		if res, _ := m.Allow(ctx, "ws:0196a0e4-7d3c-7c1e-9a51-3f2b1c0d4e5f", l); !res.Allowed {
			b.Fatal("refused")
		}
	}
}

// BenchmarkMemoryAllowParallelSameKey is every connection of one workspace
// hitting one key at once (the widget-settings workload).
func BenchmarkMemoryAllowParallelSameKey(b *testing.B) {
	m := ratelimit.NewMemory(nil)
	ctx := context.Background()
	l := ratelimit.PerMinute(1_000_000_000)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Allow(ctx, "ws:0196a0e4-7d3c-7c1e-9a51-3f2b1c0d4e5f", l)
		}
	})
}

// BenchmarkMemoryAllowParallelManyKeys is many client IPs of many
// workspaces, spread over the shards.
func BenchmarkMemoryAllowParallelManyKeys(b *testing.B) {
	m := ratelimit.NewMemory(nil)
	ctx := context.Background()
	l := ratelimit.PerMinute(60)
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = "msg:ws" + strconv.Itoa(i%100) + ":10.0." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256)
	}
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Allow(ctx, keys[int(n.Add(1))%len(keys)], l)
		}
	})
}
