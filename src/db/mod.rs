//! The database: one connection type over SQLite and PostgreSQL, a pool, and
//! the embedded migrations for each backend.
//!
//! Queries live in the submodules, one per aggregate, and take `&mut DbConnection`
//! so that a caller can run several of them inside one transaction.

pub mod accounts;
pub mod adoptions;
pub mod categories;
pub mod exports;
pub mod import_drafts;
pub mod login_attempts;
pub mod members;
pub mod outbox;
pub mod programs;
pub mod responses;
pub mod results;
pub mod rounds;
pub mod schema;
pub mod sessions;
pub mod space;
pub mod teams;
pub mod themes;
pub mod tools;
pub mod writer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

impl DbConnection {
    pub fn backend_name(&self) -> &'static str {
        match self {
            DbConnection::Postgresql(_) => "postgresql",
            DbConnection::Sqlite(_) => "sqlite",
        }
    }
}

pub type DbBackend = <DbConnection as Connection>::Backend;

// `diesel::dsl::lower` is PostgreSQL's range function; this is LOWER(text),
// which both backends have.
diesel::define_sql_function! {
    #[sql_name = "lower"]
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

pub type DbPool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// Where the data lives, decided by the URL's scheme and never by trying
/// backends in turn: SQLite would accept any string as a file name.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// Accepts `postgres://…`, `postgresql://…`, `sqlite://PATH` and a bare file path.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("it is empty".into());
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(raw.to_owned()));
        }
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("sqlite:// needs a file path after it".into());
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = raw.split_once("://") {
            return Err(format!("the scheme '{scheme}' is not supported"));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(raw)))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgresql",
        }
    }
}

// A PostgreSQL URL may carry a password: show only what is safe.
impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::Postgres(_) => f.write_str("postgres://…"),
        }
    }
}

/// An r2d2 manager that opens the backend the URL names and sets SQLite up
/// for a server: WAL so readers never wait for the writer, enforced foreign
/// keys, a busy timeout instead of instant "database is locked", and
/// `synchronous=FULL` so an acknowledged write survives power loss.
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        let url = match url {
            DatabaseUrl::Postgres(raw) => DatabaseUrl::Postgres(local_without_tls(&raw)),
            sqlite => sqlite,
        };
        ConnectionManager { url }
    }
}

/// libpq's default, `sslmode=prefer`, negotiates TLS even on loopback,
/// where it protects nothing and costs a quarter of the submit rate. A
/// URL naming no `sslmode` gets `disable` when it points at this machine
/// (localhost, 127.0.0.1, ::1 or a Unix socket); any other host keeps
/// libpq's default, and an explicit `sslmode` is always kept.
pub fn local_without_tls(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        return raw.to_owned();
    };
    if url.query_pairs().any(|(k, _)| k == "sslmode") {
        return raw.to_owned();
    }
    let socket = url
        .query_pairs()
        .any(|(k, v)| k == "host" && v.starts_with('/'));
    let local = match url.host_str() {
        None | Some("") => true,
        Some(host) => socket || matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "::1"),
    };
    if !local {
        return raw.to_owned();
    }
    url.query_pairs_mut().append_pair("sslmode", "disable");
    url.to_string()
}

/// `cache_size`: 1 MiB of pages per connection (SQLite's default is 2),
/// as every connection of the pool fills its own cache once the database
/// outgrows it, and the file's pages stay in the kernel's cache anyway.
///
/// `wal_autocheckpoint`: the WAL is copied back into the database once it
/// holds 10,000 pages (40 MiB) instead of SQLite's 1,000. A 20-tool
/// submission dirties some 28 pages, most of them index leaves that every
/// submission of a tool shares; at 1,000 a checkpoint ran every two or
/// three group commits and copied those same pages again each time.
/// Rarer checkpoints copy each once: +17% submissions a second at 64
/// clients, for a longer pause when one runs (p99 33 -> 48 ms).
///
/// `secure_delete`: what a statement deletes or overwrites is zeroed in the
/// file, not left in free space. Sealing a round erases keys and small
/// teams, and respondents' edits replace answers; without it the old values
/// stay readable in the database file (see `scrub_after_seal`).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;
PRAGMA busy_timeout = 10000;
PRAGMA cache_size = -1024;
PRAGMA wal_autocheckpoint = 10000;
PRAGMA secure_delete = ON;";

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => diesel::PgConnection::establish(url)
                .map(DbConnection::Postgresql)
                .map_err(r2d2::Error::ConnectionError),
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_str().ok_or_else(|| {
                    r2d2::Error::ConnectionError(ConnectionError::BadConnection(
                        "the SQLite path is not valid UTF-8".into(),
                    ))
                })?;
                let mut conn = diesel::SqliteConnection::establish(path)
                    .map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// How long a request waits for a pooled connection before it is answered
