//! The `responses` export at 100,000 and 1,000,000 rows, over HTTP from the
//! real server (its own process, so its peak memory is its own) and through
//! the CLI, each beside a raw dump of the same rows in the same run:
//! SQLite, a plain query written with the `csv` crate; PostgreSQL, `COPY
//! ... TO STDOUT` through psql.
//!
//! Run with:
//!
//!     cargo bench --bench exports                                    # SQLite
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench exports
//!
//! Needs GNU time (`/usr/bin/time`) for the CLI's peak memory.

mod common;

use std::process::{Command, Stdio};
use std::time::Instant;

use common::million::{RESPONSES, ROUNDS, TOOLS, fill};
use diesel::prelude::*;
use infrapulse::db::DatabaseUrl;

/// (name, query string): 2 rounds x 5,000 responses x 10 tools, then all.
const SIZES: [(&str, &str); 2] = [("100k", "from=19&to=20"), ("1M", "")];

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let bench = common::BenchDb::new(dir.path(), 2)?;
    let started = Instant::now();
    {
        let mut conn = bench.pool.get()?;
        fill(&mut conn)?;
        // Closed rounds sealed now, not by the server as it starts: its
        // peak memory is then the export's.
        infrapulse::surveys::seal_closed_rounds(&mut conn)?;
    }
    println!(
        "{} answers written in {:.0} s ({})",
        TOOLS * ROUNDS * RESPONSES,
        started.elapsed().as_secs_f64(),
        bench.url.backend_name()
    );
    let url = match &bench.url {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    let data_dir = dir.path().join("data");
    std::fs::create_dir_all(&data_dir)?;
    let env = |cmd: &mut Command| {
        cmd.env("DATABASE_URL", &url)
            .env("DATA_DIR", &data_dir)
            .env("RUST_LOG", "warn")
            .env("SECRET_KEY", "b".repeat(64));
    };

    println!(
        "\n| path | rows | time | rows/s | ratio to raw | peak RSS |\n|---|---|---|---|---|---|"
    );
    let server = common::Server::start(env)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = runtime.block_on(common::signed_in(
        &server.base,
        common::ADMIN_EMAIL,
        common::ADMIN_PASSWORD,
    ))?;
    let before = server.peak_rss_mib();
    for (size, query) in SIZES {
        let raw = raw_dump(&bench.url, query)?;
        let t = Instant::now();
        let rows = runtime.block_on(async {
            let mut res = client
                .get(format!("{}/exports/responses.csv?{query}", server.base))
                .send()
                .await?;
            anyhow::ensure!(res.status().is_success(), "{}", res.status());
            let mut newlines = 0u64;
            while let Some(chunk) = res.chunk().await? {
                newlines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
            }
            Ok(newlines - 1)
        })?;
        let http = t.elapsed().as_secs_f64();
        row("HTTP", size, rows, http, raw, server.peak_rss_mib());

        let out = dir.path().join("responses.csv");
        let mut cmd = Command::new("/usr/bin/time");
        cmd.args([
            "-f",
            "%M",
            env!("CARGO_BIN_EXE_infrapulse"),
            "export",
            "responses",
        ]);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').expect("k=v");
            cmd.arg(format!("--{k}")).arg(v);
        }
        cmd.arg("-o").arg(&out);
        env(&mut cmd);
        let t = Instant::now();
        let done = cmd.output()?;
        let cli = t.elapsed().as_secs_f64();
        let stderr = String::from_utf8_lossy(&done.stderr);
        anyhow::ensure!(done.status.success(), "export: {stderr}");
        let peak_kib: f64 = stderr
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(f64::NAN);
        let rows = std::fs::read(&out)?.iter().filter(|b| **b == b'\n').count() as u64 - 1;
        row("CLI", size, rows, cli, raw, peak_kib / 1024.0);
        println!(
            "| raw dump | {size} | {:.2} s | {:.0} | 1.00 | |",
            raw.1,
            raw.0 as f64 / raw.1
        );
    }
    println!("\nthe server's peak before any export (started, signed in): {before:.0} MiB");
    Ok(())
}

fn row(path: &str, size: &str, rows: u64, secs: f64, raw: (u64, f64), rss: f64) {
    let rate = rows as f64 / secs;
    let raw_rate = raw.0 as f64 / raw.1;
    println!(
        "| {path} | {size} ({rows}) | {secs:.2} s | {rate:.0} | {:.2} | {rss:.0} MiB |",
        rate / raw_rate
    );
}

/// The same rows, dumped by the database with nothing of ours in between:
/// (rows, seconds).
fn raw_dump(url: &DatabaseUrl, query: &str) -> anyhow::Result<(u64, f64)> {
    let rounds = if query.is_empty() {
        String::new()
    } else {
        format!("AND r.number >= {}", ROUNDS - 1)
    };
    let sql = format!(
        "SELECT p.slug, r.number, a.response_id, a.team_id, t.slug, a.security, a.reliability, \
         a.usability, a.efficiency, a.latency, a.satisfaction, a.hours_lost \
         FROM tool_answers a JOIN rounds r ON r.id = a.round_id \
         JOIN programs p ON p.id = r.program_id JOIN tools t ON t.id = a.tool_id \
         WHERE a.not_used = FALSE {rounds}"
    );
    let t = Instant::now();
    let rows = match url {
        DatabaseUrl::Postgres(url) => {
            let out = Command::new("psql")
                .arg(url)
                .arg("-c")
                .arg(format!("\\copy ({sql}) TO STDOUT WITH CSV HEADER"))
                .stderr(Stdio::inherit())
                .output()?;
            anyhow::ensure!(out.status.success(), "psql failed");
            out.stdout.iter().filter(|b| **b == b'\n').count() as u64 - 1
        }
        DatabaseUrl::Sqlite(path) => {
            #[derive(QueryableByName)]
            struct Raw {
                #[diesel(sql_type = diesel::sql_types::Text)]
                program: String,
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                round: i64,
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                response: i64,
                #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
                team: Option<i64>,
                #[diesel(sql_type = diesel::sql_types::Text)]
                tool: String,
                #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
                security: Option<i64>,
                #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
                reliability: Option<i64>,
                #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
                usability: Option<i64>,
                #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
                efficiency: Option<i64>,
                #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
                latency: Option<i64>,
                #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
                satisfaction: Option<i64>,
                #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
                hours: Option<i64>,
            }
            let mut conn = diesel::SqliteConnection::establish(&path.display().to_string())?;
            let sql = sql
                .replace(
                    "SELECT p.slug, r.number, a.response_id, a.team_id, t.slug,",
                    "SELECT p.slug AS program, r.number AS round, a.response_id AS response, \
                 a.team_id AS team, t.slug AS tool,",
                )
                .replace("a.hours_lost", "a.hours_lost AS hours");
            let mut out = csv::Writer::from_writer(std::io::sink());
            let mut n = 0u64;
            for r in diesel::sql_query(sql)
                .load_iter::<Raw, diesel::connection::DefaultLoadingMode>(&mut conn)?
            {
                let r = r?;
                let o = |v: Option<i64>| v.map_or(String::new(), |v| v.to_string());
                out.write_record([
                    r.program,
                    r.round.to_string(),
                    r.response.to_string(),
                    o(r.team),
                    r.tool,
                    o(r.security),
                    o(r.reliability),
                    o(r.usability),
                    o(r.efficiency),
                    o(r.latency),
                    o(r.satisfaction),
                    o(r.hours),
                ])?;
                n += 1;
            }
            out.flush()?;
            n
        }
    };
    Ok((rows, t.elapsed().as_secs_f64()))
}
