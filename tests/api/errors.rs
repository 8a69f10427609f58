use infrapulse::domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, csrf_token, spawn_app};

fn assert_error_page(status: StatusCode, content_type: &str, html: &str, title: &str) {
    assert!(
        content_type.starts_with("text/html"),
        "{status}: {content_type}"
    );
    assert!(
        html.contains(&format!("Error {}", status.as_u16())),
        "{html}"
    );
    assert!(html.contains(title), "{status} should say {title}");
    assert!(html.contains(r#"<link rel="stylesheet" href="/static/app.css"#));
}

async fn page(res: reqwest::Response) -> (StatusCode, String, String) {
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, res.text().await.unwrap())
}

#[tokio::test]
async fn unknown_paths_get_the_404_page() {
    let app = spawn_app().await;
    let (status, ct, html) = page(app.get("/no/such/page").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_page(status, &ct, &html, "Not found");
    let (status, _, _) = page(app.get("/static/secrets.txt").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_body_that_is_not_a_form_gets_the_400_page() {
    let app = spawn_app().await;
    app.get("/login").await;
    let res = app
        .client
        .post(app.url("/login"))
        .header("content-type", "text/plain")
        .body("email=a&password=b")
        .send()
        .await
        .unwrap();
    let (status, ct, html) = page(res).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_page(status, &ct, &html, "Bad request");
    assert!(html.contains("Expected a submitted HTML form."));
}

#[tokio::test]
async fn a_forbidden_action_gets_the_403_page() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Viewer).await;
    let res = app
        .submit("/accounts", "/accounts", &[("email", "x@example.com")])
        .await;
    let (status, ct, html) = page(res).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error_page(status, &ct, &html, "Not allowed");
}

#[tokio::test]
async fn an_oversized_body_gets_the_413_page() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    // Raw TCP, to see exactly what comes back: 2 MiB against a 1 MiB limit.
    // The server reads the rest (and throws it away) before it answers and
    // closes, so the client's last write never meets a reset connection.
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /login HTTP/1.1\r\nHost: {address}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\r\nemail=",
        2 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
        .write_all(&vec![b'x'; 2 * 1024 * 1024 - "email=".len()])
        .await
        .expect("the whole body is taken in");
    let mut response = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        stream.read_to_end(&mut response),
    )
    .await
    .expect("the server answers and closes")
    .unwrap();
    let text = String::from_utf8_lossy(&response).to_lowercase();
    assert!(text.starts_with("http/1.1 413"), "{text}");
    assert!(
        text.contains("\r\nconnection: close\r\n"),
        "the unread body ends the connection, and the client is told: {text}"
    );
    assert!(text.contains("content-type: text/html"), "{text}");
    assert!(
        text.contains("error 413") && text.contains("too large"),
        "{text}"
    );

    // And as a browser-like client sends it, whole, reading after.
    let (_, html) = app.get_text("/login").await;
    let big = "x".repeat(2 * 1024 * 1024);
    let res = app
        .client
        .post(app.url("/login"))
        .form(&[("csrf_token", csrf_token(&html).as_str()), ("email", &big)])
        .send()
        .await
        .expect("the answer arrives; the connection is not reset");
    let (status, ct, html) = page(res).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error_page(status, &ct, &html, "Too large");
}

