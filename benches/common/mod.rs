//! What the benchmarks share: a database of their own, generated members,
//! and peak memory. Each bench compiles this module and uses a part of it.
#![allow(dead_code)]

pub mod million;

use std::fmt::Write as _;

use diesel::{Connection, PgConnection, RunQueryDsl};
use infrapulse::db::{self, DatabaseUrl, DbPool};

/// The process's peak resident memory (`VmHWM`), in MiB.
pub fn peak_rss_mib() -> f64 {
    peak_rss_mib_of("self")
}

/// Process `pid`'s ("self": this one's) peak resident memory, in MiB.
pub fn peak_rss_mib_of(pid: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// A new, migrated database: SQLite in `dir`, or a fresh PostgreSQL database
/// on the server BENCH_DATABASE_URL names (dropped with the returned guard).
pub struct BenchDb {
    pub url: DatabaseUrl,
    pub pool: DbPool,
    drop_with: Option<(String, String)>,
}

impl BenchDb {
    pub fn new(dir: &std::path::Path, pool_size: u32) -> anyhow::Result<Self> {
        let (url, drop_with) = match std::env::var("BENCH_DATABASE_URL") {
            Ok(admin) => {
                let name = format!("infrapulse_bench_{}", uuid::Uuid::new_v4().simple());
                let mut conn = PgConnection::establish(&admin)?;
                diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn)?;
                let base = admin
                    .rsplit_once('/')
                    .map_or(admin.as_str(), |(b, _)| b)
                    .to_owned();
                (format!("{base}/{name}"), Some((admin, name)))
            }
            Err(_) => (format!("sqlite://{}", dir.join("bench.db").display()), None),
        };
        let url = DatabaseUrl::parse(&url).map_err(anyhow::Error::msg)?;
        let pool = db::connect(&url, pool_size)?;
        db::run_migrations(&mut *pool.get()?)?;
        Ok(BenchDb {
            url,
            pool,
            drop_with,
        })
    }
}

impl Drop for BenchDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.drop_with
            && let Ok(mut conn) = PgConnection::establish(admin)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn);
        }
    }
}

/// A members file: `members` people spread over `teams` teams ("Team N").
pub fn members_csv(members: usize, teams: usize) -> String {
    let mut csv = String::from("email,name,team\n");
    for i in 0..members {
        let _ = writeln!(
            csv,
            "person{i}@example.com,Person Number {i},Team {}",
            i % teams
        );
    }
    csv
}

/// The bench admin that `Server` creates.
pub const ADMIN_EMAIL: &str = "bench@example.com";
pub const ADMIN_PASSWORD: &str = "bench password bench password";

/// A free port on loopback (the small race with another process taking it
/// is acceptable in a benchmark).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// `infrapulse serve --no-scheduler` from the release binary, in its own
/// process (so its peak memory is its own), with the bench admin; stopped
/// when dropped. `configure` adds the database, data folder and the rest.
pub struct Server {
    pub child: std::process::Child,
    pub base: String,
}

impl Server {
    pub fn start(configure: impl FnOnce(&mut std::process::Command)) -> anyhow::Result<Server> {
        use std::process::Stdio;
        let port = free_port()?;
        let mut cmd = std::process::Command::new(
            // Another build of the server, to alternate two builds in one session.
            std::env::var_os("BENCH_SERVER")
                .unwrap_or_else(|| env!("CARGO_BIN_EXE_infrapulse").into()),
        );
        cmd.args(["serve", "--no-scheduler"])
            .env("BIND", format!("127.0.0.1:{port}"))
            .env("INFRAPULSE_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("INFRAPULSE_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        configure(&mut cmd);
        let mut child = cmd.spawn()?;
        // It says when it serves: wait for that line, not for time.
        let stdout = child.stdout.take().expect("piped");
        let ready = std::io::BufRead::lines(std::io::BufReader::new(stdout))
            .map_while(Result::ok)
            .any(|l| l.contains("is serving at"));
        anyhow::ensure!(ready, "the server did not start");
        Ok(Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        })
    }

    /// Its peak resident memory so far, in MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        peak_rss_mib_of(&self.child.id().to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client signed in at `base` as `email` (cookies kept). It does not
/// follow redirects: the dashboard behind the sign-in would do work of its
/// own (theming every comment) that no bench means to measure.
pub async fn signed_in(base: &str, email: &str, password: &str) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let login = client
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let token = login
        .split(r#"name="csrf_token" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| anyhow::anyhow!("no CSRF token"))?
        .to_owned();
    let res = client
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await?;
    anyhow::ensure!(res.status().is_redirection(), "sign-in: {}", res.status());
    Ok(client)
}
