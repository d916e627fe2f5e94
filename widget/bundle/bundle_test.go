package bundle_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/helpium/helpium/widget/bundle"
)

// TestCommittedBuildUpToDate fails when widget/src changed without `make
// widget`, so the served script always matches its source.
func TestCommittedBuildUpToDate(t *testing.T) {
	dir := filepath.Join("..")
	got, err := bundle.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join(dir, "dist", "widget.js"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Fatal("widget/dist/widget.js is stale: run `make widget` and commit the result")
	}
}
