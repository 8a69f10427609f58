use infrapulse::db::{self, DatabaseUrl};

use crate::helpers::TestDb;

#[test]
fn every_migration_applies_and_reverts_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = TestDb::new(dir.path());
    let url = DatabaseUrl::parse(&test_db.url).unwrap();
    let pool = db::connect(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();

    let applied = db::run_migrations(&mut conn).unwrap();
    assert!(!applied.is_empty());
    let tables = db::table_names(&mut conn).unwrap();
    for expected in [
        "accounts",
        "adoptions",
        "import_drafts",
        "login_attempts",
        "members",
        "sessions",
        "teams",
        "tools",
        "programs",
        "rounds",
        "invitations",
        "responses",
        "tool_answers",
        "question_answers",
    ] {
        assert!(
            tables.iter().any(|t| t == expected),
            "{expected} in {tables:?}"
        );
    }

    let reverted = db::revert_all_migrations(&mut conn).unwrap();
    assert_eq!(reverted.len(), applied.len());
    assert_eq!(db::table_names(&mut conn).unwrap(), Vec::<String>::new());

    // And up again: the down scripts left nothing behind that blocks it.
    assert_eq!(db::run_migrations(&mut conn).unwrap().len(), applied.len());
    assert_eq!(db::table_names(&mut conn).unwrap(), tables);
    assert!(
        db::run_migrations(&mut conn).unwrap().is_empty(),
        "idempotent"
    );
}

/// Answers given before responses were made unlinkable survive the
/// migration: re-keyed at random, still tied to their answers, and still
/// found by the link they were given under.
#[test]
fn answers_from_before_confidentiality_migrate_intact() {
    use diesel::prelude::*;
    use infrapulse::db::{responses, schema};
    use infrapulse::secret::Secret;
    use infrapulse::surveys::{links::LinkKeys, respond};

    let dir = tempfile::tempdir().unwrap();
    let test_db = TestDb::new(dir.path());
    let url = DatabaseUrl::parse(&test_db.url).unwrap();
    let pool = db::connect(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    assert_eq!(db::run_migration_steps(&mut conn, 4).unwrap().len(), 4);

    let keys = LinkKeys::new(&Secret::new("k".repeat(40)));
    let tokens = ["a".repeat(32), "b".repeat(32), "c".repeat(32)];
    let t = "'2026-01-01 09:00:00'";
    let mut sql = vec![
        format!(
            "INSERT INTO teams (slug, name, description, active, created_at, updated_at) VALUES ('a', 'A', '', TRUE, {t}, {t})"
        ),
        format!(
            "INSERT INTO tools (slug, name, description, category, owner_team_id, active, created_at, updated_at) VALUES ('ci', 'CI', '', 'other', 1, TRUE, {t}, {t})"
        ),
        format!(
            "INSERT INTO programs (slug, name, cadence_kind, cadence_weeks, open_days, created_at, updated_at) VALUES ('p', 'P', 'weeks', 13, 14, {t}, {t})"
        ),
        format!(
            "INSERT INTO rounds (program_id, number, period_key, program_name, intro, reminder_days, anonymity_k, opens_at, closes_at, created_at) VALUES (1, 1, 'm-1', 'P', '', '', 5, {t}, '2099-01-01 00:00:00', {t})"
        ),
    ];
    for (i, token) in tokens.iter().enumerate() {
        sql.push(format!("INSERT INTO members (email, name, team_id, active, created_at, updated_at) VALUES ('m{i}@example.com', 'M', 1, TRUE, {t}, {t})"));
        sql.push(format!("INSERT INTO invitations (round_id, member_id, team_id, token, opened_at, answered_at, created_at) VALUES (1, {}, 1, '{token}', {t}, {t}, {t})", i + 1));
    }
    for (i, token) in tokens.iter().take(2).enumerate() {
        let key = keys.respondent_key(token);
        sql.push(format!("INSERT INTO responses (round_id, team_id, respondent_key, submitted_at, updated_at) VALUES (1, 1, '{key}', {t}, {t})"));
        sql.push(format!("INSERT INTO tool_answers (response_id, tool_id, not_used, satisfaction, pain) VALUES ({}, 1, FALSE, {}, 'pain {i}')", i + 1, i + 2));
    }
    for statement in sql {
        diesel::sql_query(&statement)
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }

    assert!(!db::run_migrations(&mut conn).unwrap().is_empty());

    let ids: Vec<i64> = schema::responses::table
        .select(schema::responses::id)
        .load(&mut conn)
        .unwrap();
    assert_eq!(ids.len(), 2);
    assert!(
        ids.iter().all(|&id| id > 1_000_000),
        "ids are random now, not 1 and 2: {ids:?}"
    );
    let answers: i64 = schema::tool_answers::table
        .inner_join(schema::responses::table)
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(answers, 2, "every answer still belongs to its response");
    for (i, token) in tokens.iter().enumerate() {
        let linked = respond::find(&mut conn, &keys, token)
            .unwrap()
            .expect("an old link still opens");
        assert_eq!(linked.invitation.member_id, i as i64 + 1);
        match linked.response {
            Some(id) => {
                let stored = responses::answers(&mut conn, id).unwrap();
                assert_eq!(stored.tools[0].1.pain, format!("pain {i}"));
            }
            None => assert_eq!(i, 2, "only the third member had not answered"),
        }
    }
}
