//! The delivery worker: claims due outbox rows under a lease, sends each, and
//! records the outcome right after the server's answer. A crash between the
//! server's 250 and that commit is the only way an email goes twice; a worker
//! that dies holding a lease delays its emails until the lease runs out.
//!
//! Outcomes are committed together: each is queued the moment the server
//! answers, and a committer writes all those waiting in one transaction
//! while the connections go on sending; one durable commit per email, not
//! the SMTP conversation, was what limited delivery. A pass ends only once
//! every outcome in it is committed, so no lease is given up early, and a
//! crash can resend only what was sent during the last commit's
//! milliseconds. Once a commit fails the pass sends and claims nothing more:
//! every email sent then would go again when its lease runs out.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{NaiveDateTime, TimeDelta};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::Mailer;
use super::templates::EmailData;
use crate::clock::Clock;
use crate::config::BaseUrl;
use crate::db::outbox::{self, Envelope, Kind};
use crate::db::writer::Writer;
use crate::db::{self, DbPool, responses, rounds};
use crate::links::LinkKeys;
use crate::metrics::Metrics;

/// Rows claimed per email in flight: a batch is ten rounds of sends, so even
/// when every send runs into the SMTP timeout (30 s by default) it finishes
/// in about five minutes, well inside its lease.
const BATCH_PER_CONNECTION: i64 = 10;
/// How long a claim holds.
pub const LEASE: TimeDelta = TimeDelta::minutes(10);
/// Transient failures tolerated before an email is marked failed (about a
/// day of backoff).
pub const MAX_ATTEMPTS: i64 = 12;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl DeliveryReport {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Sent => self.sent += 1,
            Outcome::Retrying => self.retrying += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Skipped => self.skipped += 1,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Outcome {
    Sent,
    Retrying,
    Failed,
    Skipped,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::Retrying => "retrying",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
        }
    }
}

#[derive(Clone)]
pub struct Courier {
    pub pool: DbPool,
    pub clock: Arc<dyn Clock>,
    pub mailer: Arc<Mailer>,
    pub metrics: Metrics,
    pub base_url: BaseUrl,
    /// Turns each invitation's seed into the link its email carries.
    pub keys: LinkKeys,
    /// SQLite's one writer (`db::writer`), which claims and outcomes join;
    /// `None` on PostgreSQL, or where nothing else writes (the CLI).
    pub writer: Option<Writer>,
}

/// A claimed batch: its emails, and the tools each (round, team) is asked
/// about.
struct Claimed {
    envelopes: Vec<Addressed>,
    tools: HashMap<(i64, i64), Vec<String>>,
}

/// A claimed email with its link, and whether its member has answered.
struct Addressed {
    envelope: Envelope,
    token: Option<String>,
    answered: bool,
}

impl Courier {
    /// Sends every email that is due now, batch after batch, until none is
    /// left or `go_on` says to stop. One batch is claimed ahead while the
    /// connections send, and the connections go from one batch straight to
    /// the next: they never wait for the database between batches.
    pub async fn deliver_due_while(
        &self,
        go_on: impl Fn() -> bool,
    ) -> anyhow::Result<DeliveryReport> {
        let stalled = &AtomicBool::new(false);
        let (ahead, claimed) = mpsc::channel::<Claimed>(1);
        let claiming = async move {
            let ahead = ahead;
            while go_on() && !stalled.load(Ordering::Relaxed) {
                let Some(batch) = self.claim().await? else {
                    break;
                };
                if ahead.send(batch).await.is_err() {
                    break;
                }
            }
            Ok::<(), anyhow::Error>(())
        };
        let batches = futures_util::stream::unfold(claimed, |mut claimed| async move {
            claimed.recv().await.map(|batch| (batch, claimed))
        });
        let (claims, sent) =
            futures_util::future::join(claiming, self.send(batches, stalled)).await;
        let report = sent?;
        claims.map(|()| report)
    }

    /// Sends every email that is due now; see `deliver_due_while`.
    pub async fn deliver_due(&self) -> anyhow::Result<DeliveryReport> {
        self.deliver_due_while(|| true).await
    }

    /// Claims one batch and sends it; an empty report when nothing was due.
    pub async fn deliver_batch(&self) -> anyhow::Result<DeliveryReport> {
        match self.claim().await? {
            Some(batch) => {
                let stalled = &AtomicBool::new(false);
                self.send(futures_util::stream::iter([batch]), stalled)
                    .await
            }
            None => Ok(DeliveryReport::default()),
        }
    }

