//! The README's promises about respondents, tried the way an attacker with
//! the database (but not `SECRET_KEY`) would: no column ties a response to
//! its member better than chance, answering writes nothing outside the
//! answers, and no GET writes anything at all.

use std::collections::HashMap;

use chrono::TimeDelta;
use infrapulse::domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::{TestApp, dump_all, dump_table, new_client, spawn_app};
use crate::surveys::answer;

const MEMBERS: usize = 16;

/// One team of 16 engineers asked about one tool.
async fn one_team_of(members: usize) -> TestApp {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let mut csv = String::from("email,name,team\n");
    for i in 0..members {
        csv.push_str(&format!("m{i:02}@example.com,Member {i:02},Team A\n"));
    }
    let (preview, _) = app.preview_csv("members", csv.as_bytes(), true).await;
    app.submit(&preview, &preview, &[]).await;
    app.add_tool("CI", "ci", "team-a").await;
    let (preview, _) = app
        .preview_csv(
            "adoption",
            b"team,tool,business_critical\nteam-a,ci,yes\n",
            false,
        )
        .await;
    app.submit(&preview, &preview, &[]).await;
    let res = app
        .submit(
            "/programs/new",
            "/programs",
            &[
                ("name", "Quarterly pulse"),
                ("slug", "pulse"),
                ("tools_mode", "chosen"),
                ("tools", "ci"),
                ("audience_mode", "using"),
                ("cadence_kind", "weeks"),
                ("cadence_weeks", "13"),
                ("open_days", "14"),
                ("anonymity_k", "5"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "program created");
    crate::surveys::open_round(&app).await;
    app
}

/// A value an attacker can sort by: numbers as numbers, PostgreSQL's
/// `ctid` "(page,slot)" as a pair, anything else as text.
fn sort_key(v: &str) -> (Vec<f64>, String) {
    let numbers: Vec<f64> = v
        .trim_matches(|c| c == '(' || c == ')')
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    (numbers, v.to_owned())
}

/// Pairs the i-th smallest response with the i-th smallest invitation by
/// each feature and counts the pairs that are truly each other's.
fn rank_matches(
    responses: &[(i64, Vec<String>)],
    invitations: &[(i64, Vec<String>)],
    truth: &HashMap<i64, i64>,
    r_feature: usize,
    i_feature: usize,
) -> usize {
    let order = |rows: &[(i64, Vec<String>)], f: usize| {
        let mut ids: Vec<(i64, (Vec<f64>, String))> = rows
            .iter()
            .map(|(id, values)| (*id, sort_key(&values[f])))
            .collect();
        ids.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap().then(a.0.cmp(&b.0)));
        ids.into_iter().map(|(id, _)| id).collect::<Vec<_>>()
    };
    order(responses, r_feature)
        .into_iter()
        .zip(order(invitations, i_feature))
        .filter(|(response, invitation)| truth.get(response) == Some(invitation))
        .count()
}

/// Features per response: its row of `responses` and of its `tool_answers`,
/// with PostgreSQL's row version and place (which follow write order) when
/// `system` is set.
fn response_features(app: &TestApp, system: bool) -> Vec<(i64, Vec<String>)> {
    let system: &[&str] = if system && app.db.is_postgres() {
        &["xmin", "ctid"]
    } else {
        &[]
    };
    app.with_db(|conn| {
        let responses = dump_table(conn, "responses", system);
        let answers = dump_table(conn, "tool_answers", system);
        responses
            .into_iter()
            .map(|r| {
                let id: i64 = r[0].parse().unwrap();
                let mut features = r.clone();
                let answer = answers
                    .iter()
                    .find(|a| a[0] == r[0])
                    .expect("each response answered the tool");
                features.extend(answer.iter().cloned());
                (id, features)
            })
            .collect()
    })
}

/// Features per invitation: its row, its member's row and its emails' rows.
fn invitation_features(app: &TestApp) -> Vec<(i64, Vec<String>)> {
    let pg = app.db.is_postgres();
    let system: &[&str] = if pg { &["xmin", "ctid"] } else { &[] };
    app.with_db(|conn| {
        let invitations = dump_table(conn, "invitations", system);
        let members = dump_table(conn, "members", system);
        let outbox = dump_table(conn, "outbox", system);
        let invitation_cols = crate::helpers::column_names(conn, "invitations");
        let member_col = invitation_cols
            .iter()
            .position(|c| c == "member_id")
            .unwrap();
        let outbox_cols = crate::helpers::column_names(conn, "outbox");
        let outbox_inv = outbox_cols
            .iter()
            .position(|c| c == "invitation_id")
            .unwrap();
        invitations
            .into_iter()
            .map(|inv| {
                let id: i64 = inv[0].parse().unwrap();
                let mut features = inv.clone();
                let member = members.iter().find(|m| m[0] == inv[member_col]).unwrap();
                features.extend(member.iter().cloned());
                for email in outbox.iter().filter(|o| o[outbox_inv] == inv[0]) {
                    features.extend(email.iter().cloned());
                }
                (id, features)
            })
            .collect()
    })
}

/// The best any feature pair does, by rank and by equal values.
fn best_attack(app: &TestApp, truth: &HashMap<i64, i64>) -> (usize, String) {
    let responses = response_features(app, true);
    let invitations = invitation_features(app);
    let width = |rows: &[(i64, Vec<String>)]| rows.iter().map(|r| r.1.len()).min().unwrap();
    let varies = |rows: &[(i64, Vec<String>)], f: usize| {
        let first = &rows[0].1[f];
        rows.iter().any(|r| &r.1[f] != first)
    };
    let mut best = (0, String::new());
    for rf in (0..width(&responses)).filter(|&f| varies(&responses, f)) {
        for inf in (0..width(&invitations)).filter(|&f| varies(&invitations, f)) {
            let by_rank = rank_matches(&responses, &invitations, truth, rf, inf);
            let by_value = responses
                .iter()
                .filter(|(id, r)| {
                    invitations
                        .iter()
                        .find(|(inv, _)| Some(inv) == truth.get(id))
                        .is_some_and(|(_, i)| i[inf] == r[rf])
                })
                .count();
            for (n, how) in [(by_rank, "rank"), (by_value, "equal values")] {
                if n > best.0 {
                    best = (
                        n,
                        format!("response feature {rf} vs invitation feature {inf} by {how}"),
                    );
                }
            }
        }
    }
    best
}

/// An attacker who knows the order people answered in (from mail logs, or
/// from watching the count rise) looks for a column that sorts responses
/// in that order: ids that rise, times. Returns the most positions any
/// column puts right.
fn best_order_attack(app: &TestApp, answer_order: &[i64]) -> (usize, String) {
    let responses = response_features(app, false);
    let width = responses.iter().map(|r| r.1.len()).min().unwrap();
    let mut best = (0, String::new());
    for f in 0..width {
        let mut sorted: Vec<(i64, (Vec<f64>, String))> = responses
            .iter()
            .map(|(id, v)| (*id, sort_key(&v[f])))
            .collect();
        sorted.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap().then(a.0.cmp(&b.0)));
        let hits = sorted
            .iter()
            .zip(answer_order)
            .filter(|((id, _), truth)| id == *truth)
            .count();
        if hits > best.0 {
            best = (hits, format!("response feature {f}"));
        }
    }
    best
}

