//! What every request handler can reach: configuration, the pool, the clock,
//! the templates and the metrics. Built once per server, shared by workers.

use std::sync::Arc;

use actix_web::{HttpRequest, web};

use crate::auth::throttle::{LoginThrottle, MissThrottle};
use crate::clock::Clock;
use crate::config::{Config, ForwardedHeader, TrustedProxies};
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
    /// Unknown respondent links per client address, in memory.
    pub misses: MissThrottle,
    /// Password checks allowed at once: each takes 19 MiB and a core for
    /// tens of milliseconds, so a flood of sign-ins must queue, not pile up.
    pub password_checks: tokio::sync::Semaphore,
    /// The sign-in form's CSRF token, kept in a signed cookie.
    pub login_token: crate::web::csrf::LoginToken,
    /// Makes respondents' links and the keys of their answers (see `links`).
    pub links: crate::links::LinkKeys,
    /// What each team is asked in each round, read once (`surveys::forms`).
    pub forms: Arc<crate::surveys::forms::Forms>,
    pub mailer: Arc<Mailer>,
    /// SQLite's one writer with group commit (`db::writer`); `None` on
    /// PostgreSQL, whose writes go through the pool.
    pub writer: Option<crate::db::writer::Writer>,
    /// Writes checked submissions together (`surveys::intake`).
    pub intake: crate::surveys::intake::Intake,
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
            keys: self.links.clone(),
            writer: self.writer.clone(),
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

    /// The client's address: the socket peer, or, behind trusted proxies,
    /// the address the outermost trusted proxy saw (`client_ip`).
    pub fn client_address(&self, req: &HttpRequest) -> String {
        let peer = req.peer_addr().map(|a| a.ip().to_string());
        self.config
            .trust_proxy
            .and_then(|proxies| forwarded_client(req, proxies))
            .or(peer)
            .unwrap_or_else(|| "unknown".into())
    }
}

/// The client address a chain of `proxies.hops` trusted proxies recorded:
/// each appends the address it received from, so the client is that many
/// entries from the right. Entries further left came from the client and
/// are ignored; with fewer entries than hops there is no trustworthy one.
fn forwarded_client(req: &HttpRequest, proxies: TrustedProxies) -> Option<String> {
    let (name, parse): (&str, fn(&str) -> Option<String>) = match proxies.header {
        ForwardedHeader::XForwardedFor => ("x-forwarded-for", |e| Some(e.trim().to_owned())),
        ForwardedHeader::Forwarded => ("forwarded", forwarded_for),
    };
    let entries: Vec<String> = req
        .headers()
        .get_all(name)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|e| parse(e).unwrap_or_default())
        .collect();
    let entry = entries
        .len()
        .checked_sub(proxies.hops)
        .map(|i| &entries[i])?;
    entry
        .parse::<std::net::IpAddr>()
        .ok()
        .map(|ip| ip.to_string())
}

/// The `for=` address of one RFC 7239 element, without quotes, brackets or port.
fn forwarded_for(element: &str) -> Option<String> {
    let value = element.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        k.trim().eq_ignore_ascii_case("for").then(|| v.trim())
    })?;
    let value = value.trim_matches('"');
    let host = match value.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => value.split(':').next()?,
    };
    Some(host.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn client(headers: &[(&str, &str)], hops: usize, header: ForwardedHeader) -> Option<String> {
        let mut req = TestRequest::default();
        for (k, v) in headers {
            req = req.append_header((*k, *v));
        }
        forwarded_client(&req.to_http_request(), TrustedProxies { hops, header })
    }

    #[test]
    fn the_proxy_appended_entry_is_the_client() {
        use ForwardedHeader::*;
        let xff = |v| [("x-forwarded-for", v)];
        assert_eq!(
            client(&xff("203.0.113.9"), 1, XForwardedFor).as_deref(),
            Some("203.0.113.9")
        );
        // A forged first entry is ignored: the proxy appended the real one.
        assert_eq!(
            client(&xff("1.2.3.4, 203.0.113.9"), 1, XForwardedFor).as_deref(),
            Some("203.0.113.9")
        );
        assert_eq!(
            client(&xff("1.2.3.4, 203.0.113.9, 10.0.0.2"), 2, XForwardedFor).as_deref(),
            Some("203.0.113.9")
        );
        // Split across two headers, as proxies may send it.
        assert_eq!(
            client(
                &[
                    ("x-forwarded-for", "1.2.3.4"),
                    ("x-forwarded-for", "203.0.113.9")
                ],
                1,
                XForwardedFor
            )
            .as_deref(),
            Some("203.0.113.9")
        );
        assert_eq!(client(&xff("203.0.113.9"), 2, XForwardedFor), None);
        assert_eq!(client(&xff("not-an-ip"), 1, XForwardedFor), None);
        // `Forwarded` counts only when it is the header named.
        let fwd = [(
            "forwarded",
            "for=1.2.3.4, for=\"[2001:db8::17]:4711\";proto=https",
        )];
        assert_eq!(client(&fwd, 1, XForwardedFor), None);
        assert_eq!(client(&fwd, 1, Forwarded).as_deref(), Some("2001:db8::17"));
        assert_eq!(
            client(&[("forwarded", "for=198.51.100.7:80")], 1, Forwarded).as_deref(),
            Some("198.51.100.7")
        );
    }
}
