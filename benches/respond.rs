//! The respondent's path at load, beside its ceilings, in one run. The real
//! server runs in its own process (release binary, its peak memory read
//! from /proc); the load comes from this process on the same 2 cores, as
//! wrk did for the ceilings README.
//!
//! - form GET, 1 tool ("narrow" members) and 20 tools ("wide"), 64 clients;
//! - submit, 20 tools, 8 and 64 clients (every request a different link);
//! - form GET (1 tool, 32 clients) while submits (8 clients) run, beside
//!   the same GET alone;
//! - ceilings: a raw transaction of 1 `responses` + 20 `tool_answers` rows
//!   (SQLite: one writer thread; PostgreSQL: 8 clients), by
//!   `../shared/ceilings`' `sqlite_tx` and `pg_tx` when CEILING_SQLITE_TX and
//!   CEILING_PG_TX name them (prepared statements, no HTTP), else by a loop
//!   here of plain SQL text; and, when CEILING_RENDER names its `render`,
//!   the actix + tera + token lookup page of one tool and of 20.
//!
//! Run with:
//!
//!     cargo bench --bench respond                                    # SQLite
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench respond
//!
//! SECONDS (default 8) sets each measurement's length.

mod common;

use std::fmt::Write as _;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use infrapulse::clock::{Clock, SystemClock};
use infrapulse::db::programs::ProgramFields;
use infrapulse::db::{self, DatabaseUrl, DbConnection, rounds, tools};
use infrapulse::domain::directory::parse_named;
use infrapulse::domain::survey::Cadence;
use infrapulse::import::{self, Kind};
use infrapulse::links::LinkKeys;
use infrapulse::secret::Secret;

const SECRET: &str = "bench-secret-bench-secret-bench-secret-0123";
/// Members of the wide team (20 tools): enough that every submission of a
/// run (about 50,000 at this machine's rates) goes to a link of its own and
/// is a first answer, as the raw transaction it is measured against is.
const WIDE: usize = 64_000;
/// Members of the narrow team (1 tool).
const NARROW: usize = 2_000;
const TOOLS: usize = 20;

/// Links to answer with.
type Links = Arc<Vec<String>>;
/// Runs a batch of SQL on a connection of its own.
type Execute = Box<dyn FnMut(&str) -> anyhow::Result<()>>;

/// A measurement: requests done, and their latencies.
struct Run {
    done: usize,
    secs: f64,
    latencies: Vec<Duration>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.done as f64 / self.secs
    }

    fn p99_ms(&self) -> f64 {
        let mut l = self.latencies.clone();
        l.sort();
        l.get(((l.len() as f64 - 1.0) * 0.99).round() as usize)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    }
}

