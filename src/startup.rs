//! Building the application is separate from running it: tests build one on
//! port 0 against their own database and clock, then run it.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, TtlExtensionPolicy};
use actix_web::cookie::{Key, SameSite, time::Duration as CookieDuration};
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;

use crate::auth::throttle::{LoginThrottle, MissThrottle};
use crate::clock::Clock;
use crate::config::Config;
use crate::db::{self, DbPool, import_drafts, sessions};
use crate::metrics::Metrics;
use crate::web::session_store::DbSessionStore;
use crate::web::state::AppState;
use crate::web::{self as routes, error_pages, middleware, templates::Templates};

/// Largest request body accepted by extractors that do not read their own
/// (forms read theirs through `web::form`; uploads set their own).
pub const BODY_LIMIT: usize = crate::web::form::BODY_LIMIT;

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
    background: bool,
}

/// How often the scheduler looks for due rounds, reminders and closings.
const SCHEDULER_EVERY: Duration = Duration::from_secs(60);
/// How often the delivery worker looks for due email when nobody wakes it
/// (retries come due; another instance queued something).
const DELIVERY_EVERY: Duration = Duration::from_secs(15);
/// How long a stopping server waits for the email batch in hand.
const DELIVERY_SHUTDOWN: Duration = Duration::from_secs(60);
/// Unknown respondent links allowed per client address in `MISS_WINDOW`.
/// Real links keep working past it, so one office behind a NAT is never
/// locked out; the addresses remembered are capped at `MISS_ADDRESSES`.
const MISSES_ALLOWED: u32 = 100;
const MISS_WINDOW: chrono::TimeDelta = chrono::TimeDelta::minutes(15);
const MISS_ADDRESSES: usize = 10_000;

/// Opens the pool and brings the schema up to date.
pub fn open_database(config: &Config) -> anyhow::Result<DbPool> {
    let pool = db::connect(&config.database_url, config.db_pool_size)?;
    let mut conn = pool.get().context("no database connection")?;
    for name in db::run_migrations(&mut conn)? {
        tracing::info!(migration = %name, "applied migration");
    }
    let sealed = crate::surveys::seal_closed_rounds(&mut conn)?;
    if sealed > 0 {
        tracing::info!(
            rounds = sealed,
            "sealed rounds that closed before this version"
        );
    }
    Ok(pool)
}

impl Application {
    pub async fn build(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let pool = open_database(&config)?;
        Self::build_with_pool(config, pool, clock)
    }

    pub fn build_with_pool(
        config: Config,
        pool: DbPool,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let secret = config.load_or_create_secret_key()?;
        let key = Key::derive_from(secret.expose().as_bytes());
        let links = crate::links::LinkKeys::new(&secret);
        let login_token = crate::web::csrf::LoginToken::new(&secret, &config.base_url);
        let listener = TcpListener::bind(config.bind)
            .with_context(|| format!("cannot listen on {} (BIND)", config.bind))?;
        let port = listener.local_addr()?.port();
        let workers = config.workers;
        let mailer = Arc::new(crate::mail::Mailer::new(&config)?);
        let writer = crate::db::writer::Writer::for_database(&config.database_url)?;
        let metrics = Metrics::new();
        let intake = crate::surveys::intake::Intake::start(
            pool.clone(),
            writer.clone(),
            clock.clone(),
            metrics.clone(),
        )?;
        let state = web::Data::new(AppState {
            writer,
            intake,
            mailer,
            outbox_wake: Arc::new(tokio::sync::Notify::new()),
            templates: Templates::new()?,
            metrics,
            throttle: LoginThrottle::default(),
            misses: MissThrottle::new(MISSES_ALLOWED, MISS_WINDOW, MISS_ADDRESSES),
            password_checks: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, usize::from),
            ),
            links,
            forms: Arc::default(),
            login_token,
            config,
            pool,
            clock,
        });

        let app_state = state.clone();
        let server = HttpServer::new(move || {
            let state = app_state.clone();
            let store = DbSessionStore::new(state.pool.clone(), state.clock.clone());
            App::new()
                .app_data(state.clone())
                .app_data(web::PayloadConfig::new(BODY_LIMIT))
                .app_data(web::FormConfig::default().limit(BODY_LIMIT))
                .app_data(routes::import_pages::multipart_config())
                .configure(routes::routes)
                .default_service(web::to(routes::not_found))
                .wrap(from_fn(middleware::body_deadline))
                .wrap(session_middleware(&state, store, key.clone()))
                .wrap(error_pages::handlers())
                .wrap(middleware::security_headers())
                .wrap(from_fn(middleware::observe))
        })
        .workers(workers)
        .client_request_timeout(Duration::from_secs(10))
        .client_disconnect_timeout(Duration::from_secs(5))
        .shutdown_timeout(30)
        .listen(listener)?
        .run();

        Ok(Application {
            port,
            server,
            state,
            background: false,
        })
    }

    /// Also runs the scheduler and the delivery worker while serving (what
    /// `serve` does unless `--no-scheduler`).
    pub fn with_background_jobs(mut self) -> Self {
        self.background = true;
        self
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until SIGINT or SIGTERM, then finishes requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let mut tasks = vec![tokio::spawn(housekeeping(self.state.clone()))];
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let mut delivery = None;
        if self.background {
            tasks.push(tokio::spawn(schedule(self.state.clone())));
            delivery = Some(tokio::spawn(deliver(self.state.clone(), stopping)));
        }
        let result = self.server.await;
        for task in tasks {
            task.abort();
        }
        // The worker finishes the batch in hand: cut off between a server's
        // 250 and its commit, an email would go again after the lease.
        let _ = stop.send(true);
        if let Some(delivery) = delivery
            && tokio::time::timeout(DELIVERY_SHUTDOWN, delivery)
                .await
                .is_err()
        {
            tracing::warn!("the email worker did not finish its batch in time");
        }
        // Left in the WAL, the last writes would be missing from a copy of
        // the database file alone.
        if let Err(e) = db::run(&self.state.pool, |c| {
            db::checkpoint(c).map_err(anyhow::Error::from)
        })
        .await
        {
            tracing::warn!(error = %e, "could not copy the WAL back into the database file");
        }
        result
    }
}

