package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/helpium/helpium"
)

// Targets of the search issue, checked in the report.
const (
	targetR3         = 0.95
	targetMRR        = 0.88
	targetFacts      = 0.80
	targetAbstention = 0.80
	targetRefusal    = 0.10
)

func render(sets []*dataset, systems []*system, calibration string) string {
	var b strings.Builder
	b.WriteString("# Search and answer evaluation\n\n")
	fmt.Fprintf(&b, "Produced by `make eval` on %s. Every set is imported with `helpium kb import` into a fresh workspace per mode, every query sent to `POST /api/customer/search` with `limit: 10` and to `POST /api/customer/search/answer`. The sets:\n\n", time.Now().UTC().Format("2006-01-02"))
	b.WriteString("| set | help center | articles | queries | no_answer |\n|---|---|---|---|---|\n")
	for _, ds := range sets {
		n := 0
		for _, q := range ds.Queries {
			if q.Kind == "no_answer" {
				n++
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d |\n", ds.short, ds.Name, len(ds.Articles), len(ds.Queries), n)
	}
	b.WriteString("\nSystems:\n\n")
	for _, s := range systems {
		fmt.Fprintf(&b, "- **%s**: %s\n", s.name, s.label)
	}

	b.WriteString("\n## Search\n\nrecall@k and MRR@10 over answerable queries, per set and as the macro average (every set weighs the same).\n\n| set |")
	for _, s := range systems {
		fmt.Fprintf(&b, " %s r@1 | %s r@3 | %s MRR |", s.name, s.name, s.name)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|---|---|", len(systems)) + "\n")
	for i, ds := range sets {
		fmt.Fprintf(&b, "| %s |", ds.short)
		for _, s := range systems {
			m := compute(s.runs[i].outcomes)
			fmt.Fprintf(&b, " %.3f | %.3f | %.3f |", m.r1, m.r3, m.mrr)
		}
		b.WriteString("\n")
	}
	b.WriteString("| **macro** |")
	for _, s := range systems {
		fmt.Fprintf(&b, " **%.3f** | **%.3f** | **%.3f** |",
			macro(s.runs, func(r *setRun) float64 { return compute(r.outcomes).r1 }),
			macro(s.runs, func(r *setRun) float64 { return compute(r.outcomes).r3 }),
			macro(s.runs, func(r *setRun) float64 { return compute(r.outcomes).mrr }))
	}
	b.WriteString("\n\n*no-answer empty* is the share of `no_answer` queries whose search returned nothing; latency is the HTTP round trip on the machine that ran the evaluation; import is `helpium kb import` until the set is searchable.\n\n| set |")
	var served []*system
	for _, s := range systems {
		if s.name != "naive" {
			served = append(served, s)
		}
	}
	for _, s := range served {
		fmt.Fprintf(&b, " %s no-answer empty | %s p50 | %s p95 | %s import |", s.name, s.name, s.name, s.name)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|---|---|---|", len(served)) + "\n")
	for i, ds := range sets {
		fmt.Fprintf(&b, "| %s |", ds.short)
		for _, s := range served {
			m := compute(s.runs[i].outcomes)
			fmt.Fprintf(&b, " %.2f | %s | %s | %s |", m.empty, ms(m.p50), ms(m.p95), s.runs[i].importTime.Round(100*time.Millisecond))
		}
		b.WriteString("\n")
	}

	renderKinds(&b, systems)
	renderAnswers(&b, systems)
	renderTargets(&b, systems)
	b.WriteString(calibration)
	renderMisses(&b, systems[0])
	return b.String()
}

func renderKinds(b *strings.Builder, systems []*system) {
	b.WriteString("\n## Per kind\n\nAll sets pooled.\n\n| kind | n |")
	for _, s := range systems {
		fmt.Fprintf(b, " %s r@1 | %s r@3 | %s MRR |", s.name, s.name, s.name)
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|---|---|", len(systems)) + "\n")
	for _, k := range kinds {
		fmt.Fprintf(b, "| %s |", k)
		for i, s := range systems {
			var outs []outcome
			for _, r := range s.runs {
				for _, o := range r.outcomes {
					if o.q.Kind == k {
						outs = append(outs, o)
					}
				}
			}
			m := compute(outs)
			if i == 0 {
				fmt.Fprintf(b, " %d |", len(outs))
			}
			if m.answerable > 0 {
				fmt.Fprintf(b, " %.2f | %.2f | %.2f |", m.r1, m.r3, m.mrr)
			} else {
				fmt.Fprintf(b, " empty %.2f | | |", m.empty)
			}
		}
		b.WriteString("\n")
	}
}

func answered(systems []*system) []*system {
	var out []*system
	for _, s := range systems {
		if len(s.runs) > 0 && s.runs[0].answers != nil {
			out = append(out, s)
		}
	}
	return out
}

func renderAnswers(b *strings.Builder, systems []*system) {
	rs := answered(systems)
	if len(rs) == 0 {
		return
	}
	b.WriteString("\n## Answers\n\n")
	fmt.Fprintf(b, "Every query sent to `POST /api/customer/search/answer` (extractive generator) in a workspace with the default answer threshold (%.2f). *Facts* is the share of `answer_facts` of answerable queries contained (case-insensitive) in their answers, a refused answer covering none; *abstention* is the share of `no_answer` queries answered `answered: false`; *refusal* is the share of answerable queries answered `false`. Latency is the HTTP round trip (search, confidence and generation).\n\n| set |", helpium.DefaultAnswerThreshold)
	for _, s := range rs {
		fmt.Fprintf(b, " %s facts | %s abstention | %s refusal | %s p50 | %s p95 |", s.name, s.name, s.name, s.name, s.name)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|---|---|---|---|", len(rs)) + "\n")
	for i := range rs[0].runs {
		fmt.Fprintf(b, "| %s |", rs[0].runs[i].set.short)
		for _, s := range rs {
			m := scoreAnswers(s.runs[i].answers, 0)
			fmt.Fprintf(b, " %.3f (%d/%d) | %.2f | %.3f | %s | %s |", m.facts, m.factsFound, m.factsAll, m.abstained, m.refused, ms(m.p50), ms(m.p95))
		}
		b.WriteString("\n")
	}
	b.WriteString("| **macro** |")
	for _, s := range rs {
		fmt.Fprintf(b, " **%.3f** | **%.2f** | **%.3f** | | |",
			macro(s.runs, func(r *setRun) float64 { return scoreAnswers(r.answers, 0).facts }),
			macro(s.runs, func(r *setRun) float64 { return scoreAnswers(r.answers, 0).abstained }),
			macro(s.runs, func(r *setRun) float64 { return scoreAnswers(r.answers, 0).refused }))
	}
	b.WriteString("\n\n### Threshold sweep\n\nThe same queries answered with the workspace threshold at 0, then counted as answered only when their confidence reaches each threshold; macro averages over the sets.\n\n| threshold |")
	for _, s := range rs {
		fmt.Fprintf(b, " %s facts | %s abstention | %s refusal |", s.name, s.name, s.name)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|---|---|", len(rs)) + "\n")
	for _, t := range sweepThresholds() {
		mark := ""
		if t == helpium.DefaultAnswerThreshold {
			mark = "**"
		}
		fmt.Fprintf(b, "| %s%.2f%s |", mark, t, mark)
		for _, s := range rs {
			fmt.Fprintf(b, " %.3f | %.2f | %.3f |",
				macro(s.runs, func(r *setRun) float64 { return scoreAnswers(r.raw, t).facts }),
				macro(s.runs, func(r *setRun) float64 { return scoreAnswers(r.raw, t).abstained }),
				macro(s.runs, func(r *setRun) float64 { return scoreAnswers(r.raw, t).refused }))
		}
		b.WriteString("\n")
	}
}

func renderTargets(b *strings.Builder, systems []*system) {
	def := systems[0]
	var naive *system
	for _, s := range systems {
		if s.name == "naive" {
			naive = s
		}
	}
	b.WriteString("\n## Targets\n\nThe default system on every set.\n\n| target |")
	for _, r := range def.runs {
		fmt.Fprintf(b, " %s |", r.set.short)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(def.runs)) + "\n")
	row := func(name string, f func(i int, r *setRun) (string, bool)) {
		fmt.Fprintf(b, "| %s |", name)
		for i, r := range def.runs {
			v, ok := f(i, r)
			if !ok {
				v = "**" + v + "** ✗"
			}
			fmt.Fprintf(b, " %s |", v)
		}
		b.WriteString("\n")
	}
	row(fmt.Sprintf("recall@3 ≥ %.2f", targetR3), func(_ int, r *setRun) (string, bool) {
		m := compute(r.outcomes)
		return fmt.Sprintf("%.3f", m.r3), m.r3 >= targetR3
	})
	row(fmt.Sprintf("MRR@10 ≥ %.2f", targetMRR), func(_ int, r *setRun) (string, bool) {
		m := compute(r.outcomes)
		return fmt.Sprintf("%.3f", m.mrr), m.mrr >= targetMRR
	})
	if naive != nil {
		row("MRR@10 above the naive reference", func(i int, r *setRun) (string, bool) {
			m, n := compute(r.outcomes).mrr, compute(naive.runs[i].outcomes).mrr
			return fmt.Sprintf("%+.3f", m-n), m > n
		})
	}
	if r := def.runs[0]; r.answers != nil {
		row(fmt.Sprintf("answer facts ≥ %.2f", targetFacts), func(_ int, r *setRun) (string, bool) {
			m := scoreAnswers(r.answers, 0)
			return fmt.Sprintf("%.3f", m.facts), m.facts >= targetFacts
		})
		row(fmt.Sprintf("correct abstention ≥ %.2f", targetAbstention), func(_ int, r *setRun) (string, bool) {
			m := scoreAnswers(r.answers, 0)
			return fmt.Sprintf("%.2f", m.abstained), m.abstained >= targetAbstention
		})
		row(fmt.Sprintf("wrongful refusal ≤ %.2f", targetRefusal), func(_ int, r *setRun) (string, bool) {
			m := scoreAnswers(r.answers, 0)
			return fmt.Sprintf("%.3f", m.refused), m.refused <= targetRefusal
		})
	}
}

// renderMisses lists, per set, the default system's answerable queries
// whose relevant article is not first, and its answer misses.
func renderMisses(b *strings.Builder, s *system) {
	b.WriteString("\n## Misses\n\nThe default system: answerable queries whose relevant article is not first (with the top three results, by file id), `no_answer` queries that got results or an answer, and answers that miss facts or were refused.\n")
	for _, r := range s.runs {
		fmt.Fprintf(b, "\n### %s\n\n", r.set.short)
		for _, o := range r.outcomes {
			switch {
			case len(o.q.Relevant) == 0 && len(o.ranked) > 0:
				fmt.Fprintf(b, "- %s (no_answer) %q → %s\n", o.q.ID, o.q.Query, top(o.ranked))
			case len(o.q.Relevant) > 0 && (len(o.ranked) == 0 || !slices.Contains(o.q.Relevant, o.ranked[0])):
				fmt.Fprintf(b, "- %s (%s) %q wants %s → %s\n", o.q.ID, o.q.Kind, o.q.Query, strings.Join(o.q.Relevant, ","), top(o.ranked))
			}
		}
		if r.answers == nil {
			continue
		}
		b.WriteString("\nAnswers:\n\n")
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
	}
}

func top(ids []string) string {
	if len(ids) == 0 {
		return "(nothing)"
	}
	return strings.Join(ids[:min(3, len(ids))], ", ")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

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

// sweepThresholds is every 0.05 from 0 to 0.9, and the default threshold
// in its place among them.
func sweepThresholds() []float64 {
	var ts []float64
	for i := 0; i <= 18; i++ {
		t := float64(i) / 20
		if math.Abs(t-helpium.DefaultAnswerThreshold) < 1e-9 {
			t = helpium.DefaultAnswerThreshold
		}
		ts = append(ts, t)
	}
	if !slices.Contains(ts, helpium.DefaultAnswerThreshold) {
		ts = append(ts, helpium.DefaultAnswerThreshold)
		slices.Sort(ts)
	}
	return ts
}
