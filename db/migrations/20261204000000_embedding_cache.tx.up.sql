-- Vectors of texts the search index embedded, by embedder and the text's
-- SHA-256, so that re-indexing, a new collection or another workspace with
-- the same text never embeds it twice. Shared by every workspace: a vector
-- depends on the text alone, and no API reads this table.
CREATE TABLE embedding_cache (
    model text NOT NULL,
    text_sha256 bytea NOT NULL,
    vector bytea NOT NULL,
    used_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model, text_sha256)
);
CREATE INDEX embedding_cache_used_at ON embedding_cache (used_at);
