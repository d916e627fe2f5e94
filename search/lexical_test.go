package search

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/helpium/helpium"
)

func TestOneEdit(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"cancle", "cancel", true},   // swapped neighbours
		{"recieve", "receive", true}, // swapped neighbours
		{"instalation", "installation", true},
		{"refnd", "refund", true},   // dropped letter
		{"refundd", "refund", true}, // doubled letter
		{"pakage", "package", true},
		{"parcel", "parcel", false},    // equal is not one edit
		{"cancel", "cancelled", false}, // three letters apart
		{"abcd", "badc", false},        // two swaps
		{"café", "cafe", true},         // runes, not bytes
		{"", "a", true},
	} {
		if got := oneEdit(c.a, c.b); got != c.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := oneEdit(c.b, c.a); got != c.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v (symmetric)", c.b, c.a, got, c.want)
		}
	}
}

func TestCoverage(t *testing.T) {
	text := "Cancel your plan\nTo cancel, open Settings → Billing. Refunds reach your card within 5 days."
	for _, c := range []struct {
		query string
		want  float64
	}{
		{"cancel", 1},
		{"how do I cancel my plan?", 1},    // question words are not terms
		{"cancle plans", 1},                // a typo and a plural
		{"refund card", 1},                 // "refunds" matches "refund"
		{"cancel gym membership", 1.0 / 3}, // one of three
		{"the and of", 0},                  // no content words at all
		{"pet insurance", 0},
	} {
		if got := coverage(queryTerms(c.query), text); got != c.want {
			t.Errorf("coverage(%q) = %.3f, want %.3f (terms %v)", c.query, got, c.want, queryTerms(c.query))
		}
	}
	h := &helpium.ArticleHit{Passages: []*helpium.Passage{
		{Title: "Cancel your plan", Text: "Open Settings."},
		{Title: "Cancel your plan", Heading: "Refunds", Text: "Money back within 5 days."},
	}}
	if got := lexicalCoverage(queryTerms("cancel refund"), h); got != 1 {
		t.Errorf("lexicalCoverage over passages = %.2f, want 1 (title and heading count)", got)
	}
}

func TestSearchTerms(t *testing.T) {
	for q, want := range map[string][]string{
		"It's charged my card twice for March!": {"charged", "my", "card", "twice", "march"},
		"2FA / SSO setup":                       {"2fa", "sso", "setup"},
		"the and a":                             nil,
		"x":                                     {"x"},
		"refund refund REFUND":                  {"refund"},
		"5 € Zürich":                            {"5", "zürich"},
	} {
		if got := searchTerms(q); !slices.Equal(got, want) {
			t.Errorf("searchTerms(%q) = %q, want %q", q, got, want)
		}
	}
}

// TestFuse checks the fusion of a search's lists: each side min-max
// normalised over its own list, weighed alpha and 1-alpha, the word side
// summed over the query's words, a chunk absent from a side scoring 0 there.
func TestFuse(t *testing.T) {
	hit := func(id, art string, dist, score string) *chunkHit {
		return &chunkHit{ArticleID: art, Add: chunkMeta{ID: id, Distance: jsonNumber(dist), Score: jsonNumber(score)}}
	}
	lists := map[string][]*chunkHit{
		"v":  {hit("a", "A", "0.2", ""), hit("b", "B", "0.6", ""), hit("c", "C", "0.4", "")},
		"t0": {hit("b", "B", "", "3"), hit("d", "D", "", "1")},
		"t1": {hit("b", "B", "", "1"), hit("d", "D", "", "1")},
	}
	got := fuse(lists, 0.6, true)
	want := map[string]float64{
		"a": 0.6 * 1,       // best vector, no words
		"b": 0.6*0 + 0.4*1, // worst vector, best words (4)
		"c": 0.6 * 0.5,     // middle vector
		"d": 0.4 * 0,       // words only, the lower sum (2)
	}
	var order []string
	for _, c := range got {
		order = append(order, c.id)
		if d := c.fused - want[c.id]; d > 1e-9 || d < -1e-9 {
			t.Errorf("chunk %s fused %.4f, want %.4f", c.id, c.fused, want[c.id])
		}
	}
	if !slices.Equal(order, []string{"a", "b", "c", "d"}) {
		t.Errorf("order %v, want [a b c d]", order)
	}
	if c := got[0]; !c.hasSim || c.similarity != 0.8 {
		t.Errorf("chunk a: similarity %v (has %v), want 0.8 from distance 0.2", c.similarity, c.hasSim)
	}
	if c := got[3]; c.hasSim {
		t.Errorf("chunk d came from the word side only but has a similarity")
	}
	// Without a vector, the word side alone decides, at full weight.
	delete(lists, "v")
	if got := fuse(lists, 0.6, false); got[0].id != "b" || got[0].fused != 1 {
		t.Errorf("words only: first %s with %.2f, want b with 1", got[0].id, got[0].fused)
	}
}

func jsonNumber(s string) (n json.Number) { return json.Number(s) }

// TestQueryWordByWord: on a BlockMax WAND collection the BM25 side is one
// query per word (the last one taking the words past maxTerms); otherwise
// one query of all the words.
func TestQueryWordByWord(t *testing.T) {
	x := &Index{class: "C"}
	q := helpium.SearchQuery{Text: "Reset my 2FA password, please!", Locale: "en", Limit: 5}
	count := func(gql string) int { return strings.Count(gql, "bm25:") }
	if got := x.Query("ws", q, nil); count(got) != 1 || !strings.Contains(got, `query: "reset my 2fa password please"`) {
		t.Errorf("map index: %d BM25 queries in %s, want one of every word", count(got), got)
	}
	x.wordByWord.Store(true)
	if got := x.Query("ws", q, nil); count(got) != 5 || !strings.Contains(got, `t4: C(`) {
		t.Errorf("BlockMax WAND: %d BM25 queries, want one per word (5)", count(got))
	}
	long := helpium.SearchQuery{Text: "a1 b2 c3 d4 e5 f6 g7 h8 i9 j10 k11 l12 m13 n14 o15 p16 q17 r18", Locale: "en", Limit: 5}
	if got := x.Query("ws", long, nil); count(got) != maxTerms || !strings.Contains(got, `query: "p16 q17 r18"`) {
		t.Errorf("long query: %d BM25 queries, want %d with the rest together", count(got), maxTerms)
	}
}
