//! Email delivery and the scheduler, against an SMTP listener of the test's
//! own. Time moves by the app's manual clock; the tests run the worker's and
//! the scheduler's passes themselves, except one that lets `serve`'s
//! background tasks do it.

use std::collections::BTreeMap;

use chrono::TimeDelta;
use diesel::prelude::*;
use infrapulse::db::schema::{invitations, members, outbox, programs, rounds};
use infrapulse::domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::{TestApp, spawn_app_with};
use crate::smtp::{Received, SmtpSink};
use crate::surveys::{
    answer, create_program, open_round, populate, populate_many, post_answers, token_of,
};

/// The organisation of `surveys::organisation` (six members in teams A, B,
/// C; team A also uses Flags), mailing to `sink`.
async fn app_mailing_to(sink: &SmtpSink) -> TestApp {
    let app = spawn_app_with(
        &[
            ("SMTP_URL", &sink.url()),
            ("MAIL_FROM", "Infra Pulse <pulse@example.com>"),
        ],
        false,
    )
    .await;
    populate(app).await
}

fn by_recipient(received: &[Received]) -> BTreeMap<String, Vec<Received>> {
    let mut map: BTreeMap<String, Vec<Received>> = BTreeMap::new();
    for r in received {
        assert_eq!(r.to.len(), 1, "one recipient per email");
        map.entry(r.to[0].clone()).or_default().push(r.clone());
    }
    map
}

fn subjects_to(received: &[Received], email: &str) -> Vec<String> {
    received
        .iter()
        .filter(|r| r.to == [email])
        .map(|r| r.header("subject").unwrap())
        .collect()
}

/// How many outbox rows are in each status.
pub fn outbox_statuses(app: &TestApp) -> BTreeMap<String, usize> {
    let all: Vec<String> =
        app.with_db(|conn| outbox::table.select(outbox::status).load(conn).unwrap());
    let mut counts = BTreeMap::new();
    for s in all {
        *counts.entry(s).or_default() += 1;
    }
    counts
}

/// The local part of a link in an email (`/r/…`), to follow on the test app.
fn path_of(link: &str) -> String {
    link[link.find("/r/").expect("a survey link")..].to_owned()
}

const EVERYONE: [&str; 6] = [
    "a1@example.com",
    "a2@example.com",
    "b1@example.com",
    "b2@example.com",
    "c1@example.com",
    "c2@example.com",
];

#[tokio::test]
async fn every_invitee_gets_exactly_one_invitation_whose_link_opens_their_form() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    let (_, html) = app.get_text("/programs/pulse/rounds/1").await;
    assert!(html.contains("<dt>Queued</dt><dd>6</dd>"), "{html}");

    let report = app.deliver().await;
    assert_eq!(report.sent, 6);
    let received = sink.wait_for(6).await;
    let by_to = by_recipient(&received);
    assert_eq!(
        by_to.keys().map(String::as_str).collect::<Vec<_>>(),
        EVERYONE
    );
    assert!(by_to.values().all(|emails| emails.len() == 1));

    let a1 = &by_to["a1@example.com"][0];
    assert_eq!(a1.from, "pulse@example.com");
    assert!(a1.header("from").unwrap().contains("Infra Pulse"));
    assert!(a1.header("to").unwrap().contains("A One"));
    assert!(
        a1.header("subject")
            .unwrap()
            .starts_with("Quarterly pulse:")
    );
    let id = a1.header("message-id").unwrap();
    assert!(id.starts_with('<') && id.ends_with("@example.com>"), "{id}");
    assert!(a1.data.contains("multipart/alternative") && a1.data.contains("text/html"));
    assert!(a1.data.contains("CI") && a1.data.contains("Flags"));

    // The link opens that member's own form: team A's has Flags, team B's not.
    let (status, form) = app.get_text(&path_of(&a1.link())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("t.flags.satisfaction"));
    let b1 = &by_to["b1@example.com"][0];
    assert!(!b1.data.contains("Flags"));
    let (status, form) = app.get_text(&path_of(&b1.link())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("t.ci.satisfaction") && !form.contains("t.flags."));
    assert_eq!(
        path_of(&b1.link()),
        format!("/r/{}", token_of(&app, "b1@example.com"))
    );

    // Nothing is left to send, and nothing goes twice.
    assert_eq!(app.deliver().await, Default::default());
    assert_eq!(sink.received().len(), 6);
    let (_, html) = app.get_text("/programs/pulse/rounds/1").await;
    assert!(html.contains("<dt>Sent</dt><dd>6</dd>"), "{html}");
}

