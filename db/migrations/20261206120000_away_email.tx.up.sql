-- Email when the customer is away (#21). A workspace's setting (off until
-- an admin switches it on); away_notified_seq is how far the customer has
-- been emailed, so a reply is emailed once (the notifier moves it in the
-- transaction that queues the email).
ALTER TABLE workspaces ADD COLUMN away_email jsonb NOT NULL DEFAULT '{}';

--bun:split

ALTER TABLE conversations ADD COLUMN away_notified_seq bigint NOT NULL DEFAULT 0;

--bun:split

-- The conversations that may have a reply to email: identified, with a
-- message after what the customer has read and been emailed. The notifier
-- scans it by last activity.
CREATE INDEX conversations_away_pending ON conversations (last_message_at)
    WHERE customer_id IS NOT NULL AND last_seq > GREATEST(customer_read_seq, away_notified_seq);

--bun:split

-- When a widget last had the conversation open: written when its event
-- stream (SSE or GraphQL subscription) connects, every presence interval
-- while it stays connected, and when it ends. A table of its own, so that
-- these frequent writes touch neither the conversation's row (its lock
-- orders messages) nor its indexes.
CREATE TABLE widget_presence (
    conversation_id uuid PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    seen_at         timestamptz NOT NULL
);

--bun:split

-- Customers who followed an email's unsubscribe link: no more away emails
-- or transcripts to them from their workspace. (A table of its own: the
-- customers' rows are read whole, cu.*, into a type that has no such
-- field.)
CREATE TABLE email_unsubscribes (
    customer_id     uuid PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    unsubscribed_at timestamptz NOT NULL
);

--bun:split

-- kind and conversation_id tag customers' emails (away, transcript), so
-- that transcripts are counted durably, across replicas; list_unsubscribe
-- is the one-click unsubscribe URL sent as List-Unsubscribe.
ALTER TABLE mail_outbox
    ADD COLUMN kind text,
    ADD COLUMN conversation_id uuid REFERENCES conversations (id) ON DELETE SET NULL,
    ADD COLUMN list_unsubscribe text NOT NULL DEFAULT '';

--bun:split

CREATE INDEX mail_outbox_transcripts ON mail_outbox (conversation_id, created_at) WHERE kind = 'transcript';

--bun:split

CREATE INDEX mail_outbox_transcripts_to ON mail_outbox (workspace_id, lower(to_address), created_at) WHERE kind = 'transcript';
