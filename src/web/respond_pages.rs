//! The respondent's form at `/r/{token}`: no account, the token is the key.
//! Unknown and malformed tokens get the same 404; a closed round a 410.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDateTime, TimeDelta};
use serde::Serialize;

use super::page;
use crate::db::rounds::{self, Invitation, Round, RoundQuestion};
use crate::db::{login_failures, programs, responses};
use crate::domain::survey::{self, Property, Question, QuestionKind, ResponseAnswers, ToolAnswer};
use crate::surveys::{self, respond};
use crate::web::csrf;
use crate::web::error::AppError;
use crate::web::state::AppState;

/// Unknown-token look-ups allowed per client address in `MISS_WINDOW`. Valid
/// links keep working past it, so one office behind a NAT is never locked out.
const MISSES_ALLOWED: i64 = 100;
const MISS_WINDOW: TimeDelta = TimeDelta::minutes(15);

fn when(t: NaiveDateTime) -> String {
    t.format("%A %-d %B %Y, %H:%M UTC").to_string()
}

async fn find(
    state: &AppState,
    req: &HttpRequest,
    token: String,
) -> Result<(Invitation, Round), AppError> {
    let now = state.clock.now();
    let bucket = format!("token:{}", state.client_address(req));
    let found = state
        .db(move |conn| {
            let invitation = if surveys::is_token_shaped(&token) {
                rounds::invitation_by_token(conn, &token)?
            } else {
                None
            };
            match invitation {
                Some(inv) => {
                    let round = rounds::by_id(conn, inv.round_id)?;
                    Ok(Ok((inv, round)))
                }
                None => {
                    login_failures::record(conn, &bucket, now)?;
                    let (misses, _) = login_failures::window(conn, &bucket, now - MISS_WINDOW)?;
                    Ok(Err(misses > MISSES_ALLOWED))
                }
            }
        })
        .await?;
    match found {
        Ok(pair) => Ok(pair),
        Err(true) => Err(AppError::TooManyRequests(
            "Too many links that do not exist were tried from your network. Wait a few minutes."
                .into(),
        )),
        Err(false) => Err(AppError::NotFound),
    }
}

fn closed(round: &Round) -> AppError {
    AppError::Gone(format!(
        "This survey closed on {}. Thank you for your time; look out for the next round.",
        when(round.closes_at)
    ))
}

