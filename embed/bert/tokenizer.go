package bert

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The tokenizer is BERT's uncased WordPiece tokenizer, as Hugging Face's
// BertTokenizer (do_lower_case, tokenize_chinese_chars) runs it:
//
//   - clean: drop NUL, U+FFFD and control characters, turn every whitespace
//     character into a space;
//   - put spaces around CJK ideographs;
//   - split on whitespace; lower-case each word, decompose it (NFD) and drop
//     the combining marks (accents); split it again before and after every
//     punctuation character (ASCII symbols count as punctuation);
//   - WordPiece: cut each word greedily into the longest vocabulary pieces
//     from the left, continuations prefixed "##"; a word with no such cut,
//     or longer than maxWordChars characters, becomes [UNK].
//
// Token ids equal the reference's (testdata/reference.json).

const (
	maxWordChars = 100
	// maxInputBytes caps the text tokenised: the model reads at most a few
	// hundred tokens, which come from far fewer bytes, so a huge input cannot
	// cost unbounded time.
	maxInputBytes = 32 << 10
)

type tokenizer struct {
	vocab                  map[string]int32
	cls, sep, unk, padding int32
}

// readVocab returns the vocabulary's pieces in id order, from a vocab.txt
// (one piece per line) or a tokenizers tokenizer.json (a WordPiece model's
// piece-to-id map).
func readVocab(name string) ([]string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	base := filepath.Base(name)
	if !strings.HasSuffix(name, ".json") {
		var pieces []string
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			pieces = append(pieces, strings.TrimRight(sc.Text(), "\r"))
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", base, err)
		}
		return pieces, nil
	}
	var tj struct {
		Model struct {
			Type  string           `json:"type"`
			Vocab map[string]int32 `json:"vocab"`
		} `json:"model"`
	}
	if err := json.Unmarshal(b, &tj); err != nil {
		return nil, fmt.Errorf("%s: %w", base, err)
	}
	if tj.Model.Type != "WordPiece" {
		return nil, fmt.Errorf("%s: a %q model, want WordPiece", base, tj.Model.Type)
	}
	pieces := make([]string, len(tj.Model.Vocab))
	for p, id := range tj.Model.Vocab {
		if id < 0 || int(id) >= len(pieces) || pieces[id] != "" {
			return nil, fmt.Errorf("%s: vocabulary ids are not 0..%d, one each", base, len(pieces)-1)
		}
		pieces[id] = p
	}
	return pieces, nil
}

// newTokenizer makes the tokenizer of a vocabulary, pieces in id order (a
// repeated piece keeps its first id).
func newTokenizer(pieces []string) (*tokenizer, error) {
	t := &tokenizer{vocab: make(map[string]int32, len(pieces))}
	for id, piece := range pieces {
		if _, dup := t.vocab[piece]; !dup {
			t.vocab[piece] = int32(id)
		}
	}
	for _, s := range []struct {
		name string
		id   *int32
	}{{"[CLS]", &t.cls}, {"[SEP]", &t.sep}, {"[UNK]", &t.unk}, {"[PAD]", &t.padding}} {
		id, ok := t.vocab[s.name]
		if !ok {
			return nil, fmt.Errorf("vocabulary: no %s", s.name)
		}
		*s.id = id
	}
	return t, nil
}

// encode returns [CLS] text's tokens [SEP], cut to at most max ids with the
// [SEP] kept last.
func (t *tokenizer) encode(text string, max int) []int32 {
	ids := []int32{t.cls}
	for _, w := range basicTokens(text) {
		ids = t.wordPieces(ids, w)
		if len(ids) >= max-1 {
			ids = ids[:max-1]
			break
		}
	}
	return append(ids, t.sep)
}

// wordPieces appends word's WordPiece ids to ids.
func (t *tokenizer) wordPieces(ids []int32, word string) []int32 {
	if utf8.RuneCountInString(word) > maxWordChars {
		return append(ids, t.unk)
	}
	n := len(ids)
	var buf []byte
	for start := 0; start < len(word); {
		end := len(word)
		found := int32(-1)
		for end > start {
			buf = buf[:0]
			if start > 0 {
				buf = append(buf, "##"...)
			}
			buf = append(buf, word[start:end]...)
			if id, ok := t.vocab[string(buf)]; ok {
				found = id
				break
			}
			_, size := utf8.DecodeLastRuneInString(word[start:end])
			end -= size
		}
		if found < 0 {
			return append(ids[:n], t.unk)
		}
		ids = append(ids, found)
		start = end
	}
	return ids
}

// basicTokens splits text into lower-cased, accent-free words and
// punctuation characters.
func basicTokens(text string) []string {
	if len(text) > maxInputBytes {
		text = text[:maxInputBytes]
		for !utf8.ValidString(text) && len(text) > 0 { // do not cut a character in two
			text = text[:len(text)-1]
		}
	}
	var clean strings.Builder
	clean.Grow(len(text))
	for _, r := range text {
		switch {
		case r == 0 || r == utf8.RuneError || isControl(r):
		case isWhitespace(r):
			clean.WriteByte(' ')
		case isCJK(r):
			clean.WriteByte(' ')
			clean.WriteRune(r)
			clean.WriteByte(' ')
		default:
			clean.WriteRune(r)
		}
	}
	var out []string
	for _, w := range strings.Fields(clean.String()) {
		w = stripAccents(strings.ToLower(w))
		start := 0
		for i, r := range w {
			if isPunctuation(r) {
				if start < i {
					out = append(out, w[start:i])
				}
				out = append(out, string(r))
				start = i + utf8.RuneLen(r)
			}
		}
		if start < len(w) {
			out = append(out, w[start:])
		}
	}
	return out
}

// stripAccents decomposes s and drops its combining marks (category Mn).
func stripAccents(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isWhitespace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || unicode.Is(unicode.Zs, r)
}

func isControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
}

func isPunctuation(r rune) bool {
	if r >= 33 && r <= 47 || r >= 58 && r <= 64 || r >= 91 && r <= 96 || r >= 123 && r <= 126 {
		return true
	}
	return unicode.IsPunct(r)
}

func isCJK(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF || r >= 0x20000 && r <= 0x2A6DF ||
		r >= 0x2A700 && r <= 0x2B73F || r >= 0x2B740 && r <= 0x2B81F || r >= 0x2B820 && r <= 0x2CEAF ||
		r >= 0xF900 && r <= 0xFAFF || r >= 0x2F800 && r <= 0x2FA1F
}
