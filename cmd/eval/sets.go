package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// dataset is one help center: articles and labelled queries, in the shape
// of ../shared/kb_dev/kb_dev.json (see evalsets/README.md).
type dataset struct {
	Name     string    `json:"name"`
	Articles []article `json:"articles"`
	Queries  []query   `json:"queries"`

	path  string // the file
	short string // the file's base name without .json, for tables
}

type article struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Body  string   `json:"body"`
	Tags  []string `json:"tags"`
}

type query struct {
	ID          string   `json:"id"`
	Query       string   `json:"query"`
	Relevant    []string `json:"relevant"`
	Kind        string   `json:"kind"`
	AnswerFacts []string `json:"answer_facts"`
}

// kinds are the query kinds a set may use.
var kinds = []string{"keyword", "no_answer", "paraphrase", "question", "typo"}

// loadSets reads the comma-separated files and globs of spec, in order,
// each checked with validate.
func loadSets(spec string) ([]*dataset, error) {
	var out []*dataset
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		paths, err := filepath.Glob(part)
		if err != nil {
			return nil, err
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("%s: no such file (kb_dev lives next to the repository, in ../shared/kb_dev)", part)
		}
		sort.Strings(paths)
		for _, p := range paths {
			ds, err := readSet(p)
			if err != nil {
				return nil, err
			}
			out = append(out, ds)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no evaluation sets in %q", spec)
	}
	return out, nil
}

func readSet(path string) (*dataset, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ds := &dataset{path: path, short: strings.TrimSuffix(filepath.Base(path), ".json")}
	if err := json.Unmarshal(raw, ds); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := ds.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ds, nil
}

// validate checks what the metrics rely on: unique article ids and titles
// (results are mapped back to articles by title), queries that name
// existing articles, known kinds, and answer facts found word for word in
// a relevant article.
func (ds *dataset) validate() error {
	if len(ds.Articles) == 0 || len(ds.Queries) == 0 {
		return fmt.Errorf("no articles or no queries")
	}
	text := map[string]string{}
	titles := map[string]bool{}
	for _, a := range ds.Articles {
		if a.ID == "" || strings.TrimSpace(a.Title) == "" || strings.TrimSpace(a.Body) == "" {
			return fmt.Errorf("article %q: id, title and body are required", a.ID)
		}
		if _, dup := text[a.ID]; dup {
			return fmt.Errorf("article id %s is used twice", a.ID)
		}
		if t := strings.ToLower(a.Title); titles[t] {
			return fmt.Errorf("title %q is used twice", a.Title)
		} else {
			titles[t] = true
		}
		text[a.ID] = strings.ToLower(a.Title + "\n" + a.Body)
	}
	ids := map[string]bool{}
	for _, q := range ds.Queries {
		switch {
		case q.ID == "" || ids[q.ID]:
			return fmt.Errorf("query id %q is empty or used twice", q.ID)
		case !contains(kinds, q.Kind):
			return fmt.Errorf("query %s: unknown kind %q", q.ID, q.Kind)
		case strings.TrimSpace(q.Query) == "":
			return fmt.Errorf("query %s: empty", q.ID)
		case (q.Kind == "no_answer") != (len(q.Relevant) == 0):
			return fmt.Errorf("query %s: no_answer queries, and only they, have no relevant articles", q.ID)
		case len(q.Relevant) > 0 && len(q.AnswerFacts) == 0:
			return fmt.Errorf("query %s: answerable but no answer_facts", q.ID)
		}
		ids[q.ID] = true
		for _, r := range q.Relevant {
			if _, ok := text[r]; !ok {
				return fmt.Errorf("query %s: relevant article %s does not exist", q.ID, r)
			}
		}
		for _, f := range q.AnswerFacts {
			found := false
			for _, r := range q.Relevant {
				found = found || strings.Contains(text[r], strings.ToLower(f))
			}
			if !found {
				return fmt.Errorf("query %s: answer fact %q is in none of %v", q.ID, f, q.Relevant)
			}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
