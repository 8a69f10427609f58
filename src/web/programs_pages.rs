//! Survey programs: settings, extra questions, rounds.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::page::{self, FieldErrors, FlashKind, NoFields};
use crate::db::accounts::Account;
use crate::db::programs::{self, Program, ProgramFields};
use crate::db::{outbox, rounds, teams, tools};
use crate::domain::directory::{Slug, parse_named};
use crate::domain::survey::{Cadence, QuestionKind, parse_reminder_days};
use crate::domain::text::{parse_name, parse_text};
use crate::surveys::{self, DeadlineChange, OpenRoundError, scheduler};
use crate::web::csrf::CsrfForm;
use crate::web::error::AppError;
use crate::web::extract::{AdminAccount, SignedIn};
use crate::web::state::AppState;

/// The form as typed, for re-rendering.
#[derive(Serialize, Default, Clone)]
struct ProgramForm {
    name: String,
    slug: String,
    intro: String,
    tools_mode: String,
    tools: Vec<String>,
    audience_mode: String,
    teams: Vec<String>,
    cadence_kind: String,
    cadence_weeks: String,
    cron: String,
    open_days: String,
    reminder_days: String,
    anonymity_k: String,
    paused: bool,
    thank_on_close: bool,
}

impl ProgramForm {
    fn defaults() -> Self {
        ProgramForm {
            tools_mode: "infra".into(),
            audience_mode: "using".into(),
            cadence_kind: "weeks".into(),
            cadence_weeks: "13".into(),
            cron: "0 9 1 */3 *".into(),
            open_days: "14".into(),
            reminder_days: "3, 7".into(),
            anonymity_k: "5".into(),
            ..Default::default()
        }
    }

    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut f = ProgramForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "name" => f.name = v.clone(),
                "slug" => f.slug = v.clone(),
                "intro" => f.intro = v.clone(),
                "tools_mode" => f.tools_mode = v.clone(),
                "tools" => f.tools.push(v.clone()),
                "audience_mode" => f.audience_mode = v.clone(),
                "teams" => f.teams.push(v.clone()),
                "cadence_kind" => f.cadence_kind = v.clone(),
                "cadence_weeks" => f.cadence_weeks = v.clone(),
                "cron" => f.cron = v.clone(),
                "open_days" => f.open_days = v.clone(),
                "reminder_days" => f.reminder_days = v.clone(),
                "anonymity_k" => f.anonymity_k = v.clone(),
                "paused" => f.paused = true,
                "thank_on_close" => f.thank_on_close = true,
                _ => {}
            }
        }
        f
    }

    fn from_program(p: &Program, tool_slugs: Vec<String>, team_slugs: Vec<String>) -> Self {
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
}

