//! Results: a tool's "Results" tab (trend across rounds, one round in
//! detail, baselines) and a round's results page (every tool, the heatmap,
//! the extra questions).

use std::collections::HashMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::charts;
use super::page::{self, FlashKind};
use super::tools_pages::find_tool;
use crate::analytics::results::{self as figures, MeasureResult, ToolRound};
use crate::db::programs::{self, Program};
use crate::db::rounds::{self, Round};
use crate::db::{results, tools};
use crate::domain::results::{Hundredths, Measure, signed};
use crate::web::csrf::CsrfForm;
use crate::web::error::AppError;
use crate::web::extract::{AdminAccount, SignedIn};
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct ToolQuery {
    program: Option<String>,
    round: Option<i64>,
}

/// One measure's row in a round's table.
#[derive(Serialize)]
struct MeasureRow<'a> {
    r: &'a MeasureResult,
    mean: String,
    delta: String,
    favourable: String,
    distribution: Option<charts::Distribution>,
}

fn measure_rows<'a>(t: &'a ToolRound, id: &str) -> Vec<MeasureRow<'a>> {
    t.measures
        .iter()
        .map(|r| MeasureRow {
            mean: r.mean.map_or("—".into(), |m| m.to_string()),
            delta: r.delta_prev.map_or(String::new(), signed),
            favourable: r
                .favourable_percent
                .map_or(String::new(), |p| format!("{p}%")),
            distribution: r.shown.then(|| {
                charts::distribution(
                    &format!("{id}-{}", r.measure.key()),
                    r.label,
                    &r.distribution,
                )
            }),
            r,
        })
        .collect()
}

/// The per-team table: one row per team, one cell per measure (`None`:
/// hidden), and the team's hours.
#[derive(Serialize)]
struct TeamRow {
    team: String,
    cells: Vec<Option<String>>,
    hours: Option<String>,
}

fn team_rows(t: &ToolRound) -> Vec<TeamRow> {
    let mut teams: Vec<String> = Vec::new();
    for f in t
        .measures
        .iter()
        .flat_map(|m| &m.teams)
        .chain(&t.hours.teams)
    {
        if !teams.contains(&f.team) {
            teams.push(f.team.clone());
        }
    }
    teams
        .into_iter()
        .map(|team| TeamRow {
            cells: t
                .measures
                .iter()
                .map(|m| {
                    m.teams
                        .iter()
                        .find(|f| f.team == team)
                        .and_then(|f| f.mean)
                        .map(|mean| mean.to_string())
                })
                .collect(),
            hours: t
                .hours
                .teams
                .iter()
                .find(|f| f.team == team)
                .and_then(|f| f.total)
                .map(|h| h.to_string()),
            team,
        })
        .collect()
}

pub async fn tool_results(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
    slug: web::Path<String>,
    query: web::Query<ToolQuery>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let ToolQuery { program, round } = query.into_inner();
    let now = state.clock.now();
    let found = state
        .db(move |conn| {
            let Some(tool) = tools::find_by_slug(conn, &slug)? else {
                return Ok(None);
            };
            let mut asking: Vec<Program> = Vec::new();
            for id in rounds::programs_asking(conn, tool.id)? {
                asking.extend(programs::find(conn, id)?);
            }
            let chosen = match &program {
                Some(p) => asking.iter().find(|a| &a.slug == p).cloned(),
                None => asking.first().cloned(),
            };
            let history = match &chosen {
                Some(p) => match figures::tool_history(conn, p.id, tool.id, round, now)? {
                    Some(history) => Some(history),
                    None => return Ok(None),
                },
                None => None,
            };
            let baselines = figures::baselines(conn, Some(&[tool.id]))?;
            let warnings = match history.as_ref().and_then(|h| h.selected.as_ref()) {
                Some((round, _)) => {
                    crate::analytics::priorities::round_warnings(conn, round.id, &[tool.id])?
                }
                None => Vec::new(),
            };
            Ok(Some((tool, asking, chosen, history, baselines, warnings)))
        })
        .await?;
    let Some((tool, asking, chosen, history, baselines, warnings)) = found else {
        return Err(AppError::NotFound);
    };
    let (rounds, selected) = match history {
        Some(h) => (h.rounds, h.selected),
        None => (Vec::new(), None),
    };
    render_tool(
        &state,
        &session,
        &account,
        &tool,
        &asking,
        chosen.as_ref(),
        &rounds,
        selected.as_ref(),
        &baselines,
        &warnings,
    )
}