#[tokio::test]
async fn text_that_is_not_utf8_is_refused_not_mangled() {
    let app = crate::surveys::organisation().await;
    crate::surveys::create_program(&app, &[]).await;
    crate::surveys::open_round(&app).await;
    let token = crate::surveys::token_of(&app, "b1@example.com");
    let res = app
        .client
        .post(app.url(&format!("/r/{token}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("t.ci.satisfaction=3&t.ci.pain=caf%E9+cr%E8me")
        .send()
        .await
        .unwrap();
    let (status, _, html) = page(res).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("not valid UTF-8"), "{html}");
    assert_eq!(app.count_rows("responses"), 0);
    // The same in an admin form.
    let (_, form) = app.get_text("/teams/new").await;
    let res = app
        .client
        .post(app.url("/teams"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf_token={}&name=Caf%E9", csrf_token(&form)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

/// Every connection busy (a stuck database looks the same from here):
/// pages say 503 after the checkout timeout, `/readyz` after its own second.
#[tokio::test]
async fn a_database_out_of_reach_answers_503() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let held: Vec<_> = (0..4).map(|_| app.state.pool.get().unwrap()).collect();
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let (status, ct, html) = page(app.get("/teams").await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_error_page(status, &ct, &html, "Temporarily unavailable");
    drop(held);
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
    assert_eq!(app.get("/teams").await.status(), StatusCode::OK);
}

/// PostgreSQL goes away under the running server: its connections are cut
/// and new ones refused. Requests answer 503, never 500, and all is well
/// once it is back.
#[tokio::test]
async fn a_postgres_outage_answers_503_and_recovers() {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let app = spawn_app().await;
    let Some(admin_url) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|_| app.db.is_postgres())
    else {
        eprintln!("a_postgres_outage_answers_503_and_recovers: runs on PostgreSQL only");
        return;
    };
    app.signed_in_as(Role::Admin).await;
    assert_eq!(app.get("/teams").await.status(), StatusCode::OK);
    let name = app.db.url.rsplit('/').next().unwrap().to_owned();
    let mut admin = PgConnection::establish(&admin_url).unwrap();
    let outage = |allow: bool, admin: &mut PgConnection| {
        diesel::sql_query(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS {allow}"))
            .execute(admin)
            .unwrap();
        if !allow {
            diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            ))
            .execute(admin)
            .unwrap();
        }
    };
    outage(false, &mut admin);
    for path in ["/teams", "/programs", "/readyz"] {
        let status = app.get(path).await.status();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
    }
    outage(true, &mut admin);
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
    assert_eq!(app.get("/teams").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_server_fault_gets_the_500_page_without_details() {
    let app = spawn_app().await;
    app.create_account("ada@example.com", Role::Admin);
    let (_, html) = app.get_text("/login").await;
    app.with_db(|conn| {
        use diesel::RunQueryDsl;
        diesel::sql_query("ALTER TABLE accounts RENAME TO accounts_gone")
            .execute(conn)
            .unwrap();
    });
    let res = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf_token(&html).as_str()),
            ("email", "ada@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let (status, ct, html) = page(res).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_error_page(status, &ct, &html, "Something went wrong");
    assert!(!html.contains("accounts"), "no table names leak");
    assert!(!html.to_lowercase().contains("relation") && !html.contains("no such table"));
}

#[tokio::test]
async fn every_error_status_has_a_page_in_the_layout() {
    let app = spawn_app().await;
    for code in [400u16, 403, 404, 410, 413, 422, 429, 500, 503] {
        let status = actix_web::http::StatusCode::from_u16(code).unwrap();
        let html = infrapulse::web::error_pages::page(&app.state, status, "<b>detail</b>")
            .expect("the error page renders");
        assert!(html.contains(&format!("Error {code}")));
        assert!(html.contains(infrapulse::web::error_pages::title(status)));
        assert!(html.contains("&lt;b&gt;detail&lt;&#x2F;b&gt;"), "escaped");
    }
}

#[tokio::test]
async fn error_pages_carry_the_security_headers() {
    let app = spawn_app().await;
    let res = app.get("/missing").await;
    for header in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "x-frame-options",
    ] {
        assert!(res.headers().contains_key(header), "{header}");
    }
}

#[tokio::test]
async fn a_body_sent_too_slowly_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = crate::helpers::spawn_app_with(&[("BODY_TIMEOUT_SECONDS", "1")], false).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    // Promises 100 bytes, sends 7, then nothing more.
    stream
        .write_all(
            format!(
                "POST /login HTTP/1.1\r\nHost: {address}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\n\
                 Content-Length: 100\r\n\r\nemail=a"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    // The server answers by itself once the body's time is up; the outer
    // timeout only keeps a broken server from hanging the suite.
    let mut response = vec![0; 512];
    let n = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        stream.read(&mut response),
    )
    .await
    .expect("the server gives up on the body")
    .unwrap();
    let head = String::from_utf8_lossy(&response[..n]);
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
}

/// Two admins (or one double click) creating the same thing at once: the
/// forms check for a clash first, but requests that pass the check together
/// are decided by the unique constraints, and the loser gets a 422 that
/// says why, never a 500 and never a second row.
#[tokio::test]
async fn racing_creates_of_one_name_answer_422_and_write_once() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    app.add_team("Owners", "owners").await;
    // (form page, action, the rows it creates, fields)
    #[allow(clippy::type_complexity)]
    let forms: [(&str, &str, &str, Vec<(&str, &str)>); 5] = [
        (
            "/teams/new",
            "/teams",
            "teams WHERE slug = 'raced'",
            vec![("name", "Raced"), ("slug", "raced")],
        ),
        (
            "/tools/new",
            "/tools",
            "tools WHERE slug = 'raced'",
            vec![
                ("name", "Raced"),
                ("slug", "raced"),
                ("category", "developer_tools"),
                ("owner", "owners"),
            ],
        ),
        (
            "/members/new",
            "/members",
            "members WHERE email = 'raced@example.com'",
            vec![
                ("email", "raced@example.com"),
                ("name", "Raced"),
                ("team", "owners"),
            ],
        ),
        (
            "/categories",
            "/categories",
            "categories WHERE name = 'Raced'",
            vec![("name", "Raced")],
        ),
        (
            "/accounts",
            "/accounts",
            "accounts WHERE email = 'raced@example.com'",
            vec![
                ("email", "raced@example.com"),
                ("name", "Raced"),
                ("password", "a long enough password 1"),
                ("role", "viewer"),
            ],
        ),
    ];
    for (form, action, rows, fields) in forms {
        let (_, html) = app.get_text(form).await;
        let token = csrf_token(&html);
        let mut body = vec![("csrf_token", token.as_str())];
        body.extend_from_slice(&fields);
        let posts = (0..8).map(|_| app.client.post(app.url(action)).form(&body).send());
        let statuses: Vec<StatusCode> = futures_util::future::join_all(posts)
            .await
            .into_iter()
            .map(|r| r.unwrap().status())
            .collect();
        assert!(
            statuses
                .iter()
                .all(|s| s.is_redirection() || *s == StatusCode::UNPROCESSABLE_ENTITY),
            "{action}: {statuses:?}"
        );
        // Categories refuse a clash with a message on their own page (303).
        if action != "/categories" {
            assert_eq!(
                statuses.iter().filter(|s| s.is_redirection()).count(),
                1,
                "{action}: {statuses:?}"
            );
        }
        assert_eq!(app.count_rows(rows), 1, "{action} wrote once");
    }
}

/// NUL and other control characters in a theme's name or an uploaded CSV
/// are refused like every other form's, on both backends (PostgreSQL
/// refuses a NUL in text with an error of its own).
#[tokio::test]
async fn control_characters_are_refused_with_a_422() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    for bad in ["a\0b", "bell\u{7}", "esc\u{1b}[31m"] {
        assert!(
            infrapulse::domain::themes::parse_label(bad).is_err(),
            "{bad:?}"
        );
    }
    let res = app
        .upload_csv("teams", b"slug,name,description\nnul,Nul\0team,x\n", false)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("control character"), "{html}");
    assert_eq!(app.count_rows("teams"), 0);
    assert_eq!(app.count_rows("import_drafts"), 0);
}
