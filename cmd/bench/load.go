package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// op is one request of a workload: worker w's i-th call. It returns an
// error for a failed request (transport error or unexpected status).
type op func(ctx context.Context, w int, i int64) error

// sample is what one closed-loop run measured.
type sample struct {
	ops, errs int64
	elapsed   time.Duration
	lat       []time.Duration
	firstErr  error
	cpu       time.Duration // CPU time of the measured process over the run
	peakRSS   int64         // bytes; 0 when unknown
}

// add merges another round into s.
func (s *sample) add(o sample) {
	s.ops += o.ops
	s.errs += o.errs
	s.elapsed += o.elapsed
	s.lat = append(s.lat, o.lat...)
	s.cpu += o.cpu
	s.peakRSS = max(s.peakRSS, o.peakRSS)
	if s.firstErr == nil {
		s.firstErr = o.firstErr
	}
}

func (s *sample) throughput() float64 {
	if s.elapsed <= 0 {
		return 0
	}
	return float64(s.ops) / s.elapsed.Seconds()
}

// pct returns the p-th percentile latency (nearest rank).
func (s *sample) pct(p float64) time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	if !slices.IsSorted(s.lat) {
		slices.Sort(s.lat)
	}
	i := int(float64(len(s.lat))*p/100+0.5) - 1
	return s.lat[min(max(i, 0), len(s.lat)-1)]
}

// cpuPer1k is CPU seconds per 1,000 requests.
func (s *sample) cpuPer1k() float64 {
	if s.ops == 0 {
		return 0
	}
	return s.cpu.Seconds() / float64(s.ops) * 1000
}

// closedLoop runs conc workers, each issuing its next request as soon as
// the previous one answered, for dur or until maxOps requests, whichever
// comes first.
func closedLoop(ctx context.Context, conc int, dur time.Duration, maxOps int64, fn op) sample {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next, errs atomic.Int64
	var firstErr atomic.Pointer[error]
	lats := make([][]time.Duration, conc)
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, 4096)
			for time.Now().Before(deadline) && ctx.Err() == nil {
				i := next.Add(1)
				if i > maxOps {
					break
				}
				t0 := time.Now()
				err := fn(ctx, w, i)
				d := time.Since(t0)
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, &err)
					continue
				}
				mine = append(mine, d)
			}
			lats[w] = mine
		}()
	}
	wg.Wait()
	s := sample{elapsed: time.Since(start), errs: errs.Load()}
	for _, l := range lats {
		s.lat = append(s.lat, l...)
	}
	s.ops = int64(len(s.lat))
	if p := firstErr.Load(); p != nil {
		s.firstErr = *p
	}
	return s
}

// httpClient returns a client that keeps up to conc connections to one
// loopback host alive.
func httpClient(conc int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: conc * 2, MaxIdleConnsPerHost: conc * 2, MaxConnsPerHost: conc,
			IdleConnTimeout: 90 * time.Second, DisableCompression: true, ForceAttemptHTTP2: false,
		},
	}
}

// do sends one request and drains the answer; a status other than want is
// an error carrying the start of the body.
func do(ctx context.Context, c *http.Client, method, url string, hdr map[string]string, body []byte, want int) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != want {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 300))
		return fmt.Errorf("%s %s: status %d: %s", method, url, res.StatusCode, b)
	}
	_, err = io.Copy(io.Discard, res.Body)
	return err
}

// proc reads a process's CPU time and peak RSS from /proc.
type proc struct{ pid int }

// clockTick is USER_HZ, 100 on every Linux this runs on.
const clockTick = 10 * time.Millisecond

// cpu returns the process's user plus system CPU time.
func (p proc) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) start at ") ".
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64) // field 14, utime
	st, _ := strconv.ParseInt(f[12], 10, 64) // field 15, stime
	return time.Duration(ut+st) * clockTick
}

// resetPeak resets VmHWM to the current RSS (Linux 4.0+), so the next
// peak is the workload's own; it reports whether that worked.
func (p proc) resetPeak() bool {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.pid), []byte("5"), 0) == nil
}

// peakRSS returns VmHWM in bytes.
func (p proc) peakRSS() int64 { return p.status("VmHWM:") }

// rss returns VmRSS, the resident memory now, in bytes.
func (p proc) rss() int64 { return p.status("VmRSS:") }

// status reads a size in kB from /proc/<pid>/status, in bytes.
func (p proc) status(field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// measure runs a short warm-up, then the measured closed loop, reading
// p's CPU time and peak RSS around the measured part (p.pid 0: none).
func measure(ctx context.Context, p proc, conc int, warm, dur time.Duration, maxOps int64, fn op) sample {
	if warm > 0 {
		closedLoop(ctx, conc, warm, maxOps, fn)
	}
	var cpu0 time.Duration
	if p.pid != 0 {
		p.resetPeak()
		cpu0 = p.cpu()
	}
	s := closedLoop(ctx, conc, dur, maxOps, fn)
	if p.pid != 0 {
		s.cpu = p.cpu() - cpu0
		s.peakRSS = p.peakRSS()
	}
	return s
}