    /// Claims the next batch of due emails under a lease and reads what
    /// they need; `None` when nothing is due.
    async fn claim(&self) -> anyhow::Result<Option<Claimed>> {
        let now = self.clock.now();
        let batch = BATCH_PER_CONNECTION * self.mailer.in_flight as i64;
        let ids: Vec<i64> = db::write(&self.pool, self.writer.as_ref(), move |c| {
            outbox::claim(c, now, LEASE, batch).map_err(anyhow::Error::from)
        })
        .await?;
        if ids.is_empty() {
            return Ok(None);
        }
        let keys = self.keys.clone();
        db::run(&self.pool, move |c| {
            let envelopes = outbox::envelopes(c, &ids)?;
            let envelopes = address(c, &keys, envelopes)?;
            let mut teams_of: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
            for Addressed { envelope: e, .. } in &envelopes {
                teams_of.entry(e.round_id).or_default().insert(e.team_id);
            }
            let mut tools: HashMap<(i64, i64), Vec<String>> = HashMap::new();
            for (round, teams) in teams_of {
                let teams: Vec<i64> = teams.into_iter().collect();
                for (team, tool) in rounds::tools_for_teams(c, round, &teams)? {
                    tools.entry((round, team)).or_default().push(tool.name);
                }
            }
            Ok(Some(Claimed { envelopes, tools }))
        })
        .await
    }

    /// Sends the claimed batches, `in_flight` emails at a time, and records
    /// every outcome; done once every outcome is committed.
    async fn send(
        &self,
        batches: impl futures_util::Stream<Item = Claimed>,
        stalled: &AtomicBool,
    ) -> anyhow::Result<DeliveryReport> {
        let envelopes = batches.flat_map(|Claimed { envelopes, tools }| {
            let tools = Arc::new(tools);
            futures_util::stream::iter(envelopes.into_iter().map(move |e| (e, tools.clone())))
        });
        let (records, queue) = mpsc::unbounded_channel();
        let sending = async move {
            // Held here, so the committer ends when the sending does.
            let records = records;
            let mut report = DeliveryReport::default();
            let outcomes = envelopes
                .map(|(envelope, tools)| {
                    let records = &records;
                    async move { self.deliver_one(envelope, &tools, records, stalled).await }
                })
                .buffer_unordered(self.mailer.in_flight);
            let mut outcomes = std::pin::pin!(outcomes);
            while let Some(outcome) = outcomes.next().await {
                if let Some(outcome) = outcome {
                    report.add(outcome);
                }
            }
            report
        };
        let (report, committed) =
            futures_util::future::join(sending, self.commit_outcomes(queue, stalled)).await;
        committed.map(|()| report)
    }

