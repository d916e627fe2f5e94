package answer

import (
	"context"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/helpium/helpium"
)

// Extractive answers by quoting the passages' most relevant sentences and
// steps, in the order they appear, with citations. It never writes a word
// that is not in a passage.
type Extractive struct {
	// MaxWords caps the answer's length (about 150 words by default).
	MaxWords int
	// MaxSources caps how many articles one answer quotes.
	MaxSources int
	// SecondSource is how close (as a share of the best hit's score)
	// another hit must score to be quoted too.
	SecondSource float64
	// TopPassages is how many passages of the best hit are read; other
	// hits contribute their two best.
	TopPassages int
	// Cutoff drops units scoring below this share of the best unit.
	Cutoff float64
	// DetailBonus favours units with concrete details: figures, menu
	// paths, quoted UI labels.
	DetailBonus float64
	// Similarity, if set, scores each sentence and step by the similarity
	// of its embedding to the question's; without it, or when it fails,
	// by the question's words it contains.
	Similarity Similarity
}

// Similarity scores texts against a question: the cosine similarities of
// their embeddings (search.Index implements it).
type Similarity interface {
	Similarities(ctx context.Context, query string, texts []string) ([]float64, error)
}

// NewExtractive returns the default extractive generator.
func NewExtractive() *Extractive {
	return &Extractive{MaxWords: 150, MaxSources: 2, SecondSource: 0.95, TopPassages: 8, Cutoff: 0.1, DetailBonus: 0.1}
}

// unit is a sentence, or a list item with its place in its list.
type unit struct {
	source  int    // index into the answer's sources
	pos     int    // position in the source, for document order
	text    string // as written in the passage
	list    int    // >0: the id of the list this item belongs to
	lead    int    // >0: the id of the list this sentence introduces
	ordered bool   // a numbered step
	words   int
	// relevance is how well the unit matches the question (see
	// Similarity); score adds what its place and passage say.
	relevance, score float64
}

var (
	numbered = regexp.MustCompile(`^\s*\d+[.)]\s+`)
	bullet   = regexp.MustCompile(`^\s*[-*•]\s+`)
)

// Generate implements Generator.
func (e *Extractive) Generate(ctx context.Context, r Request) (*Result, error) {
	return e.answer(ctx, r), nil
}

