// Command jsbundle bundles a front end's src/ into its dist/ (`make
// playground`, `make app`, which run npm ci and the TypeScript check
// first).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/helpium/helpium/internal/jsbundle"
)

func main() {
	dir := flag.String("dir", "", "the front end's directory, e.g. playground")
	name := flag.String("name", "", "the bundle's name: dist/<name>.js and .css")
	extra := flag.String("extra", "", "comma-separated files outside dir that the sources import, relative to dir")
	flag.Parse()
	if *dir == "" || *name == "" {
		fmt.Fprintln(os.Stderr, "usage: jsbundle -dir DIR -name NAME")
		os.Exit(2)
	}
	var extras []string
	if *extra != "" {
		extras = strings.Split(*extra, ",")
	}
	files, err := jsbundle.Build(*dir, *name, extras...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "jsbundle:", err)
		os.Exit(1)
	}
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			fmt.Printf("%s: %d bytes\n", f, st.Size())
		}
	}
}
