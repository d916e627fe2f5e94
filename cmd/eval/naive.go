package main

import (
	"context"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/helpium/helpium/embed"
)

// The naive reference: what a short script does with the same embedder.
// Each article is cut into paragraphs (blank-line separated, the title as
// one more), scored by plain BM25 (k1 1.2, b 0.75, lower-cased words, no
// stop words, no stemming) and by the cosine similarity of its vector to
// the query's; both are min-max normalised over all paragraphs, fused as
// 0.7 × cosine + 0.3 × BM25, and an article scores its best paragraph. It
// runs in this process, on the same sets, in the same run as the product.

const naiveAlpha = 0.7

var (
	paragraphBreak = regexp.MustCompile(`\n\s*\n`)
	wordRe         = regexp.MustCompile(`[\p{L}\p{N}]+`)
)

type naiveIndex struct {
	article []string    // paragraph -> article id
	vectors [][]float32 // paragraph vectors
	tf      []map[string]int
	length  []int
	avg     float64
	idf     map[string]float64
}

func naiveWords(s string) []string { return wordRe.FindAllString(strings.ToLower(s), -1) }

func newNaiveIndex(ctx context.Context, emb embed.Embedder, ds *dataset) (*naiveIndex, error) {
	x := &naiveIndex{idf: map[string]float64{}}
	var texts []string
	for _, a := range ds.Articles {
		paras := append([]string{a.Title}, paragraphBreak.Split(a.Body, -1)...)
		for _, p := range paras {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			texts = append(texts, p)
			x.article = append(x.article, a.ID)
		}
	}
	df := map[string]int{}
	total := 0
	for _, p := range texts {
		tf := map[string]int{}
		words := naiveWords(p)
		for _, w := range words {
			tf[w]++
		}
		for w := range tf {
			df[w]++
		}
		x.tf = append(x.tf, tf)
		x.length = append(x.length, len(words))
		total += len(words)
	}
	x.avg = float64(total) / float64(len(texts))
	n := float64(len(texts))
	for w, d := range df {
		x.idf[w] = math.Log(1 + (n-float64(d)+0.5)/(float64(d)+0.5))
	}
	var err error
	x.vectors, err = emb.Embed(ctx, texts)
	return x, err
}

// rank returns the set's article ids best first.
func (x *naiveIndex) rank(qvec []float32, q string) []string {
	const k1, b = 1.2, 0.75
	words := naiveWords(q)
	bm := make([]float64, len(x.tf))
	cos := make([]float64, len(x.tf))
	for i, tf := range x.tf {
		for _, w := range words {
			if f := float64(tf[w]); f > 0 {
				bm[i] += x.idf[w] * f * (k1 + 1) / (f + k1*(1-b+b*float64(x.length[i])/x.avg))
			}
		}
		cos[i] = embed.Cosine(qvec, x.vectors[i])
	}
	minmax(bm)
	minmax(cos)
	best := map[string]float64{}
	for i := range x.tf {
		s := naiveAlpha*cos[i] + (1-naiveAlpha)*bm[i]
		if v, ok := best[x.article[i]]; !ok || s > v {
			best[x.article[i]] = s
		}
	}
	ids := make([]string, 0, len(best))
	for id := range best {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if best[ids[i]] != best[ids[j]] {
			return best[ids[i]] > best[ids[j]]
		}
		return ids[i] < ids[j]
	})
	return ids[:min(10, len(ids))]
}

func minmax(v []float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	for i := range v {
		if hi > lo {
			v[i] = (v[i] - lo) / (hi - lo)
		} else {
			v[i] = 0
		}
	}
}

// evalNaive runs every query of ds through the naive reference.
func evalNaive(ctx context.Context, emb embed.Embedder, ds *dataset) ([]outcome, error) {
	x, err := newNaiveIndex(ctx, emb, ds)
	if err != nil {
		return nil, err
	}
	texts := make([]string, len(ds.Queries))
	for i, q := range ds.Queries {
		texts[i] = q.Query
	}
	qvecs, err := emb.Embed(ctx, texts)
	if err != nil {
		return nil, err
	}
	outs := make([]outcome, len(ds.Queries))
	for i, q := range ds.Queries {
		outs[i] = outcome{q: q, ranked: x.rank(qvecs[i], q.Query)}
	}
	return outs, nil
}