func (e *Extractive) answer(ctx context.Context, r Request) *Result {
	res := &Result{Generator: helpium.GeneratorExtractive}
	if len(r.Hits) == 0 {
		return res
	}
	res.Confidence = Confidence(r.Hits)
	q := terms(r.Query)

	// Candidate articles: the best hit and those close to it.
	var hits []*helpium.ArticleHit
	for _, h := range r.Hits {
		if len(hits) == e.MaxSources {
			break
		}
		if len(hits) == 0 || h.Score >= r.Hits[0].Score*e.SecondSource {
			hits = append(hits, h)
		}
	}
	var units []*unit
	lists := 0
	for si, h := range hits {
		pos := 0
		for pi, p := range h.Passages {
			if (si == 0 && pi == max(e.TopPassages, 1)) || (si > 0 && pi == 2) {
				break
			}
			heading := terms(p.Heading + " " + p.Title)
			var prose []*unit // the units of the previous line, if it was prose
			for _, line := range strings.Split(p.Text, "\n") {
				line = strings.TrimSpace(line)
				if line == "" {
					continue
				}
				isNum, isBullet := numbered.MatchString(line), bullet.MatchString(line)
				var parts []string
				if isNum || isBullet {
					if pos == 0 || units[len(units)-1].list == 0 || units[len(units)-1].source != si || units[len(units)-1].ordered != isNum {
						lists++
						// A paragraph ending in a colon introduces the list
						// ("Go to Profile → Add. You can use:"): it goes
						// wherever the list goes.
						if n := len(prose); n > 0 && strings.HasSuffix(prose[n-1].text, ":") {
							for _, u := range prose {
								u.lead = lists
							}
						}
					}
					parts = []string{line}
				} else {
					parts = sentences(line)
				}
				prose = prose[:0]
				for _, s := range parts {
					u := &unit{source: si, pos: pos, text: s, ordered: isNum, words: len(strings.Fields(s))}
					if isNum || isBullet {
						u.list = lists
					}
					u.relevance = overlap(q, terms(s)) / math.Sqrt(float64(max(u.words, 4)))
					u.score = 0.15 * overlap(q, heading)
					u.score += 0.5 * p.Score
					if hasDetail(s) {
						u.score += e.DetailBonus
					}
					if pi == 0 && pos < 2 {
						u.score += 0.05 // a section's opening usually states its point
					}
					units = append(units, u)
					if u.list == 0 {
						prose = append(prose, u)
					}
					pos++
				}
			}
		}
	}
	if len(units) == 0 {
		return res
	}
	e.semanticRelevance(ctx, r.Query, units)
	for _, u := range units {
		u.score += u.relevance
	}

	// Pick the best units; a chosen step brings its whole list, so steps
	// are never cut out of their sequence.
	ranked := append([]*unit(nil), units...)
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].score > ranked[j].score })
	chosen := map[*unit]bool{}
	seen := map[string]bool{}
	words := 0
	add := func(u *unit) bool {
		key := normalize(u.text)
		if chosen[u] || seen[key] {
			return true
		}
		if words+u.words > e.MaxWords && words > 0 {
			return false
		}
		chosen[u], seen[key] = true, true
		words += u.words
		return true
	}
	for _, u := range ranked {
		if words >= e.MaxWords {
			break
		}
		if words > 0 && u.score < e.Cutoff*ranked[0].score {
			break // the rest is much weaker than what we have
		}
		if l := max(u.list, u.lead); l > 0 {
			// A list comes whole, after its lead-in.
			for _, v := range units {
				if (v.lead == l || v.list == l) && !add(v) {
					break
				}
			}
			continue
		}
		add(u)
	}

	// Sources in citation order: the order of their first chosen unit's
	// rank; units within a source in document order.
	order := []int{}
	inOrder := map[int]bool{}
	for _, u := range ranked {
		if chosen[u] && !inOrder[u.source] {
			inOrder[u.source] = true
			order = append(order, u.source)
		}
	}
	// Render each source's chosen units as blocks — a paragraph of
	// consecutive sentences or one list — each ending with its citation.
	var blocks []string
	for n, si := range order {
		h := hits[si]
		res.Sources = append(res.Sources, helpium.AnswerSource{ArticleID: h.ArticleID, Title: h.Title, URL: h.URL})
		cite := " [" + itoa(n+1) + "]"
		var cur []string
		curList, curPos := -1, -2
		flush := func() {
			if len(cur) == 0 {
				return
			}
			sep := " "
			if curList > 0 {
				sep = "\n"
			}
			blocks = append(blocks, strings.Join(cur, sep)+cite)
			cur = nil
		}
		for _, u := range units {
			if u.source != si || !chosen[u] {
				continue
			}
			if u.list != curList || u.pos != curPos+1 {
				flush()
			}
			cur = append(cur, u.text)
			curList, curPos = u.list, u.pos
		}
		flush()
	}
	res.Text = strings.Join(blocks, "\n\n")
	res.Answered = res.Text != ""
	return res
}

// semanticRelevance sets each unit's relevance to its similarity to the
// question, when e has a Similarity that answers. Measured on every
// evaluation set, this quotes more of the facts a question asks for than
// counting its words (EVAL.md).
func (e *Extractive) semanticRelevance(ctx context.Context, query string, units []*unit) {
	if e.Similarity == nil {
		return
	}
	texts := make([]string, len(units))
	for i, u := range units {
		texts[i] = u.text
	}
	sims, err := e.Similarity.Similarities(ctx, query, texts)
	if err != nil || len(sims) != len(units) {
		return // the words' count stays: an answer still beats none
	}
	for i, u := range units {
		u.relevance = sims[i]
	}
}

