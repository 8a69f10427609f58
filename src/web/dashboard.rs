//! The landing page after sign-in: where to look first (breaches, the
//! weakest tools, rounds in flight, the biggest changes), then what exists.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::page;
use crate::analytics::results::ToolRound;
use crate::db::{accounts, adoptions, members, outbox, sessions, teams, tools};
use crate::domain::account::Role;
use crate::web::error::AppError;
use crate::web::extract::SignedIn;
use crate::web::state::AppState;

#[derive(Serialize)]
struct Counts {
    admins: i64,
    viewers: i64,
    signed_in: i64,
    teams: i64,
    members: i64,
    tools: i64,
    infrastructure: usize,
}

pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let threshold = state.config.infra_min_teams;
    let (counts, backend, emails, board) = state
        .db(move |conn| {
            let active_tools: std::collections::HashSet<i64> =
                tools::list_active(conn)?.iter().map(|t| t.id).collect();
            let usage = adoptions::usage(conn, threshold)?;
            let counts = Counts {
                admins: accounts::count_by_role(conn, Role::Admin)?,
                viewers: accounts::count_by_role(conn, Role::Viewer)?,
                signed_in: sessions::count_signed_in(conn, now)?,
                teams: teams::count_active(conn)?,
                members: members::count_active(conn)?,
                tools: tools::count_active(conn)?,
                infrastructure: usage
                    .iter()
                    .filter(|(tool, u)| active_tools.contains(tool) && u.infrastructure)
                    .count(),
            };
            let board = crate::analytics::dashboard::build(conn, now)?;
            Ok((
                counts,
                conn.backend_name(),
                outbox::counts(conn, None)?,
                board,
            ))
        })
        .await?;
    let heatmaps: Vec<(String, String, i64, super::charts::Heatmap)> = board
        .latest
        .iter()
        .map(|l| {
            let tools: Vec<(String, &ToolRound)> = l
                .tools
                .iter()
                .map(|(name, _, t)| (name.clone(), t))
                .collect();
            let heat = super::charts::tools_heatmap(
                &format!("heat-{}", l.program.slug),
                &format!(
                    "{}, round {}: tools by measure",
                    l.program.name, l.round.number
                ),
                &tools,
            );
            (
                l.program.name.clone(),
                l.program.slug.clone(),
                l.round.number,
                heat,
            )
        })
        .collect();
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("counts", &counts);
    ctx.insert("board", &board);
    ctx.insert("heatmaps", &heatmaps);
    ctx.insert("backend", backend);
    ctx.insert("emails", &emails);
    ctx.insert("transport", &state.mailer.description);
    ctx.insert("nav", "dashboard");
    ctx.insert("threshold", &threshold);
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("dashboard.html", &ctx)?,
    ))
}