#[allow(clippy::too_many_arguments)]
fn render_tool(
    state: &AppState,
    session: &Session,
    account: &crate::db::accounts::Account,
    tool: &tools::Tool,
    asking: &[Program],
    program: Option<&Program>,
    history: &[(Round, ToolRound)],
    selected: Option<&(Round, ToolRound)>,
    baselines: &HashMap<(i64, Measure), Hundredths>,
    warnings: &[crate::analytics::priorities::Raised],
) -> Result<HttpResponse, AppError> {
    let trends: Vec<charts::Trend> = Measure::RATED
        .iter()
        .map(|&m| {
            let values: Vec<(String, Option<Hundredths>)> = history
                .iter()
                .map(|(r, t)| (format!("R{}", r.number), t.measure(m).and_then(|x| x.mean)))
                .collect();
            charts::trend(
                &format!("trend-{}", m.key()),
                m.label(),
                &values,
                baselines.get(&(tool.id, m)).copied(),
            )
        })
        .collect();
    #[derive(Serialize)]
    struct HistoryRow {
        number: i64,
        open: bool,
        rate: i64,
        respondents: i64,
        invited: i64,
        means: Vec<String>,
        breaches: usize,
    }
    let history_rows: Vec<HistoryRow> = history
        .iter()
        .map(|(r, t)| HistoryRow {
            number: r.number,
            open: t.open,
            rate: t.rate,
            respondents: t.respondents,
            invited: t.invited,
            means: t
                .measures
                .iter()
                .map(|m| m.mean.map_or("—".into(), |x| x.to_string()))
                .collect(),
            breaches: t.breaches(),
        })
        .collect();
    let baseline_fields: Vec<(&str, &str, String)> = Measure::RATED
        .iter()
        .map(|m| {
            (
                m.key(),
                m.label(),
                baselines
                    .get(&(tool.id, *m))
                    .map_or(String::new(), |b| b.to_string()),
            )
        })
        .collect();
    let mut ctx = page::context(session, Some(account))?;
    ctx.insert("nav", "tools");
    ctx.insert("tool", tool);
    ctx.insert("programs", asking);
    ctx.insert("program", &program);
    ctx.insert("trends", &trends);
    ctx.insert("history", &history_rows);
    ctx.insert(
        "measures",
        &Measure::RATED.iter().map(|m| m.label()).collect::<Vec<_>>(),
    );
    ctx.insert("baseline_fields", &baseline_fields);
    ctx.insert("warnings", warnings);
    if let Some((round, t)) = selected {
        ctx.insert("round", round);
        ctx.insert("result", t);
        ctx.insert("rows", &measure_rows(t, "dist"));
        ctx.insert("team_rows", &team_rows(t));
        ctx.insert("k", &round.anonymity_k);
        ctx.insert("any_mean", &t.measures.iter().any(|m| m.mean.is_some()));
        ctx.insert(
            "hours_median",
            &t.hours.median.map_or("—".into(), |m| m.to_string()),
        );
        ctx.insert(
            "hours_per_team",
            &t.hours.per_team.map_or("—".into(), |m| m.to_string()),
        );
    }
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("tool_results.html", &ctx)?,
    ))
}

/// Sets or clears a tool's baselines: one field per measure, empty to clear.
pub async fn set_baselines(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    slug: web::Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let tool = find_tool(&state, slug.into_inner()).await?;
    let back = format!("/tools/{}/results", tool.slug);
    let mut wanted: Vec<(Measure, Option<i64>)> = Vec::new();
    for m in Measure::RATED {
        let raw = pairs
            .iter()
            .find(|(k, _)| k == m.key())
            .map_or("", |(_, v)| v.as_str())
            .trim();
        match raw {
            "" => wanted.push((m, None)),
            _ => match Hundredths::parse(raw).filter(|h| (100..=500).contains(&h.0)) {
                Some(h) => wanted.push((m, Some(h.0))),
                None => {
                    page::flash(
                        &session,
                        FlashKind::Error,
                        format!(
                            "Nothing was saved: the {} baseline must be a number from 1 to 5, \
                             with at most two decimals.",
                            m.label()
                        ),
                    );
                    return Ok(page::see_other(&back));
                }
            },
        }
    }
    let (id, now) = (tool.id, state.clock.now());
    state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                for (m, h) in &wanted {
                    results::set_baseline(conn, id, m.key(), *h, now)?;
                }
                Ok::<_, diesel::result::Error>(())
            })?;
            Ok(())
        })
        .await?;
    page::flash(
        &session,
        FlashKind::Success,
        format!("Saved the baselines of {}.", tool.name),
    );
    Ok(page::see_other(&back))
}

#[derive(Deserialize)]
pub struct TakeForm {
    program: String,
    round: i64,
}

