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

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use diesel::connection::SimpleConnection;
use infrapulse::clock::{Clock, SystemClock};
use infrapulse::config::Config;
use infrapulse::db::DbConnection;
use infrapulse::domain::account::{EmailAddress, NewPassword, PersonName, Role};
use infrapulse::startup::Application;

const TOOLS: i64 = 10;
const ROUNDS: i64 = 20;
const RESPONSES: i64 = 5_000;
const TEAMS: i64 = 20;
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
        let client = reqwest::Client::builder().cookie_store(true).build()?;
        let login = client.get(format!("{base}/login")).send().await?.text().await?;
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
                ("email", "bench@example.com"),
                ("password", PASSWORD),
            ])
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "sign-in: {}", res.status());
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

/// Teams, tools, one program and its rounds, and a million answers, written
/// with set-based SQL (the app's own paths would take an hour here).
fn fill(conn: &mut DbConnection) -> anyhow::Result<()> {
    let pg = matches!(conn, DbConnection::Postgresql(_));
    let now = SystemClock.now();
    let t = |d: TimeDelta| format!("'{}'", (now + d).format("%Y-%m-%d %H:%M:%S"));
    let mut sql = String::new();
    for i in 0..TEAMS {
        sql.push_str(&format!(
            "INSERT INTO teams (slug, name, description, active, created_at, updated_at) \
             VALUES ('team-{i}', 'Team {i}', '', TRUE, {now}, {now});",
            now = t(TimeDelta::zero())
        ));
    }
    for i in 0..TOOLS {
        sql.push_str(&format!(
            "INSERT INTO tools (slug, name, description, category, owner_team_id, active, created_at, updated_at) \
             VALUES ('tool-{i}', 'Tool {i}', '', 'developer_tools', 1, TRUE, {now}, {now});",
            now = t(TimeDelta::zero())
        ));
    }
    sql.push_str(&format!(
        "INSERT INTO programs (slug, name, cadence_kind, cadence_weeks, open_days, created_at, updated_at) \
         VALUES ('pulse', 'Pulse', 'weeks', 2, 10, {c}, {c});",
        c = t(TimeDelta::weeks(-2 * ROUNDS))
    ));
    conn.batch_execute(&sql)?;
    for round in 1..=ROUNDS {
        let opens = TimeDelta::weeks(2 * (round - ROUNDS)) - TimeDelta::days(1);
        let open_now = round == ROUNDS;
        let closes = if open_now {
            TimeDelta::days(9)
        } else {
            opens + TimeDelta::days(10)
        };
        let closed_at = if open_now { "NULL".into() } else { t(closes) };
        let random_id = if pg {
            "1 + floor(random() * 9.2e18)::BIGINT"
        } else {
            "(random() & 9223372036854775807)"
        };
        let series = if pg {
            format!("generate_series(1, {RESPONSES}) AS n(i)")
        } else {
            format!(
                "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {RESPONSES}) SELECT i FROM s) AS n"
            )
        };
        let batch = format!(
            "BEGIN;
             INSERT INTO rounds (program_id, number, period_key, program_name, intro, reminder_days,
                 anonymity_k, opens_at, closes_at, created_at, thank_on_close, closed_at)
               VALUES (1, {round}, 'r{round}', 'Pulse', '', '', 5, {opens}, {closes}, {opens}, FALSE, {closed_at});
             INSERT INTO round_tools (round_id, tool_id, position, slug, name, invited)
               SELECT {round}, id, id, slug, name, {invited} FROM tools;
             INSERT INTO responses (id, round_id, team_id, respondent_key)
               SELECT {random_id}, {round}, 1 + i % {TEAMS}, 'key-{round}-' || i FROM {series};
             INSERT INTO tool_answers (response_id, tool_id, not_used, security, reliability, usability,
                 efficiency, latency, satisfaction, hours_lost, pain, proposal, round_id, team_id)
               SELECT r.id, t.id, FALSE,
                      1 + (r.id % 97 + t.id) % 5, 1 + (r.id % 89 + t.id * 3) % 5,
                      1 + (r.id % 83 + t.id * 7) % 5, 1 + (r.id % 79 + t.id) % 5,
                      1 + (r.id % 73 + t.id * 11) % 5, 1 + (r.id % 71 + t.id * 13) % 5,
                      r.id % 40, 'Builds are slow on Mondays', 'Cache the dependencies',
                      r.round_id, r.team_id
               FROM responses r CROSS JOIN tools t WHERE r.round_id = {round};
             COMMIT;",
            opens = t(opens),
            closes = t(closes),
            invited = RESPONSES * 5 / 4,
        );
        conn.batch_execute(&batch)?;
    }
    // Fresh statistics and visibility, as autovacuum keeps a database in
    // service (PostgreSQL's index-only scans need the visibility map).
    conn.batch_execute(if pg { "VACUUM ANALYZE" } else { "ANALYZE" })?;
    Ok(())
}
