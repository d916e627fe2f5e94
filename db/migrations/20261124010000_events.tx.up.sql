-- Live events: every committed write to messages and conversations is
-- published on the 'helpium_events' channel, whatever code path made it.
-- NOTIFY is transactional: a rolled-back write publishes nothing, and
-- notifications are delivered in commit order. Payloads carry ids and a
-- few scalars only (NOTIFY payloads must stay under 8000 bytes); listeners
-- read anything else from the tables. The events package decodes them.

CREATE FUNCTION helpium_notify_message_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('helpium_events', json_build_object(
        'type', 'message_added',
        'workspace_id', NEW.workspace_id,
        'conversation_id', NEW.conversation_id,
        'message_id', NEW.id,
        'seq', NEW.seq,
        'internal', NEW.internal)::text);
    RETURN NULL;
END;
$$;

--bun:split

CREATE TRIGGER messages_notify_added
    AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION helpium_notify_message_added();

--bun:split

-- change: 'created' on insert; on update the most specific of 'status'
-- (which also covers a customer message reopening the conversation),
-- 'assignment' and 'message' (last_seq bumped). One notification per row
-- change; the payload carries the new status, assignee and last_seq either way.
CREATE FUNCTION helpium_notify_conversation_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    change text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        change := 'created';
    ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
        change := 'status';
    ELSIF NEW.assignee_id IS DISTINCT FROM OLD.assignee_id THEN
        change := 'assignment';
    ELSIF NEW.last_seq IS DISTINCT FROM OLD.last_seq THEN
        change := 'message';
    ELSE
        RETURN NULL;
    END IF;
    PERFORM pg_notify('helpium_events', json_build_object(
        'type', 'conversation_changed',
        'change', change,
        'workspace_id', NEW.workspace_id,
        'conversation_id', NEW.id,
        'status', NEW.status,
        'assignee_id', NEW.assignee_id,
        'last_seq', NEW.last_seq)::text);
    RETURN NULL;
END;
$$;

--bun:split

CREATE TRIGGER conversations_notify_created
    AFTER INSERT ON conversations
    FOR EACH ROW EXECUTE FUNCTION helpium_notify_conversation_changed();

--bun:split

CREATE TRIGGER conversations_notify_changed
    AFTER UPDATE ON conversations
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
       OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
       OR OLD.last_seq IS DISTINCT FROM NEW.last_seq)
    EXECUTE FUNCTION helpium_notify_conversation_changed();
