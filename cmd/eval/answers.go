package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// answerOutcome is one query's answer.
type answerOutcome struct {
	Query      string        `json:"query_id"`
	Answered   bool          `json:"answered"`
	Text       string        `json:"answer"`
	Sources    []string      `json:"sources"`
	Confidence float64       `json:"confidence"`
	Latency    time.Duration `json:"latency_ns"`
	q          query
}

func answerAll(base, key string, ds *dataset) ([]answerOutcome, error) {
	byTitle := ds.byTitle()
	if _, err := postAnswer(base, key, "warm up"); err != nil {
		return nil, err
	}
	var outs []answerOutcome
	for _, q := range ds.Queries {
		t0 := time.Now()
		a, err := postAnswer(base, key, q.Query)
		if err != nil {
			return nil, fmt.Errorf("answer %s: %w", q.ID, err)
		}
		o := answerOutcome{Query: q.ID, Answered: a.Answered, Confidence: a.Confidence, Latency: time.Since(t0), q: q}
		if a.Answered {
			o.Text = a.Answer
			for _, s := range a.Sources {
				o.Sources = append(o.Sources, byTitle[strings.ToLower(s.Title)])
			}
		}
		outs = append(outs, o)
	}
	return outs, nil
}

type answerResponse struct {
	Answered bool   `json:"answered"`
	Answer   string `json:"answer"`
	Sources  []struct {
		Title string `json:"title"`
	} `json:"sources"`
	Confidence float64 `json:"confidence"`
}

func postAnswer(base, key, q string) (*answerResponse, error) {
	var out answerResponse
	return &out, post(base+"/api/customer/search/answer", map[string]string{"X-API-Key": key}, map[string]any{"query": q}, &out)
}

// setThreshold changes the workspace's answer threshold as its owner.
func setThreshold(base, token, workspaceID string, t float64) error {
	var out struct {
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	err := post(base+"/graphql", map[string]string{"Authorization": "Bearer " + token}, map[string]any{
		"query":     `mutation($w: ID!, $t: Float) { updateAnswerSettings(workspaceId: $w, threshold: $t) { threshold } }`,
		"variables": map[string]any{"w": workspaceID, "t": t},
	}, &out)
	if err == nil && len(out.Errors) > 0 {
		err = errors.New(out.Errors[0].Message)
	}
	if err != nil {
		return fmt.Errorf("updateAnswerSettings: %w", err)
	}
	return nil
}

func dumpAnswers(path string, systems []*system) error {
	m := map[string]map[string]any{}
	for _, s := range systems {
		for _, r := range s.runs {
			if r.answers != nil {
				if m[s.name] == nil {
					m[s.name] = map[string]any{}
				}
				m[s.name][r.set.short] = map[string]any{"default": r.answers, "threshold0": r.raw}
			}
		}
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, raw, 0o644)
}

// answerMetrics are the answer numbers of one set at one threshold.
type answerMetrics struct {
	facts, abstained, refused float64
	factsFound, factsAll      int
	answerable, noAnswer      int
	p50, p95                  time.Duration
}

// factsIn returns the facts of q contained (case-insensitive) in text.
func factsIn(q query, text string) (in, out []string) {
	low := strings.ToLower(text)
	for _, f := range q.AnswerFacts {
		if strings.Contains(low, strings.ToLower(f)) {
			in = append(in, f)
		} else {
			out = append(out, f)
		}
	}
	return in, out
}

// scoreAnswers computes the metrics of outs, counting an answer as given
// only when its confidence reaches threshold (pass 0 to take the answers
// as the server gave them).
func scoreAnswers(outs []answerOutcome, threshold float64) answerMetrics {
	var m answerMetrics
	var lats []time.Duration
	for _, o := range outs {
		lats = append(lats, o.Latency)
		answered := o.Answered && o.Confidence >= threshold
		if len(o.q.Relevant) == 0 {
			m.noAnswer++
			if !answered {
				m.abstained++
			}
			continue
		}
		m.answerable++
		m.factsAll += len(o.q.AnswerFacts)
		if !answered {
			m.refused++
			continue
		}
		in, _ := factsIn(o.q, o.Text)
		m.factsFound += len(in)
	}
	if m.factsAll > 0 {
		m.facts = float64(m.factsFound) / float64(m.factsAll)
	}
	if m.noAnswer > 0 {
		m.abstained /= float64(m.noAnswer)
	}
	if m.answerable > 0 {
		m.refused /= float64(m.answerable)
	}
	m.p50, m.p95 = percentiles(lats)
	return m
}

func percentiles(lats []time.Duration) (p50, p95 time.Duration) {
	if len(lats) == 0 {
		return 0, 0
	}
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	return lats[(len(lats)-1)*50/100], lats[(len(lats)-1)*95/100]
}
