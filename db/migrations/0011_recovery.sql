-- Recovery codes themselves live in app_codes (purpose 'recovery', stored as
-- HMAC). This table keeps the one copy of a new set that can still be read:
-- sealed with the server's seal key, only so the person can download or
-- print the set they were just shown. It is deleted as soon as they confirm
-- they saved the codes, and never outlives 15 minutes.
--
-- viewed_at is set the first time the codes page shows the set: a second
-- view shows nothing secret.
CREATE TABLE recovery_shown (
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    sealed BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    viewed_at TIMESTAMP NULL,
    PRIMARY KEY (subject_kind, subject_id)
);
CREATE INDEX recovery_shown_created ON recovery_shown (created_at);
