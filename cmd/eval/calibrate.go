package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/answer"
	"github.com/helpium/helpium/embed"
	"github.com/helpium/helpium/search"
)

// Calibration of the answer confidence (answer.Confidence): for every
// query of every set, the features the answer step reads (answer.Features
// of the hits the service searches for, found here with the same index
// code on the same Weaviate tenants), labelled answerable or not. A
// logistic regression over (1, best, gap), each class weighed by the
// inverse of its size, is fitted leaving each set out in turn and scored
// on the set left out, so the reported figures are for sets the rule did
// not see; the weights printed for answer.Confidence are fitted on all.

type calRow struct {
	set        int
	answerable bool
	x          [3]float64 // 1, best, gap
}

// calibrate fits the confidence rule on s's answers and returns the
// report's calibration section.
func calibrate(ctx context.Context, emb embed.Embedder, s *system) (string, error) {
	wv, err := search.NewWeaviate(os.Getenv("WEAVIATE_URL"))
	if err != nil {
		return "", err
	}
	index := search.NewIndex(wv, emb, search.IndexOptions{})
	var rows []calRow
	for i, r := range s.runs {
		for _, q := range r.set.Queries {
			hits, err := index.Search(ctx, r.workspaceID, helpium.SearchQuery{Text: q.Query, Limit: 5, Locale: "en"})
			if err != nil {
				return "", fmt.Errorf("calibrate: %s %s: %w", r.set.short, q.ID, err)
			}
			row := calRow{set: i, answerable: len(q.Relevant) > 0, x: [3]float64{1, 0, 0}}
			if best, gap, ok := answer.Features(hits); ok {
				row.x[1], row.x[2] = best, gap
			}
			rows = append(rows, row)
		}
	}
	// Leave one set out.
	p := make([]float64, len(rows))
	for i := range s.runs {
		var train []calRow
		for _, r := range rows {
			if r.set != i {
				train = append(train, r)
			}
		}
		w := fitLogistic(train)
		for j, r := range rows {
			if r.set == i {
				p[j] = sigmoid(dot3(w, r.x))
			}
		}
	}
	w := fitLogistic(rows)
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Confidence calibration\n\nProduced by `make eval EVAL_FLAGS=-calibrate`. Weights fitted on all sets: bias %.2f, best %.2f, gap %.2f. Per threshold, the macro average over the sets of each set's abstention and refusal when its confidences come from weights fitted on the other sets:\n\n| threshold | abstention | refusal | worst set's refusal |\n|---|---|---|---|\n", w[0], w[1], w[2])
	for t := 0.25; t < 0.555; t += 0.01 {
		abst, ref, worst := 0.0, 0.0, 0.0
		for i := range s.runs {
			var na, nAbst, an, nRef float64
			for j, r := range rows {
				if r.set != i {
					continue
				}
				if r.answerable {
					an++
					if p[j] < t {
						nRef++
					}
				} else {
					na++
					if p[j] < t {
						nAbst++
					}
				}
			}
			abst += nAbst / math.Max(na, 1)
			ref += nRef / math.Max(an, 1)
			worst = math.Max(worst, nRef/math.Max(an, 1))
		}
		n := float64(len(s.runs))
		fmt.Fprintf(&b, "| %.3f | %.2f | %.3f | %.3f |\n", t, abst/n, ref/n, worst)
	}
	fmt.Fprint(os.Stderr, b.String())
	return b.String(), nil
}

// fitLogistic fits weights w minimising the class-balanced log loss of
// sigmoid(w·x) by Newton's method (a tiny ridge keeps it well posed).
func fitLogistic(rows []calRow) [3]float64 {
	var pos, neg float64
	for _, r := range rows {
		if r.answerable {
			pos++
		} else {
			neg++
		}
	}
	var w [3]float64
	for iter := 0; iter < 50; iter++ {
		var g [3]float64
		var h [3][3]float64
		for _, r := range rows {
			y, cw := 0.0, (pos+neg)/(2*math.Max(neg, 1))
			if r.answerable {
				y, cw = 1, (pos+neg)/(2*math.Max(pos, 1))
			}
			pr := sigmoid(dot3(w, r.x))
			for a := 0; a < 3; a++ {
				g[a] += cw * (pr - y) * r.x[a]
				for c := 0; c < 3; c++ {
					h[a][c] += cw * pr * (1 - pr) * r.x[a] * r.x[c]
				}
			}
		}
		for a := 0; a < 3; a++ {
			g[a] += 1e-3 * w[a]
			h[a][a] += 1e-3
		}
		step := solve3(h, g)
		for a := range w {
			w[a] -= step[a]
		}
		if math.Abs(step[0])+math.Abs(step[1])+math.Abs(step[2]) < 1e-9 {
			break
		}
	}
	return w
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func dot3(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// solve3 solves h·x = g by Cramer's rule.
func solve3(h [3][3]float64, g [3]float64) [3]float64 {
	det := func(m [3][3]float64) float64 {
		return m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) - m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) + m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	}
	d := det(h)
	var x [3]float64
	if d == 0 {
		return x
	}
	for c := 0; c < 3; c++ {
		m := h
		for r := 0; r < 3; r++ {
			m[r][c] = g[r]
		}
		x[c] = det(m) / d
	}
	return x
}
