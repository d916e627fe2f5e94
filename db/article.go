package db

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
)

type articleRow struct {
	bun.BaseModel `bun:"table:articles"`

	ID          string       `bun:"id,pk,type:uuid"`
	WorkspaceID string       `bun:"workspace_id,type:uuid"`
	ExternalID  *string      `bun:"external_id"`
	Title       string       `bun:"title"`
	Body        string       `bun:"body"`
	Slug        string       `bun:"slug"`
	Locale      string       `bun:"locale"`
	Status      string       `bun:"status"`
	Tags        []string     `bun:"tags,array"`
	URL         *string      `bun:"url"`
	CreatedAt   time.Time    `bun:"created_at"`
	UpdatedAt   time.Time    `bun:"updated_at"`
	PublishedAt bun.NullTime `bun:"published_at"`
	UpdatedBy   *string      `bun:"updated_by,type:uuid"`
}

func (r *articleRow) toArticle() *helpium.Article {
	tags := r.Tags
	if tags == nil {
		tags = []string{}
	}
	return &helpium.Article{
		ID: r.ID, WorkspaceID: r.WorkspaceID, ExternalID: r.ExternalID, Title: r.Title, Body: r.Body,
		Slug: r.Slug, Locale: r.Locale, Status: helpium.ArticleStatus(r.Status), Tags: tags, URL: r.URL,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, PublishedAt: timePtr(r.PublishedAt),
		UpdatedBy: deref(r.UpdatedBy),
	}
}

func toArticleRow(a *helpium.Article) *articleRow {
	r := &articleRow{
		ID: a.ID, WorkspaceID: a.WorkspaceID, ExternalID: a.ExternalID, Title: a.Title, Body: a.Body,
		Slug: a.Slug, Locale: a.Locale, Status: string(a.Status), Tags: a.Tags, URL: a.URL,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
	if r.Tags == nil {
		r.Tags = []string{}
	}
	if a.PublishedAt != nil {
		r.PublishedAt = bun.NullTime{Time: *a.PublishedAt}
	}
	if a.UpdatedBy != "" {
		r.UpdatedBy = &a.UpdatedBy
	}
	return r
}

// articleErr maps unique violations to errors naming the field at fault.
func articleErr(err error) error {
	switch {
	case isConstraint(err, "articles_workspace_id_external_id_key"):
		return &helpium.Error{Code: helpium.EConflict, Field: "externalId", Message: "Another article has this external id.", Cause: err}
	case isConstraint(err, "articles_workspace_id_locale_slug_key"):
		return &helpium.Error{Code: helpium.EConflict, Field: "slug", Message: "Another article of this locale has this slug.", Cause: err}
	}
	return dbErr(err, "article")
}

// enqueue adds an outbox row asking the indexer to sync articleID (or,
// with an empty articleID, to rebuild the workspace's index).
func enqueue(ctx context.Context, db bun.IDB, workspaceID, articleID string) error {
	var id any
	if articleID != "" {
		id = articleID
	}
	_, err := db.NewInsert().Model(&outboxRow{WorkspaceID: workspaceID, ArticleID: id}).
		Column("workspace_id", "article_id").Exec(ctx)
	return err
}

// CreateArticle inserts a, with its outbox row in the same transaction.
// Returns EConflict naming externalId or slug when another article has it.
func (s *Store) CreateArticle(ctx context.Context, a *helpium.Article) error {
	return articleErr(s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(toArticleRow(a)).Exec(ctx); err != nil {
			return err
		}
		return enqueue(ctx, tx, a.WorkspaceID, a.ID)
	}))
}

// UpdateArticle stores every field of a, with its outbox row in the same
// transaction. Returns ENotFound when it does not exist and EConflict as
// CreateArticle does.
func (s *Store) UpdateArticle(ctx context.Context, a *helpium.Article) error {
	return articleErr(s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model(toArticleRow(a)).
			Column("external_id", "title", "body", "slug", "locale", "status", "tags", "url", "updated_at", "published_at", "updated_by").
			WherePK().Where("workspace_id = ?", a.WorkspaceID).Exec(ctx)
		if err := affectedOne(res, err, "article"); err != nil {
			return err
		}
		return enqueue(ctx, tx, a.WorkspaceID, a.ID)
	}))
}

// DeleteArticle deletes an article of a workspace, with the outbox row that
// removes it from the index. Returns ENotFound when it does not exist.
func (s *Store) DeleteArticle(ctx context.Context, workspaceID, id string) error {
	return articleErr(s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*articleRow)(nil)).Where("id = ? AND workspace_id = ?", id, workspaceID).Exec(ctx)
		if err := affectedOne(res, err, "article"); err != nil {
			return err
		}
		return enqueue(ctx, tx, workspaceID, id)
	}))
}

