-- Files sent with messages. A row is written before its bytes go to the
-- blob store, with no message yet (pending); the message's transaction
-- links it. A pending row older than the sweep's age is an upload whose
-- message never came (a crash, a refused or retried message): the sweep
-- marks it (swept_at: no message may take it any more), deletes its bytes,
-- then the row; a crash in between leaves it marked for the next sweep. The link is deferred so that the
-- message's webhook trigger, which runs at its insert, sees its files.
CREATE TABLE attachments (
    id              uuid PRIMARY KEY,
    workspace_id    uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    conversation_id uuid REFERENCES conversations (id) ON DELETE CASCADE,
    message_id      uuid REFERENCES messages (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    filename        text NOT NULL,
    content_type    text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('image', 'pdf', 'text', 'csv', 'office')),
    size            bigint NOT NULL CHECK (size >= 0),
    sha256          bytea NOT NULL,
    blob_key        text NOT NULL,
    created_at      timestamptz NOT NULL,
    swept_at        timestamptz
);

--bun:split

CREATE INDEX attachments_message ON attachments (message_id, created_at, id) WHERE message_id IS NOT NULL;

--bun:split

CREATE INDEX attachments_conversation ON attachments (conversation_id) WHERE message_id IS NOT NULL;

--bun:split

CREATE INDEX attachments_pending ON attachments (created_at) WHERE message_id IS NULL;

--bun:split

ALTER TABLE workspaces ADD COLUMN attachment_limits jsonb NOT NULL DEFAULT '{}';

--bun:split

-- message.created webhooks list the message's files (never their bytes).
CREATE OR REPLACE FUNCTION helpium_webhook_message() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    c conversations;
BEGIN
    IF NOT helpium_webhook_wanted(NEW.workspace_id, 'message.created', NEW.internal) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO c FROM conversations WHERE id = NEW.conversation_id;
    PERFORM helpium_webhook_enqueue(NEW.workspace_id, 'message.created',
        CASE NEW.author_kind
            WHEN 'customer' THEN jsonb_build_object('kind', 'customer', 'id', c.customer_id)
            WHEN 'agent' THEN jsonb_build_object('kind', 'agent', 'id', NEW.author_agent_id)
            WHEN 'bot' THEN jsonb_build_object('kind', 'ai', 'id', NULL)
            ELSE jsonb_build_object('kind', 'system', 'id', NULL)
        END,
        jsonb_build_object(
            'message', jsonb_build_object(
                'id', NEW.id,
                'conversationId', NEW.conversation_id,
                'author', upper(NEW.author_kind),
                'body', NEW.body,
                'clientMessageId', NEW.client_message_id,
                'createdAt', helpium_json_time(NEW.created_at),
                'internal', NEW.internal,
                'authorAgent', CASE WHEN NEW.author_agent_id IS NULL THEN NULL ELSE jsonb_build_object('id', NEW.author_agent_id) END,
                'attachments', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'id', a.id, 'filename', a.filename, 'contentType', a.content_type,
                        'kind', upper(a.kind), 'size', a.size) ORDER BY a.created_at, a.id), '[]'::jsonb)
                    FROM attachments a WHERE a.message_id = NEW.id)),
            'conversation', helpium_webhook_conversation(c)),
        NEW.internal);
    RETURN NULL;
END;
$$;
