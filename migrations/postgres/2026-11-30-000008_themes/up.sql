-- Pain points and proposals grouped into themes per tool, across rounds.
-- The grouping is the algorithm's (analytics::themes); every column an
-- admin sets (custom_label, replace_override, the tags,
-- pinned members, manual links) wins over it and survives regrouping.
CREATE TABLE themes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tool_id BIGINT NOT NULL REFERENCES tools (id),
    kind TEXT NOT NULL CHECK (kind IN ('pain', 'proposal')),
    -- The grouping's own label: its top terms.
    label TEXT NOT NULL,
    custom_label TEXT,
    -- The property its words and its respondents' ratings point at.
    property TEXT,
    -- Found to propose replacing the tool (rewrite, migrate to, switch to).
    replace BOOLEAN NOT NULL DEFAULT FALSE,
    replace_override BOOLEAN,
    forced TEXT CHECK (forced IN ('forced', 'discretionary')),
    horizon TEXT CHECK (horizon IN ('short', 'long')),
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'planned', 'in_progress', 'done', 'wont_fix')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX themes_tool_kind ON themes (tool_id, kind);

-- Which theme each comment is in. A comment is one response's pain or
-- proposal about one tool; pinned ones were placed by an admin.
CREATE TABLE theme_members (
    response_id BIGINT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    tool_id BIGINT NOT NULL REFERENCES tools (id),
    kind TEXT NOT NULL CHECK (kind IN ('pain', 'proposal')),
    theme_id BIGINT NOT NULL REFERENCES themes (id),
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    -- Why it belongs: the words and signals it shares with the theme.
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (response_id, tool_id, kind)
);
CREATE INDEX theme_members_theme ON theme_members (theme_id);

-- Which pain a proposal addresses. The grouping's links (manual false) are
-- worked out afresh each time; an admin's (manual true) say linked or not,
-- and once a proposal has one, only the admin's count for it.
CREATE TABLE theme_links (
    proposal_theme_id BIGINT NOT NULL REFERENCES themes (id),
    pain_theme_id BIGINT NOT NULL REFERENCES themes (id),
    linked BOOLEAN NOT NULL,
    manual BOOLEAN NOT NULL,
    PRIMARY KEY (proposal_theme_id, pain_theme_id)
);

-- Per theme and round: who wrote about it and what it cost (impact in
-- hundredths), kept for the priorities page.
CREATE TABLE theme_rounds (
    theme_id BIGINT NOT NULL REFERENCES themes (id),
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    respondents BIGINT NOT NULL,
    teams BIGINT NOT NULL,
    hours BIGINT NOT NULL,
    severity BIGINT NOT NULL,
    impact BIGINT NOT NULL,
    -- The theme's respondents' mean rating of its property (else
    -- satisfaction), in hundredths; NULL when none of them rated it.
    mean BIGINT,
    PRIMARY KEY (theme_id, round_id)
);

-- A tool's grouping state changes only under this row's revision: the
-- grouping works outside the write transaction and writes its result only
-- if no admin edit or other grouping got in meanwhile.
CREATE TABLE theme_state (
    tool_id BIGINT PRIMARY KEY REFERENCES tools (id),
    revision BIGINT NOT NULL
);

-- Answers not yet placed in themes: written false, set true by the grouping.
ALTER TABLE tool_answers ADD COLUMN themed BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX tool_answers_unthemed ON tool_answers (tool_id) WHERE themed = FALSE;
