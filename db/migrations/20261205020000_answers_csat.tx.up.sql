-- Every AI answer the widget was given, so that the customer can vote on
-- it, hand it over to a person, and the team can see what the help center
-- lacks. conversation_id is set when the answer was handed over.
CREATE TABLE answers (
    id               uuid PRIMARY KEY,
    workspace_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    question         text NOT NULL,
    locale           text NOT NULL,
    answer           text NOT NULL,
    answered         boolean NOT NULL,
    sources          jsonb NOT NULL DEFAULT '[]',
    confidence       double precision NOT NULL,
    generator        text NOT NULL,
    installation_id  text,
    conversation_id  uuid REFERENCES conversations (id) ON DELETE SET NULL,
    helpful          boolean,
    feedback_comment text,
    feedback_at      timestamptz,
    created_at       timestamptz NOT NULL
);

--bun:split

CREATE INDEX answers_workspace_created ON answers (workspace_id, created_at DESC);

--bun:split

-- handed_over_at: a person took over (the customer asked for one); from
-- then on the AI does not answer inside the conversation. answer_id marks
-- the messages a handover copied from an AI answer.
ALTER TABLE conversations
    ADD COLUMN handed_over_at timestamptz,
    ADD COLUMN installation_id text,
    ADD COLUMN csat_rating smallint CHECK (csat_rating BETWEEN 1 AND 5),
    ADD COLUMN csat_comment text,
    ADD COLUMN csat_at timestamptz;

--bun:split

ALTER TABLE messages ADD COLUMN answer_id uuid REFERENCES answers (id) ON DELETE SET NULL;

--bun:split

CREATE INDEX conversations_installation ON conversations (workspace_id, installation_id, created_at)
    WHERE installation_id IS NOT NULL;

--bun:split

CREATE INDEX conversations_csat ON conversations (workspace_id, csat_at) WHERE csat_at IS NOT NULL;

--bun:split

-- csat.submitted when the customer rates a conversation.
CREATE FUNCTION helpium_webhook_csat() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT helpium_webhook_wanted(NEW.workspace_id, 'csat.submitted', false) THEN
        RETURN NULL;
    END IF;
    PERFORM helpium_webhook_enqueue(NEW.workspace_id, 'csat.submitted',
        jsonb_build_object('kind', 'customer', 'id', NEW.customer_id),
        jsonb_build_object(
            'csat', jsonb_build_object('rating', NEW.csat_rating, 'comment', NEW.csat_comment,
                'submittedAt', helpium_json_time(NEW.csat_at)),
            'conversation', helpium_webhook_conversation(NEW)),
        false);
    RETURN NULL;
END;
$$;

--bun:split

CREATE TRIGGER conversations_webhook_csat
    AFTER UPDATE OF csat_rating ON conversations
    FOR EACH ROW
    WHEN (OLD.csat_rating IS NULL AND NEW.csat_rating IS NOT NULL)
    EXECUTE FUNCTION helpium_webhook_csat();
