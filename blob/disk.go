package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Disk is a Store in a local directory: objects under dir/objects, each key
// a path below it, and uploads in progress under dir/tmp. It suits one
// server, or several sharing one POSIX volume.
type Disk struct {
	objects, tmp string
}

// staleTemp is how old a temporary file must be before NewDisk removes it:
// far longer than any upload, so it only catches those a crash cut short.
const staleTemp = time.Hour

// NewDisk opens (creating if needed, mode 0700) the store in dir and
// removes temporary files that uploads cut short by a crash left behind.
func NewDisk(dir string) (*Disk, error) {
	if dir == "" {
		return nil, errors.New("blob: no directory for the disk store")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	d := &Disk{objects: filepath.Join(dir, "objects"), tmp: filepath.Join(dir, "tmp")}
	for _, p := range []string{d.objects, d.tmp} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			return nil, fmt.Errorf("blob: create %s: %w", p, err)
		}
	}
	entries, err := os.ReadDir(d.tmp)
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
			os.Remove(filepath.Join(d.tmp, e.Name()))
		}
	}
	return d, nil
}

// path returns where key's object lives.
func (d *Disk) path(key string) string {
	return filepath.Join(d.objects, filepath.FromSlash(key))
}

// Put writes the bytes to a temporary file, syncs it and renames it to the
// key's path, so the key holds the whole object or none of it, even after
// a crash. The content type is not kept: the database has it.
func (d *Disk) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("blob: negative size %d", size)
	}
	f, err := os.CreateTemp(d.tmp, "put-*") // mode 0600
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	tmp := f.Name()
	committed := false
	defer func() {
		if !committed {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := io.Copy(f, newExactReader(contextReader{ctx, r}, size)); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("blob: sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	dst := d.path(key)
	// A DeletePrefix may remove the directory between MkdirAll and Rename:
	// try again once.
	for attempt := 1; ; attempt++ {
		if err = os.MkdirAll(filepath.Dir(dst), 0o700); err == nil {
			if err = os.Rename(tmp, dst); err == nil {
				break
			}
		}
		if attempt == 2 || !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("blob: store %s: %w", key, err)
		}
	}
	committed = true
	// The rename is durable once the directory that holds it is synced.
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return fmt.Errorf("blob: sync directory: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Open opens key's file; a key with no regular file is ErrNotFound.
func (d *Disk) Open(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	if err := ValidKey(key); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(d.path(key))
	if err != nil {
		if notFound(err) {
			return nil, 0, fmt.Errorf("%w: %s", ErrNotFound, key)
		}
		return nil, 0, fmt.Errorf("blob: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("blob: %w", err)
	}
	if !st.Mode().IsRegular() { // a directory: the start of other keys
		f.Close()
		return nil, 0, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return f, st.Size(), nil
}

// notFound reports whether err means the path is not there, including a
// file standing where the path needs a directory.
func notFound(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// Delete removes key's file. Directories left empty stay until their
// prefix is deleted.
func (d *Disk) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	p := d.path(key)
	st, err := os.Lstat(p)
	if err != nil {
		if notFound(err) {
			return nil
		}
		return fmt.Errorf("blob: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil // a directory holds other keys, not this one
	}
	if err := os.Remove(p); err != nil && !notFound(err) {
		return fmt.Errorf("blob: %w", err)
	}
	return nil
}

// DeletePrefix removes, in the directory the prefix ends in, every entry
// whose name starts with the prefix's last, possibly partial, segment.
func (d *Disk) DeletePrefix(ctx context.Context, prefix string) error {
	if err := validPrefix(prefix); err != nil {
		return err
	}
	parent, name := ".", prefix
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		parent, name = prefix[:i], prefix[i+1:]
	}
	dir := filepath.Join(d.objects, filepath.FromSlash(parent))
	entries, err := os.ReadDir(dir)
	if err != nil {
		if notFound(err) {
			return nil
		}
		return fmt.Errorf("blob: %w", err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.HasPrefix(e.Name(), name) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("blob: %w", err)
			}
		}
	}
	return nil
}

// contextReader stops reading once ctx is done, so a cancelled request
// does not keep a Put going.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
