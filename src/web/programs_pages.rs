//! Survey programs: the list, the settings form, the program page, pause
//! and resume. Rules live in `domain::program` and `surveys::programs`.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::page::{self, FieldErrors, FlashKind, NoFields};
use crate::db::accounts::Account;
use crate::db::programs::{self, Program};
use crate::db::{rounds, teams, tools};
use crate::domain::program::{ProgramForm, ProgramSettings};
use crate::domain::survey::Cadence;
use crate::surveys::{self, programs::Saved, scheduler};
use crate::web::csrf::CsrfForm;
use crate::web::error::AppError;
use crate::web::extract::{AdminAccount, SignedIn};
use crate::web::state::AppState;

fn form_of(p: &Program, tool_slugs: Vec<String>, team_slugs: Vec<String>) -> ProgramForm {
    let (kind, weeks, cron) = match p.cadence() {
        Cadence::EveryWeeks(w) => ("weeks", w.to_string(), String::new()),
        Cadence::Cron(c) => ("cron", String::new(), c),
    };
    ProgramForm {
        name: p.name.clone(),
        slug: p.slug.clone(),
        intro: p.intro.clone(),
        tools_mode: if p.all_infra_tools { "infra" } else { "chosen" }.into(),
        tools: tool_slugs,
        audience_mode: if p.all_using_teams { "using" } else { "chosen" }.into(),
        teams: team_slugs,
        cadence_kind: kind.into(),
        cadence_weeks: weeks,
        cron,
        open_days: p.open_days.to_string(),
        reminder_days: p.reminder_days.clone(),
        anonymity_k: p.anonymity_k.to_string(),
        paused: p.paused,
        thank_on_close: p.thank_on_close,
    }
}

pub(super) async fn find(state: &AppState, slug: String) -> Result<Program, AppError> {
    state
        .db(move |conn| Ok(programs::find_by_slug(conn, &slug)?))
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
) -> Result<HttpResponse, AppError> {
    #[derive(Serialize)]
    struct Row {
        program: Program,
        cadence: String,
        rounds: usize,
        open_round: Option<i64>,
    }
    let now = state.clock.now();
    let rows = state
        .db(move |conn| {
            let mut rows = Vec::new();
            for program in programs::list(conn)? {
                let rs = rounds::for_program(conn, program.id)?;
                rows.push(Row {
                    cadence: program.cadence().describe(),
                    rounds: rs.len(),
                    open_round: rs.iter().find(|r| r.is_open(now)).map(|r| r.number),
                    program,
                });
            }
            Ok(rows)
        })
        .await?;
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("nav", "programs");
    ctx.insert("rows", &rows);
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("programs.html", &ctx)?,
    ))
}

async fn render_form(
    state: &AppState,
    session: &Session,
    account: &Account,
    status: StatusCode,
    editing: Option<&Program>,
    form: &ProgramForm,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (all_tools, all_teams) = state
        .db(|conn| Ok((tools::list_active(conn)?, teams::list_active(conn)?)))
        .await?;
    let mut ctx = page::context(session, Some(account))?;
    ctx.insert("nav", "programs");
    ctx.insert("editing", &editing);
    ctx.insert("form", form);
    ctx.insert("errors", errors);
    ctx.insert("all_tools", &all_tools);
    ctx.insert("all_teams", &all_teams);
    Ok(page::html(
        status,
        state.templates.render("program_form.html", &ctx)?,
    ))
}

pub async fn new_form(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
) -> Result<HttpResponse, AppError> {
    render_form(
        &state,
        &session,
        &admin,
        StatusCode::OK,
        None,
        &ProgramForm::defaults(),
        &FieldErrors::new(),
    )
    .await
}

pub async fn edit_form(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let program = find(&state, slug.into_inner()).await?;
    let id = program.id;
    let (tool_slugs, team_slugs) = state
        .db(move |conn| {
            let chosen_tools = programs::chosen_tools(conn, id)?;
            let chosen_teams = programs::chosen_teams(conn, id)?;
            Ok((
                tools::all(conn)?
                    .into_iter()
                    .filter(|t| chosen_tools.contains(&t.id))
                    .map(|t| t.slug)
                    .collect(),
                teams::list(conn)?
                    .into_iter()
                    .filter(|t| chosen_teams.contains(&t.id))
                    .map(|t| t.slug)
                    .collect(),
            ))
        })
        .await?;
    let form = form_of(&program, tool_slugs, team_slugs);
    render_form(
        &state,
        &session,
        &admin,
        StatusCode::OK,
        Some(&program),
        &form,
        &FieldErrors::new(),
    )
    .await
}

async fn invalid(
    state: &AppState,
    session: &Session,
    admin: &Account,
    editing: Option<&Program>,
    form: &ProgramForm,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    render_form(
        state,
        session,
        admin,
        StatusCode::UNPROCESSABLE_ENTITY,
        editing,
        form,
        errors,
    )
    .await
}

