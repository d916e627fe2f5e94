package main

import (
	"slices"
	"time"
)

// metrics are the search numbers of one group of queries.
type metrics struct {
	answerable, noAnswer int
	r1, r3, mrr, empty   float64
	p50, p95             time.Duration
}

func compute(outs []outcome) metrics {
	var m metrics
	var lats []time.Duration
	for _, o := range outs {
		lats = append(lats, o.latency)
		if len(o.q.Relevant) == 0 {
			m.noAnswer++
			if len(o.ranked) == 0 {
				m.empty++
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
		n := float64(m.answerable)
		m.r1, m.r3, m.mrr = m.r1/n, m.r3/n, m.mrr/n
	}
	if m.noAnswer > 0 {
		m.empty /= float64(m.noAnswer)
	}
	m.p50, m.p95 = percentiles(lats)
	return m
}

// macro averages f over the runs (every set weighs the same).
func macro(runs []*setRun, f func(*setRun) float64) float64 {
	if len(runs) == 0 {
		return 0
	}
	sum := 0.0
	for _, r := range runs {
		sum += f(r)
	}
	return sum / float64(len(runs))
}
