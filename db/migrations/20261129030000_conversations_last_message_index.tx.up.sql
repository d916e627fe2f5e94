-- The inbox sorted by last activity: the same expression the page query
-- orders by, so a page stops after its rows.
CREATE INDEX conversations_workspace_last_message ON conversations (workspace_id, (coalesce(last_message_at, created_at)) DESC, id DESC);
