// Command eval measures knowledge-base search and answer quality end to end
// on every evaluation set: for each embedder mode it starts `helpium serve`
// with that embedder, imports each set (kb_dev and the sets in evalsets/)
// into a fresh workspace with `helpium kb import`, sends every query to
// POST /api/customer/search and /search/answer, and reports recall@1,
// recall@3, MRR@10, answer facts, abstention and refusal per set and as a
// macro average, beside a naive reference (naive.go) computed in the same
// run with the same embedder. It writes the report to EVAL.md.
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
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/helpium/helpium/embed/bert"
)

type options struct {
	sets, bin, out, dump string
	modes, answerModes   []string
	naive, calibrate     bool
}

func main() {
	var o options
	sets := flag.String("sets", "../shared/kb_dev/kb_dev.json,evalsets/*.json", "comma-separated evaluation sets (files or globs)")
	flag.StringVar(&o.bin, "helpium", ".bin/helpium", "helpium binary")
	modes := flag.String("modes", "minilm+bge,minilm,none", "comma-separated HELPIUM_EMBEDDER modes to compare; the first is the default's")
	answerModes := flag.String("answer-modes", "minilm+bge,minilm,none", "comma-separated modes whose answers are evaluated too ('' for none)")
	flag.BoolVar(&o.naive, "naive", true, "compute the naive reference (with the default embedder)")
	flag.BoolVar(&o.calibrate, "calibrate", false, "fit the answer confidence rule on the first mode's answers (leave one set out) and print it")
	flag.StringVar(&o.out, "out", "EVAL.md", "report file ('' for none)")
	flag.StringVar(&o.dump, "dump", "", "write every answer (default threshold and threshold 0) as JSON to this file")
	flag.Parse()
	o.sets = *sets
	o.modes = split(*modes)
	o.answerModes = split(*answerModes)
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "eval:", err)
		os.Exit(1)
	}
}

