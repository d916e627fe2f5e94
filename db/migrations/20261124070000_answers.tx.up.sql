-- A workspace's AI answer settings (threshold, fallback messages by
-- locale); no row means the defaults.
CREATE TABLE answer_settings (
    workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    settings     jsonb NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

--bun:split

-- The search index of a workspace changed (the indexer finished a change):
-- replicas drop the workspace's cached answers.
CREATE FUNCTION helpium_notify_kb_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('helpium_events', json_build_object(
        'type', 'kb_changed',
        'workspace_id', OLD.workspace_id)::text);
    RETURN NULL;
END;
$$;

--bun:split

CREATE TRIGGER article_outbox_notify_done
    AFTER DELETE ON article_outbox
    FOR EACH ROW EXECUTE FUNCTION helpium_notify_kb_changed();
