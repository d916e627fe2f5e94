package service

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/answer"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/metrics"
	"github.com/helpium/helpium/secret"
)

// Knowledge runs the knowledge base: articles, search, AI answers
// (answer.go), and what customers make of them: votes, handovers to a
// person and the content-gap report (feedback.go).
type Knowledge struct {
	base
	rates     *Rates   // votes and handovers are limited
	actions   *Actions // an answer may come from AI Actions
	searcher  Searcher
	generator answer.Generator
	answers   *answerCache
	secrets   *secret.Keyring // derives a handover's widget token
	metrics   *metrics.Metrics
}

// Searcher finds articles in a workspace's search index; search.Index
// implements it.
type Searcher interface {
	Search(ctx context.Context, workspaceID string, q helpium.SearchQuery) ([]*helpium.ArticleHit, error)
	// EmbedQueries returns the vectors of texts as the search embeds
	// queries, or nil without an embedder (keyword search only).
	EmbedQueries(ctx context.Context, texts []string) ([][]float32, error)
}

// Articles returns a page of a workspace's articles, newest first, for one
// of its agents.
func (s *Knowledge) Articles(ctx context.Context, workspaceID string, f helpium.ArticleFilter, page helpium.Page) (*helpium.ArticleConnection, error) {
	if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAgent); err != nil {
		return nil, err
	}
	f, err := f.Validate()
	if err != nil {
		return nil, err
	}
	conn, err := s.store.FindArticles(ctx, workspaceID, f, page)
	if err != nil {
		return nil, err
	}
	conn.Count = func() (int, error) { return s.store.CountArticles(ctx, workspaceID, f) }
	return conn, nil
}

// Article returns an article of one of the calling agent's workspaces.
// Returns ENotFound for any other.
func (s *Knowledge) Article(ctx context.Context, id string) (*helpium.Article, error) {
	a, err := helpium.AgentActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := helpium.CheckID("Article", id); err != nil {
		return nil, err
	}
	return s.store.FindArticleByID(ctx, db.Scope{AgentID: a.Agent.ID}, id)
}

