-- Themes keep no times: a theme made by the grouping was stamped when the
-- comment that started it arrived (see README, Confidentiality). The answer
-- tables' order is handled when a round is sealed: PostgreSQL keeps no
-- table in key order, so sealing rewrites them with CLUSTER.
ALTER TABLE themes DROP COLUMN created_at;
ALTER TABLE themes DROP COLUMN updated_at;
