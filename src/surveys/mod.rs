//! Survey operations that span several tables: opening a round (used by the
//! admin's "open round now" and by the scheduler alike), recording what a
//! respondent answered, working out who has answered, and closing a round.

pub mod forms;
pub mod intake;
pub mod programs;
pub mod respond;
pub mod scheduler;

use std::collections::HashSet;

use chrono::{NaiveDateTime, TimeDelta};

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::programs::{self as program_rows, Program};
use crate::db::rounds::NewInvitation;
use crate::db::rounds::{self, NewRound, Round};
use crate::db::{DbConnection, members, outbox, responses};
use crate::links::{self, LinkKeys};

#[derive(Debug, thiserror::Error)]
pub enum OpenRoundError {
    #[error("Round {number} is still open until {closes_at}; close it before opening another.")]
    StillOpen { number: i64, closes_at: String },
    #[error("No tool is included: none qualifies as infrastructure, or none is chosen.")]
    NoTools,
    #[error("Nobody would be asked: no active member belongs to a team in the audience.")]
    NoAudience,
    #[error("That round was opened by someone else just now.")]
    AlreadyOpened,
    #[error(transparent)]
    Database(DieselError),
}

impl From<DieselError> for OpenRoundError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                OpenRoundError::AlreadyOpened
            }
            e => OpenRoundError::Database(e),
        }
    }
}

/// Opens the program's next round: copies what the respondent will see
/// (tools, who uses which, questions, intro), invites every active member of
/// the audience who has not stopped the program's emails, and queues their
/// invitation emails, in one transaction. `period_key` names the cadence period
/// for the scheduler; manual rounds get their own. The unique constraints on
/// (program, number) and (program, period) make a second opening fail.
pub fn open_round(
    conn: &mut DbConnection,
    keys: &LinkKeys,
    program: &Program,
    infra_min_teams: u32,
    period_key: Option<&str>,
    now: NaiveDateTime,
) -> Result<(Round, usize), OpenRoundError> {
    crate::db::write_transaction(conn, |conn| {
        program_rows::lock(conn, program.id)?;
        if let Some(open) = rounds::for_program(conn, program.id)?
            .into_iter()
            .find(|r| r.is_open(now))
        {
            return Err(OpenRoundError::StillOpen {
                number: open.number,
                closes_at: open.closes_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            });
        }

        let scope = self::programs::scope(conn, program, infra_min_teams)?;
        if scope.tools.is_empty() {
            return Err(OpenRoundError::NoTools);
        }
        let stopped: HashSet<i64> = program_rows::opted_out_ids(conn, program.id)?
            .into_iter()
            .collect();
        let mut invitees = Vec::new();
        for team in &scope.audience {
            for member in members::active_ids_in_team(conn, *team)? {
                if !stopped.contains(&member) {
                    let token_seed = links::new_seed();
                    let token_hash = links::token_hash(&keys.token(&token_seed));
                    invitees.push(NewInvitation {
                        member_id: member,
                        team_id: *team,
                        token_seed,
                        token_hash,
                    });
                }
            }
        }
        if invitees.is_empty() {
            return Err(OpenRoundError::NoAudience);
        }

        let number = rounds::last_number(conn, program.id)? + 1;
        let manual_key = format!("manual-{number}");
        let round = rounds::insert(
            conn,
            &NewRound {
                program_id: program.id,
                number,
                period_key: period_key.unwrap_or(&manual_key),
                program_name: &program.name,
                intro: &program.intro,
                reminder_days: &program.reminder_days,
                anonymity_k: program.anonymity_k,
                thank_on_close: program.thank_on_close,
                opens_at: now,
                closes_at: now + TimeDelta::days(program.open_days),
            },
            now,
        )?;
        for (position, tool) in scope.tools.iter().enumerate() {
            let users: HashSet<i64> = scope
                .usage
                .iter()
                .filter(|(_, t)| *t == tool.id)
                .map(|(team, _)| *team)
                .collect();
            let invited = invitees
                .iter()
                .filter(|i| users.contains(&i.team_id))
                .count();
            rounds::add_tool(
                conn,
                &rounds::RoundTool {
                    round_id: round.id,
                    tool_id: tool.id,
                    position: position as i64,
                    slug: tool.slug.clone(),
                    name: tool.name.clone(),
                    invited: invited as i64,
                },
            )?;
        }
        for (team, tool) in &scope.usage {
            rounds::add_team_tool(conn, round.id, *team, *tool)?;
        }
        for question in program_rows::questions(conn, program.id)? {
            rounds::add_question(conn, round.id, &question)?;
        }
        rounds::invite_all(conn, round.id, &invitees, now)?;
        let invited = rounds::invitation_ids(conn, round.id)?;
        outbox::queue(conn, round.id, &invited, outbox::Kind::Invitation, 0, now)?;
        Ok((round, invited.len()))
    })
}

