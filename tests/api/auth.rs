use chrono::TimeDelta;
use infrapulse::domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, location, new_client, spawn_app};

#[tokio::test]
async fn unauthenticated_pages_redirect_to_login_and_back() {
    let app = spawn_app().await;
    for path in ["/", "/accounts"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        let target = location(&res);
        assert!(target.starts_with("/login?next="), "{path} -> {target}");
    }
    app.create_account("ada@example.com", Role::Admin);
    let (_, html) = app.get_text("/login?next=%2Faccounts").await;
    assert!(
        html.contains(r#"name="next" value="&#x2F;accounts""#),
        "{html}"
    );
    let token = crate::helpers::csrf_token(&html);
    let res = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "ada@example.com"),
            ("password", PASSWORD),
            ("next", "/accounts"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/accounts");
}

#[tokio::test]
async fn login_succeeds_with_the_right_password_and_shows_the_dashboard() {
    let app = spawn_app().await;
    app.create_account("Ada@Example.com", Role::Admin);
    let res = app.login("  ADA@example.com ", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/");
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Dashboard") && html.contains("ada@example.com"));
}

#[tokio::test]
async fn session_cookie_is_http_only_and_same_site() {
    let app = spawn_app().await;
    app.create_account("ada@example.com", Role::Admin);
    let res = app.login("ada@example.com", PASSWORD).await;
    let cookie = res
        .headers()
        .get("set-cookie")
        .expect("a session cookie")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("infrapulse_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

#[tokio::test]
async fn login_issues_a_new_session_id() {
    let app = spawn_app().await;
    app.create_account("ada@example.com", Role::Admin);
    let before = app.get("/login").await;
    let anonymous = before
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let after = app.login("ada@example.com", PASSWORD).await;
    let signed_in = after
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let value = |c: &str| c.split(';').next().unwrap().to_owned();
    assert_ne!(value(&anonymous), value(&signed_in));
}

#[tokio::test]
async fn wrong_password_and_unknown_account_get_the_same_answer() {
    let app = spawn_app().await;
    app.create_account("ada@example.com", Role::Admin);
    let wrong = app.login("ada@example.com", "not the password").await;
    let wrong_status = wrong.status();
    let wrong_html = wrong.text().await.unwrap();
    let unknown = app.login("nobody@example.com", "not the password").await;
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let unknown_html = unknown.text().await.unwrap();
    let message = "That email and password do not match an account.";
    assert!(wrong_html.contains(message) && unknown_html.contains(message));
    // Still signed out.
    assert_eq!(app.get("/").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn incomplete_login_form_is_422_and_keeps_the_email() {
    let app = spawn_app().await;
    let res = app.login("ada@example.com", "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"value="ada@example.com""#));
    assert!(html.contains("Enter the email address and password"));
}

#[tokio::test]
async fn repeated_failures_lock_the_account_until_the_window_passes() {
    let app = spawn_app().await;
    app.create_account("ada@example.com", Role::Admin);
    for _ in 0..5 {
        let res = app.login("ada@example.com", "guess guess guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while locked.
    let res = app.login("ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Too many sign-in attempts")
    );
    // Unknown accounts lock the same way: the lock tells nothing.
    for _ in 0..5 {
        app.login("nobody@example.com", "guess guess guess").await;
    }
    let res = app.login("nobody@example.com", "guess guess guess").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);

    app.clock.advance(TimeDelta::minutes(16));
    let res = app.login("ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_locked_out() {
    let app = spawn_app().await;
    app.create_account("ada@example.com", Role::Admin);
    for i in 0..30 {
        let res = app
            .login(&format!("user{i}@example.com"), "guess guess guess")
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let res = app.login("ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    app.create_account("ada@example.com", Role::Admin);
    let res = app.login("ada@example.com", PASSWORD).await;
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();

    let res = app.submit("/", "/logout", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login?signed_out=1");
    let (_, html) = app.get_text("/login?signed_out=1").await;
    assert!(html.contains("You have signed out."));

    // Replaying the old cookie, as a thief who copied it would, gets nothing.
    let thief = new_client();
    let res = thief
        .get(app.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with("/login"));
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    app.clock.advance(TimeDelta::minutes(20));
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::OK,
        "activity keeps it alive"
    );
    app.clock.advance(TimeDelta::minutes(20));
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::OK,
        "20 idle minutes are fine"
    );
    app.clock.advance(TimeDelta::minutes(31));
    let res = app.get("/").await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "31 idle minutes are not"
    );
}

#[tokio::test]
async fn password_change_signs_the_account_out_everywhere() {
    let app = spawn_app().await;
    let email = app.signed_in_as(Role::Admin).await;
    assert_eq!(app.get("/").await.status(), StatusCode::OK);
    let now = infrapulse::clock::Clock::now(app.clock.as_ref());
    app.with_db(|conn| {
        infrapulse::auth::accounts::change_password(
            conn,
            &infrapulse::domain::account::EmailAddress::parse(&email).unwrap(),
            &infrapulse::domain::account::NewPassword::parse("another long password".into())
                .unwrap(),
            now,
        )
        .unwrap()
    });
    assert_eq!(app.get("/").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.login(&email, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&email, "another long password").await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn login_never_redirects_off_site() {
    let app = spawn_app().await;
    app.create_account("ada@example.com", Role::Admin);
    let (_, html) = app.get_text("/login").await;
    let token = crate::helpers::csrf_token(&html);
    let res = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "ada@example.com"),
            ("password", PASSWORD),
            ("next", "//evil.example/phish"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/");
}

/// 64 wrong passwords at once for one (unknown) account: each attempt is
/// counted before any hashing, so at most the account's limit of five is
/// hashed, whatever the timing; the rest are refused outright.
#[tokio::test]
async fn parallel_sign_ins_hash_no_more_than_the_limit() {
    let app = spawn_app().await;
    let (_, html) = app.get_text("/login").await;
    let token = crate::helpers::csrf_token(&html);
    let before = app.state.metrics.password_checks();
    let attempts = (0..64).map(|_| {
        app.client
            .post(app.url("/login"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", "nobody@example.com"),
                ("password", "not the password"),
            ])
            .send()
    });
    let statuses: Vec<StatusCode> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.unwrap().status())
        .collect();
    let hashed = app.state.metrics.password_checks() - before;
    assert!(hashed <= 5, "{hashed} hashes for one account");
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    let denied = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(denied as u64, hashed, "every hash ends in a 401");
    assert_eq!(refused + denied, 64, "{statuses:?}");
}

/// The same from one address against 40 different accounts: the address's
/// limit of 30 holds.
#[tokio::test]
async fn one_address_cannot_spread_guesses_over_many_accounts() {
    let app = spawn_app().await;
    let (_, html) = app.get_text("/login").await;
    let token = crate::helpers::csrf_token(&html);
    let before = app.state.metrics.password_checks();
    let emails: Vec<String> = (0..40).map(|i| format!("user{i}@example.com")).collect();
    let attempts = emails.iter().map(|email| {
        app.client
            .post(app.url("/login"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", email.as_str()),
                ("password", "not the password"),
            ])
            .send()
    });
    futures_util::future::join_all(attempts).await;
    assert!(app.state.metrics.password_checks() - before <= 30);
}

/// Behind a proxy (TRUST_PROXY=true) the client may write anything into
/// X-Forwarded-For and Forwarded; only the entry the proxy appended counts.
#[tokio::test]
async fn forged_forwarding_headers_do_not_dodge_the_address_limit() {
    let app = crate::helpers::spawn_app_with(&[("TRUST_PROXY", "true")], false).await;
    let (_, html) = app.get_text("/login").await;
    let token = crate::helpers::csrf_token(&html);
    let attempt = |email: String, forwarded_for: String, forwarded: Option<String>| {
        let mut req = app
            .client
            .post(app.url("/login"))
            .header("x-forwarded-for", forwarded_for)
            .form(&[
                ("csrf_token", token.clone()),
                ("email", email),
                ("password", "not the password".into()),
            ]);
        if let Some(f) = forwarded {
            req = req.header("forwarded", f);
        }
        req.send()
    };
    // The proxy appends 203.0.113.5 to whatever the client sent.
    for i in 0..30 {
        let res = attempt(
            format!("user{i}@example.com"),
            format!("10.{}.{}.1, 203.0.113.5", i / 200, i % 200),
            Some(format!("for=10.9.{i}.1")),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let res = attempt(
        "fresh@example.com".into(),
        "192.0.2.77, 203.0.113.5".into(),
        Some("for=192.0.2.78".into()),
    )
    .await
    .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a new first entry is not a new client"
    );
    // Another client behind the same proxy is another address.
    let res = attempt("fresh@example.com".into(), "198.51.100.20".into(), None)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
