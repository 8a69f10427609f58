//! The words: `priorities` (pain themes per round by impact), `comments`
//! (every comment with its theme) and `warnings`. Themes are brought up to
//! date first, so an export says what the pages say.

use std::collections::{HashMap, HashSet};
use std::io::Write;

use chrono::NaiveDateTime;

use super::results::{breach_message, team_slugs, tool_slugs};
use super::{Db, Scope, Sheet, shown_team};
use crate::analytics::priorities;
use crate::analytics::results::{nameable_on_tools, round_tools};
use crate::analytics::themes::ensure_fresh;
use crate::db::exports;
use crate::db::themes::{self, KeptFigures, Theme};
use crate::domain::results::Hundredths;
use crate::domain::themes::Kind;

fn fresh_themes(db: &Db, scope: &Scope) -> anyhow::Result<Vec<Theme>> {
    let tools = scope.tools();
    db.with(|c| {
        ensure_fresh(c, tools.as_deref())?;
        themes::of_tools(c, tools.as_deref())
    })
}

pub(super) fn priorities<W: Write>(
    db: &Db,
    scope: &Scope,
    sheet: &mut Sheet<W>,
) -> anyhow::Result<()> {
    let all = fresh_themes(db, scope)?;
    let names: HashMap<i64, &str> = all.iter().map(|t| (t.id, t.name())).collect();
    let pains: HashMap<i64, &Theme> = all
        .iter()
        .filter(|t| t.kind == Kind::Pain.as_str())
        .map(|t| (t.id, t))
        .collect();
    let proposals: Vec<i64> = all
        .iter()
        .filter(|t| t.kind == Kind::Proposal.as_str())
        .map(|t| t.id)
        .collect();
    let ids: Vec<i64> = pains.keys().copied().collect();
    let tools = scope.tools();
    let (figures, links, raised) = db.with(|c| {
        Ok((
            themes::round_figures(c, &ids)?,
            priorities::effective_links(&themes::links(c, &proposals)?),
            priorities::warnings(c, tools.as_deref())?,
        ))
    })?;
    let warned: HashSet<(i64, i64)> = raised.iter().map(|w| (w.round_id, w.pain.id)).collect();
    let mut by_round: HashMap<i64, Vec<&KeptFigures>> = HashMap::new();
    for kept in &figures {
        by_round
            .entry(kept.figures.round_id)
            .or_default()
            .push(kept);
    }
    let slugs = tool_slugs(db)?;
    for (program, round) in db.with(|c| scope.rounds(c))? {
        let Some(rows) = by_round.get_mut(&round.id) else {
            continue;
        };
        rows.sort_by(|a, b| {
            b.rank_key()
                .cmp(&a.rank_key())
                .then(a.figures.theme_id.cmp(&b.figures.theme_id))
        });
        for kept in rows.iter() {
            let t = pains[&kept.figures.theme_id];
            // Under k, no figure: they would be those few people's.
            let f = kept.shown().then_some(kept.figures);
            let addressed_by: Vec<&str> = links
                .iter()
                .filter(|(_, pain)| *pain == t.id)
                .filter_map(|(p, _)| names.get(p).copied())
                .collect();
            sheet
                .text(&program.slug)?
                .int(round.number)?
                .text(&slugs[&t.tool_id])?
                .text(t.name())?
                .text(t.property.as_deref().unwrap_or(""))?
                .opt_int(f.map(|f| f.teams))?
                .opt_int(f.map(|f| f.respondents))?
                .hundredths(f.and_then(|f| f.mean).map(Hundredths))?
                .opt_int(f.map(|f| f.hours))?
                .hundredths(f.map(|f| Hundredths(f.impact)))?
                .text(t.forced.as_deref().unwrap_or(""))?
                .text(t.horizon.as_deref().unwrap_or(""))?
                .text(&t.status)?
                .int(t.id)?
                .hundredths(f.map(|f| Hundredths(f.severity)))?
                .text(&addressed_by.join("; "))?
                .flag(warned.contains(&(round.id, t.id)))?
                .flag(f.is_none())?
                .end()?;
        }
    }
    Ok(())
}

pub(super) fn comments<W: Write>(
    db: &Db,
    scope: &Scope,
    sheet: &mut Sheet<W>,
) -> anyhow::Result<()> {
    let names: HashMap<i64, String> = fresh_themes(db, scope)?
        .into_iter()
        .map(|t| (t.id, t.name().to_owned()))
        .collect();
    let tools = tool_slugs(db)?;
    let teams = team_slugs(db)?;
    for (program, round) in db.with(|c| scope.rounds(c))? {
        let nameable = db.with(|c| nameable_on_tools(c, &round, scope.tool))?;
        db.pages(
            round.id,
            |c, ids| {
                Ok((
                    exports::comments(c, ids, scope.tool)?,
                    exports::placements(c, ids)?,
                ))
            },
            |(rows, placed)| {
                let theme_of: HashMap<(i64, i64, &str), i64> = placed
                    .iter()
                    .map(|(r, t, kind, theme)| ((*r, *t, kind.as_str()), *theme))
                    .collect();
                for (response, tool, team, pain, proposal) in &rows {
                    let team = shown_team(*tool, *team, &nameable, &teams);
                    for (kind, text) in [(Kind::Pain, pain), (Kind::Proposal, proposal)] {
                        if text.trim().is_empty() {
                            continue;
                        }
                        // Non-answers ("n/a", "nothing") are in no theme.
                        let theme = theme_of
                            .get(&(*response, *tool, kind.as_str()))
                            .and_then(|id| names.get(id));
                        sheet
                            .text(&program.slug)?
                            .int(round.number)?
                            .text(&tools[tool])?
                            .text(kind.as_str())?
                            .text(theme.map_or("", String::as_str))?
                            .text(team)?
                            .text(text)?
                            .end()?;
                    }
                }
                Ok(())
            },
        )?;
    }
    Ok(())
}

pub(super) fn warnings<W: Write>(
    db: &Db,
    scope: &Scope,
    now: NaiveDateTime,
    sheet: &mut Sheet<W>,
) -> anyhow::Result<()> {
    let tools = scope.tools();
    let raised = db.with(|c| {
        ensure_fresh(c, tools.as_deref())?;
        priorities::warnings(c, tools.as_deref())
    })?;
    let slugs = tool_slugs(db)?;
    for (program, round) in db.with(|c| scope.rounds(c))? {
        // (tool slug, kind, pain, proposal, message)
        let mut rows: Vec<(&str, &str, &str, &str, String)> = Vec::new();
        for w in raised.iter().filter(|w| w.round_id == round.id) {
            rows.push((
                &slugs[&w.tool_id],
                w.kind_key,
                &w.pain.name,
                &w.proposal.name,
                w.message.clone(),
            ));
        }
        let figures = db.with(|c| round_tools(c, &round, now))?;
        for t in figures
            .iter()
            .filter(|t| scope.tool.is_none_or(|id| id == t.tool_id))
        {
            for m in t.measures.iter().filter(|m| m.breach) {
                let (Some(mean), Some(baseline)) = (m.mean, m.baseline) else {
                    continue;
                };
                rows.push((
                    &slugs[&t.tool_id],
                    "baseline_breach",
                    "",
                    "",
                    breach_message(m.measure, mean, baseline, m.responses),
                ));
            }
        }
        rows.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        for (tool, kind, pain, proposal, message) in rows {
            sheet
                .text(&program.slug)?
                .int(round.number)?
                .text(tool)?
                .text(kind)?
                .text(pain)?
                .text(proposal)?
                .text(&message)?
                .end()?;
        }
    }
    Ok(())
}
