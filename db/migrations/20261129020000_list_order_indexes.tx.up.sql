-- Lists are sorted by a time and broken by id, newest first; an index in
-- exactly that order lets a page stop after its rows instead of sorting
-- every row of the workspace.
DROP INDEX conversations_workspace_created;
CREATE INDEX conversations_workspace_created ON conversations (workspace_id, created_at DESC, id DESC);
CREATE INDEX customers_workspace_created ON customers (workspace_id, created_at DESC, id DESC);
