-- Failed sign-ins per email address (whether or not an agent has it), for
-- the backoff of service.Login; a success deletes the row.
CREATE TABLE login_failures (
    email text PRIMARY KEY,
    failures integer NOT NULL,
    locked_until timestamptz,
    updated_at timestamptz NOT NULL
);
