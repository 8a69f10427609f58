// Written by hand to the types both backends share: TEXT, BIGINT, BOOLEAN, TIMESTAMP.
// Keep in step with migrations/sqlite and migrations/postgres.

diesel::table! {
    accounts (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (key_hash) {
        key_hash -> Text,
        account_id -> Nullable<BigInt>,
        state -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (id) {
        id -> BigInt,
        bucket -> Text,
        failed_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> accounts (account_id));

diesel::table! {
    teams (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        description -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    members (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        team_id -> BigInt,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tools (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        description -> Text,
        category -> Text,
        owner_team_id -> BigInt,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    adoptions (team_id, tool_id) {
        team_id -> BigInt,
        tool_id -> BigInt,
        business_critical -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    import_drafts (id) {
        id -> Text,
        kind -> Text,
        file_name -> Text,
        content -> Text,
        create_teams -> Bool,
        account_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(members -> teams (team_id));
diesel::joinable!(tools -> teams (owner_team_id));
diesel::joinable!(adoptions -> teams (team_id));
diesel::joinable!(adoptions -> tools (tool_id));
diesel::joinable!(import_drafts -> accounts (account_id));
diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    sessions,
    login_failures,
    teams,
    members,
    tools,
    adoptions,
    import_drafts
);
