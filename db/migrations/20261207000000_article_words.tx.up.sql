-- The distinct words of each published article, which the search's
-- spelling correction looks query words up in (search/spelling.go). The
-- search indexer keeps them in step with the articles.
CREATE TABLE article_words (
    article_id   uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    word         text NOT NULL,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    locale       text NOT NULL,
    PRIMARY KEY (article_id, word)
);

CREATE INDEX article_words_lookup ON article_words (workspace_id, locale, word);

-- Articles published before this migration get their words when the
-- indexer syncs them again (their vectors come from the embedding cache).
INSERT INTO article_outbox (workspace_id, article_id)
SELECT workspace_id, id FROM articles WHERE status = 'published';
