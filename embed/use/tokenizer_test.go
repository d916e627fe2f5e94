package use

import (
	"slices"
	"testing"
)

// Expected ids were produced by the reference Tokenizer
// (@energetic-ai/embeddings 0.2.0) with the same toy vocabulary. They pin its
// quirks: a later duplicate piece wins, ties go to the later candidate, runs
// of unknown code points merge into one id 0, and the back-trace steps by
// UTF-16 length, so a code point before an astral piece can be skipped.
func TestTokenizerQuirks(t *testing.T) {
	vocab := []vocabEntry{
		{"\ufffd", 0}, {"<s>", 0}, {"</s>", 0}, {"e1", 0}, {"e2", 0}, {"e3", 0},
		{"\u2581", -2}, {"a", -3}, {"b", -3}, {"ab", -5}, {"\u2581ab", -4}, {"c", -1}, {"abc", -6},
		{"\U0001F600", -1}, {"\U0001F600x", -2}, {"x", -1}, {"zz", 0}, {"z", -9}, {"ab", -7}, {"\u2581a", -6.5},
	}
	tok, err := newTokenizer(vocab)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in   string
		want []int32
	}{
		{"ab", []int32{10}},
		{"abc", []int32{10, 11}},
		{"a b", []int32{6, 7, 6, 8}},
		{"ab c", []int32{10, 6, 11}},
		{"\U0001F600", []int32{13}},
		{"\U0001F600x", []int32{13, 15}},
		{"x\U0001F600", []int32{6, 13}},
		{"qqq", []int32{6, 0}},
		{"q q", []int32{6, 0, 6, 0}},
		{"zz", []int32{6, 16}},
		{"zzz", []int32{6, 16, 17}},
		{"za", []int32{6, 17, 7}},
		{"", nil},
		{" ", []int32{6, 6}},
		{"a\U0001F600\U0001F600b", []int32{6, 7, 13, 8}},
		{"\u00e9\u00e9", []int32{6, 0}},
		{"abab", []int32{10, 7, 8}},
	}
	for _, c := range cases {
		if got := tok.encode(nil, c.in); !slices.Equal(got, c.want) {
			t.Errorf("encode(%+q) = %v, want %v", c.in, got, c.want)
		}
	}
}
