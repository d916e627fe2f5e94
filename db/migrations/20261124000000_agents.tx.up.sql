CREATE TABLE agents (
    id            uuid PRIMARY KEY,
    email         text NOT NULL,
    name          text NOT NULL,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

--bun:split

CREATE UNIQUE INDEX agents_email ON agents (lower(email));

--bun:split

CREATE TABLE memberships (
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    agent_id     uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    role         text NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, agent_id)
);

--bun:split

CREATE INDEX memberships_agent ON memberships (agent_id);

--bun:split

-- Access tokens: login sessions (expire) and personal tokens for scripts.
-- Only the SHA-256 of the secret is stored.
CREATE TABLE access_tokens (
    id           uuid PRIMARY KEY,
    agent_id     uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE,
    kind         text NOT NULL CHECK (kind IN ('session', 'personal')),
    name         text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);

--bun:split

CREATE INDEX access_tokens_agent ON access_tokens (agent_id);

--bun:split

ALTER TABLE conversations
    ADD COLUMN assignee_id       uuid REFERENCES agents (id) ON DELETE SET NULL,
    ADD COLUMN first_response_at timestamptz,
    ADD COLUMN resolved_at       timestamptz;

--bun:split

CREATE INDEX conversations_workspace_assignee ON conversations (workspace_id, assignee_id);

--bun:split

CREATE INDEX conversations_workspace_customer ON conversations (workspace_id, customer_id);

--bun:split

CREATE INDEX conversations_workspace_created ON conversations (workspace_id, created_at);

--bun:split

ALTER TABLE messages ADD COLUMN author_agent_id uuid REFERENCES agents (id) ON DELETE SET NULL;

--bun:split

ALTER TABLE customers ADD COLUMN verified boolean NOT NULL DEFAULT false;

--bun:split

CREATE INDEX messages_body_search ON messages USING gin (to_tsvector('simple', body));
