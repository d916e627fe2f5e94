package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// testS3Options are the S3 settings of the environment, which `go run
// ./cmd/devstack -s3` (make test) provides; without them the test fails
// rather than skips.
func testS3Options(t *testing.T) S3Options {
	t.Helper()
	opts := S3Options{
		Endpoint:        os.Getenv("HELPIUM_S3_ENDPOINT"),
		Region:          os.Getenv("HELPIUM_S3_REGION"),
		Bucket:          os.Getenv("HELPIUM_S3_BUCKET"),
		AccessKeyID:     os.Getenv("HELPIUM_S3_ACCESS_KEY_ID"),
		SecretAccessKey: os.Getenv("HELPIUM_S3_SECRET_ACCESS_KEY"),
	}
	if opts.Endpoint == "" || opts.Bucket == "" || opts.AccessKeyID == "" || opts.SecretAccessKey == "" {
		t.Fatal("HELPIUM_S3_ENDPOINT, HELPIUM_S3_BUCKET, HELPIUM_S3_ACCESS_KEY_ID and HELPIUM_S3_SECRET_ACCESS_KEY are not set: " +
			"run the tests under `go run ./cmd/devstack -s3 -- go test ./blob` (make test does), which starts an S3 server")
	}
	return opts
}

// testS3 opens the S3 store of the environment.
func testS3(t *testing.T) *S3 {
	t.Helper()
	s, err := NewS3(context.Background(), testS3Options(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testPrefix returns a prefix no other test run uses.
func testPrefix() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "test-" + hex.EncodeToString(b) + "/"
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// failingReader yields n random bytes, then fails.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("the client went away")
	}
	n := min(len(p), f.n)
	rand.Read(p[:n])
	f.n -= n
	return n, nil
}

func put(t *testing.T, s Store, key string, content []byte) {
	t.Helper()
	if err := s.Put(context.Background(), key, bytes.NewReader(content), int64(len(content)), "application/octet-stream"); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// read returns key's content, or nil and the error of Open.
func read(t *testing.T, s Store, key string) ([]byte, error) {
	t.Helper()
	rc, size, err := s.Open(context.Background(), key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	if int64(len(b)) != size {
		t.Errorf("%s: Open said %d bytes, read %d", key, size, len(b))
	}
	return b, nil
}

func wantMissing(t *testing.T, s Store, key string) {
	t.Helper()
	if b, err := read(t, s, key); !errors.Is(err, ErrNotFound) {
		t.Errorf("%s: got %d bytes, error %v; want ErrNotFound", key, len(b), err)
	}
}

func TestStoreContract(t *testing.T) {
	ctx := context.Background()
	// Each store with the key prefix its test may use.
	stores := []struct {
		name string
		open func(t *testing.T) (s Store, root string)
	}{
		{"disk", func(t *testing.T) (Store, string) {
			d, err := NewDisk(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return d, ""
		}},
		{"s3", func(t *testing.T) (Store, string) { return testS3(t), testPrefix() }},
	}
	for _, ts := range stores {
		t.Run(ts.name, func(t *testing.T) {
			s, root := ts.open(t)
			if root != "" {
				t.Cleanup(func() {
					if err := s.DeletePrefix(context.Background(), root); err != nil {
						t.Errorf("clean up %s: %v", root, err)
					}
				})
			}
			for _, tc := range []struct {
				name string
				test func(t *testing.T, key func(string) string)
			}{
				{"round trip keeps content and size", func(t *testing.T, key func(string) string) {
					for _, content := range [][]byte{{}, []byte("hello"), randomBytes(3<<20 + 17)} {
						k := key("ws/1/" + hex.EncodeToString(randomBytes(4)))
						put(t, s, k, content)
						got, err := read(t, s, k)
						if err != nil || !bytes.Equal(got, content) {
							t.Errorf("%s: read %d bytes (%v), want the %d put", k, len(got), err, len(content))
						}
					}
				}},
				{"a missing key is ErrNotFound", func(t *testing.T, key func(string) string) {
					wantMissing(t, s, key("ws/1/never-written"))
					put(t, s, key("ws/2/a"), []byte("x"))
					wantMissing(t, s, key("ws/2"))     // the start of a key is no key
					wantMissing(t, s, key("ws/2/a/b")) // nor is a key's continuation
				}},
				{"delete twice is fine", func(t *testing.T, key func(string) string) {
					k := key("ws/1/a")
					put(t, s, k, []byte("x"))
					for i := 0; i < 2; i++ {
						if err := s.Delete(ctx, k); err != nil {
							t.Fatalf("delete %d: %v", i+1, err)
						}
						wantMissing(t, s, k)
					}
					if err := s.Delete(ctx, key("ws/9/never-written")); err != nil {
						t.Errorf("delete a key never written: %v", err)
					}
				}},
				{"delete prefix removes only its prefix", func(t *testing.T, key func(string) string) {
					for _, k := range []string{"ws/1/a", "ws/1/b", "ws/10/a", "ws/2/a"} {
						put(t, s, key(k), []byte(k))
					}
					if err := s.DeletePrefix(ctx, key("ws/1/")); err != nil {
						t.Fatal(err)
					}
					wantMissing(t, s, key("ws/1/a"))
					wantMissing(t, s, key("ws/1/b"))
					for _, k := range []string{"ws/10/a", "ws/2/a"} {
						if got, err := read(t, s, key(k)); err != nil || string(got) != k {
							t.Errorf("%s after deleting ws/1/: %q, %v", k, got, err)
						}
					}
					// A prefix is a string prefix: ws/1 covers ws/10 too.
					if err := s.DeletePrefix(ctx, key("ws/1")); err != nil {
						t.Fatal(err)
					}
					wantMissing(t, s, key("ws/10/a"))
					if _, err := read(t, s, key("ws/2/a")); err != nil {
						t.Errorf("ws/2/a after deleting ws/1: %v", err)
					}
					if err := s.DeletePrefix(ctx, key("ws/3/")); err != nil {
						t.Errorf("a prefix with nothing under it: %v", err)
					}
					// A key written again after its prefix was deleted is there.
					put(t, s, key("ws/1/c"), []byte("c"))
					if _, err := read(t, s, key("ws/1/c")); err != nil {
						t.Error(err)
					}
				}},
				{"a failed put leaves nothing", func(t *testing.T, key func(string) string) {
					for _, p := range []struct {
						name string
						r    io.Reader
						size int64
					}{
						{"reader fails midway", &failingReader{n: 100 << 10}, 300 << 10},
						{"reader fails at once", &failingReader{}, 10},
						{"reader shorter than size", strings.NewReader("hello"), 10},
						{"reader longer than size", strings.NewReader("hello world"), 5},
						{"reader one byte longer", bytes.NewReader(randomBytes(1<<20 + 1)), 1 << 20},
						{"content for an empty object", strings.NewReader("x"), 0},
						{"negative size", strings.NewReader(""), -1},
					} {
						k := key("ws/1/" + strings.ReplaceAll(p.name, " ", "-"))
						if err := s.Put(ctx, k, p.r, p.size, "text/plain"); err == nil {
							t.Errorf("%s: Put succeeded", p.name)
						}
						wantMissing(t, s, k)
					}
					// A cancelled request stores nothing either.
					cctx, cancel := context.WithCancel(ctx)
					cancel()
					k := key("ws/1/cancelled")
					if err := s.Put(cctx, k, strings.NewReader("hello"), 5, "text/plain"); err == nil {
						t.Error("cancelled: Put succeeded")
					}
					wantMissing(t, s, k)
				}},
				{"bad keys are refused", func(t *testing.T, key func(string) string) {
					for _, k := range []string{
						"", "../x", "/abs", "a//b", "a/", "./a", "a/../b", "a/./b", "..", ".", "a/..",
						"a b", `a\b`, "a%2F..", "ü", "a\x00b", strings.Repeat("a", 300), strings.Repeat("a/", 300) + "a",
						key("../../x"),
					} {
						if err := s.Put(ctx, k, strings.NewReader("x"), 1, "text/plain"); err == nil {
							t.Errorf("Put(%q) succeeded", k)
						}
						if _, _, err := s.Open(ctx, k); err == nil || errors.Is(err, ErrNotFound) {
							t.Errorf("Open(%q): %v, want a bad-key error", k, err)
						}
						if err := s.Delete(ctx, k); err == nil {
							t.Errorf("Delete(%q) succeeded", k)
						}
					}
					for _, p := range []string{"", "/", "../", "/abs", "a//", "../x", "a/../"} {
						if err := s.DeletePrefix(ctx, p); err == nil {
							t.Errorf("DeletePrefix(%q) succeeded", p)
						}
					}
				}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					// Each case has a key space of its own.
					caseRoot := root + strings.ReplaceAll(tc.name, " ", "-") + "/"
					tc.test(t, func(k string) string { return caseRoot + k })
				})
			}
		})
	}
}
