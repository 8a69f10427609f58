//! What every request handler can reach: configuration, the pool, the clock,
//! the templates and the metrics. Built once per server, shared by workers.

use std::sync::Arc;

use actix_web::{HttpRequest, web};

use crate::auth::throttle::LoginThrottle;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::{self, DbConnection, DbPool};
use crate::mail::Mailer;
use crate::mail::courier::Courier;
use crate::metrics::Metrics;
use crate::web::error::AppError;
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
    pub mailer: Arc<Mailer>,
    /// Wakes the delivery worker when something queued email, so it need
    /// not wait for its next poll.
    pub outbox_wake: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// The delivery worker, over this state's pool, clock and mailer.
    pub fn courier(&self) -> Courier {
        Courier {
            pool: self.pool.clone(),
            clock: self.clock.clone(),
            mailer: self.mailer.clone(),
            metrics: self.metrics.clone(),
            base_url: self.config.base_url.clone(),
        }
    }

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
