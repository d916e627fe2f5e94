-- A customer's rating is a live change too ('csat'), so that agents
-- looking at the conversation see it arrive.
CREATE OR REPLACE FUNCTION helpium_notify_conversation_changed() RETURNS trigger
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
    ELSIF NEW.csat_rating IS DISTINCT FROM OLD.csat_rating THEN
        change := 'csat';
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

DROP TRIGGER conversations_notify_changed ON conversations;

--bun:split

CREATE TRIGGER conversations_notify_changed
    AFTER UPDATE ON conversations
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
       OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
       OR OLD.last_seq IS DISTINCT FROM NEW.last_seq
       OR OLD.csat_rating IS DISTINCT FROM NEW.csat_rating)
    EXECUTE FUNCTION helpium_notify_conversation_changed();
