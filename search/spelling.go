package search

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Spelling correction. A query word of five letters or more that no
// article of the help center contains and that is not an English word
// either is taken for a typo ("cancle", "subscripton") and replaced, before
// both sides of the search run, by the help center's word one edit away
// (see oneEdit) that the most articles contain. Real words the help
// center does not use ("texting", "shopping") are left alone, and so is a
// word whose only neighbour is its own plural or singular. EVAL.md has the
// measurements. Only English queries are corrected.

// Lexicon tells real words from typos. The default embedder's vocabulary
// is one; without a lexicon queries are not corrected.
type Lexicon interface {
	Known(word string) bool
}

// WordStore keeps the distinct words of each published article under its
// locale (PostgreSQL's article_words, written by the indexer; a deleted
// article's words go with it).
type WordStore interface {
	SetArticleWords(ctx context.Context, workspaceID, articleID string, words []string) error
	CountArticleWords(ctx context.Context, workspaceID, locale string, words []string) (map[string]int, error)
}

const (
	// minTypo is the shortest word corrected, in letters.
	minTypo = 5
	// minStored is the shortest word kept: a five-letter typo can be a
	// four-letter word with a letter added.
	minStored = minTypo - 1
	// maxSuspects bounds the words of one query looked up (a typo has some
	// 50 neighbours per letter).
	maxSuspects = 8
)

var wordRun = regexp.MustCompile(`[\p{L}\p{N}]+`)

// articleWords returns the distinct lower-cased words of an article's
// title and chunks that correction may suggest.
func articleWords(title string, chunks []Chunk) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		for _, w := range wordRun.FindAllString(strings.ToLower(s), -1) {
			if !seen[w] && utf8.RuneCountInString(w) >= minStored && !hasDigit(w) {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	add(title)
	for _, c := range chunks {
		add(c.Heading)
		add(c.Text)
	}
	slices.Sort(out)
	return out
}

// Correct returns text with its typos replaced (see above); text itself
// when nothing needs correcting. It asks the store at most twice: whether
// the articles contain the suspect words (most are the help center's own
// terms, such as "refund" or "login"), and for those they do not, which of
// their neighbours they contain.
func (x *Index) Correct(ctx context.Context, workspaceID, locale, text string) (string, error) {
	if x.opt.Lexicon == nil || x.opt.Words == nil || !english(locale) {
		return text, nil
	}
	var suspects []string
	for _, w := range wordRun.FindAllString(strings.ToLower(text), -1) {
		if len(suspects) < maxSuspects && utf8.RuneCountInString(w) >= minTypo && !hasDigit(w) && !slices.Contains(suspects, w) && !x.known(w) {
			suspects = append(suspects, w)
		}
	}
	if len(suspects) == 0 {
		return text, nil
	}
	own, err := x.opt.Words.CountArticleWords(ctx, workspaceID, locale, suspects)
	if err != nil {
		return "", err
	}
	edits := map[string][]string{} // typo -> its neighbours
	var lookup []string
	for _, w := range suspects {
		if own[w] == 0 {
			edits[w] = neighbours(w)
			lookup = append(lookup, edits[w]...)
		}
	}
	if len(edits) == 0 {
		return text, nil
	}
	counts, err := x.opt.Words.CountArticleWords(ctx, workspaceID, locale, lookup)
	if err != nil {
		return "", err
	}
	fix := map[string]string{}
	for w, ns := range edits {
		best := ""
		for _, n := range ns {
			if c := counts[n]; c > counts[best] || c > 0 && c == counts[best] && n < best {
				best = n
			}
		}
		if best != "" {
			fix[w] = best
		}
	}
	if len(fix) == 0 {
		return text, nil
	}
	return wordRun.ReplaceAllStringFunc(text, func(w string) string {
		if f, ok := fix[strings.ToLower(w)]; ok {
			return f
		}
		return w
	}), nil
}

// known reports whether w is in the lexicon, or a regular inflection of a
// word that is ("texting", "bails", "booked", "replies").
func (x *Index) known(w string) bool {
	if x.opt.Lexicon.Known(w) {
		return true
	}
	for _, suffix := range []string{"s", "es", "ed", "d", "ing", "ly", "er", "ers"} {
		if base, ok := strings.CutSuffix(w, suffix); ok && utf8.RuneCountInString(base) >= 3 && x.opt.Lexicon.Known(base) {
			return true
		}
	}
	if base, ok := strings.CutSuffix(w, "ing"); ok && x.opt.Lexicon.Known(base+"e") {
		return true
	}
	if base, ok := strings.CutSuffix(w, "ies"); ok && x.opt.Lexicon.Known(base+"y") {
		return true
	}
	return false
}

// neighbours returns the distinct strings one edit away from w (a letter
// dropped, added, changed, or two neighbours swapped; added and changed
// letters are a-z or w's own), except w's plural or singular.
func neighbours(w string) []string {
	rs := []rune(w)
	alphabet := []rune("abcdefghijklmnopqrstuvwxyz")
	for _, r := range rs {
		if !slices.Contains(alphabet, r) {
			alphabet = append(alphabet, r)
		}
	}
	seen := map[string]bool{w: true, w + "s": true}
	if s, ok := strings.CutSuffix(w, "s"); ok {
		seen[s] = true
	}
	var out []string
	add := func(parts ...[]rune) {
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(string(p))
		}
		if s := b.String(); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for i := 0; i <= len(rs); i++ {
		head, tail := rs[:i], rs[i:]
		if len(tail) > 0 {
			add(head, tail[1:]) // dropped
			if len(tail) > 1 {
				add(head, []rune{tail[1], tail[0]}, tail[2:]) // swapped
			}
		}
		for _, r := range alphabet {
			add(head, []rune{r}, tail) // added
			if len(tail) > 0 && r != tail[0] {
				add(head, []rune{r}, tail[1:]) // changed
			}
		}
	}
	return out
}

// english reports whether locale is English ("en", "en-GB"), the only
// language the lexicon knows: elsewhere a correct word would look like a
// typo.
func english(locale string) bool {
	return strings.EqualFold(locale, "en") || len(locale) > 3 && strings.EqualFold(locale[:3], "en-")
}

func hasDigit(w string) bool { return strings.IndexFunc(w, unicode.IsDigit) >= 0 }
