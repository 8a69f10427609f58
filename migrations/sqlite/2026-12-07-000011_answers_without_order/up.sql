-- Answers stored in an order that says nothing (see README, Confidentiality).
-- An ordinary SQLite table keeps its rows in rowid order, and a rowid is
-- handed out in insert order: the answer tables were in submission order.
-- WITHOUT ROWID tables are kept in primary key order, which starts with the
-- response's random id. Themes keep no times: a theme made by the grouping
-- was stamped when the comment that started it arrived.
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
    round_id BIGINT NOT NULL DEFAULT 0,
    -- Erased with the response's team when the round closes (teams under k).
    team_id BIGINT,
    themed BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (response_id, tool_id)
) WITHOUT ROWID;
INSERT INTO tool_answers_new
    SELECT response_id, tool_id, not_used, security, reliability, usability, efficiency,
           latency, satisfaction, hours_lost, pain, proposal, round_id, team_id, themed
    FROM tool_answers;
DROP TABLE tool_answers;
ALTER TABLE tool_answers_new RENAME TO tool_answers;
CREATE INDEX tool_answers_tool_id ON tool_answers (tool_id);
CREATE INDEX tool_answers_results ON tool_answers
    (round_id, tool_id, not_used, team_id, security, reliability, usability, efficiency,
     latency, satisfaction, hours_lost);
CREATE INDEX tool_answers_unthemed ON tool_answers (tool_id) WHERE themed = FALSE;

CREATE TABLE question_answers_new (
    response_id BIGINT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES round_questions (id),
    value TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id)
) WITHOUT ROWID;
INSERT INTO question_answers_new SELECT response_id, question_id, value FROM question_answers;
DROP TABLE question_answers;
ALTER TABLE question_answers_new RENAME TO question_answers;

CREATE TABLE theme_members_new (
    response_id BIGINT NOT NULL,
    tool_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('pain', 'proposal')),
    theme_id BIGINT NOT NULL REFERENCES themes (id),
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    -- Why it belongs: the words and signals it shares with the theme.
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (response_id, tool_id, kind)
) WITHOUT ROWID;
INSERT INTO theme_members_new SELECT response_id, tool_id, kind, theme_id, pinned, reason
    FROM theme_members;
DROP TABLE theme_members;
ALTER TABLE theme_members_new RENAME TO theme_members;
CREATE INDEX theme_members_theme ON theme_members (theme_id);

ALTER TABLE themes DROP COLUMN created_at;
ALTER TABLE themes DROP COLUMN updated_at;
