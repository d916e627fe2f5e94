package search

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestChunkMarkdown(t *testing.T) {
	long := strings.Repeat("Lockers keep parcels for seven days. ", 30) // ~1100 chars
	tests := []struct {
		name string
		body string
		max  int
		want []Chunk
	}{
		{
			name: "intro and sections",
			body: "Intro line.\n\n## First step\nDo **this** and [that](https://x.test).\n\n## Second\n- one\n* two",
			want: []Chunk{
				{N: 0, Text: "Intro line."},
				{N: 1, Heading: "First step", Text: "Do this and that."},
				{N: 2, Heading: "Second", Text: "- one\n- two"},
			},
		},
		{
			name: "table rows become lines, rule dropped",
			body: "## Statuses\n| Status | Meaning |\n|---|---|\n| Announced | Label made |\n| *Delivered* | Handed over |",
			want: []Chunk{{N: 0, Heading: "Statuses", Text: "Status: Meaning\nAnnounced: Label made\nDelivered: Handed over"}},
		},
		{
			name: "paragraphs fill a chunk up to max",
			body: "## H\naaaa aaaa aaaa\n\nbbbb bbbb bbbb\n\ncccc cccc cccc",
			max:  30,
			want: []Chunk{
				{N: 0, Heading: "H", Text: "aaaa aaaa aaaa\nbbbb bbbb bbbb"},
				{N: 1, Heading: "H", Text: "cccc cccc cccc"},
			},
		},
		{
			name: "heading without text, setext-free, trailing hashes",
			body: "# Title ##\n\n## Empty\n## Next\ntext",
			want: []Chunk{
				{N: 0, Heading: "Title"},
				{N: 1, Heading: "Empty"},
				{N: 2, Heading: "Next", Text: "text"},
			},
		},
		{
			name: "fenced code kept verbatim, headings inside ignored",
			body: "## Code\n```\n# not a heading\nx = 1\n```",
			want: []Chunk{{N: 0, Heading: "Code", Text: "# not a heading\nx = 1"}},
		},
		{
			name: "crlf and blank body",
			body: "\r\n\r\n",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ChunkMarkdown(tt.body, ChunkOptions{MaxChars: tt.max})
			if len(got) != len(tt.want) {
				t.Fatalf("got %d chunks %#v, want %d %#v", len(got), got, len(tt.want), tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("chunk %d = %#v, want %#v", i, got[i], tt.want[i])
				}
			}
		})
	}

	t.Run("long paragraph splits at sentences within max", func(t *testing.T) {
		got := ChunkMarkdown("## Long\n"+long, ChunkOptions{MaxChars: 300})
		if len(got) < 4 {
			t.Fatalf("got %d chunks, want at least 4", len(got))
		}
		var joined []string
		for i, c := range got {
			if c.N != i || c.Heading != "Long" {
				t.Errorf("chunk %d: N=%d heading=%q", i, c.N, c.Heading)
			}
			if n := utf8.RuneCountInString(c.Text); n > 300 {
				t.Errorf("chunk %d has %d characters", i, n)
			}
			if !strings.HasSuffix(c.Text, ".") {
				t.Errorf("chunk %d does not end at a sentence: %q", i, c.Text)
			}
			joined = append(joined, c.Text)
		}
		if strings.Join(joined, " ") != strings.TrimSpace(long) {
			t.Error("split lost or changed text")
		}
	})
	t.Run("a word longer than max is cut", func(t *testing.T) {
		got := ChunkMarkdown(strings.Repeat("x", 1000), ChunkOptions{MaxChars: 300})
		if len(got) != 4 || utf8.RuneCountInString(got[0].Text) != 300 {
			t.Fatalf("got %d chunks, first %d chars", len(got), utf8.RuneCountInString(got[0].Text))
		}
	})
}

func TestSnippet(t *testing.T) {
	text := "First line about nothing much at all.\nYour pickup code is valid for seven days after delivery.\n" + strings.Repeat("Filler words here. ", 30)
	tests := []struct {
		name, text, query string
		wantPrefix        string
	}{
		{"short text unchanged", "Short.", "x", "Short."},
		{"starts at the best line", text, "pickup code", "Your pickup code is valid"},
		{"no match starts at the top", text, "zzz", "First line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Snippet(tt.text, tt.query, 300)
			if !strings.HasPrefix(got, tt.wantPrefix) {
				t.Errorf("Snippet = %q, want prefix %q", got, tt.wantPrefix)
			}
			if n := utf8.RuneCountInString(got); n > 300 {
				t.Errorf("Snippet has %d characters", n)
			}
		})
	}
	if got := Snippet(text, "pickup", 300); !strings.HasSuffix(got, "…") {
		t.Errorf("shortened snippet %q has no ellipsis", got)
	}
}

func TestChunkID(t *testing.T) {
	a, b := ChunkID("0191f3a4-0000-7000-8000-000000000001", 0), ChunkID("0191f3a4-0000-7000-8000-000000000001", 1)
	if a == b || a != ChunkID("0191f3a4-0000-7000-8000-000000000001", 0) {
		t.Fatalf("chunk ids not deterministic and distinct: %s %s", a, b)
	}
	if a[14] != '5' {
		t.Errorf("chunk id %s is not a version 5 UUID", a)
	}
}
