//! "An acknowledged answer survives a crash", tried as a crash would: the
//! real server binary takes submissions from every invited member at once
//! and is killed with SIGKILL halfway; every submission it acknowledged is
//! then in the database, whole. On SQLite this is the group commit's
//! promise (`db::writer`): a reply only after the COMMIT.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::prelude::*;
use infrapulse::db::schema::tool_answers;

use crate::helpers::TestDb;

fn infrapulse(dir: &std::path::Path, db: &TestDb) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_infrapulse"));
    cmd.env_clear()
        .env("DATA_DIR", dir)
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "error")
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

/// Every link the demo's invitations carry.
fn links(mail: &std::path::Path) -> Vec<String> {
    let mut tokens = BTreeSet::new();
    for entry in std::fs::read_dir(mail).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let text = text.replace("=\r\n", "");
        for (at, _) in text.match_indices("/r/") {
            let token: String = text[at + 3..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if token.len() >= 16 {
                tokens.insert(token);
            }
        }
    }
    tokens.into_iter().collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The real server on `db` without its scheduler, and its base URL, once
/// it says it serves: that line is waited for, not time.
fn serve(dir: &std::path::Path, db: &TestDb) -> (std::process::Child, String) {
    let port = free_port();
    let mut server = infrapulse(dir, db)
        .args(["serve", "--no-scheduler"])
        .env("BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = server.stdout.take().unwrap();
    let ready = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|l| l.contains("is serving at"));
    assert!(ready, "the server did not start");
    (server, format!("http://127.0.0.1:{port}"))
}

/// What to post to a form page: its first tool answered with `pain` as the
/// pain point, every other tool marked not used; and how many tools it
/// asks about.
fn answer_first_tool(page: &str, pain: &str) -> (Vec<(String, String)>, usize) {
    let mut slugs: Vec<String> = page
        .match_indices("name=\"t.")
        .map(|(at, m)| {
            let rest = &page[at + m.len()..];
            rest[..rest.find('.').unwrap()].to_owned()
        })
        .collect();
    slugs.dedup();
    assert!(!slugs.is_empty(), "a form with tools");
    let mut fields: Vec<(String, String)> = crate::surveys::answer(&slugs[0])
        .into_iter()
        .map(|(k, v)| {
            if k.ends_with(".pain") {
                (k, pain.to_owned())
            } else {
                (k, v)
            }
        })
        .collect();
    for s in &slugs[1..] {
        fields.push((format!("t.{s}.not_used"), "1".into()));
    }
    (fields, slugs.len())
}

/// (link token, the fields to post, how many tools the form asks about).
type Form = (String, Vec<(String, String)>, usize);

#[tokio::test]
async fn every_acknowledged_answer_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path());
    let demo = infrapulse(dir.path(), &db).arg("demo").output().unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let tokens = links(&dir.path().join("mail"));
    assert!(tokens.len() >= 40, "{} links", tokens.len());

    let (mut server, base) = serve(dir.path(), &db);
    let client = crate::helpers::new_client();

    // Each member answers about their first tool with a marker of their
    // own, and says they do not use the others.
    let mut forms: Vec<Form> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let page = client
            .get(format!("{base}/r/{token}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let (fields, tools) = answer_first_tool(&page, &format!("survivor-{i}"));
        forms.push((token.clone(), fields, tools));
    }

    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let half = Arc::new(tokio::sync::Notify::new());
    let threshold = forms.len() / 2;
    let mut tasks = Vec::new();
    for (i, (token, fields, _)) in forms.iter().cloned().enumerate() {
        let (client, base) = (client.clone(), base.clone());
        let (acknowledged, count, half) = (acknowledged.clone(), count.clone(), half.clone());
        tasks.push(tokio::spawn(async move {
            let res = client
                .post(format!("{base}/r/{token}"))
                .form(&fields)
                .send()
                .await;
            if res.is_ok_and(|r| r.status() == reqwest::StatusCode::SEE_OTHER) {
                acknowledged.lock().unwrap().push(i);
                if count.fetch_add(1, Ordering::SeqCst) + 1 == threshold {
                    half.notify_one();
                }
            }
        }));
    }
    half.notified().await;
    server.kill().unwrap();
    server.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }

    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= threshold);
    let mut conn =
        infrapulse::db::connect(&infrapulse::db::DatabaseUrl::parse(&db.url).unwrap(), 1)
            .unwrap()
            .get()
            .unwrap();
    let stored: Vec<(i64, String)> = tool_answers::table
        .filter(tool_answers::pain.like("survivor-%"))
        .select((tool_answers::response_id, tool_answers::pain))
        .load(&mut *conn)
        .unwrap();
    let by_marker: BTreeMap<String, i64> = stored.into_iter().map(|(r, p)| (p, r)).collect();
    for i in &acknowledged {
        let response = by_marker
            .get(&format!("survivor-{i}"))
            .unwrap_or_else(|| panic!("acknowledged answer {i} was lost"));
        let rows: i64 = tool_answers::table
            .filter(tool_answers::response_id.eq(response))
            .count()
            .get_result(&mut *conn)
            .unwrap();
        assert_eq!(rows as usize, forms[*i].2, "answer {i} is whole");
    }
}

