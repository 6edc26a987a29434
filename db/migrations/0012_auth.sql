-- GCKey credentials (modules/auth).
--
-- A row is never deleted: closing or expiry only stamps closed_at or
-- expired_at, so the username stays reserved for good (usernames are never
-- reused). username keeps the case the person typed, for display and
-- reminders; username_norm (lower case, trimmed) is what uniqueness and
-- sign-in go by. email_norm is the lower-cased address, for "forgot my
-- username". lang is the language the person last used, for their emails.
CREATE TABLE auth_credentials (
    cred TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    username_norm TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    email TEXT NOT NULL,
    email_norm TEXT NOT NULL,
    email_verified_at TIMESTAMP NULL,
    lang TEXT NOT NULL CHECK (lang IN ('en', 'fr')),
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NULL,
    expired_at TIMESTAMP NULL,
    closed_at TIMESTAMP NULL
);
CREATE INDEX auth_credentials_email ON auth_credentials (email_norm);
-- The expiry job looks for open credentials unused for two years.
CREATE INDEX auth_credentials_unused ON auth_credentials (last_used_at, created_at);

-- Sign-ups waiting for the emailed code. The random id lives only in the
-- person's session; a row older than 30 minutes is dead and is deleted.
-- The username is not reserved here: it is checked again when the
-- credential is created.
CREATE TABLE auth_signups (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    username_norm TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    email TEXT NOT NULL,
    lang TEXT NOT NULL CHECK (lang IN ('en', 'fr')),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX auth_signups_created ON auth_signups (created_at);

-- Browsers that completed a sign-in for a credential. Only a SHA-256 of the
-- random id in the browser's cookie is kept. A known browser is exempt from
-- the username lock, so nobody can keep a person locked out from afar.
CREATE TABLE auth_devices (
    device_hash BLOB NOT NULL,
    cred TEXT NOT NULL REFERENCES auth_credentials (cred),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (device_hash, cred)
);
CREATE INDEX auth_devices_cred ON auth_devices (cred);