/// The invitations of a round that have a response. Nothing stored says so:
/// only the server's secret turns each invitation's token into the key its
/// response is filed under. Empty once the round has closed and its keys
/// are erased.
pub fn answered(
    conn: &mut DbConnection,
    keys: &LinkKeys,
    round_id: i64,
) -> Result<HashSet<i64>, DieselError> {
    let filed: HashSet<String> = responses::round_keys(conn, round_id)?.into_iter().collect();
    if filed.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(rounds::token_sources(conn, round_id)?
        .into_iter()
        .filter_map(|source| {
            let token = keys.token_of(source.seed.as_deref(), source.legacy_token.as_deref())?;
            filed
                .contains(&keys.respondent_key(&token))
                .then_some(source.invitation_id)
        })
        .collect())
}

/// Handles a round whose deadline has passed, once: thanks those who
/// answered (when the round asks for it), then forgets what tied answers to
/// people: every response's key, the team of responses from teams with
/// fewer than k of them, and links from before tokens were derived; and
/// takes the forgotten values out of the database's files
/// (`db::scrub_after_seal`). A closed round never opens again. Returns the thank-you emails queued, or
/// `None` when another instance handled the round first.
pub fn close_round(
    conn: &mut DbConnection,
    keys: &LinkKeys,
    round: &Round,
    now: NaiveDateTime,
) -> Result<Option<usize>, DieselError> {
    let closed = crate::db::write_transaction(conn, |conn| -> Result<_, DieselError> {
        if rounds::mark_closed(conn, round.id, now)? == 0 {
            return Ok(None);
        }
        let mut thanks = 0;
        if round.thank_on_close {
            let answered = answered(conn, keys, round.id)?;
            let to: Vec<i64> = rounds::mailable_ids(conn, round)?
                .into_iter()
                .filter(|id| answered.contains(id))
                .collect();
            thanks = outbox::queue(conn, round.id, &to, outbox::Kind::Thanks, 0, now)?;
        }
        seal(conn, round)?;
        Ok(Some(thanks))
    })?;
    if closed.is_some() {
        scrub(conn);
    }
    Ok(closed)
}

/// Takes what a seal erased out of the files (`db::scrub_after_seal`). The
/// seal itself has committed: a scrub that fails (a role that does not own
/// the tables cannot CLUSTER them) is logged for the operator, and the
/// next round's seal tries again.
fn scrub(conn: &mut DbConnection) {
    if let Err(e) = crate::db::scrub_after_seal(conn) {
        tracing::error!(error = %e, "a sealed round's erased values may stay in the database files");
    }
}

/// Forgets what tied the round's answers to people, then keeps its results,
/// which can no longer change.
fn seal(conn: &mut DbConnection, round: &Round) -> Result<(), DieselError> {
    responses::seal_round(conn, round.id, round.anonymity_k)?;
    responses::reorder_round(conn, round.id)?;
    rounds::forget_legacy_tokens(conn, round.id)?;
    crate::analytics::results::keep(conn, round.id)?;
    // Erased teams change the themes' figures: the grouping looks again
    // (and, a round's worth of answers being many, regroups everything).
    crate::db::themes::unmark_round(conn, round.id)?;
    rounds::mark_sealed(conn, round.id)?;
    Ok(())
}

