// Command eval measures knowledge-base search quality end to end: for each
// embedder mode it starts `helpium serve` with that embedder, imports a
// help-center file (../shared/kb_dev/kb_dev.json by default) into a fresh
// workspace with `helpium kb import`, sends every query of the file to
// POST /api/customer/search and reports recall@1, recall@3 and MRR@10 over
// answerable queries, the share of no_answer queries that return nothing,
// latency percentiles and a per-kind breakdown, side by side. It writes
// the report to EVAL.md.
//
// It needs DATABASE_URL and WEAVIATE_URL (run it under devstack, as
// `make eval` does) and a built helpium binary.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/helpium/helpium"
)

type dataset struct {
	Name     string `json:"name"`
	Articles []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"articles"`
	Queries []query `json:"queries"`
}

type query struct {
	ID          string   `json:"id"`
	Query       string   `json:"query"`
	Relevant    []string `json:"relevant"`
	Kind        string   `json:"kind"`
	AnswerFacts []string `json:"answer_facts"`
}

type result struct {
	ArticleID string  `json:"article_id"`
	Title     string  `json:"title"`
	Score     float64 `json:"score"`
}

// outcome is one query's ranked results mapped to the file's article ids.
type outcome struct {
	q       query
	ranked  []string
	latency time.Duration
}

// report is one mode's metrics.
type report struct {
	mode, embedder string
	importTime     time.Duration
	outcomes       []outcome
	// answers are the answers at the workspace's default threshold; raw
	// are the same questions answered with the threshold at 0, from which
	// the threshold sweep is computed.
	answers, raw []answerOutcome
}

func main() {
	kb := flag.String("kb", "../shared/kb_dev/kb_dev.json", "knowledge-base file with articles and queries")
	bin := flag.String("helpium", ".bin/helpium", "helpium binary")
	modes := flag.String("modes", "use,none", "comma-separated HELPIUM_EMBEDDER modes to compare")
	out := flag.String("out", "EVAL.md", "report file ('' for none)")
	answerModes := flag.String("answer-modes", "use,none", "comma-separated modes whose answers (POST /api/customer/search/answer) are evaluated too ('' for none)")
	dump := flag.String("dump", "", "write every answer (default threshold and threshold 0) as JSON to this file")
	flag.Parse()
	answerIn = strings.Split(*answerModes, ",")
	dumpPath = *dump
	if err := run(*kb, *bin, strings.Split(*modes, ","), *out); err != nil {
		fmt.Fprintln(os.Stderr, "eval:", err)
		os.Exit(1)
	}
}

func run(kbPath, bin string, modes []string, out string) error {
	raw, err := os.ReadFile(kbPath)
	if err != nil {
		return fmt.Errorf("%w (the evaluation set lives next to the repository: ../shared/kb_dev)", err)
	}
	var ds dataset
	if err := json.Unmarshal(raw, &ds); err != nil {
		return fmt.Errorf("%s: %w", kbPath, err)
	}
	if os.Getenv("DATABASE_URL") == "" || os.Getenv("WEAVIATE_URL") == "" {
		return errors.New("DATABASE_URL and WEAVIATE_URL must be set: run `make eval`")
	}
	base := os.Environ()
	key, err := output(base, bin, "keys", "generate", "-id", "eval")
	if err != nil {
		return err
	}
	base = append(base, "HELPIUM_ENCRYPTION_KEY="+strings.TrimSpace(key), "HELPIUM_LOG_LEVEL=warn")
	if _, err := output(base, bin, "migrate"); err != nil {
		return err
	}
	var reports []*report
	for _, mode := range modes {
		r, err := evalMode(base, bin, mode, kbPath, ds)
		if err != nil {
			return fmt.Errorf("mode %s: %w", mode, err)
		}
		reports = append(reports, r)
	}
	if dumpPath != "" {
		if err := dumpAnswers(dumpPath, reports); err != nil {
			return err
		}
	}
	text := render(ds, kbPath, reports)
	fmt.Print(text)
	if out != "" {
		if old, err := os.ReadFile(out); err == nil {
			text = keepNotes(text, string(old))
		}
		return os.WriteFile(out, []byte(text), 0o644)
	}
	return nil
}

func evalMode(base []string, bin, mode, kbPath string, ds dataset) (*report, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	env := append(slices.Clone(base), "HELPIUM_EMBEDDER="+mode, "HELPIUM_ADDR="+addr)
	fmt.Fprintf(os.Stderr, "eval: mode %s: creating a workspace\n", mode)
	wsJSON, err := output(env, bin, "workspace", "create", "-name", fmt.Sprintf("eval %s %s", mode, time.Now().UTC().Format(time.RFC3339)))
	if err != nil {
		return nil, err
	}
	var ws struct {
		ID     string `json:"id"`
		APIKey string `json:"api_key"`
		Owner  struct {
			Token string `json:"token"`
		} `json:"owner"`
	}
	if err := json.Unmarshal([]byte(wsJSON), &ws); err != nil {
		return nil, fmt.Errorf("workspace create: %w", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := exec.CommandContext(ctx, bin, "serve")
	srv.Env = env
	srv.Stdout = io.Discard
	var srvLog bytes.Buffer
	srv.Stderr = &srvLog
	srv.Cancel = func() error { return srv.Process.Signal(syscall.SIGTERM) }
	srv.WaitDelay = 20 * time.Second
	if err := srv.Start(); err != nil {
		return nil, err
	}
	defer func() { cancel(); srv.Wait() }()
	if err := waitReady("http://"+addr+"/healthz", 3*time.Minute); err != nil {
		return nil, fmt.Errorf("%w\n%s", err, srvLog.String())
	}

	fmt.Fprintf(os.Stderr, "eval: mode %s: importing %d articles\n", mode, len(ds.Articles))
	t0 := time.Now()
	imp, err := output(env, bin, "kb", "import", "--api-key", ws.APIKey, kbPath)
	if err != nil {
		return nil, err
	}
	r := &report{mode: mode, importTime: time.Since(t0)}
	fmt.Fprintf(os.Stderr, "eval: mode %s: imported in %v: %s", mode, r.importTime.Round(time.Millisecond), imp)

	// Map result ids back to the file's ids by title (titles are unique).
	byTitle := make(map[string]string, len(ds.Articles))
	for _, a := range ds.Articles {
		byTitle[strings.ToLower(a.Title)] = a.ID
	}
	api := "http://" + addr + "/api/customer/search"
	if _, _, err := search(api, ws.APIKey, "warm up"); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "eval: mode %s: running %d queries\n", mode, len(ds.Queries))
	for _, q := range ds.Queries {
		res, lat, err := search(api, ws.APIKey, q.Query)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", q.ID, err)
		}
		o := outcome{q: q, latency: lat}
		for _, x := range res {
			o.ranked = append(o.ranked, byTitle[strings.ToLower(x.Title)])
		}
		r.outcomes = append(r.outcomes, o)
	}
	if slices.Contains(answerIn, mode) {
		base := "http://" + addr
		fmt.Fprintf(os.Stderr, "eval: mode %s: answering %d queries\n", mode, len(ds.Queries))
		if r.answers, err = answerAll(base, ws.APIKey, ds); err != nil {
			return nil, err
		}
		// Again with the threshold at 0 (which also empties the answer
		// cache), to sweep thresholds over the confidences.
		if err := setThreshold(base, ws.Owner.Token, ws.ID, 0); err != nil {
			return nil, err
		}
		if r.raw, err = answerAll(base, ws.APIKey, ds); err != nil {
			return nil, err
		}
	}
	r.embedder = map[string]string{"use": "USE lite (in-process, default)", "none": "none (BM25 only)", "openai": "OpenAI-compatible API"}[mode]
	return r, nil
}

func search(url, key, q string) ([]result, time.Duration, error) {
	body, _ := json.Marshal(map[string]any{"query": q, "limit": 10})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", key)
	t0 := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	lat := time.Since(t0)
	if err != nil {
		return nil, 0, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("status %d: %s", res.StatusCode, raw)
	}
	var out struct {
		Results []result `json:"results"`
	}
	return out.Results, lat, json.Unmarshal(raw, &out)
}

// metrics are the numbers of one group of queries.
type metrics struct {
	answerable, noAnswer    int
	r1, r3, mrr, abstained  float64
	p50, p95                time.Duration
	hasAnswerable, hasNoAns bool
}

func compute(outs []outcome) metrics {
	var m metrics
	var lats []time.Duration
	for _, o := range outs {
		lats = append(lats, o.latency)
		if len(o.q.Relevant) == 0 {
			m.noAnswer++
			if len(o.ranked) == 0 {
				m.abstained++
			}
			continue
		}
		m.answerable++
		rank := 0
		for i, id := range o.ranked {
			if slices.Contains(o.q.Relevant, id) {
				rank = i + 1
				break
			}
		}
		if rank == 1 {
			m.r1++
		}
		if rank >= 1 && rank <= 3 {
			m.r3++
		}
		if rank >= 1 && rank <= 10 {
			m.mrr += 1 / float64(rank)
		}
	}
	if m.answerable > 0 {
		m.hasAnswerable = true
		n := float64(m.answerable)
		m.r1, m.r3, m.mrr = m.r1/n, m.r3/n, m.mrr/n
	}
	if m.noAnswer > 0 {
		m.hasNoAns = true
		m.abstained /= float64(m.noAnswer)
	}
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	if len(lats) > 0 {
		m.p50 = lats[(len(lats)-1)*50/100]
		m.p95 = lats[(len(lats)-1)*95/100]
	}
	return m
}

func render(ds dataset, kbPath string, reports []*report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Search evaluation\n\n")
	fmt.Fprintf(&b, "Produced by `make eval` on %s: %d articles and %d queries of `%s` (%s), imported with `helpium kb import` into a fresh workspace per mode, every query sent to `POST /api/customer/search` with `limit: 10`.\n\n",
		time.Now().UTC().Format("2006-01-02"), len(ds.Articles), len(ds.Queries), filepath.ToSlash(kbPath), ds.Name)
	b.WriteString("recall@k and MRR@10 are over answerable queries; *no-answer empty* is the share of `no_answer` queries that returned no result. Latency is the HTTP round trip on the machine that ran the evaluation.\n\n")
	b.WriteString("| mode | embedder | recall@1 | recall@3 | MRR@10 | no-answer empty | p50 | p95 | import |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range reports {
		m := compute(r.outcomes)
		fmt.Fprintf(&b, "| %s | %s | %.3f | %.3f | %.3f | %.2f | %s | %s | %s |\n", r.mode, r.embedder, m.r1, m.r3, m.mrr, m.abstained,
			ms(m.p50), ms(m.p95), r.importTime.Round(100*time.Millisecond))
	}
	kinds := []string{}
	for _, q := range ds.Queries {
		if !slices.Contains(kinds, q.Kind) {
			kinds = append(kinds, q.Kind)
		}
	}
	sort.Strings(kinds)
	b.WriteString("\n## Per kind\n\n| kind | n |")
	for _, r := range reports {
		fmt.Fprintf(&b, " %s r@1 | %s r@3 | %s MRR |", r.mode, r.mode, r.mode)
	}
	b.WriteString("\n|---|---|")
	for range reports {
		b.WriteString("---|---|---|")
	}
	b.WriteString("\n")
	for _, k := range kinds {
		n := 0
		for _, q := range ds.Queries {
			if q.Kind == k {
				n++
			}
		}
		fmt.Fprintf(&b, "| %s | %d |", k, n)
		for _, r := range reports {
			var outs []outcome
			for _, o := range r.outcomes {
				if o.q.Kind == k {
					outs = append(outs, o)
				}
			}
			m := compute(outs)
			if m.hasAnswerable {
				fmt.Fprintf(&b, " %.2f | %.2f | %.2f |", m.r1, m.r3, m.mrr)
			} else {
				fmt.Fprintf(&b, " empty %.2f | | |", m.abstained)
			}
		}
		b.WriteString("\n")
	}
	renderAnswers(&b, reports)
	b.WriteString("\n## Misses\n\nAnswerable queries whose relevant article is not first, with the top three results (file ids).\n\n")
	for _, r := range reports {
		fmt.Fprintf(&b, "### %s\n\n", r.mode)
		for _, o := range r.outcomes {
			if len(o.q.Relevant) == 0 {
				if len(o.ranked) > 0 {
					fmt.Fprintf(&b, "- %s (no_answer) %q → %s\n", o.q.ID, o.q.Query, top(o.ranked))
				}
				continue
			}
			if len(o.ranked) > 0 && slices.Contains(o.q.Relevant, o.ranked[0]) {
				continue
			}
			fmt.Fprintf(&b, "- %s (%s) %q wants %s → %s\n", o.q.ID, o.q.Kind, o.q.Query, strings.Join(o.q.Relevant, ","), top(o.ranked))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func top(ids []string) string {
	if len(ids) == 0 {
		return "(nothing)"
	}
	return strings.Join(ids[:min(3, len(ids))], ", ")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

func output(env []string, bin string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("helpium %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitReady(url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("server at %s not ready after %v", url, timeout)
}

// Answers.

var (
	answerIn []string // modes whose answers are evaluated
	dumpPath string
)

// answerOutcome is one query's answer.
type answerOutcome struct {
	Query      string        `json:"query_id"`
	Answered   bool          `json:"answered"`
	Text       string        `json:"answer"`
	Sources    []string      `json:"sources"`
	Confidence float64       `json:"confidence"`
	Latency    time.Duration `json:"latency_ns"`
	q          query
}

func answerAll(base, key string, ds dataset) ([]answerOutcome, error) {
	byTitle := make(map[string]string, len(ds.Articles))
	for _, a := range ds.Articles {
		byTitle[strings.ToLower(a.Title)] = a.ID
	}
	if _, err := postAnswer(base, key, "warm up"); err != nil {
		return nil, err
	}
	var outs []answerOutcome
	for _, q := range ds.Queries {
		t0 := time.Now()
		a, err := postAnswer(base, key, q.Query)
		if err != nil {
			return nil, fmt.Errorf("answer %s: %w", q.ID, err)
		}
		o := answerOutcome{Query: q.ID, Answered: a.Answered, Confidence: a.Confidence, Latency: time.Since(t0), q: q}
		if a.Answered {
			o.Text = a.Answer
			for _, s := range a.Sources {
				o.Sources = append(o.Sources, byTitle[strings.ToLower(s.Title)])
			}
		}
		outs = append(outs, o)
	}
	return outs, nil
}

type answerResponse struct {
	Answered bool   `json:"answered"`
	Answer   string `json:"answer"`
	Sources  []struct {
		Title string `json:"title"`
	} `json:"sources"`
	Confidence float64 `json:"confidence"`
}

func postAnswer(base, key, q string) (*answerResponse, error) {
	var out answerResponse
	return &out, post(base+"/api/customer/search/answer", map[string]string{"X-API-Key": key}, map[string]any{"query": q}, &out)
}

// setThreshold changes the workspace's answer threshold as its owner.
func setThreshold(base, token, workspaceID string, t float64) error {
	var out struct {
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	err := post(base+"/graphql", map[string]string{"Authorization": "Bearer " + token}, map[string]any{
		"query":     `mutation($w: ID!, $t: Float) { updateAnswerSettings(workspaceId: $w, threshold: $t) { threshold } }`,
		"variables": map[string]any{"w": workspaceID, "t": t},
	}, &out)
	if err == nil && len(out.Errors) > 0 {
		err = errors.New(out.Errors[0].Message)
	}
	if err != nil {
		return fmt.Errorf("updateAnswerSettings: %w", err)
	}
	return nil
}

func post(url string, headers map[string]string, in, out any) error {
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %s", res.StatusCode, raw)
	}
	return json.Unmarshal(raw, out)
}

func dumpAnswers(path string, reports []*report) error {
	m := map[string]any{}
	for _, r := range reports {
		if r.answers != nil {
			m[r.mode] = map[string]any{"default": r.answers, "threshold0": r.raw}
		}
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, raw, 0o644)
}

// answerMetrics are the answer numbers of one mode at one threshold.
type answerMetrics struct {
	facts, abstained, refused float64
	factsFound, factsAll      int
	answerable, noAnswer      int
	p50, p95                  time.Duration
}

// factsIn returns the facts of q contained (case-insensitive) in text.
func factsIn(q query, text string) (in, out []string) {
	low := strings.ToLower(text)
	for _, f := range q.AnswerFacts {
		if strings.Contains(low, strings.ToLower(f)) {
			in = append(in, f)
		} else {
			out = append(out, f)
		}
	}
	return in, out
}

// scoreAnswers computes the metrics of outs, counting an answer as given
// only when its confidence reaches threshold (pass 0 to take the answers
// as the server gave them).
func scoreAnswers(outs []answerOutcome, threshold float64) answerMetrics {
	var m answerMetrics
	var lats []time.Duration
	for _, o := range outs {
		lats = append(lats, o.Latency)
		answered := o.Answered && o.Confidence >= threshold
		if len(o.q.Relevant) == 0 {
			m.noAnswer++
			if !answered {
				m.abstained++
			}
			continue
		}
		m.answerable++
		m.factsAll += len(o.q.AnswerFacts)
		if !answered {
			m.refused++
			continue
		}
		in, _ := factsIn(o.q, o.Text)
		m.factsFound += len(in)
	}
	if m.factsAll > 0 {
		m.facts = float64(m.factsFound) / float64(m.factsAll)
	}
	if m.noAnswer > 0 {
		m.abstained /= float64(m.noAnswer)
	}
	if m.answerable > 0 {
		m.refused /= float64(m.answerable)
	}
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	if len(lats) > 0 {
		m.p50 = lats[(len(lats)-1)*50/100]
		m.p95 = lats[(len(lats)-1)*95/100]
	}
	return m
}

func renderAnswers(b *strings.Builder, reports []*report) {
	var rs []*report
	for _, r := range reports {
		if r.answers != nil {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return
	}
	b.WriteString("\n## Answers\n\n")
	fmt.Fprintf(b, "Every query sent to `POST /api/customer/search/answer` (extractive generator) in a workspace with the default answer threshold (%.2f). *Facts* is the share of `answer_facts` of answerable queries contained (case-insensitive) in their answers, a refused answer covering none; *correct abstention* is the share of `no_answer` queries answered `answered: false`; *wrongful refusal* is the share of answerable queries answered `false`. Targets: facts ≥ 0.80, correct abstention ≥ 0.80, wrongful refusal ≤ 0.10. Latency is the HTTP round trip (search, confidence and generation).\n\n", helpium.DefaultAnswerThreshold)
	b.WriteString("| mode | facts | correct abstention | wrongful refusal | p50 | p95 |\n|---|---|---|---|---|---|\n")
	for _, r := range rs {
		m := scoreAnswers(r.answers, 0)
		fmt.Fprintf(b, "| %s | %.3f (%d/%d) | %.2f | %.3f | %s | %s |\n", r.mode, m.facts, m.factsFound, m.factsAll, m.abstained, m.refused, ms(m.p50), ms(m.p95))
	}
	b.WriteString("\n### Threshold sweep\n\nThe same queries answered with the workspace threshold at 0, then counted as answered only when their confidence reaches each threshold.\n\n| threshold |")
	for _, r := range rs {
		fmt.Fprintf(b, " %s facts | %s abstention | %s refusal |", r.mode, r.mode, r.mode)
	}
	b.WriteString("\n|---|")
	for range rs {
		b.WriteString("---|---|---|")
	}
	b.WriteString("\n")
	for t := 0.0; t < 0.91; t += 0.05 {
		mark := ""
		if math.Abs(t-helpium.DefaultAnswerThreshold) < 1e-9 {
			mark = "**"
		}
		fmt.Fprintf(b, "| %s%.2f%s |", mark, t, mark)
		for _, r := range rs {
			m := scoreAnswers(r.raw, t)
			fmt.Fprintf(b, " %.3f | %.2f | %.3f |", m.facts, m.abstained, m.refused)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n### Answer misses\n\nAt the default threshold: answerable queries refused or missing facts (with the confidence and the cited articles), and `no_answer` queries answered.\n\n")
	for _, r := range rs {
		fmt.Fprintf(b, "#### %s\n\n", r.mode)
		for _, o := range r.answers {
			switch {
			case len(o.q.Relevant) == 0 && o.Answered:
				fmt.Fprintf(b, "- %s (no_answer) answered, confidence %.2f, from %s\n", o.q.ID, o.Confidence, strings.Join(o.Sources, ","))
			case len(o.q.Relevant) == 0:
			case !o.Answered:
				fmt.Fprintf(b, "- %s (%s) refused, confidence %.2f\n", o.q.ID, o.q.Kind, o.Confidence)
			default:
				if _, miss := factsIn(o.q, o.Text); len(miss) > 0 {
					fmt.Fprintf(b, "- %s (%s) wants %s, cites %s, misses %q\n", o.q.ID, o.q.Kind, strings.Join(o.q.Relevant, ","), strings.Join(o.Sources, ","), miss)
				}
			}
		}
		b.WriteString("\n")
	}
}

// keepNotes carries the hand-written "## " sections of the previous report
// (such as how the defaults were chosen) into the new one, each after the
// generated section it followed.
func keepNotes(text, old string) string {
	split := func(s string) (heads, bodies []string) {
		heads, bodies = []string{""}, []string{""}
		for _, line := range strings.SplitAfter(s, "\n") {
			if strings.HasPrefix(line, "## ") {
				heads, bodies = append(heads, strings.TrimSpace(line)), append(bodies, "")
			}
			bodies[len(bodies)-1] += line
		}
		return heads, bodies
	}
	newHeads, newBodies := split(text)
	oldHeads, oldBodies := split(old)
	after := map[string][]string{} // generated heading -> notes following it
	prev := ""
	for i, h := range oldHeads {
		if i == 0 || slices.Contains(newHeads, h) {
			prev = h
			continue
		}
		after[prev] = append(after[prev], oldBodies[i])
	}
	var b strings.Builder
	for i, h := range newHeads {
		b.WriteString(newBodies[i])
		for _, n := range after[h] {
			if !strings.HasSuffix(b.String(), "\n\n") {
				b.WriteString("\n")
			}
			b.WriteString(n)
		}
	}
	return b.String()
}
