package playground_test

import (
	"testing"

	"github.com/helpium/helpium/internal/jsbundle"
)

// TestBundleIsFresh fails when the committed bundle was built from other
// inputs than those in the repository: run `make playground`.
func TestBundleIsFresh(t *testing.T) {
	msg, err := jsbundle.Stale(".", "playground")
	if err != nil {
		t.Fatal(err)
	}
	if msg != "" {
		t.Error(msg)
	}
}
