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
    login_attempts (bucket) {
        bucket -> Text,
        window_start -> Timestamp,
        attempts -> BigInt,
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
    categories (key) {
        key -> Text,
        name -> Text,
        position -> BigInt,
        created_at -> Timestamp,
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

diesel::table! {
    programs (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        intro -> Text,
        all_infra_tools -> Bool,
        all_using_teams -> Bool,
        cadence_kind -> Text,
        cadence_weeks -> Nullable<BigInt>,
        cron -> Nullable<Text>,
        open_days -> BigInt,
        reminder_days -> Text,
        anonymity_k -> BigInt,
        paused -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        thank_on_close -> Bool,
    }
}

diesel::table! {
    program_tools (program_id, tool_id) {
        program_id -> BigInt,
        tool_id -> BigInt,
    }
}

diesel::table! {
    program_teams (program_id, team_id) {
        program_id -> BigInt,
        team_id -> BigInt,
    }
}

diesel::table! {
    questions (id) {
        id -> BigInt,
        program_id -> BigInt,
        position -> BigInt,
        kind -> Text,
        prompt -> Text,
        options -> Text,
        required -> Bool,
    }
}

diesel::table! {
    rounds (id) {
        id -> BigInt,
        program_id -> BigInt,
        number -> BigInt,
        period_key -> Text,
        program_name -> Text,
        intro -> Text,
        reminder_days -> Text,
        anonymity_k -> BigInt,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        created_at -> Timestamp,
        thank_on_close -> Bool,
        closed_at -> Nullable<Timestamp>,
        sealed -> Bool,
    }
}

diesel::table! {
    opt_outs (program_id, member_id) {
        program_id -> BigInt,
        member_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        invitation_id -> BigInt,
        round_id -> BigInt,
        kind -> Text,
        seq -> BigInt,
        message_key -> Text,
        status -> Text,
        attempts -> BigInt,
        due_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    round_tools (round_id, tool_id) {
        round_id -> BigInt,
        tool_id -> BigInt,
        position -> BigInt,
        slug -> Text,
        name -> Text,
        invited -> BigInt,
    }
}

diesel::table! {
    round_team_tools (round_id, team_id, tool_id) {
        round_id -> BigInt,
        team_id -> BigInt,
        tool_id -> BigInt,
    }
}

diesel::table! {
    round_questions (id) {
        id -> BigInt,
        round_id -> BigInt,
        position -> BigInt,
        kind -> Text,
        prompt -> Text,
        options -> Text,
        required -> Bool,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        round_id -> BigInt,
        member_id -> BigInt,
        team_id -> BigInt,
        legacy_token -> Nullable<Text>,
        created_at -> Timestamp,
        token_hash -> Nullable<Text>,
        token_seed -> Nullable<Text>,
    }
}

diesel::table! {
    responses (id) {
        id -> BigInt,
        round_id -> BigInt,
        team_id -> Nullable<BigInt>,
        respondent_key -> Nullable<Text>,
    }
}

diesel::table! {
    tool_answers (response_id, tool_id) {
        response_id -> BigInt,
        tool_id -> BigInt,
        not_used -> Bool,
        security -> Nullable<BigInt>,
        reliability -> Nullable<BigInt>,
        usability -> Nullable<BigInt>,
        efficiency -> Nullable<BigInt>,
        latency -> Nullable<BigInt>,
        satisfaction -> Nullable<BigInt>,
        hours_lost -> Nullable<BigInt>,
        pain -> Text,
        proposal -> Text,
        round_id -> BigInt,
        team_id -> Nullable<BigInt>,
        themed -> Bool,
    }
}

diesel::table! {
    themes (id) {
        id -> BigInt,
        tool_id -> BigInt,
        kind -> Text,
        label -> Text,
        custom_label -> Nullable<Text>,
        property -> Nullable<Text>,
        replace -> Bool,
        replace_override -> Nullable<Bool>,
        forced -> Nullable<Text>,
        horizon -> Nullable<Text>,
        status -> Text,
    }
}

diesel::table! {
    theme_members (response_id, tool_id, kind) {
        response_id -> BigInt,
        tool_id -> BigInt,
        kind -> Text,
        theme_id -> BigInt,
        pinned -> Bool,
        reason -> Text,
    }
}

diesel::table! {
    theme_links (proposal_theme_id, pain_theme_id) {
        proposal_theme_id -> BigInt,
        pain_theme_id -> BigInt,
        linked -> Bool,
        manual -> Bool,
        reporting -> BigInt,
        authors -> BigInt,
    }
}

diesel::table! {
    theme_rounds (theme_id, round_id) {
        theme_id -> BigInt,
        round_id -> BigInt,
        respondents -> BigInt,
        teams -> BigInt,
        hours -> BigInt,
        severity -> BigInt,
        impact -> BigInt,
        mean -> Nullable<BigInt>,
    }
}

diesel::table! {
    theme_state (tool_id) {
        tool_id -> BigInt,
        revision -> BigInt,
    }
}

diesel::table! {
    round_results (round_id, tool_id, team_id, measure, value) {
        round_id -> BigInt,
        tool_id -> BigInt,
        team_id -> BigInt,
        measure -> Text,
        value -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    baselines (tool_id, measure) {
        tool_id -> BigInt,
        measure -> Text,
        hundredths -> BigInt,
        set_at -> Timestamp,
    }
}

diesel::table! {
    question_answers (response_id, question_id) {
        response_id -> BigInt,
        question_id -> BigInt,
        value -> Text,
    }
}

diesel::joinable!(members -> teams (team_id));
diesel::joinable!(tools -> teams (owner_team_id));
diesel::joinable!(tools -> categories (category));
diesel::joinable!(adoptions -> teams (team_id));
diesel::joinable!(adoptions -> tools (tool_id));
diesel::joinable!(import_drafts -> accounts (account_id));
diesel::joinable!(program_tools -> programs (program_id));
diesel::joinable!(program_tools -> tools (tool_id));
diesel::joinable!(program_teams -> programs (program_id));
diesel::joinable!(program_teams -> teams (team_id));
diesel::joinable!(questions -> programs (program_id));
diesel::joinable!(rounds -> programs (program_id));
diesel::joinable!(round_tools -> rounds (round_id));
diesel::joinable!(round_team_tools -> rounds (round_id));
diesel::joinable!(round_questions -> rounds (round_id));
diesel::joinable!(invitations -> rounds (round_id));
diesel::joinable!(invitations -> members (member_id));
diesel::joinable!(invitations -> teams (team_id));
diesel::joinable!(responses -> rounds (round_id));
diesel::joinable!(tool_answers -> responses (response_id));
diesel::joinable!(question_answers -> responses (response_id));
diesel::joinable!(round_results -> rounds (round_id));
diesel::joinable!(round_results -> tools (tool_id));
diesel::joinable!(baselines -> tools (tool_id));
diesel::joinable!(theme_members -> themes (theme_id));
diesel::joinable!(theme_members -> responses (response_id));
diesel::joinable!(theme_rounds -> themes (theme_id));
diesel::joinable!(theme_rounds -> rounds (round_id));
diesel::joinable!(themes -> tools (tool_id));
diesel::joinable!(opt_outs -> programs (program_id));
diesel::joinable!(opt_outs -> members (member_id));
diesel::joinable!(outbox -> invitations (invitation_id));
diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    sessions,
    login_attempts,
    teams,
    members,
    tools,
    categories,
    adoptions,
    import_drafts,
    programs,
    program_tools,
    program_teams,
    questions,
    rounds,
    round_tools,
    round_team_tools,
    round_questions,
    invitations,
    responses,
    tool_answers,
    question_answers,
    round_results,
    baselines,
    themes,
    theme_members,
    theme_links,
    theme_rounds,
    theme_state,
    opt_outs,
    outbox
);
