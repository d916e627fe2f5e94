//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPlayground opens /playground in Chromium: GraphiQL loads from the
// server alone, under its Content-Security-Policy, loads the schema by
// introspection, runs a mutation and shows the docs.
func TestPlayground(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	q := func(sel string) string { return fmt.Sprintf("document.querySelector(%s)", jsString(sel)) }

	b.do("open", chromedp.Navigate(srv.URL+"/playground"))
	b.wait("the editor", q(".graphiql-query-editor .CodeMirror"), 15*time.Second)
	b.eval(q(".graphiql-query-editor .CodeMirror")+`.CodeMirror.setValue('mutation { login(email: "demo@helpium.local", password: "helpium-demo") { expiresAt agent { email } } }')`, nil)
	b.do("run", chromedp.Click(chromedp.JSPath(q(".graphiql-execute-button"))))
	b.wait("the result", q(".graphiql-response .CodeMirror")+`?.CodeMirror.getValue().includes("demo@helpium.local")`, 15*time.Second)
	b.shot("query-run")

	b.do("open the docs", chromedp.Click(chromedp.JSPath(q(`button[aria-label="Show Documentation Explorer"]`))))
	b.wait("root types", q(".graphiql-doc-explorer")+`?.textContent.includes("Mutation")`, 15*time.Second)
	b.do("open Query", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll(".graphiql-doc-explorer-type-name")].find(e => e.textContent === "Query")`)))
	b.wait("a field", q(".graphiql-doc-explorer")+`?.textContent.includes("myWorkspaces")`, 10*time.Second)
	b.shot("docs")

	for _, line := range b.consoleErrors() {
		if strings.Contains(line, "Content Security Policy") || strings.Contains(line, "Failed to load") {
			t.Errorf("browser console: %s", line)
		}
	}
}
