package db_test

import (
	"maps"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
)

// TestArticleWords: the words kept for spelling correction are counted per
// workspace and locale, replaced with the article's, and gone with it.
func TestArticleWords(t *testing.T) {
	f := newFixture(t)
	acme, globex := f.workspace("Acme"), f.workspace("Globex")
	art := func(ws, locale string) string {
		a := &helpium.Article{ID: uuid.NewString(), WorkspaceID: ws, Title: "T", Body: "B", Slug: uuid.NewString(),
			Locale: locale, Status: helpium.ArticlePublished, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := f.store.CreateArticle(f.ctx, a); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	a1, a2, a3, de, other := art(acme, "en"), art(acme, "en"), art(acme, "en"), art(acme, "de"), art(globex, "en")
	set := func(ws, id string, words ...string) func() error {
		return func() error { return f.store.SetArticleWords(f.ctx, ws, id, words) }
	}
	lookup := []string{"refund", "parcel", "locker", "paket"}
	steps := []struct {
		name string
		do   func() error
		want map[string]int // Acme's counts in English
	}{
		{"nothing kept yet", nil, map[string]int{}},
		{"one article", set(acme, a1, "refund", "parcel"), map[string]int{"refund": 1, "parcel": 1}},
		{"a second article shares a word", set(acme, a2, "parcel", "locker"), map[string]int{"refund": 1, "parcel": 2, "locker": 1}},
		{"other locales and workspaces do not count", func() error {
			if err := set(acme, de, "paket", "parcel")(); err != nil {
				return err
			}
			return set(globex, other, "paket", "refund")()
		}, map[string]int{"refund": 1, "parcel": 2, "locker": 1}},
		{"a third article", set(acme, a3, "refund"), map[string]int{"refund": 2, "parcel": 2, "locker": 1}},
		{"another workspace's id neither writes nor removes an article's words", set(globex, a3, "paket"), map[string]int{"refund": 2, "parcel": 2, "locker": 1}},
		{"an article's words are replaced", set(acme, a1, "locker"), map[string]int{"refund": 1, "parcel": 1, "locker": 2}},
		{"no words removes them", set(acme, a2), map[string]int{"refund": 1, "locker": 1}},
		{"a deleted article's words go with it", func() error { return f.store.DeleteArticle(f.ctx, acme, a1) }, map[string]int{"refund": 1}},
		{"a deleted article gets none", set(acme, a1, "refund"), map[string]int{"refund": 1}},
	}
	for _, s := range steps {
		if s.do != nil {
			if err := s.do(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		got, err := f.store.CountArticleWords(f.ctx, acme, "en", lookup)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if !maps.Equal(got, s.want) {
			t.Errorf("%s: counts %v, want %v", s.name, got, s.want)
		}
	}
	if got, _ := f.store.CountArticleWords(f.ctx, globex, "en", lookup); !maps.Equal(got, map[string]int{"paket": 1, "refund": 1}) {
		t.Errorf("Globex's counts %v", got)
	}
}
