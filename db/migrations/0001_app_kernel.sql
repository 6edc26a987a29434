-- Kernel tables: the secret's key-check value and the session store.

CREATE TABLE app_keycheck (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    check_value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Session tokens are stored as SHA-256 hashes, so a copy of the database
-- cannot be replayed as cookies. cred lets every session of one credential be
-- ended at once (password change, recovery).
CREATE TABLE app_sessions (
    token_hash BLOB PRIMARY KEY,
    data BLOB NOT NULL,
    expiry TIMESTAMP NOT NULL,
    cred TEXT NOT NULL DEFAULT ''
);
CREATE INDEX app_sessions_expiry ON app_sessions (expiry);
CREATE INDEX app_sessions_cred ON app_sessions (cred);
