// Command bench measures Helpium against the limits of the machine: each
// workload next to a baseline that does only the work underneath it, in
// the same run, so that the ratio means something on a noisy machine.
//
//	go run ./cmd/devstack -data .data/bench -fast -- go run ./cmd/bench -out BENCHMARKS.md
//
// (`make bench`). It builds helpium, runs `helpium serve` as a subprocess on
// a free loopback port (server CPU and peak RSS come from /proc/<pid> of
// that process alone), and runs the baselines that are servers as
// subprocesses too (`bench baseline-server`). Workloads and baselines run
// in alternating rounds. Every count and duration is bounded; everything
// listens on 127.0.0.1 only. When Chromium is installed (as for the e2e
// tests) it also loads the agent app's inbox in it and reads the app's
// own measure of its render time; without it, the report says the
// browser workload was skipped. Finally it runs the Go microbenchmarks of the
// hot paths and prints their output as `go test -bench` writes it, which
// benchstat reads.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// options are the command-line flags.
type options struct {
	out         string
	rounds      int
	dur, warm   time.Duration
	maxOps      int64
	conc        int // settings and message send
	inboxConc   int
	searchConc  int
	uploadConc  int
	maxUploads  int64 // uploads (and the store's Puts) of one round
	historyConc int
	convs       int
	small       int // articles of the first search corpus
	large       int // articles of the second (the first plus more)
	tenants     int // workspaces of the multi-tenant corpus
	perTenant   int
	helpCenter  int // articles of the help-center corpus
	appLoads    int // measured loads of the agent app's inbox in Chromium
	profileDir  string
	micro       bool
	only        string
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "baseline-server" {
		if err := baselineServer(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench baseline-server:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	flag.StringVar(&o.out, "out", "", "write the report (markdown) to this file too")
	flag.IntVar(&o.rounds, "rounds", 2, "alternating rounds of baseline and Helpium per workload")
	flag.DurationVar(&o.dur, "duration", 5*time.Second, "measured duration of one round")
	flag.DurationVar(&o.warm, "warmup", time.Second, "warm-up before each round (not measured)")
	flag.Int64Var(&o.maxOps, "max-requests", 200_000, "upper bound on requests of one round")
	flag.IntVar(&o.conc, "conns", 64, "concurrent connections for widget settings and message send")
	flag.IntVar(&o.inboxConc, "inbox-conns", 16, "concurrent connections for the inbox query")
	flag.IntVar(&o.searchConc, "search-conns", 4, "concurrent connections for search")
	flag.IntVar(&o.uploadConc, "upload-conns", 4, "concurrent connections for uploads")
	flag.Int64Var(&o.maxUploads, "max-uploads", 250, "upper bound on 1 MB uploads of one round (each is written to the store, then deleted after the workload)")
	flag.IntVar(&o.historyConc, "history-conns", 1, "concurrent connections for the message history")
	flag.IntVar(&o.convs, "conversations", 1000, "conversations the message workload spreads over")
	flag.IntVar(&o.small, "articles-small", 1000, "articles in the first search corpus")
	flag.IntVar(&o.large, "articles-large", 10000, "articles in the second search corpus (same workspace)")
	flag.IntVar(&o.tenants, "tenants", 100, "workspaces of the multi-tenant search corpus")
	flag.IntVar(&o.perTenant, "tenant-articles", 100, "articles per workspace of the multi-tenant corpus")
	flag.IntVar(&o.helpCenter, "helpcenter-articles", 1000, "articles of the help-center corpus (fresh import, re-index, search)")
	flag.IntVar(&o.appLoads, "app-loads", 20, "measured loads of the agent app's inbox in Chromium (after 3 warm-up loads)")
	flag.StringVar(&o.profileDir, "profile", "", "save a CPU profile of the server (admin listener) during each workload's first Helpium round into this directory")
	flag.BoolVar(&o.micro, "micro", true, "also run the Go microbenchmarks")
	flag.StringVar(&o.only, "only", "", "comma-separated workloads to run: settings,messages,inbox,app,uploads,history,webhooks,helpcenter,search,embed (default all)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench %s: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func run(ctx context.Context, o options) error {
	if os.Getenv("DATABASE_URL") == "" || os.Getenv("WEAVIATE_URL") == "" {
		return errors.New("DATABASE_URL and WEAVIATE_URL must be set: run `make bench`")
	}
	start := time.Now()
	var err error
	r := &report{start: start.UTC(), cores: runtime.NumCPU(), goVersion: runtime.Version(), opt: o}
	r.loadBefore = loadAvg()
	if r.appJS, r.appCSS, err = appWeight(); err != nil {
		return err
	}
	h, err := setup(ctx, o, r)
	if err != nil {
		return err
	}
	defer h.close()

	want := func(name string) bool { return o.only == "" || contains(o.only, name) }
	type step struct {
		name string
		fn   func(context.Context) error
	}
	steps := []step{
		{"settings", h.settings},
		{"messages", h.messages},
		{"inbox", h.inbox},
		{"app", h.appInbox},
		{"uploads", h.uploads},
		{"history", h.history},
		{"webhooks", h.webhooks},
		{"helpcenter", h.helpCenter},
		{"search", h.search},
		{"embed", h.embedding},
	}
	for _, s := range steps {
		if !want(s.name) {
			continue
		}
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	h.close()
	r.loadAfter = loadAvg()
	if o.micro {
		t0 := time.Now()
		out, err := microbenchmarks(ctx)
		r.micro, r.microTime = out, time.Since(t0)
		if err != nil {
			return fmt.Errorf("microbenchmarks: %w\n%s", err, out)
		}
	}
	r.total = time.Since(start)
	text := r.render()
	fmt.Print(text)
	if o.out != "" {
		return os.WriteFile(o.out, []byte(text), 0o644)
	}
	return nil
}

func contains(list, name string) bool { return slices.Contains(strings.Split(list, ","), name) }

// loadAvg returns the first three fields of /proc/loadavg.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	var a, b5, c string
	fmt.Sscan(string(b), &a, &b5, &c)
	return a + " " + b5 + " " + c
}

// appWeight is what the agent app's first load costs: its script and
// stylesheet, gzipped as the server sends them.
func appWeight() (js, css int, err error) {
	size := func(path string) (int, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return 0, err
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		return buf.Len(), nil
	}
	if js, err = size("app/dist/app.js"); err != nil {
		return 0, 0, err
	}
	css, err = size("app/dist/app.css")
	return js, css, err
}
