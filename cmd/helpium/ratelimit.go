package main

import (
	"context"
	"log/slog"

	"github.com/helpium/helpium/config"
	"github.com/helpium/helpium/ratelimit"
)

// newRateLimiter returns the Redis limiter shared by all replicas when
// REDIS_URL is set (falling back to per-process limits while Redis is
// unreachable), else the in-process one.
func newRateLimiter(ctx context.Context, cfg config.Config, log *slog.Logger) (ratelimit.Limiter, error) {
	mem := ratelimit.NewMemory(nil)
	if cfg.RedisURL == "" {
		log.Info("rate limits are counted in this process (set REDIS_URL to share them between replicas)")
		return mem, nil
	}
	client, err := ratelimit.Dial(ctx, cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	log.Info("rate limits are shared through Redis")
	return &ratelimit.Fallback{Primary: ratelimit.NewRedis(client, "helpium:rl:"), Secondary: mem, Log: log}, nil
}
