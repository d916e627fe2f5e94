package use

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// The tokenizer reproduces the SentencePiece-style segmentation of the
// reference implementation (@energetic-ai/embeddings 0.2.0, itself a port of
// the TF.js universal-sentence-encoder tokenizer), including its quirks:
//
//   - the text is NFKC-normalised, then "▁" (U+2581) is prepended and every
//     ASCII space (only U+0020; tabs and newlines are left alone) becomes "▁";
//     no lower-casing; an empty text yields no tokens;
//   - the lattice holds every vocabulary piece (ids 6 and up; ids 0-5 are
//     reserved) that starts at each code point; where none starts, a single
//     code point of score 0 and id 0 (unknown) is used instead;
//   - the Viterbi pass keeps, per end position, the candidate with the highest
//     summed score, where a later candidate wins ties, candidates are visited
//     by ascending start position, and a best score of exactly 0 counts as
//     "unset" (so it is always replaced);
//   - the back-trace steps back by the UTF-16 length of the chosen piece
//     (JavaScript string length), and runs of consecutive unknown ids are
//     merged into one.

const (
	reservedSymbols = 6        // ids 0..5: "�", "<s>", "</s>", extra_token_id_1..3
	unknownID       = 0        // id of unknown code points
	wordBoundary    = "\u2581" // "▁"

	// maxInputBytes caps the UTF-8 length of a text before tokenisation, so a
	// huge input cannot cost unbounded time. The model only uses the first
	// MaxTokens tokens, which even in the worst case for this vocabulary
	// (16-code-point pieces) come from the first ~2,000 code points; only a
	// text with a run of thousands of unknown characters near its start could
	// tokenise differently from the reference after this cut.
	maxInputBytes = 64 << 10
)

// vocabEntry is one [piece, score] pair of vocab.json.
type vocabEntry struct {
	Piece string
	Score float64
}

func (e *vocabEntry) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil {
		return err
	}
	if len(pair) != 2 {
		return fmt.Errorf("vocabulary entry %s: want [piece, score]", b)
	}
	if err := json.Unmarshal(pair[0], &e.Piece); err != nil {
		return err
	}
	return json.Unmarshal(pair[1], &e.Score)
}

// trieEntry is a piece of the vocabulary, or only a prefix of one (id < 0).
type trieEntry struct {
	id    int32
	score float64
}

type tokenizer struct {
	pieces   []vocabEntry
	trie     map[string]trieEntry // every piece and every prefix of a piece
	utf16Len []int32              // JavaScript length of each piece, by id
	maxRunes int                  // longest piece, in code points
	scratch  sync.Pool            // *tokScratch
}

type tokScratch struct {
	offs  []int
	best  []float64
	words []int32
	out   []int32
}

func newTokenizer(vocab []vocabEntry) (*tokenizer, error) {
	if len(vocab) <= reservedSymbols {
		return nil, fmt.Errorf("vocabulary has %d entries", len(vocab))
	}
	t := &tokenizer{
		pieces:   vocab,
		trie:     make(map[string]trieEntry, 3*len(vocab)),
		utf16Len: make([]int32, len(vocab)),
	}
	for id, e := range vocab {
		n := 0
		for _, r := range e.Piece {
			n += utf16.RuneLen(r)
		}
		t.utf16Len[id] = int32(n)
	}
	for id := reservedSymbols; id < len(vocab); id++ {
		p := vocab[id].Piece
		if p == "" {
			continue
		}
		if n := utf8.RuneCountInString(p); n > t.maxRunes {
			t.maxRunes = n
		}
		// Register the proper prefixes (trie nodes) without overwriting a
		// piece, then the piece itself; a later duplicate piece wins, as in
		// the reference trie.
		for i := range p {
			if i == 0 {
				continue
			}
			if _, ok := t.trie[p[:i]]; !ok {
				t.trie[p[:i]] = trieEntry{id: -1}
			}
		}
		t.trie[p] = trieEntry{id: int32(id), score: vocab[id].Score}
	}
	t.scratch.New = func() any { return new(tokScratch) }
	return t, nil
}

// preprocess applies the reference's input transformation.
func preprocess(text string) string {
	if len(text) > maxInputBytes {
		cut := maxInputBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	s := nfkc(text)
	if s == "" {
		return ""
	}
	return wordBoundary + strings.ReplaceAll(s, " ", wordBoundary)
}

// encode returns the token ids of text, appended to dst.
func (t *tokenizer) encode(dst []int32, text string) []int32 {
	s := preprocess(text)
	if s == "" {
		return dst
	}
	sc := t.scratch.Get().(*tokScratch)
	defer t.scratch.Put(sc)

	offs := sc.offs[:0]
	for i := range s {
		offs = append(offs, i)
	}
	n := len(offs)
	offs = append(offs, len(s))
	sc.offs = offs

	best := growF64(sc.best, n+1)
	words := growI32(sc.words, n+1)
	sc.best, sc.words = best, words
	for i := range best {
		best[i] = 0
		words[i] = 0
	}
	relax := func(end int, score float64, id int32) {
		if best[end] == 0 || score >= best[end] {
			best[end] = score
			words[end] = id
		}
	}
	// Candidates are pushed by ascending start; best[i] is final when start i
	// is reached, and each end position sees its candidates in the same
	// order as the reference's pull loop.
	for i := 0; i < n; i++ {
		matched := false
		for k := 1; k <= t.maxRunes && i+k <= n; k++ {
			e, ok := t.trie[s[offs[i]:offs[i+k]]]
			if !ok {
				break
			}
			if e.id < 0 {
				continue
			}
			matched = true
			relax(i+k, e.score+best[i], e.id)
		}
		if !matched {
			relax(i+1, best[i], unknownID)
		}
	}

	out := sc.out[:0]
	for it := n; it > 0; it -= int(t.utf16Len[words[it]]) {
		out = append(out, words[it])
	}
	sc.out = out
	prevUnknown := false
	for i := len(out) - 1; i >= 0; i-- {
		id := out[i]
		if !(prevUnknown && id == unknownID) {
			dst = append(dst, id)
		}
		prevUnknown = id == unknownID
	}
	return dst
}

// Tokenize returns the token ids the model would see for text, before the
// MaxTokens cap is applied.
func (m *Model) Tokenize(text string) []int32 {
	return m.tok.encode(nil, text)
}

func growF64(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n, n+n/2)
	}
	return s[:n]
}

func growI32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n, n+n/2)
	}
	return s[:n]
}
