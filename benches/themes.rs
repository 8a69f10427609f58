//! Themes at scale.
//!
//! 1. Theming 100,000 comments of one tool (50,000 answers, each with a pain
//!    and a proposal, written from the labelled corpus's templates with its
//!    typos and prefixes): a full grouping, then 100 new answers joining
//!    incrementally.
//! 2. The priorities page at 1,000,000 answers (10 tools x 20 rounds x
//!    5,000 responses, comments from a handful of phrasings), over HTTP
//!    against the real server, beside the raw query for the same rows.
//!
//! Run with:
//!
//!     cargo bench --bench themes                                    # SQLite
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench themes
//!
//! REQUESTS (default 200) sets how many page loads are timed.

mod common;
#[allow(dead_code)]
#[path = "../tests/api/corpus.rs"]
mod corpus;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use diesel::connection::SimpleConnection;
use infrapulse::analytics::themes::{Mode, ensure_fresh, refresh, refresh_stale};
use infrapulse::clock::{Clock, SystemClock};
use infrapulse::config::Config;
use infrapulse::db::DbConnection;
use infrapulse::domain::account::{EmailAddress, NewPassword, PersonName, Role};
use infrapulse::startup::Application;

const PASSWORD: &str = "bench password bench password";

fn main() -> anyhow::Result<()> {
    theming()?;
    if std::env::var("ONLY_THEMING").is_ok() {
        return Ok(());
    }
    priorities()?;
    println!("\npeak resident memory: {:.0} MiB", common::peak_rss_mib());
    Ok(())
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn is_pg(conn: &DbConnection) -> bool {
    matches!(conn, DbConnection::Postgresql(_))
}

/// A team, `tools` tools, a program and its first round.
fn skeleton(conn: &mut DbConnection, tools: i64, rounds: i64) -> anyhow::Result<()> {
    let now = SystemClock.now();
    let t = |d: TimeDelta| format!("'{}'", (now + d).format("%Y-%m-%d %H:%M:%S"));
    let mut sql = format!(
        "INSERT INTO teams (slug, name, description, active, created_at, updated_at) \
         VALUES ('team-0', 'Team 0', '', TRUE, {n}, {n});",
        n = t(TimeDelta::zero())
    );
    for i in 0..tools {
        sql.push_str(&format!(
            "INSERT INTO tools (slug, name, description, category, owner_team_id, active, created_at, updated_at) \
             VALUES ('tool-{i}', 'Tool {i}', '', 'developer_tools', 1, TRUE, {n}, {n});",
            n = t(TimeDelta::zero())
        ));
    }
    sql.push_str(&format!(
        "INSERT INTO programs (slug, name, cadence_kind, cadence_weeks, open_days, created_at, updated_at) \
         VALUES ('pulse', 'Pulse', 'weeks', 2, 10, {c}, {c});",
        c = t(TimeDelta::weeks(-2 * rounds))
    ));
    for round in 1..=rounds {
        let opens = TimeDelta::weeks(2 * (round - rounds)) - TimeDelta::days(1);
        let closes = if round == rounds {
            TimeDelta::days(9)
        } else {
            opens + TimeDelta::days(10)
        };
        sql.push_str(&format!(
            "INSERT INTO rounds (program_id, number, period_key, program_name, intro, reminder_days,
                 anonymity_k, opens_at, closes_at, created_at, thank_on_close, closed_at)
               VALUES (1, {round}, 'r{round}', 'Pulse', '', '', 5, {o}, {c}, {o}, FALSE, {closed});
             INSERT INTO round_tools (round_id, tool_id, position, slug, name, invited)
               SELECT {round}, id, id, slug, name, 6000 FROM tools;",
            o = t(opens),
            c = t(closes),
            closed = if round == rounds { "NULL".into() } else { t(closes) },
        ));
    }
    conn.batch_execute(&sql)?;
    Ok(())
}

/// Writes answers of tool 1 in round 1: (response id, pain, proposal, reliability, hours).
fn insert_answers(
    conn: &mut DbConnection,
    rows: &[(i64, String, String, i64, i64)],
) -> anyhow::Result<()> {
    for chunk in rows.chunks(500) {
        let responses: Vec<String> = chunk
            .iter()
            .map(|(id, ..)| format!("({id}, 1, 1, 'k{id}')"))
            .collect();
        let answers: Vec<String> = chunk
            .iter()
            .map(|(id, pain, proposal, reliability, hours)| {
                format!(
                    "({id}, 1, FALSE, 4, {reliability}, 4, 3, 3, 3, {hours}, {}, {}, 1, 1)",
                    quote(pain),
                    quote(proposal)
                )
            })
            .collect();
        conn.batch_execute(&format!(
            "BEGIN;
             INSERT INTO responses (id, round_id, team_id, respondent_key) VALUES {};
             INSERT INTO tool_answers (response_id, tool_id, not_used, security, reliability, usability,
                 efficiency, latency, satisfaction, hours_lost, pain, proposal, round_id, team_id) VALUES {};
             COMMIT;",
            responses.join(","),
            answers.join(",")
        ))?;
    }
    Ok(())
}

