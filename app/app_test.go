package app_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/helpium/helpium/app"
	"github.com/helpium/helpium/internal/jsbundle"
)

// TestBundleIsFresh fails when the committed bundle was built from other
// inputs than those in the repository: run `make app`.
func TestBundleIsFresh(t *testing.T) {
	msg, err := jsbundle.Stale(".", "app", app.Extra...)
	if err != nil {
		t.Fatal(err)
	}
	if msg != "" {
		t.Error(msg)
	}
}

// TestGeneratedTypesAreFresh fails when src/gql/graphql.ts, the types of
// the app's operations, was generated from another schema.graphql, other
// operations (src/**/*.graphql) or another codegen setup than those in the
// repository: run `make app`, which generates it again and then fails at
// the TypeScript check if the schema no longer fits the app. The file
// records the SHA-256 of its inputs (app/codegen.ts), so this needs no
// Node.
func TestGeneratedTypesAreFresh(t *testing.T) {
	src, err := os.ReadFile("src/gql/graphql.ts")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^// Inputs SHA-256: ([0-9a-f]{64})$`).FindSubmatch(src)
	if m == nil {
		t.Fatal("src/gql/graphql.ts records no inputs hash: run `make app`")
	}
	inputs := []string{"../schema.graphql", "codegen.ts", "package-lock.json"}
	err = filepath.WalkDir("src", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".graphql") {
			inputs = append(inputs, filepath.ToSlash(p))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want, err := jsbundle.HashFiles(".", inputs)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(m[1]); got != want {
		t.Errorf("app/src/gql/graphql.ts is stale (generated from %s, the inputs %v are %s): run `make app`", got, inputs, want)
	}
}
