//! Sign in and sign out.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::page::{self, NoFields};
use crate::auth::password;
use crate::auth::throttle::describe_wait;
use crate::db::accounts;
use crate::domain::account::EmailAddress;
use crate::web::csrf::{self, CsrfForm};
use crate::web::error::AppError;
use crate::web::session_store::ACCOUNT_ID;
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    signed_out: Option<String>,
}

struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// One message for an unknown email and a wrong password alike.
const BAD_CREDENTIALS: &str = "That email and password do not match an account.";

/// How long a sign-in waits for a free password check before it is told the
/// service is busy.
const CHECK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

struct LoginPage<'a> {
    status: StatusCode,
    email: &'a str,
    next: &'a str,
    error: Option<&'a str>,
    notice: Option<&'a str>,
}

/// The sign-in page. It creates no session: its CSRF token lives in a
/// signed cookie (`LoginToken`).
fn render_form(
    state: &AppState,
    req: &HttpRequest,
    page: LoginPage,
) -> Result<HttpResponse, AppError> {
    let (token, cookie) = state.login_token.issue(req);
    let mut ctx = page::public_context();
    ctx.insert("csrf_field", csrf::FIELD);
    ctx.insert("csrf_token", &token);
    ctx.insert("email", page.email);
    ctx.insert("next", page.next);
    ctx.insert("error", &page.error);
    ctx.insert("notice", &page.notice);
    let mut res = page::html(page.status, state.templates.render("login.html", &ctx)?);
    if let Some(cookie) = cookie {
        res.add_cookie(&cookie)
            .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
    }
    Ok(res)
}

pub async fn login_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let next = page::safe_return_path(query.next.as_deref());
    if session.get::<i64>(ACCOUNT_ID).ok().flatten().is_some() {
        return Ok(page::see_other(next));
    }
    render_form(
        &state,
        &req,
        LoginPage {
            status: StatusCode::OK,
            email: "",
            next,
            error: None,
            notice: query.signed_out.is_some().then_some("You have signed out."),
        },
    )
}

pub async fn login(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    super::form::FormBody(body): super::form::FormBody,
) -> Result<HttpResponse, AppError> {
    let form = read_login_form(&state, &req, &body)?;
    let next = page::safe_return_path(form.next.as_deref()).to_owned();
    let typed_email = form
        .email
        .chars()
        .take(EmailAddress::MAX_LEN)
        .collect::<String>();
    let refuse = |status, email: &str, error: &str| {
        render_form(
            &state,
            &req,
            LoginPage {
                status,
                email,
                next: &next,
                error: Some(error),
                notice: None,
            },
        )
    };
    let (email, password) = match EmailAddress::parse(&form.email) {
        Ok(email) if !form.password.is_empty() && form.password.len() <= 1024 => {
            (email, form.password)
        }
        _ => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                &typed_email,
                "Enter the email address and password of your account.",
            );
        }
    };

    // The attempt counts before any hashing, in one statement per bucket:
    // however many arrive at once, at most the limit reach the hash.
    let address = state.client_address(&req);
    let now = state.clock.now();
    let throttle = state.throttle;
    let (wait, account) = {
        let (email, address) = (email.as_str().to_owned(), address.clone());
        state
            .db(move |conn| {
                let wait = throttle.reserve(conn, &email, &address, now)?;
                let account = match wait {
                    Some(_) => None,
                    None => accounts::find_by_email(conn, &email)?,
                };
                Ok((wait, account))
            })
            .await?
    };
    if let Some(wait) = wait {
        let message = format!(
            "Too many sign-in attempts. Try again in {}.",
            describe_wait(wait)
        );
        let mut res = refuse(StatusCode::TOO_MANY_REQUESTS, email.as_str(), &message)?;
        res.headers_mut()
            .insert(header::RETRY_AFTER, wait.num_seconds().into());
        return Ok(res);
    }

    let verified = check_password(&state, password, account).await?;
    let Some(account) = verified else {
        tracing::info!("sign-in refused");
        return refuse(StatusCode::UNAUTHORIZED, email.as_str(), BAD_CREDENTIALS);
    };

    let account_email = account.email.clone();
    state
        .db(move |conn| Ok(throttle.succeeded(conn, &account_email, &address)?))
        .await?;
    // A new session id at sign-in, so one planted before it is worthless.
    session.renew();
    session.clear();
    session
        .insert(ACCOUNT_ID, account.id)
        .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
    tracing::info!(account_id = account.id, "signed in");
    Ok(page::see_other(&next))
}

fn read_login_form(
    state: &AppState,
    req: &HttpRequest,
    body: &[u8],
) -> Result<LoginForm, AppError> {
    super::form::require_urlencoded(req)?;
    let pairs = super::form::pairs(body)?;
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    state
        .login_token
        .check(req, field(csrf::FIELD).as_deref())?;
    Ok(LoginForm {
        email: field("email").unwrap_or_default(),
        password: field("password").unwrap_or_default(),
        next: field("next"),
    })
}

/// Checks the password (or spends the same time on a dummy, for unknown
/// accounts) on the blocking pool, at most as many at once as the machine
/// has cores; a sign-in that cannot get a turn in `CHECK_WAIT` is answered
/// 503 rather than queued without end.
async fn check_password(
    state: &AppState,
    password: String,
    account: Option<accounts::Account>,
) -> Result<Option<accounts::Account>, AppError> {
    let permit = tokio::time::timeout(CHECK_WAIT, state.password_checks.acquire())
        .await
        .map_err(|_| AppError::Unavailable(anyhow::anyhow!("every password check is busy")))?
        .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
    state.metrics.observe_password_check();
    let verified = tokio::task::spawn_blocking(move || match account {
        Some(account) if password::verify(&password, &account.password_hash) => Some(account),
        Some(_) => None,
        None => {
            password::verify_nothing(&password);
            None
        }
    })
    .await?;
    drop(permit);
    Ok(verified)
}

pub async fn logout(session: Session, _form: CsrfForm<NoFields>) -> HttpResponse {
    // Deletes the session row: the cookie is worthless even if kept.
    session.purge();
    page::see_other("/login?signed_out=1")
}
