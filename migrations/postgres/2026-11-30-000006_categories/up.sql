-- Tool categories become a list admins keep, seeded with the talk's four
-- kinds of technical infrastructure and "other". A tool names its category
-- by key; a category in use cannot be deleted. Imports gain teams and tools.
CREATE TABLE categories (
    key TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    position BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO categories (key, name, position, created_at) VALUES
    ('developer_tools', 'Developer tools', 1, LOCALTIMESTAMP(0)),
    ('data_infrastructure', 'Data infrastructure', 2, LOCALTIMESTAMP(0)),
    ('core_libraries', 'Core libraries and frameworks', 3, LOCALTIMESTAMP(0)),
    ('model_training', 'Model training and evaluation', 4, LOCALTIMESTAMP(0)),
    ('other', 'Other', 5, LOCALTIMESTAMP(0));
ALTER TABLE tools DROP CONSTRAINT tools_category_check;
ALTER TABLE tools ADD CONSTRAINT tools_category_fkey FOREIGN KEY (category) REFERENCES categories (key);
CREATE INDEX tools_category ON tools (category);

ALTER TABLE import_drafts DROP CONSTRAINT import_drafts_kind_check;
ALTER TABLE import_drafts ADD CONSTRAINT import_drafts_kind_check
    CHECK (kind IN ('members', 'adoption', 'teams', 'tools'));