async fn find(state: &AppState, slug: String) -> Result<Program, AppError> {
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
    let form = ProgramForm::from_program(&program, tool_slugs, team_slugs);
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

struct Valid {
    name: String,
    slug: Slug,
    intro: String,
    cadence: Cadence,
    open_days: i64,
    reminder_days: String,
    anonymity_k: i64,
}

fn validate(form: &ProgramForm, errors: &mut FieldErrors) -> Option<Valid> {
    // Name and slug follow the same rules as teams' and tools'.
    let named = parse_named(&form.name, &form.slug, "")
        .map_err(|e| errors.extend(e))
        .ok();
    let intro = parse_text(&form.intro, 5000)
        .map_err(|e| errors.insert("intro", format!("The introduction {e}.")))
        .ok();
    let cadence = match form.cadence_kind.as_str() {
        "weeks" => Cadence::weeks(&form.cadence_weeks)
            .map_err(|e| errors.insert("cadence_weeks", format!("The cadence {e}."))),
        "cron" => Cadence::cron(&form.cron)
            .map_err(|e| errors.insert("cron", format!("The cron expression {e}."))),
        _ => Err(errors.insert("cadence_kind", "Choose a cadence.".into())),
    }
    .ok();
    let open_days = match form.open_days.trim().parse::<i64>() {
        Ok(d) if (1..=90).contains(&d) => Some(d),
        _ => {
            errors.insert("open_days", "A round stays open from 1 to 90 days.".into());
            None
        }
    };
    let reminder_days = open_days.and_then(|d| {
        parse_reminder_days(&form.reminder_days, d)
            .map_err(|e| errors.insert("reminder_days", format!("Reminder days {e}.")))
            .ok()
    });
    let anonymity_k = match form.anonymity_k.trim().parse::<i64>() {
        Ok(k) if (1..=100).contains(&k) => Some(k),
        _ => {
            errors.insert(
                "anonymity_k",
                "The smallest group shown must be from 1 to 100 responses.".into(),
            );
            None
        }
    };
    if !matches!(form.tools_mode.as_str(), "infra" | "chosen") {
        errors.insert("tools", "Choose which tools to ask about.".into());
    }
    if !matches!(form.audience_mode.as_str(), "using" | "chosen") {
        errors.insert("teams", "Choose whom to ask.".into());
    }
    let named = named?;
    Some(Valid {
        name: named.name,
        slug: named.slug,
        intro: intro?,
        cadence: cadence?,
        open_days: open_days?,
        reminder_days: reminder_days?
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        anonymity_k: anonymity_k?,
    })
}

async fn save(
    state: &AppState,
    session: &Session,
    admin: &Account,
    editing: Option<Program>,
    pairs: Vec<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let form = ProgramForm::from_pairs(&pairs);
    let mut errors = FieldErrors::new();
    let valid = validate(&form, &mut errors);
    let (tool_slugs, team_slugs) = (form.tools.clone(), form.teams.clone());
    let (tool_ids, team_ids): (Vec<i64>, Vec<i64>) = state
        .db(move |conn| {
            let tools = tools::list_active(conn)?;
            let teams = teams::list_active(conn)?;
            Ok((
                tools
                    .iter()
                    .filter(|t| tool_slugs.contains(&t.slug))
                    .map(|t| t.id)
                    .collect(),
                teams
                    .iter()
                    .filter(|t| team_slugs.contains(&t.slug))
                    .map(|t| t.id)
                    .collect(),
            ))
        })
        .await?;
    if form.tools_mode == "chosen" && tool_ids.is_empty() {
        errors.insert(
            "tools",
            "Tick at least one tool, or ask about every infrastructure tool.".into(),
        );
    }
    if form.audience_mode == "chosen" && team_ids.is_empty() {
        errors.insert(
            "teams",
            "Tick at least one team, or ask every team that uses an included tool.".into(),
        );
    }
    let Some(valid) = valid.filter(|_| errors.is_empty()) else {
        return render_form(
            state,
            session,
            admin,
            StatusCode::UNPROCESSABLE_ENTITY,
            editing.as_ref(),
            &form,
            &errors,
        )
        .await;
    };
    let now = state.clock.now();
    let editing_id = editing.as_ref().map(|p| p.id);
    let (all_infra_tools, all_using_teams, paused, thank_on_close) = (
        form.tools_mode == "infra",
        form.audience_mode == "using",
        form.paused,
        form.thank_on_close,
    );
    let slug = valid.slug.clone();
    let saved = state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                if programs::slug_taken(conn, valid.slug.as_str(), editing_id)? {
                    return Ok(false);
                }
                let fields = ProgramFields {
                    slug: valid.slug.as_str(),
                    name: &valid.name,
                    intro: &valid.intro,
                    all_infra_tools,
                    all_using_teams,
                    cadence: &valid.cadence,
                    open_days: valid.open_days,
                    reminder_days: &valid.reminder_days,
                    anonymity_k: valid.anonymity_k,
                    paused,
                    thank_on_close,
                };
                let tools = if all_infra_tools {
                    Vec::new()
                } else {
                    tool_ids
                };
                let teams = if all_using_teams {
                    Vec::new()
                } else {
                    team_ids
                };
                programs::save(conn, editing_id, &fields, &tools, &teams, now)?;
                Ok(true)
            })
        })
        .await?;
    if !saved {
        let errors = FieldErrors::from([(
            "slug",
            format!("Another program already has the slug '{slug}'."),
        )]);
        return render_form(
            state,
            session,
            admin,
            StatusCode::UNPROCESSABLE_ENTITY,
            editing.as_ref(),
            &form,
            &errors,
        )
        .await;
    }
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
    let (questions, rounds, opted_out) = state
        .db(move |conn| {
            Ok((
                programs::questions(conn, id)?,
                rounds::for_program(conn, id)?,
                programs::opted_out(conn, id)?,
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

pub async fn add_question(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    slug: web::Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let program = find(&state, slug.into_inner()).await?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let back = format!("/programs/{}", program.slug);
    let kind: Result<QuestionKind, String> = get("kind").parse();
    let prompt = parse_name(get("prompt"), 500);
    let options: Vec<String> = parse_text(get("options"), 2000)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect();
    let problem = match (&kind, &prompt) {
        (Err(e), _) => Some(format!("The kind {e}.")),
        (_, Err(e)) => Some(format!("The question {e}.")),
        (Ok(QuestionKind::Single | QuestionKind::Multi), _) if options.len() < 2 => {
            Some("A choice question needs at least two options, one per line.".into())
        }
        _ => None,
    };
    if let Some(problem) = problem {
        page::flash(
            &session,
            FlashKind::Error,
            format!("The question was not added: {problem}"),
        );
        return Ok(page::see_other(&back));
    }
    let kind = get("kind").to_owned();
    let (prompt, required, id) = (
        prompt.unwrap_or_default(),
        !get("required").is_empty(),
        program.id,
    );
    let options = options.join("\n");
    state
        .db(move |conn| {
            Ok(programs::add_question(
                conn, id, &kind, &prompt, &options, required,
            )?)
        })
        .await?;
    page::flash(
        &session,
        FlashKind::Success,
        "Added the question. It is asked from the next round on.",
    );
    Ok(page::see_other(&back))
}

pub async fn delete_question(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    path: web::Path<(String, i64)>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let (slug, question) = path.into_inner();
    let program = find(&state, slug).await?;
    let id = program.id;
    state
        .db(move |conn| Ok(programs::delete_question(conn, id, question)?))
        .await?;
    page::flash(
        &session,
        FlashKind::Success,
        "Removed the question from future rounds.",
    );
    Ok(page::see_other(&format!("/programs/{}", program.slug)))
}

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
    let (progress, tools, emails) = state
        .db(move |conn| {
            Ok((
                surveys::progress(conn, &r)?,
                rounds::tools(conn, round_id)?,
                outbox::counts(conn, Some(round_id))?,
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
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("round.html", &ctx)?,
    ))
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
