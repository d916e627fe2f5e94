-- Knowledge base. PostgreSQL is the source of truth for articles; the
-- Weaviate index is derived from it through article_outbox.
CREATE TABLE articles (
    id           uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    external_id  text,
    title        text NOT NULL,
    body         text NOT NULL,
    slug         text NOT NULL,
    locale       text NOT NULL,
    status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    tags         text[] NOT NULL DEFAULT '{}',
    url          text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    UNIQUE (workspace_id, external_id),
    UNIQUE (workspace_id, locale, slug)
);

--bun:split

CREATE INDEX articles_workspace_created ON articles (workspace_id, created_at DESC, id DESC);

--bun:split

-- Every article write adds a row here in the same transaction. The indexer
-- claims rows with FOR UPDATE SKIP LOCKED (several replicas never take the
-- same row), makes the index match the article's current state (or removes
-- it when the article is gone), and deletes the row. available_at is both
-- the lease of a claimed row (a crashed indexer's rows come back) and the
-- backoff of a failed one. No foreign keys: a row must outlive the article
-- and workspace it removes from the index.
CREATE TABLE article_outbox (
    id           bigserial PRIMARY KEY,
    workspace_id uuid NOT NULL,
    -- NULL: rebuild the workspace's whole index (reindex).
    article_id   uuid,
    attempts     integer NOT NULL DEFAULT 0,
    available_at timestamptz NOT NULL DEFAULT now(),
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now()
);

--bun:split

CREATE INDEX article_outbox_available ON article_outbox (available_at, id);

--bun:split

CREATE INDEX article_outbox_workspace ON article_outbox (workspace_id);
