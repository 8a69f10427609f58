use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let (status, body) = app.get_text("/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok\n"));
    let (status, body) = app.get_text("/readyz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ready\n"));
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = spawn_app().await;
    app.get("/login").await;
    app.get("/accounts/12345/delete").await;
    let (status, body) = app.get_text("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(
            r#"infrapulse_http_requests_total{method="GET",route="/login",status="200"} 1"#
        ),
        "{body}"
    );
    assert!(
        body.contains(r#"route="/accounts/{id}/delete""#),
        "patterns, not paths"
    );
    assert!(!body.contains("12345"));
    assert!(body.contains("infrapulse_http_request_duration_seconds_bucket"));
    assert!(body.contains(r#"infrapulse_db_pool_connections{state="max"} 4"#));
}

#[tokio::test]
async fn metrics_can_require_a_bearer_token() {
    let app =
        crate::helpers::spawn_app_with(&[("METRICS_TOKEN", "s3cret-scrape-token")], false).await;
    let scrape = |auth: Option<&'static str>| {
        let mut req = app.client.get(app.url("/metrics"));
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        req.send()
    };
    for refused in [
        None,
        Some("Bearer wrong"),
        Some("Basic s3cret-scrape-token"),
    ] {
        let res = scrape(refused).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{refused:?}");
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
    }
    let res = scrape(Some("Bearer s3cret-scrape-token")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("infrapulse_http_requests_total")
    );
}

#[tokio::test]
async fn every_response_has_security_headers_and_a_request_id() {
    let app = spawn_app().await;
    let res = app.get("/login").await;
    let h = res.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-frame-options"], "DENY");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["x-request-id"].to_str().unwrap().len(), 36);
}

#[tokio::test]
async fn the_stylesheet_is_served_by_the_binary() {
    let app = spawn_app().await;
    let res = app.get("/static/app.css").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(res.text().await.unwrap().contains(":root"));
}

#[tokio::test]
async fn the_dashboard_counts_what_exists() {
    let app = spawn_app().await;
    app.create_account("v1@example.com", infrapulse::domain::account::Role::Viewer);
    app.create_account("v2@example.com", infrapulse::domain::account::Role::Viewer);
    app.signed_in_as(infrapulse::domain::account::Role::Admin)
        .await;
    let (_, html) = app.get_text("/").await;
    assert!(html.contains("<dt>Admins</dt><dd>1</dd>"), "{html}");
    assert!(html.contains("<dt>Viewers</dt><dd>2</dd>"));
    assert!(html.contains("<dt>Signed in now</dt><dd>1</dd>"));
    let backend = if app.db.is_postgres() {
        "postgresql"
    } else {
        "sqlite"
    };
    assert!(html.contains(&format!("<dd>{backend}</dd>")));
}
