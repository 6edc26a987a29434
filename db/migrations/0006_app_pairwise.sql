-- Pairwise identifiers: the only thing a service learns about who is signed
-- in. Random per (credential, service), so two services cannot match their
-- accounts and a service never sees the credential.
CREATE TABLE app_pairwise (
    cred TEXT NOT NULL,
    service TEXT NOT NULL,
    pairwise_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (cred, service),
    UNIQUE (service, pairwise_id)
);
