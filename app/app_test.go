package app_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

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

// TestOperationsMatchTheSchema validates every GraphQL operation in the
// app's sources against schema.graphql, so that a schema change that would
// break the app fails the build. Operations are the template literals that
// start with query, mutation, subscription or {; ${NAME} inside one is the
// source's const NAME.
func TestOperationsMatchTheSchema(t *testing.T) {
	raw, err := os.ReadFile("../schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: string(raw)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	files, _ := filepath.Glob("src/*.tsx")
	n := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		consts := map[string]string{}
		for _, m := range regexp.MustCompile("(?s)const ([A-Z_]+) = `(.*?)`").FindAllStringSubmatch(string(src), -1) {
			consts[m[1]] = m[2]
		}
		for _, m := range regexp.MustCompile("(?s)`(.*?)`").FindAllStringSubmatch(string(src), -1) {
			op := strings.TrimSpace(m[1])
			if !regexp.MustCompile(`^(query|mutation|subscription)\b|^\{`).MatchString(op) {
				continue
			}
			op = regexp.MustCompile(`\$\{([A-Z_]+)\}`).ReplaceAllStringFunc(op, func(s string) string { return consts[s[2:len(s)-1]] })
			n++
			if _, errs := gqlparser.LoadQuery(schema, op); errs != nil {
				t.Errorf("%s: %v\n%s", f, errs, op)
			}
		}
	}
	if n < 20 {
		t.Errorf("found %d operations; the extraction is broken", n)
	}
}
