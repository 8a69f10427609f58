//! Survey operations that span several tables: opening a round (used by the
//! admin's "open round now" and by the scheduler alike) and recording what a
//! respondent answered.

pub mod respond;
pub mod scheduler;

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{NaiveDateTime, TimeDelta};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::programs::Program;
use crate::db::rounds::{self, NewRound, Round};
use crate::db::{DbConnection, adoptions, members, outbox, programs, teams, tools};
use crate::domain::directory::is_infrastructure;

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

/// A new invitation token: 122 random bits (UUID v4), never sequential.
pub fn new_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Whether `raw` has the form of a token; anything else is not looked up.
pub fn is_token_shaped(raw: &str) -> bool {
    raw.len() == 32
        && raw
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Opens the program's next round: copies what the respondent will see
/// (tools, who uses which, questions, intro), invites every active member of
/// the audience who has not stopped the program's emails, and queues their
/// invitation emails, in one transaction. `period_key` names the cadence period
/// for the scheduler; manual rounds get their own. The unique constraints on
/// (program, number) and (program, period) make a second opening fail.
pub fn open_round(
    conn: &mut DbConnection,
    program: &Program,
    infra_min_teams: u32,
    period_key: Option<&str>,
    now: NaiveDateTime,
) -> Result<(Round, usize), OpenRoundError> {
    crate::db::write_transaction(conn, |conn| {
        programs::lock(conn, program.id)?;
        if let Some(open) = rounds::for_program(conn, program.id)?
            .into_iter()
            .find(|r| r.is_open(now))
        {
            return Err(OpenRoundError::StillOpen {
                number: open.number,
                closes_at: open.closes_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            });
        }

        let usage = adoptions::usage_counts(conn)?;
        let chosen: HashSet<i64> = programs::chosen_tools(conn, program.id)?
            .into_iter()
            .collect();
        let included: Vec<tools::Tool> = tools::list_active(conn)?
            .into_iter()
            .filter(|t| {
                if program.all_infra_tools {
                    is_infrastructure(usage.get(&t.id).map_or(0, |u| u.1), infra_min_teams)
                } else {
                    chosen.contains(&t.id)
                }
            })
            .collect();
        if included.is_empty() {
            return Err(OpenRoundError::NoTools);
        }
        let included_ids: HashSet<i64> = included.iter().map(|t| t.id).collect();

        let active_teams: HashSet<i64> = teams::list_active(conn)?.iter().map(|t| t.id).collect();
        let pairs: Vec<(i64, i64)> = adoptions::all(conn)?
            .into_iter()
            .filter(|a| active_teams.contains(&a.team_id) && included_ids.contains(&a.tool_id))
            .map(|a| (a.team_id, a.tool_id))
            .collect();
        let audience: BTreeSet<i64> = if program.all_using_teams {
            pairs.iter().map(|(team, _)| *team).collect()
        } else {
            programs::chosen_teams(conn, program.id)?
                .into_iter()
                .filter(|t| active_teams.contains(t))
                .collect()
        };
        let stopped: HashSet<i64> = programs::opted_out_ids(conn, program.id)?
            .into_iter()
            .collect();
        let mut invitees = Vec::new();
        for team in &audience {
            for member in members::active_ids_in_team(conn, *team)? {
                if !stopped.contains(&member) {
                    invitees.push((member, *team, new_token()));
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
        for (position, tool) in included.iter().enumerate() {
            rounds::add_tool(
                conn,
                round.id,
                tool.id,
                position as i64,
                &tool.slug,
                &tool.name,
            )?;
        }
        for (team, tool) in pairs.iter().filter(|(team, _)| audience.contains(team)) {
            rounds::add_team_tool(conn, round.id, *team, *tool)?;
        }
        for question in programs::questions(conn, program.id)? {
            rounds::add_question(conn, round.id, &question)?;
        }
        rounds::invite_all(conn, round.id, &invitees, now)?;
        let invited = rounds::invitation_ids(conn, round.id)?;
        outbox::queue(conn, round.id, &invited, outbox::Kind::Invitation, 0, now)?;
        Ok((round, invited.len()))
    })
}

/// Response rates per team, shown only for teams with at least `k` answers.
#[derive(Debug, serde::Serialize)]
pub struct TeamProgress {
    pub team: String,
    pub invited: i64,
    pub answered: Option<i64>,
    pub rate: Option<i64>,
}

pub fn team_progress(rows: Vec<(String, i64, i64, i64)>, k: i64) -> Vec<TeamProgress> {
    rows.into_iter()
        .map(|(team, invited, _opened, answered)| {
            let shown = answered >= k;
            TeamProgress {
                team,
                invited,
                answered: shown.then_some(answered),
                rate: shown.then(|| percent(answered, invited)),
            }
        })
        .collect()
}

pub fn percent(part: i64, whole: i64) -> i64 {
    if whole == 0 {
        0
    } else {
        (part * 100 + whole / 2) / whole
    }
}

/// Tool ids by slug for a round, for storing answers keyed by tool.
pub fn tool_ids_by_slug(round_tools: &[rounds::RoundTool]) -> HashMap<String, i64> {
    round_tools
        .iter()
        .map(|t| (t.slug.clone(), t.tool_id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_shaped() {
        let a = new_token();
        assert!(is_token_shaped(&a));
        assert_ne!(a, new_token());
        for bad in ["", "abc", &"g".repeat(32), &"A".repeat(32), &"a".repeat(33)] {
            assert!(!is_token_shaped(bad), "{bad}");
        }
    }

    #[test]
    fn small_groups_are_not_broken_down() {
        let rows = vec![("A".into(), 10, 8, 6), ("B".into(), 4, 4, 4)];
        let p = team_progress(rows, 5);
        assert_eq!((p[0].answered, p[0].rate), (Some(6), Some(60)));
        assert_eq!((p[1].answered, p[1].rate), (None, None));
    }
}
