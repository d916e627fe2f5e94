package search

import (
	"strings"

	"github.com/helpium/helpium"
)

// Lexical evidence for the relevance threshold: the share of the query's
// content words (stop words dropped, lower-cased, a plural "s" ignored)
// that a passage (with its article's title and its heading) contains. A
// word of five letters or more also matches a word one edit away
// (a letter added, dropped, changed or two swapped), so "cancle" finds
// "cancel". The vector side judges meaning; this side keeps what the
// customer literally asked for, such as a feature's name, from being
// dropped by a low cosine similarity.

// minCoverage is the share of the query's content words a passage must
// contain to count as a strong lexical match.
const minCoverage = 0.5

// queryTerms returns the distinct content words of q, normalised.
func queryTerms(q string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range words(q) {
		if len(w) < 2 || stopwords[w] || extraStopwords[w] {
			continue
		}
		w = singular(w)
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// extraStopwords are words of questions that say nothing about the topic.
var extraStopwords = map[string]bool{
	"a": true, "an": true, "i": true, "me": true, "my": true, "is": true, "to": true, "of": true, "in": true,
	"on": true, "at": true, "or": true, "if": true, "do": true, "so": true, "we": true, "us": true, "be": true,
	"as": true, "by": true, "up": true, "it": true, "im": true, "can": true, "get": true, "hi": true,
	"hello": true, "thanks": true, "please": true, "need": true, "want": true, "help": true, "way": true,
}

// singular drops a final plural "s" ("parcels" → "parcel"), not from
// words ending in "ss" or "us" or shorter than four letters.
func singular(w string) string {
	if len(w) >= 4 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") {
		return w[:len(w)-1]
	}
	return w
}

// coverage is the share of terms found in text.
func coverage(terms []string, text string) float64 {
	if len(terms) == 0 {
		return 0
	}
	have := map[string]bool{}
	for _, w := range words(text) {
		have[singular(w)] = true
	}
	found := 0
	for _, t := range terms {
		if have[t] {
			found++
			continue
		}
		if len(t) >= 5 {
			for w := range have {
				if oneEdit(t, w) {
					found++
					break
				}
			}
		}
	}
	return float64(found) / float64(len(terms))
}

// lexicalCoverage is the best coverage of the query's terms by one of the
// article's passages.
func lexicalCoverage(terms []string, h *helpium.ArticleHit) float64 {
	best := 0.0
	for _, p := range h.Passages {
		best = max(best, coverage(terms, p.Title+"\n"+p.Heading+"\n"+p.Text))
	}
	return best
}

// oneEdit reports whether a and b (ASCII or not) differ by exactly one
// insertion, deletion, substitution or swap of two neighbours.
func oneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	switch len(rb) - len(ra) {
	case 0:
		var diff []int
		for i := range ra {
			if ra[i] != rb[i] {
				diff = append(diff, i)
				if len(diff) > 2 {
					return false
				}
			}
		}
		switch len(diff) {
		case 1:
			return true
		case 2:
			i, j := diff[0], diff[1]
			return j == i+1 && ra[i] == rb[j] && ra[j] == rb[i]
		}
		return false
	case 1:
		i := 0
		for i < len(ra) && ra[i] == rb[i] {
			i++
		}
		return string(ra[i:]) == string(rb[i+1:])
	}
	return false
}
