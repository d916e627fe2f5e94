-- AI Actions: HTTP calls into a workspace's own application that agents,
-- and the AI on a customer's behalf, can make. parameters is the JSON
-- Schema of the input, kept as the admin wrote it (json, not jsonb, keeps
-- the order of properties); headers is [{"name", "value"}].
CREATE TABLE actions (
    id                      uuid PRIMARY KEY,
    workspace_id            uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name                    text NOT NULL,
    description             text NOT NULL,
    method                  text NOT NULL CHECK (method IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')),
    url_template            text NOT NULL,
    parameters              json NOT NULL,
    headers                 jsonb NOT NULL DEFAULT '[]',
    requires_customer_token boolean NOT NULL DEFAULT false,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);

--bun:split

-- The name is the AI's tool name: unique per workspace, whatever the case.
CREATE UNIQUE INDEX actions_workspace_name ON actions (workspace_id, lower(name));

--bun:split

-- One audit row per action call. Never the customer's token, the request
-- body or the response body. action_name outlives a deleted action.
CREATE TABLE action_calls (
    id              uuid PRIMARY KEY,
    workspace_id    uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    action_id       uuid REFERENCES actions (id) ON DELETE SET NULL,
    action_name     text NOT NULL,
    conversation_id uuid REFERENCES conversations (id) ON DELETE SET NULL,
    caller          text NOT NULL CHECK (caller IN ('agent', 'ai')),
    agent_id        uuid REFERENCES agents (id) ON DELETE SET NULL,
    status_code     integer,
    duration_ms     integer NOT NULL,
    error           text,
    created_at      timestamptz NOT NULL DEFAULT now()
);

--bun:split

CREATE INDEX action_calls_workspace_created ON action_calls (workspace_id, created_at DESC, id DESC);

--bun:split

CREATE INDEX action_calls_conversation ON action_calls (conversation_id, created_at DESC);
