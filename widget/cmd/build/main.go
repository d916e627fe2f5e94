// Command build rebuilds widget/dist/widget.js from widget/src (`make
// widget`) and prints its size, raw and gzipped.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/helpium/helpium/widget/bundle"
)

func main() {
	dir := flag.String("dir", "widget", "the widget directory (holding src/ and dist/)")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "widget build:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	js, err := bundle.Build(dir)
	if err != nil {
		return err
	}
	out := filepath.Join(dir, "dist", "widget.js")
	if err := os.WriteFile(out, js, 0o644); err != nil {
		return err
	}
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	w.Write(js)
	w.Close()
	fmt.Printf("%s: %d bytes, %d bytes gzipped\n", out, len(js), gz.Len())
	return nil
}
