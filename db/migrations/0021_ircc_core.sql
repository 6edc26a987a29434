-- The IRCC secure account itself (modules/secureaccount): accounts,
-- letters from IRCC, the person's replies, document requests and the
-- documents uploaded against them.
--
-- An account is keyed by the pairwise id its Principal carries and nothing
-- else: no credential, no username. birth_date is YYYY-MM-DD. uci is the
-- Unique Client Identifier (10 digits), NULL until a first profile or
-- application is submitted.
CREATE TABLE ircc_accounts (
    id INTEGER PRIMARY KEY,
    pairwise_id TEXT NOT NULL UNIQUE,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    email TEXT NOT NULL,
    lang TEXT NOT NULL CHECK (lang IN ('en', 'fr')),
    uci TEXT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Letters IRCC posts to an account, written in the account's language.
-- application_id is 0 for a letter about no application (applications live
-- in another part's table, so there is no foreign key); linking an
-- application elsewhere moves its letters by changing account_id.
-- staff_id is 0 for letters the system wrote.
CREATE TABLE ircc_messages (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES ircc_accounts (id),
    application_id INTEGER NOT NULL DEFAULT 0,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    needs_reply INTEGER NOT NULL DEFAULT 0 CHECK (needs_reply IN (0, 1)),
    staff_id INTEGER NOT NULL DEFAULT 0,
    sent_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP NULL
);
CREATE INDEX ircc_messages_account ON ircc_messages (account_id, sent_at);
CREATE INDEX ircc_messages_application ON ircc_messages (application_id);

-- The person's answers to letters that ask for one. They belong to the
-- letter's account.
CREATE TABLE ircc_replies (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES ircc_messages (id),
    body TEXT NOT NULL,
    sent_at TIMESTAMP NOT NULL
);
CREATE INDEX ircc_replies_message ON ircc_replies (message_id);

-- A document IRCC asked for: the only thing an upload can be made
-- against. fulfilled_at is set by the first upload.
CREATE TABLE ircc_doc_requests (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES ircc_accounts (id),
    message_id INTEGER NOT NULL REFERENCES ircc_messages (id),
    application_id INTEGER NOT NULL DEFAULT 0,
    label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    fulfilled_at TIMESTAMP NULL
);
CREATE INDEX ircc_doc_requests_account ON ircc_doc_requests (account_id, fulfilled_at);
CREATE INDEX ircc_doc_requests_message ON ircc_doc_requests (message_id);
CREATE INDEX ircc_doc_requests_application ON ircc_doc_requests (application_id);

-- Uploaded files, checked by content (PDF, JPEG or PNG, at most 4 MB), kept
-- with their request. content_type is what the content was found to be,
-- never what the browser said. reply_id is set when the file came with a
-- reply to the letter.
CREATE TABLE ircc_documents (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES ircc_accounts (id),
    request_id INTEGER NOT NULL REFERENCES ircc_doc_requests (id),
    reply_id INTEGER NULL REFERENCES ircc_replies (id),
    application_id INTEGER NOT NULL DEFAULT 0,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX ircc_documents_account ON ircc_documents (account_id, uploaded_at);
CREATE INDEX ircc_documents_request ON ircc_documents (request_id);
CREATE INDEX ircc_documents_reply ON ircc_documents (reply_id);
CREATE INDEX ircc_documents_application ON ircc_documents (application_id);
