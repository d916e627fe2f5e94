package app_test

import (
	"os"
	"strings"
	"testing"

	"github.com/helpium/helpium/app"
	"github.com/helpium/helpium/internal/jsbundle"
)

// TestBundleIsFresh fails when the committed bundle was built from other
// inputs than those in the repository: run `make app`.
func TestBundleIsFresh(t *testing.T) {
	want, err := jsbundle.InputsHash(".", app.Extra...)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("dist/inputs.sha256")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(got)) != want {
		t.Errorf("app/dist is stale (built from %s, the inputs are %s): run `make app`", strings.TrimSpace(string(got)), want)
	}
}