fn seconds() -> Duration {
    Duration::from_secs(
        std::env::var("SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(8),
    )
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let bench = common::BenchDb::new(dir.path(), 2)?;
    let keys = LinkKeys::new(&Secret::new(SECRET.to_owned()));
    let (narrow, wide) = {
        let mut conn = bench.pool.get()?;
        organisation(&mut conn, &keys)?
    };
    println!(
        "{} ({}): {} narrow links (1 tool), {} wide links ({TOOLS} tools)",
        bench.url.backend_name(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        narrow.len(),
        wide.len()
    );
    let url = match &bench.url {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data)?;
    let server = common::Server::start(|cmd| {
        cmd.env("DATABASE_URL", &url)
            .env("DATA_DIR", &data)
            .env("SECRET_KEY", SECRET);
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(128)
        .build()?;
    let body = submission();
    let get = |tokens: &Arc<Vec<String>>, c: usize| {
        let (client, base, tokens) = (client.clone(), server.base.clone(), tokens.clone());
        runtime.block_on(load(c, seconds(), move |i| {
            let req = client.get(format!("{base}/r/{}", tokens[i % tokens.len()]));
            async move { req.send().await.map(|r| r.status().is_success()) }
        }))
    };
    // Shared by every run of submissions, so that no link is posted twice.
    let posted = Arc::new(AtomicUsize::new(0));
    let post = |c: usize| {
        let (client, base, tokens, body, posted) = (
            client.clone(),
            server.base.clone(),
            wide.clone(),
            body.clone(),
            posted.clone(),
        );
        load(c, seconds(), move |_| {
            let i = posted.fetch_add(1, Ordering::Relaxed);
            let req = client
                .post(format!("{base}/r/{}", tokens[i % tokens.len()]))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.clone());
            async move { req.send().await.map(|r| r.status().as_u16() == 303) }
        })
    };

    println!("\n| path | ours | p99 | ceiling, same run | ratio |\n|---|---|---|---|---|");
    // The page of 1 tool and of 20, each rendered by the ceiling in turn.
    let ceiling_get: Vec<Run> = match std::env::var("CEILING_RENDER") {
        Ok(binary) => [1, TOOLS]
            .into_iter()
            .map(|tools| {
                let ceiling = Ceiling::render(&binary, dir.path(), tools)?;
                let tokens = Arc::new(ceiling.tokens.clone());
                let (client, base) = (client.clone(), ceiling.base.clone());
                Ok(runtime.block_on(load(64, seconds(), move |i| {
                    let req = client.get(format!("{base}/r/{}", tokens[i % tokens.len()]));
                    async move { req.send().await.map(|r| r.status().is_success()) }
                })))
            })
            .collect::<anyhow::Result<_>>()?,
        Err(_) => Vec::new(),
    };
    for (i, (name, tokens)) in [
        ("form GET, 1 tool, 64 clients", &narrow),
        ("form GET, 20 tools, 64 clients", &wide),
    ]
    .into_iter()
    .enumerate()
    {
        let run = get(tokens, 64);
        let ceiling = ceiling_get
            .get(i)
            .map_or(("".to_owned(), "".to_owned()), |c| {
                (
                    format!("actix + tera + lookup: {:.0} req/s", c.rate()),
                    format!("{:.2}", run.rate() / c.rate()),
                )
            });
        println!(
            "| {name} | {:.0} req/s | {:.1} ms | {} | {} |",
            run.rate(),
            run.p99_ms(),
            ceiling.0,
            ceiling.1
        );
    }
    let raw = match ceiling_transactions(&bench.url, dir.path())? {
        Some(rate) => rate,
        None => raw_transactions(&bench.url, seconds())?,
    };
    for clients in [8, 64] {
        let run = runtime.block_on(post(clients));
        println!(
            "| submit, 20 tools, {clients} clients | {:.0} req/s | {:.1} ms | raw 21-row transaction, {}: {:.0} tx/s | {:.2} |",
            run.rate(),
            run.p99_ms(),
            if matches!(bench.url, DatabaseUrl::Sqlite(_)) {
                "1 writer"
            } else {
                "8 clients"
            },
            raw,
            run.rate() / raw
        );
    }
    let alone = get(&narrow, 32);
    let during = runtime.block_on(async {
        let writes = tokio::spawn(post(8));
        let (client, base, tokens) = (client.clone(), server.base.clone(), narrow.clone());
        let reads = load(32, seconds(), move |i| {
            let req = client.get(format!("{base}/r/{}", tokens[i % tokens.len()]));
            async move { req.send().await.map(|r| r.status().is_success()) }
        })
        .await;
        let _ = writes.await;
        reads
    });
    println!(
        "| form GET, 1 tool, 32 clients, while submits run (8 clients) | {:.0} req/s | {:.1} ms | the same GET alone: {:.0} req/s, p99 {:.1} ms | p99 {:.2}x |",
        during.rate(),
        during.p99_ms(),
        alone.rate(),
        alone.p99_ms(),
        during.p99_ms() / alone.p99_ms()
    );
    let posted = posted.load(Ordering::Relaxed);
    if posted > wide.len() {
        println!(
            "\n{} of {posted} submissions went to links answered before (edits)",
            posted - wide.len()
        );
    }
    println!(
        "\nserver peak resident memory: {:.0} MiB",
        server.peak_rss_mib()
    );
    Ok(())
}

/// `clients` loops sending `request(i)` for `length`; counts successes.
async fn load<F, Fut>(clients: usize, length: Duration, request: F) -> Run
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = reqwest::Result<bool>> + Send,
{
    let request = Arc::new(request);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + length;
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (request, next) = (request.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut done = 0;
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                if matches!(request(i).await, Ok(true)) {
                    done += 1;
                    latencies.push(t.elapsed());
                }
            }
            (done, latencies)
        }));
    }
    let mut run = Run {
        done: 0,
        secs: 0.0,
        latencies: Vec::new(),
    };
    for t in tasks {
        let (done, latencies) = t.await.expect("a load task");
        run.done += done;
        run.latencies.extend(latencies);
    }
    run.secs = start.elapsed().as_secs_f64();
    run
}

