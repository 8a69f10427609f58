-- Tool categories become a list admins keep, seeded with the talk's four
-- kinds of technical infrastructure and "other". A tool names its category
-- by key; a category in use cannot be deleted. Imports gain teams and tools.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE categories (
    key TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    position BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO categories (key, name, position, created_at) VALUES
    ('developer_tools', 'Developer tools', 1, CURRENT_TIMESTAMP),
    ('data_infrastructure', 'Data infrastructure', 2, CURRENT_TIMESTAMP),
    ('core_libraries', 'Core libraries and frameworks', 3, CURRENT_TIMESTAMP),
    ('model_training', 'Model training and evaluation', 4, CURRENT_TIMESTAMP),
    ('other', 'Other', 5, CURRENT_TIMESTAMP);

CREATE TABLE tools_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL REFERENCES categories (key),
    owner_team_id BIGINT NOT NULL REFERENCES teams (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO tools_new SELECT id, slug, name, description, category, owner_team_id, active, created_at, updated_at FROM tools;
DROP TABLE tools;
ALTER TABLE tools_new RENAME TO tools;
CREATE INDEX tools_owner_team_id ON tools (owner_team_id);
CREATE INDEX tools_category ON tools (category);

CREATE TABLE import_drafts_new (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('members', 'adoption', 'teams', 'tools')),
    file_name TEXT NOT NULL,
    content TEXT NOT NULL,
    create_teams BOOLEAN NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO import_drafts_new SELECT * FROM import_drafts;
DROP TABLE import_drafts;
ALTER TABLE import_drafts_new RENAME TO import_drafts;

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
