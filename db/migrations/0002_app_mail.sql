-- The mail outbox. Modules insert here inside their own transaction, so a
-- message exists exactly when the business change committed; the delivery job
-- sends from here and never deletes, so an SMTP outage delays mail but loses
-- none. In development this table is the dev outbox page.
--
-- message_id is fixed at enqueue time and reused on every retry, so a receiver
-- that got a message whose acknowledgement we lost can drop the duplicate.
-- A failed row is parked: only an operator's requeue sends it again.
CREATE TABLE app_outbox (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    lang TEXT NOT NULL CHECK (lang IN ('en', 'fr', 'bilingual')),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP NULL
);
-- Serves both the delivery job (status = 'pending' AND next_attempt_at <= now)
-- and the operator's list of failed messages, as the table only grows.
CREATE INDEX app_outbox_due ON app_outbox (status, next_attempt_at);
