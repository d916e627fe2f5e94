//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/helpium/helpium/internal/chromium"
)

// chromiumPath is the browser binary, found or installed by TestMain.
var chromiumPath string

func TestMain(m *testing.M) {
	p, err := chromium.FindOrInstall()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	chromiumPath = p
	os.Exit(m.Run())
}

// artifactsDir is where screenshots go, relative to this package.
const artifactsDir = "../test-artifacts/e2e"

// browser is one headless Chromium with one tab, for one test.
type browser struct {
	t     *testing.T
	ctx   context.Context
	dir   string
	step  int
	mu    sync.Mutex
	fails []string // uncaught exceptions in the page
	logs  []string // console errors and warnings
}

// consoleErrors returns the console errors and warnings so far.
func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.logs...)
}

// newBrowser starts Chromium with a fresh profile. Its screenshots go to
// test-artifacts/e2e/<test name>/.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := chromium.Options(chromiumPath, t.TempDir(), 1280, 860)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium %s: %v", chromiumPath, err)
	}
	b := &browser{t: t, ctx: ctx, dir: filepath.Join(artifactsDir, t.Name())}
	os.RemoveAll(b.dir)
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.IsException() {
				t.Logf("browser console: %s", m)
				b.mu.Lock()
				b.logs = append(b.logs, m.String())
				b.mu.Unlock()
			}
			if m.IsException() {
				b.mu.Lock()
				b.fails = append(b.fails, m.String())
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, f := range b.fails {
			t.Errorf("uncaught exception in the page: %s", f)
		}
	})
	return b
}

// do runs actions, failing the test (with a screenshot) on error.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot("failed-" + what)
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) into out.
func (b *browser) eval(js string, out any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js, chromedp.EvalAwaitPromise))
	if err != nil && !errors.Is(err, chromedp.ErrJSUndefined) {
		b.t.Fatalf("eval %s: %v", js, err)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			b.t.Fatalf("eval %s: decode %s: %v", js, raw, err)
		}
	}
}

// axeViolations runs axe-core (from e2e/clients, evaluated through the
// DevTools protocol, which the page's CSP does not govern) on the page and
// returns its serious and critical violations.
func (b *browser) axeViolations() []string {
	b.t.Helper()
	npmClients(b.t)
	src, err := os.ReadFile(filepath.Join("clients", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		b.t.Fatal(err)
	}
	b.eval(string(src)+";true", nil)
	var out []string
	b.eval(`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
		.filter(v => v.impact === "serious" || v.impact === "critical")
		.map(v => v.impact + " " + v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", ")))`, &out)
	return out
}

// signIn signs in on the agent app's sign-in form, once it is on the page
// (not just any email field, such as Settings' invitation form while a
// sign-out is still under way), and waits for the inbox and its live
// connection.
func (b *browser) signIn(email, password string) {
	b.wait("the sign-in form", `document.querySelector(".signin input[name=email]")`, 15*time.Second)
	b.do("sign in as "+email, chromedp.SendKeys(chromedp.JSPath(`document.querySelector(".signin input[name=email]")`), email),
		chromedp.SendKeys(chromedp.JSPath(`document.querySelector(".signin input[name=password]")`), password+kb.Enter))
	b.wait("the inbox, live", `document.querySelector(".shell[data-live=on] .inbox .filters")`, 15*time.Second)
}

// accessible reports each serious or critical axe-core violation on the
// page as an error of the test.
func (b *browser) accessible(page string) {
	for _, v := range b.axeViolations() {
		b.t.Errorf("axe-core, %s: %s", page, v)
	}
}

// setValue replaces the value of the input el (a JavaScript expression) as
// typing would: Preact listens for input events.
func (b *browser) setValue(el, v string) {
	b.eval(`(() => { const i = `+el+`; i.value = `+jsString(v)+`; i.dispatchEvent(new Event("input", {bubbles: true})); })()`, nil)
}

// boolean evaluates a JavaScript condition.
func (b *browser) boolean(js string) bool {
	b.t.Helper()
	var v bool
	b.eval(`!!(`+js+`)`, &v)
	return v
}

// str evaluates a JavaScript expression to a string.
func (b *browser) str(js string) string {
	b.t.Helper()
	var s string
	b.eval(`String(`+js+` ?? "")`, &s)
	return s
}

// wait polls a JavaScript condition until it is truthy. A poll that
// loses its page to a navigation (the page it ran in is gone) starts again
// in the new one, within the same timeout.
func (b *browser) wait(what, cond string, timeout time.Duration) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout+5*time.Second)
	defer cancel()
	deadline := time.Now().Add(timeout)
	var err error
	for {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`!!(`+cond+`)`,
			chromedp.WithPollingTimeout(time.Until(deadline)), chromedp.WithPollingInterval(100*time.Millisecond)))
		if err == nil || !navigatedAway(err) || time.Until(deadline) < 100*time.Millisecond {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		b.shot("timeout-" + what)
		b.t.Fatalf("waiting %s for %s: %v", timeout, what, err)
	}
}

// navigatedAway reports whether err is Chrome's answer to a script run in
// a page that a navigation replaced.
func navigatedAway(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context with specified id") || strings.Contains(msg, "Execution context was destroyed")
}

// shot writes a screenshot of the viewport as NN-name.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.step++
	file := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.step, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
}

// shadow is the JavaScript expression for the widget's shadow root.
const shadow = `document.querySelector("[data-helpium-widget]")?.shadowRoot`

// w is a JavaScript expression for the first element matching a CSS
// selector in the widget's shadow root.
func w(selector string) string {
	q, _ := json.Marshal(selector)
	return fmt.Sprintf(`%s?.querySelector(%s)`, shadow, q)
}

// wAll is a JavaScript expression for the elements matching selector in the
// widget's shadow root, as an array.
func wAll(selector string) string {
	q, _ := json.Marshal(selector)
	return fmt.Sprintf(`[...(%s?.querySelectorAll(%s) ?? [])]`, shadow, q)
}

// el selects an element of the widget for chromedp's input actions.
func el(selector string) chromedp.JSPath { return chromedp.JSPath(w(selector)) }

// visible is a JavaScript condition: the element exists and is rendered.
func visible(selector string) string {
	return fmt.Sprintf(`(e => !!e && e.getClientRects().length > 0 && !e.closest("[hidden]"))(%s)`, w(selector))
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}
