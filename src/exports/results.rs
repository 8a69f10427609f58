//! The numbers: `summary` (the figures the results pages show, one row per
//! round, tool and measure) and `responses` (each response's ratings).

use std::collections::HashMap;
use std::io::Write;

use chrono::NaiveDateTime;

use super::{Db, Scope, Sheet, shown_team};
use crate::analytics::results::{nameable_on_tools, round_tools};
use crate::db::{exports, teams, tools};
use crate::domain::anonymity::export_answer_id;
use crate::domain::results::Measure;

/// Tool id → slug (every tool, archived ones too: old rounds name them).
pub(super) fn tool_slugs(db: &Db) -> anyhow::Result<HashMap<i64, String>> {
    Ok(db
        .with(tools::all)?
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect())
}

pub(super) fn team_slugs(db: &Db) -> anyhow::Result<HashMap<i64, String>> {
    Ok(db
        .with(teams::list)?
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect())
}

pub(super) fn summary<W: Write>(
    db: &Db,
    scope: &Scope,
    now: NaiveDateTime,
    sheet: &mut Sheet<W>,
) -> anyhow::Result<()> {
    let slugs = tool_slugs(db)?;
    for (program, round) in db.with(|c| scope.rounds(c))? {
        let figures = db.with(|c| round_tools(c, &round, now))?;
        for t in figures
            .iter()
            .filter(|t| scope.tool.is_none_or(|id| id == t.tool_id))
        {
            for m in &t.measures {
                sheet
                    .text(&program.slug)?
                    .int(round.number)?
                    .text(&slugs[&t.tool_id])?
                    .text(m.measure.key())?
                    .int(m.responses)?
                    .hundredths(m.mean)?
                    .opt_int(m.favourable_percent)?
                    .hundredths(m.delta_prev)?
                    .hundredths(m.baseline)?
                    .flag(m.breach)?
                    .flag(!m.shown)?
                    .end()?;
            }
        }
    }
    Ok(())
}

pub(super) fn responses<W: Write>(
    db: &Db,
    scope: &Scope,
    sheet: &mut Sheet<W>,
) -> anyhow::Result<()> {
    let tools = tool_slugs(db)?;
    let teams = team_slugs(db)?;
    for (program, round) in db.with(|c| scope.rounds(c))? {
        let nameable = db.with(|c| nameable_on_tools(c, &round, scope.tool))?;
        db.pages(
            round.id,
            |c, ids| exports::ratings(c, ids, scope.tool),
            |rows| {
                for (response, tool, team, s, r, u, e, l, sat, hours) in rows {
                    sheet
                        .text(&program.slug)?
                        .int(round.number)?
                        .text(&export_answer_id(tool, response))?
                        .text(shown_team(tool, team, &nameable, &teams))?
                        .text(&tools[&tool])?;
                    for rating in [s, r, u, e, l, sat, hours] {
                        sheet.opt_int(rating)?;
                    }
                    sheet.end()?;
                }
                Ok(())
            },
        )?;
    }
    Ok(())
}

/// The extra questions' answers, as the round results page shows them:
/// ratings and choices one row per choice (none when fewer than k answered:
/// one row says so), texts one row per answer.
pub(super) fn questions<W: Write>(
    db: &Db,
    scope: &Scope,
    sheet: &mut Sheet<W>,
) -> anyhow::Result<()> {
    use crate::domain::survey::QuestionKind;
    for (program, round) in db.with(|c| scope.rounds(c))? {
        for q in db.with(|c| crate::analytics::questions::of_round(c, &round))? {
            let start = |sheet: &mut Sheet<W>| -> csv::Result<()> {
                sheet
                    .text(&program.slug)?
                    .int(round.number)?
                    .text(&q.prompt)?
                    .text(q.kind.as_str())?
                    .int(q.answered)?;
                Ok(())
            };
            match q.kind {
                QuestionKind::Text => {
                    for (text, team) in &q.texts {
                        start(sheet)?;
                        sheet.empty()?.empty()?.empty()?.empty()?;
                        sheet.text(text)?.text(team.as_deref().unwrap_or(""))?;
                        sheet.flag(false)?.end()?;
                    }
                }
                _ if !q.shown => {
                    start(sheet)?;
                    for _ in 0..6 {
                        sheet.empty()?;
                    }
                    sheet.flag(true)?.end()?;
                }
                QuestionKind::Rating => {
                    let counts = q.distribution.unwrap_or_default();
                    for (i, n) in counts.iter().enumerate() {
                        start(sheet)?;
                        sheet
                            .text(&(i + 1).to_string())?
                            .int(*n)?
                            .int(crate::domain::results::percent(*n, q.answered))?
                            .hundredths(q.mean)?
                            .empty()?
                            .empty()?
                            .flag(false)?
                            .end()?;
                    }
                }
                QuestionKind::Single | QuestionKind::Multi => {
                    for (choice, n, percent) in &q.counts {
                        start(sheet)?;
                        sheet
                            .text(choice)?
                            .int(*n)?
                            .int(*percent)?
                            .empty()?
                            .empty()?
                            .empty()?
                            .flag(false)?
                            .end()?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// A measure's name in the warnings export's breach message.
pub(super) fn breach_message(
    measure: Measure,
    mean: crate::domain::results::Hundredths,
    baseline: crate::domain::results::Hundredths,
    responses: i64,
) -> String {
    format!(
        "{} mean {mean} ({responses} responses) is below its baseline {baseline}.",
        measure.label()
    )
}
