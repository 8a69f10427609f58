-- Nothing stored may tie a response to its member (see README, Confidentiality):
-- * invitations keep no token, only its SHA-256 (to find a link) and a seed
--   the server turns into the token with its secret (to write emails); no
--   opened or answered times. Links emailed before this change keep working
--   through legacy_token until their round closes.
-- * responses get random ids, no times, and a team and key that the round's
--   closing may erase.
-- * sign-in throttling counts attempts per bucket and window in one row.
ALTER TABLE invitations RENAME COLUMN token TO legacy_token;
ALTER TABLE invitations ALTER COLUMN legacy_token DROP NOT NULL;
ALTER TABLE invitations DROP COLUMN opened_at, DROP COLUMN answered_at;
ALTER TABLE invitations ADD COLUMN token_hash TEXT UNIQUE, ADD COLUMN token_seed TEXT;

ALTER TABLE tool_answers DROP CONSTRAINT tool_answers_response_id_fkey;
ALTER TABLE question_answers DROP CONSTRAINT question_answers_response_id_fkey;
ALTER TABLE responses ALTER COLUMN id DROP IDENTITY;
CREATE TEMP TABLE response_ids AS
    SELECT id AS old_id, 1 + floor(random() * 9.2e18)::BIGINT AS new_id FROM responses;
UPDATE tool_answers t SET response_id = m.new_id FROM response_ids m WHERE t.response_id = m.old_id;
UPDATE question_answers q SET response_id = m.new_id FROM response_ids m WHERE q.response_id = m.old_id;
UPDATE responses r SET id = m.new_id FROM response_ids m WHERE r.id = m.old_id;
DROP TABLE response_ids;
ALTER TABLE tool_answers ADD CONSTRAINT tool_answers_response_id_fkey
    FOREIGN KEY (response_id) REFERENCES responses (id) ON DELETE CASCADE;
ALTER TABLE question_answers ADD CONSTRAINT question_answers_response_id_fkey
    FOREIGN KEY (response_id) REFERENCES responses (id) ON DELETE CASCADE;
ALTER TABLE responses DROP COLUMN submitted_at, DROP COLUMN updated_at;
ALTER TABLE responses ALTER COLUMN team_id DROP NOT NULL;
ALTER TABLE responses ALTER COLUMN respondent_key DROP NOT NULL;

DROP TABLE login_failures;
CREATE TABLE login_attempts (
    bucket TEXT PRIMARY KEY NOT NULL,
    window_start TIMESTAMP NOT NULL,
    attempts BIGINT NOT NULL
);
CREATE INDEX login_attempts_window_start ON login_attempts (window_start);