/// 1: 100,000 comments of one tool.
fn theming() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let bench = common::BenchDb::new(dir.path(), 2)?;
    let mut conn = bench.pool.get()?;
    skeleton(&mut conn, 1, 1)?;
    let tools = corpus::tools();
    let mongo = &tools[0];
    let mut rng = corpus::Rng::new(42);
    let answer = |rng: &mut corpus::Rng, i: i64| {
        let pain = rng.below(mongo.pains.len());
        let proposal = rng.below(mongo.proposals.len());
        let reliability = if pain == 0 {
            rng.range(1, 2)
        } else {
            rng.range(3, 5)
        };
        (
            1_000_000 + i,
            corpus::write(&mongo.pains, pain, rng),
            corpus::write(&mongo.proposals, proposal, rng),
            reliability,
            rng.range(0, 12),
        )
    };
    let rows: Vec<_> = (0..50_000).map(|i| answer(&mut rng, i)).collect();
    let started = Instant::now();
    insert_answers(&mut conn, &rows)?;
    println!(
        "50,000 answers (100,000 comments) of one tool written in {:.0} s ({})",
        started.elapsed().as_secs_f64(),
        if is_pg(&conn) { "PostgreSQL" } else { "SQLite" }
    );
    let t = Instant::now();
    refresh(&mut conn, 1, Mode::Full)?;
    let full = t.elapsed();
    let themes = infrapulse::db::themes::of_tool(&mut conn, 1)?;
    let digest = grouping_digest(&mut conn)?;
    let t = Instant::now();
    ensure_fresh(&mut conn, Some(&[1]))?;
    let nothing_new = t.elapsed();
    let more: Vec<_> = (50_000..50_100).map(|i| answer(&mut rng, i)).collect();
    insert_answers(&mut conn, &more)?;
    let t = Instant::now();
    refresh(&mut conn, 1, Mode::Incremental)?;
    let incremental = t.elapsed();
    println!("\n| theming one tool | time |\n|---|---|");
    println!(
        "| 100,000 comments, grouped from scratch ({} themes) | {:.2} s |",
        themes.len(),
        full.as_secs_f64()
    );
    println!("| (the grouping's digest, to compare builds: {digest:016x}) | |");
    println!(
        "| nothing new (one indexed lookup) | {:.1} ms |",
        ms(nothing_new)
    );
    println!(
        "| 100 new answers joining the themes | {:.2} s |",
        incremental.as_secs_f64()
    );
    Ok(())
}

/// A digest of which comments share a theme and what it is called: equal
/// between two builds when they group to the bit alike.
fn grouping_digest(conn: &mut DbConnection) -> anyhow::Result<u64> {
    use diesel::prelude::*;
    use infrapulse::db::schema::{theme_members, themes};
    use std::hash::{Hash, Hasher};
    let mut rows: Vec<(i64, String, String, String)> = theme_members::table
        .inner_join(themes::table)
        .select((
            theme_members::response_id,
            theme_members::kind,
            themes::label,
            theme_members::reason,
        ))
        .load(conn)?;
    rows.sort();
    let mut hasher = std::hash::DefaultHasher::new();
    rows.hash(&mut hasher);
    Ok(hasher.finish())
}

