//! The respondent's form at `/r/{token}`: no account, the token is the key.
//! Unknown and malformed tokens get the same 404; a closed round a 410.
//! Opening a link writes nothing; each request is one call to the database.

use std::collections::{BTreeMap, HashMap};

use actix_multipart::form::{MultipartForm, text::Text};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use serde::Serialize;

use super::{form, page};
use crate::db::programs;
use crate::db::rounds::{Invitation, Round};
use crate::domain::survey::{self, FormErrors, Property, QuestionKind, ToolAnswer};
use crate::surveys::respond::{self, Check, Form, Opened, Submitted};
use crate::web::csrf;
use crate::web::error::AppError;
use crate::web::state::AppState;

fn when(t: NaiveDateTime) -> String {
    t.format("%A %-d %B %Y, %H:%M UTC").to_string()
}

/// An unknown link: a 404, or a 429 once the address has tried too many.
/// Counted in memory only (`MissThrottle`), so a wrong link writes nothing.
fn unknown(state: &AppState, req: &HttpRequest) -> AppError {
    if state
        .misses
        .miss(&state.client_address(req), state.clock.now())
    {
        AppError::TooManyRequests(
            "Too many links that do not exist were tried from your network. Wait a few minutes."
                .into(),
        )
    } else {
        AppError::NotFound
    }
}

fn closed(round: &Round) -> AppError {
    AppError::Gone(format!(
        "This survey closed on {}. Thank you for your time; look out for the next round.",
        when(round.closes_at)
    ))
}

