-- The times come back as NOT NULL columns without a default, as they were:
-- SQLite adds such a column only by rebuilding the table (the 12-step
-- rebuild of https://sqlite.org/lang_altertable.html). What they held is
-- gone; they read the epoch.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE themes_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tool_id BIGINT NOT NULL REFERENCES tools (id),
    kind TEXT NOT NULL CHECK (kind IN ('pain', 'proposal')),
    label TEXT NOT NULL,
    custom_label TEXT,
    property TEXT,
    replace BOOLEAN NOT NULL DEFAULT FALSE,
    replace_override BOOLEAN,
    forced TEXT CHECK (forced IN ('forced', 'discretionary')),
    horizon TEXT CHECK (horizon IN ('short', 'long')),
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'planned', 'in_progress', 'done', 'wont_fix')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO themes_old
    SELECT id, tool_id, kind, label, custom_label, property, replace, replace_override,
           forced, horizon, status, '1970-01-01 00:00:00', '1970-01-01 00:00:00'
    FROM themes;
DROP TABLE themes;
ALTER TABLE themes_old RENAME TO themes;
CREATE INDEX themes_tool_kind ON themes (tool_id, kind);
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