#[tokio::test]
async fn no_column_ties_a_response_to_its_member() {
    let app = one_team_of(MEMBERS).await;
    let tokens = app.tokens_of_round(1);
    assert_eq!(tokens.len(), MEMBERS);
    let before = app.with_db(dump_all);

    // They answer in an order of their own, minutes to hours apart; some
    // come back to edit. Respondents have no admin cookie.
    let respondent = new_client();
    let mut truth: HashMap<i64, i64> = HashMap::new();
    let mut answer_order: Vec<i64> = Vec::new();
    for step in 0..MEMBERS {
        let (invitation, token) = &tokens[(step * 7 + 3) % MEMBERS];
        app.clock
            .advance(TimeDelta::minutes(5 + (step as i64 * 37) % 240));
        let res = respondent
            .post(app.url(&format!("/r/{token}")))
            .form(&answer("ci"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let id = app
            .with_db(|conn| infrapulse::surveys::respond::find(conn, &app.state.links, token))
            .unwrap()
            .and_then(|linked| linked.response)
            .expect("the response is filed under the link's key");
        truth.insert(id, *invitation);
        if !answer_order.contains(&id) {
            answer_order.push(id);
        }
        if step % 5 == 0 && step > 0 {
            // Someone who answered before comes back to edit.
            let (_, earlier) = &tokens[((step - 1) * 7 + 3) % MEMBERS];
            respondent
                .post(app.url(&format!("/r/{earlier}")))
                .form(&answer("ci"))
                .send()
                .await
                .unwrap();
        }
    }
    assert_eq!(
        truth.len(),
        MEMBERS,
        "everyone answered once, edits included"
    );

    // Answering changed no table but the answers.
    let after = app.with_db(dump_all);
    let answers_tables = ["responses", "tool_answers", "question_answers"];
    for ((table, rows_before), (_, rows_after)) in before.iter().zip(&after) {
        if !answers_tables.contains(&table.as_str()) {
            assert_eq!(rows_before, rows_after, "answering changed {table}");
        }
    }

    // The attacker pairs responses and invitations by every column (and,
    // on PostgreSQL, by row version and place): chance is about one right.
    // Eight of sixteen by luck happens once in ~10^5 tries per pair.
    let (best, how) = best_attack(&app, &truth);
    assert!(best < 8, "{best} of {} linked by {how}", truth.len());
    let (best, how) = best_order_attack(&app, &answer_order);
    assert!(best < 8, "{how} puts {best} of {MEMBERS} in answer order");

    // The round closes: its keys and small teams' names are erased, and
    // the attack does no better.
    app.clock.advance(TimeDelta::days(15));
    app.tick();
    let sealed: i64 = app.count_rows("responses WHERE respondent_key IS NOT NULL");
    assert_eq!(sealed, 0, "the closing erased every key");
    let (best, how) = best_attack(&app, &truth);
    assert!(best < 8, "after closing: {best} linked by {how}");
    let (best, how) = best_order_attack(&app, &answer_order);
    assert!(best < 8, "after closing: {how} puts {best} in answer order");
}

#[tokio::test]
async fn a_small_team_loses_its_name_on_responses_when_the_round_closes() {
    let app = crate::surveys::organisation().await;
    crate::surveys::create_program(&app, &[("anonymity_k", "2")]).await;
    crate::surveys::open_round(&app).await;
    for email in ["a1@example.com", "a2@example.com", "b1@example.com"] {
        let mut fields = answer("ci");
        fields.push(("t.flags.not_used".into(), "1".into()));
        let res =
            crate::surveys::post_answers(&app, &crate::surveys::token_of(&app, email), &fields)
                .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(app.count_rows("responses WHERE team_id IS NULL"), 0);
    app.clock.advance(TimeDelta::days(15));
    app.tick();
    // Team A (2 answers) keeps its name; Team B's one answer loses it.
    assert_eq!(app.count_rows("responses WHERE team_id IS NULL"), 1);
    assert_eq!(app.count_rows("responses WHERE team_id IS NOT NULL"), 2);
    app.login("admin@example.com", crate::helpers::PASSWORD)
        .await;
    let (_, html) = app.get_text("/programs/pulse/rounds/1").await;
    assert!(html.contains("<dt>Answered</dt><dd>3</dd>"), "{html}");
}

#[tokio::test]
async fn no_get_writes_anything() {
    let app = one_team_of(6).await;
    let (_, token) = app.tokens_of_round(1).remove(0);
    crate::surveys::post_answers(&app, &token, &answer("ci")).await;
    let before = app.with_db(dump_all);

    let visitor = new_client();
    let mut paths = vec![
        format!("/r/{token}"),
        format!("/r/{token}/thanks"),
        format!("/r/{token}/stop"),
        "/healthz".into(),
        "/readyz".into(),
        "/metrics".into(),
        "/static/app.css".into(),
        "/programs/pulse".into(),
    ];
    for i in 0..120 {
        paths.push(format!("/r/{}", infrapulse::secret::random_hex(16)));
        paths.push(format!("/r/not-a-token-{i}"));
    }
    for _ in 0..300 {
        paths.push("/login".into());
    }
    let mut refused = 0;
    for path in &paths {
        let status = visitor.get(app.url(path)).send().await.unwrap().status();
        assert!(status.as_u16() < 500, "{path}: {status}");
        refused += usize::from(status == StatusCode::TOO_MANY_REQUESTS);
    }
    assert!(refused > 0, "unknown links are throttled past 100");
    let after = app.with_db(dump_all);
    for ((table, rows_before), (_, rows_after)) in before.iter().zip(&after) {
        assert_eq!(rows_before, rows_after, "a GET changed {table}");
    }
    // The sign-in page set a signed cookie, not a session.
    let res = visitor.get(app.url("/login")).send().await.unwrap();
    assert!(
        res.headers()
            .get_all("set-cookie")
            .iter()
            .all(|c| !c.to_str().unwrap().starts_with("infrapulse_session"))
    );
}
