-- A bearer token handed over by an unverified identify belongs to that
-- widget session alone: it is kept on the session's conversation, never on
-- the customer, so whoever merely claims an email never acts with (or
-- replaces) the token another session stored. AES-256-GCM, as on customers.
ALTER TABLE conversations
    ADD COLUMN bearer_token_ciphertext bytea,
    ADD COLUMN bearer_token_key_id     text;
