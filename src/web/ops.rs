//! Endpoints for whoever runs the service: liveness, readiness, metrics.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::connection::SimpleConnection;

use crate::web::state::AppState;

/// The process is up and serving.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok\n")
}

/// How long `/readyz` waits for a connection: a load balancer needs its
/// answer in about a second, not after the pool's full timeout.
const READY_CHECKOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// The database answers: only then should a load balancer send traffic here.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if crate::db::space::is_short()
        && let crate::db::DatabaseUrl::Sqlite(path) = &state.config.database_url
    {
        let path = path.clone();
        let free = tokio::task::spawn_blocking(move || crate::db::space::check_room(&path)).await;
        if crate::db::space::is_short() {
            let free = free.ok().and_then(Result::ok).unwrap_or(0);
            return HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body(format!(
                    "out of disk space: writes are failing ({} KiB free on the database's volume)\n",
                    free / 1024
                ));
        }
    }
    let pool = state.pool.clone();
    let check = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut conn = pool.get_timeout(READY_CHECKOUT)?;
        conn.batch_execute("SELECT 1")?;
        Ok(())
    })
    .await
    .map_err(anyhow::Error::from)
    .and_then(|r| r);
    match check {
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

/// Whether the request may read `/metrics`: always, unless METRICS_TOKEN
/// is set; then only with `Authorization: Bearer <token>`.
fn may_read_metrics(state: &AppState, req: &HttpRequest) -> bool {
    use subtle::ConstantTimeEq as _;
    let Some(token) = &state.config.metrics_token else {
        return true;
    };
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|given| bool::from(given.trim().as_bytes().ct_eq(token.expose().as_bytes())))
}

pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    if !may_read_metrics(&state, &req) {
        return HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
            .content_type("text/plain")
            .body("a bearer token is required\n");
    }
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
