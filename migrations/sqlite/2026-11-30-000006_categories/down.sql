PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE tools_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL CHECK (category IN
        ('developer_tools', 'data_infrastructure', 'core_libraries', 'model_training', 'other')),
    owner_team_id BIGINT NOT NULL REFERENCES teams (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Categories added since fall back to "other".
INSERT INTO tools_old SELECT id, slug, name, description,
    CASE WHEN category IN ('developer_tools', 'data_infrastructure', 'core_libraries', 'model_training')
         THEN category ELSE 'other' END,
    owner_team_id, active, created_at, updated_at FROM tools;
DROP TABLE tools;
ALTER TABLE tools_old RENAME TO tools;
CREATE INDEX tools_owner_team_id ON tools (owner_team_id);
DROP TABLE categories;

DELETE FROM import_drafts WHERE kind NOT IN ('members', 'adoption');
CREATE TABLE import_drafts_old (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('members', 'adoption')),
    file_name TEXT NOT NULL,
    content TEXT NOT NULL,
    create_teams BOOLEAN NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO import_drafts_old SELECT * FROM import_drafts;
DROP TABLE import_drafts;
ALTER TABLE import_drafts_old RENAME TO import_drafts;

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
