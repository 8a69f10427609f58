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
    use infrapulse::links::LinkKeys;
    use infrapulse::secret::Secret;
    use infrapulse::surveys::respond;

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

/// The schema as the database describes it, one line per column, index
/// and key, so that two moments can be compared (lemmy's diff check).
fn schema_of(conn: &mut infrapulse::db::DbConnection) -> Vec<String> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text)]
        line: String,
    }
    let sql = if matches!(conn, infrapulse::db::DbConnection::Sqlite(_)) {
        "SELECT 'column ' || m.name || '.' || p.name || ' ' || p.type || ' notnull=' || p.\"notnull\"
                || ' default=' || COALESCE(p.dflt_value, '') || ' pk=' || p.pk AS line
           FROM sqlite_master m, pragma_table_info(m.name) p
          WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'
         UNION ALL
         SELECT 'index ' || m.name || '.' || il.name || ' unique=' || il.\"unique\" || ' partial=' || il.partial
                || ' (' || (SELECT group_concat(ii.name, ',') FROM pragma_index_info(il.name) ii) || ')'
           FROM sqlite_master m, pragma_index_list(m.name) il
          WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'
            AND il.origin = 'c'
         UNION ALL
         SELECT 'foreign key ' || m.name || '.' || f.\"from\" || ' -> ' || f.\"table\" || '.' || COALESCE(f.\"to\", '')
                || ' on delete ' || f.on_delete
           FROM sqlite_master m, pragma_foreign_key_list(m.name) f
          WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
         ORDER BY line"
    } else {
        "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' nullable=' || is_nullable
                || ' default=' || COALESCE(column_default, '') AS line
           FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'
         UNION ALL
         SELECT 'index ' || tablename || ': ' || indexdef FROM pg_indexes
          WHERE schemaname = 'public' AND tablename <> '__diesel_schema_migrations'
         UNION ALL
         SELECT 'constraint ' || conrelid::regclass::text || '.' || conname || ' ' || pg_get_constraintdef(oid)
           FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            AND conrelid::regclass::text <> '__diesel_schema_migrations'
         ORDER BY line"
    };
    diesel::sql_query(sql)
        .load::<Line>(conn)
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect()
}

/// Each migration, one at a time: up, down (the schema is what it was
/// before), and up again (what it was after). A `down.sql` that forgets an
/// index or a default, or leaves a column in another order, fails here.
#[test]
fn each_migration_goes_up_down_and_up_to_the_same_schema() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = TestDb::new(dir.path());
    let url = DatabaseUrl::parse(&test_db.url).unwrap();
    let pool = db::connect(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let mut mismatches = Vec::new();
    loop {
        let before = schema_of(&mut conn);
        let Some(name) = db::run_migration_steps(&mut conn, 1).unwrap().pop() else {
            break;
        };
        let after = schema_of(&mut conn);
        let reverted = db::revert_last_migration(&mut conn).unwrap();
        assert_eq!(reverted, name);
        let back = schema_of(&mut conn);
        let diff = |a: &[String], b: &[String]| -> Vec<String> {
            a.iter()
                .filter(|l| !b.contains(l))
                .map(|l| format!("  - {l}"))
                .chain(
                    b.iter()
                        .filter(|l| !a.contains(l))
                        .map(|l| format!("  + {l}")),
                )
                .collect()
        };
        let down = diff(&before, &back);
        if !down.is_empty() {
            mismatches.push(format!("{name} down:\n{}", down.join("\n")));
        }
        assert_eq!(
            db::run_migration_steps(&mut conn, 1).unwrap(),
            vec![name.clone()]
        );
        let up = diff(&after, &schema_of(&mut conn));
        if !up.is_empty() {
            mismatches.push(format!("{name} up again:\n{}", up.join("\n")));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// `src/db/schema.rs` is kept by hand (the portable subset both backends
/// share), so it is checked against what the migrations make: every table
/// and column it names exists, with its nullability and a type that stores
/// what diesel reads, and no column of the database is missing from it.
#[test]
fn schema_rs_matches_the_migrated_database() {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Column {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        column_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        data_type: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        nullable: bool,
    }
    let dir = tempfile::tempdir().unwrap();
    let test_db = TestDb::new(dir.path());
    let url = DatabaseUrl::parse(&test_db.url).unwrap();
    let pool = db::connect(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    db::run_migrations(&mut conn).unwrap();
    let sql = if test_db.is_postgres() {
        "SELECT table_name::text AS table_name, column_name::text AS column_name,
                data_type::text AS data_type, is_nullable = 'YES' AS nullable
           FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'"
    } else {
        "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type,
                (p.\"notnull\" = 0 AND p.pk = 0) AS nullable
           FROM sqlite_master m, pragma_table_info(m.name) p
          WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
            AND m.name <> '__diesel_schema_migrations'"
    };
    let mut in_db: std::collections::BTreeMap<(String, String), (String, bool)> =
        diesel::sql_query(sql)
            .load::<Column>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|c| {
                (
                    (c.table_name, c.column_name),
                    (c.data_type.to_lowercase(), c.nullable),
                )
            })
            .collect();

    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs")).unwrap();
    let (mut table, mut problems) = (String::new(), Vec::new());
    for line in source.lines().map(str::trim) {
        if let Some((name, _)) = line.split_once(" (").filter(|_| line.ends_with('{')) {
            table = name.to_owned();
            continue;
        }
        let Some((column, ty)) = line.strip_suffix(',').and_then(|l| l.split_once(" -> ")) else {
            continue;
        };
        let (ty, nullable) = match ty
            .strip_prefix("Nullable<")
            .and_then(|t| t.strip_suffix('>'))
        {
            Some(inner) => (inner, true),
            None => (ty, false),
        };
        let stores: &[&str] = match ty {
            "BigInt" => &["bigint", "integer"],
            "Text" => &["text"],
            "Bool" => &["boolean"],
            "Timestamp" => &["timestamp", "timestamp without time zone"],
            other => panic!("schema.rs uses {other}; teach this test its columns"),
        };
        match in_db.remove(&(table.clone(), column.to_owned())) {
            None => problems.push(format!("{table}.{column} is not in the database")),
            Some((db_type, db_nullable)) => {
                if !stores.contains(&db_type.as_str()) {
                    problems.push(format!(
                        "{table}.{column}: {ty} in schema.rs, {db_type} in the database"
                    ));
                }
                if db_nullable != nullable {
                    problems.push(format!(
                        "{table}.{column}: {} in schema.rs, {} in the database",
                        if nullable { "nullable" } else { "not null" },
                        if db_nullable { "nullable" } else { "not null" }
                    ));
                }
            }
        }
    }
    for ((table, column), _) in in_db {
        problems.push(format!(
            "{table}.{column} is in the database, not in schema.rs"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
