package search_test

import (
	"context"
	"testing"
	"time"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

// TestSpellingCorrection: a query word that neither the workspace's
// published articles nor English know is replaced by the articles' word
// one edit away; real words, other workspaces' words and drafts' words are
// left alone, and the words follow the articles as the indexer syncs them.
func TestSpellingCorrection(t *testing.T) {
	app, indexer := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{})
	index := indexer.Index()
	acme, globex := app.Workspace(t, "Acme"), app.Workspace(t, "Globex")
	draft := helpium.ArticleDraft
	glitter := article("glitter", "Glitterbomb packaging", "Our glitterbomb boxes ship flat.")
	glitter.Status = &draft
	quality := article("quality", "Quality checks", "Every box passes testing before it ships. Ledgr, our ledger app, records every check.")
	importKB(t, app, acme, append(helpCenter[:len(helpCenter):len(helpCenter)], quality, glitter))
	german := "de"
	garantie := article("gde", "Garantie", "Die Garantie gilt zwei Jahre.")
	garantie.Locale = &german
	importKB(t, app, globex, []helpium.ArticleInput{article("g", "Warranty", "Claim the manufacturer's warranty within a year."), garantie})

	ctx := context.Background()
	check := func(t *testing.T, ws *helpium.Workspace, query, want string) {
		t.Helper()
		got, err := index.Correct(ctx, ws.ID, "en", query)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("Correct(%q) = %q, want %q", query, got, want)
		}
	}
	for _, c := range []struct{ query, want string }{
		{"pasword", "password"},                          // a letter dropped
		{"Forgot PASWORD?", "Forgot password?"},          // case and punctuation
		{"refnud for my retrun", "refund for my return"}, // two swaps
		{"shippingg times", "shipping times"},            // a letter added
		{"warehouse recieves", "warehouse receives"},     // two letters swapped
		{"refumd", "refund"},                             // a letter changed
		{"password", "password"},                         // the articles' own word
		{"ledgr", "ledgr"},                               // the articles' own word, though not English
		{"shopping", "shopping"},                         // English, though an article has "shipping"
		{"texting me", "texting me"},                     // "text" is English; an article has "testing"
		{"paypals", "paypals"},                           // only its singular is near
		{"glitterbom", "glitterbom"},                     // a draft's word
		{"warrenty", "warrenty"},                         // another workspace's word
		{"xqzvw 15:00", "xqzvw 15:00"},                   // nothing near; figures left alone
		{"card", "card"},                                 // too short to correct
	} {
		check(t, acme, c.query, c.want)
	}
	check(t, globex, "warrenty", "warranty")
	if got, err := index.Correct(ctx, globex.ID, "de", "garantei"); err != nil || got != "garantei" {
		t.Errorf(`Correct("garantei") in German = %q, %v; want it unchanged: the lexicon is English`, got, err)
	}

	// Publishing the draft brings its words; deleting it takes them away.
	published := helpium.ArticlePublished
	glitter.Status = &published
	importKB(t, app, acme, []helpium.ArticleInput{glitter})
	check(t, acme, "glitterbom", "glitterbomb")
	got := restSearch(t, app, acme.APIKey, map[string]any{"query": "glitterbom"})
	if len(got.Results) == 0 || got.Results[0].Title != "Glitterbomb packaging" {
		t.Errorf("search for the corrected word: %v", got.titles())
	}
	store := db.NewStore(app.DB)
	found, err := store.FindArticlesByExternalIDs(ctx, acme.ID, []string{"glitter"})
	if err != nil || found["glitter"] == nil {
		t.Fatal(found, err)
	}
	if err := store.DeleteArticle(ctx, acme.ID, found["glitter"].ID); err != nil {
		t.Fatal(err)
	}
	app.WaitIndexed(t, acme.ID, time.Minute)
	check(t, acme, "glitterbom", "glitterbom")
}
