//! Endpoints for whoever runs the service: liveness, readiness, metrics.

use actix_web::{HttpResponse, web};
use diesel::connection::SimpleConnection;

use crate::state::AppState;

/// The process is up and serving.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok\n")
}

/// The database answers: only then should a load balancer send traffic here.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.db(|conn| Ok(conn.batch_execute("SELECT 1")?)).await {
        Ok(()) => HttpResponse::Ok()
            .content_type("text/plain")
            .body("ready\n"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unreachable\n")
        }
    }
}

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    match state
        .db(|conn| Ok(crate::db::outbox::counts(conn, None)?))
        .await
    {
        Ok(counts) => state.metrics.set_outbox(&counts),
        // Still serve the rest: the pool gauges may show why.
        Err(e) => tracing::warn!(error = %e, "cannot count the outbox for /metrics"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&state.pool))
}
