//! Members: a searchable, paged list; create, edit, deactivate, delete.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::lifecycle::{self, Answer};
use super::page::{self, FieldErrors, FlashKind, NoFields};
use crate::db::accounts::Account;
use crate::db::members::{self, MemberFields, MemberFilter};
use crate::db::teams;
use crate::domain::account::{EmailAddress, PersonName};
use crate::web::csrf::CsrfForm;
use crate::web::error::AppError;
use crate::web::extract::{AdminAccount, SignedIn};
use crate::web::state::AppState;

const PAGE_SIZE: i64 = 100;

#[derive(Deserialize)]
pub struct ListQuery {
    team: Option<String>,
    q: Option<String>,
    inactive: Option<String>,
    page: Option<u32>,
}

pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let page_no = i64::from(query.page.unwrap_or(1).clamp(1, 100_000));
    let search = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| q.chars().take(200).collect::<String>());
    let team_slug = query.team.clone().filter(|t| !t.is_empty());
    let include_inactive = query.inactive.is_some();
    let (teams, rows, total) = {
        let (search, team_slug) = (search.clone(), team_slug.clone());
        state
            .db(move |conn| {
                let teams = teams::list(conn)?;
                let team_id = match &team_slug {
                    Some(slug) => match teams.iter().find(|t| &t.slug == slug) {
                        Some(t) => Some(t.id),
                        None => return Err(AppError::NotFound),
                    },
                    None => None,
                };
                let filter = MemberFilter {
                    team_id,
                    search,
                    include_inactive,
                };
                let rows = members::page(conn, &filter, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)?;
                let total = members::count(conn, &filter)?;
                Ok((teams, rows, total))
            })
            .await?
    };
    #[derive(Serialize)]
    struct Row {
        member: members::Member,
        team: String,
    }
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|(member, team)| Row { member, team })
        .collect();
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("nav", "members");
    ctx.insert("teams", &teams);
    ctx.insert("rows", &rows);
    ctx.insert("total", &total);
    ctx.insert("page", &page_no);
    ctx.insert("pages", &pages);
    ctx.insert("q", &search.unwrap_or_default());
    ctx.insert("team", &team_slug.unwrap_or_default());
    ctx.insert("inactive", &include_inactive);
    // The other filters, for the paging links.
    let mut keep: Vec<(&str, String)> = Vec::new();
    if let Some(t) = &query.team {
        keep.push(("team", t.clone()));
    }
    if let Some(q) = &query.q {
        keep.push(("q", q.clone()));
    }
    if include_inactive {
        keep.push(("inactive", "1".into()));
    }
    ctx.insert(
        "filter_query",
        &serde_urlencoded::to_string(&keep).unwrap_or_default(),
    );
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("members.html", &ctx)?,
    ))
}

#[derive(Deserialize, Serialize, Default)]
pub struct MemberForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    team: String,
}

async fn render_form(
    state: &AppState,
    session: &Session,
    account: &Account,
    status: StatusCode,
    editing: Option<&members::Member>,
    form: &MemberForm,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let teams = state.db(|conn| Ok(teams::list_active(conn)?)).await?;
    let mut ctx = page::context(session, Some(account))?;
    ctx.insert("nav", "members");
    ctx.insert("editing", &editing);
    ctx.insert("form", form);
    ctx.insert("errors", errors);
    ctx.insert("teams", &teams);
    Ok(page::html(
        status,
        state.templates.render("member_form.html", &ctx)?,
    ))
}

async fn find(state: &AppState, id: i64) -> Result<members::Member, AppError> {
    state
        .db(move |conn| Ok(members::find(conn, id)?))
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize)]
pub struct NewQuery {
    team: Option<String>,
}

pub async fn new_form(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let form = MemberForm {
        team: query.into_inner().team.unwrap_or_default(),
        ..Default::default()
    };
    render_form(
        &state,
        &session,
        &admin,
        StatusCode::OK,
        None,
        &form,
        &FieldErrors::new(),
    )
    .await
}

pub async fn edit_form(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let member = find(&state, id.into_inner()).await?;
    let team_id = member.team_id;
    let team = state
        .db(move |conn| Ok(teams::find(conn, team_id)?))
        .await?;
    let form = MemberForm {
        email: member.email.clone(),
        name: member.name.clone(),
        team: team.map(|t| t.slug).unwrap_or_default(),
    };
    render_form(
        &state,
        &session,
        &admin,
        StatusCode::OK,
        Some(&member),
        &form,
        &FieldErrors::new(),
    )
    .await
}

