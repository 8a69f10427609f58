//! Middleware on every request: a request id, a log line and metrics per
//! request, and the security headers.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::web;
use tracing::Instrument;

use crate::web::state::AppState;

/// Logs and measures each request under its route pattern. The path itself is
/// never logged: respondents' links carry their token in it.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = uuid::Uuid::now_v7().to_string();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.metrics.clone());
    let span = tracing::info_span!("request", id = %request_id, method = %method, route = %route);
    let result = next.call(req).instrument(span.clone()).await;
    let status = match &result {
        Ok(res) => res.status(),
        Err(e) => e.as_response_error().status_code(),
    };
    let seconds = started.elapsed().as_secs_f64();
    if let Some(metrics) = metrics {
        metrics.observe_request(&route, &method, status.as_u16(), seconds);
    }
    span.in_scope(|| {
        tracing::info!(status = status.as_u16(), ms = seconds * 1000.0, "request");
    });
    let mut res = result?;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), value);
    }
    Ok(res)
}

/// How long a request may take to send its body when configuration is out
/// of reach (it never is in the app; see `Config::body_timeout`).
const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Cuts off a request body that has not fully arrived by the deadline.
/// actix-web times out slow headers but not slow bodies, so without this a
/// client could hold a worker's connection by sending a byte at a time.
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    use actix_web::HttpMessage as _;
    use actix_web::error::PayloadError;
    use futures_util::StreamExt as _;

    let limit = req
        .app_data::<web::Data<AppState>>()
        .map_or(BODY_TIMEOUT, |s| s.config.body_timeout);
    let deadline = tokio::time::Instant::now() + limit;
    let payload = req.take_payload();
    let timed = futures_util::stream::unfold(Some(payload), move |state| async move {
        let mut payload = state?;
        match tokio::time::timeout_at(deadline, payload.next()).await {
            Ok(Some(chunk)) => Some((chunk, Some(payload))),
            Ok(None) => None,
            Err(_) => Some((
                Err(PayloadError::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the request body did not arrive in time",
                ))),
                None,
            )),
        }
    });
    // actix-http's `BoxedPayloadStream`, which actix-web does not re-export.
    let boxed: std::pin::Pin<
        Box<dyn futures_util::Stream<Item = Result<web::Bytes, PayloadError>>>,
    > = Box::pin(timed.fuse()); // readers may poll again after the end
    req.set_payload(boxed.into());
    next.call(req).await
}

/// Headers every response carries. The CSP allows only our own stylesheet and
/// form targets: no inline script, no third-party anything, no framing.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
}
