CREATE TABLE teams (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE members (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    team_id BIGINT NOT NULL REFERENCES teams (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX members_team_id ON members (team_id);

CREATE TABLE tools (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
CREATE INDEX tools_owner_team_id ON tools (owner_team_id);

-- Team T uses tool X. Part of the pair's description, so it goes with either.
CREATE TABLE adoptions (
    team_id BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    tool_id BIGINT NOT NULL REFERENCES tools (id) ON DELETE CASCADE,
    business_critical BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (team_id, tool_id)
);
CREATE INDEX adoptions_tool_id ON adoptions (tool_id);

-- An uploaded CSV between its preview and its commit.
CREATE TABLE import_drafts (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('members', 'adoption')),
    file_name TEXT NOT NULL,
    content TEXT NOT NULL,
    create_teams BOOLEAN NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
