package ratelimit

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// memoryShards spreads keys over several locks so that concurrent requests
// of different workspaces do not contend.
const memoryShards = 32

// maxKeysPerShard bounds memory under a flood of distinct keys (client IPs):
// a full shard drops its expired entries and, if that is not enough, all.
const maxKeysPerShard = 50_000

// Memory is a Limiter in process memory: exact for one replica, and what
// each replica enforces on its own when there are several.
type Memory struct {
	now    func() time.Time
	seed   maphash.Seed
	shards [memoryShards]memoryShard
}

type memoryShard struct {
	mu sync.Mutex
	m  map[string]time.Time // key → theoretical arrival time
}

// NewMemory returns an in-memory limiter. now may be nil (time.Now).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	m := &Memory{now: now, seed: maphash.MakeSeed()}
	for i := range m.shards {
		m.shards[i].m = make(map[string]time.Time)
	}
	return m
}

// Allow implements Limiter; it never fails.
func (m *Memory) Allow(_ context.Context, key string, l Limit) (Result, error) {
	s := &m.shards[maphash.String(m.seed, key)%memoryShards]
	now := m.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	res, tat := gcra(s.m[key], now, l)
	if res.Allowed {
		if len(s.m) >= maxKeysPerShard {
			s.sweep(now)
		}
		s.m[key] = tat
	}
	return res, nil
}

// sweep drops entries whose budget is full again (tat in the past); they
// behave exactly like absent keys.
func (s *memoryShard) sweep(now time.Time) {
	for k, tat := range s.m {
		if !tat.After(now) {
			delete(s.m, k)
		}
	}
	if len(s.m) >= maxKeysPerShard {
		s.m = make(map[string]time.Time)
	}
}
