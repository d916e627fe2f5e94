package main

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// report collects setup steps, workload rows and microbenchmark output.
type report struct {
	mu                    sync.Mutex
	start                 time.Time
	cores                 int
	goVersion             string
	opt                   options
	loadBefore, loadAfter string
	steps                 []setupStep
	rows                  []row
	micro                 string
	microTime             time.Duration
	total                 time.Duration
	// fresh and reindex are the help-center corpus's import and re-index
	// times; idleRSS helpium serve's resident memory once started, the
	// model loaded.
	fresh, reindex time.Duration
	idleRSS        int64
	webhooks       *webhookResult
	appJS, appCSS  int // the agent app's bundle, gzipped bytes
	// app is the agent app's inbox in Chromium; appSkipped says why it
	// was not measured.
	app        *appResult
	appSkipped string
}

type setupStep struct {
	name string
	took time.Duration
}

func (r *report) setup(name string, d time.Duration) {
	logf("setup: %s took %v", name, d.Round(time.Millisecond))
	r.mu.Lock()
	r.steps = append(r.steps, setupStep{name, d})
	r.mu.Unlock()
}

func (r *report) add(w row) {
	logf("%s: %.0f/s p95 %s (baseline %.0f/s p95 %s)", w.key, w.ours.throughput(), ms(w.ours.pct(95)), w.base.throughput(), ms(w.base.pct(95)))
	r.mu.Lock()
	r.rows = append(r.rows, w)
	r.mu.Unlock()
}

func (r *report) find(key string) *row {
	for i := range r.rows {
		if r.rows[i].key == key {
			return &r.rows[i]
		}
	}
	return nil
}

func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "—"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
}

