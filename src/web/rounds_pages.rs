//! A program's rounds: opening one now, the round page, and changing an
//! open round's deadline.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::page::{self, FlashKind, NoFields};
use super::programs_pages::find;
use crate::db::programs::Program;
use crate::db::{outbox, rounds};
use crate::surveys::{self, DeadlineChange, OpenRoundError};
use crate::web::csrf::CsrfForm;
use crate::web::error::AppError;
use crate::web::extract::{AdminAccount, SignedIn};
use crate::web::state::AppState;

pub async fn open_round(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    slug: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let program = find(&state, slug.into_inner()).await?;
    let now = state.clock.now();
    let threshold = state.config.infra_min_teams;
    let (p, keys) = (program.clone(), state.links.clone());
    let result = state
        .db(move |conn| Ok(surveys::open_round(conn, &keys, &p, threshold, None, now)))
        .await?;
    match result {
        Ok((round, invited)) => {
            state.outbox_wake.notify_one();
            page::flash(
                &session,
                FlashKind::Success,
                format!(
                    "Opened round {} and queued invitations to {invited} people.",
                    round.number
                ),
            );
            Ok(page::see_other(&format!(
                "/programs/{}/rounds/{}",
                program.slug, round.number
            )))
        }
        Err(OpenRoundError::Database(e)) => Err(e.into()),
        Err(refused) => {
            page::flash(&session, FlashKind::Error, refused.to_string());
            Ok(page::see_other(&format!("/programs/{}", program.slug)))
        }
    }
}

async fn find_round(
    state: &AppState,
    slug: String,
    number: i64,
) -> Result<(Program, rounds::Round), AppError> {
    let program = find(state, slug).await?;
    let id = program.id;
    let round = state
        .db(move |conn| Ok(rounds::find(conn, id, number)?))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((program, round))
}

pub async fn round(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, number) = path.into_inner();
    let (program, round) = find_round(&state, slug, number).await?;
    let round_id = round.id;
    let r = round.clone();
    let (progress, tools, emails, warnings) = state
        .db(move |conn| {
            let tools = rounds::tools(conn, round_id)?;
            let tool_ids: Vec<i64> = tools.iter().map(|t| t.tool_id).collect();
            Ok((
                surveys::progress(conn, &r)?,
                tools,
                outbox::counts(conn, Some(round_id))?,
                crate::analytics::priorities::round_warnings(conn, round_id, &tool_ids)?,
            ))
        })
        .await?;
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("nav", "programs");
    ctx.insert("program", &program);
    ctx.insert("round", &round);
    ctx.insert("open", &round.is_open(state.clock.now()));
    ctx.insert(
        "opens",
        &round.opens_at.format("%Y-%m-%d %H:%M UTC").to_string(),
    );
    ctx.insert(
        "closes",
        &round.closes_at.format("%Y-%m-%d %H:%M UTC").to_string(),
    );
    ctx.insert("tools", &tools);
    ctx.insert("emails", &emails);
    ctx.insert("progress", &progress);
    ctx.insert("warnings", &warnings);
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("round.html", &ctx)?,
    ))
}

/// Closing seals a round for good, so the round page's button asks first,
/// on a page of its own; the form there posts the close.
pub async fn confirm_close(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, number) = path.into_inner();
    let (program, round) = find_round(&state, slug, number).await?;
    let back = format!("/programs/{}/rounds/{}", program.slug, round.number);
    page::confirm(
        &state,
        &session,
        &admin,
        page::Confirm {
            nav: "programs",
            heading: "Close the round now?",
            message: format!(
                "Round {} of {} closes now and is sealed: nobody can answer or edit any more, \
                 the keys that let respondents come back to their answers are erased, and it \
                 never opens again.",
                round.number, program.name
            ),
            blockers: Vec::new(),
            button: "Close and seal the round",
            action_url: back.clone(),
            cancel_url: back,
            fields: vec![("action", "close")],
        },
    )
}

pub async fn change_round(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    path: web::Path<(String, i64)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (slug, number) = path.into_inner();
    let (program, round) = find_round(&state, slug, number).await?;
    let back = format!("/programs/{}/rounds/{}", program.slug, round.number);
    let fields: BTreeMap<&str, &str> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let change = match fields.get("action").copied() {
        Some("close") => DeadlineChange::CloseNow,
        Some("extend") => DeadlineChange::ExtendDays(
            fields
                .get("days")
                .and_then(|d| d.trim().parse().ok())
                .unwrap_or(0),
        ),
        _ => return Err(AppError::BadRequest("Unknown change to the round.".into())),
    };
    let (id, now) = (round.id, state.clock.now());
    let changed = state
        .db(move |conn| Ok(surveys::change_deadline(conn, id, change, now)?))
        .await?;
    match changed {
        Ok(_) if change == DeadlineChange::CloseNow => page::flash(
            &session,
            FlashKind::Success,
            format!(
                "Round {} is closed: nobody can answer any more. It is sealed within a minute, when the scheduler next runs.",
                round.number
            ),
        ),
        Ok(closes_at) => page::flash(
            &session,
            FlashKind::Success,
            format!(
                "Round {} now closes {}.",
                round.number,
                closes_at.format("%Y-%m-%d %H:%M UTC")
            ),
        ),
        Err(refused) => page::flash(&session, FlashKind::Error, refused.to_string()),
    }
    Ok(page::see_other(&back))
}