/// 503: long enough to ride out a burst, short enough to fail fast when the
/// database is gone.
pub const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens the pool, creating the SQLite file's folder when needed. Fails fast
/// with the real cause when the database cannot be reached.
pub fn connect(url: &DatabaseUrl, max_size: u32) -> anyhow::Result<DbPool> {
    if let DatabaseUrl::Sqlite(path) = url {
        create_parent_dir(path)?;
    }
    let manager = ConnectionManager::new(url.clone());
    // Try one connection first: r2d2's own error after a timeout hides the cause.
    r2d2::ManageConnection::connect(&manager)
        .with_context(|| format!("cannot open the {} database", url.backend_name()))?;
    r2d2::Pool::builder()
        .max_size(max_size)
        // No ping per checkout (a round trip on every request): a
        // connection that broke fails its query, is found broken
        // (`has_broken`) and replaced, and that request answers 503.
        .test_on_check_out(false)
        .connection_timeout(CHECKOUT_TIMEOUT)
        .build(manager)
        .context("cannot build the database pool")
}

fn create_parent_dir(path: &Path) -> anyhow::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display())),
        _ => Ok(()),
    }
}

/// Applies every pending migration; returns the names of those applied.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<Vec<String>> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Applies at most `steps` pending migrations, oldest first; returns the
/// names of those applied. For tests that put data in an older schema.
pub fn run_migration_steps(conn: &mut DbConnection, steps: usize) -> anyhow::Result<Vec<String>> {
    fn steps_on<C, DB>(
        c: &mut C,
        source: EmbeddedMigrations,
        steps: usize,
    ) -> diesel::migration::Result<Vec<String>>
    where
        C: MigrationHarness<DB>,
        DB: diesel::backend::Backend,
    {
        let mut applied = Vec::new();
        for next in c.pending_migrations(source)?.into_iter().take(steps) {
            applied.push(c.run_migration(next.as_ref())?.to_string());
        }
        Ok(applied)
    }
    match conn {
        DbConnection::Sqlite(c) => steps_on(c, SQLITE_MIGRATIONS, steps),
        DbConnection::Postgresql(c) => steps_on(c, POSTGRES_MIGRATIONS, steps),
    }
    .map_err(|e| anyhow::anyhow!("migration failed: {e}"))
}

/// Reverts the newest applied migration; returns its name. For the test
/// that runs each migration up, down and up again.
pub fn revert_last_migration(conn: &mut DbConnection) -> anyhow::Result<String> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS),
        DbConnection::Postgresql(c) => c.revert_last_migration(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("reverting a migration failed: {e}"))?;
    Ok(reverted.to_string())
}

/// Reverts every applied migration, newest first. Used by tests to prove each
/// `down.sql` undoes its `up.sql`.
pub fn revert_all_migrations(conn: &mut DbConnection) -> anyhow::Result<Vec<String>> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS),
        DbConnection::Postgresql(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("reverting migrations failed: {e}"))?;
    Ok(reverted.iter().map(ToString::to_string).collect())
}

/// The application's own tables, as the database reports them.
pub fn table_names(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let sql = match conn {
        DbConnection::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations' ORDER BY name"
        }
        DbConnection::Postgresql(_) => {
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' \
             ORDER BY table_name"
        }
    };
    Ok(diesel::sql_query(sql)
        .load::<Name>(conn)?
        .into_iter()
        .map(|n| n.name)
        .collect())
}

/// Runs reads that belong together (a form and what was saved on it). On
/// SQLite in one read transaction: one snapshot, one lock taken. On
/// PostgreSQL as they come: under READ COMMITTED each statement has its own
/// snapshot inside a transaction too, so BEGIN and COMMIT would be two round
/// trips that buy nothing.
pub fn read_together<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(_) => conn.transaction(work),
        DbConnection::Postgresql(_) => work(conn),
    }
}

/// Copies SQLite's WAL back into the database file and empties it, so that
/// the file alone holds everything (checkpoints otherwise wait for 10,000
/// pages, see `SQLITE_PRAGMAS`); nothing to do on PostgreSQL.
pub fn checkpoint(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Sqlite(c) = conn {
        c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")?;
    }
    Ok(())
}

