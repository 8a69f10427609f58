-- theme_members is the grouping's output: every refresh reconciles it with
-- the tool's answers (a member whose answer is gone is taken out), and its
-- tool is its theme's. So it keeps only the key on its theme, as on
-- PostgreSQL, where the keys on responses and tools cost a check per row
-- of every regrouping. SQLite drops a key by rebuilding the table.
CREATE TABLE theme_members_new (
    response_id BIGINT NOT NULL,
    tool_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('pain', 'proposal')),
    theme_id BIGINT NOT NULL REFERENCES themes (id),
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    -- Why it belongs: the words and signals it shares with the theme.
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (response_id, tool_id, kind)
);
INSERT INTO theme_members_new SELECT response_id, tool_id, kind, theme_id, pinned, reason
    FROM theme_members;
DROP TABLE theme_members;
ALTER TABLE theme_members_new RENAME TO theme_members;
CREATE INDEX theme_members_theme ON theme_members (theme_id);
