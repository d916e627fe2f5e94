package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// gcraScript is gcra in Lua: read the key's theoretical arrival time,
// decide, and store the new one with an expiry, atomically in Redis. Time
// comes from the Redis server so that replicas with skewed clocks agree.
// Times are integer microseconds (exact in Lua's doubles until year 2255).
//
// KEYS[1] key; ARGV[1] interval µs; ARGV[2] period µs.
// Returns {allowed, remaining, reset µs, retry-after µs}.
var gcraScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now) or now
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - period
if now < allow_at then
  return {0, 0, tat - now, allow_at - now}
end
local ttl = math.ceil((new_tat - now) / 1000)
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', string.format('%d', ttl))
return {1, math.floor((now - allow_at) / interval), new_tat - now, 0}
`)

// redisTimeout bounds one limiter round trip: a slow Redis must not slow
// every request down.
const redisTimeout = 250 * time.Millisecond

// Redis is a Limiter whose state lives in Redis, shared by every replica
// using the same Redis.
type Redis struct {
	client redis.UniversalClient
	prefix string
}

// NewRedis returns a limiter over client; keys are stored under prefix.
func NewRedis(client redis.UniversalClient, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix}
}

// Dial connects to the Redis at url (redis://[:password@]host:port/db) and
// checks that it answers.
func Dial(ctx context.Context, url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse REDIS_URL: %w", err)
	}
	opt.DialTimeout = 2 * time.Second
	opt.ReadTimeout = time.Second
	opt.WriteTimeout = time.Second
	client := redis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.Ping(pctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("connect to Redis: %w", err)
	}
	return client, nil
}

// Allow implements Limiter.
func (r *Redis) Allow(ctx context.Context, key string, l Limit) (Result, error) {
	if l.N <= 0 || l.Period <= 0 {
		return Result{Allowed: true, Limit: l.N}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	v, err := gcraScript.Run(ctx, r.client, []string{r.prefix + key},
		l.interval().Microseconds(), l.Period.Microseconds()).Int64Slice()
	if err != nil {
		return Result{}, fmt.Errorf("ratelimit: redis: %w", err)
	}
	if len(v) != 4 {
		return Result{}, fmt.Errorf("ratelimit: redis: unexpected reply %v", v)
	}
	return Result{
		Allowed: v[0] == 1, Limit: l.N, Remaining: int(v[1]),
		Reset: time.Duration(v[2]) * time.Microsecond, RetryAfter: time.Duration(v[3]) * time.Microsecond,
	}, nil
}

// Fallback is a Limiter that asks Primary and, when Primary fails (Redis
// down), Secondary, so that each replica still enforces the limits on its
// own during the outage instead of refusing or admitting everything.
type Fallback struct {
	Primary, Secondary Limiter
	Log                *slog.Logger
	lastLog            atomic.Int64
}

// Allow implements Limiter.
func (f *Fallback) Allow(ctx context.Context, key string, l Limit) (Result, error) {
	res, err := f.Primary.Allow(ctx, key, l)
	if err == nil {
		return res, nil
	}
	if now := time.Now().UnixNano(); f.Log != nil && now-f.lastLog.Load() > int64(10*time.Second) {
		f.lastLog.Store(now)
		f.Log.WarnContext(ctx, "rate limiter unavailable; enforcing limits per process", "err", err)
	}
	return f.Secondary.Allow(ctx, key, l)
}
