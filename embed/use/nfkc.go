package use

import (
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// This file implements Unicode Normalization Form KC (UAX #15) with the
// standard library only. The reference tokenizer calls
// String.prototype.normalize("NFKC") before segmenting, so the Go tokenizer
// must do the same to produce identical token ids for non-ASCII input. The
// data tables (nfkc_tables.go) are generated from the Node.js that runs the
// reference implementation; see testdata/reference/gennfkc.mjs.

// Hangul syllable constants (Unicode chapter 3.12).
const (
	hangulSBase  = 0xAC00
	hangulLBase  = 0x1100
	hangulVBase  = 0x1161
	hangulTBase  = 0x11A7
	hangulLCount = 19
	hangulVCount = 21
	hangulTCount = 28
	hangulNCount = hangulVCount * hangulTCount
	hangulSCount = hangulLCount * hangulNCount
)

type nfkcData struct {
	decomp map[rune]string // full compatibility decomposition
	ccc    map[rune]uint8  // ordering rank of non-starters; starters are absent
	comp   map[[2]rune]rune
}

var (
	nfkcOnce   sync.Once
	nfkcTables *nfkcData
)

func loadNFKC() *nfkcData {
	nfkcOnce.Do(func() {
		d := &nfkcData{
			decomp: make(map[rune]string, 6000),
			ccc:    make(map[rune]uint8, 1000),
			comp:   make(map[[2]rune]rune, 1000),
		}
		for rest := nfkdData; rest != ""; {
			key, n := utf8.DecodeRuneInString(rest)
			end := strings.IndexByte(rest, 0)
			d.decomp[key] = rest[n:end]
			rest = rest[end+1:]
		}
		for rest := cccData; rest != ""; {
			r, n := utf8.DecodeRuneInString(rest)
			d.ccc[r] = rest[n]
			rest = rest[n+1:]
		}
		for rest := compData; rest != ""; {
			var t [3]rune
			for i := range t {
				r, n := utf8.DecodeRuneInString(rest)
				t[i] = r
				rest = rest[n:]
			}
			d.comp[[2]rune{t[0], t[1]}] = t[2]
		}
		nfkcTables = d
	})
	return nfkcTables
}

// isASCII reports whether s has only ASCII bytes (NFKC leaves those as they are).
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// nfkc returns the NFKC normal form of s. Invalid UTF-8 bytes are read as
// U+FFFD.
func nfkc(s string) string {
	if isASCII(s) {
		return s
	}
	t := loadNFKC()

	// 1. Full compatibility decomposition.
	buf := make([]rune, 0, len(s)+8)
	for _, r := range s {
		if r >= hangulSBase && r < hangulSBase+hangulSCount {
			si := r - hangulSBase
			buf = append(buf, hangulLBase+si/hangulNCount, hangulVBase+(si%hangulNCount)/hangulTCount)
			if ti := si % hangulTCount; ti != 0 {
				buf = append(buf, hangulTBase+ti)
			}
			continue
		}
		if d, ok := t.decomp[r]; ok {
			for _, dr := range d {
				buf = append(buf, dr)
			}
			continue
		}
		buf = append(buf, r)
	}

	// 2. Canonical ordering: stable sort of every run of non-starters.
	for i := 0; i < len(buf); {
		if t.ccc[buf[i]] == 0 {
			i++
			continue
		}
		j := i + 1
		for j < len(buf) && t.ccc[buf[j]] != 0 {
			j++
		}
		if j-i > 1 {
			run := buf[i:j]
			sort.SliceStable(run, func(a, b int) bool { return t.ccc[run[a]] < t.ccc[run[b]] })
		}
		i = j
	}

	// 3. Canonical composition.
	out := buf[:0]
	starter := -1 // index in out of the last starter
	for _, r := range buf {
		cc := t.ccc[r]
		if starter >= 0 {
			last := len(out) - 1
			if last == starter || t.ccc[out[last]] < cc {
				if c, ok := composePair(t, out[starter], r); ok {
					out[starter] = c
					continue
				}
			}
		}
		if cc == 0 {
			starter = len(out)
		}
		out = append(out, r)
	}
	return string(out)
}

func composePair(t *nfkcData, a, b rune) (rune, bool) {
	// Hangul L+V and LV+T.
	if a >= hangulLBase && a < hangulLBase+hangulLCount && b >= hangulVBase && b < hangulVBase+hangulVCount {
		return hangulSBase + ((a-hangulLBase)*hangulVCount+(b-hangulVBase))*hangulTCount, true
	}
	if a >= hangulSBase && a < hangulSBase+hangulSCount && (a-hangulSBase)%hangulTCount == 0 &&
		b > hangulTBase && b < hangulTBase+hangulTCount {
		return a + (b - hangulTBase), true
	}
	c, ok := t.comp[[2]rune{a, b}]
	return c, ok
}