#[tokio::test]
async fn reminders_go_only_to_those_who_have_not_answered_at_the_set_offsets() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    create_program(&app, &[("thank_on_close", "1")]).await; // reminders on days 3 and 7
    open_round(&app).await;
    app.deliver().await;
    let a1 = token_of(&app, "a1@example.com");
    let mut fields = answer("ci");
    fields.extend(answer("flags"));
    assert_eq!(
        post_answers(&app, &a1, &fields).await.status(),
        StatusCode::SEE_OTHER
    );

    app.clock
        .advance(TimeDelta::days(3) - TimeDelta::minutes(1));
    assert_eq!(app.tick().reminders_queued, 0, "not before day 3");
    app.clock.advance(TimeDelta::minutes(2));
    assert_eq!(app.tick().reminders_queued, 5, "everyone but a1");
    assert_eq!(
        app.tick().reminders_queued,
        0,
        "a second tick queues nothing"
    );
    assert_eq!(app.deliver().await.sent, 5);
    let received = sink.wait_for(11).await;
    assert!(
        subjects_to(&received, "a1@example.com").len() == 1,
        "a1 got no reminder"
    );
    for email in &EVERYONE[1..] {
        let subjects = subjects_to(&received, email);
        assert_eq!(subjects.len(), 2, "{email}: {subjects:?}");
        assert!(
            subjects[1].starts_with("Reminder: Quarterly pulse"),
            "{subjects:?}"
        );
    }

    // b1 answers; c1 answers after the second reminder is queued but before
    // it goes: it is not sent.
    let mut ci_only = answer("ci");
    assert_eq!(
        post_answers(&app, &token_of(&app, "b1@example.com"), &ci_only)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    app.clock.advance(TimeDelta::days(4));
    assert_eq!(app.tick().reminders_queued, 4, "day 7: a2, b2, c1, c2");
    ci_only.truncate(ci_only.len());
    post_answers(&app, &token_of(&app, "c1@example.com"), &ci_only).await;
    let report = app.deliver().await;
    assert_eq!((report.sent, report.skipped), (3, 1));
    let received = sink.wait_for(14).await;
    assert_eq!(subjects_to(&received, "c1@example.com").len(), 2);
    assert_eq!(subjects_to(&received, "a2@example.com").len(), 3);

    // At the deadline the round closes once and thanks those who answered.
    app.clock.advance(TimeDelta::days(7));
    let tick = app.tick();
    assert_eq!((tick.rounds_closed, tick.thanks_queued), (1, 3));
    assert_eq!(app.tick().rounds_closed, 0);
    assert_eq!(app.deliver().await.sent, 3);
    let received = sink.wait_for(17).await;
    for email in ["a1@example.com", "b1@example.com", "c1@example.com"] {
        let subjects = subjects_to(&received, email);
        assert!(
            subjects.last().unwrap().contains("has closed: thank you"),
            "{subjects:?}"
        );
    }
    assert_eq!(
        subjects_to(&received, "c2@example.com").len(),
        3,
        "no thanks without an answer"
    );
}

#[tokio::test]
async fn an_smtp_outage_delays_email_but_loses_and_repeats_none() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    create_program(&app, &[]).await;
    sink.stop();
    open_round(&app).await;

    let report = app.deliver().await;
    assert_eq!((report.sent, report.retrying), (0, 6));
    let (_, html) = app.get_text("/programs/pulse/rounds/1").await;
    assert!(html.contains("<dt>Retrying</dt><dd>6</dd>"), "{html}");
    let (_, html) = app.get_text("/outbox").await;
    assert!(html.to_lowercase().contains("connection refused"), "{html}");
    let (_, metrics) = app.get_text("/metrics").await;
    assert!(metrics.contains("infrapulse_outbox_depth 6"), "{metrics}");
    assert_eq!(app.deliver().await, Default::default(), "not due again yet");

    // Still down at the first retry: backoff grows, nothing is lost.
    app.clock.advance(TimeDelta::minutes(1));
    assert_eq!(app.deliver().await.retrying, 6);
    sink.restart().await;
    assert_eq!(
        app.deliver().await,
        Default::default(),
        "waits for its backoff"
    );
    app.clock.advance(TimeDelta::minutes(2));
    assert_eq!(app.deliver().await.sent, 6);
    let received = sink.wait_for(6).await;
    assert_eq!(received.len(), 6);
    assert!(by_recipient(&received).values().all(|e| e.len() == 1));
    let attempts: Vec<i64> =
        app.with_db(|conn| outbox::table.select(outbox::attempts).load(conn).unwrap());
    assert_eq!(attempts, vec![3; 6]);
}