/// 2: the priorities page at a million answers.
fn priorities() -> anyhow::Result<()> {
    const TOOLS: i64 = 10;
    const ROUNDS: i64 = 20;
    const RESPONSES: i64 = 5_000;
    let dir = tempfile::tempdir()?;
    let bench = common::BenchDb::new(dir.path(), 4)?;
    let started = Instant::now();
    {
        let mut conn = bench.pool.get()?;
        skeleton(&mut conn, TOOLS, ROUNDS)?;
        let pg = is_pg(&conn);
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
        // A handful of phrasings per kind, as a large organisation's
        // answers repeat themselves.
        let pains = [
            "Builds are slow on Mondays",
            "Flaky tests fail the pipeline at random",
            "Noisy neighbours on the shared cluster",
            "The YAML config is confusing",
            "Secrets are rotated by hand",
        ];
        let proposals = [
            "Cache the dependencies between builds",
            "Quarantine flaky tests automatically",
            "Rewrite it on Postgres",
            "Better docs with examples",
            "Rotate secrets automatically",
        ];
        let case = |texts: &[&str], salt: i64| {
            let arms: String = texts
                .iter()
                .enumerate()
                .map(|(i, t)| format!(" WHEN {i} THEN {}", quote(t)))
                .collect();
            format!(
                "CASE (r.id % 7 + t.id * {salt}) % {} {arms} END",
                texts.len()
            )
        };
        for round in 1..=ROUNDS {
            conn.batch_execute(&format!(
                "BEGIN;
                 INSERT INTO responses (id, round_id, team_id, respondent_key)
                   SELECT {random_id}, {round}, 1, 'key-{round}-' || i FROM {series};
                 INSERT INTO tool_answers (response_id, tool_id, not_used, security, reliability, usability,
                     efficiency, latency, satisfaction, hours_lost, pain, proposal, round_id, team_id)
                   SELECT r.id, t.id, FALSE,
                          1 + (r.id % 97 + t.id) % 5, 1 + (r.id % 89 + t.id * 3) % 5,
                          1 + (r.id % 83 + t.id * 7) % 5, 1 + (r.id % 79 + t.id) % 5,
                          1 + (r.id % 73 + t.id * 11) % 5, 1 + (r.id % 71 + t.id * 13) % 5,
                          r.id % 40, {}, {}, r.round_id, r.team_id
                   FROM responses r CROSS JOIN tools t WHERE r.round_id = {round};
                 COMMIT;",
                case(&pains, 1),
                case(&proposals, 3),
            ))?;
        }
        conn.batch_execute(if pg { "VACUUM ANALYZE" } else { "ANALYZE" })?;
        let t = Instant::now();
        let refreshed = refresh_stale(&mut conn)?;
        println!(
            "\n{} answers written in {:.0} s; {refreshed} tools themed in {:.0} s",
            TOOLS * ROUNDS * RESPONSES,
            (t - started).as_secs_f64(),
            t.elapsed().as_secs_f64()
        );
        infrapulse::auth::accounts::create(
            &mut conn,
            &EmailAddress::parse("bench@example.com").map_err(anyhow::Error::msg)?,
            &PersonName::parse("Bench").map_err(anyhow::Error::msg)?,
            Role::Viewer,
            &NewPassword::parse(PASSWORD.into()).map_err(anyhow::Error::msg)?,
            SystemClock.now(),
        )?;
    }
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
    let (page, raw) = runtime.block_on(async move {
        let app = Application::build_with_pool(config, pool.clone(), Arc::new(SystemClock))?;
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let client = common::signed_in(&base, "bench@example.com", PASSWORD).await?;
        let url = format!("{base}/priorities");
        let html = client.get(&url).send().await?.text().await?;
        anyhow::ensure!(
            html.contains("data-theme="),
            "the priorities page lists themes"
        );
        let mut times = Vec::with_capacity(requests);
        for _ in 0..requests {
            let t = Instant::now();
            let res = client.get(&url).send().await?;
            anyhow::ensure!(res.status().is_success(), "priorities: {}", res.status());
            res.bytes().await?;
            times.push(t.elapsed());
        }
        // The rows the page stands for, grouped by the database alone:
        // comments per tool, round and text.
        let raw = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
            let mut conn = pool.get()?;
            let mut out = Vec::with_capacity(requests.min(20));
            for _ in 0..requests.min(20) {
                let t = Instant::now();
                conn.batch_execute(
                    "SELECT tool_id, round_id, pain, COUNT(*), AVG(reliability), SUM(hours_lost) \
                     FROM tool_answers GROUP BY tool_id, round_id, pain",
                )?;
                out.push(t.elapsed());
            }
            Ok(out)
        })
        .await??;
        Ok::<_, anyhow::Error>((times, raw))
    })?;
    let (p50, p99) = percentiles(&page);
    let (r50, r99) = percentiles(&raw);
    println!("\n| measurement | p50 | p99 |\n|---|---|---|");
    println!(
        "| Priorities page (1,000,000 answers) | {:.1} ms | {:.1} ms |",
        ms(p50),
        ms(p99)
    );
    println!(
        "| raw GROUP BY of every comment by tool, round, text | {:.0} ms | {:.0} ms |",
        ms(r50),
        ms(r99)
    );
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