// editableArticle returns an article the caller may change: it must be an
// admin of the article's workspace.
func (s *Knowledge) editableArticle(ctx context.Context, id string) (*helpium.Article, error) {
	art, err := s.Article(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.authorize(ctx, art.WorkspaceID, helpium.RoleAdmin); err != nil {
		return nil, err
	}
	return art, nil
}

// CreateArticle adds an article to a workspace; admins only. The locale
// defaults to the widget's. Returns EInvalid naming the field, and
// EConflict when the slug (per locale) or external id is taken.
func (s *Knowledge) CreateArticle(ctx context.Context, workspaceID string, in helpium.ArticleInput) (*helpium.Article, error) {
	if _, _, err := s.authorize(ctx, workspaceID, helpium.RoleAdmin); err != nil {
		return nil, err
	}
	ws, err := s.store.FindWorkspaceByID(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	return s.createArticle(ctx, ws, in)
}

func (s *Knowledge) createArticle(ctx context.Context, ws *helpium.Workspace, in helpium.ArticleInput) (*helpium.Article, error) {
	a, err := in.NewArticle(ws.ID, ws.Widget.Locale)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	a.ID, a.CreatedAt, a.UpdatedAt, a.UpdatedBy = uuid.Must(uuid.NewV7()).String(), now, now, actingAgent(ctx)
	if a.Status == helpium.ArticlePublished {
		a.PublishedAt = &now
	}
	if err := s.store.CreateArticle(ctx, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// UpdateArticle changes some fields of an article; admins only. Errors as
// for CreateArticle, and ENotFound.
func (s *Knowledge) UpdateArticle(ctx context.Context, id string, patch helpium.ArticlePatch) (*helpium.Article, error) {
	art, err := s.editableArticle(ctx, id)
	if err != nil {
		return nil, err
	}
	a, err := patch.Apply(*art).Normalize()
	if err != nil {
		return nil, err
	}
	if a.SameContent(art) {
		return art, nil
	}
	a.UpdatedAt, a.UpdatedBy = s.clock(), actingAgent(ctx)
	if err := s.store.UpdateArticle(ctx, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// SetArticleStatus publishes or unpublishes an article; admins only. Only
// published articles reach the widget's search.
func (s *Knowledge) SetArticleStatus(ctx context.Context, id string, status helpium.ArticleStatus) (*helpium.Article, error) {
	if !status.Valid() {
		return nil, helpium.Invalid("status", "status must be DRAFT or PUBLISHED")
	}
	a, err := s.editableArticle(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Status == status {
		return a, nil
	}
	now := s.clock()
	a.Status, a.UpdatedAt, a.UpdatedBy = status, now, actingAgent(ctx)
	if status == helpium.ArticlePublished {
		a.PublishedAt = &now
	}
	if err := s.store.UpdateArticle(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// DeleteArticle deletes an article and, through the outbox, its chunks in
// the search index; admins only.
func (s *Knowledge) DeleteArticle(ctx context.Context, id string) error {
	a, err := s.editableArticle(ctx, id)
	if err != nil {
		return err
	}
	return s.store.DeleteArticle(ctx, a.WorkspaceID, a.ID)
}

// ImportArticles creates or updates a workspace's articles by external id
// (each input must have one), skipping those that did not change. It is
// for operators (the `helpium kb import` command) and checks no actor:
// never expose it to a transport. Every input is validated before
// anything is written; errors name the field as articles[i].field.
func (s *Knowledge) ImportArticles(ctx context.Context, workspaceID string, in []helpium.ArticleInput) (*helpium.ImportResult, error) {
	ws, err := s.store.FindWorkspaceByID(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in))
	seen := make(map[string]bool, len(in))
	wanted := make([]helpium.Article, len(in))
	for i, a := range in {
		if a.ExternalID == nil || *a.ExternalID == "" {
			return nil, helpium.Invalid(fmt.Sprintf("articles[%d].id", i), "articles[%d].id is required", i)
		}
		if wanted[i], err = a.NewArticle(ws.ID, ws.Widget.Locale); err != nil {
			return nil, prefixField(err, fmt.Sprintf("articles[%d].", i))
		}
		ids[i] = *wanted[i].ExternalID
		if seen[ids[i]] {
			return nil, helpium.Invalid(fmt.Sprintf("articles[%d].id", i), "articles[%d].id %q appears twice", i, ids[i])
		}
		seen[ids[i]] = true
	}
	existing, err := s.store.FindArticlesByExternalIDs(ctx, ws.ID, ids)
	if err != nil {
		return nil, err
	}
	res := &helpium.ImportResult{}
	for i := range wanted {
		a := wanted[i]
		old := existing[ids[i]]
		if old == nil {
			if _, err := s.createArticle(ctx, ws, in[i]); err != nil {
				return res, prefixField(err, fmt.Sprintf("articles[%d].", i))
			}
			res.Created++
			continue
		}
		if a.SameContent(old) {
			res.Unchanged++
			continue
		}
		now := s.clock()
		a.ID, a.CreatedAt, a.UpdatedAt, a.PublishedAt, a.UpdatedBy = old.ID, old.CreatedAt, now, old.PublishedAt, actingAgent(ctx)
		if a.Status == helpium.ArticlePublished && old.Status != helpium.ArticlePublished {
			a.PublishedAt = &now
		}
		if err := s.store.UpdateArticle(ctx, &a); err != nil {
			return res, prefixField(err, fmt.Sprintf("articles[%d].", i))
		}
		res.Updated++
	}
	return res, nil
}

func prefixField(err error, prefix string) error {
	if e, ok := err.(*helpium.Error); ok && e.Field != "" {
		c := *e
		c.Field = prefix + e.Field
		c.Message = prefix + e.Message
		return &c
	}
	return err
}

// knowledgeWorkspace is the workspace whose knowledge base a search or an
// answer reads: for an agent the one named by workspaceID, of which they
// must be a member; for a widget its own (workspaceID, if given, must name
// it). agent says which.
func (s *Knowledge) knowledgeWorkspace(ctx context.Context, workspaceID *string) (ws *helpium.Workspace, agent bool, err error) {
	if a := helpium.ActorFrom(ctx); a != nil && a.Agent != nil {
		if workspaceID == nil {
			return nil, true, helpium.Invalid("workspaceId", "workspaceId is required for agents")
		}
		if _, _, err := s.authorize(ctx, *workspaceID, helpium.RoleAgent); err != nil {
			return nil, true, err
		}
		ws, err = s.store.FindWorkspaceByID(ctx, *workspaceID)
		return ws, true, err
	}
	if ws, err = helpium.WidgetWorkspace(ctx); err != nil {
		return nil, false, err
	}
	if workspaceID != nil && *workspaceID != ws.ID {
		return nil, false, helpium.Errorf(helpium.ENotFound, "Workspace not found.")
	}
	return ws, false, nil
}

// Search finds articles for the caller. A widget searches its own
// workspace's published articles (workspaceID must be nil, includeDrafts
// false); an agent names one of their workspaces and may include drafts.
// Returns EInvalid for a blank or overlong query, a bad limit or locale,
// and ESearchUnavailable when the search index cannot be reached. The
// result's Hits carry every matching passage with its score, for answer
// generation.
func (s *Knowledge) Search(ctx context.Context, in helpium.SearchInput) (*helpium.SearchResults, error) {
	ws, agent, err := s.knowledgeWorkspace(ctx, in.WorkspaceID)
	if err != nil {
		return nil, err
	}
	if in.IncludeDrafts && !agent {
		return nil, helpium.Errorf(helpium.EForbidden, "Only agents can search drafts.")
	}
	q, err := in.Validate(ws.Widget.Locale)
	if err != nil {
		return nil, err
	}
	return s.search(ctx, ws.ID, q)
}

func (s *Knowledge) search(ctx context.Context, workspaceID string, q helpium.SearchQuery) (*helpium.SearchResults, error) {
	if s.searcher == nil {
		return nil, helpium.Errorf(helpium.ESearchUnavailable, "Search is not configured on this server.")
	}
	start := time.Now()
	hits, err := s.searcher.Search(ctx, workspaceID, q)
	s.metrics.ObserveSearch("search", time.Since(start))
	if err != nil {
		return nil, err
	}
	out := &helpium.SearchResults{Results: make([]*helpium.SearchResult, len(hits)), Hits: hits}
	for i, h := range hits {
		out.Results[i] = &helpium.SearchResult{
			ArticleID: h.ArticleID, Title: h.Title, URL: h.URL, Snippet: h.Snippet, Score: helpium.RoundScore(h.Score),
		}
	}
	return out, nil
}
