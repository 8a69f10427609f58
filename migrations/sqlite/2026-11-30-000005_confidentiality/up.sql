-- Nothing stored may tie a response to its member (see README, Confidentiality):
-- * invitations keep no token, only its SHA-256 (to find a link) and a seed
--   the server turns into the token with its secret (to write emails); no
--   opened or answered times. Links emailed before this change keep working
--   through legacy_token until their round closes.
-- * responses get random ids, no times, and a team and key that the round's
--   closing may erase.
-- * sign-in throttling counts attempts per bucket and window in one row.
-- The 12-step rebuild of https://sqlite.org/lang_altertable.html.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE invitations_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    team_id BIGINT NOT NULL REFERENCES teams (id),
    legacy_token TEXT UNIQUE,
    created_at TIMESTAMP NOT NULL,
    token_hash TEXT UNIQUE,
    token_seed TEXT,
    UNIQUE (round_id, member_id)
);
INSERT INTO invitations_new (id, round_id, member_id, team_id, legacy_token, created_at)
    SELECT id, round_id, member_id, team_id, token, created_at FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_new RENAME TO invitations;
CREATE INDEX invitations_round_id ON invitations (round_id);

CREATE TEMP TABLE response_ids AS
    SELECT id AS old_id, (random() & 9223372036854775807) AS new_id FROM responses;

CREATE TABLE responses_new (
    -- Random, so that ids carry no order.
    id INTEGER PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    -- Erased when the round closes for teams with fewer than k responses.
    team_id BIGINT REFERENCES teams (id),
    -- HMAC of the token under the server's secret; erased when the round closes.
    respondent_key TEXT UNIQUE
);
INSERT INTO responses_new (id, round_id, team_id, respondent_key)
    SELECT m.new_id, r.round_id, r.team_id, r.respondent_key
    FROM responses r JOIN response_ids m ON m.old_id = r.id;

CREATE TABLE tool_answers_new (
    response_id BIGINT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    tool_id BIGINT NOT NULL REFERENCES tools (id),
    not_used BOOLEAN NOT NULL,
    security BIGINT,
    reliability BIGINT,
    usability BIGINT,
    efficiency BIGINT,
    latency BIGINT,
    satisfaction BIGINT,
    hours_lost BIGINT,
    pain TEXT NOT NULL DEFAULT '',
    proposal TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (response_id, tool_id)
);
INSERT INTO tool_answers_new
    SELECT m.new_id, t.tool_id, t.not_used, t.security, t.reliability, t.usability,
           t.efficiency, t.latency, t.satisfaction, t.hours_lost, t.pain, t.proposal
    FROM tool_answers t JOIN response_ids m ON m.old_id = t.response_id;

CREATE TABLE question_answers_new (
    response_id BIGINT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES round_questions (id),
    value TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id)
);
INSERT INTO question_answers_new
    SELECT m.new_id, q.question_id, q.value
    FROM question_answers q JOIN response_ids m ON m.old_id = q.response_id;

DROP TABLE question_answers;
DROP TABLE tool_answers;
DROP TABLE responses;
DROP TABLE response_ids;
ALTER TABLE responses_new RENAME TO responses;
ALTER TABLE tool_answers_new RENAME TO tool_answers;
ALTER TABLE question_answers_new RENAME TO question_answers;
CREATE INDEX responses_round_id ON responses (round_id);
CREATE INDEX tool_answers_tool_id ON tool_answers (tool_id);

DROP TABLE login_failures;
-- One row per bucket ('account:<email>' or 'address:<ip>'): attempts in the
-- window that started at window_start. Counted before the password is checked.
CREATE TABLE login_attempts (
    bucket TEXT PRIMARY KEY NOT NULL,
    window_start TIMESTAMP NOT NULL,
    attempts BIGINT NOT NULL
);
CREATE INDEX login_attempts_window_start ON login_attempts (window_start);

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
