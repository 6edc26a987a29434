-- Security events, append-only: rows are only inserted, and the retention job
-- later blanks ip and user_agent; nothing else is ever updated or deleted.
--
-- scope keeps the two kinds of subject apart. A 'credential' row names a
-- credential ("gckey:<uuid>"); a 'service' row names what a service account
-- did by "<service>:<pairwise id>" and never the credential, so this table
-- cannot be used to join the pairwise ids that services were given precisely
-- so they could not be joined.
CREATE TABLE app_audit (
    id INTEGER PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('credential', 'service')),
    subject TEXT NOT NULL,
    event TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
-- "Recent activity" for one subject, newest first.
CREATE INDEX app_audit_subject ON app_audit (scope, subject, at);
-- Only rows still holding an address or user agent, so the purge job finds
-- its work without rereading the whole (ever growing) history each run.
-- Partial indexes exist in both SQLite and PostgreSQL.
CREATE INDEX app_audit_unpurged ON app_audit (at) WHERE ip <> '' OR user_agent <> '';
