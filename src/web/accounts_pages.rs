//! Accounts: everyone signed in sees who has access; admins add and remove.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::page::{self, FlashKind, NoFields};
use crate::auth::accounts as account_service;
use crate::db::accounts::{self, Account};
use crate::domain::account::{EmailAddress, NewPassword, PersonName, Role};
use crate::web::csrf::CsrfForm;
use crate::web::error::AppError;
use crate::web::extract::{AdminAccount, SignedIn};
use crate::web::state::AppState;

#[derive(Serialize)]
struct Row {
    id: i64,
    name: String,
    email: String,
    role: Role,
    created: String,
}

#[derive(Deserialize, Serialize, Default)]
pub struct NewAccountForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default, skip_serializing)]
    password: String,
}

async fn render_list(
    state: &AppState,
    session: &Session,
    account: &Account,
    status: StatusCode,
    form: &NewAccountForm,
    errors: &BTreeMap<&str, String>,
) -> Result<HttpResponse, AppError> {
    let list = state.db(|conn| Ok(accounts::list(conn)?)).await?;
    let rows: Vec<Row> = list
        .into_iter()
        .map(|a| Row {
            id: a.id,
            role: a.role(),
            created: a.created_at.format("%Y-%m-%d").to_string(),
            name: a.name,
            email: a.email,
        })
        .collect();
    let mut ctx = page::context(session, Some(account))?;
    ctx.insert("nav", "accounts");
    ctx.insert("rows", &rows);
    ctx.insert("form", form);
    ctx.insert("errors", errors);
    ctx.insert("min_password", &NewPassword::MIN_CHARS);
    Ok(page::html(
        status,
        state.templates.render("accounts.html", &ctx)?,
    ))
}

pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
) -> Result<HttpResponse, AppError> {
    let form = NewAccountForm {
        role: "viewer".into(),
        ..Default::default()
    };
    render_list(
        &state,
        &session,
        &account,
        StatusCode::OK,
        &form,
        &BTreeMap::new(),
    )
    .await
}

pub async fn create(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    CsrfForm(form): CsrfForm<NewAccountForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = BTreeMap::new();
    let email = EmailAddress::parse(&form.email)
        .map_err(|e| errors.insert("email", format!("The email {e}.")))
        .ok();
    let name = PersonName::parse(&form.name)
        .map_err(|e| errors.insert("name", format!("The name {e}.")))
        .ok();
    let role = form
        .role
        .parse::<Role>()
        .map_err(|e| errors.insert("role", format!("The role {e}.")))
        .ok();
    let password = NewPassword::parse(form.password.clone())
        .map_err(|e| errors.insert("password", format!("The password {e}.")))
        .ok();
    let (Some(email), Some(name), Some(role), Some(password)) = (email, name, role, password)
    else {
        return render_list(
            &state,
            &session,
            &admin,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form,
            &errors,
        )
        .await;
    };
    let now = state.clock.now();
    let result = {
        let (email, name) = (email.clone(), name.clone());
        state
            .db(move |conn| {
                match account_service::create(conn, &email, &name, role, &password, now) {
                    Ok(account) => Ok(Some(account)),
                    Err(account_service::CreateError::Taken(_)) => Ok(None),
                    Err(account_service::CreateError::Other(e)) => Err(AppError::from(e)),
                }
            })
            .await?
    };
    if result.is_none() {
        errors.insert("email", "An account with this email already exists.".into());
        return render_list(
            &state,
            &session,
            &admin,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form,
            &errors,
        )
        .await;
    }
    tracing::info!(by = admin.id, role = role.as_str(), "account created");
    page::flash(
        &session,
        FlashKind::Success,
        format!(
            "Created the {} account for {}.",
            role.as_str(),
            name.as_str()
        ),
    );
    Ok(page::see_other("/accounts"))
}

pub async fn confirm_delete(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let target = state
        .db(move |conn| Ok(accounts::find(conn, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    page::confirm(
        &state,
        &session,
        &admin,
        page::Confirm {
            nav: "accounts",
            heading: "Delete this account?",
            message: format!(
                "{} ({}) will no longer be able to sign in, and is signed out now.",
                target.name, target.email
            ),
            blockers: Vec::new(),
            button: "Delete the account",
            action_url: format!("/accounts/{}/delete", target.id),
            cancel_url: "/accounts".into(),
            fields: Vec::new(),
        },
    )
}

pub async fn delete(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    path: web::Path<i64>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let admin_id = admin.id;
    let outcome = state
        .db(move |conn| account_service::delete(conn, admin_id, id).map_err(AppError::Internal))
        .await?;
    match outcome {
        Ok(deleted) => {
            tracing::info!(by = admin.id, account_id = deleted.id, "account deleted");
            page::flash(
                &session,
                FlashKind::Success,
                format!("Deleted the account of {}.", deleted.name),
            );
        }
        Err(refused) => page::flash(&session, FlashKind::Error, refused.to_string()),
    }
    Ok(page::see_other("/accounts"))
}
