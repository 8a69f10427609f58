DROP INDEX responses_round_id;
CREATE INDEX responses_round_id ON responses (round_id);