    /// Commits the outcomes queued, all those waiting in one transaction,
    /// until the sending is done; then the first error, if any.
    async fn commit_outcomes(
        &self,
        mut queue: mpsc::UnboundedReceiver<outbox::Settled>,
        stalled: &AtomicBool,
    ) -> anyhow::Result<()> {
        let mut first_error = None;
        while let Some(first) = queue.recv().await {
            let mut batch = vec![first];
            while let Ok(next) = queue.try_recv() {
                batch.push(next);
            }
            let now = self.clock.now();
            let committed = db::write(&self.pool, self.writer.as_ref(), move |c| {
                db::write_transaction(c, |c| outbox::settle(c, &batch, now))
                    .map_err(anyhow::Error::from)
            })
            .await;
            if let Err(e) = committed {
                tracing::error!(error = ?e, "could not record emails' outcomes");
                stalled.store(true, Ordering::Relaxed);
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Sends one email and queues its outcome; `None` when it was left
    /// unsent because outcomes can no longer be recorded.
    async fn deliver_one(
        &self,
        a: Addressed,
        tools: &HashMap<(i64, i64), Vec<String>>,
        records: &mpsc::UnboundedSender<outbox::Settled>,
        stalled: &AtomicBool,
    ) -> Option<Outcome> {
        if stalled.load(Ordering::Relaxed) {
            return None;
        }
        let e = &a.envelope;
        let kind = Kind::parse(&e.kind).unwrap_or(Kind::Invitation);
        let now = self.clock.now();
        let (id, attempts) = (e.id, e.attempts);
        let skip = match &a.token {
            None => Some("the link of this invitation is no longer kept"),
            Some(_) => skip_reason(e, kind, a.answered, now),
        };
        let (outcome, settled) = if let Some(reason) = skip {
            let settled = outbox::Settled::Unsent {
                id,
                status: outbox::SKIPPED,
                reason: reason.to_owned(),
            };
            (Outcome::Skipped, settled)
        } else {
            let data = self.data(e, a.token.as_deref().unwrap_or_default(), tools);
            let sent = match self
                .mailer
                .compose(kind, &e.name, &e.email, &e.message_key, &data)
            {
                Ok(message) => self.mailer.send(message).await,
                Err(e) => Err(e),
            };
            match sent {
                Ok(()) => (Outcome::Sent, outbox::Settled::Sent { id }),
                Err(error) if error.permanent || attempts >= MAX_ATTEMPTS => {
                    let reason = if error.permanent {
                        error.message
                    } else {
                        format!("gave up after {attempts} attempts: {}", error.message)
                    };
                    tracing::warn!(outbox_id = id, error = %reason, "an email failed");
                    let settled = outbox::Settled::Unsent {
                        id,
                        status: outbox::FAILED,
                        reason,
                    };
                    (Outcome::Failed, settled)
                }
                Err(error) => {
                    let due = self.clock.now() + backoff(attempts);
                    tracing::info!(outbox_id = id, attempts, error = %error, "an email will be retried");
                    let settled = outbox::Settled::Retrying {
                        id,
                        due,
                        error: error.message,
                    };
                    (Outcome::Retrying, settled)
                }
            }
        };
        self.metrics.observe_email(kind.as_str(), outcome.label());
        // The committer outlives every sender, so this cannot fail.
        let _ = records.send(settled);
        Some(outcome)
    }

    fn data(
        &self,
        e: &Envelope,
        token: &str,
        tools: &HashMap<(i64, i64), Vec<String>>,
    ) -> EmailData {
        let link = self.base_url.join(&format!("/r/{token}"));
        EmailData {
            name: e.name.clone(),
            program: e.program_name.clone(),
            tools: tools
                .get(&(e.round_id, e.team_id))
                .cloned()
                .unwrap_or_default(),
            deadline: e.closes_at.format("%A %-d %B %Y, %H:%M UTC").to_string(),
            deadline_day: e.closes_at.format("%-d %B").to_string(),
            stop_link: format!("{link}/stop"),
            link,
            reminder: e.seq,
        }
    }
}

/// Each envelope with its link, and for reminders whether the member has
/// answered since (worked out from the link: nothing stored says so).
fn address(
    conn: &mut db::DbConnection,
    keys: &LinkKeys,
    envelopes: Vec<Envelope>,
) -> diesel::QueryResult<Vec<Addressed>> {
    let tokens: Vec<Option<String>> = envelopes
        .iter()
        .map(|e| keys.token_of(e.token_seed.as_deref(), e.legacy_token.as_deref()))
        .collect();
    let reminder_keys: HashMap<String, usize> = envelopes
        .iter()
        .zip(&tokens)
        .enumerate()
        .filter(|(_, (e, _))| e.kind == Kind::Reminder.as_str())
        .filter_map(|(i, (_, t))| t.as_ref().map(|t| (keys.respondent_key(t), i)))
        .collect();
    let wanted: Vec<String> = reminder_keys.keys().cloned().collect();
    let answered: std::collections::HashSet<usize> = responses::existing_keys(conn, &wanted)?
        .iter()
        .filter_map(|k| reminder_keys.get(k).copied())
        .collect();
    Ok(envelopes
        .into_iter()
        .zip(tokens)
        .enumerate()
        .map(|(i, (envelope, token))| Addressed {
            envelope,
            token,
            answered: answered.contains(&i),
        })
        .collect())
}

/// Why an email that was queued should no longer go.
fn skip_reason(
    e: &Envelope,
    kind: Kind,
    answered: bool,
    now: NaiveDateTime,
) -> Option<&'static str> {
    if e.opted_out_at.is_some() {
        Some("the member stopped this program's emails")
    } else if !e.member_active {
        Some("the member was archived")
    } else if kind == Kind::Reminder && answered {
        Some("the member answered before the reminder went")
    } else if kind != Kind::Thanks && now >= e.closes_at {
        Some("the round closed before the email went")
    } else {
        None
    }
}

/// Waits 30 s after the first failure, doubling to at most an hour, with a
/// quarter either way of jitter so that many emails failing together do not
/// come back together.
pub fn backoff(attempts: i64) -> TimeDelta {
    let base = 30_i64 << attempts.clamp(1, 8).saturating_sub(1);
    let seconds = base.min(3600);
    let mut byte = [0u8; 1];
    let jitter = match getrandom::fill(&mut byte) {
        Ok(()) => i64::from(byte[0]) - 128, // -128..=127
        Err(_) => 0,
    };
    TimeDelta::seconds(seconds + seconds * jitter / 512)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour_with_jitter() {
        for (attempts, base) in [(1, 30), (2, 60), (3, 120), (8, 3600), (40, 3600)] {
            let d = backoff(attempts).num_seconds();
            assert!(d >= base * 3 / 4 && d <= base * 5 / 4, "{attempts}: {d}");
        }
    }
}
