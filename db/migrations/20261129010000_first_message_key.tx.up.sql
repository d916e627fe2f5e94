-- A conversation's first message may carry the widget's client message id,
-- so that retrying a create whose answer was lost finds the conversation
-- instead of starting a second one: one per workspace and id.
CREATE UNIQUE INDEX messages_first_client_message_id ON messages (workspace_id, client_message_id)
    WHERE seq = 1 AND client_message_id IS NOT NULL;
