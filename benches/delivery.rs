//! Delivery benchmark: a round that invites 10,000 engineers, opened through
//! `surveys::open_round` (which queues the emails), then sent by the same
//! `Courier` the server runs, over SMTP to a listener in this process.
//!
//!     cargo bench --bench delivery                     # SQLite in a temp folder
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1/postgres cargo bench --bench delivery
//!     SMTP_CONNECTIONS=32 cargo bench --bench delivery  # more connections
//!     BENCH_TO_FILES=1 cargo bench --bench delivery     # .eml files: no network
//!
//! Prints the time to open the round, emails per second, and peak memory.

mod common;
// The tests' SMTP listener; the benchmark uses a part of it.
#[allow(dead_code)]
#[path = "../tests/api/smtp.rs"]
mod smtp;

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use infrapulse::clock::{Clock, SystemClock};
use infrapulse::config::Config;
use infrapulse::db::programs::{self, ProgramFields};
use infrapulse::db::{self, tools};
use infrapulse::domain::directory::parse_named;
use infrapulse::domain::survey::Cadence;
use infrapulse::import::{self, Kind};
use infrapulse::mail::Mailer;
use infrapulse::mail::courier::Courier;

const TEAMS: usize = 100;
const MEMBERS: usize = 10_000;

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let bench = common::BenchDb::new(dir.path(), 8)?;
    let now = SystemClock.now();
    println!("backend: {}", bench.url.backend_name());
    let program = {
        let mut conn = bench.pool.get()?;
        organisation(&mut conn, now)?
    };

    // The listener runs on a thread of its own, as a mail server would.
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    let sink_thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let sink = smtp::SmtpSink::start_counting().await;
            port_tx.send(sink.url()).expect("the bench waits");
            let _ = done_rx.await;
            sink.received().len()
        })
    });
    let smtp_url = port_rx.recv()?;

    let keys = infrapulse::links::LinkKeys::new(&infrapulse::secret::Secret::new(
        "bench-secret-bench-secret-bench-secret-0123".to_owned(),
    ));
    let start = Instant::now();
    let (_, invited) = {
        let mut conn = bench.pool.get()?;
        infrapulse::surveys::open_round(&mut conn, &keys, &program, 3, None, now)
            .map_err(|e| anyhow::anyhow!("{e}"))?
    };
    let opened = start.elapsed();
    assert_eq!(invited, MEMBERS);
    println!(
        "open a round for {MEMBERS} (invitations + queued emails): {:.2} s",
        opened.as_secs_f64()
    );

    let data_dir = dir.path().to_str().expect("a UTF-8 path").to_owned();
    let config = Config::from_lookup(|k| match k {
        "DATA_DIR" => Some(data_dir.clone()),
        // BENCH_TO_FILES=1: the .eml file transport instead, to see what our
        // side costs without the network.
        "SMTP_URL" if std::env::var_os("BENCH_TO_FILES").is_none() => Some(smtp_url.clone()),
        "SMTP_CONNECTIONS" => std::env::var(k).ok(),
        _ => None,
    })?;
    println!(
        "transport: {}, {} in flight",
        if config.smtp_url.is_some() {
            "SMTP"
        } else {
            ".eml files"
        },
        config.smtp_connections
    );
    let report = actix_web::rt::System::new().block_on(async {
        let courier = Courier {
            pool: bench.pool.clone(),
            clock: Arc::new(SystemClock),
            mailer: Arc::new(Mailer::new(&config)?),
            metrics: infrapulse::metrics::Metrics::new(),
            base_url: config.base_url.clone(),
            keys: keys.clone(),
            // As the server: on SQLite, claims and outcomes go through its one writer.
            writer: infrapulse::db::writer::Writer::for_database(&bench.url)?,
        };
        let start = Instant::now();
        let report = courier.deliver_due().await?;
        let took = start.elapsed();
        let ours = report.sent as f64 / took.as_secs_f64();
        println!(
            "deliver {} emails: {:.2} s ({ours:.0} emails/s)",
            report.sent,
            took.as_secs_f64(),
        );
        if config.smtp_url.is_some() {
            let rate = bare_lettre(&smtp_url, config.smtp_connections as usize).await?;
            println!(
                "ceiling, bare lettre on TCP_NODELAY sockets, same listener, {} connections: \
                 {rate:.0} emails/s; ours / ceiling = {:.2}",
                config.smtp_connections,
                ours / rate
            );
        }
        Ok::<_, anyhow::Error>(report)
    })?;
    let _ = done_tx.send(());
    let received = sink_thread.join().expect("the listener thread");
    assert_eq!(report.sent, MEMBERS);
    if config.smtp_url.is_some() {
        assert_eq!(received, MEMBERS + CEILING, "each email arrived once");
    }
    println!(
        "peak resident memory: {:.0} MiB (the listener's share is small: it keeps envelopes only)",
        common::peak_rss_mib()
    );
    Ok(())
}

