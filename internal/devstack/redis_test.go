package devstack

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

func TestRedis(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	r, err := StartRedis(ctx, RedisOptions{DataDir: filepath.Join(dir, "redis")})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	addr := fmt.Sprintf("127.0.0.1:%d", r.Port())
	if err := pingRedis(addr); err != nil {
		t.Fatal(err)
	}
	if err := r.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pingRedis(addr); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if pingRedis(addr) == nil {
		t.Error("redis still answers after Stop")
	}
	if err := r.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}