func mb(b int64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f MB", float64(b)/(1<<20))
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// target is one of the targets, evaluated.
type target struct {
	text, measured string
	met            bool
	known          bool
}

func (r *report) targets() []target {
	var out []target
	if w := r.find("settings"); w != nil {
		x := ratio(w.ours.throughput(), w.base.throughput())
		out = append(out, target{"widget settings ≥ 0.6 × baseline throughput", fmt.Sprintf("%.2f ×", x), x >= 0.6, true})
	}
	if w := r.find("messages"); w != nil {
		x := ratio(w.ours.throughput(), w.base.throughput())
		out = append(out, target{"message send ≥ 0.5 × direct-insert throughput", fmt.Sprintf("%.2f ×", x), x >= 0.5, true})
		p := ratio(float64(w.ours.pct(99)), float64(w.base.pct(99)))
		out = append(out, target{"message send p99 ≤ 2 × direct-insert p99", fmt.Sprintf("%.2f × (%s vs %s)", p, ms(w.ours.pct(99)), ms(w.base.pct(99))), p <= 2, true})
	}
	if w := r.find("embed-1"); w != nil {
		out = append(out, target{"query embedding p50 ≤ 15 ms (one sentence per call)", ms(w.ours.pct(50)), w.ours.pct(50) <= 15*time.Millisecond, true})
	}
	for _, k := range []string{"search-helpcenter", "search-small"} {
		if w := r.find(k); w != nil {
			out = append(out, target{"search p95 ≤ 100 ms, " + strings.TrimPrefix(w.name, "POST /api/customer/search, "),
				ms(w.ours.pct(95)), w.ours.pct(95) <= 100*time.Millisecond, true})
		}
	}
	for _, k := range []string{"search-helpcenter", "search-small", "search-large", "search-tenants"} {
		if w := r.find(k); w != nil {
			p := ratio(float64(w.ours.pct(95)), float64(w.base.pct(95)))
			out = append(out, target{"search p95 ≤ 1.25 × (embedding + the same Weaviate request), " + strings.TrimPrefix(w.name, "POST /api/customer/search, "),
				fmt.Sprintf("%.2f × (%s vs %s)", p, ms(w.ours.pct(95)), ms(w.base.pct(95))), p <= 1.25, true})
		}
	}
	if r.fresh > 0 {
		out = append(out, target{fmt.Sprintf("a fresh %d-article import searchable in ≤ 10 minutes", r.opt.helpCenter), r.fresh.Round(time.Second).String(), r.fresh <= 10*time.Minute, true},
			target{"re-indexing unchanged articles from the cache ≤ 30 s", r.reindex.Round(100 * time.Millisecond).String(), r.reindex <= 30*time.Second, true})
	}
	if r.idleRSS > 0 {
		out = append(out, target{"helpium serve resident memory with the model loaded (reported)", mb(r.idleRSS) + " at start; peak per workload in the table", true, true})
	}
	if s, l := r.find("search-small"), r.find("search-large"); s != nil && l != nil {
		ours := ratio(float64(l.ours.pct(95)), float64(s.ours.pct(95)))
		base := ratio(float64(l.base.pct(95)), float64(s.base.pct(95)))
		wv := ratio(float64(l.alone.pct(95)), float64(s.alone.pct(95)))
		out = append(out, target{fmt.Sprintf("search p95 grows from %d to %d articles no faster than the direct query's (10%% noise allowance)", r.opt.small, r.opt.large),
			fmt.Sprintf("Helpium %.2f ×, embed + Weaviate %.2f ×, Weaviate alone %.2f ×", ours, base, wv), ours <= base*1.10, true})
	}
	if w := r.find("inbox"); w != nil {
		x := ratio(w.base.throughput(), w.ours.throughput())
		p := ratio(float64(w.ours.pct(95)), float64(w.base.pct(95)))
		out = append(out, target{"inbox query ≤ 2 × the hand-written SQL (time per query at equal concurrency)",
			fmt.Sprintf("%.2f × (p95 %.2f ×)", x, p), x <= 2, true})
	}
	for _, k := range []struct{ key, store string }{{"upload-disk", "disk"}, {"upload-s3", "S3 (versitygw)"}} {
		if w := r.find(k.key); w != nil {
			out = append(out, target{"upload of a 1 MB file with a message, " + k.store + " store (reported)",
				fmt.Sprintf("%.0f MB/s, %.2f × the message without a file (p50 %s vs %s); the store alone %.0f MB/s", w.ours.throughput(),
					ratio(w.ours.throughput(), w.base.throughput()), ms(w.ours.pct(50)), ms(w.base.pct(50)), w.alone.throughput()), true, true})
		}
	}
	for _, k := range []struct{ key, text string }{
		{"history-rest", "message history, 50 messages with 1–2 files each vs none, REST"},
		{"history-graphql", "message history, 50 messages with 1–2 files each vs none, GraphQL"},
		{"history-graphql-field", "GraphQL message history without files: asking for attachments vs not"},
	} {
		if w := r.find(k.key); w != nil {
			out = append(out, target{k.text + " (reported)",
				fmt.Sprintf("p50 %s vs %s (%.2f ×), p95 %s vs %s", ms(w.ours.pct(50)), ms(w.base.pct(50)), ratio(float64(w.ours.pct(50)), float64(w.base.pct(50))),
					ms(w.ours.pct(95)), ms(w.base.pct(95))), true, true})
		}
	}
	if r.appJS > 0 {
		out = append(out, target{"agent app: JavaScript for the first load of /app ≤ 150 KB gzipped", fmt.Sprintf("%.1f KB (CSS %.1f KB)", float64(r.appJS)/1024, float64(r.appCSS)/1024), r.appJS <= 150*1024, true})
	}
	const inboxTarget = "agent app: an inbox of 50 conversations rendered ≤ 200 ms after its data arrives (headless Chromium, p95"
	if a := r.app; a != nil {
		out = append(out, target{fmt.Sprintf("%s of %d loads)", inboxTarget, a.loads),
			fmt.Sprintf("p50 %s, p95 %s (%.2f × the same rows set with innerHTML, p50)", ms(a.render.pct(50)), ms(a.render.pct(95)),
				ratio(float64(a.render.pct(50)), float64(a.base.pct(50)))), a.render.pct(95) <= 200*time.Millisecond, true})
	} else if r.appSkipped != "" {
		out = append(out, target{inboxTarget + ")", "not measured: " + strings.ReplaceAll(r.appSkipped, "|", "\\|"), false, false})
	}
	if w := r.webhooks; w != nil {
		out = append(out, target{"webhook event-to-delivery on loopback, one event at a time (reported)",
			fmt.Sprintf("p50 %s, p95 %s", ms(w.latency.pct(50)), ms(w.latency.pct(95))), true, true},
			target{fmt.Sprintf("webhook throughput, %d events to one endpoint (reported)", w.burstSize),
				fmt.Sprintf("%.0f events/s (%.2f × the minimal outbox)", w.burst.throughput(), ratio(w.burst.throughput(), w.baseBurst.throughput())), true, true})
	}
	return out
}

func (r *report) render() string {
	var b strings.Builder
	o := r.opt
	fmt.Fprintf(&b, "# Benchmarks\n\n")
	fmt.Fprintf(&b, "Latest `make bench` run: %s UTC on %d cores, %s; load average %s before, %s after the load tests; %d alternating rounds of %v (after %v warm-up) per side, at most %d requests a round; total %v.\n\n",
		r.start.Format("2006-01-02 15:04"), r.cores, r.goVersion, r.loadBefore, r.loadAfter, o.rounds, o.dur, o.warm, o.maxOps, r.total.Round(time.Second))
	b.WriteString("**The ratios are what count.** The machine is shared and noisy (other builds and tests run on it), so absolute numbers move from run to run; every workload runs next to its baseline, in alternating rounds, in the same run, with the load generator on the same cores. Everything listens on 127.0.0.1.\n\n")
	b.WriteString("Helpium runs as `helpium serve` in its own process (default configuration: in-process rate limiter, access log at info level to a file, in-process embedder: all-MiniLM-L6-v2 with bge-small-en-v1.5); *server CPU* is that process's user + system CPU seconds per 1,000 requests (from `/proc/<pid>/stat`), *peak RSS* its VmHWM (`/proc/<pid>/status`, reset before each round). The settings baseline is a separate server process too. The database and Weaviate baselines run as goroutines inside the benchmark, so they have no server figures; their client CPU is included in nothing.\n\n")

	b.WriteString("| workload | conns | throughput | p50 | p95 | p99 | × baseline throughput | server CPU s / 1k req | peak RSS |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, w := range r.rows {
		unit := "req/s"
		thr := w.ours.throughput()
		if w.unit != "" {
			unit, thr = w.unit+"/s", thr*float64(w.perOp)
		}
		rel, cpu, rss := "", "—", "—"
		if w.hasBase {
			rel = fmt.Sprintf("%.2f", ratio(w.ours.throughput(), w.base.throughput()))
		}
		if w.ours.cpu > 0 {
			cpu, rss = fmt.Sprintf("%.3f", w.ours.cpuPer1k()), mb(w.ours.peakRSS)
		}
		errs := ""
		if w.ours.errs > 0 {
			errs = fmt.Sprintf(" (%d errors)", w.ours.errs)
		}
		fmt.Fprintf(&b, "| %s%s | %d | %.0f %s | %s | %s | %s | %s | %s | %s |\n", w.name, errs, w.conc, thr, unit,
			ms(w.ours.pct(50)), ms(w.ours.pct(95)), ms(w.ours.pct(99)), rel, cpu, rss)
		if w.hasBase {
			bcpu, brss := "—", "—"
			if w.baseIsServer {
				bcpu, brss = fmt.Sprintf("%.3f", w.base.cpuPer1k()), mb(w.base.peakRSS)
			}
			fmt.Fprintf(&b, "| ↳ baseline: %s | %d | %.0f req/s | %s | %s | %s | 1 | %s | %s |\n", w.baseline, w.conc, w.base.throughput(),
				ms(w.base.pct(50)), ms(w.base.pct(95)), ms(w.base.pct(99)), bcpu, brss)
		}
		if a := w.alone; a != nil {
			athr := ""
			if a.elapsed > 0 {
				athr = fmt.Sprintf("%.0f %s", a.throughput()*float64(max(w.perOp, 1)), unit)
			}
			fmt.Fprintf(&b, "| ↳ %s | | %s | %s | %s | | | | |\n", w.aloneName, athr, ms(a.pct(50)), ms(a.pct(95)))
		}
	}

	if w := r.webhooks; w != nil {
		fmt.Fprintf(&b, "\n## Webhooks\n\nFrom an event's creation (in the transaction of the change) to its arrival at a receiver on loopback; %d rounds of %d events one at a time (each a customer message through the Customer API, the next sent once the previous arrived) and %d events committed in one transaction, to one endpoint (at most 2 attempts in flight to it).\n\n", r.opt.rounds, webhookSerial, w.burstSize)
		b.WriteString("| workload | events/s | p50 | p95 | p99 | × baseline |\n|---|---|---|---|---|---|\n")
		for _, x := range []struct {
			name       string
			ours, base sample
			thr        bool
		}{{"one event at a time: event-to-delivery", w.latency, w.baseLatency, false}, {fmt.Sprintf("%d events at once: until the last arrived", w.burstSize), w.burst, w.baseBurst, true}} {
			rel := fmt.Sprintf("p95 %.2f", ratio(float64(x.ours.pct(95)), float64(x.base.pct(95))))
			thr := "—"
			if x.thr {
				rel = fmt.Sprintf("throughput %.2f", ratio(x.ours.throughput(), x.base.throughput()))
				thr = fmt.Sprintf("%.0f", x.ours.throughput())
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", x.name, thr, ms(x.ours.pct(50)), ms(x.ours.pct(95)), ms(x.ours.pct(99)), rel)
			bthr := "—"
			if x.thr {
				bthr = fmt.Sprintf("%.0f", x.base.throughput())
			}
			fmt.Fprintf(&b, "| ↳ baseline: minimal outbox | %s | %s | %s | %s | 1 |\n", bthr, ms(x.base.pct(50)), ms(x.base.pct(95)), ms(x.base.pct(99)))
		}
	}

	if a := r.app; a != nil {
		fmt.Fprintf(&b, "\n## Agent app in Chromium\n\nThe inbox at `/app` in headless %s (window 1280 × 800, the e2e tests' flags, on the same cores as the server), signed in to a workspace of %d open conversations (each with a customer and the customer's question as last message; every other one assigned to the agent, all unread), reloaded %d times after 3 warm-up loads. *Data → painted* is the app's own measure `inbox-render` (User Timing, `app/src/index.tsx`): from the inbox query's answer, parsed, to the task after the next animation frame once the list drawn from it is in the DOM, so style, layout and paint are in. The baseline, in the same page after each load: the same %d rows' HTML set with `innerHTML` into the emptied list, to the same point (the DOM's share without Preact). Both wait for a frame, so each includes up to one frame interval (16.7 ms at 60 Hz).\n\n", a.browser, appInboxSize, a.loads, appInboxSize)
		b.WriteString("| measure | p50 | p95 | max |\n|---|---|---|---|\n")
		for _, x := range []struct {
			name string
			s    sample
		}{
			{fmt.Sprintf("inbox of %d conversations: data → painted (the app)", appInboxSize), a.render},
			{"↳ baseline: the same rows' HTML set with innerHTML → painted", a.base},
			{"reload → the inbox query's answer arrived (the page, `me`, the inbox query)", a.data},
			{"reload → inbox painted", a.painted},
		} {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", x.name, ms(x.s.pct(50)), ms(x.s.pct(95)), ms(x.s.pct(100)))
		}
	} else if r.appSkipped != "" {
		fmt.Fprintf(&b, "\n## Agent app in Chromium\n\nThe inbox's render time was not measured: %s.\n", r.appSkipped)
	}

	b.WriteString("\n## Targets\n\n| target | measured | met |\n|---|---|---|\n")
	for _, t := range r.targets() {
		met := "**no**"
		if t.met {
			met = "yes"
		}
		if !t.known {
			met = "—"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.text, t.measured, met)
	}

	b.WriteString("\n## Setup\n\n| step | took |\n|---|---|\n")
	for _, s := range r.steps {
		fmt.Fprintf(&b, "| %s | %v |\n", s.name, s.took.Round(100*time.Millisecond))
	}
	if r.micro != "" {
		fmt.Fprintf(&b, "| microbenchmarks | %v |\n", r.microTime.Round(100*time.Millisecond))
	}
	if r.micro != "" {
		b.WriteString("\n## Microbenchmarks\n\n`go test -run '^$' -bench . -benchmem` on the hot paths (benchstat reads this block as it is):\n\n```\n")
		b.WriteString(r.micro)
		b.WriteString("```\n")
	}
	b.WriteString(notes)
	return b.String()
}

// notes is the part of BENCHMARKS.md that explains the method and what
// profiling found; edit it here, not in the generated file.
const notes = `
## How each baseline is built

- **Widget settings**: a second process (` + "`bench baseline-server`" + `) runs a bare gin engine (no middleware) whose one handler writes the exact bytes Helpium answered, behind an ` + "`http.Server`" + ` with the timeouts and header limit of ` + "`server.Serve`" + `. Helpium does the real work: request id, client IP, access log, metrics, recovery, security headers, CORS, body limit, widget-key authentication (cached per key, invalidated on change), origin check, two rate-limit checks, business-hours status and JSON encoding.
- **Message send**: the baseline inserts the message row and updates the conversation's ` + "`last_seq`, `updated_at`, `last_message_at`" + ` in one transaction through bun/pgx (the same pool size as the server, 32), numbering messages from in-memory counters. Helpium's single-statement CTE (` + "`db/conversation.go`" + ` appendMessageSQL) does both plus the idempotency check in one round trip; both fire the same NOTIFY triggers and maintain the same indexes.
- **Search**: the baseline calls the same embedder (both models) for the query vector and sends the same GraphQL request (` + "`" + `search.Index.Query` + "`" + `: the vector's 60 nearest chunks and BM25 over the chunks' text, filters, aliased in one request) through weaviate-go-client. Helpium adds HTTP, authentication, rate limiting, decoding, the fusion of both lists and grouping by article (in Go), a second Weaviate query for the fields and vectors of chunks only BM25 found among the best articles, the relevance threshold and snippets. Two corpora: synthetic one-chunk articles (1,000, grown to 10,000, and 100 workspaces × 100), and 1,000 help-center articles (the evaluation sets' articles, ~6 chunks each) searched with the sets' customer queries.
- **Inbox**: the baseline is one SQL statement: conversations joined to customers and agents, with a LATERAL subquery for the last message, ordered as the inbox is. Helpium answers the GraphQL query through token authentication, membership check, the conversation page and per-request loaders (constant SQL count, see ` + "`server/inbox_test.go`" + `).
- **Webhooks**: a minimal outbox in the benchmark process: a row and a NOTIFY in one transaction; two workers (Helpium's per-endpoint bound), woken by LISTEN, each lock the oldest pending row with ` + "`FOR UPDATE SKIP LOCKED`" + `, POST it HMAC-signed to the same receiver and mark it done in the same transaction. It has none of Helpium's lease, per-endpoint fairness, secret decryption, outbound address checks, attempt records or retry schedule. The receiver, in the benchmark process, answers 200 at once.
- **Embedding**: the embedder alone (both models, one after the other), in the benchmark process, one goroutine (each model spreads a call over the cores itself).
- **Uploads**: the baseline is the same customer message without a file, as JSON, to the same server and conversations (16, with 4 connections): the message send that an upload adds to. An upload is a multipart form (as the widget's FormData sends it) with a 1 MB server log (UTF-8 text); Helpium parses the form (in memory), reads and sniffs the file, hashes it (SHA-256), inserts a pending attachment row, writes the bytes to the store and links the row in the message's transaction. The disk store writes a temporary file, fsyncs it, renames it and fsyncs the directory; the S3 store sends one PUT to versitygw (` + "`devstack -s3`" + `, on loopback, over the same disk) from a second ` + "`helpium serve`" + ` with ` + "`HELPIUM_BLOB_STORE=s3`" + `. The line under each is the store's own Put of the same megabyte, called from the benchmark process at the same concurrency. MB/s counts the file's bytes (MB = 2^20 bytes); a round stops after 250 uploads, and every file written is deleted after the workload.
- **Message history**: two conversations of 50 messages (one page), seeded through the Customer API: one with 1–2 files on every message (a 300-byte text file on each, a 16×16 PNG on every other: 75 files), one with none; one connection, so the latency is the request's own. REST is ` + "`GET /api/customer/conversations/{token}/messages?limit=50`" + ` (the files come from one more statement and each gets a signed link); GraphQL is the agent app's ` + "`conversation(id) { messages(first: 50) { … attachments { … } } }`" + `, whose files come from a per-request dataloader. The third pair is the GraphQL query on the conversation without files, with and without the ` + "`attachments`" + ` field: what asking for files costs where there are none.

## What profiling found and what was changed

- **Fixed: one extra database round trip per statement, everywhere.** The message-send profile showed the server mostly idle (about 12% of a core) and, on the CPU it did use, pgx preparing statements (` + "`Conn.Prepare`, `getStatementDescription`" + `). bun writes argument values into the SQL text, so almost every statement is new to pgx, whose default mode prepares each one (a Parse/Describe round trip before the query) and caches it. ` + "`db.Open`" + ` now sets ` + "`QueryExecModeExec`" + `: one round trip per statement. Message send went from 253 to 454 req/s (0.39 × to 0.61 × the baseline, which also goes through ` + "`db.Open`" + ` and gained less: it is four statements in a transaction) in back-to-back runs, and every other path that talks to PostgreSQL gains the same round trip.
- **Inbox (three causes fixed; target not met).** (1) Fixed: the last message and the message windows of the page's conversations were read with ` + "`" + `DISTINCT ON` + "`" + ` / ` + "`" + `row_number()` + "`" + ` over every message of those conversations, so the inbox slowed down as conversations grew (after the message workload, ~25 messages each, it served 252 req/s); each conversation is now an index scan of ` + "`" + `(conversation_id, seq)` + "`" + ` that stops after the window (` + "`" + `CROSS JOIN LATERAL … LIMIT` + "`" + `), 521 req/s back to back on the same data, and the cost no longer depends on conversation length. (2) Earlier: the page query checks membership itself and ` + "`" + `totalCount` + "`" + ` is counted alongside the relations, and the page's own statement joins the customer, assignee and last message when the query asks for them (they were three more statements), so this request is 2 statements: token and page. In ` + "`" + `BenchmarkInboxQuery` + "`" + ` (the handler without a network, its process's CPU per request) that saved about 7%; resolving the three relation fields without a goroutine each would save about 9% more, but gqlgen runs every resolver field concurrently. (3) Fixed: the page was sorted by ` + "`" + `id::text` + "`" + `, an order no index gives, and membership was checked once per row: on tables without planner statistics (a fresh workspace; this benchmark with the inbox alone) every request read and sorted the whole workspace, 143 req/s; the page now reads ` + "`" + `(workspace_id, updated_at DESC, id DESC)` + "`" + ` and stops after its rows, 469 req/s on the same data (` + "`" + `TestListPagesReadOnlyTheirRows` + "`" + ` checks the plans with EXPLAIN ANALYZE). After the message workload PostgreSQL had statistics and found a good plan either way, so the table above barely moves. What remains is CPU: the machine is saturated (server, PostgreSQL and load generator on 2 cores) and the server spends about 2 CPU-ms per request against a baseline that is one statement in the benchmark's own process, with no HTTP, no JSON and no GraphQL. In the server's profile about a fifth is bun/pgx (statements and row scanning), about half is gqlgen executing and marshalling ~1,000 fields per request (one goroutine per edge and per resolver field, whose stack growth alone is ~10%, plus its allocations), ~6% re-compacting the response JSON in gqlgen's transport, ~5% GC. Folding the relations into the page's statement would save the statement overhead (an estimated 15–20% of the throughput), not the GraphQL execution, which alone costs more than 2 × the baseline's time per query on this machine; reaching the target would mean bypassing the GraphQL engine the design fixes, so it is recorded here instead.
- **Fixed: search sent one BM25 query per word.** To work around Weaviate v1.35's BlockMax WAND, which leaves out of a BM25 query of several words the chunks that hold a rare one (EVAL.md), the search first sent one BM25 query per word. Weaviate runs aliased queries one after the other and each costs a fixed few milliseconds, much more right after an import (before its memtables are flushed): on the help-center corpus Weaviate alone took 657 ms at p50 for the evaluation sets' questions (about 15 words each) and search served 6 req/s. devstack now starts Weaviate with ` + "`" + `USE_INVERTED_SEARCHABLE=false` + "`" + ` (the map inverted index, whose BM25 is correct), and the search sends one BM25 query unless its collection has BlockMax WAND: Weaviate alone 27 ms at p50, 70 req/s.
- **Embedding and indexing time (the default embedder is two models).** all-MiniLM-L6-v2 costs about 11 million multiply-adds per token plus attention, bge-small-en-v1.5 (12 layers) twice that; the Go encoder runs its matrix products at about 100 GFLOPS per core (AVX2/FMA), and a short query spreads each model's products over both cores, so the two models cost their sum: on the AMD EPYC machine of earlier runs the query embedding p50 went from about 4 ms (MiniLM alone) to about 9 ms, and the server's CPU per help-center search from about 10 to 22 ms, which on two cores shared with Weaviate and the load generator lowers the search's throughput. Weaviate's own time grew too, with the vectors' length (384 → 768). On the help-center corpus (long customer questions, six chunks an article) the search's p95 at 4 connections is above 100 ms; on 1,000 synthetic articles it was 79.5 ms there. The runs since 2026-12-06 are on an Intel Xeon about 1.35× slower per embedding and 1.5× slower per search: the 1,000-article search's p95 is 117–133 ms across runs, over its target, as is the baseline's alone, while the ratio to embedding + Weaviate holds everywhere. On this machine the query embedding took 16 ms at p50 while every product started a goroutine of its own: waking the second core took about as long as a query's product. A helper goroutine now takes each product's second half, spinning briefly between products, and only while no other call is running (concurrent calls share the cores out already); with the two models run one after the other instead of at once, the query embedding p50 is 13.4 ms and 15.6 ms in the two runs since (target 15; the machine's load moves it). Measured and not kept: a 16-wide AVX-512 kernel (a query 3% faster, batches of 32 10%) and half-precision weights (a query 6% faster, batches 3% slower). GELU runs across both cores like the products (batches of 32: 520 → 436 ms; the 1,000-article import 5m37s → 5m18s). ` + "`HELPIUM_EMBEDDER=minilm`" + ` brings the old figures back at lower quality (EVAL.md). Indexing is CPU-bound and costs about three times MiniLM's alone: the fresh help-center import (~6,000 chunks) takes 4–5 minutes with the server's own indexer; re-indexing the same text takes seconds, as every vector comes from the embedding cache in PostgreSQL. Loading reads each file whole and unpacks every tensor before packing it for the kernel, so the server peaks near 450 MB while it loads; it then returns that garbage to the OS and starts at about 275 MB resident with both models (as it did with MiniLM alone, without the return). ONNX Runtime does the same work in about a third of the time; EVAL.md has why the product runs it in Go.
- **Webhooks (reported; the baseline is faster by design).** During the 1,000-event burst the server uses about a quarter of a core: delivery is bound by round trips, not CPU. Each attempt is a claim statement, the POST, and one statement recording the outcome (it was a four-round-trip transaction that also rewrote the endpoint's row on every success, so that two concurrent attempts queued on its lock; now the endpoint's row is written only when its state changes: 759 → 806 events/s in one pair of runs, within noise). The minimal outbox holds its row lock and a pooled connection across the POST, which Helpium does not: with a receiver that takes the full 10-second timeout, that would pin a database connection per attempt in flight. Claims are made one at a time by the dispatcher's loop, and each completion costs one more claim that finds the endpoint at its bound.
- **Attachments (reported).** An upload costs the server 4–8 CPU-ms across runs; in its profile (disk store) about half is the kernel's write of the megabyte into the store's file, about an eighth parsing the multipart form and a tenth SHA-256. The fsyncs wait rather than burn CPU, and how long they wait is what moves the disk figures most between runs on this shared machine (the store alone: 390 to 1,250 MB/s; uploads 80 to 220 MB/s). The store's own Put is about a fifth (disk) to two fifths (S3) of an upload's time at p50: the rest is the request around it, a megabyte over loopback copied while the form is parsed and the file read, sniffed and hashed, plus the message send it includes, on two cores shared with the load generator. In the history the files add about 0.5 ms to the REST page and about 1 ms to the GraphQL query (p50, one connection); but asking GraphQL for ` + "`attachments`" + ` costs about 3 ms even when no message has a file (4.6 → 7.8 ms): the attachments dataloader waits 2 ms (` + "`wait`" + ` in ` + "`graph/loader`" + `) to collect keys before its one statement, after the message window's own 2 ms wait, whereas REST reads the files in the same request without waiting. Filling the files in the message window's batch when the query asks for them would save that wait; recorded here, not changed.
- **Search noise.** Weaviate keeps working in the background after a bulk import, so the search rounds start after a short settle; with 4 connections and a few hundred requests per side the p95 of a single run moves by tens of percent, which is why the growth target is read with a 10% allowance and across runs.

Profiles: ` + "`go run ./cmd/devstack -data .data/bench -fast -- go run ./cmd/bench -profile .data/bench/profiles`" + ` saves a CPU profile of the server (taken from the loopback admin listener, ` + "`HELPIUM_ADMIN_ADDR`" + `) during each workload's first Helpium round; ` + "`go tool pprof -top .data/bench/profiles/widget_settings.pprof`" + `.
`
