// Package bundle builds the playground's bundle with esbuild, from
// src/index.tsx and the locked npm dependencies in node_modules, and
// fingerprints its inputs so that a test can tell a stale bundle.
package bundle

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

// Build bundles dir/src/index.tsx into dir/dist/playground.js and
// playground.css, minified, and records InputsHash in dist/inputs.sha256.
// It returns the files written.
func Build(dir string) ([]string, error) {
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
		EntryNames:        "playground",
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
	hash, err := InputsHash(dir)
	if err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "dist", "inputs.sha256")
	return append(written, out), os.WriteFile(out, []byte(hash+"\n"), 0o644)
}

// InputsHash is the SHA-256 of everything the bundle is built from, in dir
// (the playground directory): the locked dependencies, the TypeScript
// settings, the page, the sources and this build.
func InputsHash(dir string) (string, error) {
	var paths []string
	for _, p := range []string{"package-lock.json", "tsconfig.json", "index.html", "bundle/bundle.go"} {
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
	slices.Sort(paths)
	h := sha256.New()
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