fn members_csv() -> String {
    let mut csv = String::from("email,name,team\n");
    for i in 0..WIDE + NARROW {
        let team = usize::from(i >= WIDE);
        let _ = writeln!(csv, "person{i}@example.com,Person Number {i},Team {team}");
    }
    csv
}

/// Every tool of the wide form rated, with comments.
fn submission() -> String {
    let mut body = String::new();
    for t in 0..TOOLS {
        for (field, value) in [
            ("security", "4"),
            ("reliability", "2"),
            ("usability", "3"),
            ("efficiency", "3"),
            ("latency", "1"),
            ("satisfaction", "2"),
            ("hours_lost", "5"),
            ("pain", "Deploys+stall+at+the+canary+step"),
            ("proposal", "Cache+the+images"),
        ] {
            let _ = write!(body, "t.tool-{t}.{field}={value}&");
        }
    }
    body.pop();
    body
}

/// Two teams: team-0 (`WIDE` members) uses all 20 tools, team-1 (`NARROW`)
/// only tool-0; a program asking about all 20; its round open. The links
/// of each team: (narrow, wide).
fn organisation(conn: &mut DbConnection, keys: &LinkKeys) -> anyhow::Result<(Links, Links)> {
    let now = SystemClock.now();
    import::commit(
        conn,
        Kind::Members,
        members_csv().as_bytes(),
        true,
        import::Surface::Cli,
        now,
        &mut |_, _| {},
    )?;
    let owner = db::teams::find_by_slug(conn, "team-0")?
        .expect("team-0 was created")
        .id;
    let mut adoption = String::from("team,tool,business_critical\n");
    let mut tool_ids = Vec::new();
    for t in 0..TOOLS {
        let named = parse_named(&format!("Tool {t}"), &format!("tool-{t}"), "")
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let tool = tools::insert(
            conn,
            &tools::ToolFields {
                named: &named,
                category: "developer_tools",
                owner_team_id: owner,
            },
            now,
        )?;
        tool_ids.push(tool.id);
        let _ = writeln!(adoption, "team-0,tool-{t},yes");
    }
    let _ = writeln!(adoption, "team-1,tool-0,yes");
    import::commit(
        conn,
        Kind::Adoption,
        adoption.as_bytes(),
        false,
        import::Surface::Cli,
        now,
        &mut |_, _| {},
    )?;
    let cadence = Cadence::EveryWeeks(13);
    let id = db::programs::save(
        conn,
        None,
        &ProgramFields {
            slug: "pulse",
            name: "Quarterly pulse",
            intro: "",
            all_infra_tools: false,
            all_using_teams: true,
            cadence: &cadence,
            open_days: 14,
            reminder_days: "3, 7",
            anonymity_k: 5,
            paused: false,
            thank_on_close: false,
        },
        &tool_ids,
        &[],
        now,
    )?;
    let program = db::programs::find(conn, id)?.expect("just saved");
    let (round, _) = infrapulse::surveys::open_round(conn, keys, &program, 1, None, now)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let wide_team = owner;
    let (mut narrow, mut wide) = (Vec::new(), Vec::new());
    for inv in rounds::invitations(conn, round.id)? {
        let token = keys
            .token_of(inv.token_seed.as_deref(), inv.legacy_token.as_deref())
            .expect("a link");
        if inv.team_id == wide_team {
            wide.push(token);
        } else {
            narrow.push(token);
        }
    }
    Ok((Arc::new(narrow), Arc::new(wide)))
}

