//! Cross-site request forgery protection for every state-changing form: a
//! per-session token in a hidden field, checked in constant time, plus the
//! browser's own `Sec-Fetch-Site` and `Origin` headers.
//!
//! Handlers never read a POST body themselves: they take `CsrfForm<T>`, so a
//! form without a valid token cannot reach them.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use crate::config::BaseUrl;
use crate::secret::random_hex;
use crate::web::error::AppError;
use crate::web::state::AppState;

/// The hidden field every form carries.
pub const FIELD: &str = "csrf_token";
const SESSION_KEY: &str = "csrf";

const REJECTED: &str = "This form could not be accepted: it has expired or was sent from \
                        another site. Go back, reload the page and try again.";

/// The session's token, created on first use.
pub fn token(session: &Session) -> Result<String, AppError> {
    if let Ok(Some(token)) = session.get::<String>(SESSION_KEY) {
        return Ok(token);
    }
    let token = random_hex(32);
    session
        .insert(SESSION_KEY, &token)
        .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
    Ok(token)
}

/// Refuses requests a browser marks as coming from another site. Forms that
/// carry their own credential (a respondent's token) need only this.
pub fn check_headers(req: &HttpRequest, base_url: &BaseUrl) -> Result<(), AppError> {
    let header_str = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header_str(header::HeaderName::from_static("sec-fetch-site"))
        && !matches!(site, "same-origin" | "none")
    {
        return Err(AppError::Forbidden(REJECTED.into()));
    }
    // Under `Referrer-Policy: no-referrer` browsers send `Origin: null` with
    // form posts, which says nothing either way: then Sec-Fetch-Site and the
    // token decide.
    if let Some(origin) = header_str(header::ORIGIN).filter(|o| *o != "null") {
        let info = req.connection_info();
        let own = format!("{}://{}", info.scheme(), info.host());
        if !origin.eq_ignore_ascii_case(base_url.origin()) && !origin.eq_ignore_ascii_case(&own) {
            return Err(AppError::Forbidden(REJECTED.into()));
        }
    }
    Ok(())
}

fn check_token(session: &Session, submitted: Option<&str>) -> Result<(), AppError> {
    let expected = session.get::<String>(SESSION_KEY).ok().flatten();
    match (expected, submitted) {
        (Some(expected), Some(submitted))
            if bool::from(expected.as_bytes().ct_eq(submitted.as_bytes())) =>
        {
            Ok(())
        }
        _ => Err(AppError::Forbidden(REJECTED.into())),
    }
}

/// Checks a submitted token and the request's origin headers. `CsrfForm`
/// calls this for URL-encoded forms; handlers of multipart uploads call it
/// with the token field of their form.
pub fn verify(req: &HttpRequest, submitted: Option<&str>) -> Result<(), AppError> {
    let state = AppState::of(req)?;
    check_headers(req, &state.config.base_url)?;
    check_token(&req.get_session(), submitted)
}

/// The sign-in form cannot use the session's token: it has no session yet,
/// and making one for every visitor of `/login` would fill the sessions
/// table for anyone who asks. Its token travels in a cookie signed with a
/// key of its own instead ("double submit"): the form must echo the value,
/// and only this server can sign one.
pub struct LoginToken {
    key: actix_web::cookie::Key,
    cookie_name: &'static str,
    secure: bool,
}

impl LoginToken {
    pub fn new(secret: &crate::secret::Secret<String>, base_url: &BaseUrl) -> Self {
        let secure = base_url.is_https();
        LoginToken {
            key: actix_web::cookie::Key::derive_from(
                format!("infrapulse-login:{}", secret.expose()).as_bytes(),
            ),
            // `__Host-` cookies cannot be planted by a sibling subdomain.
            cookie_name: if secure {
                "__Host-infrapulse_login"
            } else {
                "infrapulse_login"
            },
            secure,
        }
    }

    /// The token the request's cookie carries, when it is ours; otherwise a
    /// new one with the cookie to set.
    pub fn issue(&self, req: &HttpRequest) -> (String, Option<actix_web::cookie::Cookie<'static>>) {
        if let Some(token) = self.verified(req) {
            return (token, None);
        }
        use actix_web::cookie::{Cookie, CookieJar, SameSite};
        let token = random_hex(32);
        let mut jar = CookieJar::new();
        jar.signed_mut(&self.key).add(
            Cookie::build(self.cookie_name, token.clone())
                .path("/")
                .http_only(true)
                .secure(self.secure)
                .same_site(SameSite::Strict)
                .finish(),
        );
        let cookie = jar.get(self.cookie_name).cloned();
        (token, cookie)
    }

    fn verified(&self, req: &HttpRequest) -> Option<String> {
        let mut jar = actix_web::cookie::CookieJar::new();
        jar.add_original(req.cookie(self.cookie_name)?);
        jar.signed(&self.key)
            .get(self.cookie_name)
            .map(|c| c.value().to_owned())
    }

    /// Checks a sign-in form's token against its cookie, and its origin.
    pub fn check(&self, req: &HttpRequest, submitted: Option<&str>) -> Result<(), AppError> {
        let state = AppState::of(req)?;
        check_headers(req, &state.config.base_url)?;
        match (self.verified(req), submitted) {
            (Some(expected), Some(submitted))
                if bool::from(expected.as_bytes().ct_eq(submitted.as_bytes())) =>
            {
                Ok(())
            }
            _ => Err(AppError::Forbidden(REJECTED.into())),
        }
    }
}

/// A URL-encoded form whose CSRF token and origin have been checked.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = super::form::read_limited(payload.take(), super::form::BODY_LIMIT);
        Box::pin(async move {
            let body = body.await?;
            super::form::require_urlencoded(&req)?;
            let pairs = super::form::pairs(&body)?;
            let submitted = pairs
                .iter()
                .find(|(k, _)| k == FIELD)
                .map(|(_, v)| v.as_str());
            verify(&req, submitted)?;
            let form = serde_urlencoded::from_bytes(&body)
                .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}.")))?;
            Ok(CsrfForm(form))
        })
    }
}
