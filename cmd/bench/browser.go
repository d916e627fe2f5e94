package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/helpium/helpium/internal/chromium"
)

// appInboxSize is the inbox the issue measures: 50 conversations, one
// page of the agent app.
const appInboxSize = 50

// appResult is the agent app's inbox in Chromium, one sample per load.
type appResult struct {
	browser string // chromium --version
	loads   int
	// render is the app's measure "inbox-render": from the inbox query's
	// answer (parsed) to the task after the next frame that painted the
	// list; base the same 50 rows' HTML set with innerHTML into the same
	// list, to the same point.
	render, base sample
	// data and painted are from the navigation's start (a reload) to the
	// answer's arrival and to the list painted.
	data, painted sample
}

// appInbox: the agent app at /app in headless Chromium, signed in to a
// workspace of 50 open conversations (customers, last messages, half of
// them assigned), reloaded o.appLoads times after a few warm-up loads. Each
// load yields the app's own measure of its render time (app/src/index.tsx
// marks it in the page's User Timing) and, in the same page, the time to
// set the same rows' HTML with innerHTML and paint it: the DOM's share,
// without Preact.
func (h *harness) appInbox(ctx context.Context) error {
	path, err := chromium.Find()
	if err != nil {
		h.r.appSkipped = "the browser workload was skipped because chromium is missing (install Debian's chromium package, or set HELPIUM_CHROMIUM)"
		logf("app inbox: skipped: %s", h.r.appSkipped)
		return nil
	}
	res := &appResult{browser: path}
	vctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	if out, err := exec.CommandContext(vctx, path, "--version").Output(); err == nil {
		res.browser = strings.TrimSpace(string(out))
	}
	cancel()

	t0 := time.Now()
	ws, err := h.newWorkspace(ctx, "bench agent app")
	if err != nil {
		return err
	}
	if err := h.seedAppInbox(ctx, ws); err != nil {
		return err
	}
	h.r.setup(fmt.Sprintf("%d conversations for the agent app's inbox", appInboxSize), time.Since(t0))
	// A browser that fails is reported, not fatal: the rest of the run
	// stands.
	if err := h.measureApp(ctx, path, ws, res); err != nil {
		h.r.appSkipped = "the browser workload failed: " + strings.Join(strings.Fields(err.Error()), " ") // one line, for the table
		logf("WARNING app inbox: %v", err)
		return nil
	}
	h.r.app = res
	logf("app inbox: %d loads, data→painted p50 %s p95 %s (innerHTML p50 %s); load→painted p50 %s", res.loads,
		ms(res.render.pct(50)), ms(res.render.pct(95)), ms(res.base.pct(50)), ms(res.painted.pct(50)))
	return nil
}