/// A server stopped as a service manager stops it (SIGTERM) exits cleanly,
/// and on SQLite leaves everything in the database file itself: the WAL,
/// which otherwise holds up to 10,000 pages before a checkpoint, is copied
/// back and emptied, so a copy of the file alone has the last answer.
#[tokio::test]
async fn a_stopped_server_leaves_its_answers_in_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path());
    let demo = infrapulse(dir.path(), &db).arg("demo").output().unwrap();
    assert!(demo.status.success());
    let token = links(&dir.path().join("mail")).remove(0);
    let (mut server, base) = serve(dir.path(), &db);
    let client = crate::helpers::new_client();
    let form = format!("{base}/r/{token}");
    let page = client
        .get(&form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (fields, _) = answer_first_tool(&page, "the last answer");
    let posted = client.post(&form).form(&fields).send().await;

    let pid = libc::pid_t::try_from(server.id()).unwrap();
    // SAFETY: kill(2) on our own child, which has not been waited for.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    assert!(server.wait().unwrap().success(), "a clean exit on SIGTERM");
    assert_eq!(posted.unwrap().status(), reqwest::StatusCode::SEE_OTHER);

    let url = infrapulse::db::DatabaseUrl::parse(&db.url).unwrap();
    let read_from = match &url {
        infrapulse::db::DatabaseUrl::Sqlite(path) => {
            let wal = path.with_extension("db-wal");
            let left = std::fs::metadata(&wal).map_or(0, |m| m.len());
            assert_eq!(left, 0, "the WAL was copied back and emptied");
            // The file alone, as a backup that copies only it would have.
            let copy = dir.path().join("copy.db");
            std::fs::copy(path, &copy).unwrap();
            infrapulse::db::DatabaseUrl::parse(&copy.display().to_string()).unwrap()
        }
        infrapulse::db::DatabaseUrl::Postgres(_) => url,
    };
    let mut conn = infrapulse::db::connect(&read_from, 1)
        .unwrap()
        .get()
        .unwrap();
    let kept: i64 = tool_answers::table
        .filter(tool_answers::pain.eq("the last answer"))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(kept, 1, "the answer is in the database");
}

/// "An email goes twice only if the process dies between the server's 250
/// and the commit of its outcome", tried with SIGKILL: the real server
/// delivers 200 invitations over four connections to a mail server that
/// answers the first 60 and then holds every reply, and is killed once the
/// 60 are recorded. After the leases run out the rest go: every member gets
/// their invitation, none of the 60 acknowledged gets it twice, and the
/// only repeats are the four that were never acknowledged.
#[tokio::test]
async fn a_crash_mid_delivery_repeats_only_what_was_never_acknowledged() {
    use chrono::NaiveDate;
    use infrapulse::db::schema::outbox;

    use crate::email::outbox_statuses;
    use crate::smtp::SmtpSink;

    const CONNECTIONS: usize = 4;
    let sink = SmtpSink::start().await;
    let mail = [
        ("SMTP_URL", sink.url()),
        ("MAIL_FROM", "Infra Pulse <pulse@example.com>".to_owned()),
        ("SMTP_CONNECTIONS", CONNECTIONS.to_string()),
    ];
    let settings: Vec<(&str, &str)> = mail.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = crate::helpers::spawn_app_with(&settings, false).await;
    let app = crate::surveys::populate_many(app, 200).await;
    crate::surveys::create_program(&app, &[]).await;
    crate::surveys::open_round(&app).await;
    assert_eq!(
        outbox_statuses(&app),
        BTreeMap::from([("queued".to_owned(), 200)])
    );

    sink.answer_only(60);
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = infrapulse(dir.path(), &app.db)
        .arg("serve")
        .env("BIND", format!("127.0.0.1:{port}"))
        .envs(mail.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Every connection ends up waiting on a reply that never comes; then
    // the 60 answered are recorded (a state to wait for, polled).
    sink.wait_for(60 + CONNECTIONS).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while outbox_statuses(&app).get("sent") != Some(&60) {
        assert!(
            std::time::Instant::now() < deadline,
            "the 60 answered emails were not recorded: {:?}",
            outbox_statuses(&app)
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let before: Vec<String> = sink.received().iter().map(|r| r.to[0].clone()).collect();
    let (answered, held) = before.split_at(60);
    assert_eq!(
        held.len(),
        CONNECTIONS,
        "one unanswered email per connection"
    );
    assert_eq!(
        outbox_statuses(&app).get("sent"),
        Some(&60),
        "nothing more was recorded"
    );

    // Ten minutes later the leases of the dead worker have run out.
    app.with_db(|conn| {
        let past = NaiveDate::from_ymd_opt(2000, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        diesel::update(outbox::table.filter(outbox::status.eq("sending")))
            .set(outbox::lease_until.eq(past))
            .execute(conn)
            .unwrap()
    });
    sink.answer_all();
    let report = app.deliver().await;
    assert_eq!(report.sent, 140, "the rest, and the unanswered again");
    assert_eq!(
        outbox_statuses(&app),
        BTreeMap::from([("sent".to_owned(), 200)])
    );

    let mut times: BTreeMap<String, usize> = BTreeMap::new();
    for r in sink.wait_for(200 + CONNECTIONS).await {
        *times.entry(r.to[0].clone()).or_default() += 1;
    }
    assert_eq!(times.len(), 200, "every member is invited");
    for to in answered {
        assert_eq!(times[to], 1, "{to} was acknowledged and is not sent again");
    }
    let twice: BTreeSet<&String> = times
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(t, _)| t)
        .collect();
    assert_eq!(
        twice,
        held.iter().collect::<BTreeSet<_>>(),
        "only the never-acknowledged go twice"
    );
    assert!(times.values().all(|n| *n <= 2));
}