/// The invitation and round behind a link, for its thanks and stop pages.
async fn find(
    state: &AppState,
    req: &HttpRequest,
    token: String,
) -> Result<(Invitation, Round), AppError> {
    let keys = state.links.clone();
    state
        .db(move |conn| Ok(respond::find(conn, &keys, &token)?))
        .await?
        .map(|linked| (linked.invitation, linked.round))
        .ok_or_else(|| unknown(state, req))
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
    /// Whether its section starts unfolded: the first on a new form, those
    /// with problems on a form sent back.
    open: bool,
    status: &'static str,
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

/// One line of the error summary: what needs another look, and where.
#[derive(Serialize)]
struct Problem {
    field: String,
    label: String,
    message: String,
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

fn saved_values(form: &Form) -> Values {
    let Some(stored) = &form.saved else {
        return Values::new();
    };
    let slugs: HashMap<i64, &str> = form
        .parts
        .tools
        .iter()
        .map(|t| (t.tool_id, t.slug.as_str()))
        .collect();
    let tools: Vec<(String, ToolAnswer)> = stored
        .tools
        .iter()
        .filter_map(|(id, a)| slugs.get(id).map(|s| (s.to_string(), a.clone())))
        .collect();
    values_from_answers(&tools, &stored.questions)
}

/// The label a field has on the form, for the error summary.
fn field_label(form: &Form, field: &str) -> String {
    for t in &form.parts.tools {
        if let Some(rest) = field.strip_prefix(&format!("t.{}.", t.slug)) {
            let what = Property::ALL
                .iter()
                .find(|p| p.field() == rest)
                .map(|p| p.label())
                .unwrap_or(match rest {
                    "satisfaction" => "Overall satisfaction",
                    "hours_lost" => "Hours lost",
                    "pain" => "What hurts most",
                    "proposal" => "What you would change",
                    other => other,
                });
            return format!("{}: {what}", t.name);
        }
    }
    form.parts
        .questions
        .iter()
        .find(|q| q.field() == field)
        .map_or_else(|| field.to_owned(), |q| q.prompt.clone())
}

fn render(
    state: &AppState,
    token: &str,
    form: &Form,
    values: &Values,
    errors: &FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let one = |key: &str| {
        values
            .get(key)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default()
    };
    let tool_views: Vec<ToolView> = form
        .parts
        .tools
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let key = |f: &str| format!("t.{}.{f}", t.slug);
            let not_used = !one(&key("not_used")).is_empty();
            let tool_errors: BTreeMap<&'static str, String> =
                ["satisfaction", "hours_lost", "pain", "proposal"]
                    .into_iter()
                    .filter_map(|f| errors.get(&key(f)).map(|e| (f, e.clone())))
                    .collect();
            let has_error = errors.keys().any(|f| f.starts_with(&key("")));
            let answered = !one(&key("satisfaction")).is_empty();
            let status = match (has_error, not_used, answered) {
                (true, _, _) => "needs another look",
                (false, true, _) => "not used by your team",
                (false, false, true) => "answered",
                (false, false, false) => "not answered yet",
            };
            let open = if errors.is_empty() {
                i == 0 && !answered
            } else {
                has_error
            };
            ToolView {
                slug: t.slug.clone(),
                name: t.name.clone(),
                not_used,
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
                errors: tool_errors,
                open,
                status,
            }
        })
        .collect();
    let question_views: Vec<QuestionView> = form
        .parts
        .questions
        .iter()
        .map(|q| {
            let field = q.field();
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
    let problems: Vec<Problem> = errors
        .iter()
        .map(|(field, message)| Problem {
            label: field_label(form, field),
            field: field.clone(),
            message: message.clone(),
        })
        .collect();
    let mut ctx = page::public_context();
    ctx.insert("round", &form.round);
    ctx.insert("closes", &when(form.round.closes_at));
    ctx.insert("token", token);
    ctx.insert("tools", &tool_views);
    ctx.insert("questions", &question_views);
    ctx.insert("problems", &problems);
    ctx.insert("saved_before", &form.saved.is_some());
    ctx.insert("text_max", &survey::TEXT_MAX);
    ctx.insert("hours_max", &survey::HOURS_MAX);
    Ok(page::html(
        status,
        state.templates.render("respond.html", &ctx)?,
    ))
}

pub async fn form(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let (keys, forms, now, t) = (
        state.links.clone(),
        state.forms.clone(),
        state.clock.now(),
        token.clone(),
    );
    match state
        .db(move |conn| Ok(respond::open(conn, &keys, &forms, &t, now)?))
        .await?
    {
        Opened::Form(form) => render(
            &state,
            &token,
            &form,
            &saved_values(&form),
            &FormErrors::new(),
            StatusCode::OK,
        ),
        Opened::Closed(round) => Err(closed(&round)),
        Opened::Unknown => Err(unknown(&state, &req)),
    }
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    form::FormBody(body): form::FormBody,
) -> Result<HttpResponse, AppError> {
    csrf::check_headers(&req, &state.config.base_url)?;
    form::require_urlencoded(&req)?;
    let pairs = form::pairs(&body)?;
    let token = token.into_inner();
    let (keys, forms, now, t) = (
        state.links.clone(),
        state.forms.clone(),
        state.clock.now(),
        token.clone(),
    );
    let for_render = pairs.clone();
    let checked = state
        .db(move |conn| Ok(respond::check(conn, &keys, &forms, &t, &pairs, now)?))
        .await?;
    let submitted = match checked {
        Check::Ready(checked) => state.intake.save(checked).await?,
        Check::Done(submitted) => submitted,
    };
    match submitted {
        Submitted::Saved => Ok(page::see_other(&format!("/r/{token}/thanks"))),
        Submitted::Invalid(form, errors) => {
            let mut values = Values::new();
            for (k, v) in for_render {
                values.entry(k).or_default().push(v);
            }
            render(
                &state,
                &token,
                &form,
                &values,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Submitted::Malformed(why) => Err(AppError::BadRequest(why)),
        Submitted::Closed(round) => Err(closed(&round)),
        Submitted::Unknown => Err(unknown(&state, &req)),
    }
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

/// The fields a stop request may carry, as `multipart/form-data` (which RFC
/// 8058 recommends mail providers send) or URL-encoded (the page's buttons).
#[derive(MultipartForm)]
pub struct StopFields {
    action: Option<Text<String>>,
    #[multipart(rename = "List-Unsubscribe")]
    list_unsubscribe: Option<Text<String>>,
}

/// Stops (or resumes) the program's emails to the link's member: no more
/// invitations, reminders or thanks until they resume. Answers the page's
/// buttons (`action=stop|resume`) and mail providers' one-click unsubscribe
/// (RFC 8058: `List-Unsubscribe=One-Click`, posted from their servers).
pub async fn stop(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    csrf::check_headers(&req, &state.config.base_url)?;
    let (action, one_click) = stop_fields(&req, payload).await?;
    let out = match (action.as_deref(), one_click.as_deref()) {
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

/// (`action`, `List-Unsubscribe`) from either kind of form body.
async fn stop_fields(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(Option<String>, Option<String>), AppError> {
    use actix_web::FromRequest;
    if form::content_type(req).starts_with("multipart/form-data") {
        let mut payload = payload.into_inner();
        let form = MultipartForm::<StopFields>::from_request(req, &mut payload)
            .await
            .map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
        let StopFields {
            action,
            list_unsubscribe,
        } = form.into_inner();
        return Ok((
            action.map(Text::into_inner),
            list_unsubscribe.map(Text::into_inner),
        ));
    }
    form::require_urlencoded(req)?;
    let body = form::read_limited(payload.into_inner(), form::BODY_LIMIT).await?;
    let pairs = form::pairs(&body)?;
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    Ok((field("action"), field("List-Unsubscribe")))
}
