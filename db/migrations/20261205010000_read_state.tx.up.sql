-- Read state: how far the customer has read (customer_read_seq, on the
-- conversation) and how far each agent has (conversation_reads). Both only
-- move forward. Typing indicators are never stored.
ALTER TABLE conversations
    ADD COLUMN customer_read_seq bigint NOT NULL DEFAULT 0,
    ADD COLUMN customer_read_at timestamptz;

--bun:split

CREATE TABLE conversation_reads (
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    agent_id        uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    last_read_seq   bigint NOT NULL,
    read_at         timestamptz NOT NULL,
    PRIMARY KEY (conversation_id, agent_id)
);
