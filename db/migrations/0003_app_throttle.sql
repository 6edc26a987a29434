-- Attempt counters and locks (sign-in, second factor, email codes), shared by
-- every module. They live in the database, not in memory, so a restart or a
-- second instance never hands an attacker a fresh set of guesses.
--
-- key is an opaque string chosen by the caller ("signin:user:<username>",
-- "signin:ip:<address>", "2fa:<cred>", "email-code:<address>"). count is the
-- number of attempts in the window that began at window_start; locked_until
-- is set when a rule's limit was reached. last_notified remembers when the
-- owner was last emailed about this key, so lockout notices go out at most
-- once a day; resets keep it.
CREATE TABLE app_throttle (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL DEFAULT 0,
    window_start TIMESTAMP NOT NULL,
    locked_until TIMESTAMP NULL,
    last_notified TIMESTAMP NULL
);
