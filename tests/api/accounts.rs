use infrapulse::domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, csrf_token, location, spawn_app};

#[tokio::test]
async fn admin_adds_a_viewer_who_can_then_sign_in() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let res = app
        .submit(
            "/accounts",
            "/accounts",
            &[
                ("email", "Owner@Example.com"),
                ("name", "Tool Owner"),
                ("role", "viewer"),
                ("password", "a long enough password"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_text("/accounts").await;
    assert!(html.contains("Created the viewer account for Tool Owner."));
    assert!(html.contains("owner@example.com"));

    let other = crate::helpers::new_client();
    let (_, login) = {
        let res = other.get(app.url("/login")).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    };
    let res = other
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf_token(&login).as_str()),
            ("email", "owner@example.com"),
            ("password", "a long enough password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn invalid_account_forms_are_422_with_every_error_and_write_nothing() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let before = app.account_count();
    let res = app
        .submit(
            "/accounts",
            "/accounts",
            &[
                ("email", "not-an-email"),
                ("name", "Line\r\nBreak"),
                ("role", "root"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    for expected in [
        "The email is not a valid email address.",
        "The name must not contain line breaks or control characters.",
        "The role must be &#x27;admin&#x27; or &#x27;viewer&#x27;.",
        "The password must be at least 12 characters.",
        r#"value="not-an-email""#,
    ] {
        assert!(html.contains(expected), "missing {expected}");
    }
    assert_eq!(app.account_count(), before);

    let res = app
        .submit(
            "/accounts",
            "/accounts",
            &[
                ("email", "admin@example.com"),
                ("name", "Twin"),
                ("role", "viewer"),
                ("password", "a long enough password"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("already exists"));
    assert_eq!(app.account_count(), before);
}

#[tokio::test]
async fn hostile_text_is_rendered_escaped() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let res = app
        .submit(
            "/accounts",
            "/accounts",
            &[
                ("email", "mallory@example.com"),
                (
                    "name",
                    "<script>alert('x')</script>\"><img src=x onerror=alert(1)>",
                ),
                ("role", "viewer"),
                ("password", "a long enough password"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_text("/accounts").await;
    assert!(!html.contains("<script>alert"), "raw script in page");
    assert!(!html.contains("<img src=x"), "raw tag in page");
    assert!(html.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2F;script&gt;"));
}

#[tokio::test]
async fn viewers_read_but_cannot_change_anything() {
    let app = spawn_app().await;
    let admin = app.create_account("boss@example.com", Role::Admin);
    app.signed_in_as(Role::Viewer).await;
    let (status, html) = app.get_text("/accounts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !html.contains("Add an account"),
        "no create form for viewers"
    );
    let before = app.account_count();

    let res = app
        .submit(
            "/accounts",
            "/accounts",
            &[
                ("email", "sneaky@example.com"),
                ("name", "Sneaky"),
                ("role", "admin"),
                ("password", "a long enough password"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("can read but not change")
    );

    let res = app
        .submit("/accounts", &format!("/accounts/{admin}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&format!("/accounts/{admin}/delete")).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.account_count(), before);
}

#[tokio::test]
async fn delete_is_confirmed_and_never_removes_yourself_or_the_last_admin() {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let me = app.with_db(|conn| {
        infrapulse::db::accounts::find_by_email(conn, "admin@example.com")
            .unwrap()
            .unwrap()
            .id
    });
    let viewer = app.create_account("viewer@example.com", Role::Viewer);

    let (status, html) = app.get_text(&format!("/accounts/{viewer}/delete")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Delete this account?") && html.contains("viewer@example.com"));
    let res = app
        .submit(
            &format!("/accounts/{viewer}/delete"),
            &format!("/accounts/{viewer}/delete"),
            &[],
        )
        .await;
    assert_eq!(location(&res), "/accounts");
    assert_eq!(app.account_count(), 1);

    let res = app
        .submit("/accounts", &format!("/accounts/{me}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_text("/accounts").await;
    assert!(html.contains("You cannot delete your own account."));
    assert_eq!(app.account_count(), 1);

    assert_eq!(
        app.get("/accounts/999999/delete").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/accounts/not-a-number/delete").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_deleted_account_is_signed_out() {
    let app = spawn_app().await;
    app.create_account("boss@example.com", Role::Admin);
    let me = app.create_account("leaving@example.com", Role::Viewer);
    assert_eq!(
        app.login("leaving@example.com", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    app.with_db(|conn| infrapulse::db::accounts::delete(conn, me).unwrap());
    assert_eq!(app.get("/").await.status(), StatusCode::SEE_OTHER);
}

/// The README says INFRAPULSE_ADMIN_PASSWORD alone is enough for the CLI.
#[tokio::test]
async fn the_cli_adds_a_viewer_with_only_the_password_variable() {
    let app = spawn_app().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_infrapulse"))
        .args([
            "admin",
            "add",
            "--email",
            "owner@example.com",
            "--name",
            "Tool Owner",
            "--role",
            "viewer",
        ])
        .env_clear()
        .env("DATABASE_URL", &app.db.url)
        .env("DATA_DIR", app.state.config.data_dir.to_str().unwrap())
        .env("INFRAPULSE_ADMIN_PASSWORD", "a long enough password")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Created viewer account owner@example.com.")
    );
    let res = app
        .login("owner@example.com", "a long enough password")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // One account is "1 account".
    let (_, html) = app.get_text("/accounts").await;
    assert!(html.contains(">1 account<"), "{html}");
}
