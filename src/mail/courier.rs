//! The delivery worker: claims due outbox rows under a lease, sends each, and
//! records the outcome right after the server's answer. A crash between the
//! server's 250 and that commit is the only way an email goes twice; a worker
//! that dies holding a lease delays its emails until the lease runs out.
//!
//! Outcomes are committed together: the outcomes that arrive while one
//! commit runs go into the next (group commit), and a connection takes its
//! next email only once its last outcome is committed. So at most one email
//! per connection is ever sent but unrecorded, as with a commit per email,
//! while the database does one durable commit per handful of emails instead
//! of one each (which, not the SMTP conversation, limited delivery).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{NaiveDateTime, TimeDelta};
use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot};

use super::Mailer;
use super::templates::EmailData;
use crate::clock::Clock;
use crate::config::BaseUrl;
use crate::db::outbox::{self, Envelope, Kind};
use crate::db::{self, DbPool, responses, rounds};
use crate::metrics::Metrics;
use crate::surveys::links::LinkKeys;

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
    fn merge(&mut self, other: DeliveryReport) {
        self.sent += other.sent;
        self.retrying += other.retrying;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }

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
}

/// An outcome's write to the outbox.
type Update = Box<dyn FnOnce(&mut db::DbConnection) -> diesel::QueryResult<usize> + Send>;

/// An outcome to write, and the email's slot waiting to hear it is committed.
type Record = (Update, oneshot::Sender<Result<(), String>>);

/// A claimed email with its link, and whether its member has answered.
struct Addressed {
    envelope: Envelope,
    token: Option<String>,
    answered: bool,
}

impl Courier {
    /// Sends every email that is due now, batch after batch, until none is left.
    pub async fn deliver_due(&self) -> anyhow::Result<DeliveryReport> {
        let mut report = DeliveryReport::default();
        loop {
            let batch = self.deliver_batch().await?;
            if batch == DeliveryReport::default() {
                return Ok(report);
            }
            report.merge(batch);
        }
    }

    /// Claims one batch and sends it; an empty report when nothing was due.
    pub async fn deliver_batch(&self) -> anyhow::Result<DeliveryReport> {
        let now = self.clock.now();
        let batch = BATCH_PER_CONNECTION * self.mailer.in_flight as i64;
        let ids: Vec<i64> = db::run(&self.pool, move |c| {
            outbox::claim(c, now, LEASE, batch).map_err(anyhow::Error::from)
        })
        .await?;
        let mut report = DeliveryReport::default();
        if ids.is_empty() {
            return Ok(report);
        }
        let keys = self.keys.clone();
        let (envelopes, tools) = db::run(&self.pool, move |c| {
            let envelopes = outbox::envelopes(c, &ids)?;
            let envelopes = address(c, &keys, envelopes)?;
            let mut teams_of: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
            for Addressed { envelope: e, .. } in &envelopes {
                teams_of.entry(e.round_id).or_default().insert(e.team_id);
            }
            let mut tools: HashMap<(i64, i64), Vec<String>> = HashMap::new();
            for (round, teams) in teams_of {
                let teams: Vec<i64> = teams.into_iter().collect();
                for (team, name) in rounds::tool_names_for_teams(c, round, &teams)? {
                    tools.entry((round, team)).or_default().push(name);
                }
            }
            Ok::<_, anyhow::Error>((envelopes, tools))
        })
        .await?;
        let (records, queue) = mpsc::unbounded_channel();
        let sending = async move {
            let records = records;
            let mut outcomes = futures_util::stream::iter(envelopes)
                .map(|envelope| self.deliver_one(envelope, &tools, &records))
                .buffer_unordered(self.mailer.in_flight);
            // Every email in flight finishes and is recorded before an error
            // is returned: dropping one after its 250 would send it twice.
            let mut first_error = None;
            while let Some(outcome) = outcomes.next().await {
                match outcome {
                    Ok(outcome) => report.add(outcome),
                    Err(e) => {
                        tracing::error!(error = ?e, "could not record an email's outcome");
                        first_error.get_or_insert(e);
                    }
                }
            }
            first_error.map_or(Ok(report), Err)
        };
        let (report, ()) = futures_util::future::join(sending, self.commit_records(queue)).await;
        report
    }

    /// Commits the outcomes queued, all those waiting in one transaction,
    /// until every sender is gone.
    async fn commit_records(&self, mut queue: mpsc::UnboundedReceiver<Record>) {
        while let Some(first) = queue.recv().await {
            let mut batch = vec![first];
            while let Ok(next) = queue.try_recv() {
                batch.push(next);
            }
            let (updates, waiting): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
            let committed = db::run(&self.pool, move |c| {
                db::write_transaction(c, |c| {
                    updates
                        .into_iter()
                        .try_for_each(|update| update(c).map(drop))
                })
                .map_err(anyhow::Error::from)
            })
            .await
            .map_err(|e| format!("{e:#}"));
            for slot in waiting {
                let _ = slot.send(committed.clone());
            }
        }
    }

    async fn deliver_one(
        &self,
        a: Addressed,
        tools: &HashMap<(i64, i64), Vec<String>>,
        records: &mpsc::UnboundedSender<Record>,
    ) -> anyhow::Result<Outcome> {
        let record = |update: Update| async move {
            let (committed, heard) = oneshot::channel();
            records
                .send((update, committed))
                .map_err(|_| anyhow::anyhow!("the outcome log has stopped"))?;
            heard
                .await
                .map_err(|_| anyhow::anyhow!("the outcome log stopped mid-commit"))?
                .map_err(anyhow::Error::msg)
        };
        let e = &a.envelope;
        let kind = Kind::parse(&e.kind).unwrap_or(Kind::Invitation);
        let now = self.clock.now();
        let (id, attempts) = (e.id, e.attempts);
        let skip = match &a.token {
            None => Some("the link of this invitation is no longer kept"),
            Some(_) => skip_reason(e, kind, a.answered, now),
        };
        let outcome = if let Some(reason) = skip {
            record(Box::new(move |c| {
                outbox::mark_done_unsent(c, id, outbox::SKIPPED, reason)
            }))
            .await?;
            Outcome::Skipped
        } else {
            let data = self.data(e, a.token.as_deref().unwrap_or_default(), tools);
            let sent = match self
                .mailer
                .compose(kind, &e.name, &e.email, &e.message_key, &data)
            {
                Ok(message) => self.mailer.send(message).await,
                Err(e) => Err(e),
            };
            let now = self.clock.now();
            match sent {
                Ok(()) => {
                    record(Box::new(move |c| outbox::mark_sent(c, id, now))).await?;
                    Outcome::Sent
                }
                Err(error) if error.permanent || attempts >= MAX_ATTEMPTS => {
                    let text = if error.permanent {
                        error.message
                    } else {
                        format!("gave up after {attempts} attempts: {}", error.message)
                    };
                    tracing::warn!(outbox_id = id, error = %text, "an email failed");
                    record(Box::new(move |c| {
                        outbox::mark_done_unsent(c, id, outbox::FAILED, &text)
                    }))
                    .await?;
                    Outcome::Failed
                }
                Err(error) => {
                    let due = now + backoff(attempts);
                    tracing::info!(outbox_id = id, attempts, error = %error, "an email will be retried");
                    record(Box::new(move |c| {
                        outbox::mark_retrying(c, id, due, &error.message)
                    }))
                    .await?;
                    Outcome::Retrying
                }
            }
        };
        self.metrics.observe_email(kind.as_str(), outcome.label());
        Ok(outcome)
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
