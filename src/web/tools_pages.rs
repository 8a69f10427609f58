//! Tools: list with infrastructure status, show with consuming teams,
//! create, edit, archive, restore, delete.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::lifecycle::{self, Answer};
use super::page::{self, FieldErrors, FlashKind, NoFields};
use crate::db::accounts::Account;
use crate::db::{adoptions, categories, teams, tools};
use crate::domain::directory::parse_named;
use crate::web::csrf::CsrfForm;
use crate::web::error::AppError;
use crate::web::extract::{AdminAccount, SignedIn};
use crate::web::state::AppState;

#[derive(Deserialize, Serialize, Default)]
pub struct ToolForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    owner: String,
}

/// The tool a page's path names, or 404.
pub(super) async fn find_tool(state: &AppState, slug: String) -> Result<tools::Tool, AppError> {
    state
        .db(move |conn| Ok(tools::find_by_slug(conn, &slug)?))
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Serialize)]
struct Row {
    tool: tools::Tool,
    category: String,
    owner: String,
    users: i64,
    critical_users: i64,
    infrastructure: bool,
}

pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
) -> Result<HttpResponse, AppError> {
    let threshold = state.config.infra_min_teams;
    let rows = state
        .db(move |conn| {
            let counts = adoptions::usage(conn, threshold)?;
            Ok(tools::list(conn)?
                .into_iter()
                .map(|(tool, owner, category)| {
                    let usage = counts.get(&tool.id).copied().unwrap_or_default();
                    Row {
                        category,
                        infrastructure: usage.infrastructure,
                        tool,
                        owner,
                        users: usage.teams,
                        critical_users: usage.critical_teams,
                    }
                })
                .collect::<Vec<_>>())
        })
        .await?;
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("nav", "tools");
    ctx.insert("rows", &rows);
    ctx.insert("threshold", &threshold);
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("tools.html", &ctx)?,
    ))
}

pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let tool = find_tool(&state, slug.into_inner()).await?;
    let (tool_id, owner_id) = (tool.id, tool.owner_team_id);
    let threshold = state.config.infra_min_teams;
    let key = tool.category.clone();
    let (teams_using, owner, usage, category) = state
        .db(move |conn| {
            let owner = teams::find(conn, owner_id)?;
            let category = categories::find(conn, &key)?.map_or(key, |c| c.name);
            let usage = adoptions::usage(conn, threshold)?
                .get(&tool_id)
                .copied()
                .unwrap_or_default();
            Ok((
                adoptions::teams_using(conn, tool_id)?,
                owner,
                usage,
                category,
            ))
        })
        .await?;
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("nav", "tools");
    ctx.insert("tool", &tool);
    ctx.insert("category", &category);
    ctx.insert("owner", &owner);
    ctx.insert("teams_using", &teams_using);
    ctx.insert("critical", &usage.critical_teams);
    ctx.insert("threshold", &threshold);
    ctx.insert("infrastructure", &usage.infrastructure);
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("tool.html", &ctx)?,
    ))
}

async fn render_form(
    state: &AppState,
    session: &Session,
    account: &Account,
    status: StatusCode,
    editing: Option<&tools::Tool>,
    form: &ToolForm,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (teams, categories) = state
        .db(|conn| Ok((teams::list_active(conn)?, categories::list(conn)?)))
        .await?;
    let mut ctx = page::context(session, Some(account))?;
    ctx.insert("nav", "tools");
    ctx.insert("editing", &editing);
    ctx.insert("form", form);
    ctx.insert("errors", errors);
    ctx.insert("teams", &teams);
    ctx.insert("categories", &categories);
    Ok(page::html(
        status,
        state.templates.render("tool_form.html", &ctx)?,
    ))
}