#[tokio::test]
async fn a_permanent_refusal_is_marked_failed_with_the_servers_words_and_can_be_retried() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    create_program(&app, &[]).await;
    sink.refuse(
        "c2@example.com",
        "550 5.1.1 <c2@example.com>: no such user here",
    );
    open_round(&app).await;
    let report = app.deliver().await;
    assert_eq!((report.sent, report.failed), (5, 1));

    let (_, html) = app.get_text("/programs/pulse/rounds/1").await;
    assert!(html.contains("<dt>Failed</dt><dd>1</dd>"), "{html}");
    let (_, html) = app.get_text("/outbox").await;
    assert!(
        html.contains("no such user here") && html.contains("C Two"),
        "{html}"
    );
    let (_, html) = app.get_text("/").await;
    assert!(
        html.contains(r#"<a href="/outbox">1 failed</a>"#),
        "the dashboard says so: {html}"
    );
    let (_, metrics) = app.get_text("/metrics").await;
    assert!(metrics.contains(r#"infrapulse_emails_total{kind="invitation",outcome="failed"} 1"#));
    assert!(metrics.contains(r#"infrapulse_emails_total{kind="invitation",outcome="sent"} 5"#));
    assert!(metrics.contains("infrapulse_outbox_depth 0"), "{metrics}");
    assert!(
        metrics.contains(r#"infrapulse_outbox_emails{status="failed"} 1"#),
        "{metrics}"
    );

    // The address is fixed at the mail server; the admin retries.
    sink.allow("c2@example.com");
    let id: i64 = app.with_db(|conn| {
        outbox::table
            .filter(outbox::status.eq("failed"))
            .select(outbox::id)
            .first(conn)
            .unwrap()
    });
    let res = app
        .submit("/outbox", &format!("/outbox/{id}/retry"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.deliver().await.sent, 1);
    let received = sink.wait_for(6).await;
    assert_eq!(by_recipient(&received)["c2@example.com"].len(), 1);
    let res = app
        .submit("/outbox", &format!("/outbox/{id}/retry"), &[])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "only failed emails are retried"
    );
}

#[tokio::test]
async fn a_worker_that_dies_holding_a_lease_loses_nothing() {
    use infrapulse::mail::courier::LEASE;
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    create_program(&app, &[]).await;
    open_round(&app).await;

    // A worker claims the batch and dies before sending any of it.
    let now = infrapulse::clock::Clock::now(app.clock.as_ref());
    let claimed = app.with_db(|conn| infrapulse::db::outbox::claim(conn, now, LEASE, 100).unwrap());
    assert_eq!(claimed.len(), 6);
    assert_eq!(app.deliver().await, Default::default(), "leased rows wait");

    app.clock.advance(LEASE + TimeDelta::seconds(1));
    assert_eq!(app.deliver().await.sent, 6);
    let received = sink.wait_for(6).await;
    assert_eq!(received.len(), 6);
    assert!(by_recipient(&received).values().all(|e| e.len() == 1));
}

/// The server's worker stops between batches when the server shuts down:
/// what it claimed is sent and recorded, what it did not stays queued for
/// the next pass, and no one gets an email twice.
#[tokio::test]
async fn a_pass_stopped_between_batches_sends_what_it_claimed_and_leaves_the_rest() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(
        &[
            ("SMTP_URL", &sink.url()),
            ("MAIL_FROM", "Infra Pulse <pulse@example.com>"),
            // One connection: batches of ten.
            ("SMTP_CONNECTIONS", "1"),
        ],
        false,
    )
    .await;
    let app = populate_many(app, 45).await;
    create_program(&app, &[]).await;
    open_round(&app).await;

    // Told to stop after claiming two batches, as a shutdown would.
    let claims = AtomicUsize::new(0);
    let report = app
        .state
        .courier()
        .deliver_due_while(|| claims.fetch_add(1, Ordering::SeqCst) < 2)
        .await
        .unwrap();
    assert_eq!(report.sent, 20, "the two claimed batches are sent");
    assert_eq!(sink.wait_for(20).await.len(), 20);
    assert_eq!(
        outbox_statuses(&app),
        BTreeMap::from([("queued".to_owned(), 25), ("sent".to_owned(), 20)]),
        "nothing is left leased: the rest waits for the next pass"
    );

    let report = app.state.courier().deliver_due().await.unwrap();
    assert_eq!(report.sent, 25);
    let received = sink.wait_for(45).await;
    let recipients = by_recipient(&received);
    assert_eq!(recipients.len(), 45, "everyone is invited");
    assert!(
        recipients.values().all(|e| e.len() == 1),
        "and no one twice"
    );
    assert_eq!(
        outbox_statuses(&app),
        BTreeMap::from([("sent".to_owned(), 45)])
    );
}

/// A claim reads each kind of claimable row apart (queued, retrying, and
/// sending under a lease that ran out); together they must still come
/// earliest due first, and nothing else may be taken: not an email whose
/// retry is not due, not one under a live lease, not one already sent.
#[tokio::test]
async fn a_claim_takes_the_earliest_due_of_every_kind_and_nothing_else() {
    use infrapulse::db::outbox::{QUEUED, RETRYING, SENDING, SENT, claim};
    use infrapulse::mail::courier::LEASE;
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    let now = infrapulse::clock::Clock::now(app.clock.as_ref());
    let ids: Vec<i64> = app.with_db(|conn| {
        outbox::table
            .select(outbox::id)
            .order(outbox::id)
            .load(conn)
            .unwrap()
    });
    assert_eq!(ids.len(), 6);
    let minutes = |m: i64| now + TimeDelta::minutes(m);
    // (status, due_at, lease_until) per row, in id order.
    let rows = [
        (QUEUED, minutes(-5), None),
        (RETRYING, minutes(-30), None),
        (SENDING, minutes(-60), Some(minutes(-1))),
        (RETRYING, minutes(10), None),
        (SENDING, minutes(-90), Some(minutes(5))),
        (SENT, minutes(-120), None),
    ];
    app.with_db(|conn| {
        for (id, (status, due, lease)) in ids.iter().zip(rows) {
            diesel::update(outbox::table.find(id))
                .set((
                    outbox::status.eq(status),
                    outbox::due_at.eq(due),
                    outbox::lease_until.eq(lease),
                ))
                .execute(conn)
                .unwrap();
        }
    });

    let first = app.with_db(|conn| claim(conn, now, LEASE, 2).unwrap());
    assert_eq!(
        first,
        vec![ids[2], ids[1]],
        "the lapsed lease, then the retry"
    );
    let rest = app.with_db(|conn| claim(conn, now, LEASE, 10).unwrap());
    assert_eq!(
        rest,
        vec![ids[0]],
        "then the queued; the others are not due"
    );
    let none = app.with_db(|conn| claim(conn, now, LEASE, 10).unwrap());
    assert!(none.is_empty(), "claimed rows are leased: {none:?}");
}

/// The server takes the emails but their outcomes cannot be committed (a
/// trigger refuses them): the pass fails rather than pretending, the rows
/// stay claimed, and once the database takes writes again and the lease
/// has run out every email is sent. Some go twice, the limit the README
/// states; none is lost.
#[tokio::test]
async fn outcomes_that_cannot_be_recorded_fail_the_pass_and_lose_no_email() {
    use diesel::RunQueryDsl;
    use infrapulse::mail::courier::LEASE;
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    let postgres = app.db.is_postgres();
    app.with_db(|conn| {
        let refuse = if postgres {
            "CREATE FUNCTION refuse_sent() RETURNS trigger AS $$ BEGIN \
             RAISE EXCEPTION 'outcomes cannot be recorded'; END $$ LANGUAGE plpgsql;\
             CREATE TRIGGER refuse_sent BEFORE UPDATE OF status ON outbox FOR EACH ROW \
             WHEN (NEW.status = 'sent') EXECUTE FUNCTION refuse_sent();"
        } else {
            "CREATE TRIGGER refuse_sent BEFORE UPDATE OF status ON outbox \
             WHEN NEW.status = 'sent' BEGIN SELECT RAISE(ABORT, 'outcomes cannot be recorded'); END;"
        };
        diesel::connection::SimpleConnection::batch_execute(conn, refuse).unwrap();
    });

    // The server's pass (the CLI's one batch at a time shares its sending).
    let failed = app.state.courier().deliver_due().await;
    assert!(
        failed.is_err(),
        "the pass reports that outcomes were not kept"
    );
    let statuses: Vec<String> =
        app.with_db(|conn| outbox::table.select(outbox::status).load(conn).unwrap());
    assert_eq!(statuses, vec!["sending"; 6], "claimed, nothing marked sent");
    assert_eq!(app.deliver().await, Default::default(), "leased rows wait");

    app.with_db(|conn| {
        let drop = if postgres {
            "DROP TRIGGER refuse_sent ON outbox"
        } else {
            "DROP TRIGGER refuse_sent"
        };
        diesel::sql_query(drop).execute(conn).unwrap();
    });
    app.clock.advance(LEASE + TimeDelta::seconds(1));
    let report = app.deliver().await;
    let first_pass = sink.received().len().saturating_sub(report.sent);
    assert!(first_pass >= 1, "the first pass did send before failing");
    assert_eq!(
        report.sent, 6,
        "every email is sent once it can be recorded"
    );
    let received = sink.received();
    assert!(
        EVERYONE
            .iter()
            .all(|e| received.iter().any(|r| r.to == [*e])),
        "nobody is left out"
    );
    let statuses: Vec<String> =
        app.with_db(|conn| outbox::table.select(outbox::status).load(conn).unwrap());
    assert_eq!(statuses, vec!["sent"; 6]);
}

async fn weekly_program(app: &TestApp, reminder_days: &str) {
    create_program(
        app,
        &[
            ("cadence_weeks", "1"),
            ("open_days", "3"),
            ("reminder_days", reminder_days),
        ],
    )
    .await;
    // create_program's own cadence and days come first; the last value wins.
    let (weeks, days): (Option<i64>, i64) = app.with_db(|conn| {
        programs::table
            .select((programs::cadence_weeks, programs::open_days))
            .first(conn)
            .unwrap()
    });
    assert_eq!((weeks, days), (Some(1), 3));
}

#[tokio::test]
async fn due_rounds_open_once_even_after_downtime() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    weekly_program(&app, "").await;
    assert_eq!(
        app.tick(),
        Default::default(),
        "a new program waits one period"
    );

    // Down for three and a half weeks: one round opens, not three.
    app.clock.advance(TimeDelta::days(24));
    let tick = app.tick();
    assert_eq!(tick.opened, vec![("pulse".to_string(), 1)]);
    assert_eq!(app.tick().opened, vec![], "opened once");
    app.clock.advance(TimeDelta::days(6));
    assert_eq!(
        app.tick().opened,
        vec![],
        "the next period starts a week after the opening"
    );
    app.clock.advance(TimeDelta::days(1));
    assert_eq!(app.tick().opened, vec![("pulse".to_string(), 2)]);
    assert_eq!(app.count_rows("rounds"), 2);
    assert_eq!(app.count_rows("outbox WHERE kind = 'invitation'"), 12);

    // A paused program opens nothing. (The admin's session idled out meanwhile.)
    app.login("admin@example.com", crate::helpers::PASSWORD)
        .await;
    app.submit("/programs/pulse", "/programs/pulse/pause", &[])
        .await;
    app.clock.advance(TimeDelta::weeks(2));
    assert_eq!(app.tick().opened, vec![]);
}

#[tokio::test]
async fn a_cron_cadence_opens_one_round_per_due_time() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    create_program(
        &app,
        &[
            ("cadence_kind", "cron"),
            ("cron", "0 9 * * 1"), // Mondays at 09:00 UTC
            ("open_days", "3"),
            ("reminder_days", ""),
        ],
    )
    .await;
    // Whatever day the test starts on, each week holds one Monday 09:00.
    app.clock.advance(TimeDelta::weeks(1));
    assert_eq!(app.tick().opened, vec![("pulse".to_string(), 1)]);
    assert_eq!(app.tick().opened, vec![]);
    app.clock.advance(TimeDelta::weeks(1));
    assert_eq!(app.tick().opened, vec![("pulse".to_string(), 2)]);
    app.clock.advance(TimeDelta::weeks(3));
    assert_eq!(
        app.tick().opened,
        vec![("pulse".to_string(), 3)],
        "one, after three missed"
    );
    let keys: Vec<String> = app.with_db(|conn| {
        rounds::table
            .select(rounds::period_key)
            .order(rounds::number.asc())
            .load(conn)
            .unwrap()
    });
    assert!(keys.iter().all(|k| k.ends_with("T09:00:00")), "{keys:?}");
}

#[tokio::test]
async fn a_due_round_waits_until_the_open_one_closes() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    create_program(
        &app,
        &[
            ("cadence_weeks", "1"),
            ("open_days", "10"),
            ("reminder_days", ""),
        ],
    )
    .await;
    app.clock.advance(TimeDelta::weeks(1));
    assert_eq!(app.tick().opened, vec![("pulse".to_string(), 1)]);
    app.clock.advance(TimeDelta::weeks(1));
    assert_eq!(
        app.tick().opened,
        vec![],
        "round 1 is open for three more days"
    );

    // The program page says when the next round will really open.
    app.login("admin@example.com", crate::helpers::PASSWORD)
        .await;
    let closes: chrono::NaiveDateTime =
        app.with_db(|conn| rounds::table.select(rounds::closes_at).first(conn).unwrap());
    let (_, html) = app.get_text("/programs/pulse").await;
    let expected = closes.format("%a %Y-%m-%d %H:%M UTC").to_string();
    assert!(
        html.contains(&format!("<dd>{expected} ·")),
        "{expected}: {html}"
    );

    app.clock.advance(TimeDelta::days(3));
    assert_eq!(app.tick().opened, vec![("pulse".to_string(), 2)]);
}

#[tokio::test]
async fn two_schedulers_ticking_at_once_open_one_round_per_period_and_queue_each_email_once() {
    use infrapulse::surveys::scheduler::Scheduler;
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    weekly_program(&app, "1, 2").await;

    let (first, second) = (Scheduler::default(), Scheduler::default());
    for _day in 0..28 {
        app.clock.advance(TimeDelta::days(1));
        let now = infrapulse::clock::Clock::now(app.clock.as_ref());
        let barrier = std::sync::Barrier::new(2);
        std::thread::scope(|s| {
            for scheduler in [&first, &second] {
                let (pool, barrier) = (app.state.pool.clone(), &barrier);
                let keys = app.state.links.clone();
                s.spawn(move || {
                    let mut conn = pool.get().unwrap();
                    for _ in 0..3 {
                        barrier.wait();
                        scheduler.tick(&mut conn, &keys, 3, now).expect("tick");
                    }
                });
            }
        });
    }
    // Four weeks: rounds on days 7, 14, 21 and 28 (the last still open).
    let numbers: Vec<i64> = app.with_db(|conn| {
        rounds::table
            .select(rounds::number)
            .order(rounds::number.asc())
            .load(conn)
            .unwrap()
    });
    assert_eq!(numbers, vec![1, 2, 3, 4]);
    let invited = app.count_rows("invitations");
    assert_eq!(invited, 24);
    assert_eq!(app.count_rows("outbox WHERE kind = 'invitation'"), invited);
    // Nobody answered: reminders 1 and 2 for the three closed rounds.
    assert_eq!(app.count_rows("outbox WHERE kind = 'reminder'"), 18 * 2);
    assert_eq!(
        app.count_rows(
            "(SELECT invitation_id, kind, seq FROM outbox GROUP BY invitation_id, kind, seq HAVING COUNT(*) > 1) AS twice"
        ),
        0
    );
}

#[tokio::test]
async fn hostile_names_never_reach_a_header_and_never_stop_the_worker() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    create_program(&app, &[]).await;
    // Written straight to the database, past the forms' validation.
    app.with_db(|conn| {
        let set_name = |conn: &mut _, email: &str, name: &str| {
            diesel::update(members::table.filter(members::email.eq(email)))
                .set(members::name.eq(name))
                .execute(conn)
                .unwrap();
        };
        set_name(conn, "a1@example.com", "Eve\r\nBcc: everyone@example.com");
        set_name(conn, "a2@example.com", "<script>alert(1)</script>");
        set_name(conn, "b1@example.com", "Mallory\n\rX-Injected: yes\u{1b}");
        diesel::update(members::table.filter(members::email.eq("c2@example.com")))
            .set(members::email.eq("c2@@example.com"))
            .execute(conn)
            .unwrap();
        diesel::update(programs::table)
            .set(programs::name.eq("Pulse\r\nX-Injected: yes"))
            .execute(conn)
            .unwrap();
    });
    open_round(&app).await;
    let report = app.deliver().await;
    assert_eq!((report.sent, report.failed), (5, 1));
    let received = sink.wait_for(5).await;
    for email in &received {
        let headers = email.header_names();
        assert!(
            !headers.iter().any(|h| h == "bcc" || h == "x-injected"),
            "{headers:?}"
        );
        assert_eq!(email.to.len(), 1);
        assert!(
            !email.html().contains("<script>alert(1)"),
            "escaped in HTML"
        );
    }
    let eve = received
        .iter()
        .find(|r| r.to == ["a1@example.com"])
        .unwrap();
    let to = eve.header("to").unwrap();
    // One line, to one address (lettre encodes the odd name as RFC 2047).
    assert!(
        to.ends_with("<a1@example.com>") && !to.contains("everyone@example.com>"),
        "{to}"
    );
    assert!(
        eve.header("subject")
            .unwrap()
            .starts_with("Pulse X-Injected: yes:")
    );
    let (_, html) = app.get_text("/outbox").await;
    assert!(html.contains("cannot be used"), "{html}");
}

