package main

import (
	"strings"
	"testing"
)

// TestCommittedSetsAreValid checks the evaluation sets in evalsets/: make
// eval refuses a set that fails validate, so a broken edit shows here.
func TestCommittedSetsAreValid(t *testing.T) {
	sets, err := loadSets("../../evalsets/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) < 2 {
		t.Fatalf("%d sets in evalsets/, want at least 2", len(sets))
	}
	for _, ds := range sets {
		counts := map[string]int{}
		for _, q := range ds.Queries {
			counts[q.Kind]++
		}
		if len(ds.Articles) < 30 || len(ds.Queries) < 80 || counts["no_answer"] < 8 {
			t.Errorf("%s: %d articles, %d queries, %d no_answer; want at least 30, 80 and 8", ds.short, len(ds.Articles), len(ds.Queries), counts["no_answer"])
		}
		for _, k := range kinds {
			if counts[k] == 0 {
				t.Errorf("%s: no %s queries", ds.short, k)
			}
		}
	}
}

func TestValidateRejects(t *testing.T) {
	good := func() *dataset {
		return &dataset{
			Articles: []article{{ID: "a1", Title: "Reset your password", Body: "Tap **Forgot password** and wait 30 minutes."}},
			Queries: []query{
				{ID: "q1", Query: "forgot pw", Relevant: []string{"a1"}, Kind: "keyword", AnswerFacts: []string{"30 minutes"}},
				{ID: "q2", Query: "do you sell hats", Kind: "no_answer"},
			},
		}
	}
	if err := good().validate(); err != nil {
		t.Fatalf("valid set: %v", err)
	}
	for name, c := range map[string]struct {
		edit func(*dataset)
		want string
	}{
		"duplicate title": {func(d *dataset) {
			d.Articles = append(d.Articles, article{ID: "a2", Title: "RESET YOUR PASSWORD", Body: "x"})
		}, "used twice"},
		"unknown article":      {func(d *dataset) { d.Queries[0].Relevant = []string{"a9"} }, "does not exist"},
		"fact not verbatim":    {func(d *dataset) { d.Queries[0].AnswerFacts = []string{"40 minutes"} }, "in none of"},
		"unknown kind":         {func(d *dataset) { d.Queries[0].Kind = "vague" }, "unknown kind"},
		"answerable no_answer": {func(d *dataset) { d.Queries[1].Relevant = []string{"a1"} }, "no_answer queries"},
		"duplicate query id":   {func(d *dataset) { d.Queries[1].ID = "q1" }, "used twice"},
	} {
		d := good()
		c.edit(d)
		if err := d.validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: validate() = %v, want an error containing %q", name, err, c.want)
		}
	}
}
