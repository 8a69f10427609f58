//! SQLite's one writer, with group commit.
//!
//! SQLite lets one transaction write at a time. Pooled connections racing
//! for `BEGIN IMMEDIATE` wait in its busy handler, which sleeps 1-100 ms per
//! retry: under load about one sleep per submission, p99 in the hundreds of
//! milliseconds. Here one thread owns a connection and takes the work
//! queued on a channel: every job waiting when a transaction starts goes
//! into it, each in a savepoint of its own (a job that fails leaves nothing
//! behind), and one COMMIT (one fsync, `synchronous=FULL` stays) makes them
//! all durable. Each job's caller hears back only after that COMMIT, so an
//! acknowledged write is on disk, and throughput grows past one fsync per
//! write as the queue does.
//!
//! PostgreSQL has no such limit: its writes go through the pool.

use std::sync::mpsc;

use diesel::connection::SimpleConnection;
use diesel::r2d2::ManageConnection;
use diesel::result::Error as DieselError;

use super::{ConnectionManager, DatabaseUrl, DbConnection, unavailable};

/// At most this many jobs share one transaction.
const MAX_BATCH: usize = 256;
/// Jobs that may wait for the writer; past that, callers wait to queue.
const QUEUE: usize = 4096;

/// A queued unit of work: run it in the open transaction, or tell its
/// caller why it never ran.
trait Job: Send {
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Box<dyn Reply>;
    fn fail(self: Box<Self>, why: &str);
}

/// A job's outcome, held until its transaction has committed (or not).
trait Reply: Send {
    fn send(self: Box<Self>, commit: Result<(), &str>);
}

struct Task<F, T, E> {
    work: F,
    tx: tokio::sync::oneshot::Sender<Result<T, E>>,
}

struct Done<T, E> {
    result: Result<T, E>,
    tx: tokio::sync::oneshot::Sender<Result<T, E>>,
}

impl<F, T, E> Job for Task<F, T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DieselError> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Box<dyn Reply> {
        use diesel::Connection;
        // A savepoint: a job that fails takes only its own writes back.
        let result = conn.transaction(self.work);
        Box::new(Done {
            result,
            tx: self.tx,
        })
    }

    fn fail(self: Box<Self>, why: &str) {
        let _ = self.tx.send(Err(E::from(unavailable(why))));
    }
}

impl<T: Send, E: From<DieselError> + Send> Reply for Done<T, E> {
    fn send(self: Box<Self>, commit: Result<(), &str>) {
        let outcome = match commit {
            Ok(()) => self.result,
            // Its writes were rolled back with the rest: whatever it
            // computed did not happen.
            Err(why) => Err(E::from(unavailable(why))),
        };
        let _ = self.tx.send(outcome);
    }
}

/// The handle callers queue work on. Dropping every handle stops the thread
/// once the queue is empty.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::SyncSender<Box<dyn Job>>,
}

impl Writer {
    /// The writer a database needs: SQLite's, started; none for PostgreSQL.
    pub fn for_database(url: &DatabaseUrl) -> anyhow::Result<Option<Writer>> {
        match url {
            DatabaseUrl::Sqlite(_) => Writer::start(url).map(Some),
            DatabaseUrl::Postgres(_) => Ok(None),
        }
    }

    /// Starts the writer thread on its own connection to `path`.
    pub fn start(url: &DatabaseUrl) -> anyhow::Result<Writer> {
        let manager = ConnectionManager::new(url.clone());
        // Fail at start, with the cause, rather than on the first write.
        let conn = connect(&manager)?;
        let (jobs, queue) = mpsc::sync_channel::<Box<dyn Job>>(QUEUE);
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || serve(manager, conn, queue))?;
        Ok(Writer { jobs })
    }

    /// Runs `work` in a transaction shared with the other jobs waiting,
    /// and returns its result once that transaction has committed.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DieselError> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Box<dyn Job> = Box::new(Task { work, tx });
        let jobs = self.jobs.clone();
        // A full queue blocks the sender: wait for room off the executor.
        let queued = match jobs.try_send(job) {
            Ok(()) => Ok(()),
            Err(mpsc::TrySendError::Full(job)) => {
                match tokio::task::spawn_blocking(move || jobs.send(job)).await {
                    Ok(Ok(())) => Ok(()),
                    _ => Err(()),
                }
            }
            Err(mpsc::TrySendError::Disconnected(_)) => Err(()),
        };
        if queued.is_err() {
            return Err(E::from(unavailable("the writer has stopped")));
        }
        rx.await
            .unwrap_or_else(|_| Err(E::from(unavailable("the writer stopped mid-transaction"))))
    }
}

/// The writer's connection. Each job runs in a savepoint, whose journal
/// SQLite spills to a temporary file past 64 KiB, as a 20-tool submission's
/// pages do: some 4,500 writes a second to that file under 8 clients,
/// more than to the WAL. Kept in memory instead; the writer sorts nothing
/// large that would grow there.
fn connect(manager: &ConnectionManager) -> Result<DbConnection, diesel::r2d2::Error> {
    let mut conn = manager.connect()?;
    conn.batch_execute("PRAGMA temp_store = MEMORY")
        .map_err(diesel::r2d2::Error::QueryError)?;
    Ok(conn)
}

fn serve(manager: ConnectionManager, conn: DbConnection, queue: mpsc::Receiver<Box<dyn Job>>) {
    let mut conn = Some(conn);
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let c = match conn.take() {
            Some(c) => c,
            None => match connect(&manager) {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "the SQLite writer cannot connect");
                    let why = format!("cannot connect: {e}");
                    batch.into_iter().for_each(|job| job.fail(&why));
                    continue;
                }
            },
        };
        conn = commit_batch(c, batch);
    }
}

/// Runs `batch` in one transaction; returns the connection when it is
/// still fit for the next.
fn commit_batch(mut conn: DbConnection, batch: Vec<Box<dyn Job>>) -> Option<DbConnection> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConnection::Sqlite(sqlite) = &mut conn else {
        unreachable!("the writer is SQLite's");
    };
    if super::space::is_short() {
        // Give the WAL's space back before trying again (`db::space`).
        if let Err(e) = sqlite.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)") {
            tracing::warn!(error = %e, "could not truncate the WAL");
        }
    }
    if let Err(e) = AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE") {
        let why = e.to_string();
        batch.into_iter().for_each(|job| job.fail(&why));
        return None;
    }
    // A job that panics must not leave the others waiting forever: the
    // batch is rolled back and every caller hears so.
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        batch
            .into_iter()
            .map(|job| job.run(&mut conn))
            .collect::<Vec<_>>()
    }));
    let DbConnection::Sqlite(sqlite) = &mut conn else {
        unreachable!("the writer is SQLite's");
    };
    let replies = match ran {
        Ok(replies) => replies,
        Err(_) => {
            tracing::error!("a write job panicked; its batch was rolled back");
            let _ = sqlite.batch_execute("ROLLBACK");
            // The transaction manager's state is unknown: start afresh.
            return None;
        }
    };
    match AnsiTransactionManager::commit_transaction(sqlite) {
        Ok(()) => {
            replies.into_iter().for_each(|r| r.send(Ok(())));
            Some(conn)
        }
        Err(e) => {
            super::space::note(&e);
            tracing::error!(error = %e, "a group commit failed");
            let _ = AnsiTransactionManager::rollback_transaction(sqlite);
            let why = e.to_string();
            replies.into_iter().for_each(|r| r.send(Err(&why)));
            None
        }
    }
}
