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
        "login_failures",
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