#[tokio::test]
async fn the_stop_link_pauses_that_members_invitations_for_the_program() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    app.deliver().await;
    let b1 = sink
        .wait_for(6)
        .await
        .into_iter()
        .find(|r| r.to == ["b1@example.com"])
        .unwrap();
    let stop = format!("{}/stop", path_of(&b1.link()));
    assert!(b1.data.contains(&stop), "the email carries the stop link");
    let unsubscribe = b1.header("list-unsubscribe").unwrap();
    assert!(unsubscribe.starts_with('<') && unsubscribe.ends_with(&format!("{stop}>")));
    assert_eq!(
        b1.header("list-unsubscribe-post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );

    // Following the link (as a mail scanner would) changes nothing.
    let (status, html) = app.get_text(&stop).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Stop these emails"));
    let (_, program) = app.get_text("/programs/pulse").await;
    assert!(!program.contains("B One"));

    let post = |action: &'static str| {
        app.client
            .post(app.url(&stop))
            .form(&[("action", action)])
            .send()
    };
    let res = post("stop").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("no more invitations"));
    let (_, program) = app.get_text("/programs/pulse").await;
    assert!(program.contains("B One"), "the admin sees who stopped");
    assert_eq!(
        post("neither").await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );

    // No reminder now, no invitation next round.
    app.clock
        .advance(TimeDelta::days(3) + TimeDelta::minutes(1));
    assert_eq!(app.tick().reminders_queued, 5);
    app.clock.advance(TimeDelta::days(12));
    app.tick();
    app.login("admin@example.com", crate::helpers::PASSWORD)
        .await;
    open_round(&app).await;
    let invited_b1: i64 = app.with_db(|conn| {
        invitations::table
            .inner_join(members::table)
            .filter(members::email.eq("b1@example.com"))
            .count()
            .get_result(conn)
            .unwrap()
    });
    assert_eq!(invited_b1, 1, "round 2 left b1 out");

    assert_eq!(post("resume").await.unwrap().status(), StatusCode::OK);
    let (_, program) = app.get_text("/programs/pulse").await;
    assert!(!program.contains("B One"));

    // A mail provider's one-click unsubscribe (RFC 8058) stops them too.
    let res = app
        .client
        .post(app.url(&stop))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (_, program) = app.get_text("/programs/pulse").await;
    assert!(program.contains("B One"));

    // ... also as multipart/form-data, which RFC 8058 recommends senders use.
    assert_eq!(post("resume").await.unwrap().status(), StatusCode::OK);
    let boundary = "rfc8058-boundary";
    let res = app
        .client
        .post(app.url(&stop))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--{boundary}--\r\n"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (_, program) = app.get_text("/programs/pulse").await;
    assert!(
        program.contains("B One"),
        "stopped again by the multipart post"
    );
}

