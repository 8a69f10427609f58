//! Prometheus metrics, served at `/metrics`. Routes are labelled by their
//! pattern (`/r/{token}`), never by the path, so labels stay few and no token
//! is ever exported.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::db::DbPool;

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    db_pool: IntGaugeVec,
    emails: IntCounterVec,
    outbox: IntGaugeVec,
    outbox_depth: prometheus::IntGauge,
    password_checks: prometheus::IntCounter,
    answer_batches: prometheus::Histogram,
}

impl Metrics {
    pub fn new() -> Self {
        let registry =
            Registry::new_custom(Some("infrapulse".into()), None).expect("a valid metrics prefix");
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route pattern, method and status",
            ),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["route"],
        )
        .expect("valid metric");
        let db_pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections by state"),
            &["state"],
        )
        .expect("valid metric");
        let emails = IntCounterVec::new(
            Opts::new(
                "emails_total",
                "Emails this instance handled, by kind and outcome (sent, retrying, failed, skipped)",
            ),
            &["kind", "outcome"],
        )
        .expect("valid metric");
        let outbox = IntGaugeVec::new(
            Opts::new(
                "outbox_emails",
                "Emails in the outbox by status, across all instances (depth = queued + sending + retrying)",
            ),
            &["status"],
        )
        .expect("valid metric");
        let outbox_depth = prometheus::IntGauge::new(
            "outbox_depth",
            "Emails still to send (queued, sending or waiting to retry), across all instances",
        )
        .expect("valid metric");
        let password_checks = prometheus::IntCounter::new(
            "password_checks_total",
            "Password hashes computed for sign-ins (throttled attempts compute none)",
        )
        .expect("valid metric");
        let answer_batches = prometheus::Histogram::with_opts(
            HistogramOpts::new(
                "answer_batch_size",
                "Submissions written per transaction (`surveys::intake`): above 1, they share a commit",
            )
            .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0]),
        )
        .expect("valid metric");
        for collector in [
            Box::new(http_requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(http_duration.clone()),
            Box::new(db_pool.clone()),
            Box::new(emails.clone()),
            Box::new(outbox.clone()),
            Box::new(outbox_depth.clone()),
            Box::new(password_checks.clone()),
            Box::new(answer_batches.clone()),
        ] {
            registry
                .register(collector)
                .expect("metric registered once");
        }
        Metrics {
            registry,
            http_requests,
            http_duration,
            db_pool,
            emails,
            outbox,
            outbox_depth,
            password_checks,
            answer_batches,
        }
    }

    /// A committed transaction that wrote `size` submissions.
    pub fn observe_answer_batch(&self, size: usize) {
        self.answer_batches.observe(size as f64);
    }

    pub fn observe_password_check(&self) {
        self.password_checks.inc();
    }

    /// Password hashes computed by this instance.
    pub fn password_checks(&self) -> u64 {
        self.password_checks.get()
    }

    pub fn observe_email(&self, kind: &str, outcome: &str) {
        self.emails.with_label_values(&[kind, outcome]).inc();
    }

    /// The outbox by status, read from the database at scrape time.
    pub fn set_outbox(&self, counts: &crate::db::outbox::Counts) {
        for (status, n) in [
            ("queued", counts.queued),
            ("sending", counts.sending),
            ("retrying", counts.retrying),
            ("sent", counts.sent),
            ("failed", counts.failed),
            ("skipped", counts.skipped),
        ] {
            self.outbox.with_label_values(&[status]).set(n);
        }
        self.outbox_depth.set(counts.pending());
    }

    pub fn observe_request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.http_requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.http_duration
            .with_label_values(&[route])
            .observe(seconds);
    }

    /// The text exposition, with the pool's state read at scrape time.
    pub fn render(&self, pool: &DbPool) -> String {
        let state = pool.state();
        let idle = i64::from(state.idle_connections);
        self.db_pool.with_label_values(&["idle"]).set(idle);
        self.db_pool
            .with_label_values(&["in_use"])
            .set(i64::from(state.connections) - idle);
        self.db_pool
            .with_label_values(&["max"])
            .set(i64::from(pool.max_size()));
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("text encoding cannot fail");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