/// After a round's seal has committed, takes what it erased out of the
/// database's files. SQLite zeroed the erased values in the database pages
/// as it went (`secure_delete`), but its WAL still holds the pages as they
/// were: a truncating checkpoint copies the new pages back and empties it.
/// PostgreSQL keeps the erased values in dead row versions until a vacuum,
/// and every table's rows in the order they were written (so answers in
/// submission order): CLUSTER rewrites the answer tables in primary key
/// order (responses' random ids) into new files and drops the old ones. It
/// locks each table while it runs (seconds for a million answers), once
/// per round closed.
///
/// CLUSTER (like VACUUM) must keep a dead row version that a snapshot
/// older than the seal could still see, so it first waits, a few seconds at
/// most, for every other session's oldest snapshot to be newer than the
/// seal (`pg_stat_activity`; the role needs `pg_read_all_stats` to see other
/// roles' sessions). A session idle in a transaction for longer keeps what
/// it can see: the log says so.
pub fn scrub_after_seal(conn: &mut DbConnection) -> QueryResult<()> {
    match conn {
        DbConnection::Sqlite(_) => checkpoint(conn),
        DbConnection::Postgresql(c) => {
            wait_for_older_snapshots(c)?;
            c.batch_execute(
                "CLUSTER responses USING responses_pkey;
                 CLUSTER tool_answers USING tool_answers_pkey;
                 CLUSTER question_answers USING question_answers_pkey;
                 CLUSTER theme_members USING theme_members_pkey;",
            )
        }
    }
}