// FindArticleByID returns an article the scope may see. Returns ENotFound
// for any other.
func (s *Store) FindArticleByID(ctx context.Context, sc Scope, id string) (*helpium.Article, error) {
	row := new(articleRow)
	q := s.db.NewSelect().Model(row).ModelTableExpr("articles AS ar").ColumnExpr("ar.*").Where("ar.id = ?", id)
	if err := sc.apply(q, "ar.workspace_id").Limit(1).Scan(ctx); err != nil {
		return nil, dbErr(err, "article")
	}
	return row.toArticle(), nil
}

// FindArticlesByExternalIDs returns a workspace's articles with the given
// external ids, keyed by external id.
func (s *Store) FindArticlesByExternalIDs(ctx context.Context, workspaceID string, ids []string) (map[string]*helpium.Article, error) {
	out := make(map[string]*helpium.Article, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []articleRow
	if err := s.db.NewSelect().Model(&rows).Where("workspace_id = ? AND external_id IN (?)", workspaceID, bun.In(ids)).Scan(ctx); err != nil {
		return nil, dbErr(err, "articles")
	}
	for i := range rows {
		out[*rows[i].ExternalID] = rows[i].toArticle()
	}
	return out, nil
}

// FindArticlesByIDs returns the articles with the given ids that exist, in
// any workspace. Only the indexer calls it, for ids from the outbox.
func (s *Store) FindArticlesByIDs(ctx context.Context, ids []string) ([]*helpium.Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []articleRow
	if err := s.db.NewSelect().Model(&rows).Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, dbErr(err, "articles")
	}
	return each(rows, (*articleRow).toArticle), nil
}

func filterArticles(q *bun.SelectQuery, workspaceID string, f helpium.ArticleFilter) *bun.SelectQuery {
	q = q.Where("ar.workspace_id = ?", workspaceID)
	if f.Status != nil {
		q = q.Where("ar.status = ?", string(*f.Status))
	}
	if f.Locale != nil {
		q = q.Where("ar.locale = ?", *f.Locale)
	}
	if f.Tag != nil {
		q = q.Where("? = ANY (ar.tags)", *f.Tag)
	}
	if f.Text != nil {
		q = q.Where(`to_tsvector('simple', ar.title || ' ' || ar.body) @@ websearch_to_tsquery('simple', ?)`, *f.Text)
	}
	return q
}

// FindArticles returns one page of a workspace's articles, newest first.
func (s *Store) FindArticles(ctx context.Context, workspaceID string, f helpium.ArticleFilter, page helpium.Page) (*helpium.ArticleConnection, error) {
	n, backward, err := page.Size()
	if err != nil {
		return nil, err
	}
	if backward {
		return nil, helpium.Invalid("last", "articles page forward only: use first and after")
	}
	var rows []articleRow
	q := filterArticles(s.db.NewSelect().Model(&rows).ModelTableExpr("articles AS ar").ColumnExpr("ar.*"), workspaceID, f)
	if page.After != nil {
		kc, err := helpium.ParseKeyCursor("after", *page.After)
		if err != nil {
			return nil, err
		}
		q = q.Where("(ar.created_at, ar.id) < (?, ?)", kc.At, kc.ID)
	}
	if err := q.OrderExpr("ar.created_at DESC, ar.id DESC").Limit(int64(n + 1)).Scan(ctx); err != nil {
		return nil, dbErr(err, "articles")
	}
	p := helpium.PageOf(rows, n, false, page.After != nil, func(r articleRow) string {
		return helpium.KeyCursor{At: r.CreatedAt, ID: r.ID}.Encode()
	})
	conn := &helpium.ArticleConnection{PageInfo: p.Info}
	for i := range p.Items {
		conn.Edges = append(conn.Edges, &helpium.ArticleEdge{Cursor: p.Cursors[i], Node: p.Items[i].toArticle()})
	}
	return conn, nil
}

// CountArticles counts a workspace's articles matching f.
func (s *Store) CountArticles(ctx context.Context, workspaceID string, f helpium.ArticleFilter) (int, error) {
	n, err := filterArticles(s.db.NewSelect().TableExpr("articles AS ar"), workspaceID, f).Count(ctx)
	return int(n), dbErr(err, "articles")
}

type outboxRow struct {
	bun.BaseModel `bun:"table:article_outbox"`

	ID          int64     `bun:"id,pk,autoincrement"`
	WorkspaceID string    `bun:"workspace_id,type:uuid"`
	ArticleID   any       `bun:"article_id,type:uuid"`
	Attempts    int       `bun:"attempts"`
	AvailableAt time.Time `bun:"available_at"`
	LastError   *string   `bun:"last_error"`
}

// OutboxEntry is a claimed outbox row: make the index of ArticleID match
// PostgreSQL, or rebuild the whole workspace's index when ArticleID is "".
// Attempts counts claims, this one included.
type OutboxEntry struct {
	ID          int64
	WorkspaceID string
	ArticleID   string
	Attempts    int
}

