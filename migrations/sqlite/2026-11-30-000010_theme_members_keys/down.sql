CREATE TABLE theme_members_old (
    response_id BIGINT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    tool_id BIGINT NOT NULL REFERENCES tools (id),
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