async fn save(
    state: &AppState,
    session: &Session,
    admin: &Account,
    editing: Option<Program>,
    pairs: Vec<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let form = ProgramForm::from_pairs(&pairs);
    let settings = match ProgramSettings::try_from(&form) {
        Ok(settings) => settings,
        Err(errors) => {
            return invalid(state, session, admin, editing.as_ref(), &form, &errors).await;
        }
    };
    let (editing_id, now) = (editing.as_ref().map(|p| p.id), state.clock.now());
    let saved = state
        .db(move |conn| Ok(surveys::programs::save(conn, editing_id, &settings, now)?))
        .await?;
    let slug = match saved {
        Saved::Program(slug) => slug,
        Saved::Invalid(errors) => {
            return invalid(state, session, admin, editing.as_ref(), &form, &errors).await;
        }
    };
    let verb = if editing.is_some() {
        "Saved"
    } else {
        "Created"
    };
    page::flash(
        session,
        FlashKind::Success,
        format!(
            "{verb} the program {}. Open rounds keep the settings they opened with.",
            form.name.trim()
        ),
    );
    Ok(page::see_other(&format!("/programs/{slug}")))
}

pub async fn create(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    save(&state, &session, &admin, None, pairs).await
}

pub async fn update(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    slug: web::Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let program = find(&state, slug.into_inner()).await?;
    save(&state, &session, &admin, Some(program), pairs).await
}

pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let program = find(&state, slug.into_inner()).await?;
    let id = program.id;
    let now = state.clock.now();
    let (p, threshold) = (program.clone(), state.config.infra_min_teams);
    let (questions, rounds, opted_out, scope_tools, scope_teams) = state
        .db(move |conn| {
            let scope = surveys::programs::scope(conn, &p, threshold)?;
            let team_names: Vec<String> = teams::list_active(conn)?
                .into_iter()
                .filter(|t| scope.audience.contains(&t.id))
                .map(|t| t.name)
                .collect();
            Ok((
                programs::questions(conn, id)?,
                rounds::for_program(conn, id)?,
                programs::opted_out(conn, id)?,
                scope.tools.into_iter().map(|t| t.name).collect::<Vec<_>>(),
                team_names,
            ))
        })
        .await?;
    #[derive(Serialize)]
    struct RoundRow {
        number: i64,
        opens_at: String,
        closes_at: String,
        open: bool,
    }
    let round_rows: Vec<RoundRow> = rounds
        .iter()
        .map(|r| RoundRow {
            number: r.number,
            opens_at: r.opens_at.format("%Y-%m-%d").to_string(),
            closes_at: r.closes_at.format("%Y-%m-%d %H:%M").to_string(),
            open: r.is_open(now),
        })
        .collect();
    let next: Vec<String> = scheduler::next_at(&program, rounds.first(), now)
        .iter()
        .map(|t| t.format("%a %Y-%m-%d %H:%M UTC").to_string())
        .collect();
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("nav", "programs");
    ctx.insert("program", &program);
    ctx.insert("cadence", &program.cadence().describe());
    ctx.insert("next", &next);
    ctx.insert("questions", &questions);
    ctx.insert("scope_tools", &scope_tools);
    ctx.insert("scope_teams", &scope_teams);
    ctx.insert("rounds", &round_rows);
    #[derive(Serialize)]
    struct OptedOut {
        name: String,
        email: String,
        team: String,
        since: String,
    }
    let opted_out: Vec<OptedOut> = opted_out
        .into_iter()
        .map(|(name, email, team, since)| OptedOut {
            name,
            email,
            team,
            since: since.format("%Y-%m-%d").to_string(),
        })
        .collect();
    ctx.insert("opted_out", &opted_out);
    ctx.insert("question_kinds", &["rating", "single", "multi", "text"]);
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("program.html", &ctx)?,
    ))
}

async fn set_paused(
    state: &AppState,
    session: &Session,
    slug: String,
    paused: bool,
) -> Result<HttpResponse, AppError> {
    let program = find(state, slug).await?;
    let id = program.id;
    let done = super::lifecycle::Answer {
        message: if paused {
            format!(
                "Paused {}: no new rounds open until it is resumed.",
                program.name
            )
        } else {
            format!("Resumed {}.", program.name)
        },
        to: format!("/programs/{}", program.slug),
    };
    super::lifecycle::switch_active(
        state,
        session,
        move |conn, now| programs::set_paused(conn, id, paused, now),
        done,
    )
    .await
}

pub async fn pause(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    slug: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    set_paused(&state, &session, slug.into_inner(), true).await
}

pub async fn resume(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    slug: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    set_paused(&state, &session, slug.into_inner(), false).await
}
