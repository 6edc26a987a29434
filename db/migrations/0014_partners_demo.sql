-- The Demo Bank (modules/partners/demobank): a test OpenID Connect provider
-- built into Guichet, so the Sign-In Partner round trip runs for real in
-- development and in browser tests. Nothing here is about real people.

-- The bank's ID token signing key (ECDSA P-256), sealed with the server's
-- seal key and bound to its kid, so it survives restarts and a copy of the
-- database cannot sign tokens. kid is the key's RFC 7638 thumbprint.
CREATE TABLE partners_demo_keys (
    kid TEXT PRIMARY KEY,
    sealed_key BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Made-up bank customers. id is the stable subject the bank reports
-- (random 128-bit hex); the name is only shown on the bank's own pages and
-- never leaves the bank.
CREATE TABLE partners_demo_customers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX partners_demo_customers_created ON partners_demo_customers (created_at);

-- Authorization requests being worked through on the bank's pages. The
-- random id is in the page URLs; the row lives 15 minutes. issuer is the
-- issuer URL in force when the request arrived, which the ID token
-- carries. otp is the demo second-step code shown on the page; wrong_tries
-- counts wrong codes (5 cancel the request). done is set once the request
-- produced its one code or was cancelled, with a conditional UPDATE.
CREATE TABLE partners_demo_requests (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    state TEXT NOT NULL,
    nonce TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    lang TEXT NOT NULL CHECK (lang IN ('en', 'fr')),
    issuer TEXT NOT NULL,
    customer_id TEXT NULL REFERENCES partners_demo_customers (id),
    otp TEXT NOT NULL,
    wrong_tries INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX partners_demo_requests_expires ON partners_demo_requests (expires_at);

-- Authorization codes, kept only as SHA-256 of the code, with what the
-- token endpoint needs to check the exchange and build the ID token. A
-- code lives 60 seconds and is redeemed once: used_at is set with a
-- conditional UPDATE, so two concurrent redemptions cannot both win.
CREATE TABLE partners_demo_codes (
    code_hash BLOB PRIMARY KEY,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    nonce TEXT NOT NULL,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    mfa INTEGER NOT NULL CHECK (mfa IN (0, 1)),
    auth_time TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP NULL
);
CREATE INDEX partners_demo_codes_expires ON partners_demo_codes (expires_at);
