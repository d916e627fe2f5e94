-- Email goes out through an outbox: a row is written in the same
-- transaction as what it announces (an invitation, a reset link), and the
-- mailer claims due rows, sends them and marks them sent. The body (which
-- holds a sign-in link) is dropped once the row is sent or given up on.
CREATE TABLE mail_outbox (
    id           uuid PRIMARY KEY,
    workspace_id uuid REFERENCES workspaces (id) ON DELETE CASCADE,
    to_address   text NOT NULL,
    subject      text NOT NULL,
    body         text NOT NULL,
    created_at   timestamptz NOT NULL,
    available_at timestamptz NOT NULL DEFAULT now(),
    attempts     integer NOT NULL DEFAULT 0,
    sent_at      timestamptz,
    failed_at    timestamptz,
    last_error   text
);

--bun:split

CREATE INDEX mail_outbox_due ON mail_outbox (available_at) WHERE sent_at IS NULL AND failed_at IS NULL;

--bun:split

-- An invitation's link is emailed to its address; only its hash is kept.
-- A workspace has at most one pending invitation per address.
CREATE TABLE invitations (
    id           uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email        text NOT NULL,
    name         text NOT NULL DEFAULT '',
    role         text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    invited_by   uuid REFERENCES agents (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    accepted_by  uuid REFERENCES agents (id) ON DELETE SET NULL,
    revoked_at   timestamptz
);

--bun:split

CREATE UNIQUE INDEX invitations_pending ON invitations (workspace_id, lower(email))
    WHERE accepted_at IS NULL AND revoked_at IS NULL;

--bun:split

-- Password-reset requests, for the emailed links and for counting requests
-- per address (an address without an account gets a row without a token,
-- so both cases cost the same).
CREATE TABLE password_resets (
    id         uuid PRIMARY KEY,
    email      text NOT NULL,
    agent_id   uuid REFERENCES agents (id) ON DELETE CASCADE,
    token_hash bytea UNIQUE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

--bun:split

CREATE INDEX password_resets_email ON password_resets (lower(email), created_at);