// ClaimOutbox claims up to n due outbox rows for lease: they are invisible
// to other claimers until the lease ends, so several indexers never work on
// the same row, and a crashed indexer's rows come back.
func (s *Store) ClaimOutbox(ctx context.Context, n int, lease time.Duration) ([]OutboxEntry, error) {
	var rows []struct {
		ID          int64   `bun:"id"`
		WorkspaceID string  `bun:"workspace_id"`
		ArticleID   *string `bun:"article_id"`
		Attempts    int     `bun:"attempts"`
	}
	err := s.db.NewRaw(`UPDATE article_outbox SET attempts = attempts + 1, available_at = now() + ?::interval
		WHERE id IN (SELECT id FROM article_outbox WHERE available_at <= now() ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
		RETURNING id, workspace_id, article_id, attempts`, lease.String(), n).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr(err, "outbox")
	}
	out := make([]OutboxEntry, len(rows))
	for i, r := range rows {
		out[i] = OutboxEntry{ID: r.ID, WorkspaceID: r.WorkspaceID, Attempts: r.Attempts}
		if r.ArticleID != nil {
			out[i].ArticleID = *r.ArticleID
		}
	}
	return out, nil
}

// CompleteOutbox deletes done outbox rows.
func (s *Store) CompleteOutbox(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.db.NewDelete().Model((*outboxRow)(nil)).Where("id IN (?)", bun.In(ids)).Exec(ctx)
	return dbErr(err, "outbox")
}

// RetryOutbox makes a failed row due again after delay, recording why it
// failed.
func (s *Store) RetryOutbox(ctx context.Context, id int64, delay time.Duration, reason string) error {
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	_, err := s.db.NewUpdate().Model((*outboxRow)(nil)).
		Set("available_at = now() + ?::interval", delay.String()).Set("last_error = ?", reason).
		Where("id = ?", id).Exec(ctx)
	return dbErr(err, "outbox")
}

// EnqueueWorkspaceArticles adds an outbox row for every article of a
// workspace, so the indexer re-indexes them all.
func (s *Store) EnqueueWorkspaceArticles(ctx context.Context, workspaceID string) (int, error) {
	res, err := s.db.NewRaw(`INSERT INTO article_outbox (workspace_id, article_id)
		SELECT workspace_id, id FROM articles WHERE workspace_id = ? ORDER BY created_at`, workspaceID).Exec(ctx)
	if err != nil {
		return 0, dbErr(err, "outbox")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// EnqueueRebuild asks the indexer to rebuild a workspace's index from
// PostgreSQL: drop it, then index every article again.
func (s *Store) EnqueueRebuild(ctx context.Context, workspaceID string) error {
	return dbErr(enqueue(ctx, s.db, workspaceID, ""), "outbox")
}

// EnqueueAllArticles queues every article of every workspace for indexing,
// for a collection that was just created (so there is nothing to drop
// first), and returns how many workspaces that covers.
func (s *Store) EnqueueAllArticles(ctx context.Context) (int, error) {
	var n int
	err := s.db.NewRaw(`WITH queued AS (
			INSERT INTO article_outbox (workspace_id, article_id)
			SELECT workspace_id, id FROM articles ORDER BY created_at
			RETURNING workspace_id)
		SELECT count(DISTINCT workspace_id) FROM queued`).Scan(ctx, &n)
	return n, dbErr(err, "outbox")
}

// OutboxBacklog is what is left to index for a workspace.
type OutboxBacklog struct {
	Pending   int
	LastError *string
}

// FindOutboxBacklog returns how many outbox rows of a workspace are left,
// and the last error of one that failed.
func (s *Store) FindOutboxBacklog(ctx context.Context, workspaceID string) (OutboxBacklog, error) {
	var b OutboxBacklog
	err := s.db.NewRaw(`SELECT count(*), (SELECT last_error FROM article_outbox
		WHERE workspace_id = ? AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1)
		FROM article_outbox WHERE workspace_id = ?`, workspaceID, workspaceID).Scan(ctx, &b.Pending, &b.LastError)
	return b, dbErr(err, "outbox")
}

func isConstraint(err error, name string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == name
}

// FindArticleWorkspaces returns the ids of the workspaces that have
// articles.
func (s *Store) FindArticleWorkspaces(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.NewSelect().TableExpr("articles").ColumnExpr("DISTINCT workspace_id::text").Scan(ctx, &ids)
	return ids, dbErr(err, "articles")
}

// OutboxStats returns how many index changes wait in the outbox and how
// old the oldest is.
func (s *Store) OutboxStats(ctx context.Context) (depth int, oldest time.Duration, err error) {
	var age sql.NullFloat64
	err = s.db.QueryRowContext(ctx, "SELECT count(*), extract(epoch FROM now() - min(created_at)) FROM article_outbox").Scan(&depth, &age)
	return depth, time.Duration(age.Float64 * float64(time.Second)), dbErr(err, "outbox")
}
