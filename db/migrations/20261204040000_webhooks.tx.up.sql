-- Webhooks. Endpoints are a workspace's receivers; triggers write an event
-- row, and a delivery row per subscribed endpoint, in the same transaction
-- as the change the event reports, whatever code path made it; dispatchers
-- claim due deliveries with FOR UPDATE SKIP LOCKED.
CREATE TABLE webhook_endpoints (
    id                     uuid PRIMARY KEY,
    workspace_id           uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    url                    text NOT NULL,
    description            text NOT NULL DEFAULT '',
    event_types            text[] NOT NULL,
    include_internal_notes boolean NOT NULL DEFAULT false,
    enabled                boolean NOT NULL DEFAULT true,
    disabled_reason        text,
    -- The signing secret, AES-256-GCM under the keyring key named; during a
    -- rotation the previous one signs too until previous_expires_at.
    secret_ciphertext      bytea NOT NULL,
    secret_key_id          text NOT NULL,
    previous_ciphertext    bytea,
    previous_key_id        text,
    previous_expires_at    timestamptz,
    -- When the current run of failed deliveries began; NULL after a success.
    failing_since          timestamptz,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL
);

--bun:split

CREATE INDEX webhook_endpoints_workspace ON webhook_endpoints (workspace_id, created_at);

--bun:split

CREATE TABLE webhook_events (
    id           uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    type         text NOT NULL,
    actor        jsonb NOT NULL,
    data         jsonb NOT NULL,
    created_at   timestamptz NOT NULL
);

--bun:split

CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY,
    event_id        uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    workspace_id    uuid NOT NULL,
    -- pending until it succeeds, fails for good or is skipped (its endpoint
    -- was disabled).
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed', 'skipped')),
    attempts        integer NOT NULL DEFAULT 0,
    available_at    timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    last_attempt_at timestamptz,
    response_status integer,
    response_body   text,
    latency_ms      integer,
    last_error      text
);

--bun:split

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (available_at) WHERE status = 'pending';

--bun:split

CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC);

--bun:split

CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

--bun:split

-- Who last changed a conversation's status or assignee, and who last
-- changed an article, for the actor of their events.
ALTER TABLE conversations
    ADD COLUMN updated_by_kind text NOT NULL DEFAULT 'system',
    ADD COLUMN updated_by_id   uuid;

--bun:split

ALTER TABLE articles ADD COLUMN updated_by uuid REFERENCES agents (id) ON DELETE SET NULL;

--bun:split

-- Times as GraphQL writes them: RFC 3339, UTC.
CREATE FUNCTION helpium_json_time(t timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

--bun:split

-- Payloads use the names and enum values of the GraphQL types.
CREATE FUNCTION helpium_webhook_conversation(c conversations) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', c.id,
        'status', upper(c.status),
        'createdAt', helpium_json_time(c.created_at),
        'updatedAt', helpium_json_time(c.updated_at),
        'lastMessageAt', helpium_json_time(c.last_message_at),
        'firstResponseAt', helpium_json_time(c.first_response_at),
        'resolvedAt', helpium_json_time(c.resolved_at),
        'identityVerified', c.identity_verified,
        'customer', CASE WHEN c.customer_id IS NULL THEN NULL ELSE jsonb_build_object('id', c.customer_id) END,
        'assignee', CASE WHEN c.assignee_id IS NULL THEN NULL ELSE jsonb_build_object('id', c.assignee_id) END)
$$;

--bun:split

-- Whether an enabled endpoint of the workspace takes the event: checked
-- before a payload is built, so that writes cost one index probe when
-- nothing listens.
CREATE FUNCTION helpium_webhook_wanted(ws uuid, ev_type text, internal boolean) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.workspace_id = ws AND e.enabled
        AND ev_type = ANY (e.event_types) AND (NOT internal OR e.include_internal_notes))
$$;

--bun:split

CREATE FUNCTION helpium_webhook_enqueue(ws uuid, ev_type text, actor jsonb, data jsonb, internal boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    ev uuid;
BEGIN
    ev := gen_random_uuid();
    INSERT INTO webhook_events (id, workspace_id, type, actor, data, created_at)
        VALUES (ev, ws, ev_type, actor, data, clock_timestamp());
    INSERT INTO webhook_deliveries (id, event_id, endpoint_id, workspace_id, available_at, created_at)
        SELECT gen_random_uuid(), ev, e.id, ws, clock_timestamp(), clock_timestamp() FROM webhook_endpoints e
        WHERE e.workspace_id = ws AND e.enabled AND ev_type = ANY (e.event_types) AND (NOT internal OR e.include_internal_notes);
    PERFORM pg_notify('helpium_events', json_build_object('type', 'webhook_queued', 'workspace_id', ws)::text);
END;
$$;

--bun:split

CREATE FUNCTION helpium_webhook_message() RETURNS trigger
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
                'authorAgent', CASE WHEN NEW.author_agent_id IS NULL THEN NULL ELSE jsonb_build_object('id', NEW.author_agent_id) END),
            'conversation', helpium_webhook_conversation(c)),
        NEW.internal);
    RETURN NULL;
