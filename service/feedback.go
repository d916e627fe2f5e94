package service

import (
	"context"
	"encoding/base64"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
)

// keepAnswer stores the answer a widget is given and returns a copy
// carrying its id, for the customer's vote and a handover. A failure to
// store it is logged, not returned: the customer still gets the answer.
func (s *Knowledge) keepAnswer(ctx context.Context, ws *helpium.Workspace, in helpium.AnswerInput, q helpium.SearchQuery, a *helpium.Answer) (*helpium.Answer, error) {
	rec := &helpium.AnswerRecord{
		ID: uuid.Must(uuid.NewV7()).String(), WorkspaceID: ws.ID, Question: q.Text, Locale: q.Locale,
		Answer: *a, InstallationID: in.InstallationID, CreatedAt: s.clock(),
	}
	if err := s.store.InsertAnswer(ctx, rec); err != nil {
		s.log.WarnContext(ctx, "keeping an answer failed", "err", err)
		return a, nil
	}
	kept := *a
	kept.ID = &rec.ID
	return &kept, nil
}

// RateAnswer records the customer's vote on an answer their widget was
// given: helpful or not, with an optional comment. Voting again replaces
// the vote. Returns ENotFound for an answer of another workspace.
func (s *Knowledge) RateAnswer(ctx context.Context, answerID string, helpful bool, comment *string) (*helpium.AnswerFeedback, error) {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.rates.Charge(ctx, RateSendMessage); err != nil {
		return nil, err
	}
	if !helpium.ValidID(answerID) {
		return nil, helpium.Errorf(helpium.ENotFound, "Answer not found.")
	}
	if comment, err = helpium.CleanComment("comment", comment); err != nil {
		return nil, err
	}
	return s.store.SaveAnswerFeedback(ctx, ws.ID, answerID, helpful, comment, s.clock())
}

// HandOver is the customer's "Talk to a person" after an AI answer: the
// conversation named by the token (or a new one) gets the question and the
// answer the customer saw, marked as the AI's, and, the first time, a note
// that a person is taking over; from then on the AI does not answer in it.
// Handing over the same answer again changes nothing and returns the same
// conversation and token. It charges the limit on starting conversations.
func (s *Knowledge) HandOver(ctx context.Context, in helpium.HandoverInput) (*helpium.NewConversation, error) {
	ws, err := helpium.WidgetWorkspace(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.rates.Charge(ctx, RateCreateConversation); err != nil {
		return nil, err
	}
	if !helpium.ValidID(in.AnswerID) {
		return nil, helpium.Errorf(helpium.ENotFound, "Answer not found.")
	}
	if err := helpium.ValidateInstallationID(in.InstallationID); err != nil {
		return nil, err
	}
	rec, err := s.store.FindAnswer(ctx, ws.ID, in.AnswerID)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	msg := func(author helpium.AuthorKind, body string) *helpium.Message {
		return &helpium.Message{ID: uuid.Must(uuid.NewV7()).String(), WorkspaceID: ws.ID, Author: author, Body: body, AnswerID: &rec.ID, CreatedAt: now}
	}
	h := db.Handover{
		WorkspaceID: ws.ID, AnswerID: rec.ID, Now: now,
		Question: msg(helpium.AuthorCustomer, rec.Question),
		Answer:   msg(helpium.AuthorBot, helpium.HandoverBody(rec.Answer)),
		Note:     msg(helpium.AuthorSystem, helpium.HandoverNote),
	}
	h.Note.AnswerID = nil
	token := ""
	if in.Token != nil && *in.Token != "" { // "" is none, as for answers
		token = *in.Token
		if h.TokenHash, err = widgetTokenHash(token); err != nil {
			return nil, err
		}
	} else {
		// The token is derived from the answer under the server's secret,
		// so a retry of a handover whose response was lost gets it again.
		token = widgetTokenPrefix + base64.RawURLEncoding.EncodeToString(s.secrets.MAC("helpium handover token", []byte(ws.ID+"|"+rec.ID)))
		h.NewTokenHash = helpium.HashToken(token)
		h.Conversation = &helpium.Conversation{ID: uuid.Must(uuid.NewV7()).String(), InstallationID: in.InstallationID}
	}
	conv, question, created, err := s.store.HandOver(ctx, h)
	if err != nil {
		return nil, err
	}
	question.Attachments = []*helpium.Attachment{}
	return &helpium.NewConversation{Conversation: conv, Message: question, WidgetToken: token, Created: created}, nil
}

// Answers lists a workspace's kept AI answers for its agents, newest
// first: those voted on when helpful is set.
func (s *Knowledge) Answers(ctx context.Context, workspaceID string, f helpium.AnswerFilter) ([]*helpium.AnswerRecord, error) {
	if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAgent); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		return nil, helpium.Invalid("first", "first must be between 1 and 200")
	}
	if f.To.IsZero() {
		f.To = s.clock().Add(time.Second)
	}
	if !f.To.After(f.From) {
		return nil, helpium.Invalid("to", "to must be after from")
	}
	return s.store.FindAnswers(ctx, workspaceID, f)
}