// measureApp signs in to the agent app in a fresh Chromium and loads the
// inbox into res.
func (h *harness) measureApp(ctx context.Context, path string, ws *workspace, res *appResult) error {
	t0 := time.Now()
	bctx, stop, err := startChromium(ctx, path, filepath.Join(h.tmp, "chromium"))
	if err != nil {
		return err
	}
	defer stop()
	// Every step in the browser is bounded.
	bounded := func() (context.Context, context.CancelFunc) { return context.WithTimeout(bctx, time.Minute) }
	c, cancel := bounded()
	err = chromedp.Do(c, chromedp.Navigate(h.base+"/app"))
	if err == nil {
		_, err = chromedp.Run(c, chromedp.Poll[bool](`!!document.querySelector("input[name=email]")`, chromedp.WithPollingInterval(50*time.Millisecond)))
	}
	if err == nil {
		creds, _ := json.Marshal([]string{ws.email, ws.password})
		_, err = chromedp.Run(c, chromedp.Evaluate[bool](fmt.Sprintf(`(([e, p]) => {
			document.querySelector("input[name=email]").value = e;
			document.querySelector("input[name=password]").value = p;
			document.querySelector(".signin form").requestSubmit();
			return true;
		})(%s)`, creds)))
	}
	cancel()
	if err != nil {
		return fmt.Errorf("sign in to %s/app: %w", h.base, err)
	}
	h.r.setup("start Chromium and sign in to the agent app", time.Since(t0))

	// Each load: the app's measure once all 50 rows are in the list, then
	// the innerHTML baseline in the same page (which the next reload
	// replaces).
	measured := fmt.Sprintf(`new Promise((resolve, reject) => {
		const done = () => {
			const m = performance.getEntriesByName("inbox-render", "measure")[0];
			if (!m || document.querySelectorAll(".inbox .list li").length !== %d) return false;
			resolve({render: m.duration, data: m.startTime, painted: m.startTime + m.duration});
			return true;
		};
		if (done()) return;
		const o = new PerformanceObserver(() => done() && o.disconnect());
		o.observe({type: "measure"});
		setTimeout(() => { o.disconnect(); reject(new Error("no inbox-render measure with %d rows: " +
			document.querySelectorAll(".inbox .list li").length + " rows")); }, 30000);
	})`, appInboxSize, appInboxSize)
	baseline := fmt.Sprintf(`(async () => {
		const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
		const list = document.querySelector(".inbox .list");
		const html = list.innerHTML;
		list.replaceChildren();
		await painted();
		await painted();
		const t0 = performance.now();
		list.innerHTML = html;
		await painted();
		const d = performance.now() - t0;
		if (list.children.length !== %d) throw new Error(list.children.length + " rows after innerHTML");
		return d;
	})()`, appInboxSize)
	type point struct{ Render, Data, Painted float64 }
	dur := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	warm := 3
	for i := range warm + h.o.appLoads {
		c, cancel := bounded()
		if i > 0 {
			if err := chromedp.Do(c, chromedp.Reload()); err != nil {
				cancel()
				return fmt.Errorf("reload %d: %w", i, err)
			}
		}
		p, err := chromedp.Run(c, chromedp.Evaluate[point](measured, chromedp.EvalAwaitPromise))
		if err != nil {
			cancel()
			return fmt.Errorf("load %d: %w", i, err)
		}
		b, err := chromedp.Run(c, chromedp.Evaluate[float64](baseline, chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			return fmt.Errorf("load %d, baseline: %w", i, err)
		}
		if i < warm {
			continue
		}
		res.loads++
		res.render.lat = append(res.render.lat, dur(p.Render))
		res.data.lat = append(res.data.lat, dur(p.Data))
		res.painted.lat = append(res.painted.lat, dur(p.Painted))
		res.base.lat = append(res.base.lat, dur(b))
	}
	return nil
}

// seedAppInbox gives ws appInboxSize open conversations through the
// Customer API, each with the customer's question as its last message,
// then a named customer each and the owner as assignee of every other
// one, as the inbox workload does.
func (h *harness) seedAppInbox(ctx context.Context, ws *workspace) error {
	questions := []string{
		"Where is my order? It was supposed to arrive on Tuesday and the tracking page has not changed since Friday.",
		"Hi, can I change the delivery address?",
		"I was charged twice for the same subscription this month; could you refund one of the payments, please?",
		"Do you ship to Norway?",
		"The discount code SPRING20 says it has expired, but your newsletter says it is valid until the end of the month. Can you help?",
	}
	var wg sync.WaitGroup
	errs := make(chan error, appInboxSize)
	work := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				msg := fmt.Sprintf("%s (#%d)", questions[i%len(questions)], i+1)
				if err := h.customerPost(ctx, ws.key, "/conversations", map[string]any{"message": msg}, nil, http.StatusCreated); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := range appInboxSize {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	_, err := h.bdb.ExecContext(ctx, `WITH cust AS (
			INSERT INTO customers (id, workspace_id, email, name)
			SELECT gen_random_uuid(), ?, 'customer' || i || '@bench.test', 'Customer ' || i FROM generate_series(1, ?) AS i
			ON CONFLICT DO NOTHING RETURNING id),
		numbered_cust AS (SELECT id, row_number() OVER () AS n FROM cust),
		numbered_conv AS (SELECT id, row_number() OVER () AS n FROM conversations WHERE workspace_id = ?)
		UPDATE conversations c SET customer_id = nc.id, assignee_id = CASE WHEN v.n % 2 = 0 THEN ?::uuid END
		FROM numbered_conv v JOIN numbered_cust nc ON nc.n = v.n WHERE c.id = v.id`,
		ws.id, appInboxSize, ws.id, ws.ownerID)
	if err != nil {
		return fmt.Errorf("seed customers: %w", err)
	}
	return nil
}

// startChromium starts headless Chromium with the e2e tests' flags and a
// fresh profile in dir, and returns its tab.
func startChromium(ctx context.Context, path, dir string) (context.Context, func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	opts := chromium.Options(path, dir, 1280, 800)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelTab := chromedp.NewContext(actx)
	stop := func() { cancelTab(); cancelAlloc() }
	// The first action starts the browser, whose life is the context's:
	// no timeout here (the allocator's context is the caller's).
	if err := chromedp.Do(bctx); err != nil {
		stop()
		return nil, nil, fmt.Errorf("start %s: %w", path, err)
	}
	return bctx, stop, nil
}