END;
$$;

--bun:split

CREATE TRIGGER messages_webhook
    AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION helpium_webhook_message();

--bun:split

-- A conversation starts with the customer's first message, in the same
-- transaction: conversation.created comes before that message.created.
CREATE FUNCTION helpium_webhook_conversation_created() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT helpium_webhook_wanted(NEW.workspace_id, 'conversation.created', false) THEN
        RETURN NULL;
    END IF;
    PERFORM helpium_webhook_enqueue(NEW.workspace_id, 'conversation.created',
        jsonb_build_object('kind', 'customer', 'id', NEW.customer_id),
        jsonb_build_object('conversation', helpium_webhook_conversation(NEW)), false);
    RETURN NULL;
END;
$$;

--bun:split

CREATE TRIGGER conversations_webhook_created
    AFTER INSERT ON conversations
    FOR EACH ROW EXECUTE FUNCTION helpium_webhook_conversation_created();

--bun:split

-- conversation.updated for a new status or assignee, naming what changed;
-- customer.identified when the conversation is linked to a customer.
CREATE FUNCTION helpium_webhook_conversation_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed text[] := '{}';
    cu customers;
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        changed := array_append(changed, 'status');
    END IF;
    IF NEW.assignee_id IS DISTINCT FROM OLD.assignee_id THEN
        changed := array_append(changed, 'assignee');
    END IF;
    IF cardinality(changed) > 0 AND helpium_webhook_wanted(NEW.workspace_id, 'conversation.updated', false) THEN
        PERFORM helpium_webhook_enqueue(NEW.workspace_id, 'conversation.updated',
            jsonb_build_object('kind', NEW.updated_by_kind, 'id', NEW.updated_by_id),
            jsonb_build_object('conversation', helpium_webhook_conversation(NEW), 'changed', to_jsonb(changed),
                'previous', jsonb_build_object('status', upper(OLD.status),
                    'assignee', CASE WHEN OLD.assignee_id IS NULL THEN NULL ELSE jsonb_build_object('id', OLD.assignee_id) END)),
            false);
    END IF;
    IF NEW.customer_id IS NOT NULL AND NEW.customer_id IS DISTINCT FROM OLD.customer_id
            AND helpium_webhook_wanted(NEW.workspace_id, 'customer.identified', false) THEN
        SELECT * INTO cu FROM customers WHERE id = NEW.customer_id;
        PERFORM helpium_webhook_enqueue(NEW.workspace_id, 'customer.identified',
            jsonb_build_object('kind', 'customer', 'id', NEW.customer_id),
            jsonb_build_object(
                'customer', jsonb_build_object('id', cu.id, 'email', cu.email, 'name', cu.name, 'verified', cu.verified,
                    'createdAt', helpium_json_time(cu.created_at), 'updatedAt', helpium_json_time(cu.updated_at)),
                'conversation', helpium_webhook_conversation(NEW)),
            false);
    END IF;
    RETURN NULL;
END;
$$;

--bun:split

CREATE TRIGGER conversations_webhook_changed
    AFTER UPDATE ON conversations
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
       OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
       OR OLD.customer_id IS DISTINCT FROM NEW.customer_id)
    EXECUTE FUNCTION helpium_webhook_conversation_changed();

--bun:split

-- article.published when an article becomes published; article.unpublished
-- when a published one stops being (or is deleted).
CREATE FUNCTION helpium_webhook_article() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    a articles;
    ev_type text;
BEGIN
    IF TG_OP <> 'DELETE' AND NEW.status = 'published' AND (TG_OP = 'INSERT' OR OLD.status <> 'published') THEN
        a := NEW;
        ev_type := 'article.published';
    ELSIF TG_OP <> 'INSERT' AND OLD.status = 'published' AND (TG_OP = 'DELETE' OR NEW.status <> 'published') THEN
        a := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        ev_type := 'article.unpublished';
    ELSE
        RETURN NULL;
    END IF;
    IF NOT helpium_webhook_wanted(a.workspace_id, ev_type, false) THEN
        RETURN NULL;
    END IF;
    PERFORM helpium_webhook_enqueue(a.workspace_id, ev_type,
        CASE WHEN TG_OP <> 'DELETE' AND NEW.updated_by IS NOT NULL
            THEN jsonb_build_object('kind', 'agent', 'id', NEW.updated_by)
            ELSE jsonb_build_object('kind', 'system', 'id', NULL) END,
        jsonb_build_object('article', jsonb_build_object(
            'id', a.id, 'externalId', a.external_id, 'title', a.title, 'body', a.body, 'slug', a.slug,
            'locale', a.locale, 'status', upper(a.status), 'tags', to_jsonb(a.tags), 'url', a.url,
            'createdAt', helpium_json_time(a.created_at), 'updatedAt', helpium_json_time(a.updated_at),
            'publishedAt', helpium_json_time(a.published_at)),
            'deleted', TG_OP = 'DELETE'),
        false);
    RETURN NULL;
END;
$$;

--bun:split

CREATE TRIGGER articles_webhook
    AFTER INSERT OR UPDATE OF status OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION helpium_webhook_article();