#[derive(Serialize)]
struct RatingView {
    field: String,
    label: &'static str,
    value: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct ToolView {
    slug: String,
    name: String,
    not_used: bool,
    ratings: Vec<RatingView>,
    satisfaction: String,
    hours_lost: String,
    pain: String,
    proposal: String,
    errors: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
struct QuestionView {
    field: String,
    kind: QuestionKind,
    prompt: String,
    required: bool,
    options: Vec<(String, bool)>,
    value: String,
    error: Option<String>,
}

fn questions(rows: &[RoundQuestion]) -> Vec<Question> {
    rows.iter()
        .filter_map(|q| {
            Some(Question {
                id: q.id,
                kind: q.kind.parse().ok()?,
                prompt: q.prompt.clone(),
                options: q
                    .options
                    .lines()
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(str::to_owned)
                    .collect(),
                required: q.required,
            })
        })
        .collect()
}

/// Field name to value(s), from stored answers or from a submitted form.
type Values = HashMap<String, Vec<String>>;

fn values_from_answers(tools: &[(String, ToolAnswer)], answers: &[(i64, String)]) -> Values {
    let mut v = Values::new();
    for (slug, a) in tools {
        let mut put = |field: &str, value: String| {
            v.insert(format!("t.{slug}.{field}"), vec![value]);
        };
        if a.not_used {
            put("not_used", "1".into());
        }
        for (i, p) in Property::ALL.iter().enumerate() {
            put(
                p.field(),
                a.ratings[i].map_or("na".into(), |n| n.to_string()),
            );
        }
        put(
            "satisfaction",
            a.satisfaction.map(|n| n.to_string()).unwrap_or_default(),
        );
        put(
            "hours_lost",
            a.hours_lost.map(|n| n.to_string()).unwrap_or_default(),
        );
        put("pain", a.pain.clone());
        put("proposal", a.proposal.clone());
    }
    for (id, value) in answers {
        v.insert(
            format!("q.{id}"),
            value.lines().map(str::to_owned).collect(),
        );
    }
    v
}

fn render(
    state: &AppState,
    l: &Loaded,
    values: &Values,
    errors: &BTreeMap<String, String>,
    status: StatusCode,
    saved_before: bool,
) -> Result<HttpResponse, AppError> {
    let (round, token, tools, qs) = (&l.round, &l.token, &l.tools, &l.questions);
    let one = |key: &str| {
        values
            .get(key)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default()
    };
    let tool_views: Vec<ToolView> = tools
        .iter()
        .map(|t| {
            let key = |f: &str| format!("t.{}.{f}", t.slug);
            ToolView {
                slug: t.slug.clone(),
                name: t.name.clone(),
                not_used: !one(&key("not_used")).is_empty(),
                ratings: Property::ALL
                    .iter()
                    .map(|p| RatingView {
                        field: key(p.field()),
                        label: p.label(),
                        value: one(&key(p.field())),
                        error: errors.get(&key(p.field())).cloned(),
                    })
                    .collect(),
                satisfaction: one(&key("satisfaction")),
                hours_lost: one(&key("hours_lost")),
                pain: one(&key("pain")),
                proposal: one(&key("proposal")),
                errors: ["satisfaction", "hours_lost", "pain", "proposal"]
                    .into_iter()
                    .filter_map(|f| errors.get(&key(f)).map(|e| (f, e.clone())))
                    .collect(),
            }
        })
        .collect();
    let question_views: Vec<QuestionView> = qs
        .iter()
        .map(|q| {
            let field = format!("q.{}", q.id);
            let given = values.get(&field).cloned().unwrap_or_default();
            QuestionView {
                kind: q.kind,
                prompt: q.prompt.clone(),
                required: q.required,
                options: q
                    .options
                    .iter()
                    .map(|o| (o.clone(), given.contains(o)))
                    .collect(),
                value: given.first().cloned().unwrap_or_default(),
                error: errors.get(&field).cloned(),
                field,
            }
        })
        .collect();
    let mut ctx = page::public_context();
    ctx.insert("round", round);
    ctx.insert("closes", &when(round.closes_at));
    ctx.insert("token", token);
    ctx.insert("tools", &tool_views);
    ctx.insert("questions", &question_views);
    ctx.insert("error_count", &errors.len());
    ctx.insert("saved_before", &saved_before);
    ctx.insert("text_max", &survey::TEXT_MAX);
    ctx.insert("hours_max", &survey::HOURS_MAX);
    Ok(page::html(
        status,
        state.templates.render("respond.html", &ctx)?,
    ))
}

struct Loaded {
    token: String,
    invitation: Invitation,
    round: Round,
    tools: Vec<rounds::RoundTool>,
    questions: Vec<Question>,
    key: String,
}

async fn load(state: &AppState, req: &HttpRequest, token: String) -> Result<Loaded, AppError> {
    let (invitation, round) = find(state, req, token.clone()).await?;
    if !round.is_open(state.clock.now()) {
        return Err(closed(&round));
    }
    let (round_id, team_id) = (round.id, invitation.team_id);
    let (tools, question_rows) = state
        .db(move |conn| {
            Ok((
                rounds::tools_for_team(conn, round_id, team_id)?,
                rounds::questions(conn, round_id)?,
            ))
        })
        .await?;
    Ok(Loaded {
        key: respond::respondent_key(state.respondent_secret.expose(), &token),
        token,
        questions: questions(&question_rows),
        invitation,
        round,
        tools,
    })
}

pub async fn form(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let l = load(&state, &req, token.clone()).await?;
    let (invitation_id, key, now) = (l.invitation.id, l.key.clone(), state.clock.now());
    let slugs: HashMap<i64, String> = l
        .tools
        .iter()
        .map(|t| (t.tool_id, t.slug.clone()))
        .collect();
    let saved = state
        .db(move |conn| {
            rounds::mark_opened(conn, invitation_id, now)?;
            match responses::find_by_key(conn, &key)? {
                Some(id) => Ok(Some(responses::answers(conn, id)?)),
                None => Ok(None),
            }
        })
        .await?;
    let values = match &saved {
        Some(stored) => {
            let tools: Vec<(String, ToolAnswer)> = stored
                .tools
                .iter()
                .filter_map(|(id, a)| slugs.get(id).map(|s| (s.clone(), a.clone())))
                .collect();
            values_from_answers(&tools, &stored.questions)
        }
        None => Values::new(),
    };
    render(
        &state,
        &l,
        &values,
        &BTreeMap::new(),
        StatusCode::OK,
        saved.is_some(),
    )
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    csrf::check_headers(&req, &state.config.base_url)?;
    let token = token.into_inner();
    let l = load(&state, &req, token.clone()).await?;
    let pairs = form.into_inner();
    let slugs: Vec<String> = l.tools.iter().map(|t| t.slug.clone()).collect();
    let answers: ResponseAnswers = match survey::parse_response(&pairs, &slugs, &l.questions) {
        Err(malformed) => return Err(AppError::BadRequest(malformed.to_string())),
        Ok(Err(errors)) => {
            let mut values = Values::new();
            for (k, v) in pairs {
                values.entry(k).or_default().push(v);
            }
            return render(
                &state,
                &l,
                &values,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
                false,
            );
        }
        Ok(Ok(answers)) => answers,
    };
    let now = state.clock.now();
    let (invitation, key) = (l.invitation.clone(), l.key.clone());
    state
        .db(move |conn| Ok(respond::save(conn, &invitation, &key, &answers, now)?))
        .await?;
    Ok(page::see_other(&format!("/r/{token}/thanks")))
}

pub async fn thanks(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let (_, round) = find(&state, &req, token.clone()).await?;
    let mut ctx = page::public_context();
    ctx.insert("round", &round);
    ctx.insert("token", &token);
    ctx.insert("open", &round.is_open(state.clock.now()));
    ctx.insert("closes", &when(round.closes_at));
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("thanks.html", &ctx)?,
    ))
}

