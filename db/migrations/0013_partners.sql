-- Sign-In Partner credentials: which bank customer a partner credential
-- is. Only the broker reads this table; services see pairwise ids. The
-- partner's subject is kept as a keyed MAC, enough to recognise a returning
-- customer without storing the bank's identifier.
CREATE TABLE partners_credentials (
    cred TEXT PRIMARY KEY,
    partner TEXT NOT NULL,
    subject_mac TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    UNIQUE (partner, subject_mac)
);
