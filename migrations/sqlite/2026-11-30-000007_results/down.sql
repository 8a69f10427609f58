ALTER TABLE rounds DROP COLUMN sealed;
ALTER TABLE round_tools DROP COLUMN invited;
DROP TABLE baselines;
DROP TABLE round_results;
DROP INDEX tool_answers_results;
ALTER TABLE tool_answers DROP COLUMN team_id;
ALTER TABLE tool_answers DROP COLUMN round_id;
