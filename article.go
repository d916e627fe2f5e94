package helpium

import (
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ArticleStatus says whether customers can see an article.
type ArticleStatus string

// Article statuses.
const (
	ArticleDraft     ArticleStatus = "draft"
	ArticlePublished ArticleStatus = "published"
)

// Valid reports whether s is a known status.
func (s ArticleStatus) Valid() bool { return s == ArticleDraft || s == ArticlePublished }

// MarshalGQL writes s as a GraphQL enum value.
func (s ArticleStatus) MarshalGQL(w io.Writer) { marshalEnum(w, string(s)) }

// UnmarshalGQL reads a GraphQL enum value.
func (s *ArticleStatus) UnmarshalGQL(v any) error {
	out, err := unmarshalEnum(v, func(x string) bool { return ArticleStatus(x).Valid() })
	*s = ArticleStatus(out)
	return err
}

// Article is one help-center article of a workspace. PostgreSQL is its
// source of truth; the search index is derived from it.
type Article struct {
	ID          string
	WorkspaceID string
	// ExternalID identifies the article in an imported file, so that a
	// re-import updates it instead of adding a copy.
	ExternalID *string
	Title      string
	// Body is Markdown.
	Body        string
	Slug        string
	Locale      string
	Status      ArticleStatus
	Tags        []string
	URL         *string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	PublishedAt *time.Time
	// UpdatedBy is the agent who last changed it; "" when an import did.
	UpdatedBy string
}

// Article limits.
const (
	MaxArticleTitle    = 200
	MaxArticleBody     = 100_000
	MaxArticleSlug     = 200
	MaxArticleTags     = 20
	MaxArticleTag      = 50
	MaxArticleURL      = 2000
	MaxArticleExternal = 200
)

// ArticleInput is a new article, or a whole imported one. Nil optional
// fields take defaults: slug from the title, locale from the workspace,
// status draft.
type ArticleInput struct {
	ExternalID *string
	Title      string
	Body       string
	Slug       *string
	Locale     *string
	Status     *ArticleStatus
	Tags       []string
	URL        *string
}

// ArticlePatch changes some fields of an article; nil fields keep their
// value. Status changes through publish and unpublish.
type ArticlePatch struct {
	ExternalID *string
	Title      *string
	Body       *string
	Slug       *string
	Locale     *string
	Tags       []string
	URL        *string
}

// Apply returns a copy of a with the patch applied, not yet validated.
func (p ArticlePatch) Apply(a Article) Article {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&a.Title, p.Title)
	set(&a.Body, p.Body)
	set(&a.Slug, p.Slug)
	set(&a.Locale, p.Locale)
	if p.ExternalID != nil {
		a.ExternalID = emptyToNil(*p.ExternalID)
	}
	if p.URL != nil {
		a.URL = emptyToNil(*p.URL)
	}
	if p.Tags != nil {
		a.Tags = p.Tags
	}
	return a
}

func emptyToNil(s string) *string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return &s
}

