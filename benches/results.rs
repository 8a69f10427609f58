//! Results at a million answers: 10 tools x 20 rounds x 5,000 responses =
//! 1,000,000 rows of `tool_answers`. Nineteen rounds are closed and sealed
//! (their histograms kept), the twentieth is open (counted live). Times the
//! tool's Results page and the dashboard over HTTP against the real server,
//! each beside a raw indexed GROUP BY over the same rows, in the same run.
//!
//!     cargo bench --bench results                                    # SQLite
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench results
//!
//! REQUESTS (default 200) sets how many requests each measurement takes.

mod common;

use common::million::{RESPONSES, ROUNDS, TOOLS, fill};

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use infrapulse::clock::{Clock, SystemClock};
use infrapulse::config::Config;
use infrapulse::domain::account::{EmailAddress, NewPassword, PersonName, Role};
use infrapulse::startup::Application;

const PASSWORD: &str = "bench password bench password";

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let bench = common::BenchDb::new(dir.path(), 4)?;
    let started = Instant::now();
    {
        let mut conn = bench.pool.get()?;
        fill(&mut conn)?;
        let sealed = infrapulse::surveys::seal_closed_rounds(&mut conn)?;
        assert_eq!(sealed as i64, ROUNDS - 1);
        infrapulse::auth::accounts::create(
            &mut conn,
            &EmailAddress::parse("bench@example.com").map_err(anyhow::Error::msg)?,
            &PersonName::parse("Bench").map_err(anyhow::Error::msg)?,
            Role::Viewer,
            &NewPassword::parse(PASSWORD.into()).map_err(anyhow::Error::msg)?,
            SystemClock.now(),
        )?;
    }
    println!(
        "{} answers in {ROUNDS} rounds of {TOOLS} tools, {} sealed: set up in {:.0} s",
        TOOLS * ROUNDS * RESPONSES,
        ROUNDS - 1,
        started.elapsed().as_secs_f64()
    );
    let requests: usize = std::env::var("REQUESTS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200);

    let data_dir = dir.path().to_str().expect("a UTF-8 path").to_owned();
    let config = Config::from_lookup(|k| match k {
        "DATA_DIR" => Some(data_dir.clone()),
        "BIND" => Some("127.0.0.1:0".into()),
        "RUST_LOG" => Some("warn".into()),
        _ => None,
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let pool = bench.pool.clone();
    let (pages, raw) = runtime.block_on(async move {
        let app = Application::build_with_pool(config, pool.clone(), Arc::new(SystemClock))?;
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let client = common::signed_in(&base, "bench@example.com", PASSWORD).await?;
        let mut pages = Vec::new();
        for (name, path) in [
            ("Results page (tool-3, 20 rounds)", "/tools/tool-3/results"),
            ("Dashboard", "/"),
        ] {
            let url = format!("{base}{path}");
            let html = client.get(&url).send().await?.text().await?;
            anyhow::ensure!(html.contains("<svg"), "{name} draws its charts");
            let mut times = Vec::with_capacity(requests);
            for _ in 0..requests {
                let t = Instant::now();
                let res = client.get(&url).send().await?;
                anyhow::ensure!(res.status().is_success(), "{name}: {}", res.status());
                res.bytes().await?;
                times.push(t.elapsed());
            }
            pages.push((name, times));
        }
        // The same rows, grouped by the database alone: a tool's 20 rounds,
        // and the two rounds the dashboard compares.
        let raw = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
            let mut conn = pool.get()?;
            let mut out = Vec::new();
            for (name, sql) in [
                (
                    "raw GROUP BY: tool-3 over 20 rounds (100,000 rows)",
                    "SELECT round_id, COUNT(*), AVG(security), AVG(reliability), AVG(usability), \
                     AVG(efficiency), AVG(latency), AVG(satisfaction), SUM(hours_lost) \
                     FROM tool_answers WHERE tool_id = (SELECT id FROM tools WHERE slug = 'tool-3') \
                     AND not_used = FALSE GROUP BY round_id"
                        .to_owned(),
                ),
                (
                    "raw GROUP BY: 10 tools x 2 rounds (100,000 rows)",
                    format!(
                        "SELECT round_id, tool_id, COUNT(*), AVG(security), AVG(reliability), AVG(usability), \
                         AVG(efficiency), AVG(latency), AVG(satisfaction), SUM(hours_lost) \
                         FROM tool_answers WHERE round_id IN (SELECT id FROM rounds WHERE number IN ({}, {})) \
                         GROUP BY round_id, tool_id",
                        ROUNDS - 1,
                        ROUNDS - 2
                    ),
                ),
            ] {
                let mut times = Vec::with_capacity(requests);
                for _ in 0..requests {
                    let t = Instant::now();
                    conn.batch_execute(&sql)?;
                    times.push(t.elapsed());
                }
                out.push((name, times));
            }
            Ok(out)
        })
        .await??;
        Ok::<_, anyhow::Error>((pages, raw))
    })?;

    println!("\n| measurement | p50 | p99 | p50 / raw GROUP BY p50 |\n|---|---|---|---|");
    for ((name, times), (raw_name, raw_times)) in pages.iter().zip(&raw) {
        let (p50, p99) = percentiles(times);
        let (r50, r99) = percentiles(raw_times);
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {:.2} |",
            ms(p50),
            ms(p99),
            ms(p50) / ms(r50)
        );
        println!("| {raw_name} | {:.1} ms | {:.1} ms | |", ms(r50), ms(r99));
    }
    println!("\npeak resident memory: {:.0} MiB", common::peak_rss_mib());
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentiles(times: &[Duration]) -> (Duration, Duration) {
    let mut sorted = times.to_vec();
    sorted.sort();
    let at = |q: f64| sorted[((sorted.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99))
}
