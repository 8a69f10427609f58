//! Sign in and sign out.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::page::{self, FlashKind, NoFields};
use crate::auth::password;
use crate::auth::throttle::describe_wait;
use crate::db::accounts;
use crate::domain::account::EmailAddress;
use crate::web::csrf::CsrfForm;
use crate::web::error::AppError;
use crate::web::session_store::ACCOUNT_ID;
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    signed_out: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// One message for an unknown email and a wrong password alike.
const BAD_CREDENTIALS: &str = "That email and password do not match an account.";

fn render_form(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    email: &str,
    next: &str,
    error: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let mut ctx = page::context(session, None)?;
    ctx.insert("email", email);
    ctx.insert("next", next);
    ctx.insert("error", &error);
    Ok(page::html(
        status,
        state.templates.render("login.html", &ctx)?,
    ))
}

pub async fn login_form(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let next = page::safe_return_path(query.next.as_deref());
    if session.get::<i64>(ACCOUNT_ID).ok().flatten().is_some() {
        return Ok(page::see_other(next));
    }
    if query.signed_out.is_some() {
        page::flash(&session, FlashKind::Success, "You have signed out.");
    }
    render_form(&state, &session, StatusCode::OK, "", next, None)
}

pub async fn login(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    form: CsrfForm<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let CsrfForm(form) = form;
    let next = page::safe_return_path(form.next.as_deref()).to_owned();
    let typed_email = form
        .email
        .chars()
        .take(EmailAddress::MAX_LEN)
        .collect::<String>();
    let (email, password) = match EmailAddress::parse(&form.email) {
        Ok(email) if !form.password.is_empty() && form.password.len() <= 1024 => {
            (email, form.password)
        }
        _ => {
            return render_form(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                &typed_email,
                &next,
                Some("Enter the email address and password of your account."),
            );
        }
    };

    let address = state.client_address(&req);
    let now = state.clock.now();
    let throttle = state.throttle;
    let (wait, account) = {
        let (email, address) = (email.as_str().to_owned(), address.clone());
        state
            .db(move |conn| {
                let wait = throttle.retry_after(conn, &email, &address, now)?;
                let account = accounts::find_by_email(conn, &email)?;
                Ok((wait, account))
            })
            .await?
    };
    if let Some(wait) = wait {
        let message = format!(
            "Too many failed sign-ins. Try again in {}.",
            describe_wait(wait)
        );
        let mut res = render_form(
            &state,
            &session,
            StatusCode::TOO_MANY_REQUESTS,
            email.as_str(),
            &next,
            Some(&message),
        )?;
        res.headers_mut()
            .insert(header::RETRY_AFTER, wait.num_seconds().into());
        return Ok(res);
    }

    let verified = web::block(move || match account {
        Some(account) if password::verify(&password, &account.password_hash) => Some(account),
        Some(_) => None,
        None => {
            password::verify_nothing(&password);
            None
        }
    })
    .await?;

    let Some(account) = verified else {
        let bucket_email = email.as_str().to_owned();
        state
            .db(move |conn| Ok(throttle.record_failure(conn, &bucket_email, &address, now)?))
            .await?;
        tracing::info!("sign-in refused");
        return render_form(
            &state,
            &session,
            StatusCode::UNAUTHORIZED,
            email.as_str(),
            &next,
            Some(BAD_CREDENTIALS),
        );
    };

    let account_email = account.email.clone();
    state
        .db(move |conn| Ok(throttle.record_success(conn, &account_email)?))
        .await?;
    // A new session id at sign-in, so one planted before it is worthless;
    // the old CSRF token goes with it.
    session.renew();
    session.clear();
    session
        .insert(ACCOUNT_ID, account.id)
        .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
    tracing::info!(account_id = account.id, "signed in");
    Ok(page::see_other(&next))
}

pub async fn logout(session: Session, _form: CsrfForm<NoFields>) -> HttpResponse {
    // Deletes the session row: the cookie is worthless even if kept.
    session.purge();
    page::see_other("/login?signed_out=1")
}
