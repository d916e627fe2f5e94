package service

import (
	"context"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/answer"
)

// answerCache remembers answers per workspace, locale and normalised
// question. A change to a workspace's index drops its entries (through
// Run), and a generation counter keeps an answer computed before the change
// from being stored after it.
type answerCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]answerEntry
	gen map[string]uint64 // per workspace
}

type answerEntry struct {
	workspaceID string
	answer      *helpium.Answer
	expires     time.Time
}

const maxCachedAnswers = 10_000

func newAnswerCache(ttl time.Duration) *answerCache {
	return &answerCache{ttl: ttl, m: make(map[string]answerEntry), gen: make(map[string]uint64)}
}

func (c *answerCache) get(key string, now time.Time) (*helpium.Answer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || now.After(e.expires) {
		return nil, false
	}
	return e.answer, true
}

func (c *answerCache) generation(workspaceID string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen[workspaceID]
}

func (c *answerCache) put(key, workspaceID string, a *helpium.Answer, now time.Time, gen uint64) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen[workspaceID] != gen {
		return
	}
	if len(c.m) >= maxCachedAnswers {
		c.m = make(map[string]answerEntry)
	}
	c.m[key] = answerEntry{workspaceID: workspaceID, answer: a, expires: now.Add(c.ttl)}
}

func (c *answerCache) forgetWorkspace(workspaceID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen[workspaceID]++
	for k, e := range c.m {
		if e.workspaceID == workspaceID {
			delete(c.m, k)
		}
	}
}

func (c *answerCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for ws := range c.gen {
		c.gen[ws]++
	}
	c.m = make(map[string]answerEntry)
}

// normalizeQuestion folds case, spacing and trailing punctuation, so
// "How do I reset my password?" and "how do i reset my password" share an
// answer.
func normalizeQuestion(q string) string {
	q = strings.Join(strings.Fields(strings.ToLower(q)), " ")
	return strings.TrimRightFunc(q, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
}

// answerSources is how many articles the answer step reads.
const answerSources = 5

// Answer writes an answer to a customer's question from the calling
// widget's workspace's published articles, citing them. When nothing
// relevant is found, or the confidence is below the workspace's threshold,
// it answers false with the workspace's fallback message for the locale.
// Returns EInvalid for a bad query or locale and ESearchUnavailable when
// the index cannot be reached. Answers are cached until the workspace's
// knowledge base changes or the cache TTL passes.
func (s *Knowledge) Answer(ctx context.Context, in helpium.AnswerInput) (*helpium.Answer, error) {
	ws, agent, err := s.knowledgeWorkspace(ctx, in.WorkspaceID)
	if err != nil {
		return nil, err
	}
	if agent && in.WidgetToken != nil {
		return nil, helpium.Invalid("widgetToken", "widgetToken is for the widget: an agent's answer is the one any customer would get")
	}
	limit := answerSources
	q, err := helpium.SearchInput{Query: in.Query, Locale: in.Locale, Limit: &limit}.Validate(ws.Widget.Locale)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	defer func() { s.metrics.ObserveSearch("answer", time.Since(start)) }()

	if !agent {
		if err := helpium.ValidateInstallationID(in.InstallationID); err != nil {
			return nil, err
		}
		if in.WidgetToken != nil && *in.WidgetToken != "" {
			c, err := s.widgetConversation(ctx, *in.WidgetToken)
			if err != nil {
				return nil, err
			}
			if !c.AIMayAnswer() {
				return &helpium.Answer{Text: helpium.HandedOverMessage(q.Locale), Sources: []helpium.AnswerSource{},
					Generator: helpium.GeneratorNone, HandedOver: true}, nil
			}
		}
	}
	a, err := s.answer(ctx, ws, in, q)
	if err != nil || agent {
		return a, err
	}
	return s.keepAnswer(ctx, ws, in, q, a)
}

// answer writes the answer to q, or takes it from the cache.
func (s *Knowledge) answer(ctx context.Context, ws *helpium.Workspace, in helpium.AnswerInput, q helpium.SearchQuery) (*helpium.Answer, error) {
	if a := s.actions.answerWithActions(ctx, ws, in); a != nil {
		return a, nil // customer-specific: never cached
	}

	key := ws.ID + "\x00" + q.Locale + "\x00" + normalizeQuestion(q.Text)
	if a, ok := s.answers.get(key, s.now()); ok {
		s.metrics.AnswerCache(true)
		return a, nil
	}
	s.metrics.AnswerCache(false)
	gen := s.answers.generation(ws.ID)

	settings, err := s.store.FindAnswerSettings(ctx, ws.ID)
	if err != nil {
		return nil, err
	}
	found, err := s.search(ctx, ws.ID, q)
	if err != nil {
		return nil, err
	}
	out := &helpium.Answer{Sources: []helpium.AnswerSource{}, Confidence: answer.Confidence(found.Hits), Generator: helpium.GeneratorNone}
	if len(found.Hits) > 0 && out.Confidence >= settings.Threshold {
		res, err := s.generator.Generate(ctx, answer.Request{Query: q.Text, Hits: found.Hits})
		if err != nil {
			return nil, err
		}
		out.Generator = res.Generator
		if res.Answered {
			out.Answered, out.Text, out.Sources = true, res.Text, res.Sources
		}
	}
	if !out.Answered {
		out.Text = settings.Fallback(q.Locale)
	}
	out.Confidence = helpium.RoundScore(out.Confidence)
	s.answers.put(key, ws.ID, out, s.now(), gen)
	return out, nil
}

// AnswerSettings returns a workspace's answer settings to its agents.
func (s *Knowledge) AnswerSettings(ctx context.Context, workspaceID string) (*helpium.AnswerSettings, error) {
	if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAgent); err != nil {
		return nil, err
	}
	st, err := s.store.FindAnswerSettings(ctx, workspaceID)
	return &st, err
}

// UpdateAnswerSettings changes a workspace's answer threshold and fallback
// messages (nil keeps a value). Admins only.
func (s *Knowledge) UpdateAnswerSettings(ctx context.Context, workspaceID string, threshold *float64, fallback map[string]string) (*helpium.AnswerSettings, error) {
	if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAdmin); err != nil {
		return nil, err
	}
	st, err := s.store.FindAnswerSettings(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	if threshold != nil {
		st.Threshold = *threshold
	}
	if fallback != nil {
		st.FallbackMessages = fallback
	}
	if err := st.Validate(); err != nil {
		return nil, err
	}
	if err := s.store.SaveAnswerSettings(ctx, workspaceID, st, s.clock()); err != nil {
		return nil, err
	}
	s.answers.forgetWorkspace(workspaceID)
	return &st, nil
}
