//! Teams: list, show, create, edit, archive, restore, delete.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::lifecycle::{self, Answer};
use super::page::{self, FieldErrors, FlashKind, NoFields};
use crate::db::accounts::Account;
use crate::db::members::MemberFilter;
use crate::db::{adoptions, members, teams, tools};
use crate::domain::directory::parse_named;
use crate::web::csrf::CsrfForm;
use crate::web::error::AppError;
use crate::web::extract::{AdminAccount, SignedIn};
use crate::web::state::AppState;

#[derive(Deserialize, Serialize, Default)]
pub struct TeamForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    description: String,
}

async fn find(state: &AppState, slug: String) -> Result<teams::Team, AppError> {
    state
        .db(move |conn| Ok(teams::find_by_slug(conn, &slug)?))
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
        team: teams::Team,
        members: i64,
    }
    let rows = state
        .db(|conn| {
            let counts: std::collections::HashMap<i64, i64> =
                teams::member_counts(conn)?.into_iter().collect();
            Ok(teams::list(conn)?
                .into_iter()
                .map(|team| Row {
                    members: counts.get(&team.id).copied().unwrap_or(0),
                    team,
                })
                .collect::<Vec<_>>())
        })
        .await?;
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("nav", "teams");
    ctx.insert("rows", &rows);
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("teams.html", &ctx)?,
    ))
}

pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let team = find(&state, slug.into_inner()).await?;
    let team_id = team.id;
    let (members, member_count, used, owned) = state
        .db(move |conn| {
            let filter = MemberFilter {
                team_id: Some(team_id),
                ..Default::default()
            };
            Ok((
                members::page(conn, &filter, 200, 0)?,
                members::count(conn, &filter)?,
                adoptions::tools_used_by(conn, team_id)?,
                tools::owned_by(conn, team_id)?,
            ))
        })
        .await?;
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("nav", "teams");
    ctx.insert("team", &team);
    ctx.insert(
        "members",
        &members.into_iter().map(|(m, _)| m).collect::<Vec<_>>(),
    );
    ctx.insert("member_count", &member_count);
    ctx.insert("used", &used);
    ctx.insert("owned", &owned);
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("team.html", &ctx)?,
    ))
}

fn render_form(
    state: &AppState,
    session: &Session,
    account: &Account,
    status: StatusCode,
    editing: Option<&teams::Team>,
    form: &TeamForm,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut ctx = page::context(session, Some(account))?;
    ctx.insert("nav", "teams");
    ctx.insert("editing", &editing);
    ctx.insert("form", form);
    ctx.insert("errors", errors);
    Ok(page::html(
        status,
        state.templates.render("team_form.html", &ctx)?,
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
        &TeamForm::default(),
        &FieldErrors::new(),
    )
}

pub async fn edit_form(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let team = find(&state, slug.into_inner()).await?;
    let form = TeamForm {
        name: team.name.clone(),
        slug: team.slug.clone(),
        description: team.description.clone(),
    };
    render_form(
        &state,
        &session,
        &admin,
        StatusCode::OK,
        Some(&team),
        &form,
        &FieldErrors::new(),
    )
}

/// Creates (`editing` None) or updates a team from the form.
async fn save(
    state: &AppState,
    session: &Session,
    admin: &Account,
    editing: Option<teams::Team>,
    form: TeamForm,
) -> Result<HttpResponse, AppError> {
    let named = match parse_named(&form.name, &form.slug, &form.description) {
        Ok(named) => named,
        Err(errors) => {
            let errors = errors.into_iter().collect();
            return render_form(
                state,
                session,
                admin,
                StatusCode::UNPROCESSABLE_ENTITY,
                editing.as_ref(),
                &form,
                &errors,
            );
        }
    };
    let now = state.clock.now();
    let editing_id = editing.as_ref().map(|t| t.id);
    let slug = named.slug.clone();
    let saved = state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                if teams::slug_taken(conn, named.slug.as_str(), editing_id)? {
                    return Ok(false);
                }
                match editing_id {
                    Some(id) => teams::update(conn, id, &named, now).map(drop)?,
                    None => teams::insert(conn, &named, now).map(drop)?,
                }
                Ok(true)
            })
        })
        .await?;
    if !saved {
        let errors = FieldErrors::from([(
            "slug",
            format!("Another team already has the slug '{slug}'."),
        )]);
        return render_form(
            state,
            session,
            admin,
            StatusCode::UNPROCESSABLE_ENTITY,
            editing.as_ref(),
            &form,
            &errors,
        );
    }
    let verb = if editing.is_some() {
        "Saved"
    } else {
        "Created"
    };
    page::flash(
        session,
        FlashKind::Success,
        format!("{verb} the team {}.", form.name.trim()),
    );
    Ok(page::see_other(&format!("/teams/{slug}")))
}

pub async fn create(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    CsrfForm(form): CsrfForm<TeamForm>,
) -> Result<HttpResponse, AppError> {
    save(&state, &session, &admin, None, form).await
}

pub async fn update(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<TeamForm>,
) -> Result<HttpResponse, AppError> {
    let team = find(&state, slug.into_inner()).await?;
    save(&state, &session, &admin, Some(team), form).await
}

async fn set_active(
    state: web::Data<AppState>,
    session: Session,
    slug: String,
    active: bool,
) -> Result<HttpResponse, AppError> {
    let team = find(&state, slug).await?;
    let message = if active {
        format!("Restored the team {}.", team.name)
    } else {
        format!(
            "Archived the team {}. Its members get no new surveys.",
            team.name
        )
    };
    let id = team.id;
    let done = Answer {
        message,
        to: format!("/teams/{}", team.slug),
    };
    lifecycle::switch_active(
        &state,
        &session,
        move |conn, now| teams::set_active(conn, id, active, now),
        done,
    )
    .await
}

pub async fn archive(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    slug: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    set_active(state, session, slug.into_inner(), false).await
}

pub async fn restore(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    slug: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    set_active(state, session, slug.into_inner(), true).await
}

async fn blockers(state: &AppState, team_id: i64) -> Result<Vec<String>, AppError> {
    let (members, tools) = state
        .db(move |conn| Ok(teams::references(conn, team_id)?))
        .await?;
    let mut blockers = Vec::new();
    if members > 0 {
        blockers.push(format!("{members} members belong to it."));
    }
    if tools > 0 {
        blockers.push(format!("It owns {tools} tools."));
    }
    Ok(blockers)
}

pub async fn confirm_delete(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let team = find(&state, slug.into_inner()).await?;
    page::confirm(
        &state,
        &session,
        &admin,
        page::Confirm {
            nav: "teams",
            heading: "Delete this team?",
            message: format!(
                "The team {} and which tools it uses will be removed for good.",
                team.name
            ),
            blockers: blockers(&state, team.id).await?,
            button: "Delete the team",
            action_url: format!("/teams/{}/delete", team.slug),
            cancel_url: format!("/teams/{}", team.slug),
            fields: Vec::new(),
        },
    )
}

pub async fn delete(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    slug: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let team = find(&state, slug.into_inner()).await?;
    let id = team.id;
    let done = Answer {
        message: format!("Deleted the team {}.", team.name),
        to: "/teams".into(),
    };
    let refused = Answer {
        message: format!(
            "The team {} is still referred to; archive it instead.",
            team.name
        ),
        to: format!("/teams/{}", team.slug),
    };
    lifecycle::delete(
        &state,
        &session,
        move |conn| teams::delete(conn, id),
        done,
        refused,
    )
    .await
}
