-- A conversation's idempotency key binds a retried start to the client
-- installation that made it (helpium.ConversationKey); the first
-- message's client message id alone no longer finds a conversation, as
-- another client could send it.
ALTER TABLE conversations ADD COLUMN idempotency_key bytea;
CREATE UNIQUE INDEX conversations_idempotency_key ON conversations (workspace_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
DROP INDEX messages_first_client_message_id;
