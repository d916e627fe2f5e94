package ratelimit_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/ratelimit"
)

// clock is a settable time source for the in-memory limiter.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestMemoryGCRA(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := ratelimit.NewMemory(clk.now)
	ctx := context.Background()
	l := ratelimit.PerMinute(6) // one every 10 s, burst of 6

	for i := 0; i < 6; i++ {
		res, _ := m.Allow(ctx, "k", l)
		if !res.Allowed || res.Remaining != 5-i || res.Limit != 6 {
			t.Fatalf("request %d: %+v", i, res)
		}
	}
	if res, _ := m.Allow(ctx, "k", l); res.Allowed || res.Remaining != 0 || res.RetryAfter != 10*time.Second || res.Reset != time.Minute {
		t.Fatalf("7th request: %+v", res)
	}
	if res, _ := m.Allow(ctx, "other", l); !res.Allowed || res.Remaining != 5 {
		t.Fatalf("another key shares the budget: %+v", res)
	}
	clk.add(9 * time.Second)
	if res, _ := m.Allow(ctx, "k", l); res.Allowed || res.RetryAfter != time.Second {
		t.Fatalf("after 9 s: %+v", res)
	}
	clk.add(time.Second) // one interval: exactly one more request
	if res, _ := m.Allow(ctx, "k", l); !res.Allowed || res.Remaining != 0 {
		t.Fatalf("after 10 s: %+v", res)
	}
	if res, _ := m.Allow(ctx, "k", l); res.Allowed {
		t.Fatalf("second request after 10 s: %+v", res)
	}
	clk.add(time.Hour) // full again, no more than the burst
	if res, _ := m.Allow(ctx, "k", l); !res.Allowed || res.Remaining != 5 || res.Reset != 10*time.Second {
		t.Fatalf("after an hour: %+v", res)
	}
}

// TestLimiterContract runs the same contract against both backends: a
// burst of exactly N under concurrency (no lost updates), refusals with a
// retry delay of one interval, keys independent, refill over time.
func TestLimiterContract(t *testing.T) {
	url := apptest.RedisURL(t)
	backends := map[string]func(t *testing.T) ratelimit.Limiter{
		"memory": func(t *testing.T) ratelimit.Limiter { return ratelimit.NewMemory(nil) },
		"redis": func(t *testing.T) ratelimit.Limiter {
			return apptest.RedisLimiter(t, url, fmt.Sprintf("test:%s:%d:", t.Name(), time.Now().UnixNano()))
		},
	}
	for name, newLimiter := range backends {
		t.Run(name, func(t *testing.T) {
			lim := newLimiter(t)
			ctx := context.Background()
			l := ratelimit.Limit{N: 50, Period: 5 * time.Second} // one every 100 ms

			var allowed atomic.Int64
			var wg sync.WaitGroup
			for i := 0; i < 200; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, err := lim.Allow(ctx, "burst", l)
					if err != nil {
						t.Error(err)
						return
					}
					if res.Allowed {
						allowed.Add(1)
					} else if res.RetryAfter <= 0 || res.RetryAfter > 100*time.Millisecond || res.Remaining != 0 {
						t.Errorf("refusal %+v", res)
					}
				}()
			}
			wg.Wait()
			// A few may refill while 200 requests run; never fewer than N.
			if n := allowed.Load(); n < 50 || n > 55 {
				t.Errorf("%d of 200 concurrent requests admitted, want 50 (+ refill)", n)
			}
			if res, _ := lim.Allow(ctx, "fresh", l); !res.Allowed || res.Remaining != 49 || res.Limit != 50 {
				t.Errorf("fresh key: %+v", res)
			}
			time.Sleep(250 * time.Millisecond)
			res, _ := lim.Allow(ctx, "burst", l)
			if !res.Allowed {
				t.Errorf("no refill after 250 ms: %+v", res)
			}
			if res.Reset <= 0 || res.Reset > 5*time.Second {
				t.Errorf("reset %v", res.Reset)
			}
		})
	}
}

// TestRedisSharedBetweenClients: two clients (two replicas) on one Redis
// count against the same budget.
func TestRedisSharedBetweenClients(t *testing.T) {
	url := apptest.RedisURL(t)
	prefix := fmt.Sprintf("test:shared:%d:", time.Now().UnixNano())
	a, b := apptest.RedisLimiter(t, url, prefix), apptest.RedisLimiter(t, url, prefix)
	ctx := context.Background()
	l := ratelimit.PerMinute(10)
	for i := 0; i < 10; i++ {
		lim := a
		if i%2 == 1 {
			lim = b
		}
		if res, err := lim.Allow(ctx, "k", l); err != nil || !res.Allowed {
			t.Fatalf("request %d: %+v %v", i, res, err)
		}
	}
	for _, lim := range []ratelimit.Limiter{a, b} {
		if res, _ := lim.Allow(ctx, "k", l); res.Allowed || res.RetryAfter <= 0 || res.RetryAfter > 6*time.Second {
			t.Errorf("11th request: %+v", res)
		}
	}
}

// TestFallbackWhenRedisDown: with Redis unreachable the limiter answers
// from process memory, quickly.
func TestFallbackWhenRedisDown(t *testing.T) {
	client, err := ratelimit.Dial(context.Background(), apptest.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	client.Close() // every call now fails at once
	f := &ratelimit.Fallback{Primary: ratelimit.NewRedis(client, "x:"), Secondary: ratelimit.NewMemory(nil)}
	l := ratelimit.PerMinute(2)
	ctx := context.Background()
	start := time.Now()
	for i, want := range []bool{true, true, false} {
		res, err := f.Allow(ctx, "k", l)
		if err != nil || res.Allowed != want {
			t.Fatalf("request %d: %+v %v", i, res, err)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("fallback took %v", d)
	}
}