async fn save(
    state: &AppState,
    session: &Session,
    admin: &Account,
    editing: Option<members::Member>,
    form: MemberForm,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let email = EmailAddress::parse(&form.email)
        .map_err(|e| errors.insert("email", format!("The email {e}.")))
        .ok();
    let name = PersonName::parse(&form.name)
        .map_err(|e| errors.insert("name", format!("The name {e}.")))
        .ok();
    let team_slug = form.team.clone();
    let team = state
        .db(move |conn| Ok(teams::find_by_slug(conn, &team_slug)?))
        .await?
        .filter(|t| t.active);
    if team.is_none() {
        errors.insert("team", "Choose the member's team.".into());
    }
    let (Some(email), Some(name), Some(team)) = (email, name, team) else {
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
    let editing_id = editing.as_ref().map(|m| m.id);
    let active = editing.as_ref().is_none_or(|m| m.active);
    let saved = {
        let email = email.clone();
        state
            .db(move |conn| {
                crate::db::write_transaction(conn, |conn| {
                    if let Some(other) = members::find_by_email(conn, email.as_str())?
                        && Some(other.id) != editing_id
                    {
                        return Ok(None);
                    }
                    let fields = MemberFields {
                        email: email.as_str(),
                        name: name.as_str(),
                        team_id: team.id,
                        active,
                    };
                    let id = match editing_id {
                        Some(id) => {
                            members::update(conn, id, &fields, now)?;
                            id
                        }
                        None => members::insert(conn, &fields, now)?,
                    };
                    Ok(Some(id))
                })
            })
            .await?
    };
    let Some(_) = saved else {
        let errors = FieldErrors::from([("email", format!("{email} is already a member."))]);
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
    let verb = if editing.is_some() { "Saved" } else { "Added" };
    page::flash(session, FlashKind::Success, format!("{verb} {email}."));
    Ok(page::see_other(&format!("/members?team={}", form.team)))
}

pub async fn create(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> Result<HttpResponse, AppError> {
    save(&state, &session, &admin, None, form).await
}

pub async fn update(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> Result<HttpResponse, AppError> {
    let member = find(&state, id.into_inner()).await?;
    save(&state, &session, &admin, Some(member), form).await
}

async fn set_active(
    state: web::Data<AppState>,
    session: Session,
    id: i64,
    active: bool,
) -> Result<HttpResponse, AppError> {
    let member = find(&state, id).await?;
    let message = if active {
        format!("Reactivated {}.", member.email)
    } else {
        format!("Deactivated {}: no new surveys go to them.", member.email)
    };
    let done = Answer {
        message,
        to: format!("/members/{id}/edit"),
    };
    lifecycle::switch_active(
        &state,
        &session,
        move |conn, now| members::set_active(conn, id, active, now),
        done,
    )
    .await
}

pub async fn archive(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    id: web::Path<i64>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    set_active(state, session, id.into_inner(), false).await
}

pub async fn restore(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    id: web::Path<i64>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    set_active(state, session, id.into_inner(), true).await
}

pub async fn confirm_delete(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let member = find(&state, id.into_inner()).await?;
    page::confirm(
        &state,
        &session,
        &admin,
        page::Confirm {
            nav: "members",
            heading: "Delete this member?",
            message: format!(
                "{} ({}) will be removed for good.",
                member.name, member.email
            ),
            blockers: Vec::new(),
            button: "Delete the member",
            action_url: format!("/members/{}/delete", member.id),
            cancel_url: format!("/members/{}/edit", member.id),
            fields: Vec::new(),
        },
    )
}

pub async fn delete(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    id: web::Path<i64>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let member = find(&state, id.into_inner()).await?;
    let id = member.id;
    let done = Answer {
        message: format!("Deleted {}.", member.email),
        to: "/members".into(),
    };
    let refused = Answer {
        message: format!(
            "{} took part in surveys; deactivate them instead.",
            member.email
        ),
        to: format!("/members/{id}/edit"),
    };
    lifecycle::delete(
        &state,
        &session,
        move |conn| members::delete(conn, id),
        done,
        refused,
    )
    .await
}