fn session_middleware(
    state: &AppState,
    store: DbSessionStore,
    key: Key,
) -> SessionMiddleware<DbSessionStore> {
    let https = state.config.base_url.is_https();
    // `__Host-` makes browsers refuse the cookie unless it is Secure, host-only
    // and path=/: a sibling subdomain cannot plant or overwrite it.
    let name = if https {
        "__Host-infrapulse"
    } else {
        "infrapulse_session"
    };
    let idle = CookieDuration::seconds(state.config.session_idle.num_seconds());
    SessionMiddleware::builder(store, key)
        .cookie_name(name.into())
        .cookie_secure(https)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_path("/".into())
        .session_lifecycle(
            BrowserSession::default()
                .state_ttl(idle)
                .state_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
        )
        .build()
}

/// Ticks the scheduler; wakes the delivery worker when a tick queued email.
async fn schedule(state: web::Data<AppState>) {
    let scheduler = Arc::new(crate::surveys::scheduler::Scheduler::default());
    let mut tick = tokio::time::interval(SCHEDULER_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let (now, threshold, s, keys) = (
            state.clock.now(),
            state.config.infra_min_teams,
            scheduler.clone(),
            state.links.clone(),
        );
        match state
            .db(move |conn| Ok(s.tick(conn, &keys, threshold, now)?))
            .await
        {
            Ok(report) if report.queued_email() => {
                tracing::info!(?report, "scheduler tick queued email");
                state.outbox_wake.notify_one();
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "scheduler tick failed"),
        }
    }
}

/// Sends due email whenever woken, and at least every `DELIVERY_EVERY`,
/// until none is due or the server is stopping.
async fn deliver(state: web::Data<AppState>, mut stopping: tokio::sync::watch::Receiver<bool>) {
    let courier = state.courier();
    tracing::info!(transport = %state.mailer.description, "delivery worker started");
    while !*stopping.borrow() {
        match courier.deliver_due_while(|| !*stopping.borrow()).await {
            Ok(report) if report != Default::default() => {
                tracing::info!(?report, "delivered email");
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "email delivery failed"),
        }
        tokio::select! {
            () = state.outbox_wake.notified() => {}
            () = tokio::time::sleep(DELIVERY_EVERY) => {}
            _ = stopping.changed() => {}
        }
    }
}

/// Deletes expired sessions and sign-in windows every ten minutes.
async fn housekeeping(state: web::Data<AppState>) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = state.clock.now();
        let throttle = state.throttle;
        let result = state
            .db(move |conn| {
                let sessions = sessions::delete_expired(conn, now)?;
                let failures = throttle.forget_old(conn, now)?;
                import_drafts::delete_created_before(conn, now - chrono::TimeDelta::days(1))?;
                Ok((sessions, failures))
            })
            .await;
        match result {
            Ok((sessions, failures)) => {
                tracing::debug!(sessions, failures, "housekeeping removed expired rows");
            }
            Err(e) => tracing::warn!(error = ?e, "housekeeping failed"),
        }
    }
}
