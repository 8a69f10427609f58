-- Results. Each answer carries its round and team, so a round's figures are
-- read from one covering index without touching responses or the comment
-- text. A closed round never changes again: its histograms are kept in
-- round_results (written when it closes), per tool, team and measure.
ALTER TABLE tool_answers ADD COLUMN round_id BIGINT NOT NULL DEFAULT 0;
-- Erased with the response's team when the round closes (teams under k).
ALTER TABLE tool_answers ADD COLUMN team_id BIGINT;
UPDATE tool_answers SET
    round_id = (SELECT r.round_id FROM responses r WHERE r.id = tool_answers.response_id),
    team_id = (SELECT r.team_id FROM responses r WHERE r.id = tool_answers.response_id);
CREATE INDEX tool_answers_results ON tool_answers
    (round_id, tool_id, not_used, team_id, security, reliability, usability, efficiency,
     latency, satisfaction, hours_lost);

-- How many answers of (round, tool, team) gave `value` for `measure`
-- (security … latency, satisfaction: 1-5; hours: hours lost). team_id 0 holds
-- the answers of teams whose name was erased (fewer than k answers).
CREATE TABLE round_results (
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    tool_id BIGINT NOT NULL REFERENCES tools (id),
    team_id BIGINT NOT NULL,
    measure TEXT NOT NULL,
    value BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (round_id, tool_id, team_id, measure, value)
);

-- The level a tool's measure must not fall below, in hundredths (3.5 = 350).
CREATE TABLE baselines (
    tool_id BIGINT NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    measure TEXT NOT NULL,
    hundredths BIGINT NOT NULL,
    set_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tool_id, measure)
);

-- Members asked about each tool (their team used it when the round opened),
-- fixed when the round opens.
ALTER TABLE round_tools ADD COLUMN invited BIGINT NOT NULL DEFAULT 0;
UPDATE round_tools SET invited = (
    SELECT COUNT(*) FROM invitations i
    JOIN round_team_tools rtt ON rtt.round_id = i.round_id AND rtt.team_id = i.team_id
    WHERE i.round_id = round_tools.round_id AND rtt.tool_id = round_tools.tool_id);

-- Set when the round's closing has sealed it (keys erased, results kept).
ALTER TABLE rounds ADD COLUMN sealed BOOLEAN NOT NULL DEFAULT FALSE;
