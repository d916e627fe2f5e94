package apptest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/internal/devstack"
	"github.com/helpium/helpium/ratelimit"
)

// RedisURL returns the test Redis's URL: REDIS_URL, which `make test` sets
// (devstack -redis), or else a redis-server started for this test on a free
// port (installed with apt-get when missing) and stopped on cleanup.
func RedisURL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	r, err := devstack.StartRedis(ctx, devstack.RedisOptions{DataDir: filepath.Join(dir, "redis"), Log: &testLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop() })
	return r.URL()
}

// RedisLimiter returns a limiter on the test Redis whose keys live under a
// prefix of their own, so tests sharing one Redis never count together.
func RedisLimiter(t testing.TB, url string, prefix string) *ratelimit.Redis {
	t.Helper()
	client, err := ratelimit.Dial(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return ratelimit.NewRedis(client, prefix)
}

// testLog sends a service's output to the test log, only shown on failure
// or with -v.
type testLog struct{ t testing.TB }

func (l *testLog) Write(p []byte) (int, error) {
	l.t.Logf("%s", p)
	return len(p), nil
}

// SetRateLimits stores a workspace's rate limits directly, for tests that
// send more than the defaults allow (or want a tiny limit). Call it before
// the workspace's widget key is first used: replicas cache the workspace
// with its key for a few seconds.
func (a *App) SetRateLimits(t testing.TB, workspaceID string, l helpium.RateLimits) {
	t.Helper()
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.ExecContext(context.Background(), "UPDATE workspaces SET rate_limits = ? WHERE id = ?", string(raw), workspaceID); err != nil {
		t.Fatal(err)
	}
}

// Generous are rate limits no functional test reaches.
var Generous = helpium.RateLimits{CustomerAPI: 100_000, Conversations: 100_000, Messages: 100_000}

// RateLimitsFor returns limits in requests per minute; 0 keeps a default.
func RateLimitsFor(customerAPI, conversations, messages int) helpium.RateLimits {
	return helpium.RateLimits{CustomerAPI: customerAPI, Conversations: conversations, Messages: messages}
}