/// Waits until no other session holds a snapshot taken before now.
fn wait_for_older_snapshots(c: &mut diesel::PgConnection) -> QueryResult<()> {
    use diesel::sql_types::{BigInt, Text};
    #[derive(diesel::QueryableByName)]
    struct Xid {
        #[diesel(sql_type = Text)]
        xid: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Older {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    // The newest transaction id handed out so far: the seal's or later.
    let now: Xid = diesel::sql_query(
        "SELECT ((txid_snapshot_xmax(txid_current_snapshot()) - 1) % 4294967296)::text AS xid",
    )
    .get_result(c)?;
    let started = std::time::Instant::now();
    loop {
        let older: Older = diesel::sql_query(
            "SELECT COUNT(*) AS n FROM pg_stat_activity \
             WHERE pid <> pg_backend_pid() AND backend_xmin IS NOT NULL \
               AND age(backend_xmin) >= age($1::xid)",
        )
        .bind::<Text, _>(&now.xid)
        .get_result(c)?;
        if older.n == 0 {
            return Ok(());
        }
        if started.elapsed() > SNAPSHOT_WAIT {
            tracing::warn!(
                sessions = older.n,
                "sessions with snapshots older than a round's seal: the erased values they can \
                 still see stay in the files until the next round closes"
            );
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// How long a seal waits for older snapshots to end (`scrub_after_seal`).
const SNAPSHOT_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs `work` in a transaction meant to write. On SQLite it starts with
/// `BEGIN IMMEDIATE`: a deferred transaction that reads first cannot upgrade
/// to a writer when another writer got in meanwhile, and fails at once with
/// "database is locked" instead of waiting out the busy timeout. PostgreSQL
/// needs nothing special. Inside a transaction already open (the SQLite
/// writer's group, `writer`), it is a savepoint.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConnection::Sqlite(sqlite) = conn else {
        return conn.transaction(work);
    };
    let open = AnsiTransactionManager::transaction_manager_status_mut(sqlite)
        .transaction_depth()
        .is_ok_and(|depth| depth.is_some());
    if open {
        return conn.transaction(work);
    }
    let DbConnection::Sqlite(sqlite) = conn else {
        unreachable!("the connection's backend does not change");
    };
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    let result = work(conn);
    let DbConnection::Sqlite(sqlite) = conn else {
        unreachable!("the connection's backend does not change");
    };
    match result {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(sqlite)?;
            Ok(value)
        }
        Err(e) => {
            AnsiTransactionManager::rollback_transaction(sqlite)?;
            Err(e)
        }
    }
}

/// What `load` finds for `keys`, asked `size` keys at a time: an `IN`
/// list is one bound parameter per key, and a backend takes a bounded
/// number of them in one statement (SQLite 32,766, PostgreSQL 65,535).
pub fn load_in_chunks<K, T>(
    keys: &[K],
    size: usize,
    mut load: impl FnMut(&[K]) -> QueryResult<Vec<T>>,
) -> QueryResult<Vec<T>> {
    let mut out = Vec::new();
    for chunk in keys.chunks(size) {
        out.extend(load(chunk)?);
    }
    Ok(out)
}

/// Whether a query failed because the database is out of reach (a lost
/// connection, a server shutting down, a file locked past the busy timeout)
/// rather than because of the query: the caller should say "try again".
pub fn is_unavailable(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        | Error::DatabaseError(DatabaseErrorKind::UnableToSendCommand, _)
        | Error::BrokenTransactionManager => true,
        Error::DatabaseError(_, info) => {
            let m = info.message();
            // PostgreSQL's admin shutdown / cannot connect now; SQLite's busy file.
            m.contains("terminating connection")
                || m.contains("the database system is")
                || m.contains("server closed the connection")
                || m.contains("database is locked")
                || space::is_out_of_space(e)
        }
        _ => false,
    }
}

/// A write refused by a unique constraint: someone saved the same slug,
/// email or name a moment before (the forms check first, but two requests
/// can pass the check together; the constraint decides).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// The error a caller gets when its write could not be made durable, which
/// `is_unavailable` recognises: the database is out of reach for now.
pub fn unavailable(why: &str) -> diesel::result::Error {
    use diesel::result::{DatabaseErrorKind, Error};
    Error::DatabaseError(
        DatabaseErrorKind::UnableToSendCommand,
        Box::new(format!("the write was not committed: {why}")),
    )
}

/// `is_unavailable` for work that fails with `anyhow`, where a pool's
/// timeout (no connection to be had) means the same.
pub fn is_unavailable_cause(e: &anyhow::Error) -> bool {
    e.downcast_ref::<diesel::result::Error>()
        .is_some_and(is_unavailable)
        || e.downcast_ref::<r2d2::PoolError>().is_some()
}

/// Runs `work`, which writes in `write_transaction`: on SQLite through its
/// one writer when there is one (a savepoint in the next group commit), else
/// on a pooled connection. Either way the result comes back once committed.
pub async fn write<T, E, F>(pool: &DbPool, writer: Option<&writer::Writer>, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<r2d2::PoolError>
        + From<tokio::task::JoinError>
        + From<diesel::result::Error>
        + Send
        + 'static,
{
    match writer {
        Some(writer) => writer.run(work).await,
        None => run(pool, work).await,
    }
}

/// Runs blocking database work on tokio's blocking pool, never on the async
/// executor that serves requests.
pub async fn run<T, E, F>(pool: &DbPool, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<r2d2::PoolError> + From<tokio::task::JoinError> + Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get()?;
        work(&mut conn)
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_postgres_goes_without_tls_unless_told_otherwise() {
        for (given, expected) in [
            (
                "postgres://u@127.0.0.1:5432/db",
                "postgres://u@127.0.0.1:5432/db?sslmode=disable",
            ),
            (
                "postgres://localhost/db",
                "postgres://localhost/db?sslmode=disable",
            ),
            (
                "postgres://u:p@[::1]/db?x=1",
                "postgres://u:p@[::1]/db?x=1&sslmode=disable",
            ),
            (
                "postgres:///db?host=/var/run/postgresql",
                "postgres:///db?host=/var/run/postgresql&sslmode=disable",
            ),
            ("postgres://db.internal/db", "postgres://db.internal/db"),
            (
                "postgres://127.0.0.1/db?sslmode=require",
                "postgres://127.0.0.1/db?sslmode=require",
            ),
        ] {
            assert_eq!(local_without_tls(given), expected, "{given}");
        }
    }

    #[test]
    fn database_url_is_chosen_by_scheme() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db"),
            Ok(DatabaseUrl::Postgres("postgres://u@h/db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://h/db"),
            Ok(DatabaseUrl::Postgres("postgresql://h/db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.db"),
            Ok(DatabaseUrl::Sqlite("data/x.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/x.db"),
            Ok(DatabaseUrl::Sqlite("/var/x.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("data/x.db"),
            Ok(DatabaseUrl::Sqlite("data/x.db".into()))
        );
        assert!(DatabaseUrl::parse("mysql://h/db").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
        assert!(DatabaseUrl::parse("  ").is_err());
    }

    #[test]
    fn postgres_url_never_prints_its_password() {
        let url = DatabaseUrl::parse("postgres://u:hunter2@h/db").unwrap();
        assert!(!format!("{url:?}").contains("hunter2"));
    }
}
