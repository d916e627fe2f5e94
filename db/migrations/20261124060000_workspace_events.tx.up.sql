-- A workspace's settings changed: replicas drop their cached copy of its
-- widget key lookup (key, widget settings, business hours, limits).
CREATE FUNCTION helpium_notify_workspace_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('helpium_events', json_build_object(
        'type', 'workspace_changed',
        'workspace_id', NEW.id)::text);
    RETURN NULL;
END;
$$;

--bun:split

CREATE TRIGGER workspaces_notify_changed
    AFTER UPDATE ON workspaces
    FOR EACH ROW EXECUTE FUNCTION helpium_notify_workspace_changed();
