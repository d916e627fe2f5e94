package helpium

import (
	"math"
	"sort"
	"time"
)

// ContentGapReport tells a business which articles to write next: the
// questions its help center left unanswered (refused, or voted "no"),
// grouped by meaning, and how often AI answers settled the matter.
type ContentGapReport struct {
	From, To time.Time
	// Questions counts the refused or down-voted questions in the period
	// that the report read: the newest 1,000 at most.
	Questions  int
	Clusters   []*ContentGapCluster
	Deflection Deflection
}

// ContentGapCluster is a group of similar unanswered questions.
type ContentGapCluster struct {
	// Size counts the questions in the group, repeats included.
	Size int
	// Examples are a few of its questions, the most asked first.
	Examples []string
	// Articles are the published articles that came closest.
	Articles []*SearchResult
}

// Deflection measures the AI answers given in a period (refusals aside):
// how many did not lead to a conversation within DeflectionWindow.
type Deflection struct {
	Answers           int
	LedToConversation int
}

// DeflectionWindow is how long after an answer a conversation counts as
// caused by it.
const DeflectionWindow = 24 * time.Hour

// Rate is the share of answers that did not lead to a conversation, or
// nil without answers.
func (d Deflection) Rate() *float64 {
	if d.Answers == 0 {
		return nil
	}
	r := RoundScore(float64(d.Answers-d.LedToConversation) / float64(d.Answers))
	return &r
}

// ClusterThreshold is the cosine similarity to a group's centre at which a
// question joins the group. Measured with the default embedder on the
// evaluation sets' questions (EVAL.md): two questions about different
// articles of a help center reach 0.50 in 2% of pairs (0.53 at the 99th
// percentile), while a fifth of the pairs about the same article do, most
// of the others being a keyword or a typo against a whole sentence.
const ClusterThreshold = 0.5

// Cluster groups items by the cosine similarity of their vectors: each
// item, heaviest first, joins the group whose centre it is most similar
// to, if at least threshold, else starts a group. It returns the groups as
// indexes into vecs, heaviest group first, each heaviest item first.
// weights (repeat counts) order items and groups.
func Cluster(vecs [][]float32, weights []int, threshold float64) [][]int {
	order := make([]int, len(vecs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return weights[order[a]] > weights[order[b]] })
	type group struct {
		sum     []float64
		members []int
		weight  int
	}
	var groups []*group
	for _, i := range order {
		best, bestSim := -1, threshold
		for g, gr := range groups {
			// At least the threshold; on a tie the earlier (heavier) group.
			if sim := cosine(gr.sum, vecs[i]); sim > bestSim || best < 0 && sim == bestSim {
				best, bestSim = g, sim
			}
		}
		if best < 0 {
			groups = append(groups, &group{sum: make([]float64, len(vecs[i]))})
			best = len(groups) - 1
		}
		gr := groups[best]
		for d, x := range vecs[i] {
			gr.sum[d] += float64(x)
		}
		gr.members = append(gr.members, i)
		gr.weight += weights[i]
	}
	sort.SliceStable(groups, func(a, b int) bool { return groups[a].weight > groups[b].weight })
	out := make([][]int, len(groups))
	for g, gr := range groups {
		out[g] = gr.members
	}
	return out
}

// cosine is the cosine similarity of a group's summed vector and v.
func cosine(sum []float64, v []float32) float64 {
	var dot, ns, nv float64
	for d, x := range v {
		dot += sum[d] * float64(x)
		ns += sum[d] * sum[d]
		nv += float64(x) * float64(x)
	}
	if ns == 0 || nv == 0 {
		return 0
	}
	return dot / math.Sqrt(ns*nv)
}
