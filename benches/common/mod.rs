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
