// Package ratelimit counts requests against limits with the generic cell
// rate algorithm (GCRA), in process memory or in Redis so that several
// replicas share one budget.
//
// A limit of N per period admits a burst of N requests and then one request
// every period/N: the bucket refills continuously rather than at fixed
// window boundaries, so there is no double burst at a window's edge.
package ratelimit

import (
	"context"
	"time"
)

// Limit is N requests per Period.
type Limit struct {
	N      int
	Period time.Duration
}

// PerMinute returns a limit of n requests a minute.
func PerMinute(n int) Limit { return Limit{N: n, Period: time.Minute} }

// interval is the time one request's worth of budget takes to refill.
func (l Limit) interval() time.Duration {
	return l.Period / time.Duration(l.N)
}

// Result is the outcome of one Allow call, for the X-RateLimit-* headers.
type Result struct {
	Allowed bool
	// Limit is N of the limit that was checked.
	Limit int
	// Remaining is how many more requests would be admitted right now.
	Remaining int
	// Reset is how long until the budget is full again.
	Reset time.Duration
	// RetryAfter is how long until the next request is admitted; zero when
	// Allowed.
	RetryAfter time.Duration
}

// Limiter admits or refuses one request against a limit for a key. Keys are
// opaque; callers namespace them ("ws:<id>", "conv:<id>:<ip>").
type Limiter interface {
	// Allow counts one request for key against l and reports whether it is
	// admitted. An error means the backend could not be asked.
	Allow(ctx context.Context, key string, l Limit) (Result, error)
}

// gcra applies one request to the theoretical arrival time tat (zero for a
// new key) at now, and returns the result with the new tat to store
// (unchanged when refused). Both backends use the same arithmetic; Redis
// runs it in Lua.
func gcra(tat, now time.Time, l Limit) (Result, time.Time) {
	if l.N <= 0 || l.Period <= 0 {
		return Result{Allowed: true, Limit: l.N}, tat
	}
	t := l.interval()
	if tat.Before(now) {
		tat = now
	}
	newTAT := tat.Add(t)
	allowAt := newTAT.Add(-l.Period)
	if now.Before(allowAt) {
		return Result{
			Allowed: false, Limit: l.N, Remaining: 0,
			Reset: tat.Sub(now), RetryAfter: allowAt.Sub(now),
		}, tat
	}
	return Result{
		Allowed: true, Limit: l.N,
		Remaining: int(now.Sub(allowAt) / t),
		Reset:     newTAT.Sub(now),
	}, newTAT
}
