// Command build bundles the playground into playground/dist (`make
// playground`, which runs npm ci and the TypeScript check first).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/helpium/helpium/playground/bundle"
)

func main() {
	dir := flag.String("dir", "playground", "the playground directory")
	flag.Parse()
	files, err := bundle.Build(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "playground build:", err)
		os.Exit(1)
	}
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			fmt.Printf("%s: %d bytes\n", f, st.Size())
		}
	}
}
