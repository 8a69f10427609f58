//! "Where should we look first?": breaches, tools ranked by them and by
//! their weakest property, rounds in flight, and the latest round's
//! biggest changes. Read from each program's latest closed round: a round
//! still open has only part of its answers.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::QueryResult;
use serde::Serialize;

use super::results::{self, ToolRound};
use crate::db::programs::{self, Program};
use crate::db::rounds::{self, Round};
use crate::db::{DbConnection, responses};
use crate::domain::results::Hundredths;

/// How many closed rounds back the dashboard looks for a tool's figures.
const LOOKBACK: usize = 8;

/// A program's latest closed round, with every tool's figures from the
/// newest closed round that has some to show (`ToolRound::round_number`
/// says which).
#[derive(Debug, Serialize)]
pub struct Latest {
    pub program: Program,
    pub round: Round,
    pub tools: Vec<(String, String, ToolRound)>,
}

#[derive(Debug, Serialize)]
pub struct Breach {
    pub program: String,
    pub program_slug: String,
    pub round: i64,
    pub tool: String,
    pub tool_slug: String,
    pub measure: &'static str,
    pub mean: Hundredths,
    pub baseline: Hundredths,
}

#[derive(Debug, Serialize)]
pub struct Standing {
    pub tool: String,
    pub tool_slug: String,
    pub program: String,
    pub round: i64,
    pub breaches: usize,
    /// The weakest of the five properties, where shown.
    pub lowest: Option<(&'static str, Hundredths)>,
}

#[derive(Debug, Serialize)]
pub struct Flight {
    pub program: String,
    pub program_slug: String,
    pub round: i64,
    /// "2026-12-14 09:00 UTC"
    pub closes: String,
    pub invited: i64,
    pub answered: i64,
    pub rate: i64,
}

#[derive(Debug, Serialize)]
pub struct Change {
    pub program: String,
    pub tool: String,
    pub tool_slug: String,
    pub measure: &'static str,
    pub mean: Hundredths,
    pub delta: Hundredths,
    /// The delta with its sign: "+0.40".
    pub signed: String,
}

#[derive(Debug, Serialize)]
pub struct Dashboard {
    pub latest: Vec<Latest>,
    pub breaches: Vec<Breach>,
    pub standings: Vec<Standing>,
    pub in_flight: Vec<Flight>,
    pub changes: Vec<Change>,
    /// Warnings of the rounds in flight and each program's latest closed one.
    pub warnings: Vec<super::priorities::Raised>,
}

pub fn build(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<Dashboard> {
    super::themes::ensure_fresh(conn, None)?;
    let mut latest = Vec::new();
    let mut current_rounds: Vec<i64> = Vec::new();
    // (round, tool) whose figures the dashboard shows.
    let mut shown_in: Vec<(i64, i64)> = Vec::new();
    let mut in_flight = Vec::new();
    for program in programs::list(conn)? {
        let rounds = rounds::for_program(conn, program.id)?;
        for open in rounds.iter().filter(|r| r.is_open(now)) {
            current_rounds.push(open.id);
            let invited = rounds::count_invited(conn, open.id)?;
            let answered = responses::count_for_round(conn, open.id)?;
            in_flight.push(Flight {
                program: program.name.clone(),
                program_slug: program.slug.clone(),
                round: open.number,
                closes: open.closes_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                invited,
                answered,
                rate: crate::domain::results::percent(answered, invited),
            });
        }
        // Newest first. Each tool's figures come from the newest closed
        // round that has figures of it to show: a quiet round (answers
        // under k) hides nothing that an earlier round made known.
        let closed: Vec<&Round> = rounds
            .iter()
            .filter(|r| !r.is_open(now) && r.opens_at <= now)
            .take(LOOKBACK)
            .collect();
        let Some(newest) = closed.first() else {
            continue;
        };
        let mut tools: Vec<(String, String, ToolRound)> = Vec::new();
        let mut unshown: Vec<(String, String, ToolRound)> = Vec::new();
        let mut placed: HashSet<i64> = HashSet::new();
        for round in &closed {
            let names: HashMap<i64, (String, String)> = rounds::tools(conn, round.id)?
                .into_iter()
                .map(|t| (t.tool_id, (t.name, t.slug)))
                .collect();
            for t in results::round_tools(conn, round, now)? {
                if placed.contains(&t.tool_id) {
                    continue;
                }
                let Some((name, slug)) = names.get(&t.tool_id).cloned() else {
                    continue;
                };
                if t.measures.iter().any(|m| m.shown) {
                    placed.insert(t.tool_id);
                    shown_in.push((round.id, t.tool_id));
                    tools.push((name, slug, t));
                } else if round.id == newest.id {
                    unshown.push((name, slug, t));
                }
            }
        }
        // Tools with nothing to show in any of those rounds stay listed.
        tools.extend(
            unshown
                .into_iter()
                .filter(|(_, _, t)| !placed.contains(&t.tool_id)),
        );
        latest.push(Latest {
            program,
            round: (*newest).clone(),
            tools,
        });
    }

    let mut breaches = Vec::new();
    let mut standings = Vec::new();
    let mut changes = Vec::new();
    for l in &latest {
        for (name, slug, t) in &l.tools {
            for m in t.measures.iter().filter(|m| m.breach) {
                if let (Some(mean), Some(baseline)) = (m.mean, m.baseline) {
                    breaches.push(Breach {
                        program: l.program.name.clone(),
                        program_slug: l.program.slug.clone(),
                        round: t.round_number,
                        tool: name.clone(),
                        tool_slug: slug.clone(),
                        measure: m.label,
                        mean,
                        baseline,
                    });
                }
            }
            for m in &t.measures {
                if let (Some(mean), Some(delta)) = (m.mean, m.delta_prev) {
                    changes.push(Change {
                        program: l.program.name.clone(),
                        tool: name.clone(),
                        tool_slug: slug.clone(),
                        measure: m.label,
                        mean,
                        delta,
                        signed: crate::domain::results::signed(delta),
                    });
                }
            }
            let lowest = t
                .measures
                .iter()
                .filter(|m| m.measure.property().is_some())
                .filter_map(|m| Some((m.label, m.mean?)))
                .min_by_key(|(_, mean)| *mean);
            standings.push(Standing {
                tool: name.clone(),
                tool_slug: slug.clone(),
                program: l.program.name.clone(),
                round: t.round_number,
                breaches: t.breaches(),
                lowest,
            });
        }
    }
    // Most breaches first, then the weakest property; tools with nothing
    // shown last.
    standings.sort_by_key(|s| {
        (
            std::cmp::Reverse(s.breaches),
            s.lowest.map_or(i64::MAX, |(_, m)| m.0),
            s.tool.clone(),
        )
    });
    breaches.sort_by_key(|b| (b.mean.0 - b.baseline.0, b.tool.clone()));
    changes.sort_by_key(|c| (std::cmp::Reverse(c.delta.0.abs()), c.tool.clone()));
    changes.truncate(8);
    let warnings = super::priorities::warnings(conn, None)?
        .into_iter()
        .filter(|w| {
            current_rounds.contains(&w.round_id) || shown_in.contains(&(w.round_id, w.tool_id))
        })
        .collect();
    Ok(Dashboard {
        latest,
        breaches,
        standings,
        in_flight,
        changes,
        warnings,
    })
}
