-- A survey program: what is asked, of whom, how often.
CREATE TABLE programs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    intro TEXT NOT NULL DEFAULT '',
    -- Every tool that qualifies as infrastructure when a round opens, or the listed ones.
    all_infra_tools BOOLEAN NOT NULL DEFAULT TRUE,
    -- Every team that uses an included tool when a round opens, or the listed ones.
    all_using_teams BOOLEAN NOT NULL DEFAULT TRUE,
    -- 'weeks' (cadence_weeks) or 'cron' (cron, in UTC).
    cadence_kind TEXT NOT NULL CHECK (cadence_kind IN ('weeks', 'cron')),
    cadence_weeks BIGINT,
    cron TEXT,
    open_days BIGINT NOT NULL,
    -- Days after opening on which reminders go, e.g. '3,6'.
    reminder_days TEXT NOT NULL DEFAULT '',
    anonymity_k BIGINT NOT NULL DEFAULT 5,
    paused BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE program_tools (
    program_id BIGINT NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    tool_id BIGINT NOT NULL REFERENCES tools (id),
    PRIMARY KEY (program_id, tool_id)
);

CREATE TABLE program_teams (
    program_id BIGINT NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    team_id BIGINT NOT NULL REFERENCES teams (id),
    PRIMARY KEY (program_id, team_id)
);

CREATE TABLE questions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('rating', 'single', 'multi', 'text')),
    prompt TEXT NOT NULL,
    -- Choices for single and multi, one per line.
    options TEXT NOT NULL DEFAULT '',
    required BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX questions_program_id ON questions (program_id);

-- One run of a program. Everything a respondent sees is copied here when it
-- opens, so later edits to the program never change a past round.
CREATE TABLE rounds (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES programs (id),
    number BIGINT NOT NULL,
    -- Which cadence period the round belongs to: two openers of the same
    -- period collide here instead of sending twice.
    period_key TEXT NOT NULL,
    program_name TEXT NOT NULL,
    intro TEXT NOT NULL,
    reminder_days TEXT NOT NULL,
    anonymity_k BIGINT NOT NULL,
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (program_id, number),
    UNIQUE (program_id, period_key)
);

CREATE TABLE round_tools (
    round_id BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    tool_id BIGINT NOT NULL REFERENCES tools (id),
    position BIGINT NOT NULL,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (round_id, tool_id)
);

-- Which tools each team used when the round opened: a member is asked about these.
CREATE TABLE round_team_tools (
    round_id BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    team_id BIGINT NOT NULL REFERENCES teams (id),
    tool_id BIGINT NOT NULL REFERENCES tools (id),
    PRIMARY KEY (round_id, team_id, tool_id)
);

CREATE TABLE round_questions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    prompt TEXT NOT NULL,
    options TEXT NOT NULL,
    required BOOLEAN NOT NULL
);
CREATE INDEX round_questions_round_id ON round_questions (round_id);

-- One member in one round. Records only whether the link was opened and the
-- form answered: never which response is theirs.
CREATE TABLE invitations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    team_id BIGINT NOT NULL REFERENCES teams (id),
    token TEXT NOT NULL UNIQUE,
    opened_at TIMESTAMP,
    answered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (round_id, member_id)
);
CREATE INDEX invitations_round_id ON invitations (round_id);

-- What one invitation answered. respondent_key is an HMAC of the token under
-- the server's secret: the respondent's link finds its response again, but
-- the database alone cannot tell whose it is.
CREATE TABLE responses (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    team_id BIGINT NOT NULL REFERENCES teams (id),
    respondent_key TEXT NOT NULL UNIQUE,
    submitted_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX responses_round_id ON responses (round_id);

CREATE TABLE tool_answers (
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
    PRIMARY KEY (response_id, tool_id)
);
CREATE INDEX tool_answers_tool_id ON tool_answers (tool_id);

CREATE TABLE question_answers (
    response_id BIGINT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES round_questions (id),
    -- Multiple choices one per line.
    value TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id)
);