#[tokio::test]
async fn admins_send_a_test_email_and_see_the_servers_answer() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    let (status, html) = app.get_text("/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!(
        "SMTP via {}",
        sink.url().trim_start_matches("smtp://")
    )));

    let res = app
        .submit("/outbox", "/outbox/test", &[("to", "ops@example.com")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let received = sink.wait_for(1).await;
    assert_eq!(received[0].to, ["ops@example.com"]);
    assert!(received[0].data.contains("test email from infrapulse"));

    let res = app
        .submit("/outbox", "/outbox/test", &[("to", "not an address")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("not an address"));

    sink.stop();
    let res = app
        .submit("/outbox", "/outbox/test", &[("to", "ops@example.com")])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("The mail server said") && html.to_lowercase().contains("refused"),
        "{html}"
    );

    // Viewers see the page but cannot send.
    let viewer = app
        .client_signed_in_as("viewer@example.com", Role::Viewer)
        .await;
    let res = app
        .submit_as(
            &viewer,
            "/outbox",
            "/outbox/test",
            &[("to", "x@example.com")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn serve_sends_invitations_in_the_background() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(&[("SMTP_URL", &sink.url())], true).await;
    let app = populate(app).await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    // The handler wakes the worker; no pass is run by the test.
    let received = sink.wait_for(6).await;
    assert_eq!(by_recipient(&received).len(), 6);
}

/// Runs the binary against the app's database, with only the given
/// variables (and the test secret) set.
async fn infrapulse_cli(
    app: &crate::helpers::TestApp,
    args: &[&str],
    vars: &[(&str, &str)],
) -> std::process::Output {
    let url = app.db.url.clone();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_infrapulse"))
            .args(&args)
            .env_clear()
            .env("DATA_DIR", dir.path())
            .env("DATABASE_URL", url)
            .env("SECRET_KEY", "cli-test-secret-key-cli-test-secret-key-0123")
            .envs(vars)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_opens_a_round_and_sends_its_invitations() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    create_program(&app, &[]).await;
    let smtp = sink.url();

    // Real emails with links to 127.0.0.1 would reach nobody: refused.
    let out = infrapulse_cli(&app, &["round", "open", "pulse"], &[("SMTP_URL", &smtp)]).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("BASE_URL is not set"));
    assert_eq!(app.count_rows("rounds"), 0);

    let vars = [
        ("SMTP_URL", smtp.as_str()),
        ("BASE_URL", "https://pulse.example.com"),
    ];
    let out = infrapulse_cli(&app, &["round", "open", "pulse"], &vars).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Opened round 1 of Quarterly pulse and queued 6 invitations."));
    assert!(stdout.contains("6 sent, 0 failed"), "{stdout}");
    let received = sink.wait_for(6).await;
    assert_eq!(by_recipient(&received).len(), 6);
    assert!(received[0].data.contains("https://pulse.example.com/r/"));

    // A second open is refused while this round runs.
    let out = infrapulse_cli(&app, &["round", "open", "pulse"], &vars).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("still open"));

    // Extend it, then close it; a closed round stays closed.
    let out = infrapulse_cli(&app, &["round", "extend", "pulse", "--days", "3"], &[]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Round 1 of Quarterly pulse now closes"));
    let out = infrapulse_cli(&app, &["round", "extend", "pulse", "--days", "0"], &[]).await;
    assert!(String::from_utf8_lossy(&out.stderr).contains("Extend by 1 to 90 days."));
    let out = infrapulse_cli(&app, &["round", "close", "pulse"], &[]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = infrapulse_cli(&app, &["round", "extend", "pulse", "--days", "3"], &[]).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Round 1 has closed."));
}

#[tokio::test]
async fn commands_refuse_a_database_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("members.csv"), "email,name,team\n").unwrap();
    let missing = dir.path().join("nowhere").join("infrapulse.db");
    for args in [
        &["round", "open", "pulse"][..],
        &["round", "close", "pulse"],
        &["import", "members", "members.csv"],
        &["admin", "passwd", "--email", "a@example.com"],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_infrapulse"))
            .args(args)
            .current_dir(dir.path())
            .env_clear()
            .env("DATABASE_URL", missing.to_str().unwrap())
            .env("INFRAPULSE_ADMIN_PASSWORD", "a long enough password")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr.contains(&format!("there is no database at {}", missing.display())),
            "{args:?}: {stderr}"
        );
        assert!(!missing.exists(), "nothing was created");
        assert!(
            !dir.path().join("data").exists(),
            "no stray ./data folder either"
        );
    }
}

