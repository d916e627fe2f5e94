package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
)

// microPackages hold the testing.B benchmarks of the hot paths: business
// hours and the message-page JSON (root), the cached widget-key lookup
// (service), the rate limiter, and the tokeniser and embedding (embed/bert).
// (./ratelimit is included when it exists.)
var microPackages = []string{".", "./service", "./ratelimit", "./embed/bert"}

// microbenchmarks runs them once each and returns go test's output, which
// benchstat reads.
func microbenchmarks(ctx context.Context) (string, error) {
	var pkgs []string
	for _, p := range microPackages {
		if m, _ := filepath.Glob(filepath.Join(p, "*_test.go")); len(m) > 0 {
			pkgs = append(pkgs, p)
		}
	}
	args := append([]string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-count", "1", "-timeout", "10m"}, pkgs...)
	logf("microbenchmarks: go %v", args)
	cmd := exec.CommandContext(ctx, "go", args...)
	dataDir := os.Getenv("HELPIUM_DATA_DIR")
	if dataDir == "" {
		dataDir = ".data/bench"
	}
	abs, _ := filepath.Abs(filepath.Join(dataDir, "models"))
	cmd.Env = append(os.Environ(), "HELPIUM_MODEL_DIR="+abs) // the embedding benchmarks reuse the fetched model
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	os.Stderr.Write(out.Bytes())
	return out.String(), err
}
