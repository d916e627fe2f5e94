-- Per-workspace Customer API rate limits (requests per minute; a missing
-- or zero entry means the server default) and the browser origins allowed
-- to use the widget key (empty: any origin).
ALTER TABLE workspaces
    ADD COLUMN rate_limits     jsonb  NOT NULL DEFAULT '{}',
    ADD COLUMN allowed_origins text[] NOT NULL DEFAULT '{}';
