//! What every request handler can reach: configuration, the pool, the clock,
//! the templates and the metrics. Built once per server, shared by workers.

use std::sync::Arc;

use actix_web::{HttpRequest, web};

use crate::auth::throttle::LoginThrottle;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::{self, DbConnection, DbPool};
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::web::templates::Templates;

pub struct AppState {
    pub config: Config,
    pub pool: DbPool,
    pub clock: Arc<dyn Clock>,
    pub templates: Templates,
    pub metrics: Metrics,
    pub throttle: LoginThrottle,
    /// Keys respondents' answers to their token (see `surveys::respond`).
    pub respondent_secret: crate::secret::Secret<String>,
}

impl AppState {
    /// Runs `work` with a pooled connection, off the async executor.
    pub async fn db<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        db::run(&self.pool, work).await
    }

    /// Finds the state from inside an extractor or middleware.
    pub fn of(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
        req.app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("AppState is not registered")))
    }

    /// The client's address: the socket peer, or the proxy's `X-Forwarded-For`
    /// when configured to trust it.
    pub fn client_address(&self, req: &HttpRequest) -> String {
        let info = req.connection_info();
        let addr = if self.config.trust_proxy {
            info.realip_remote_addr().map(str::to_owned)
        } else {
            req.peer_addr().map(|a| a.ip().to_string())
        };
        addr.unwrap_or_else(|| "unknown".into())
    }
}