/// The ceilings README's own programs, when named: transactions per second.
fn ceiling_transactions(url: &DatabaseUrl, dir: &std::path::Path) -> anyhow::Result<Option<f64>> {
    let secs = seconds().as_secs().to_string();
    let out = match url {
        DatabaseUrl::Sqlite(_) => {
            let Ok(binary) = std::env::var("CEILING_SQLITE_TX") else {
                return Ok(None);
            };
            Command::new(binary)
                .env("DB", dir.join("ceil-tx.db"))
                .env("THREADS", "1")
                .env("ROWS", "20")
                .env("SECS", &secs)
                .output()?
        }
        DatabaseUrl::Postgres(_) => {
            let (Ok(binary), Ok(admin)) = (
                std::env::var("CEILING_PG_TX"),
                std::env::var("BENCH_DATABASE_URL"),
            ) else {
                return Ok(None);
            };
            let name = format!("ceil_{}", uuid::Uuid::new_v4().simple());
            let mut conn = diesel::PgConnection::establish(&admin)?;
            diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn)?;
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            let out = Command::new(binary)
                .env("PG_URL", format!("{base}/{name}"))
                .env("CLIENTS", "8")
                .env("ROWS", "20")
                .env("SECS", &secs)
                .output();
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)?;
            out?
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let rate = text
        .split(" = ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse::<f64>().ok());
    anyhow::ensure!(rate.is_some(), "cannot read the ceiling's output: {text}");
    Ok(rate)
}

/// Raw transactions of infrapulse's shape, nothing else: 1 `responses` row
/// and 20 `tool_answers` rows each, committed durably. SQLite: one thread
/// (SQLite's one writer); PostgreSQL: 8 threads. Transactions per second.
fn raw_transactions(url: &DatabaseUrl, length: Duration) -> anyhow::Result<f64> {
    let (threads, conn_url) = match url {
        DatabaseUrl::Sqlite(path) => (1, path.display().to_string()),
        DatabaseUrl::Postgres(u) => (8, db::local_without_tls(u)),
    };
    let pg = matches!(url, DatabaseUrl::Postgres(_));
    let round: i64 = {
        let mut c = db::connect(url, 1)?.get()?;
        infrapulse::db::schema::rounds::table
            .select(infrapulse::db::schema::rounds::id)
            .get_result(&mut *c)?
    };
    let deadline = Instant::now() + length;
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let conn_url = conn_url.clone();
            std::thread::spawn(move || -> anyhow::Result<usize> {
                let mut n = 0usize;
                let mut sql_conn: Execute = if pg {
                    let mut c = diesel::PgConnection::establish(&conn_url)?;
                    Box::new(move |sql: &str| Ok(diesel::connection::SimpleConnection::batch_execute(&mut c, sql)?))
                } else {
                    let mut c = diesel::SqliteConnection::establish(&conn_url)?;
                    diesel::connection::SimpleConnection::batch_execute(
                        &mut c,
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                    )?;
                    Box::new(move |sql: &str| Ok(diesel::connection::SimpleConnection::batch_execute(&mut c, sql)?))
                };
                while Instant::now() < deadline {
                    let id = 1_000_000_000_000 + (t as i64) * 100_000_000 + n as i64;
                    let mut sql = format!(
                        "{}; INSERT INTO responses (id, round_id, team_id, respondent_key) VALUES ({id}, {round}, 1, 'raw-{id}');",
                        if pg { "BEGIN" } else { "BEGIN IMMEDIATE" }
                    );
                    for tool in 1..=TOOLS {
                        let _ = write!(
                            sql,
                            "INSERT INTO tool_answers (response_id, tool_id, not_used, security, reliability, usability, efficiency, latency, satisfaction, hours_lost, pain, proposal, round_id, team_id) \
                             VALUES ({id}, {tool}, FALSE, 4, 2, 3, 3, 1, 2, 5, 'Deploys stall at the canary step', 'Cache the images', {round}, 1);"
                        );
                    }
                    sql.push_str("COMMIT;");
                    sql_conn(&sql)?;
                    n += 1;
                }
                Ok(n)
            })
        })
        .collect();
    let mut total = 0;
    for h in handles {
        total += h.join().expect("a raw thread")?;
    }
    Ok(total as f64 / start.elapsed().as_secs_f64())
}

/// `../shared/ceilings`' `render`: actix + tera + a token looked up in a
/// 100k-row SQLite table, a page of `tools` tools in our form's markup.
struct Ceiling {
    child: Child,
    base: String,
    tokens: Vec<String>,
}

impl Ceiling {
    fn render(binary: &str, dir: &std::path::Path, tools: usize) -> anyhow::Result<Ceiling> {
        let port = common::free_port()?;
        let tokens = dir.join(format!("ceil-tokens-{tools}.txt"));
        let child = Command::new(binary)
            .env("DB", dir.join(format!("ceil-render-{tools}.db")))
            .env("ROWS", "100000")
            .env("TOOLS", tools.to_string())
            .env("PAD", "0")
            .env("BIND", format!("127.0.0.1:{port}"))
            .env("TOKENS_OUT", &tokens)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        // It writes its tokens, then listens: wait until it answers.
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(120);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            anyhow::ensure!(Instant::now() < deadline, "render did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let tokens = std::fs::read_to_string(tokens)?
            .lines()
            .take(10_000)
            .map(str::to_owned)
            .collect();
        Ok(Ceiling {
            child,
            base,
            tokens,
        })
    }
}

impl Drop for Ceiling {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