// Confidence is how likely the best hit is to answer the question, 0 to 1.
// With an embedder it is a logistic function of two numbers (see
// Features): how similar the best hit is to the question, and how far it
// stands above the next ones. An unanswerable question on the help
// center's topic finds articles about as similar as an answerable one
// does, but rarely one that stands out. The weights were fitted on the
// evaluation sets, leaving each set out in turn (EVAL.md, make eval
// -calibrate); they are the same for every workspace. Without an embedder
// (no similarities) it is the best hit's search score.
func Confidence(hits []*helpium.ArticleHit) float64 {
	if len(hits) == 0 {
		return 0
	}
	best, gap, ok := Features(hits)
	if !ok {
		return math.Max(0, math.Min(1, hits[0].Score))
	}
	return 1 / (1 + math.Exp(-(confidenceBias + confidenceBest*best + confidenceGap*gap)))
}

// The confidence rule's weights (make eval -calibrate).
const (
	confidenceBias = -1.29
	confidenceBest = 0.24
	confidenceGap  = 15.02
	// featureHits is how many hits Features reads.
	featureHits = 5
)

// Features returns the similarity of the best hit (its most similar
// passage) and its gap: that similarity minus the mean of the next
// featureHits-1 hits', where a hit the search did not return counts at the
// search's relevance threshold (helpium.DefaultMinSimilarity), the most
// it could have had. ok is false when the hits carry no similarities.
func Features(hits []*helpium.ArticleHit) (best, gap float64, ok bool) {
	sims := make([]float64, 0, featureHits)
	for _, h := range hits[:min(len(hits), featureHits)] {
		s := 0.0
		for _, p := range h.Passages {
			s = math.Max(s, p.Similarity)
		}
		sims = append(sims, s)
	}
	if len(sims) == 0 || sims[0] == 0 {
		return 0, 0, false
	}
	for len(sims) < featureHits {
		sims = append(sims, helpium.DefaultMinSimilarity)
	}
	rest := 0.0
	for _, s := range sims[1:] {
		rest += s
	}
	best = sims[0]
	return best, best - rest/float64(len(sims)-1), true
}

// hasDetail reports whether s carries a concrete detail a customer acts
// on: a figure, an amount or a menu path. (Passages are plain text, so
// bold labels are not seen.)
func hasDetail(s string) bool {
	return strings.ContainsAny(s, "0123456789→€$£%") || strings.Contains(s, "->")
}

// sentences splits prose at sentence ends: . ! or ? followed by a space and
// a capital, digit or quote. Menu paths (Settings → Channels) and
// abbreviations followed by lower case stay whole.
func sentences(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	for i := 0; i < len(rs)-2; i++ {
		if (rs[i] == '.' || rs[i] == '!' || rs[i] == '?') && rs[i+1] == ' ' &&
			(unicode.IsUpper(rs[i+2]) || unicode.IsDigit(rs[i+2]) || rs[i+2] == '"') {
			out = append(out, strings.TrimSpace(string(rs[start:i+1])))
			start = i + 2
		}
	}
	if rest := strings.TrimSpace(string(rs[start:])); rest != "" {
		out = append(out, rest)
	}
	return out
}

var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an and are as at be but by can could did do does doing for from had has have
		how i if in into is it its me my no not of on or our so than that the their them then there these they
		this to too up us was we were what when where which who why will with would you your yours it's i'm
		im dont don't cant can't want need please help hi hello thanks get got`) {
		stopwords[w] = true
	}
}

// terms returns the content words of s, lower-cased and crudely stemmed.
func terms(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	}) {
		w = strings.Trim(w, "'")
		if len(w) < 2 || stopwords[w] {
			continue
		}
		out[stem(w)] = true
	}
	return out
}

func stem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s"} {
		if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

// overlap counts the query's terms present in t.
func overlap(q, t map[string]bool) float64 {
	n := 0.0
	for w := range q {
		if t[w] {
			n++
		}
	}
	return n
}

func normalize(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
