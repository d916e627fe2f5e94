// Package jsbundle builds a TypeScript front end (the playground, the agent
// app) with esbuild, from dir/src/index.tsx and the locked npm
// dependencies in dir/node_modules, and fingerprints its inputs so that a
// test can tell a stale bundle. JSX follows the directory's tsconfig.json.
package jsbundle

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// Build bundles dir/src/index.tsx into dir/dist/<name>.js and <name>.css,
// minified, and records InputsHash in dist/inputs.sha256. extra are files
// outside dir that the sources import (paths relative to dir). It returns
// the files written.
func Build(dir, name string, extra ...string) ([]string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	res := api.Build(api.BuildOptions{
		AbsWorkingDir:     abs,
		EntryPoints:       []string{filepath.Join("src", "index.tsx")},
		Bundle:            true,
		Write:             false,
		Format:            api.FormatIIFE,
		Platform:          api.PlatformBrowser,
		Target:            api.ES2020,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		LegalComments:     api.LegalCommentsLinked,
		Charset:           api.CharsetUTF8,
		Define:            map[string]string{"process.env.NODE_ENV": `"production"`},
		Loader:            map[string]api.Loader{".woff": api.LoaderDataURL, ".woff2": api.LoaderDataURL, ".svg": api.LoaderDataURL},
		Outdir:            "dist",
		EntryNames:        name,
		LogLevel:          api.LogLevelSilent,
	})
	if len(res.Errors) > 0 {
		var msgs []string
		for _, m := range res.Errors {
			msgs = append(msgs, m.Text)
		}
		return nil, fmt.Errorf("esbuild: %s", strings.Join(msgs, "; "))
	}
	var written []string
	for _, f := range res.OutputFiles {
		if err := os.WriteFile(f.Path, f.Contents, 0o644); err != nil {
			return nil, err
		}
		written = append(written, f.Path)
	}
	hash, err := InputsHash(dir, extra...)
	if err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "dist", "inputs.sha256")
	return append(written, out), os.WriteFile(out, []byte(hash+"\n"), 0o644)
}

// InputsHash is the SHA-256 of everything a bundle is built from, in dir:
// the locked dependencies, the TypeScript settings, the page and the
// sources, and extra, files outside dir that the sources import (paths
// relative to dir). (A change to this package's options shows as a stale bundle
// only through the built output; rebuild every bundle after one.)
func InputsHash(dir string, extra ...string) (string, error) {
	var paths []string
	for _, p := range append([]string{"package-lock.json", "tsconfig.json", "index.html"}, extra...) {
		paths = append(paths, filepath.Join(dir, p))
	}
	err := filepath.WalkDir(filepath.Join(dir, "src"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	rels := make([]string, len(paths)) // as seen from dir, wherever it is
	for i, p := range paths {
		rel, _ := filepath.Rel(dir, p)
		rels[i] = filepath.ToSlash(rel)
	}
	return HashFiles(dir, rels)
}

// HashFiles is the SHA-256 of the files rels, slash-separated paths
// relative to dir: in byte order of their paths, each as its path, NUL,
// its length in decimal, NUL, then its content. app/codegen.ts computes
// the same for the generated GraphQL types.
func HashFiles(dir string, rels []string) (string, error) {
	rels = slices.Sorted(slices.Values(rels))
	h := sha256.New()
	for _, rel := range rels {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", rel, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Stale reports, as a message naming the make target, when the bundle in
// dir/dist was built from other inputs than those in the repository; ""
// when it is fresh.
func Stale(dir, target string, extra ...string) (string, error) {
	want, err := InputsHash(dir, extra...)
	if err != nil {
		return "", err
	}
	got, err := os.ReadFile(filepath.Join(dir, "dist", "inputs.sha256"))
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(string(got)) == want {
		return "", nil
	}
	return fmt.Sprintf("%s/dist is stale (built from %s, the inputs are %s): run `make %s`", filepath.Base(mustAbs(dir)), strings.TrimSpace(string(got)), want, target), nil
}

func mustAbs(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	return abs
}
