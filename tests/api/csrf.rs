use infrapulse::domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, csrf_token, spawn_app};

const NEW_VIEWER: [(&str, &str); 4] = [
    ("email", "new@example.com"),
    ("name", "New Person"),
    ("role", "viewer"),
    ("password", "a long enough password"),
];

#[tokio::test]
async fn posts_without_a_token_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let before = app.account_count();
    let res = app
        .client
        .post(app.url("/accounts"))
        .form(&NEW_VIEWER)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("could not be accepted"));
    assert_eq!(app.account_count(), before);

    // Logout without a token does not sign out.
    let res = app
        .client
        .post(app.url("/logout"))
        .form(&[("x", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_token_is_refused() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let mut body = vec![("csrf_token", "0".repeat(64))];
    body.extend(NEW_VIEWER.iter().map(|(k, v)| (*k, v.to_string())));
    let res = app
        .client
        .post(app.url("/accounts"))
        .form(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_valid_token_from_another_origin_is_refused() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let before = app.account_count();
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ] {
        let (_, html) = app.get_text("/accounts").await;
        let mut body = vec![("csrf_token", csrf_token(&html))];
        body.extend(NEW_VIEWER.iter().map(|(k, v)| (*k, v.to_string())));
        let res = app
            .client
            .post(app.url("/accounts"))
            .header(header, value)
            .form(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{header}: {value}");
    }
    assert_eq!(app.account_count(), before);
}

#[tokio::test]
async fn same_origin_headers_are_accepted() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let (_, html) = app.get_text("/accounts").await;
    let mut body = vec![("csrf_token", csrf_token(&html))];
    body.extend(NEW_VIEWER.iter().map(|(k, v)| (*k, v.to_string())));
    let res = app
        .client
        .post(app.url("/accounts"))
        .header("origin", &app.address)
        .header("sec-fetch-site", "same-origin")
        .form(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn what_chrome_sends_under_no_referrer_is_accepted() {
    // Referrer-Policy: no-referrer makes Chrome send `Origin: null` with forms.
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let (_, html) = app.get_text("/accounts").await;
    let mut body = vec![("csrf_token", csrf_token(&html))];
    body.extend(NEW_VIEWER.iter().map(|(k, v)| (*k, v.to_string())));
    let res = app
        .client
        .post(app.url("/accounts"))
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .form(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // And `Origin: null` from another site is still refused.
    let (_, html) = app.get_text("/accounts").await;
    let res = app
        .client
        .post(app.url("/logout"))
        .header("origin", "null")
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf_token", csrf_token(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn login_form_is_protected_too() {
    let app = spawn_app().await;
    app.create_account("ada@example.com", Role::Admin);
    let res = app
        .client
        .post(app.url("/login"))
        .form(&[("email", "ada@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn get_never_changes_state() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let victim = app.create_account("victim@example.com", Role::Viewer);
    let before = app.account_count();
    for path in [
        "/",
        "/accounts",
        &format!("/accounts/{victim}/delete"),
        "/logout",
        "/login",
        "/metrics",
        "/readyz",
    ] {
        let status = app.get(path).await.status();
        assert!(status.as_u16() < 500, "{path}: {status}");
    }
    assert_eq!(app.account_count(), before, "no GET deleted anything");
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::OK,
        "no GET signed us out"
    );
}
