package service

import (
	"context"
	"testing"
	"time"

	"github.com/helpium/helpium"
)

// benchWorkspaces returns a service's workspaces whose key cache already
// holds key, as it does after a workspace's first widget request.
func benchWorkspaces(b *testing.B, key string) *Workspaces {
	b.Helper()
	s := New(nil, Options{}).Workspaces
	ws := &helpium.Workspace{ID: "0196a0e4-7d3c-7c1e-9a51-3f2b1c0d4e5f", Name: "Acme", APIKey: key,
		Widget: helpium.DefaultWidgetConfig(), BusinessHours: helpium.BusinessHours{Timezone: "UTC"}}
	sched, err := ws.BusinessHours.Compile()
	if err != nil {
		b.Fatal(err)
	}
	s.keys.put(key, keyEntry{ws: ws, schedule: sched}, time.Now(), s.keys.generation())
	return s
}

// BenchmarkAuthenticateWidgetKeyCached is the widget-key check every
// Customer API request makes, answered from the cache.
func BenchmarkAuthenticateWidgetKeyCached(b *testing.B) {
	const key = "pk_bench_widget_key_0123456789abcdef0123456789abcdef"
	s := benchWorkspaces(b, key)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.AuthenticateWidgetKey(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticateWidgetKeyCachedParallel is the same with every core
// asking at once (64 widget connections of one workspace).
func BenchmarkAuthenticateWidgetKeyCachedParallel(b *testing.B) {
	const key = "pk_bench_widget_key_0123456789abcdef0123456789abcdef"
	s := benchWorkspaces(b, key)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.AuthenticateWidgetKey(ctx, key); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
