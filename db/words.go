package db

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// SetArticleWords replaces the words kept for an article of a workspace
// (see the article_words migration), under the article's locale; no words
// removes them. A deleted article's words go with it (ON DELETE CASCADE),
// and an article deleted meanwhile gets none.
func (s *Store) SetArticleWords(ctx context.Context, workspaceID, articleID string, words []string) error {
	return dbErr(s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewDelete().Table("article_words").Where("article_id = ? AND workspace_id = ?", articleID, workspaceID).Exec(ctx)
		if err != nil || len(words) == 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO article_words (article_id, word, workspace_id, locale)
			SELECT a.id, w.word, a.workspace_id, a.locale FROM articles a, unnest(?::text[]) AS w (word)
			WHERE a.id = ? AND a.workspace_id = ?
			ON CONFLICT DO NOTHING`, pgdialect.Array(words), articleID, workspaceID)
		return err
	}), "article words")
}

// CountArticleWords returns, for each of words that a workspace's articles
// in locale contain, how many articles contain it.
func (s *Store) CountArticleWords(ctx context.Context, workspaceID, locale string, words []string) (map[string]int, error) {
	out := map[string]int{}
	if len(words) == 0 {
		return out, nil
	}
	var rows []struct {
		Word  string `bun:"word"`
		Count int    `bun:"count"`
	}
	err := s.db.NewSelect().Table("article_words").ColumnExpr("word, count(*) AS count").
		Where("workspace_id = ?", workspaceID).Where("locale = ?", locale).
		Where("word = ANY(?::text[])", pgdialect.Array(words)).Group("word").Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr(err, "article words")
	}
	for _, r := range rows {
		out[r.Word] = r.Count
	}
	return out, nil
}