/// "Take this round's means as the baseline": every mean the round shows.
pub async fn take_baselines(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<TakeForm>,
) -> Result<HttpResponse, AppError> {
    let tool = find_tool(&state, slug.into_inner()).await?;
    let (id, now) = (tool.id, state.clock.now());
    let taken = state
        .db(move |conn| {
            let Some(program) = programs::find_by_slug(conn, &form.program)? else {
                return Ok(None);
            };
            let Some(history) = figures::tool_history(conn, program.id, id, Some(form.round), now)?
            else {
                return Ok(None);
            };
            let Some((round, figures)) = history.selected else {
                return Ok(None);
            };
            let means: Vec<(Measure, Hundredths)> = figures
                .measures
                .iter()
                .filter_map(|m| Some((m.measure, m.mean?)))
                .collect();
            crate::db::write_transaction(conn, |conn| {
                for (m, mean) in &means {
                    results::set_baseline(conn, id, m.key(), Some(mean.0), now)?;
                }
                Ok::<_, diesel::result::Error>(())
            })?;
            Ok(Some((round.number, means.len())))
        })
        .await?;
    let back = format!("/tools/{}/results", tool.slug);
    match taken {
        Some((number, 0)) => page::flash(
            &session,
            FlashKind::Error,
            format!("Round {number} shows no mean to take (too few answers)."),
        ),
        Some((number, n)) => page::flash(
            &session,
            FlashKind::Success,
            format!(
                "Round {number}'s {n} means are now the baselines of {}.",
                tool.name
            ),
        ),
        None => return Err(AppError::NotFound),
    }
    Ok(page::see_other(&back))
}

pub async fn round_results(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, number) = path.into_inner();
    let now = state.clock.now();
    let found = state
        .db(move |conn| {
            let Some(program) = programs::find_by_slug(conn, &slug)? else {
                return Ok(None);
            };
            let Some(round) = rounds::find(conn, program.id, number)? else {
                return Ok(None);
            };
            let tools = rounds::tools(conn, round.id)?;
            let figures = figures::round_tools(conn, &round, now)?;
            let results = crate::analytics::questions::of_round(conn, &round)?;
            let tool_ids: Vec<i64> = tools.iter().map(|t| t.tool_id).collect();
            let warnings = crate::analytics::priorities::round_warnings(conn, round.id, &tool_ids)?;
            Ok(Some((program, round, tools, figures, results, warnings)))
        })
        .await?;
    let Some((program, round, tools, figures, questions, warnings)) = found else {
        return Err(AppError::NotFound);
    };
    let names: HashMap<i64, &rounds::RoundTool> = tools.iter().map(|t| (t.tool_id, t)).collect();
    let named: Vec<(String, &ToolRound)> = figures
        .iter()
        .filter_map(|t| Some((names.get(&t.tool_id)?.name.clone(), t)))
        .collect();
    let heatmap = charts::tools_heatmap(
        "heat",
        &format!("Round {} by tool and measure", round.number),
        &named,
    );
    let columns: Vec<&str> = Measure::RATED.iter().map(|m| m.label()).collect();
    #[derive(Serialize)]
    struct ToolRow<'a> {
        name: String,
        slug: String,
        t: &'a ToolRound,
        cells: Vec<(String, String, bool)>,
    }
    let rows: Vec<ToolRow> = figures
        .iter()
        .filter_map(|t| {
            let rt = names.get(&t.tool_id)?;
            Some(ToolRow {
                name: rt.name.clone(),
                slug: rt.slug.clone(),
                cells: t
                    .measures
                    .iter()
                    .map(|m| {
                        (
                            m.mean.map_or("—".into(), |x| x.to_string()),
                            m.delta_prev.map_or(String::new(), signed),
                            m.breach,
                        )
                    })
                    .collect(),
                t,
            })
        })
        .collect();
    #[derive(Serialize)]
    struct QuestionView<'a> {
        q: &'a crate::analytics::questions::QuestionResult,
        mean: Option<String>,
        distribution: Option<charts::Distribution>,
    }
    let questions: Vec<QuestionView> = questions
        .iter()
        .map(|q| QuestionView {
            q,
            mean: q.mean.map(|m| m.to_string()),
            distribution: q
                .distribution
                .map(|d| charts::distribution(&format!("q{}", q.id), &q.prompt, &d)),
        })
        .collect();
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("nav", "programs");
    ctx.insert("program", &program);
    ctx.insert("round", &round);
    ctx.insert("open", &round.is_open(now));
    ctx.insert("heatmap", &heatmap);
    ctx.insert("columns", &columns);
    ctx.insert("rows", &rows);
    ctx.insert("questions", &questions);
    ctx.insert("warnings", &warnings);
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("round_results.html", &ctx)?,
    ))
}
