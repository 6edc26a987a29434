-- IRCC staff: who may use the staff console, and the one-time grants that
-- let a person become a staff member.
--
-- A member is known only by the pairwise id the staff service was given
-- for their GCKey, never by the credential. A revoked member keeps their
-- row (revoked_at set) so the audit trail still names them, and is refused
-- on their very next request.
CREATE TABLE staff_members (
    id INTEGER PRIMARY KEY,
    pairwise_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('officer', 'administrator')),
    granted_at TIMESTAMP NOT NULL,
    enrolled_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP NULL
);

-- A grant is made on the command line for a named person and a role. Its
-- enrolment code lives in app_codes (purpose 'staff-enrolment', subject the
-- grant id), stored only as an HMAC; redeeming it makes (or restores) the
-- member and records who the grant went to.
CREATE TABLE staff_grants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('officer', 'administrator')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    redeemed_at TIMESTAMP NULL,
    revoked_at TIMESTAMP NULL,
    member_id INTEGER NULL REFERENCES staff_members (id)
);
CREATE INDEX staff_grants_member ON staff_grants (member_id);
