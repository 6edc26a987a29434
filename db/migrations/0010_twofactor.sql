-- Second factors of any subject: a GCKey credential ("gckey", its reference)
-- or, later, a service account. A subject has at most one active factor and
-- at most one pending one (being set up); confirming the pending factor
-- replaces the active one.
--
-- secret_sealed is the TOTP secret sealed with the server's seal key, bound
-- to the subject and method, so a copy of the database does not give away
-- anyone's authenticator codes; email factors have none. A pending secret
-- waits here, sealed, until confirmed: never in the session.
--
-- last_step is the last accepted TOTP time step (Unix time / 30). A code is
-- accepted only for a later step, and the step is recorded with a
-- conditional UPDATE, so one code can never be used twice.
CREATE TABLE twofactor_factors (
    id INTEGER PRIMARY KEY,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('totp', 'email')),
    secret_sealed BLOB NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'active')),
    last_step INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP NULL
);
CREATE UNIQUE INDEX twofactor_factors_subject ON twofactor_factors (subject_kind, subject_id, status);