/// Emails the ceiling sends.
const CEILING: usize = 10_000;

/// The ceiling: lettre alone, `connections` connections of our own with
/// TCP_NODELAY, each sending its share of one invitation-sized message in
/// a loop, no database and no templates. Emails per second.
async fn bare_lettre(url: &str, connections: usize) -> anyhow::Result<f64> {
    use lettre::transport::smtp::client::AsyncSmtpConnection;
    use lettre::transport::smtp::extension::ClientId;
    let addr = url.trim_start_matches("smtp://").to_owned();
    let message = lettre::Message::builder()
        .from("infrapulse <infrapulse@localhost>".parse()?)
        .to("someone@example.com".parse()?)
        .subject("Quarterly pulse: how are our tools treating you?")
        .body(format!("{}\r\n", "x".repeat(60)).repeat(50))?;
    let bytes = std::sync::Arc::new(message.formatted());
    let envelope = message.envelope().clone();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..connections {
        let (addr, bytes, envelope) = (addr.clone(), bytes.clone(), envelope.clone());
        let share = CEILING / connections + usize::from(i < CEILING % connections);
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(&addr).await?;
            stream.set_nodelay(true)?;
            let mut conn =
                AsyncSmtpConnection::connect_with_transport(Box::new(stream), &ClientId::default())
                    .await?;
            for _ in 0..share {
                conn.send(&envelope, &bytes).await?;
            }
            conn.quit().await?;
            Ok::<_, anyhow::Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(CEILING as f64 / start.elapsed().as_secs_f64())
}

/// 10,000 members in 100 teams, one tool all of them rely on, one program.
fn organisation(
    conn: &mut db::DbConnection,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<programs::Program> {
    let members = common::members_csv(MEMBERS, TEAMS);
    import::commit(
        conn,
        Kind::Members,
        members.as_bytes(),
        true,
        import::Surface::Cli,
        now,
        &mut |_, _| {},
    )?;
    let owner = db::teams::find_by_slug(conn, "team-0")?
        .expect("team-0 was created")
        .id;
    let named = parse_named("CI", "ci", "").map_err(|e| anyhow::anyhow!("{e:?}"))?;
    tools::insert(
        conn,
        &tools::ToolFields {
            named: &named,
            category: "developer_tools",
            owner_team_id: owner,
        },
        now,
    )?;
    let mut adoption = String::from("team,tool,business_critical\n");
    for team in 0..TEAMS {
        let _ = writeln!(adoption, "team-{team},ci,yes");
    }
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
    let id = programs::save(
        conn,
        None,
        &ProgramFields {
            slug: "pulse",
            name: "Quarterly pulse",
            intro: "",
            all_infra_tools: true,
            all_using_teams: true,
            cadence: &cadence,
            open_days: 14,
            reminder_days: "3, 7",
            anonymity_k: 5,
            paused: false,
            thank_on_close: false,
        },
        &[],
        &[],
        now,
    )?;
    programs::find(conn, id)?.ok_or_else(|| anyhow::anyhow!("the program vanished"))
}
