//! Import benchmark: 10,000 members and 20,000 adoption rows, through the
//! same `import::commit` the CLI and the upload form use.
//!
//!     cargo bench --bench import                       # SQLite in a temp folder
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1/postgres cargo bench --bench import
//!
//! Prints wall time per step and the process's peak resident memory.

mod common;

use std::fmt::Write as _;
use std::time::Instant;

use infrapulse::clock::{Clock, SystemClock};
use infrapulse::db::{self, tools};
use infrapulse::domain::directory::parse_named;
use infrapulse::import::{self, Kind};

const TEAMS: usize = 200;
const TOOLS: usize = 100;
const MEMBERS: usize = 10_000;

/// Every team uses every tool: 200 x 100 = 20,000 rows.
fn adoption_csv() -> String {
    let mut csv = String::from("team,tool,business_critical\n");
    for team in 0..TEAMS {
        for tool in 0..TOOLS {
            let _ = writeln!(csv, "team-{team},tool-{tool},{}", (team + tool) % 3 == 0);
        }
    }
    csv
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let bench = common::BenchDb::new(dir.path(), 2)?;
    let (url, pool) = (&bench.url, &bench.pool);
    let mut conn = pool.get()?;
    let now = SystemClock.now();

    println!("backend: {}", url.backend_name());
    let members = common::members_csv(MEMBERS, TEAMS);
    let start = Instant::now();
    let outcome = import::commit(
        &mut conn,
        Kind::Members,
        members.as_bytes(),
        true,
        import::Surface::Cli,
        now,
        &mut |_, _| {},
    )?;
    let cold = start.elapsed();
    assert_eq!(outcome.created, MEMBERS);
    println!(
        "members, {MEMBERS} new rows + {TEAMS} new teams: {:.2} s ({:.0} rows/s)",
        cold.as_secs_f64(),
        MEMBERS as f64 / cold.as_secs_f64()
    );

    let start = Instant::now();
    let outcome = import::commit(
        &mut conn,
        Kind::Members,
        members.as_bytes(),
        false,
        import::Surface::Cli,
        now,
        &mut |_, _| {},
    )?;
    let again = start.elapsed();
    assert_eq!(outcome.unchanged, MEMBERS);
    println!(
        "members, same file again (all unchanged): {:.2} s",
        again.as_secs_f64()
    );

    let owner = db::teams::find_by_slug(&mut conn, "team-0")?
        .expect("team-0 was created")
        .id;
    for i in 0..TOOLS {
        let named = parse_named(&format!("Tool {i}"), &format!("tool-{i}"), "")
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let fields = tools::ToolFields {
            named: &named,
            category: "developer_tools",
            owner_team_id: owner,
        };
        tools::insert(&mut conn, &fields, now)?;
    }

    let adoption = adoption_csv();
    let start = Instant::now();
    let outcome = import::commit(
        &mut conn,
        Kind::Adoption,
        adoption.as_bytes(),
        false,
        import::Surface::Cli,
        now,
        &mut |_, _| {},
    )?;
    let took = start.elapsed();
    assert_eq!(outcome.created, TEAMS * TOOLS);
    println!(
        "adoption, {} new rows: {:.2} s ({:.0} rows/s)",
        TEAMS * TOOLS,
        took.as_secs_f64(),
        (TEAMS * TOOLS) as f64 / took.as_secs_f64()
    );
    println!("peak resident memory: {:.0} MiB", common::peak_rss_mib());

    Ok(())
}