// Content-gap report bounds: the questions read, the groups shown, and the
// examples and articles per group.
const (
	gapQuestions = 1000
	gapClusters  = 20
	gapExamples  = 3
	gapArticles  = 3
)

// ContentGaps reports, for a workspace's admins, the questions asked in
// [from, to) that the help center left unanswered (refused, or voted
// "no"), grouped by meaning with the search's embedder, each group with a
// few examples and the articles that came closest; and the deflection
// rate of the AI answers given in the period.
func (s *Knowledge) ContentGaps(ctx context.Context, workspaceID string, from, to time.Time) (*helpium.ContentGapReport, error) {
	if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAdmin); err != nil {
		return nil, err
	}
	if !to.After(from) {
		return nil, helpium.Invalid("to", "to must be after from")
	}
	if s.searcher == nil {
		return nil, helpium.Errorf(helpium.ESearchUnavailable, "Search is not configured on this server.")
	}
	rep := &helpium.ContentGapReport{From: from, To: to, Clusters: []*helpium.ContentGapCluster{}}
	var err error
	if rep.Deflection.Answers, rep.Deflection.LedToConversation, err = s.store.Deflection(ctx, workspaceID, from, to, helpium.DeflectionWindow); err != nil {
		return nil, err
	}
	recs, err := s.store.FindGapQuestions(ctx, workspaceID, from, to, gapQuestions)
	if err != nil {
		return nil, err
	}
	rep.Questions = len(recs)
	// Repeats of a question (as normalised for the answer cache) count once
	// for clustering, with their number as weight.
	var texts, locales []string
	var weights []int
	seen := map[string]int{}
	for _, r := range recs {
		key := normalizeQuestion(r.Question)
		if i, ok := seen[key]; ok {
			weights[i]++
			continue
		}
		seen[key] = len(texts)
		texts, locales, weights = append(texts, r.Question), append(locales, r.Locale), append(weights, 1)
	}
	vecs, err := s.searcher.EmbedQueries(ctx, texts)
	if err != nil {
		return nil, err
	}
	var groups [][]int
	if vecs == nil { // keyword search only: repeats group, nothing else
		for i := range texts {
			groups = append(groups, []int{i})
		}
	} else {
		groups = helpium.Cluster(vecs, weights, helpium.ClusterThreshold)
	}
	for _, g := range groups[:min(len(groups), gapClusters)] {
		c := &helpium.ContentGapCluster{}
		for _, i := range g {
			c.Size += weights[i]
			if len(c.Examples) < gapExamples {
				c.Examples = append(c.Examples, texts[i])
			}
		}
		found, err := s.search(ctx, workspaceID, helpium.SearchQuery{Text: texts[g[0]], Limit: gapArticles, Locale: locales[g[0]]})
		if err != nil {
			return nil, err
		}
		c.Articles = found.Results
		rep.Clusters = append(rep.Clusters, c)
	}
	return rep, nil
}
