//! Turns every error a request ends in (ours, or actix's own: a body too
//! large, a route that does not exist) into a page in the site's layout, and
//! logs the cause of server errors. Responses a handler built on purpose (a
//! form re-rendered with a 422, `/readyz`'s 503) carry no error and pass as they are.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};

use crate::web::error::{AppError, default_message};
use crate::web::state::AppState;

pub fn handlers<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(render)
}

pub fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad request",
        403 => "Not allowed",
        404 => "Not found",
        410 => "No longer available",
        413 => "Too large",
        422 => "Please check your input",
        429 => "Too many attempts",
        503 => "Temporarily unavailable",
        s if s >= 500 => "Something went wrong",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

/// The error page's HTML, or `None` when even that cannot be rendered.
pub fn page(state: &AppState, status: StatusCode, message: &str) -> Option<String> {
    let mut ctx = super::page::public_context();
    ctx.insert("status", &status.as_u16());
    ctx.insert("title", title(status));
    ctx.insert("message", message);
    state.templates.render("error.html", &ctx).ok()
}

fn render<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let Some(error) = res.response().error() else {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    };
    let status = res.status();
    let app_error = error.as_error::<AppError>();
    if status.is_server_error() {
        let cause = match app_error {
            Some(AppError::Internal(e) | AppError::Unavailable(e)) => format!("{e:#}"),
            _ => error.to_string(),
        };
        tracing::error!(status = status.as_u16(), error = %cause, "request failed");
    }
    let message = match app_error {
        Some(e) => e.public_message(),
        None if status == StatusCode::SERVICE_UNAVAILABLE => {
            AppError::Unavailable(anyhow::anyhow!("the session store failed")).public_message()
        }
        None => default_message(status).to_owned(),
    };
    let Some(html) = AppState::of(res.request())
        .ok()
        .and_then(|state| page(&state, status, &message))
    else {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    };
    let (req, mut response) = res.into_parts();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        // The rest of the body was not read: the connection cannot carry
        // another request, and the client must be told so.
        response
            .head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
    }
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    let response = response.set_body(BoxBody::new(html));
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_body(|_, body| EitherBody::right(body)),
    ))
}