/// `?tls=required`: the email goes only inside TLS. Against a server that
/// does not offer STARTTLS nothing is sent; against one that does, the
/// client starts TLS on our TCP_NODELAY socket before saying anything of
/// the email (this listener speaks no TLS, so the sending then fails and
/// waits for a retry).
#[tokio::test]
async fn starttls_required_sends_nothing_in_plain_text() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(
        &[("SMTP_URL", &format!("{}?tls=required", sink.url()))],
        false,
    )
    .await;
    app.signed_in_as(Role::Admin).await;
    let res = app
        .submit("/outbox", "/outbox/test", &[("to", "ops@example.com")])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    let html = res.text().await.unwrap();
    assert!(html.contains("does not offer STARTTLS"), "{html}");

    sink.offer_starttls();
    let res = app
        .submit("/outbox", "/outbox/test", &[("to", "ops@example.com")])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(sink.tls_hellos(), 1, "the client began TLS after STARTTLS");
    let said: Vec<String> = sink.commands();
    assert!(said.iter().any(|c| c == "STARTTLS"), "{said:?}");
    assert!(
        !said
            .iter()
            .any(|c| c.starts_with("MAIL") || c.starts_with("RCPT") || c.starts_with("AUTH")),
        "nothing of the email in plain text: {said:?}"
    );
    assert!(sink.received().is_empty());
}

/// `smtps://`: TLS from the first byte.
#[tokio::test]
async fn smtps_speaks_tls_from_the_first_byte() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let first = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut byte = [0u8; 1];
        tokio::io::AsyncReadExt::read_exact(&mut stream, &mut byte)
            .await
            .unwrap();
        byte[0]
    });
    let app = spawn_app_with(
        &[
            ("SMTP_URL", &format!("smtps://127.0.0.1:{port}")),
            ("SMTP_TIMEOUT_SECONDS", "2"),
        ],
        false,
    )
    .await;
    app.signed_in_as(Role::Admin).await;
    let res = app
        .submit("/outbox", "/outbox/test", &[("to", "ops@example.com")])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(first.await.unwrap(), 0x16, "a TLS handshake record");
}
