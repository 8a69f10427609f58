-- Themes keep no times (see README, Confidentiality): a theme made by the
-- grouping was stamped when the comment that started it arrived. The
-- answer tables' order is handled when a round is sealed: their rows are
-- written again in the order of the responses' random ids.
BEGIN;
ALTER TABLE themes DROP COLUMN created_at;
ALTER TABLE themes DROP COLUMN updated_at;
COMMIT;
