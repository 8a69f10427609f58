//! What every page shares: the signed-in account, the CSRF token for its
//! forms, and flash messages left by the previous request.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use serde::{Deserialize, Serialize};
use tera::Context;

use crate::db::accounts::Account;
use crate::domain::account::Role;
use crate::web::csrf;
use crate::web::error::AppError;

/// The body of a form that carries nothing but its CSRF token.
#[derive(Deserialize)]
pub struct NoFields {}

const FLASH_KEY: &str = "flash";

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlashKind {
    Success,
    Error,
}

#[derive(Debug, Serialize, Deserialize)]
struct Flash {
    kind: FlashKind,
    message: String,
}

/// Leaves a message for the next page this session renders.
pub fn flash(session: &Session, kind: FlashKind, message: impl Into<String>) {
    let mut flashes: Vec<Flash> = session.get(FLASH_KEY).ok().flatten().unwrap_or_default();
    flashes.push(Flash {
        kind,
        message: message.into(),
    });
    // A session that cannot be written only loses the message.
    let _ = session.insert(FLASH_KEY, flashes);
}

#[derive(Serialize)]
struct AccountView<'a> {
    name: &'a str,
    email: &'a str,
    role: Role,
    is_admin: bool,
}

/// What the layout needs on every page, those without a session included
/// (respondents' pages, error pages).
pub fn public_context() -> Context {
    let mut ctx = Context::new();
    ctx.insert("version", env!("CARGO_PKG_VERSION"));
    ctx
}

/// The context every page of a signed-in or signing-in browser starts from.
pub fn context(session: &Session, account: Option<&Account>) -> Result<Context, AppError> {
    let mut ctx = public_context();
    ctx.insert("csrf_field", csrf::FIELD);
    ctx.insert("csrf_token", &csrf::token(session)?);
    let flashes: Vec<Flash> = session
        .remove_as(FLASH_KEY)
        .and_then(Result::ok)
        .unwrap_or_default();
    ctx.insert("flashes", &flashes);
    if let Some(a) = account {
        ctx.insert(
            "account",
            &AccountView {
                name: &a.name,
                email: &a.email,
                role: a.role(),
                is_admin: a.role() == Role::Admin,
            },
        );
    }
    Ok(ctx)
}

/// A rendered page. Pages can hold personal data: never cache them.
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// After a successful form post: the browser loads `location` with GET.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A confirmation step before something irreversible. With blockers, it
/// explains why the thing cannot go instead of offering the button.
pub struct Confirm {
    pub nav: &'static str,
    pub heading: &'static str,
    pub message: String,
    pub blockers: Vec<String>,
    pub button: &'static str,
    pub action_url: String,
    pub cancel_url: String,
    /// Hidden fields the confirming form posts besides its CSRF token.
    pub fields: Vec<(&'static str, &'static str)>,
}

pub fn confirm(
    state: &crate::web::state::AppState,
    session: &Session,
    account: &Account,
    c: Confirm,
) -> Result<HttpResponse, AppError> {
    let mut ctx = context(session, Some(account))?;
    ctx.insert("nav", c.nav);
    ctx.insert("heading", c.heading);
    ctx.insert("message", &c.message);
    ctx.insert("blockers", &c.blockers);
    ctx.insert("button", c.button);
    ctx.insert("action_url", &c.action_url);
    ctx.insert("cancel_url", &c.cancel_url);
    ctx.insert("fields", &c.fields);
    Ok(html(
        StatusCode::OK,
        state.templates.render("confirm.html", &ctx)?,
    ))
}

pub use crate::domain::FieldErrors;

/// A local path to return to after signing in; anything else becomes `/`,
/// so the login page cannot be used to send people to another site.
pub fn safe_return_path(next: Option<&str>) -> &str {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && !p.chars().any(|c| c.is_control()) =>
        {
            p
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(safe_return_path(Some("/tools?x=1")), "/tools?x=1");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "",
            "/a\nb",
        ] {
            assert_eq!(safe_return_path(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_return_path(None), "/");
    }
}
