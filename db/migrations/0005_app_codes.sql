-- One-time codes and tokens (email codes, recovery codes, reset links,
-- invitation and enrolment codes). Only an HMAC of each code is stored.
CREATE TABLE app_codes (
    id INTEGER PRIMARY KEY,
    purpose TEXT NOT NULL,
    subject TEXT NOT NULL,
    code_hash BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    used_at TIMESTAMP
);
CREATE INDEX app_codes_subject ON app_codes (purpose, subject);
CREATE INDEX app_codes_hash ON app_codes (purpose, code_hash);
