ALTER TABLE themes ADD COLUMN created_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
ALTER TABLE themes ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';

CREATE TABLE theme_members_old (
    response_id BIGINT NOT NULL,
    tool_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('pain', 'proposal')),
    theme_id BIGINT NOT NULL REFERENCES themes (id),
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (response_id, tool_id, kind)
);
INSERT INTO theme_members_old SELECT response_id, tool_id, kind, theme_id, pinned, reason
    FROM theme_members;
DROP TABLE theme_members;
ALTER TABLE theme_members_old RENAME TO theme_members;
CREATE INDEX theme_members_theme ON theme_members (theme_id);

CREATE TABLE question_answers_old (
    response_id BIGINT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES round_questions (id),
    value TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id)
);
INSERT INTO question_answers_old SELECT response_id, question_id, value FROM question_answers;
DROP TABLE question_answers;
ALTER TABLE question_answers_old RENAME TO question_answers;

CREATE TABLE tool_answers_old (
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
    team_id BIGINT,
    themed BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (response_id, tool_id)
);
INSERT INTO tool_answers_old
    SELECT response_id, tool_id, not_used, security, reliability, usability, efficiency,
           latency, satisfaction, hours_lost, pain, proposal, round_id, team_id, themed
    FROM tool_answers;
DROP TABLE tool_answers;
ALTER TABLE tool_answers_old RENAME TO tool_answers;
CREATE INDEX tool_answers_tool_id ON tool_answers (tool_id);
CREATE INDEX tool_answers_results ON tool_answers
    (round_id, tool_id, not_used, team_id, security, reliability, usability, efficiency,
     latency, satisfaction, hours_lost);
CREATE INDEX tool_answers_unthemed ON tool_answers (tool_id) WHERE themed = FALSE;
