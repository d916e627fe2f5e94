package search

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Chunk is one indexed piece of an article: a section under a heading, or
// part of one when the section is long. Text is plain text; the article's
// title travels with every chunk when it is indexed and embedded.
type Chunk struct {
	// N numbers the chunks of an article from 0.
	N       int
	Heading string
	Text    string
}

// ChunkOptions bounds chunk sizes, in characters.
type ChunkOptions struct {
	// MaxChars is the size a chunk is filled up to; blocks (paragraphs,
	// lists, tables) are never split unless one alone is larger.
	MaxChars int
}

// DefaultChunkOptions were chosen with `make eval` (see EVAL.md): 700
// characters keep most sections of a help article whole. The default
// embedder reads up to 256 tokens, so it sees the whole of such a chunk
// with its title and heading.
var DefaultChunkOptions = ChunkOptions{MaxChars: 700}

var (
	headingLine  = regexp.MustCompile(`^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
	fenceLine    = regexp.MustCompile("^ {0,3}(```|~~~)")
	tableRule    = regexp.MustCompile(`^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$`)
	image        = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	link         = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
	autolink     = regexp.MustCompile(`<(https?://[^>\s]+)>`)
	emphasis     = regexp.MustCompile(`(\*\*|__)(.+?)(\*\*|__)`)
	italic       = regexp.MustCompile(`(^|[^\w*])[*_]([^*_\s][^*_]*?)[*_]($|[^\w*])`)
	code         = regexp.MustCompile("`([^`]*)`")
	htmlTag      = regexp.MustCompile(`</?[a-zA-Z][^>]*>`)
	sentenceEnd  = regexp.MustCompile(`[.!?](\s+)`)
	spaces       = regexp.MustCompile(`[ \t]+`)
	blockquote   = regexp.MustCompile(`^\s*>\s?`)
	bulletMarker = regexp.MustCompile(`^(\s*)[*+]\s+`)
)

type section struct {
	heading string
	blocks  []string
}

// ChunkMarkdown splits a Markdown body into chunks along headings and
// paragraphs. Each heading starts a new chunk; a section longer than
// opt.MaxChars is split between blocks, and a single longer block between
// sentences (or, failing that, words).
func ChunkMarkdown(body string, opt ChunkOptions) []Chunk {
	if opt.MaxChars <= 0 {
		opt = DefaultChunkOptions
	}
	var chunks []Chunk
	for _, s := range sections(body) {
		var cur []string
		size := 0
		flush := func() {
			if len(cur) > 0 {
				chunks = append(chunks, Chunk{N: len(chunks), Heading: s.heading, Text: strings.Join(cur, "\n")})
				cur, size = nil, 0
			}
		}
		for _, b := range s.blocks {
			n := utf8.RuneCountInString(b)
			if size > 0 && size+1+n > opt.MaxChars {
				flush()
			}
			if n <= opt.MaxChars {
				cur, size = append(cur, b), size+n+1
				continue
			}
			for _, piece := range splitLong(b, opt.MaxChars) {
				flush()
				cur, size = []string{piece}, utf8.RuneCountInString(piece)
			}
		}
		flush()
		if len(s.blocks) == 0 && s.heading != "" {
			// A heading with nothing under it still names a topic.
			chunks = append(chunks, Chunk{N: len(chunks), Heading: s.heading})
		}
	}
	return chunks
}

// sections parses body into sections of plain-text blocks.
func sections(body string) []section {
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n")
	var out []section
	cur := section{}
	var block []string
	inFence := false
	endBlock := func() {
		if t := plainBlock(block); t != "" {
			cur.blocks = append(cur.blocks, t)
		}
		block = nil
	}
	for _, line := range strings.Split(body, "\n") {
		if fenceLine.MatchString(line) {
			inFence = !inFence
			continue
		}
		if inFence {
			block = append(block, line)
			continue
		}
		if m := headingLine.FindStringSubmatch(line); m != nil {
			endBlock()
			if cur.heading != "" || len(cur.blocks) > 0 {
				out = append(out, cur)
			}
			cur = section{heading: inline(m[2])}
			continue
		}
		if strings.TrimSpace(line) == "" {
			endBlock()
			continue
		}
		block = append(block, line)
	}
	endBlock()
	if cur.heading != "" || len(cur.blocks) > 0 {
		out = append(out, cur)
	}
	return out
}