// NewArticle returns the article in describes, with defaults filled in and
// text trimmed, for workspace ws; the caller sets ID and timestamps. It
// returns an EInvalid error naming the first invalid field.
func (in ArticleInput) NewArticle(workspaceID, defaultLocale string) (Article, error) {
	a := Article{WorkspaceID: workspaceID, Title: in.Title, Body: in.Body, Tags: in.Tags, Status: ArticleDraft, Locale: defaultLocale}
	if in.ExternalID != nil {
		a.ExternalID = emptyToNil(*in.ExternalID)
	}
	if in.URL != nil {
		a.URL = emptyToNil(*in.URL)
	}
	if in.Locale != nil {
		a.Locale = *in.Locale
	}
	if in.Status != nil {
		a.Status = *in.Status
	}
	if in.Slug != nil {
		a.Slug = *in.Slug
	}
	return a.Normalize()
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Normalize validates a and returns it with text trimmed, tags cleaned and
// a slug derived from the title when empty. Errors are EInvalid and name the
// field.
func (a Article) Normalize() (Article, error) {
	if err := CheckText("title", a.Title, MaxArticleTitle, true); err != nil {
		return a, err
	}
	a.Title = strings.Join(strings.Fields(a.Title), " ")
	if err := CheckText("body", a.Body, MaxArticleBody, true); err != nil {
		return a, err
	}
	a.Body = strings.TrimSpace(a.Body)
	if a.Locale == "" {
		a.Locale = "en"
	}
	if !localePattern.MatchString(a.Locale) || len(a.Locale) > 35 {
		return a, Invalid("locale", "locale must be a language tag like en or pt-BR")
	}
	if !a.Status.Valid() {
		return a, Invalid("status", "status must be draft or published")
	}
	a.Slug = strings.TrimSpace(a.Slug)
	if a.Slug == "" {
		a.Slug = Slugify(a.Title)
	}
	if len(a.Slug) > MaxArticleSlug || !slugPattern.MatchString(a.Slug) {
		return a, Invalid("slug", "slug must be lower-case letters, digits and single hyphens, at most %d characters", MaxArticleSlug)
	}
	if a.ExternalID != nil {
		if err := CheckText("externalId", *a.ExternalID, MaxArticleExternal, true); err != nil {
			return a, err
		}
		id := strings.TrimSpace(*a.ExternalID)
		a.ExternalID = &id
	}
	if a.URL != nil {
		u := strings.TrimSpace(*a.URL)
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || len(u) > MaxArticleURL {
			return a, Invalid("url", "url must be an absolute http(s) URL of at most %d characters", MaxArticleURL)
		}
		a.URL = &u
	}
	tags, err := cleanTags(a.Tags)
	if err != nil {
		return a, err
	}
	a.Tags = tags
	return a, nil
}

func cleanTags(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for i, t := range in {
		field := fmt.Sprintf("tags[%d]", i)
		if err := CheckText(field, t, MaxArticleTag, true); err != nil {
			return nil, err
		}
		t = strings.ToLower(strings.Join(strings.Fields(t), " "))
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) > MaxArticleTags {
		return nil, Invalid("tags", "at most %d tags", MaxArticleTags)
	}
	return out, nil
}

// Slugify derives a URL slug from a title: lower-case ASCII letters and
// digits separated by single hyphens, accents removed. A title with no such
// characters gives "article".
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(title) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
		if b.Len() >= 80 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" {
		return "article"
	}
	return s
}

// SameContent reports whether a and b have the same editable content, so an
// import can skip articles that did not change.
func (a *Article) SameContent(b *Article) bool {
	return a.Title == b.Title && a.Body == b.Body && a.Slug == b.Slug && a.Locale == b.Locale &&
		a.Status == b.Status && strings.Join(a.Tags, "\x00") == strings.Join(b.Tags, "\x00") &&
		ptrEq(a.URL, b.URL) && ptrEq(a.ExternalID, b.ExternalID)
}

