use infrapulse::domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app};

#[tokio::test]
async fn teams_are_created_edited_archived_and_restored() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let res = app
        .submit(
            "/teams/new",
            "/teams",
            &[("name", "Data Platform (EU)"), ("slug", "")],
        )
        .await;
    assert_eq!(
        location(&res),
        "/teams/data-platform-eu",
        "slug made from the name"
    );
    let (_, html) = app.get_text("/teams").await;
    assert!(html.contains("Data Platform (EU)") && html.contains("Active"));

    let res = app
        .submit(
            "/teams/data-platform-eu/edit",
            "/teams/data-platform-eu/edit",
            &[
                ("name", "Data Platform"),
                ("slug", "data"),
                ("description", "Pipelines\nand lakes"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/teams/data");
    let (_, html) = app.get_text("/teams/data").await;
    assert!(html.contains("Saved the team Data Platform."));
    assert!(html.contains("Pipelines\nand lakes"));

    let res = app.submit("/teams/data", "/teams/data/archive", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_text("/teams").await;
    assert!(html.contains("Archived"));
    app.submit("/teams/data", "/teams/data/restore", &[]).await;
    let (_, html) = app.get_text("/teams/data").await;
    assert!(html.contains("Restored the team"));
    assert_eq!(app.get("/teams/nope").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_team_forms_are_422_and_write_nothing() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    app.add_team("Core", "core").await;
    for (fields, expected) in [
        (
            vec![("name", ""), ("slug", "x")],
            "The name must not be empty.",
        ),
        (
            vec![("name", "X"), ("slug", "Not A Slug")],
            "The slug may contain only a-z, 0-9 and -.",
        ),
        (
            vec![("name", "Core again"), ("slug", "core")],
            "Another team already has the slug",
        ),
        (
            vec![("name", "=HYPERLINK(\"http://evil\")"), ("slug", "h")],
            "spreadsheets run such text",
        ),
        (vec![("name", "Line\nbreak"), ("slug", "lb")], "line breaks"),
        (vec![("name", "New"), ("slug", "new")], "reserved"),
    ] {
        let res = app.submit("/teams/new", "/teams", &fields).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let html = res.text().await.unwrap();
        assert!(html.contains(expected), "{fields:?}: missing {expected}");
    }
    assert_eq!(app.count_rows("teams"), 1);
}

#[tokio::test]
async fn hostile_names_are_stored_verbatim_and_rendered_escaped() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    app.add_team("<script>alert(1)</script>", "xss").await;
    app.add_tool("CI", "ci", "xss").await;
    for path in ["/teams", "/teams/xss", "/adoption", "/tools", "/tools/ci"] {
        let (_, html) = app.get_text(path).await;
        assert!(!html.contains("<script>alert(1)"), "{path}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_team_with_members_cannot_be_deleted_but_an_empty_one_can() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    app.add_team("Core", "core").await;
    app.add_team("Empty", "empty").await;
    let res = app
        .submit(
            "/members/new",
            "/members",
            &[
                ("name", "Ada"),
                ("email", "ada@example.com"),
                ("team", "core"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let (_, html) = app.get_text("/teams/core/delete").await;
    assert!(
        html.contains("This cannot be deleted yet") && html.contains("1 members belong to it.")
    );
    assert!(!html.contains("Delete the team"), "no button while blocked");
    let res = app.submit("/teams/core", "/teams/core/delete", &[]).await;
    assert_eq!(location(&res), "/teams/core");
    assert_eq!(app.count_rows("teams"), 2, "the foreign key kept it");

    let (_, html) = app.get_text("/teams/empty/delete").await;
    assert!(html.contains("Delete the team"));
    let res = app
        .submit("/teams/empty/delete", "/teams/empty/delete", &[])
        .await;
    assert_eq!(location(&res), "/teams");
    assert_eq!(app.count_rows("teams"), 1);
}

async fn set_adoption(app: &crate::helpers::TestApp, cells: &[(&str, &str, &str)]) {
    let ids = |table: &str, slug: &str| -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            id: i64,
        }
        app.with_db(|conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query(format!("SELECT id FROM {table} WHERE slug = '{slug}'"))
                .get_result::<Id>(conn)
                .unwrap()
                .id
        })
    };
    let fields: Vec<(String, String)> = cells
        .iter()
        .map(|(team, tool, value)| {
            (
                format!("a.{}.{}", ids("teams", team), ids("tools", tool)),
                value.to_string(),
            )
        })
        .collect();
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = app.submit("/adoption", "/adoption", &borrowed).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_three_team_rule_decides_what_is_infrastructure() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    for t in ["a", "b", "c"] {
        app.add_team(&format!("Team {t}"), t).await;
    }
    app.add_tool("CI", "ci", "a").await;
    let status =
        |html: &str| html.contains("<strong class=\"yes\">Technical infrastructure</strong>");

    set_adoption(&app, &[("a", "ci", "critical"), ("b", "ci", "critical")]).await;
    let (_, html) = app.get_text("/tools/ci").await;
    assert!(!status(&html), "2 business-critical teams are not enough");
    assert!(html.contains("business-critical for 2 of the 3 teams needed"));

    set_adoption(&app, &[("c", "ci", "uses")]).await;
    let (_, html) = app.get_text("/tools/ci").await;
    assert!(!status(&html), "3 teams, one not critical");

    set_adoption(&app, &[("c", "ci", "critical")]).await;
    let (_, html) = app.get_text("/tools/ci").await;
    assert!(status(&html), "3 business-critical teams");
    for team in ["Team a", "Team b", "Team c"] {
        assert!(html.contains(team), "consumers listed");
    }
    let (_, list) = app.get_text("/tools").await;
    assert!(list.contains("3 teams") && list.contains("Infrastructure"));

    // Archiving a consuming team takes it out of the count.
    app.submit("/teams/c", "/teams/c/archive", &[]).await;
    let (_, html) = app.get_text("/tools/ci").await;
    assert!(!status(&html));

    set_adoption(&app, &[("a", "ci", ""), ("b", "ci", "")]).await;
    assert_eq!(
        app.count_rows("adoptions"),
        1,
        "only the archived team's row is left"
    );
}

#[tokio::test]
async fn the_matrix_refuses_fields_it_did_not_offer() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    app.add_team("A", "a").await;
    app.add_tool("CI", "ci", "a").await;
    for fields in [
        vec![("a.1.1", "sometimes")],
        vec![("evil", "critical")],
        vec![("a.x.1", "uses")],
        vec![("a.1.1", "uses"), ("a.1.1", "critical")],
    ] {
        let res = app.submit("/adoption", "/adoption", &fields).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{fields:?}");
    }
    let res = app
        .submit("/adoption", "/adoption", &[("a.999.999", "uses")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count_rows("adoptions"), 0);
}

#[tokio::test]
async fn tools_need_an_owner_and_a_known_category() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    app.add_team("A", "a").await;
    let res = app
        .submit(
            "/tools/new",
            "/tools",
            &[("name", "CI"), ("category", "toys"), ("owner", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Choose one of the listed categories."));
    assert!(html.contains("Choose the team that owns this tool."));
    assert!(html.contains(r#"value="CI""#), "input kept");
    assert_eq!(app.count_rows("tools"), 0);

    app.add_tool("CI", "ci", "a").await;
    let res = app.submit("/tools/ci", "/tools/ci/archive", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_text("/tools").await;
    assert!(html.contains("Archived"));
    let res = app
        .submit("/tools/ci/delete", "/tools/ci/delete", &[])
        .await;
    assert_eq!(location(&res), "/tools");
    assert_eq!(app.count_rows("tools"), 0);
}

#[tokio::test]
async fn members_are_added_found_deactivated_and_deleted() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    app.add_team("Core", "core").await;
    app.add_team("Data", "data").await;
    for (name, email, team) in [
        ("Ada Lovelace", "Ada@Example.com", "core"),
        ("Bo 100%", "bo@example.com", "data"),
    ] {
        let res = app
            .submit(
                "/members/new",
                "/members",
                &[("name", name), ("email", email), ("team", team)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let res = app
        .submit(
            "/members/new",
            "/members",
            &[
                ("name", "Twin"),
                ("email", "ada@example.com"),
                ("team", "core"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("ada@example.com is already a member.")
    );

    let (_, html) = app.get_text("/members?q=LOVELACE").await;
    assert!(html.contains("ada@example.com") && !html.contains("bo@example.com"));
    let (_, html) = app.get_text("/members?q=100%25").await;
    assert!(
        html.contains("bo@example.com") && !html.contains("ada@example.com"),
        "% is literal"
    );
    let (_, html) = app.get_text("/members?team=data").await;
    assert!(html.contains("bo@example.com") && !html.contains("ada@example.com"));
    assert_eq!(
        app.get("/members?team=nope").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/members?page=abc").await.status(),
        StatusCode::BAD_REQUEST
    );

    let id = app.with_db(|conn| {
        infrapulse::db::members::find_by_email(conn, "ada@example.com")
            .unwrap()
            .unwrap()
            .id
    });
    let res = app
        .submit(
            &format!("/members/{id}/edit"),
            &format!("/members/{id}/archive"),
            &[],
        )
        .await;
    let (_, html) = app.get_text(&location(&res)).await;
    assert!(html.contains("Deactivated ada@example.com"));
    let (_, html) = app.get_text("/members").await;
    assert!(
        !html.contains("ada@example.com"),
        "inactive hidden by default"
    );
    let (_, html) = app.get_text("/members?inactive=1").await;
    assert!(html.contains("ada@example.com") && html.contains("Inactive"));

    let res = app
        .submit(
            &format!("/members/{id}/delete"),
            &format!("/members/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(location(&res), "/members");
    assert_eq!(app.count_rows("members"), 1);
}

#[tokio::test]
async fn viewers_read_the_directory_but_change_none_of_it() {
    let app = spawn_app().await;
    app.create_account("boss@example.com", Role::Admin);
    app.signed_in_as(Role::Viewer).await;
    for path in ["/teams", "/tools", "/members", "/adoption"] {
        assert_eq!(app.get(path).await.status(), StatusCode::OK, "{path}");
    }
    let (_, html) = app.get_text("/teams").await;
    assert!(!html.contains("New team"));
    for path in ["/teams/new", "/tools/new", "/members/new", "/import"] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let res = app
        .submit(
            "/teams",
            "/teams",
            &[("name", "Sneaky"), ("slug", "sneaky")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.submit("/teams", "/adoption", &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count_rows("teams"), 0);
}

#[tokio::test]
async fn the_demo_directory_renders_on_every_page() {
    let app = spawn_app().await;
    let now = infrapulse::clock::Clock::now(app.clock.as_ref());
    app.with_db(|conn| {
        assert!(infrapulse::demo::database_is_empty(conn).unwrap());
        infrapulse::demo::seed_directory(conn, now).unwrap();
    });
    app.signed_in_as(Role::Admin).await;
    let (_, html) = app.get_text("/tools").await;
    assert!(html.contains("MongoDB shared replsets"));
    let (_, ci) = app.get_text("/tools/ci").await;
    assert!(
        ci.contains("Technical infrastructure"),
        "CI is critical for 8 teams"
    );
    let (_, warehouse) = app.get_text("/tools/warehouse").await;
    assert!(warehouse.contains("Not technical infrastructure"));
    for path in [
        "/",
        "/teams",
        "/teams/payments",
        "/members",
        "/adoption",
        "/import",
    ] {
        assert_eq!(app.get(path).await.status(), StatusCode::OK, "{path}");
    }
    assert_eq!(app.count_rows("teams"), 12);
    app.with_db(|conn| assert!(!infrapulse::demo::database_is_empty(conn).unwrap()));

    let token = app.with_db(|conn| {
        let (_, invited) = infrapulse::demo::seed_surveys(conn, &app.state.links, 3, now).unwrap();
        assert!(invited > 40, "the open round invites most engineers");
        crate::helpers::open_round_token(&app.state, conn)
    });
    assert_eq!(
        app.count_rows("outbox WHERE status = 'queued'") as usize,
        app.count_rows("invitations i JOIN rounds r ON r.id = i.round_id WHERE r.number = 4")
            as usize,
        "the open round's invitations wait in the outbox; the past rounds' went long ago"
    );
    let (_, html) = app.get_text("/programs/quarterly-pulse").await;
    assert!(html.contains("Round 4") && html.contains("Round 1"));
    assert!(!html.contains('\\'), "the intro reads as written: {html}");
    // The form asks the single-choice question with one option each.
    let (_, form) = app.get_text(&format!("/r/{token}")).await;
    for option in ["Daily", "Weekly", "Monthly"] {
        assert!(
            form.contains(&format!("value=\"{option}\"")),
            "{option}: {form}"
        );
    }
    assert!(!form.contains("\\n"), "{form}");
    // Past rounds answered like real ones: about two in three, never the
    // same count twice.
    let mut answered = Vec::new();
    for round in 1..=3 {
        let (_, html) = app
            .get_text(&format!("/programs/quarterly-pulse/rounds/{round}"))
            .await;
        let rate: i64 = html
            .split("<dt>Response rate</dt><dd>")
            .nth(1)
            .and_then(|rest| rest.split('%').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("round {round} shows a rate: {html}"));
        assert!((50..=85).contains(&rate), "round {round}: {rate}%");
        answered.push(rate);
    }
    answered.dedup();
    assert_eq!(answered.len(), 3, "each round differs: {answered:?}");
    let (status, html) = app.get_text(&format!("/r/{token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Quarterly infrastructure pulse")
            && html.contains("How often do you deploy?")
    );
    assert!(app.count_rows("responses") > 100);

    // The results tell the talk's story: MongoDB first, below its
    // baselines; CI recovering; every results page alive.
    let (_, dash) = app.get_text("/").await;
    let standings = dash.split("Where to look first").nth(1).unwrap();
    let first = standings.split("<tr>").nth(2).unwrap();
    assert!(first.contains("MongoDB shared replsets"), "{first}");
    let breaches = dash.split("Below baseline").nth(1).unwrap();
    let breaches = breaches.split("</table>").next().unwrap();
    for measure in ["Reliability", "Latency"] {
        assert!(
            breaches.contains(&format!(
                "MongoDB shared replsets</a></td><td>{measure}</td>"
            )),
            "MongoDB {measure} below baseline: {breaches}"
        );
    }
    assert!(!breaches.contains(">CI<"), "CI recovers: {breaches}");
    for path in [
        "/tools/mongodb/results",
        "/tools/ci/results",
        "/tools/warehouse/results",
        "/programs/quarterly-pulse/rounds/3/results",
        "/programs/quarterly-pulse/rounds/4/results",
    ] {
        assert_eq!(app.get(path).await.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn admins_keep_the_list_of_tool_categories() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let (_, html) = app.get_text("/categories").await;
    for seeded in [
        "Developer tools",
        "Data infrastructure",
        "Core libraries and frameworks",
        "Model training and evaluation",
        "Other",
    ] {
        assert!(html.contains(seeded), "{seeded}");
    }
    let res = app
        .submit(
            "/categories",
            "/categories",
            &[("name", "Observability & logs")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .submit(
            "/categories",
            "/categories",
            &[("name", "observability & LOGS")],
        )
        .await;
    let (_, html) = app.get_text(&crate::helpers::location(&res)).await;
    assert!(
        html.contains("There is already a category named like"),
        "{html}"
    );
    let res = app
        .submit("/categories", "/categories", &[("name", "  ")])
        .await;
    let (_, html) = app.get_text(&crate::helpers::location(&res)).await;
    assert!(html.contains("The category was not added"), "{html}");

    // A tool can use it; then it cannot be deleted, whatever is posted.
    app.add_team("A", "a").await;
    let res = app
        .submit(
            "/tools/new",
            "/tools",
            &[
                ("name", "Tracing"),
                ("category", "observability-logs"),
                ("owner", "a"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_text("/tools").await;
    assert!(html.contains("<td>Observability &amp; logs</td>"), "{html}");
    let (_, html) = app.get_text("/categories/observability-logs/delete").await;
    assert!(html.contains("1 tool is in this category"), "{html}");
    app.submit(
        "/categories/other/delete",
        "/categories/observability-logs/delete",
        &[],
    )
    .await;
    assert_eq!(app.count_rows("categories"), 6);

    // Renamed, the tool stays in it.
    app.submit(
        "/categories",
        "/categories/observability-logs/rename",
        &[("name", "Observability")],
    )
    .await;
    let (_, html) = app.get_text("/tools/tracing").await;
    assert!(html.contains("Observability"), "{html}");
    app.submit("/categories/other/delete", "/categories/other/delete", &[])
        .await;
    assert_eq!(app.count_rows("categories"), 5, "an unused one goes");

    let viewer = app
        .client_signed_in_as("viewer@example.com", Role::Viewer)
        .await;
    let res = app
        .submit_as(&viewer, "/categories", "/categories", &[("name", "Nope")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