func split(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// setRun is one system's results on one set.
type setRun struct {
	set         *dataset
	workspaceID string
	importTime  time.Duration
	outcomes    []outcome
	// answers are the answers at the workspace's default threshold; raw
	// the same questions answered with the threshold at 0, from which the
	// threshold sweep is computed.
	answers, raw []answerOutcome
}

// system is one way of searching (an embedder mode, or the naive
// reference) across every set.
type system struct {
	name, label string
	runs        []*setRun
}

// outcome is one query's ranked results mapped to the set's article ids.
type outcome struct {
	q       query
	ranked  []string
	latency time.Duration
}

func run(o options) error {
	sets, err := loadSets(o.sets)
	if err != nil {
		return err
	}
	if os.Getenv("DATABASE_URL") == "" || os.Getenv("WEAVIATE_URL") == "" {
		return errors.New("DATABASE_URL and WEAVIATE_URL must be set: run `make eval`")
	}
	base := os.Environ()
	key, err := output(base, o.bin, "keys", "generate", "-id", "eval")
	if err != nil {
		return err
	}
	base = append(base, "HELPIUM_ENCRYPTION_KEY="+strings.TrimSpace(key), "HELPIUM_LOG_LEVEL=warn")
	if _, err := output(base, o.bin, "migrate"); err != nil {
		return err
	}
	var systems []*system
	for _, mode := range o.modes {
		s, err := evalMode(base, o.bin, mode, slices.Contains(o.answerModes, mode), sets)
		if err != nil {
			return fmt.Errorf("mode %s: %w", mode, err)
		}
		systems = append(systems, s)
	}
	ctx := context.Background()
	calibration := "" // the report's calibration section, when -calibrate ran
	if o.naive || o.calibrate {
		emb, err := bert.OpenDefault(ctx, modelDir(), bert.SourcesFromEnv())
		if err != nil {
			return err
		}
		if o.naive {
			s := &system{name: "naive", label: "naive reference: paragraphs, plain BM25 + cosine (same embedder), min-max fusion α 0.7"}
			for _, ds := range sets {
				outs, err := evalNaive(ctx, emb, ds)
				if err != nil {
					return fmt.Errorf("naive reference on %s: %w", ds.short, err)
				}
				s.runs = append(s.runs, &setRun{set: ds, outcomes: outs})
			}
			systems = append(systems, s)
		}
		if o.calibrate {
			if calibration, err = calibrate(ctx, emb, systems[0]); err != nil {
				return err
			}
		}
	}
	if o.dump != "" {
		if err := dumpAnswers(o.dump, systems); err != nil {
			return err
		}
	}
	text := render(sets, systems, calibration)
	fmt.Print(text)
	if o.out != "" {
		if old, err := os.ReadFile(o.out); err == nil {
			text = keepNotes(text, string(old))
		}
		return os.WriteFile(o.out, []byte(text), 0o644)
	}
	return nil
}

// modelDir is where helpium serve (HELPIUM_DATA_DIR unset) keeps the
// model, so that the reference loads the same files.
func modelDir() string {
	if d := os.Getenv("HELPIUM_MODEL_DIR"); d != "" {
		return d
	}
	return filepath.Join(".data", "models")
}

var labels = map[string]string{
	"minilm+bge": "all-MiniLM-L6-v2 + bge-small-en-v1.5 (in process, default)",
	"minilm":     "all-MiniLM-L6-v2 alone (in process)",
	"none":       "none (BM25 only)",
	"openai":     "OpenAI-compatible API",
}

func evalMode(base []string, bin, mode string, answers bool, sets []*dataset) (*system, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	env := append(slices.Clone(base), "HELPIUM_EMBEDDER="+mode, "HELPIUM_ADDR="+addr)
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
	if err := waitReady("http://"+addr+"/healthz", 5*time.Minute); err != nil {
		return nil, fmt.Errorf("%w\n%s", err, srvLog.String())
	}
	s := &system{name: mode, label: labels[mode]}
	for _, ds := range sets {
		r, err := evalSet(env, bin, "http://"+addr, mode, answers, ds)
		if err != nil {
			return nil, fmt.Errorf("%s: %w\n%s", ds.short, err, lastLines(srvLog.String(), 20))
		}
		s.runs = append(s.runs, r)
	}
	return s, nil
}

func evalSet(env []string, bin, base, mode string, answers bool, ds *dataset) (*setRun, error) {
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "eval: %s: %s: %s\n", mode, ds.short, fmt.Sprintf(format, args...))
	}
	wsJSON, err := output(env, bin, "workspace", "create", "-name", fmt.Sprintf("eval %s %s %s", mode, ds.short, time.Now().UTC().Format(time.RFC3339)))
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
	logf("importing %d articles", len(ds.Articles))
	t0 := time.Now()
	if _, err := output(env, bin, "kb", "import", "--api-key", ws.APIKey, ds.path); err != nil {
		return nil, err
	}
	r := &setRun{set: ds, workspaceID: ws.ID, importTime: time.Since(t0)}
	logf("imported and indexed in %v; running %d queries", r.importTime.Round(time.Millisecond), len(ds.Queries))

	byTitle := ds.byTitle()
	api := base + "/api/customer/search"
	if _, _, err := searchAPI(api, ws.APIKey, "warm up"); err != nil {
		return nil, err
	}
	for _, q := range ds.Queries {
		res, lat, err := searchAPI(api, ws.APIKey, q.Query)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", q.ID, err)
		}
		o := outcome{q: q, latency: lat}
		for _, x := range res {
			o.ranked = append(o.ranked, byTitle[strings.ToLower(x.Title)])
		}
		r.outcomes = append(r.outcomes, o)
	}
	if answers {
		logf("answering %d queries", len(ds.Queries))
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
	return r, nil
}

// byTitle maps lower-cased titles to article ids (titles are unique).
func (ds *dataset) byTitle() map[string]string {
	m := make(map[string]string, len(ds.Articles))
	for _, a := range ds.Articles {
		m[strings.ToLower(a.Title)] = a.ID
	}
	return m
}

type result struct {
	ArticleID string  `json:"article_id"`
	Title     string  `json:"title"`
	Score     float64 `json:"score"`
}

func searchAPI(url, key, q string) ([]result, time.Duration, error) {
	var out struct {
		Results []result `json:"results"`
	}
	t0 := time.Now()
	err := post(url, map[string]string{"X-API-Key": key}, map[string]any{"query": q, "limit": 10}, &out)
	return out.Results, time.Since(t0), err
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

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
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
