-- IRCC applications (modules/secureaccount/cases): applications submitted
-- online or recorded from paper, their history, the events other modules
-- consume, technical-problem reports and requests to link an application
-- to another account.
--
-- account_id is the secure account holding the application, NULL for a
-- paper application nobody has linked yet. number is W + 9 digits online,
-- P + 9 digits on paper, random and unique. family_norm is the family name
-- in lower case, for the staff search. birth_date is YYYY-MM-DD.
CREATE TABLE ircc_applications (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    account_id INTEGER NULL,
    kind TEXT NOT NULL,
    program TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    family_norm TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    uci TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '',
    invitation_id INTEGER NULL,
    staff_id INTEGER NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'in_progress', 'documents_requested', 'approved', 'refused')),
    submitted_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP NULL
);
CREATE INDEX ircc_applications_account ON ircc_applications (account_id, submitted_at);
CREATE INDEX ircc_applications_uci ON ircc_applications (uci);
CREATE INDEX ircc_applications_family ON ircc_applications (family_norm);

-- Everything that happened to an application, in order: submission,
-- status changes with the staff member's note, messages, document
-- requests, links to another account. The applicant sees the kind, the
-- status and the date; staff also see who and the note.
CREATE TABLE ircc_application_events (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES ircc_applications (id),
    at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT '',
    staff_id INTEGER NOT NULL DEFAULT 0,
    staff_name TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ircc_application_events_app ON ircc_application_events (application_id, id);

-- Events other modules consume (the PR portal: application_approved),
-- written in the same transaction as the change they announce, so none is
-- ever missed. One event of a kind per application.
CREATE TABLE ircc_outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    application_id INTEGER NOT NULL REFERENCES ircc_applications (id),
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    consumed_at TIMESTAMP NULL,
    UNIQUE (kind, application_id)
);
CREATE INDEX ircc_outbox_pending ON ircc_outbox (kind, consumed_at, id);

-- Technical-problem reports: an application submitted more than 5 days
-- ago that has not appeared. submitted_on is the date the person gave
-- (YYYY-MM-DD). A report waits in the staff queue until handled.
CREATE TABLE ircc_reports (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    application_number TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    submitted_on TEXT NOT NULL,
    details TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    handled_at TIMESTAMP NULL,
    handled_by INTEGER NULL
);
CREATE INDEX ircc_reports_open ON ircc_reports (handled_at, id);
CREATE INDEX ircc_reports_account ON ircc_reports (account_id);

-- Requests to link an application to the requesting account. With an
-- email on the application a code goes there (status code_sent); without
-- one, staff decide (awaiting_staff). from_account_id is who held the
-- application when the request was made (NULL: nobody).
CREATE TABLE ircc_link_requests (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES ircc_applications (id),
    account_id INTEGER NOT NULL,
    from_account_id INTEGER NULL,
    status TEXT NOT NULL CHECK (status IN ('code_sent', 'awaiting_staff', 'done', 'refused', 'cancelled')),
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP NULL,
    staff_id INTEGER NULL
);
CREATE INDEX ircc_link_requests_account ON ircc_link_requests (account_id);
CREATE INDEX ircc_link_requests_status ON ircc_link_requests (status, id);
