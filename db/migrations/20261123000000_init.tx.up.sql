CREATE TABLE workspaces (
    id             uuid PRIMARY KEY,
    name           text NOT NULL,
    api_key        text NOT NULL UNIQUE,
    widget         jsonb NOT NULL,
    business_hours jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

--bun:split

CREATE TABLE customers (
    id           uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email        text,
    name         text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

--bun:split

CREATE UNIQUE INDEX customers_workspace_email ON customers (workspace_id, lower(email)) WHERE email IS NOT NULL;

--bun:split

CREATE TABLE conversations (
    id              uuid PRIMARY KEY,
    workspace_id    uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    customer_id     uuid REFERENCES customers (id) ON DELETE SET NULL,
    token_hash      bytea NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'resolved', 'closed')),
    -- last_seq numbers the conversation's messages; bumping it takes the row
    -- lock, so messages of one conversation are numbered in commit order.
    last_seq        bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    last_message_at timestamptz
);

--bun:split

CREATE INDEX conversations_workspace_updated ON conversations (workspace_id, updated_at DESC, id DESC);

--bun:split

CREATE TABLE messages (
    id                uuid PRIMARY KEY,
    conversation_id   uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    workspace_id      uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    seq               bigint NOT NULL,
    author_kind       text NOT NULL CHECK (author_kind IN ('customer', 'agent', 'bot', 'system')),
    internal          boolean NOT NULL DEFAULT false,
    body              text NOT NULL,
    client_message_id text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, seq),
    UNIQUE (conversation_id, client_message_id)
);