/// Seals rounds that were marked closed without being sealed: closed before
/// this version, which seals at closing. Idempotent, and a no-op (one
/// query) once every closed round is sealed; run at start-up.
pub fn seal_closed_rounds(conn: &mut DbConnection) -> Result<usize, DieselError> {
    let mut sealed = 0;
    for round in rounds::closed_unsealed(conn)? {
        crate::db::write_transaction(conn, |conn| seal(conn, &round))?;
        sealed += 1;
    }
    if sealed > 0 {
        scrub(conn);
    }
    Ok(sealed)
}

/// A change to an open round's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineChange {
    CloseNow,
    ExtendDays(i64),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeadlineRefused {
    #[error(
        "Round {0} has closed. A closed round is sealed and cannot be opened again; open a new round instead."
    )]
    Closed(i64),
    #[error("Extend by 1 to 90 days.")]
    Days,
}

/// Closes an open round now, or moves its deadline later. Only an open round
/// changes: a closed one may already be sealed (`close_round`), and opening
/// it again would put two rounds in front of respondents. Returns the new
/// deadline.
pub fn change_deadline(
    conn: &mut DbConnection,
    round_id: i64,
    change: DeadlineChange,
    now: NaiveDateTime,
) -> Result<Result<NaiveDateTime, DeadlineRefused>, DieselError> {
    crate::db::write_transaction(conn, |conn| {
        let round = rounds::by_id(conn, round_id)?;
        if !round.is_open(now) || round.closed_at.is_some() {
            return Ok(Err(DeadlineRefused::Closed(round.number)));
        }
        let closes_at = match change {
            DeadlineChange::CloseNow => now,
            DeadlineChange::ExtendDays(days) if (1..=90).contains(&days) => {
                round.closes_at + TimeDelta::days(days)
            }
            DeadlineChange::ExtendDays(_) => return Ok(Err(DeadlineRefused::Days)),
        };
        rounds::set_closes_at(conn, round.id, closes_at)?;
        Ok(Ok(closes_at))
    })
}

/// A round's answers per team, for its page: every team invited, with the
/// answers of those that may be shown (`domain::anonymity`).
#[derive(Debug, serde::Serialize)]
pub struct TeamProgress {
    pub team: String,
    pub invited: i64,
    /// `None`: fewer than k answered, or showing it would let that be worked out.
    pub answered: Option<i64>,
    pub rate: Option<i64>,
}

/// How many answered is never secret (it says nothing of what anyone
/// answered); how many answered in each team is shown only as the
/// anonymity rule allows.
#[derive(Debug, serde::Serialize)]
pub struct RoundProgress {
    pub invited: i64,
    pub answered: i64,
    pub rate: i64,
    pub teams: Vec<TeamProgress>,
}

pub fn progress(conn: &mut DbConnection, round: &Round) -> Result<RoundProgress, DieselError> {
    let invited = rounds::invited_by_team(conn, round.id)?;
    let answers: std::collections::HashMap<Option<i64>, i64> =
        responses::count_by_team(conn, round.id)?
            .into_iter()
            .collect();
    // Answers whose team was erased at closing form one more hidden group.
    let mut sizes: Vec<i64> = invited
        .iter()
        .map(|(team, _, _)| answers.get(&Some(*team)).copied().unwrap_or(0))
        .collect();
    sizes.push(answers.get(&None).copied().unwrap_or(0));
    let shown = crate::domain::anonymity::disclose(&sizes, round.anonymity_k);
    let total_invited: i64 = invited.iter().map(|(_, _, n)| n).sum();
    let total_answered: i64 = sizes.iter().sum();
    let teams = invited
        .into_iter()
        .zip(&sizes)
        .zip(&shown.shown)
        .map(|(((_, name, invited), &answered), &shown)| TeamProgress {
            team: name,
            invited,
            answered: shown.then_some(answered),
            rate: shown.then(|| crate::domain::results::percent(answered, invited)),
        })
        .collect();
    Ok(RoundProgress {
        invited: total_invited,
        answered: total_answered,
        rate: crate::domain::results::percent(total_answered, total_invited),
        teams,
    })
}
