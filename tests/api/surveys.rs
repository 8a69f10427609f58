use chrono::TimeDelta;
use diesel::prelude::*;
use infrapulse::domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::{TestApp, location, spawn_app};

/// Teams a, b, c with two members each; CI is business-critical for all three
/// (infrastructure); Flags is used by team a only.
pub async fn organisation() -> TestApp {
    populate(spawn_app().await).await
}

/// Signs in an admin and adds the organisation above.
pub async fn populate(app: TestApp) -> TestApp {
    let members = "email,name,team\n\
a1@example.com,A One,Team A\na2@example.com,A Two,Team A\n\
b1@example.com,B One,Team B\nb2@example.com,B Two,Team B\n\
c1@example.com,C One,Team C\nc2@example.com,C Two,Team C\n";
    populate_with(app, members).await
}

/// `populate` with `n` members instead, m0@example.com … spread over
/// teams A, B and C: enough for several batches of email.
pub async fn populate_many(app: TestApp, n: usize) -> TestApp {
    let mut members = String::from("email,name,team\n");
    for i in 0..n {
        let team = ["A", "B", "C"][i % 3];
        members.push_str(&format!("m{i}@example.com,Member {i},Team {team}\n"));
    }
    populate_with(app, &members).await
}

async fn populate_with(app: TestApp, members: &str) -> TestApp {
    app.signed_in_as(Role::Admin).await;
    let (preview, _) = app.preview_csv("members", members.as_bytes(), true).await;
    app.submit(&preview, &preview, &[]).await;
    app.add_tool("CI", "ci", "team-a").await;
    app.add_tool("Flags", "flags", "team-a").await;
    let adoption = "team,tool,business_critical\nteam-a,ci,yes\nteam-b,ci,yes\nteam-c,ci,yes\nteam-a,flags,no\n";
    let (preview, _) = app
        .preview_csv("adoption", adoption.as_bytes(), false)
        .await;
    app.submit(&preview, &preview, &[]).await;
    app
}

pub async fn create_program(app: &TestApp, extra: &[(&str, &str)]) {
    let mut fields = vec![
        ("name", "Quarterly pulse"),
        ("slug", "pulse"),
        ("intro", "Tell us what hurts."),
        ("tools_mode", "chosen"),
        ("tools", "ci"),
        ("tools", "flags"),
        ("audience_mode", "using"),
        ("cadence_kind", "weeks"),
        ("cadence_weeks", "13"),
        ("open_days", "14"),
        ("reminder_days", "3, 7"),
        ("anonymity_k", "2"),
    ];
    fields.extend_from_slice(extra);
    let res = app.submit("/programs/new", "/programs", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "program created");
}

pub async fn open_round(app: &TestApp) -> reqwest::Response {
    app.submit("/programs/pulse", "/programs/pulse/rounds", &[])
        .await
}

