//! Tool categories: admins add, rename and delete them; a category that a
//! tool uses cannot be deleted (the foreign key refuses).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::lifecycle::{self, Answer};
use super::page::{self, FlashKind, NoFields};
use crate::db::categories::{self, Category};
use crate::domain::directory::{Slug, parse_category_name};
use crate::web::csrf::CsrfForm;
use crate::web::error::AppError;
use crate::web::extract::{AdminAccount, SignedIn};
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

async fn find(state: &AppState, key: String) -> Result<Category, AppError> {
    state
        .db(move |conn| Ok(categories::find(conn, &key)?))
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
        category: Category,
        tools: i64,
    }
    let rows = state
        .db(|conn| {
            let counts: std::collections::HashMap<String, i64> =
                categories::tool_counts(conn)?.into_iter().collect();
            Ok(categories::list(conn)?
                .into_iter()
                .map(|c| Row {
                    tools: counts.get(&c.key).copied().unwrap_or(0),
                    category: c,
                })
                .collect::<Vec<_>>())
        })
        .await?;
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("nav", "tools");
    ctx.insert("rows", &rows);
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("categories.html", &ctx)?,
    ))
}

/// Flashes what went wrong and goes back to the list.
fn refuse(session: &Session, message: String) -> HttpResponse {
    page::flash(session, FlashKind::Error, message);
    page::see_other("/categories")
}

pub async fn create(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    CsrfForm(form): CsrfForm<NameForm>,
) -> Result<HttpResponse, AppError> {
    let name = match parse_category_name(&form.name) {
        Ok(name) => name,
        Err(e) => return Ok(refuse(&session, format!("The category was not added: {e}"))),
    };
    // Keys are made from the name once and never change, so renaming a
    // category leaves every tool in it.
    let key = Slug::from_name(&name)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let (now, n, k) = (state.clock.now(), name.clone(), key.clone());
    let added = state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                if categories::name_taken(conn, &n, None)? || categories::find(conn, &k)?.is_some()
                {
                    return Ok(false);
                }
                categories::insert(conn, &k, &n, now)?;
                Ok(true)
            })
        })
        .await?;
    if !added {
        return Ok(refuse(
            &session,
            format!("There is already a category named like '{name}'."),
        ));
    }
    page::flash(
        &session,
        FlashKind::Success,
        format!("Added the category {name}."),
    );
    Ok(page::see_other("/categories"))
}

pub async fn rename(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    key: web::Path<String>,
    CsrfForm(form): CsrfForm<NameForm>,
) -> Result<HttpResponse, AppError> {
    let category = find(&state, key.into_inner()).await?;
    let name = match parse_category_name(&form.name) {
        Ok(name) => name,
        Err(e) => {
            return Ok(refuse(
                &session,
                format!("{} was not renamed: {e}", category.name),
            ));
        }
    };
    let (key, n) = (category.key.clone(), name.clone());
    let renamed = state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                if categories::name_taken(conn, &n, Some(&key))? {
                    return Ok(false);
                }
                categories::rename(conn, &key, &n)?;
                Ok(true)
            })
        })
        .await?;
    if !renamed {
        return Ok(refuse(
            &session,
            format!("Another category is already named '{name}'."),
        ));
    }
    page::flash(
        &session,
        FlashKind::Success,
        format!("Renamed {} to {name}.", category.name),
    );
    Ok(page::see_other("/categories"))
}

pub async fn confirm_delete(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let category = find(&state, key.into_inner()).await?;
    let k = category.key.clone();
    let used = state
        .db(move |conn| {
            Ok(categories::tool_counts(conn)?
                .into_iter()
                .find(|(key, _)| *key == k)
                .map_or(0, |(_, n)| n))
        })
        .await?;
    let blockers = if used > 0 {
        vec![format!(
            "{used} tool{} in this category: move {} to another category first.",
            if used == 1 { " is" } else { "s are" },
            if used == 1 { "it" } else { "them" }
        )]
    } else {
        Vec::new()
    };
    page::confirm(
        &state,
        &session,
        &admin,
        page::Confirm {
            nav: "tools",
            heading: "Delete this category?",
            message: format!("The category {} will be removed.", category.name),
            blockers,
            button: "Delete the category",
            action_url: format!("/categories/{}/delete", category.key),
            cancel_url: "/categories".into(),
            fields: Vec::new(),
        },
    )
}

pub async fn delete(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    key: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let category = find(&state, key.into_inner()).await?;
    let key = category.key.clone();
    lifecycle::delete(
        &state,
        &session,
        move |conn| categories::delete(conn, &key),
        Answer {
            message: format!("Deleted the category {}.", category.name),
            to: "/categories".into(),
        },
        Answer {
            message: format!(
                "{} is still used by a tool: move its tools to another category first.",
                category.name
            ),
            to: "/categories".into(),
        },
    )
    .await
}
