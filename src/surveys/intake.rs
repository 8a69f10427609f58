//! Submissions written together: group commit for answers.
//!
//! A form is checked on a pooled connection (`respond::check`) and then
//! queued here. One thread takes every submission waiting and writes them
//! all in one transaction (two such batches at a time), with one statement
//! per table (`respond::save_checked`): on PostgreSQL each statement is a
//! round trip and each commit a WAL flush, on SQLite the batch is one job
//! of the one writer's group commit (`db::writer`). A submitter hears back
//! only once that transaction has committed, so an acknowledged answer is
//! durable as before; what a transaction costs is shared by every
//! submission that arrived while the one before it ran.
//!
//! A batch that fails (a unique key hit by the other batch in flight, or by
//! another server's write) is written again one submission at a time, each
//! in its own transaction, so that no submission fails for another's sake.

use std::ops::Range;
use std::sync::Arc;

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use tokio::sync::{Semaphore, mpsc, oneshot};

use super::respond::{self, Checked, Submitted};
use crate::clock::Clock;
use crate::db::writer::Writer;
use crate::db::{self, DbPool};
use crate::metrics::Metrics;

/// At most this many submissions share one transaction.
const MAX_BATCH: usize = 128;
/// Batches written at once: while one commits (a WAL flush), the next is
/// written. At 8 clients on PostgreSQL, 1, 2 and 4 gave 0.38, 0.43 and 0.44
/// of the raw transaction rate (one run each, within the machine's noise).
const IN_FLIGHT: usize = 2;
/// Submissions that may wait; past that, submitters wait to queue.
const QUEUE: usize = 4096;

struct Pending {
    checked: Checked,
    reply: oneshot::Sender<anyhow::Result<Submitted>>,
}

/// The handle submissions are queued on. Dropping it stops the thread once
/// the queue is empty.
pub struct Intake {
    queue: mpsc::Sender<Pending>,
}

impl Intake {
    /// Starts the thread that writes submissions, through `writer` when
    /// there is one (SQLite), else on pooled connections.
    pub fn start(
        pool: DbPool,
        writer: Option<Writer>,
        clock: Arc<dyn Clock>,
        metrics: Metrics,
    ) -> anyhow::Result<Intake> {
        let (queue, pending) = mpsc::channel(QUEUE);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let writes = Writes {
            pool,
            writer,
            clock,
            metrics,
        };
        std::thread::Builder::new()
            .name("intake".into())
            .spawn(move || runtime.block_on(writes.serve(pending)))?;
        Ok(Intake { queue })
    }

    /// Saves a checked form; the outcome comes back once it is committed.
    pub async fn save(&self, checked: Checked) -> anyhow::Result<Submitted> {
        let (reply, outcome) = oneshot::channel();
        self.queue
            .send(Pending { checked, reply })
            .await
            .map_err(|_| stopped("the intake has stopped"))?;
        outcome
            .await
            .unwrap_or_else(|_| Err(stopped("the intake stopped mid-write")))
    }
}

/// A submitter's error when its answer was not written (a 503).
fn stopped(why: &str) -> anyhow::Error {
    db::unavailable(why).into()
}

struct Writes {
    pool: DbPool,
    writer: Option<Writer>,
    clock: Arc<dyn Clock>,
    metrics: Metrics,
}

type Reply = oneshot::Sender<anyhow::Result<Submitted>>;

impl Writes {
    async fn serve(self, mut pending: mpsc::Receiver<Pending>) {
        let writes = Arc::new(self);
        let in_flight = Arc::new(Semaphore::new(IN_FLIGHT));
        loop {
            let Ok(permit) = in_flight.clone().acquire_owned().await else {
                return;
            };
            let Some(first) = pending.recv().await else {
                return;
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match pending.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            let (checked, replies): (Vec<Checked>, Vec<Reply>) =
                batch.into_iter().map(|p| (p.checked, p.reply)).unzip();
            let writes = writes.clone();
            tokio::spawn(async move {
                writes.write_batch(checked.into(), replies).await;
                drop(permit);
            });
        }
    }

    async fn write_batch(&self, checked: Arc<[Checked]>, replies: Vec<Reply>) {
        let replies = match <[Reply; 1]>::try_from(replies) {
            Ok([reply]) => {
                let _ = reply.send(self.write_alone(&checked, 0).await);
                return;
            }
            Err(replies) => replies,
        };
        match self.write(checked.clone(), 0..checked.len()).await {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            // Each would fail alike: no use trying them one by one.
            Err(e) if db::is_unavailable_cause(&e) => {
                for reply in replies {
                    let _ = reply.send(Err(stopped(&format!("{e:#}"))));
                }
            }
            Err(e) => {
                // The message only: a key clash's details name the key.
                tracing::warn!(error = %e, size = replies.len(), "a batch of answers failed; writing them one by one");
                for (i, reply) in replies.into_iter().enumerate() {
                    let _ = reply.send(self.write_alone(&checked, i).await);
                }
            }
        }
    }

    /// Writes `checked[i]` alone, and once more if it hits a unique key:
    /// two first submissions of one link racing (in two batches at once,
    /// or from two servers) end as one response, the loser's second run
    /// finding the winner's and editing it.
    async fn write_alone(&self, checked: &Arc<[Checked]>, i: usize) -> anyhow::Result<Submitted> {
        let mut outcome = self.write(checked.clone(), i..i + 1).await;
        if outcome.as_ref().is_err_and(is_clash) {
            outcome = self.write(checked.clone(), i..i + 1).await;
        }
        Ok(outcome?.remove(0))
    }

    /// Saves `checked[range]` in one transaction.
    async fn write(
        &self,
        checked: Arc<[Checked]>,
        range: Range<usize>,
    ) -> anyhow::Result<Vec<Submitted>> {
        let (now, size) = (self.clock.now(), range.len());
        let saved = db::write(&self.pool, self.writer.as_ref(), move |conn| {
            db::write_transaction(conn, |conn| {
                respond::save_checked(conn, &checked[range], now)
            })
            .map_err(anyhow::Error::from)
        })
        .await?;
        self.metrics.observe_answer_batch(size);
        Ok(saved)
    }
}

fn is_clash(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<DieselError>(),
        Some(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            _
        ))
    )
}
