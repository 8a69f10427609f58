PRAGMA foreign_keys = OFF;
BEGIN;

DROP TABLE login_attempts;
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_bucket_time ON login_failures (bucket, failed_at);

-- Links derived from seeds cannot be stored back as tokens: they get a fresh
-- random token (the emailed link stops working).
CREATE TABLE invitations_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    team_id BIGINT NOT NULL REFERENCES teams (id),
    token TEXT NOT NULL UNIQUE,
    opened_at TIMESTAMP,
    answered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (round_id, member_id)
);
INSERT INTO invitations_old (id, round_id, member_id, team_id, token, created_at)
    SELECT id, round_id, member_id, team_id,
           COALESCE(legacy_token, lower(hex(randomblob(16)))), created_at
    FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_old RENAME TO invitations;
CREATE INDEX invitations_round_id ON invitations (round_id);

CREATE TABLE responses_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    team_id BIGINT NOT NULL REFERENCES teams (id),
    respondent_key TEXT NOT NULL UNIQUE,
    submitted_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Responses whose team was erased cannot go back; keys erased at closing get
-- a random stand-in.
INSERT INTO responses_old (id, round_id, team_id, respondent_key, submitted_at, updated_at)
    SELECT r.id, r.round_id, r.team_id, COALESCE(r.respondent_key, lower(hex(randomblob(32)))),
           o.opens_at, o.opens_at
    FROM responses r JOIN rounds o ON o.id = r.round_id
    WHERE r.team_id IS NOT NULL;
DELETE FROM question_answers WHERE response_id NOT IN (SELECT id FROM responses_old);
DELETE FROM tool_answers WHERE response_id NOT IN (SELECT id FROM responses_old);
DROP TABLE responses;
ALTER TABLE responses_old RENAME TO responses;
CREATE INDEX responses_round_id ON responses (round_id);

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