// plainBlock turns one Markdown block into plain text: tables become one
// "cell: cell" line per row, list items keep their markers, emphasis and
// link syntax go.
func plainBlock(lines []string) string {
	var out []string
	for _, l := range lines {
		l = blockquote.ReplaceAllString(l, "")
		if tableRule.MatchString(l) {
			continue
		}
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "|") || strings.Count(t, "|") >= 2 {
			cells := strings.Split(strings.Trim(t, "|"), "|")
			var parts []string
			for _, c := range cells {
				if c = inline(c); c != "" {
					parts = append(parts, c)
				}
			}
			l = strings.Join(parts, ": ")
		} else {
			l = bulletMarker.ReplaceAllString(l, "$1- ")
			l = inline(l)
		}
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// inline removes inline Markdown from one line.
func inline(s string) string {
	s = image.ReplaceAllString(s, "$1")
	s = link.ReplaceAllString(s, "$1")
	s = autolink.ReplaceAllString(s, "$1")
	s = code.ReplaceAllString(s, "$1")
	for i := 0; i < 2; i++ {
		s = emphasis.ReplaceAllString(s, "$2")
		s = italic.ReplaceAllString(s, "$1$2$3")
	}
	s = htmlTag.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, `\`, "")
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}

// splitLong cuts a block longer than max into pieces of at most max
// characters, at line or sentence ends where possible, else between words.
func splitLong(s string, max int) []string {
	var units []string
	for _, line := range strings.Split(s, "\n") {
		last := 0
		for _, m := range sentenceEnd.FindAllStringSubmatchIndex(line, -1) {
			units = append(units, line[last:m[2]])
			last = m[3]
		}
		units = append(units, line[last:])
	}
	var out []string
	var cur strings.Builder
	for _, u := range units {
		for utf8.RuneCountInString(u) > max {
			cut := wordCut(u, max)
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			out = append(out, strings.TrimSpace(u[:cut]))
			u = strings.TrimSpace(u[cut:])
		}
		if cur.Len() > 0 && utf8.RuneCountInString(cur.String())+1+utf8.RuneCountInString(u) > max {
			out = append(out, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(u)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// wordCut returns a byte offset at most max runes into s, at a space if
// there is one in the second half.
func wordCut(s string, max int) int {
	end, n := 0, 0
	for i := range s {
		if n == max {
			end = i
			break
		}
		n++
	}
	if end == 0 {
		return len(s)
	}
	if sp := strings.LastIndexByte(s[:end], ' '); sp > end/2 {
		return sp
	}
	return end
}

// Snippet returns at most max characters of text, preferring the lines
// that share the most words with query, cut at a word boundary with an
// ellipsis when shortened.
func Snippet(text, query string, max int) string {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) <= max {
		return text
	}
	terms := termSet(query)
	lines := strings.Split(text, "\n")
	best, bestScore := 0, -1
	for i := range lines {
		score := 0
		for _, w := range words(lines[i]) {
			if terms[w] {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	// Start at the best line and fill up with the following ones.
	out := strings.Join(lines[best:], " ")
	if best > 0 && utf8.RuneCountInString(out) < max/2 {
		out = strings.Join(lines, " ")
	}
	if utf8.RuneCountInString(out) <= max {
		return out
	}
	cut := wordCut(out, max-1)
	return strings.TrimRight(out[:cut], " ,;:-") + "…"
}

func termSet(s string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range words(s) {
		if len(w) > 2 && !stopwords[w] {
			m[w] = true
		}
	}
	return m
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	})
}

var stopwords = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`the and for are but not you your with this that have from they will would there their what when where which who how can could should about into than then them these those was were been being its it's our out any all also just more some such only own same very does did doing has had having here why may might must shall`) {
		m[w] = true
	}
	return m
}()
