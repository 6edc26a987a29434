-- Express Entry (modules/secureaccount/expressentry): profiles, rounds of
-- invitations and the invitations themselves.
--
-- A profile is a draft until submitted: answers holds the form's answers
-- as JSON, saved at every step. On submission it gets its number (E + 10
-- digits), its Job Seeker Validation Code, submitted_at (the tie-break
-- time, never changed afterwards), expires_at (12 months later) and its
-- CRS score; crs_profile is the calculator's input as JSON, so a
-- nomination recomputes the score from exactly what was submitted.
-- The columns after "pool search" are copies of answers kept for the
-- provinces' search and the rounds; interests is ",AB,ON," so one LIKE
-- finds a jurisdiction. account_id is the secure account's id.
CREATE TABLE ircc_profiles (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'invited', 'applied', 'expired', 'withdrawn')),
    answers TEXT NOT NULL DEFAULT '{}',
    number TEXT NULL UNIQUE,
    jsvc TEXT NOT NULL DEFAULT '',
    uci TEXT NOT NULL DEFAULT '',
    crs_profile TEXT NOT NULL DEFAULT '',
    breakdown TEXT NOT NULL DEFAULT '',
    score INTEGER NOT NULL DEFAULT 0,
    nominated_by TEXT NOT NULL DEFAULT '',
    -- pool search
    first_language_min INTEGER NOT NULL DEFAULT 0,
    education INTEGER NOT NULL DEFAULT 0,
    canadian_work INTEGER NOT NULL DEFAULT 0,
    foreign_work INTEGER NOT NULL DEFAULT 0,
    noc TEXT NOT NULL DEFAULT '',
    teer INTEGER NOT NULL DEFAULT 0,
    interests TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP NULL,
    expires_at TIMESTAMP NULL
);
CREATE INDEX ircc_profiles_account ON ircc_profiles (account_id, created_at);
-- A round reads the pool in rank order straight from this index.
CREATE INDEX ircc_profiles_pool ON ircc_profiles (status, score DESC, submitted_at);

-- A round of invitations: what staff asked for (size, min_score, round_date)
-- and what it did (invited, cutoff_score, tiebreak_at: the submission time
-- of the last profile invited at the cut-off score).
CREATE TABLE ircc_rounds (
    id INTEGER PRIMARY KEY,
    round_date TEXT NOT NULL,
    size INTEGER NOT NULL,
    min_score INTEGER NOT NULL DEFAULT 0,
    invited INTEGER NOT NULL DEFAULT 0,
    cutoff_score INTEGER NULL,
    tiebreak_at TIMESTAMP NULL,
    staff_id INTEGER NOT NULL,
    run_at TIMESTAMP NOT NULL
);

-- An invitation to apply: 60 days to apply or decline. score is the
-- profile's score when invited; application_id and application_number
-- come from the applications module once the person applies.
CREATE TABLE ircc_invitations (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES ircc_rounds (id),
    profile_id INTEGER NOT NULL REFERENCES ircc_profiles (id),
    account_id INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'declined', 'applied', 'expired')),
    score INTEGER NOT NULL,
    invited_at TIMESTAMP NOT NULL,
    respond_by TIMESTAMP NOT NULL,
    responded_at TIMESTAMP NULL,
    application_id INTEGER NULL,
    application_number TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ircc_invitations_profile ON ircc_invitations (profile_id, invited_at);
CREATE INDEX ircc_invitations_round ON ircc_invitations (round_id);
CREATE INDEX ircc_invitations_open ON ircc_invitations (status, respond_by);
