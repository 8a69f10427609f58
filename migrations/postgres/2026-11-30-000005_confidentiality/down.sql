DROP TABLE login_attempts;
CREATE TABLE login_failures (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bucket TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_bucket_time ON login_failures (bucket, failed_at);

-- Responses whose team was erased cannot go back; erased keys get a stand-in.
DELETE FROM responses WHERE team_id IS NULL;
UPDATE responses SET respondent_key = md5(random()::TEXT) || md5(random()::TEXT)
    WHERE respondent_key IS NULL;
ALTER TABLE responses ALTER COLUMN team_id SET NOT NULL;
ALTER TABLE responses ALTER COLUMN respondent_key SET NOT NULL;
ALTER TABLE responses ADD COLUMN submitted_at TIMESTAMP, ADD COLUMN updated_at TIMESTAMP;
UPDATE responses r SET submitted_at = o.opens_at, updated_at = o.opens_at
    FROM rounds o WHERE o.id = r.round_id;
ALTER TABLE responses ALTER COLUMN submitted_at SET NOT NULL;
ALTER TABLE responses ALTER COLUMN updated_at SET NOT NULL;
-- Random ids are far above any the identity would hand out.
ALTER TABLE responses ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
SELECT setval(pg_get_serial_sequence('responses', 'id'), GREATEST((SELECT max(id) FROM responses), 1));

-- Links derived from seeds cannot be stored back as tokens: they get a fresh
-- random token (the emailed link stops working).
ALTER TABLE invitations DROP COLUMN token_hash, DROP COLUMN token_seed;
UPDATE invitations SET legacy_token = md5(random()::TEXT) WHERE legacy_token IS NULL;
ALTER TABLE invitations ALTER COLUMN legacy_token SET NOT NULL;
ALTER TABLE invitations RENAME COLUMN legacy_token TO token;
ALTER TABLE invitations ADD COLUMN opened_at TIMESTAMP, ADD COLUMN answered_at TIMESTAMP;
