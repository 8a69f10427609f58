//! The adoption matrix: which team uses which tool, and whether for
//! business-critical work, set for all pairs in one form.

use std::collections::{HashMap, HashSet};

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::page::{self, FlashKind};
use crate::db::{adoptions, teams, tools};
use crate::web::csrf::{self, CsrfForm};
use crate::web::error::AppError;
use crate::web::extract::{AdminAccount, SignedIn};
use crate::web::state::AppState;

/// A cell's value in the form: not used, used, used for business-critical work.
fn parse_cell(value: &str) -> Option<Option<bool>> {
    match value {
        "" | "none" => Some(None),
        "uses" => Some(Some(false)),
        "critical" => Some(Some(true)),
        _ => None,
    }
}

pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
) -> Result<HttpResponse, AppError> {
    #[derive(Serialize)]
    struct Column {
        tool: tools::Tool,
        critical_users: i64,
        infrastructure: bool,
    }
    #[derive(Serialize)]
    struct Row {
        team: teams::Team,
        /// One per column: "", "uses" or "critical".
        cells: Vec<&'static str>,
    }
    let threshold = state.config.infra_min_teams;
    let (teams, tools, pairs, counts) = state
        .db(move |conn| {
            Ok((
                teams::list_active(conn)?,
                tools::list_active(conn)?,
                adoptions::all(conn)?,
                adoptions::usage(conn, threshold)?,
            ))
        })
        .await?;
    let pairs: HashMap<(i64, i64), bool> = pairs
        .into_iter()
        .map(|a| ((a.team_id, a.tool_id), a.business_critical))
        .collect();
    let rows: Vec<Row> = teams
        .into_iter()
        .map(|team| Row {
            cells: tools
                .iter()
                .map(|tool| match pairs.get(&(team.id, tool.id)) {
                    None => "",
                    Some(false) => "uses",
                    Some(true) => "critical",
                })
                .collect(),
            team,
        })
        .collect();
    let columns: Vec<Column> = tools
        .into_iter()
        .map(|tool| {
            let usage = counts.get(&tool.id).copied().unwrap_or_default();
            Column {
                infrastructure: usage.infrastructure,
                critical_users: usage.critical_teams,
                tool,
            }
        })
        .collect();
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("nav", "adoption");
    ctx.insert("columns", &columns);
    ctx.insert("rows", &rows);
    ctx.insert("threshold", &threshold);
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("adoption.html", &ctx)?,
    ))
}

pub async fn save(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let mut cells: Vec<(i64, i64, Option<bool>)> = Vec::new();
    let mut seen = HashSet::new();
    for (key, value) in &fields {
        if key == csrf::FIELD {
            continue;
        }
        let bad =
            || AppError::BadRequest(format!("The form field '{key}' is not part of the matrix."));
        let ids = key.strip_prefix("a.").ok_or_else(bad)?;
        let (team, tool) = ids.split_once('.').ok_or_else(bad)?;
        let (team, tool) = (
            team.parse::<i64>().map_err(|_| bad())?,
            tool.parse::<i64>().map_err(|_| bad())?,
        );
        if !seen.insert((team, tool)) {
            return Err(AppError::BadRequest(format!(
                "The field '{key}' was sent twice."
            )));
        }
        let usage = parse_cell(value).ok_or_else(|| {
            AppError::BadRequest(format!("'{value}' is not a choice for '{key}'."))
        })?;
        cells.push((team, tool, usage));
    }
    let now = state.clock.now();
    let changed = state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let teams: HashSet<i64> = teams::list_active(conn)?.iter().map(|t| t.id).collect();
                let tools: HashSet<i64> = tools::list_active(conn)?.iter().map(|t| t.id).collect();
                let mut changed = 0;
                for (team, tool, usage) in cells {
                    if !teams.contains(&team) || !tools.contains(&tool) {
                        return Err(AppError::Unprocessable(
                            "A team or tool in the matrix was archived or deleted meanwhile; nothing was saved. Reload and try again.".into(),
                        ));
                    }
                    if adoptions::set(conn, team, tool, usage, now)? {
                        changed += 1;
                    }
                }
                Ok(changed)
            })
        })
        .await?;
    page::flash(
        &session,
        FlashKind::Success,
        format!("Saved the adoption matrix: {changed} changes."),
    );
    Ok(page::see_other("/adoption"))
}
