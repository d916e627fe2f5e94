-- Identity verification: each workspace has a secret for user hashes
-- (HMAC-SHA256 of the lower-cased email), set by the application.
ALTER TABLE workspaces
    ADD COLUMN identity_secret               text,
    ADD COLUMN require_identity_verification boolean NOT NULL DEFAULT false;

--bun:split

-- A customer's token for the workspace's own API, AES-256-GCM encrypted;
-- the key id names the keyring key that sealed it.
ALTER TABLE customers
    ADD COLUMN bearer_token_ciphertext bytea,
    ADD COLUMN bearer_token_key_id     text;

--bun:split

-- identity_verified: the widget session behind this conversation's token
-- proved the customer's identity, so it may read their other conversations.
ALTER TABLE conversations ADD COLUMN identity_verified boolean NOT NULL DEFAULT false;
