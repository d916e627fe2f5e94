package blob

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDiskFilesArePrivate: objects are 0600 in 0700 directories, and no
// upload, finished or failed, leaves a temporary file behind.
func TestDiskFilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "blobs")
	d, err := NewDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	put(t, d, "ws/1/a", []byte("hello"))
	if err := d.Put(context.Background(), "ws/1/b", strings.NewReader("hel"), 5, ""); err == nil {
		t.Fatal("short Put succeeded")
	}
	err = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if e.IsDir() {
			want = 0o700 | fs.ModeDir
		}
		if info.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, info.Mode(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(d.tmp); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestNewDiskRemovesStaleTempFiles: what a crash left in the middle of an
// upload goes at the next start, once it is an hour old; an upload that
// may still be running is left alone.
func TestNewDiskRemovesStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := NewDisk(dir); err != nil {
		t.Fatal(err)
	}
	files := []struct {
		name string
		age  time.Duration
		kept bool
	}{
		{"put-crashed", 2 * time.Hour, false},
		{"put-just-over", staleTemp + time.Minute, false},
		{"put-running", time.Minute, true},
	}
	for _, f := range files {
		p := filepath.Join(dir, "tmp", f.name)
		if err := os.WriteFile(p, []byte("part"), 0o600); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-f.age)
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := NewDisk(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(dir, "tmp", f.name))
		if kept := err == nil; kept != f.kept {
			t.Errorf("%s, %v old: kept %v, want %v", f.name, f.age, kept, f.kept)
		}
	}
}