func ptrEq(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// ArticleFilter narrows a workspace's articles. Zero values do not filter.
type ArticleFilter struct {
	Status *ArticleStatus
	Locale *string
	Tag    *string
	// Text matches words of the title or body.
	Text *string
}

// Validate checks the filter and returns it with text trimmed.
func (f ArticleFilter) Validate() (ArticleFilter, error) {
	if f.Status != nil && !f.Status.Valid() {
		return f, Invalid("filter.status", "filter.status must be DRAFT or PUBLISHED")
	}
	if f.Locale != nil && !localePattern.MatchString(*f.Locale) {
		return f, Invalid("filter.locale", "filter.locale must be a language tag like en")
	}
	for _, p := range []struct {
		field string
		v     **string
	}{{"filter.tag", &f.Tag}, {"filter.text", &f.Text}} {
		if *p.v == nil {
			continue
		}
		if err := CheckText(p.field, **p.v, 200, false); err != nil {
			return f, err
		}
		t := strings.TrimSpace(**p.v)
		if p.field == "filter.tag" {
			t = strings.ToLower(t)
		}
		if t == "" {
			*p.v = nil
		} else {
			*p.v = &t
		}
	}
	return f, nil
}

// ArticleEdge is one article in a connection.
type ArticleEdge struct {
	Cursor string
	Node   *Article
}

// ArticleConnection is a page of articles, newest first. Count returns the
// total over all pages and is only run when asked for.
type ArticleConnection struct {
	Edges    []*ArticleEdge
	PageInfo *PageInfo
	Count    func() (int, error)
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Search limits.
const (
	MaxSearchQuery     = 500
	DefaultSearchLimit = 5
	MaxSearchLimit     = 20
	MaxSnippet         = 300
)

// SearchInput is a knowledge-base search as a client sends it.
type SearchInput struct {
	Query  string
	Limit  *int
	Locale *string
	// WorkspaceID and IncludeDrafts are for agents only: a widget's key
	// names its workspace, and it sees published articles.
	WorkspaceID   *string
	IncludeDrafts bool
}

// SearchQuery is a validated search, scoped to one workspace's index.
type SearchQuery struct {
	Text          string
	Limit         int
	Locale        string
	IncludeDrafts bool
}

// Validate checks a search input and returns the query it describes; locale
// defaults to defaultLocale.
func (in SearchInput) Validate(defaultLocale string) (SearchQuery, error) {
	q := SearchQuery{Text: strings.TrimSpace(in.Query), Limit: DefaultSearchLimit, Locale: defaultLocale, IncludeDrafts: in.IncludeDrafts}
	if err := CheckText("query", q.Text, MaxSearchQuery, true); err != nil {
		return q, err
	}
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > MaxSearchLimit {
			return q, Invalid("limit", "limit must be between 1 and %d", MaxSearchLimit)
		}
		q.Limit = *in.Limit
	}
	if in.Locale != nil {
		if !localePattern.MatchString(*in.Locale) || len(*in.Locale) > 35 {
			return q, Invalid("locale", "locale must be a language tag like en or pt-BR")
		}
		q.Locale = *in.Locale
	}
	if q.Locale == "" {
		q.Locale = "en"
	}
	return q, nil
}

// Passage is one chunk of an article that matched a search: a heading's
// section or part of it. Score is its relevance, 0 to 1.
type Passage struct {
	ArticleID string
	Chunk     int
	Title     string
	Heading   string
	// Text is the passage as plain text (Markdown markers removed).
	Text string
	// Score ranks the passage within its search (hybrid fusion of keyword
	// and vector scores, 0 to 1); Similarity is the cosine similarity of
	// its vector to the query's, comparable across searches (0 without an
	// embedder).
	Score      float64
	Similarity float64
}

// ArticleHit is one article found by a search with its matching passages,
// best first. Score is the best passage's relevance.
type ArticleHit struct {
	ArticleID string
	Title     string
	URL       *string
	Status    ArticleStatus
	Score     float64
	// Snippet is the best passage cut to at most MaxSnippet characters
	// around the query's words.
	Snippet  string
	Passages []*Passage
}

// SearchResult is one article of a search as the widget shows it.
type SearchResult struct {
	ArticleID string  `json:"article_id"`
	Title     string  `json:"title"`
	URL       *string `json:"url"`
	// Snippet is the best-matching passage, at most MaxSnippet characters.
	Snippet string  `json:"snippet"`
	Score   float64 `json:"score"`
}

// SearchResults is the answer to a search: articles best first. Hits
// carries every matching passage with its score, for answer generation.
type SearchResults struct {
	Results []*SearchResult `json:"results"`
	Hits    []*ArticleHit   `json:"-"`
}

// RoundScore rounds a score to 4 decimals for display.
func RoundScore(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 4, 64), 64)
	return v
}