pub async fn new_form(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
) -> Result<HttpResponse, AppError> {
    let form = ToolForm {
        category: "developer_tools".into(),
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
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let tool = find_tool(&state, slug.into_inner()).await?;
    let owner_id = tool.owner_team_id;
    let owner = state
        .db(move |conn| Ok(teams::find(conn, owner_id)?))
        .await?;
    let form = ToolForm {
        name: tool.name.clone(),
        slug: tool.slug.clone(),
        description: tool.description.clone(),
        category: tool.category.clone(),
        owner: owner.map(|t| t.slug).unwrap_or_default(),
    };
    render_form(
        &state,
        &session,
        &admin,
        StatusCode::OK,
        Some(&tool),
        &form,
        &FieldErrors::new(),
    )
    .await
}

async fn save(
    state: &AppState,
    session: &Session,
    admin: &Account,
    editing: Option<tools::Tool>,
    form: ToolForm,
) -> Result<HttpResponse, AppError> {
    let mut errors: FieldErrors = FieldErrors::new();
    let named = parse_named(&form.name, &form.slug, &form.description)
        .map_err(|e| errors.extend(e))
        .ok();
    let (owner_slug, category_key) = (form.owner.clone(), form.category.clone());
    let (owner, category) = state
        .db(move |conn| {
            Ok((
                teams::find_by_slug(conn, &owner_slug)?,
                categories::find(conn, &category_key)?,
            ))
        })
        .await?;
    let owner = owner.filter(|t| t.active);
    let category = category.map(|c| c.key);
    if category.is_none() {
        errors.insert("category", "Choose one of the listed categories.".into());
    }
    if owner.is_none() {
        errors.insert("owner", "Choose the team that owns this tool.".into());
    }
    let (Some(named), Some(category), Some(owner)) = (named, category, owner) else {
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
    let editing_id = editing.as_ref().map(|t| t.id);
    let slug = named.slug.clone();
    let saved = state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                if tools::slug_taken(conn, named.slug.as_str(), editing_id)? {
                    return Ok(false);
                }
                let fields = tools::ToolFields {
                    named: &named,
                    category: &category,
                    owner_team_id: owner.id,
                };
                match editing_id {
                    Some(id) => tools::update(conn, id, &fields, now).map(drop)?,
                    None => tools::insert(conn, &fields, now).map(drop)?,
                }
                Ok(true)
            })
        })
        .await?;
    if !saved {
        let errors = FieldErrors::from([(
            "slug",
            format!("Another tool already has the slug '{slug}'."),
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
        format!("{verb} the tool {}.", form.name.trim()),
    );
    Ok(page::see_other(&format!("/tools/{slug}")))
}

pub async fn create(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    CsrfForm(form): CsrfForm<ToolForm>,
) -> Result<HttpResponse, AppError> {
    save(&state, &session, &admin, None, form).await
}

pub async fn update(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<ToolForm>,
) -> Result<HttpResponse, AppError> {
    let tool = find_tool(&state, slug.into_inner()).await?;
    save(&state, &session, &admin, Some(tool), form).await
}

async fn set_active(
    state: web::Data<AppState>,
    session: Session,
    slug: String,
    active: bool,
) -> Result<HttpResponse, AppError> {
    let tool = find_tool(&state, slug).await?;
    let message = if active {
        format!("Restored the tool {}.", tool.name)
    } else {
        format!("Archived the tool {}. New surveys leave it out.", tool.name)
    };
    let id = tool.id;
    let done = Answer {
        message,
        to: format!("/tools/{}", tool.slug),
    };
    lifecycle::switch_active(
        &state,
        &session,
        move |conn, now| tools::set_active(conn, id, active, now),
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

pub async fn confirm_delete(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let tool = find_tool(&state, slug.into_inner()).await?;
    page::confirm(
        &state,
        &session,
        &admin,
        page::Confirm {
            nav: "tools",
            heading: "Delete this tool?",
            message: format!(
                "The tool {} and the record of which teams use it will be removed for good.",
                tool.name
            ),
            blockers: Vec::new(),
            button: "Delete the tool",
            action_url: format!("/tools/{}/delete", tool.slug),
            cancel_url: format!("/tools/{}", tool.slug),
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
    let tool = find_tool(&state, slug.into_inner()).await?;
    let id = tool.id;
    let done = Answer {
        message: format!("Deleted the tool {}.", tool.name),
        to: "/tools".into(),
    };
    let refused = Answer {
        message: format!(
            "The tool {} is still referred to; archive it instead.",
            tool.name
        ),
        to: format!("/tools/{}", tool.slug),
    };
    lifecycle::delete(
        &state,
        &session,
        move |conn| tools::delete(conn, id),
        done,
        refused,
    )
    .await
}
