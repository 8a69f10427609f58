DROP INDEX tool_answers_unthemed;
ALTER TABLE tool_answers DROP COLUMN themed;
DROP TABLE theme_state;
DROP TABLE theme_rounds;
DROP TABLE theme_links;
DROP TABLE theme_members;
DROP TABLE themes;