/// Closes round `number` of the program through its page, and moves the
/// clock past the closing.
pub async fn close_round(app: &TestApp, number: i64) {
    let page = format!("/programs/pulse/rounds/{number}");
    let res = app.submit(&page, &page, &[("action", "close")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "round {number} closes");
    app.clock.advance(TimeDelta::seconds(1));
}

pub fn token_of(app: &TestApp, email: &str) -> String {
    use infrapulse::db::schema::{invitations, members};
    let (seed, legacy) = app.with_db(|conn| {
        invitations::table
            .inner_join(members::table)
            .filter(members::email.eq(email))
            .order(invitations::id.desc())
            .select((invitations::token_seed, invitations::legacy_token))
            .first::<(Option<String>, Option<String>)>(conn)
            .unwrap()
    });
    crate::helpers::token_from_seed(&app.state, seed, legacy)
}

pub fn answer(slug: &str) -> Vec<(String, String)> {
    [
        ("security", "4"),
        ("reliability", "2"),
        ("usability", "na"),
        ("efficiency", "3"),
        ("latency", "1"),
        ("satisfaction", "2"),
        ("hours_lost", "12"),
        ("pain", "Deploys take an hour"),
        ("proposal", "Rewrite it in Rust"),
    ]
    .iter()
    .map(|(f, v)| (format!("t.{slug}.{f}"), v.to_string()))
    .collect()
}

pub async fn post_answers(
    app: &TestApp,
    token: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/r/{token}")))
        .form(fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn programs_validate_cadence_and_show_the_next_dates() {
    let app = organisation().await;
    let res = app
        .submit(
            "/programs/new",
            "/programs",
            &[
                ("name", "Bad"),
                ("tools_mode", "infra"),
                ("audience_mode", "using"),
                ("cadence_kind", "cron"),
                ("cron", "61 * * * *"),
                ("open_days", "0"),
                ("reminder_days", "x"),
                ("anonymity_k", "5"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("is not a valid cron expression"));
    assert!(html.contains("A round stays open from 1 to 90 days."));
    assert_eq!(app.count_rows("programs"), 0);

    create_program(&app, &[]).await;
    let (_, html) = app.get_text("/programs/pulse").await;
    assert!(html.contains("every 13 weeks"));
    assert!(
        html.contains("The chosen tools: today CI, Flags"),
        "the tools are named: {html}"
    );
    assert!(
        html.contains("Every team using an included tool: today Team A, Team B, Team C"),
        "the teams are named: {html}"
    );
    assert!(
        html.matches(" UTC").count() >= 3,
        "three next dates: {html}"
    );
}

#[tokio::test]
async fn opening_a_round_invites_each_audience_member_once_with_an_unguessable_link() {
    let app = organisation().await;
    create_program(&app, &[]).await;
    let res = open_round(&app).await;
    assert_eq!(location(&res), "/programs/pulse/rounds/1");
    let (_, html) = app.get_text("/programs/pulse/rounds/1").await;
    assert!(html.contains("Opened round 1 and queued invitations to 6 people."));
    assert!(html.contains("<dt>Invited</dt><dd>6</dd>"));

    let tokens: Vec<String> = app.tokens_of_round(1).into_iter().map(|(_, t)| t).collect();
    assert_eq!(tokens.len(), 6);
    let mut unique = tokens.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 6);
    for t in &tokens {
        assert!(infrapulse::links::is_token_shaped(t));
        assert!(!html.contains(t.as_str()), "admins never see links");
    }

    // A second opening while round 1 is open is refused.
    open_round(&app).await;
    assert_eq!(app.count_rows("rounds"), 1);
}

#[tokio::test]
async fn the_same_period_cannot_open_twice() {
    let app = organisation().await;
    create_program(&app, &[]).await;
    let now = infrapulse::clock::Clock::now(app.clock.as_ref());
    app.with_db(|conn| {
        let program = infrapulse::db::programs::find_by_slug(conn, "pulse")
            .unwrap()
            .unwrap();
        let keys = &app.state.links;
        infrapulse::surveys::open_round(conn, keys, &program, 3, Some("2027-Q1"), now).unwrap();
        infrapulse::db::rounds::set_closes_at(conn, 1, now).unwrap();
        let again = infrapulse::surveys::open_round(conn, keys, &program, 3, Some("2027-Q1"), now);
        assert!(
            matches!(
                again,
                Err(infrapulse::surveys::OpenRoundError::AlreadyOpened)
            ),
            "{again:?}"
        );
    });
    assert_eq!(app.count_rows("rounds"), 1);
    assert_eq!(
        app.count_rows("invitations"),
        6,
        "the failed opening left nothing behind"
    );
}

#[tokio::test]
async fn a_member_sees_only_the_tools_their_team_uses() {
    let app = organisation().await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    let (status, html) = app
        .get_text(&format!("/r/{}", token_of(&app, "a1@example.com")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"t.ci.security\"") && html.contains("name=\"t.flags.security\""));
    assert!(html.contains("Tell us what hurts."));
    let (_, html) = app
        .get_text(&format!("/r/{}", token_of(&app, "b1@example.com")))
        .await;
    assert!(html.contains("name=\"t.ci.satisfaction\""));
    assert!(!html.contains("t.flags."), "team b does not use Flags");
    for label in [
        "<label for=\"t.ci.hours_lost\">",
        "<label for=\"t.ci.pain\">",
        "<label for=\"t.ci.proposal\">",
    ] {
        assert!(html.contains(label), "{label}");
    }
}

#[tokio::test]
async fn every_field_is_validated_and_input_is_kept() {
    let app = organisation().await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    let token = token_of(&app, "b1@example.com");
    let mut fields = answer("ci");
    fields.retain(|(k, _)| {
        !k.ends_with("satisfaction")
            && !k.ends_with("security")
            && !k.ends_with("hours_lost")
            && !k.ends_with(".pain")
    });
    fields.push(("t.ci.security".into(), "6".into()));
    fields.push(("t.ci.hours_lost".into(), "1001".into()));
    fields.push(("t.ci.pain".into(), "x".repeat(5001)));
    fields.push(("t.unknown.security".into(), "1".into()));
    fields.push(("nonsense".into(), "ignored".into()));
    let res = post_answers(&app, &token, &fields).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    for message in [
        "Choose 1 to 5, or n&#x2F;a.",
        "How satisfied are you overall? Choose 1 to 5.",
        "Enter whole hours from 0 to 1000.",
        "must be at most 5000 characters",
        "4 answers need another look",
    ] {
        assert!(html.contains(message), "missing {message}");
    }
    assert!(html.contains("Rewrite it in Rust"), "input kept");
    assert!(
        html.contains("name=\"t.ci.reliability\" value=\"2\" checked"),
        "choice kept"
    );
    // The summary names and links each field that needs another look.
    for (field, label) in [
        ("t.ci.security", "CI: Security"),
        ("t.ci.satisfaction", "CI: Overall satisfaction"),
        ("t.ci.hours_lost", "CI: Hours lost"),
        ("t.ci.pain", "CI: What hurts most"),
    ] {
        assert!(
            html.contains(&format!("<a href=\"#{field}\">{label}</a>")),
            "{label} linked: {html}"
        );
        assert!(
            html.contains(&format!("id=\"{field}\"")),
            "{field} is a target"
        );
    }
    // Marked in its legend: aria-required is not allowed on a fieldset.
    assert!(
        html.contains("Overall satisfaction <abbr title=\"required\">*</abbr>")
            && !html.contains("id=\"t.ci.satisfaction\" aria-required"),
        "overall satisfaction is marked required"
    );
    assert_eq!(app.count_rows("responses"), 0);

    let mut twice = answer("ci");
    twice.push(("t.ci.satisfaction".into(), "5".into()));
    let res = post_answers(&app, &token, &twice).await;
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "duplicate parameters"
    );
    assert_eq!(app.count_rows("responses"), 0);
}

#[tokio::test]
async fn answers_can_be_edited_until_the_round_closes() {
    let app = organisation().await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    let token = token_of(&app, "b1@example.com");
    let res = post_answers(&app, &token, &answer("ci")).await;
    assert_eq!(location(&res), format!("/r/{token}/thanks"));
    let (_, html) = app.get_text(&location(&res)).await;
    assert!(html.contains("Thank you") && html.contains("change them"));

    let (_, html) = app.get_text(&format!("/r/{token}")).await;
    assert!(html.contains("Your earlier answers are filled in"));
    assert!(html.contains("name=\"t.ci.satisfaction\" value=\"2\" checked"));
    assert!(html.contains("Deploys take an hour"));

    let mut changed = answer("ci");
    changed.retain(|(k, _)| !k.ends_with("satisfaction"));
    changed.push(("t.ci.satisfaction".into(), "4".into()));
    post_answers(&app, &token, &changed).await;
    assert_eq!(app.count_rows("responses"), 1);
    assert_eq!(
        app.count_rows("tool_answers"),
        1,
        "an edit replaces, never adds"
    );
    let (_, html) = app.get_text(&format!("/r/{token}")).await;
    assert!(html.contains("name=\"t.ci.satisfaction\" value=\"4\" checked"));

    app.clock.advance(TimeDelta::days(15));
    let res = app.get(&format!("/r/{token}")).await;
    assert_eq!(res.status(), StatusCode::GONE);
    assert!(res.text().await.unwrap().contains("This survey closed on"));
    let res = post_answers(&app, &token, &answer("ci")).await;
    assert_eq!(res.status(), StatusCode::GONE);
}

#[tokio::test]
async fn a_double_submit_gives_one_response() {
    let app = organisation().await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    let token = token_of(&app, "a1@example.com");
    let mut fields = answer("ci");
    fields.push(("t.flags.not_used".into(), "1".into()));
    let (a, b, c) = tokio::join!(
        post_answers(&app, &token, &fields),
        post_answers(&app, &token, &fields),
        post_answers(&app, &token, &fields)
    );
    for res in [a, b, c] {
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(app.count_rows("responses"), 1);
    assert_eq!(app.count_rows("tool_answers"), 2);
}

#[tokio::test]
async fn editing_the_program_does_not_change_the_open_round() {
    let app = organisation().await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    // Opened once before the edits: the form's parts are now kept in memory.
    let (status, before) = app
        .get_text(&format!("/r/{}", token_of(&app, "a1@example.com")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(before.contains("t.ci.security") && before.contains("t.flags.security"));
    let res = app
        .submit(
            "/programs/pulse",
            "/programs/pulse/questions",
            &[
                ("prompt", "Which office?"),
                ("kind", "single"),
                ("options", "Berlin\nLisbon"),
                ("required", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .submit(
            "/programs/pulse/edit",
            "/programs/pulse/edit",
            &[
                ("name", "Renamed"),
                ("slug", "pulse"),
                ("intro", "A new intro"),
                ("tools_mode", "chosen"),
                ("tools", "flags"),
                ("audience_mode", "using"),
                ("cadence_kind", "weeks"),
                ("cadence_weeks", "4"),
                ("open_days", "7"),
                ("reminder_days", ""),
                ("anonymity_k", "5"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app
        .get_text(&format!("/r/{}", token_of(&app, "a1@example.com")))
        .await;
    assert!(html.contains("Tell us what hurts.") && !html.contains("A new intro"));
    assert!(html.contains("Quarterly pulse") && !html.contains("Renamed"));
    assert!(
        html.contains("t.ci.security"),
        "CI is still asked in this round"
    );
    assert!(
        !html.contains("Which office?"),
        "the new question waits for the next round"
    );
    // A required question still gets no answer in this round and nothing breaks.
    let res = post_answers(&app, &token_of(&app, "b1@example.com"), &answer("ci")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // The next round asks what the program asks now, of the same team: a
    // form kept for the first round is not the second's.
    close_round(&app, 1).await;
    assert_eq!(open_round(&app).await.status(), StatusCode::SEE_OTHER);
    let (status, next) = app
        .get_text(&format!("/r/{}", token_of(&app, "a1@example.com")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(next.contains("t.flags.security"), "Flags is asked");
    assert!(!next.contains("t.ci.security"), "CI is no longer chosen");
    assert!(next.contains("Which office?"), "the new question is asked");
}

#[tokio::test]
async fn extra_questions_are_asked_and_checked() {
    let app = organisation().await;
    create_program(&app, &[]).await;
    app.submit(
        "/programs/pulse",
        "/programs/pulse/questions",
        &[
            ("prompt", "Which office?"),
            ("kind", "single"),
            ("options", "Berlin\nLisbon"),
            ("required", "1"),
        ],
    )
    .await;
    app.submit(
        "/programs/pulse",
        "/programs/pulse/questions",
        &[
            ("prompt", "What else?"),
            ("kind", "multi"),
            ("options", "Docs\nOn-call"),
        ],
    )
    .await;
    open_round(&app).await;
    let token = token_of(&app, "b1@example.com");
    let (_, html) = app.get_text(&format!("/r/{token}")).await;
    assert!(html.contains("Which office?") && html.contains("value=\"Lisbon\""));
    let res = post_answers(&app, &token, &answer("ci")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("This question needs an answer.")
    );
    let ids: Vec<i64> = app.with_db(|conn| {
        infrapulse::db::schema::round_questions::table
            .order(infrapulse::db::schema::round_questions::position.asc())
            .select(infrapulse::db::schema::round_questions::id)
            .load(conn)
            .unwrap()
    });
    let mut fields = answer("ci");
    fields.push((format!("q.{}", ids[0]), "Lisbon".into()));
    fields.push((format!("q.{}", ids[1]), "Docs".into()));
    fields.push((format!("q.{}", ids[1]), "On-call".into()));
    let res = post_answers(&app, &token, &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count_rows("question_answers"), 2);
}

#[tokio::test]
async fn unknown_and_malformed_tokens_look_the_same() {
    let app = organisation().await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    let unknown = app
        .get(&format!("/r/{}", infrapulse::secret::random_hex(16)))
        .await;
    let malformed = app.get("/r/not-a-token'%20OR%201=1").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(malformed.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        unknown.text().await.unwrap(),
        malformed.text().await.unwrap()
    );
    let res = app
        .client
        .post(app.url("/r/0123"))
        .form(&[("t.ci.satisfaction", "3")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn guessing_links_is_slowed_but_real_links_keep_working() {
    let app = organisation().await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    for _ in 0..100 {
        assert_eq!(app.get("/r/guess").await.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(
        app.get("/r/guess").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let (status, _) = app
        .get_text(&format!("/r/{}", token_of(&app, "c1@example.com")))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a valid link from the same address still works"
    );
}

#[tokio::test]
async fn hostile_free_text_is_stored_verbatim_and_rendered_escaped() {
    let app = organisation().await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    let token = token_of(&app, "b1@example.com");
    let hostile = "<script>alert('pwn')</script>\n=HYPERLINK(\"http://evil\")";
    let mut fields = answer("ci");
    fields.retain(|(k, _)| !k.ends_with(".pain"));
    fields.push(("t.ci.pain".into(), hostile.into()));
    post_answers(&app, &token, &fields).await;
    let stored: String = app.with_db(|conn| {
        infrapulse::db::schema::tool_answers::table
            .select(infrapulse::db::schema::tool_answers::pain)
            .first(conn)
            .unwrap()
    });
    assert_eq!(stored, hostile);
    let (_, html) = app.get_text(&format!("/r/{token}")).await;
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;alert(&#x27;pwn&#x27;)&lt;&#x2F;script&gt;"));
}

#[tokio::test]
async fn the_round_page_hides_small_groups_and_admins_can_close_it() {
    let app = organisation().await;
    create_program(&app, &[("anonymity_k", "2")]).await;
    open_round(&app).await;
    for email in ["a1@example.com", "a2@example.com", "b1@example.com"] {
        let mut fields = answer("ci");
        if email.starts_with('a') {
            fields.push(("t.flags.not_used".into(), "1".into()));
        }
        let res = post_answers(&app, &token_of(&app, email), &fields).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{email}");
    }
    let (_, html) = app.get_text("/programs/pulse/rounds/1").await;
    assert!(html.contains("<dt>Answered</dt><dd>3</dd>") && html.contains("<dd>50%</dd>"));
    assert!(!html.contains("Opened the link"), "opening is not recorded");
    // Team A (2) alone would be shown, but then 3 - 2 gives away that one
    // person of B and C answered: A is hidden with them.
    for team in ["Team A", "Team B", "Team C"] {
        assert!(
            html.contains(&format!(
                "<td>{team}</td><td>2</td><td colspan=\"2\" class=\"muted suppressed\">hidden"
            )),
            "{team}: {html}"
        );
    }
    // With B at 2 too, C's 0 alone would be 4 - 2 - 2: one more group (A,
    // the first of the two smallest) is hidden with it, and B shows.
    post_answers(&app, &token_of(&app, "b2@example.com"), &answer("ci")).await;
    let (_, html) = app.get_text("/programs/pulse/rounds/1").await;
    assert!(
        html.contains("<td>Team B</td><td>2</td><td>2</td><td>100%</td>"),
        "{html}"
    );
    for team in ["Team A", "Team C"] {
        assert!(
            html.contains(&format!(
                "<td>{team}</td><td>2</td><td colspan=\"2\" class=\"muted suppressed\">hidden"
            )),
            "{team}: {html}"
        );
    }

    close_round(&app, 1).await;
    assert_eq!(
        app.get(&format!("/r/{}", token_of(&app, "c1@example.com")))
            .await
            .status(),
        StatusCode::GONE
    );
    // A closed round is sealed: it cannot be extended into life again.
    let res = app
        .submit(
            "/programs/pulse/rounds/1",
            "/programs/pulse/rounds/1",
            &[("action", "extend"), ("days", "2")],
        )
        .await;
    let (_, html) = app.get_text(&location(&res)).await;
    assert!(html.contains("cannot be opened again"), "{html}");
    assert!(
        !html.contains("Extend by days"),
        "no deadline form on a closed round"
    );
    assert_eq!(
        app.get(&format!("/r/{}", token_of(&app, "c1@example.com")))
            .await
            .status(),
        StatusCode::GONE
    );
}

#[tokio::test]
async fn viewers_cannot_open_rounds_or_change_programs() {
    let app = organisation().await;
    create_program(&app, &[]).await;
    let viewer = app
        .client_signed_in_as("viewer@example.com", Role::Viewer)
        .await;
    let page = viewer
        .get(app.url("/programs/pulse"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Open a round now"));
    let res = viewer
        .post(app.url("/programs/pulse/rounds"))
        .form(&[("csrf_token", crate::helpers::csrf_token(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count_rows("rounds"), 0);
}

#[tokio::test]
async fn concurrent_openings_make_one_round() {
    let app = organisation().await;
    create_program(&app, &[]).await;
    let (a, b, c) = tokio::join!(open_round(&app), open_round(&app), open_round(&app));
    for res in [a, b, c] {
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "a refusal is a flash, never a 500"
        );
    }
    assert_eq!(app.count_rows("rounds"), 1);
    assert_eq!(app.count_rows("invitations"), 6);
}

#[tokio::test]
async fn only_an_open_round_can_change_its_deadline() {
    let app = organisation().await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    let extend = [("action", "extend"), ("days", "5")];
    let res = app
        .submit(
            "/programs/pulse/rounds/1",
            "/programs/pulse/rounds/1",
            &extend,
        )
        .await;
    let (_, html) = app.get_text(&location(&res)).await;
    assert!(html.contains("Round 1 now closes"), "{html}");
    for days in ["0", "91", "x"] {
        let res = app
            .submit(
                "/programs/pulse/rounds/1",
                "/programs/pulse/rounds/1",
                &[("action", "extend"), ("days", days)],
            )
            .await;
        let (_, html) = app.get_text(&location(&res)).await;
        assert!(html.contains("Extend by 1 to 90 days."), "{days}");
    }
    // Closing seals for good: the round page's button asks to confirm on
    // a page of its own, whose form posts the close.
    let (_, html) = app.get_text("/programs/pulse/rounds/1").await;
    assert!(
        html.contains("href=\"/programs/pulse/rounds/1/close\""),
        "{html}"
    );
    let (status, html) = app.get_text("/programs/pulse/rounds/1/close").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Close the round now?"), "{html}");
    assert!(html.contains(r#"name="action" value="close""#), "{html}");
    let (_, html) = app.get_text("/programs/pulse/rounds/1").await;
    assert!(
        html.contains("Close the round now"),
        "asking closed nothing: {html}"
    );
    let close = [("action", "close")];
    let res = app
        .submit(
            "/programs/pulse/rounds/1/close",
            "/programs/pulse/rounds/1",
            &close,
        )
        .await;
    let (_, html) = app.get_text(&location(&res)).await;
    assert!(html.contains("Round 1 is closed"), "{html}");
    app.clock.advance(TimeDelta::seconds(1));
    let res = open_round(&app).await;
    assert_eq!(location(&res), "/programs/pulse/rounds/2");

    let (_, html) = app.get_text("/programs/pulse/rounds/1").await;
    assert!(
        !html.contains("Extend"),
        "no deadline form on a closed round"
    );
    let res = app
        .submit(
            "/programs/pulse/rounds/1",
            "/programs/pulse/rounds/1",
            &extend,
        )
        .await;
    let (_, html) = app.get_text(&location(&res)).await;
    assert!(html.contains("Round 1 has closed."), "{html}");
    let old_link = token_of(&app, "a1@example.com");
    assert_eq!(
        app.get(&format!("/r/{old_link}")).await.status(),
        StatusCode::OK,
        "round 2's link"
    );
    let round1_token = app.tokens_of_round(1).remove(0).1;
    assert_eq!(
        app.get(&format!("/r/{round1_token}")).await.status(),
        StatusCode::GONE
    );
}

/// The hours a link's stored answer about CI gives, found the way the
/// server finds it: by the link's respondent key.
fn stored_hours(app: &TestApp, token: &str) -> Vec<Option<i64>> {
    use infrapulse::db::schema::{responses, tool_answers};
    let key = app.state.links.respondent_key(token);
    app.with_db(|conn| {
        tool_answers::table
            .inner_join(responses::table)
            .filter(responses::respondent_key.eq(key))
            .select(tool_answers::hours_lost)
            .load(conn)
            .unwrap()
    })
}

fn hours(n: usize) -> Vec<(String, String)> {
    let mut fields = answer("ci");
    fields.retain(|(k, _)| !k.ends_with("hours_lost"));
    fields.push(("t.ci.hours_lost".into(), n.to_string()));
    fields
}

/// A valid form checked as the handler checks it (the app's link keys and
/// forms, the clock's now): ready to be written.
fn ready(
    app: &TestApp,
    conn: &mut infrapulse::db::DbConnection,
    token: &str,
    pairs: &[(String, String)],
) -> infrapulse::surveys::respond::Checked {
    use infrapulse::clock::Clock;
    use infrapulse::surveys::respond::{self, Check};
    let (keys, forms) = (&app.state.links, &app.state.forms);
    match respond::check(conn, keys, forms, token, pairs, app.clock.now()).unwrap() {
        Check::Ready(checked) => checked,
        Check::Done(_) => panic!("a valid form is ready to be written"),
    }
}

/// Submissions arriving together are written together (`surveys::intake`):
/// none may take another's answers, lose its own, or be split. Forty
/// members submit at once, five of them twice with other answers.
#[tokio::test]
async fn answers_written_together_stay_apart() {
    let app = populate_many(spawn_app().await, 60).await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    // Teams B and C, whose form asks about CI alone.
    let tokens: Vec<String> = (0..60)
        .filter(|i| i % 3 != 0)
        .map(|i| token_of(&app, &format!("m{i}@example.com")))
        .collect();
    let app = &app;
    let posts = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t, hours(i)))
        .chain(
            tokens
                .iter()
                .take(5)
                .enumerate()
                .map(|(i, t)| (t, hours(100 + i))),
        )
        .map(|(token, fields)| async move { post_answers(app, token, &fields).await.status() });
    let statuses = futures_util::future::join_all(posts).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    // Every submission was written in exactly one committed transaction.
    let (_, metrics) = app.get_text("/metrics").await;
    assert!(
        metrics.contains("infrapulse_answer_batch_size_sum 45\n"),
        "{metrics}"
    );
    assert_eq!(app.count_rows("responses"), 40, "one response a link");
    assert_eq!(app.count_rows("tool_answers"), 40, "one answer a link");
    for (i, token) in tokens.iter().enumerate() {
        let stored = stored_hours(app, token);
        if i < 5 {
            let i = i as i64;
            assert!(
                stored == [Some(i)] || stored == [Some(100 + i)],
                "member {i}: one of its own answers, whole: {stored:?}"
            );
        } else {
            assert_eq!(stored, [Some(i as i64)], "member {i}: its own answer");
        }
    }
}

/// What `respond::save_checked` makes of checked forms written in one
/// transaction: a new response and an edit side by side, and two forms of
/// one link, of which the last stands.
#[tokio::test]
async fn checked_forms_saved_together_end_as_if_saved_one_after_another() {
    use infrapulse::clock::Clock;
    use infrapulse::surveys::respond::{self, Submitted};
    let app = organisation().await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    let (b1, b2, c1) = (
        token_of(&app, "b1@example.com"),
        token_of(&app, "b2@example.com"),
        token_of(&app, "c1@example.com"),
    );
    let save = |forms: &[(&String, usize)]| {
        let now = app.clock.now();
        app.with_db(|conn| {
            let checked: Vec<respond::Checked> = forms
                .iter()
                .map(|(token, n)| ready(&app, conn, token, &hours(*n)))
                .collect();
            infrapulse::db::write_transaction(conn, |conn| {
                respond::save_checked(conn, &checked, now)
            })
            .unwrap()
        })
    };
    let saved = save(&[(&b1, 1), (&b2, 2), (&b1, 3)]);
    assert!(saved.iter().all(|s| matches!(s, Submitted::Saved)));
    assert_eq!(app.count_rows("responses"), 2);
    assert_eq!(
        stored_hours(&app, &b1),
        [Some(3)],
        "the last form of a link stands"
    );
    assert_eq!(stored_hours(&app, &b2), [Some(2)]);

    let saved = save(&[(&c1, 4), (&b2, 5)]);
    assert!(saved.iter().all(|s| matches!(s, Submitted::Saved)));
    assert_eq!(
        app.count_rows("responses"),
        3,
        "an edit beside a new response"
    );
    assert_eq!(
        app.count_rows("tool_answers"),
        3,
        "an edit replaces, never adds"
    );
    assert_eq!(stored_hours(&app, &b2), [Some(5)]);
    assert_eq!(stored_hours(&app, &c1), [Some(4)]);
    assert_eq!(stored_hours(&app, &b1), [Some(3)], "untouched");
}

/// The database goes out of reach while answers wait to be written: every
/// submitter hears so (a 503 at the handler), nothing is half written, and
/// the same intake writes again once the database is back. The intake here
/// writes through a pool of one connection that the test holds, whichever
/// the backend.
#[tokio::test]
async fn answers_that_cannot_reach_the_database_are_refused_whole_and_written_once_it_is_back() {
    use infrapulse::db::{self, ConnectionManager, DatabaseUrl};
    use infrapulse::surveys::intake::Intake;
    use infrapulse::surveys::respond::Submitted;
    let app = organisation().await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    let tokens: Vec<String> = ["b1@example.com", "b2@example.com", "c1@example.com"]
        .iter()
        .map(|email| token_of(&app, email))
        .collect();
    let check = |token: &String, n: usize| app.with_db(|conn| ready(&app, conn, token, &hours(n)));
    let pool = diesel::r2d2::Pool::builder()
        .max_size(1)
        .connection_timeout(std::time::Duration::from_millis(300))
        .build(ConnectionManager::new(
            DatabaseUrl::parse(&app.db.url).unwrap(),
        ))
        .unwrap();
    let intake = Intake::start(
        pool.clone(),
        None,
        app.clock.clone(),
        app.state.metrics.clone(),
    )
    .unwrap();

    let held = pool.get().unwrap();
    let refused = futures_util::future::join_all(
        tokens
            .iter()
            .enumerate()
            .map(|(n, token)| intake.save(check(token, n + 1))),
    )
    .await;
    for outcome in &refused {
        let error = outcome.as_ref().err().expect("nothing is saved");
        assert!(
            db::is_unavailable_cause(error),
            "a 503, not a 500: {error:#}"
        );
    }
    assert_eq!(app.count_rows("responses"), 0, "nothing half written");
    assert_eq!(app.count_rows("tool_answers"), 0);

    drop(held);
    let saved = intake.save(check(&tokens[0], 7)).await.unwrap();
    assert!(matches!(saved, Submitted::Saved));
    assert_eq!(stored_hours(&app, &tokens[0]), [Some(7)]);
    assert_eq!(app.count_rows("responses"), 1);
}

/// A form is checked before its write is queued (on SQLite the one writer
/// only writes). A round that closes in between takes no answer: the write
/// checks the round again, and nothing is stored.
#[tokio::test]
async fn a_round_closed_between_check_and_write_takes_no_answer() {
    use infrapulse::clock::Clock;
    use infrapulse::db::schema::{responses, tool_answers};
    use infrapulse::surveys::respond::{self, Submitted};
    let app = organisation().await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    let token = token_of(&app, "b1@example.com");
    let checked = app.with_db(|conn| ready(&app, conn, &token, &answer("ci")));

    close_round(&app, 1).await;
    let later = app.clock.now();
    let saved = app.with_db(|conn| {
        infrapulse::db::write_transaction(conn, |conn| {
            respond::save_checked(conn, &[checked], later)
        })
        .unwrap()
    });
    assert!(
        matches!(saved[..], [Submitted::Closed(_)]),
        "the round has closed"
    );
    let (stored, answers): (i64, i64) = app.with_db(|conn| {
        (
            responses::table.count().get_result(conn).unwrap(),
            tool_answers::table.count().get_result(conn).unwrap(),
        )
    });
    assert_eq!((stored, answers), (0, 0), "nothing is stored");
}

/// A submission and a close racing: the close waits for a submission that
/// read the round open, then seals its answer with the rest, so no answer
/// keeps its key or a small team's name. On PostgreSQL the submission holds
/// the round's row (without that, the close would not wait, and the answer
/// would land unsealed after it); the test sees the close waiting before
/// it lets the submission commit. On SQLite a write holds the whole
/// database, so the close always queues behind it.
#[tokio::test]
async fn a_close_waits_for_a_submission_in_flight_and_seals_its_answer() {
    use std::sync::mpsc;

    use diesel::sql_types::BigInt;
    use infrapulse::clock::Clock;
    use infrapulse::db::schema::responses;
    use infrapulse::surveys::respond::{self, Check, Submitted};
    let app = organisation().await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    let token = token_of(&app, "b1@example.com");
    let round = app.with_db(|conn| {
        respond::find(conn, &app.state.links, &token)
            .unwrap()
            .unwrap()
            .round
    });
    let now = app.clock.now();

    let (submitted_tx, submitted) = mpsc::channel();
    let (commit, commit_rx) = mpsc::channel::<()>();
    let submitting = {
        let (pool, keys, forms) = (
            app.state.pool.clone(),
            app.state.links.clone(),
            app.state.forms.clone(),
        );
        let pairs = answer("ci");
        let token = token.clone();
        std::thread::spawn(move || {
            let mut conn = pool.get().unwrap();
            // The submission's transaction, kept open until told.
            infrapulse::db::write_transaction(&mut conn, |conn| {
                let Check::Ready(checked) =
                    respond::check(conn, &keys, &forms, &token, &pairs, now)?
                else {
                    panic!("a valid form is ready to be written");
                };
                let saved = respond::save_checked(conn, &[checked], now)?;
                submitted_tx
                    .send(matches!(saved[..], [Submitted::Saved]))
                    .unwrap();
                commit_rx.recv().unwrap();
                Ok::<_, diesel::result::Error>(())
            })
            .unwrap();
        })
    };
    assert!(
        submitted.recv().unwrap(),
        "the round is open: the answer is saved"
    );

    let (closed_tx, closed) = mpsc::channel();
    let closing = {
        let (pool, keys, round) = (app.state.pool.clone(), app.state.links.clone(), round);
        std::thread::spawn(move || {
            let mut conn = pool.get().unwrap();
            let outcome = infrapulse::surveys::close_round(&mut conn, &keys, &round, now);
            closed_tx.send(()).unwrap();
            outcome.unwrap()
        })
    };
    if app.db.is_postgres() {
        // Until the close waits on a lock, or is done without waiting.
        let mut observer = app.state.pool.get().unwrap();
        loop {
            #[derive(QueryableByName)]
            struct Waiting {
                #[diesel(sql_type = BigInt)]
                n: i64,
            }
            let waiting: Waiting = diesel::sql_query(
                "SELECT count(*) AS n FROM pg_stat_activity \
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
            .get_result(&mut *observer)
            .unwrap();
            if waiting.n > 0 || closed.try_recv().is_ok() {
                break;
            }
            std::thread::yield_now();
        }
    }
    commit.send(()).unwrap();
    submitting.join().unwrap();
    assert!(closing.join().unwrap().is_some(), "the round closes");

    let stored: Vec<(Option<String>, Option<i64>)> = app.with_db(|conn| {
        responses::table
            .select((responses::respondent_key, responses::team_id))
            .load(conn)
            .unwrap()
    });
    assert_eq!(
        stored,
        vec![(None, None)],
        "the answer is stored, sealed: no key, and no name for a team of one"
    );
}