async fn render_stop(
    state: &AppState,
    round: &Round,
    token: &str,
    stopped: bool,
    changed: bool,
) -> Result<HttpResponse, AppError> {
    let mut ctx = page::public_context();
    ctx.insert("program", &round.program_name);
    ctx.insert("token", token);
    ctx.insert("stopped", &stopped);
    ctx.insert("changed", &changed);
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("stop.html", &ctx)?,
    ))
}

/// The link in every email's footer. A GET only shows the choice: mail
/// scanners follow links, and must not unsubscribe anyone.
pub async fn stop_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let (invitation, round) = find(&state, &req, token.clone()).await?;
    let (program, member) = (round.program_id, invitation.member_id);
    let stopped = state
        .db(move |conn| Ok(programs::is_opted_out(conn, program, member)?))
        .await?;
    render_stop(&state, &round, &token, stopped, false).await
}

/// Stops (or resumes) the program's emails to the link's member: no more
/// invitations, reminders or thanks until they resume. Answers the page's
/// buttons (`action=stop|resume`) and mail providers' one-click unsubscribe
/// (RFC 8058: `List-Unsubscribe=One-Click`, posted from their servers).
pub async fn stop(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    csrf::check_headers(&req, &state.config.base_url)?;
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let out = match (field("action"), field("List-Unsubscribe")) {
        (Some("stop"), _) | (None, Some("One-Click")) => true,
        (Some("resume"), _) => false,
        _ => {
            return Err(AppError::BadRequest(
                "Choose to stop or to resume the emails.".into(),
            ));
        }
    };
    let token = token.into_inner();
    let (invitation, round) = find(&state, &req, token.clone()).await?;
    let (program, member, now) = (round.program_id, invitation.member_id, state.clock.now());
    state
        .db(move |conn| Ok(programs::set_opted_out(conn, program, member, out, now)?))
        .await?;
    render_stop(&state, &round, &token, out, true).await
}
