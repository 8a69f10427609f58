-- Exports page through a round's responses in id order, a page at a time:
-- the round and the id in one index (SQLite's rowid was in it already).
DROP INDEX responses_round_id;
CREATE INDEX responses_round_id ON responses (round_id, id);
