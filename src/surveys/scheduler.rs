//! The scheduler's tick: open the rounds that are due by their program's
//! cadence, queue reminders to those who have not answered, and handle the
//! rounds that have closed.
//!
//! Several instances may tick at once against one database. Correctness rests
//! on unique keys, not on who ticks: a round is unique per (program, period)
//! and an email per (invitation, kind, number), so a second instance doing the
//! same work finds it done.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::Mutex;

use chrono::{NaiveDateTime, TimeDelta, TimeZone, Utc};

use super::{OpenRoundError, answered, close_round, open_round};
use crate::db::programs::Program;
use crate::db::rounds::Round;
use crate::db::{DbConnection, outbox, programs, rounds};
use crate::domain::survey::{Cadence, parse_reminder_days};
use crate::links::LinkKeys;

/// What one tick did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TickReport {
    /// (program slug, round number) of each round opened.
    pub opened: Vec<(String, i64)>,
    pub reminders_queued: usize,
    pub thanks_queued: usize,
    pub rounds_closed: usize,
    /// Tools whose themes took in new answers.
    pub themes_refreshed: usize,
}

impl TickReport {
    pub fn queued_email(&self) -> bool {
        !self.opened.is_empty() || self.reminders_queued > 0 || self.thanks_queued > 0
    }
}

/// The scheduler's memory between ticks: only which problems it has already
/// logged, so a program that cannot open logs once per period, not per tick.
#[derive(Default)]
pub struct Scheduler {
    warned: Mutex<HashSet<(i64, String)>>,
}

impl Scheduler {
    pub fn tick(
        &self,
        conn: &mut DbConnection,
        keys: &LinkKeys,
        infra_min_teams: u32,
        now: NaiveDateTime,
    ) -> Result<TickReport, diesel::result::Error> {
        let mut report = TickReport::default();
        for program in programs::list(conn)?.into_iter().filter(|p| !p.paused) {
            let latest = rounds::latest(conn, program.id)?;
            let Some(due) = due_at(&program, latest.as_ref(), now) else {
                continue;
            };
            let period = period_key(due);
            match open_round(conn, keys, &program, infra_min_teams, Some(&period), now) {
                Ok((round, invited)) => {
                    tracing::info!(program = %program.slug, round = round.number, invited, "opened a scheduled round");
                    report.opened.push((program.slug.clone(), round.number));
                }
                // Another instance opened it, or the last round is still running.
                Err(OpenRoundError::AlreadyOpened | OpenRoundError::StillOpen { .. }) => {}
                Err(OpenRoundError::Database(e)) => return Err(e),
                Err(problem) => {
                    let first = self
                        .warned
                        .lock()
                        .map(|mut w| w.insert((program.id, period.clone())))
                        .unwrap_or(true);
                    if first {
                        tracing::warn!(program = %program.slug, period = %period, "a scheduled round cannot open: {problem}");
                    }
                }
            }
        }
        for round in rounds::open_at(conn, now)? {
            report.reminders_queued += queue_reminders(conn, keys, &round, now)?;
        }
        for round in rounds::closing_due(conn, now)? {
            if let Some(thanks) = close_round(conn, keys, &round, now)? {
                report.rounds_closed += 1;
                report.thanks_queued += thanks;
            }
        }
        report.themes_refreshed = crate::analytics::themes::refresh_stale(conn)?;
        Ok(report)
    }
}

/// When the program's next round is due, if that moment has come: the latest
/// cadence time after the last round opened (or the program was created)
/// that is not after `now`. After downtime that spans several periods this is
/// the last of them, so one round opens, not one per missed period.
pub fn due_at(
    program: &Program,
    latest: Option<&Round>,
    now: NaiveDateTime,
) -> Option<NaiveDateTime> {
    let anchor = latest.map_or(program.created_at, |r| r.opens_at);
    match program.cadence() {
        Cadence::EveryWeeks(weeks) => {
            let period = TimeDelta::weeks(i64::from(weeks));
            let elapsed = (now - anchor).num_seconds() / period.num_seconds();
            (elapsed >= 1).then(|| anchor + period * elapsed as i32)
        }
        Cadence::Cron(expr) => {
            let cron = croner::Cron::from_str(&expr).ok()?;
            let last = cron
                .find_previous_occurrence(&Utc.from_utc_datetime(&now), true)
                .ok()?
                .naive_utc();
            (last > anchor).then_some(last)
        }
    }
}

/// When the program's next three rounds will open, for the program page.
/// A due round opens at the next tick, but not before the round still open
/// closes.
pub fn next_at(
    program: &Program,
    latest: Option<&Round>,
    now: NaiveDateTime,
) -> Vec<NaiveDateTime> {
    let anchor = latest.map_or(program.created_at, |r| r.opens_at);
    let first = match due_at(program, latest, now) {
        Some(_) => now,
        None => match program.cadence().next(anchor, 1).first() {
            Some(&t) => t,
            None => return Vec::new(),
        },
    };
    let first = latest
        .filter(|r| r.is_open(now))
        .map_or(first, |r| first.max(r.closes_at));
    let mut times = vec![first];
    times.extend(program.cadence().next(first, 2));
    times
}

/// Names the cadence period a scheduled round belongs to.
fn period_key(due: NaiveDateTime) -> String {
    format!("scheduled-{}", due.format("%Y-%m-%dT%H:%M:%S"))
}

/// Queues the latest reminder that is due for each invitation still
/// unanswered. After downtime that skipped a reminder, only the latest goes:
/// one nudge, not two at once.
fn queue_reminders(
    conn: &mut DbConnection,
    keys: &LinkKeys,
    round: &Round,
    now: NaiveDateTime,
) -> Result<usize, diesel::result::Error> {
    let offsets = parse_reminder_days(&round.reminder_days, i64::MAX).unwrap_or_default();
    let number = offsets
        .iter()
        .filter(|&&days| round.opens_at + TimeDelta::days(days) <= now)
        .count() as i64;
    if number == 0 {
        return Ok(0);
    }
    crate::db::write_transaction(conn, |conn| {
        // Each reminder is queued for everyone at once: once it is, later
        // ticks have nothing to add (and need not work out who answered).
        if outbox::has_queued(conn, round.id, outbox::Kind::Reminder, number)? {
            return Ok(0);
        }
        let answered = answered(conn, keys, round.id)?;
        let unanswered: Vec<i64> = rounds::mailable_ids(conn, round)?
            .into_iter()
            .filter(|id| !answered.contains(id))
            .collect();
        outbox::queue(
            conn,
            round.id,
            &unanswered,
            outbox::Kind::Reminder,
            number,
            now,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 1, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
    }

    #[test]
    fn period_keys_name_the_due_time() {
        assert_eq!(period_key(at(5, 9)), "scheduled-2026-01-05T09:00:00");
    }

    #[test]
    fn reminder_offsets_are_read_from_the_round() {
        assert_eq!(parse_reminder_days("3, 6", i64::MAX).unwrap(), vec![3, 6]);
    }
}
