//! One error type for everything a request can fail with. Each variant has one
//! status; what users see is `public_message`, what logs see is the cause chain.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    /// Not signed in: the browser is sent to the login page, then back to `next`.
    #[error("sign-in required")]
    LoginRequired { next: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(e.into())
    }

    /// Text safe to show anyone: never a cause, a query or a secret.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Unavailable(_) => {
                "The service is busy or its database cannot be reached. Try again in a minute."
                    .into()
            }
            AppError::Internal(_) => {
                "Something went wrong on our side. It has been logged; try again later.".into()
            }
            AppError::NotFound => default_message(StatusCode::NOT_FOUND).into(),
            other => other.to_string(),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    // The plain body is replaced by the HTML error page (web::error_pages);
    // it stays for clients that are not browsers and for the logs.
    fn error_response(&self) -> HttpResponse {
        if let AppError::LoginRequired { next } = self {
            let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, format!("/login?{query}")))
                .finish();
        }
        HttpResponse::build(self.status_code())
            .content_type("text/plain; charset=utf-8")
            .body(self.public_message())
    }
}

/// What to tell a user for a status when no handler said anything better.
pub fn default_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "The request could not be understood. Check the form and try again.",
        401 => "You need to sign in to see this page.",
        403 => "You are not allowed to do that.",
        404 => "There is nothing here. The link may be mistyped or no longer valid.",
        405 => "That action is not available here.",
        410 => "This is no longer available.",
        413 => "What you sent is too large.",
        422 => "Some of what you entered needs another look.",
        429 => "Too many attempts. Wait a few minutes and try again.",
        503 => "The service is busy. Try again in a minute.",
        s if s >= 500 => "Something went wrong on our side. It has been logged; try again later.",
        _ => "The request could not be completed.",
    }
}

/// What a form says when a unique constraint refused its write.
const TAKEN: &str = "Someone saved the same name, slug or email a moment ago, so nothing was \
                     changed. Go back, reload the form and choose another.";

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        crate::db::space::note(&e);
        if crate::db::is_unavailable(&e) {
            AppError::Unavailable(e.into())
        } else if crate::db::is_unique_violation(&e) {
            AppError::Unprocessable(TAKEN.into())
        } else {
            AppError::Internal(e.into())
        }
    }
}

/// For work that fails with `anyhow`: a database out of reach is still a
/// 503, anything else a 500.
impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        let mut unique = false;
        for d in e
            .chain()
            .filter_map(|c| c.downcast_ref::<diesel::result::Error>())
        {
            crate::db::space::note(d);
            unique |= crate::db::is_unique_violation(d);
        }
        if crate::db::is_unavailable_cause(&e) {
            AppError::Unavailable(e)
        } else if unique {
            AppError::Unprocessable(TAKEN.into())
        } else {
            AppError::Internal(e)
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(e.into())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl From<tera::Error> for AppError {
    fn from(e: tera::Error) -> Self {
        AppError::Internal(e.into())
    }
}
