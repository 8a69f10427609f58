use std::process::Command;

use infrapulse::domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::{TestApp, location, spawn_app};

const MEMBERS: &str = "email,name,team\n\
ada@example.com,Ada Lovelace,core\n\
grace@example.com,\"Hopper, Grace\",core\n\
linus@example.com,Linus,data\n";

async fn admin_with_teams() -> TestApp {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    app.add_team("Core", "core").await;
    app.add_team("Data", "data").await;
    app
}

async fn commit(app: &TestApp, preview: &str) -> reqwest::Response {
    app.submit(preview, preview, &[]).await
}

#[tokio::test]
async fn a_good_members_file_is_previewed_then_imported() {
    let app = admin_with_teams().await;
    let (preview, html) = app.preview_csv("members", MEMBERS.as_bytes(), false).await;
    assert!(html.contains("<dt>New</dt><dd>3</dd>"), "{html}");
    assert!(html.contains("Import 3 rows"));
    assert_eq!(app.count_rows("members"), 0, "the preview writes nothing");

    let res = commit(&app, &preview).await;
    assert_eq!(location(&res), "/members");
    let (_, html) = app.get_text("/members").await;
    assert!(html.contains("Imported 3 rows: 3 new, 0 updated, 0 unchanged."));
    assert!(html.contains("Hopper, Grace"));
    assert_eq!(app.count_rows("members"), 3);
    assert_eq!(
        app.get(&preview).await.status(),
        StatusCode::GONE,
        "a draft is used once"
    );
}

#[tokio::test]
async fn re_importing_the_same_file_changes_nothing() {
    let app = admin_with_teams().await;
    let (preview, _) = app.preview_csv("members", MEMBERS.as_bytes(), false).await;
    commit(&app, &preview).await;
    let before: Vec<(String, String, i64)> = app.with_db(|conn| {
        infrapulse::db::members::all(conn)
            .unwrap()
            .into_iter()
            .map(|m| (m.email, m.name, m.team_id))
            .collect()
    });

    let (preview, html) = app.preview_csv("members", MEMBERS.as_bytes(), false).await;
    assert!(
        html.contains("<dt>Unchanged</dt><dd>3</dd>") && html.contains("<dt>New</dt><dd>0</dd>")
    );
    commit(&app, &preview).await;
    let after: Vec<(String, String, i64)> = app.with_db(|conn| {
        infrapulse::db::members::all(conn)
            .unwrap()
            .into_iter()
            .map(|m| (m.email, m.name, m.team_id))
            .collect()
    });
    assert_eq!(before, after);

    // A changed row updates in place, matched by email.
    let moved = "email,name,team\nADA@example.com,Ada King,data\n";
    let (preview, html) = app.preview_csv("members", moved.as_bytes(), false).await;
    assert!(html.contains("<dt>Updated</dt><dd>1</dd>"));
    commit(&app, &preview).await;
    assert_eq!(app.count_rows("members"), 3);
}

#[tokio::test]
async fn a_file_with_errors_reports_every_one_and_writes_nothing() {
    let app = admin_with_teams().await;
    let file = "email,name,team\n\
ada@example.com,Ada,core\n\
not-an-email,Bad Email,core\n\
bob@example.com,,core\n\
carol@example.com,Carol,nowhere\n\
ada@example.com,Ada Twice,core\n\
dave@example.com,Dave\n\
eve@example.com,=HYPERLINK(\"http://evil\"),core\n\
\"frank@example.com\",\"Frank\r\nInjected: yes\",core\n";
    let (preview, html) = app.preview_csv("members", file.as_bytes(), false).await;
    assert!(html.contains("<dt>Errors</dt><dd>7</dd>"), "{html}");
    for (line, text) in [
        (3, "The email is not a valid email address."),
        (4, "The name must not be empty."),
        (5, "There is no team &#x27;nowhere&#x27;"),
        (6, "ada@example.com already appears on line 2."),
        (7, "This row has 2 fields; expected 3"),
        (8, "spreadsheets run such text as a formula"),
        (9, "must not contain line breaks"),
    ] {
        assert!(
            html.contains(&format!("<tr><td>{line}</td>")),
            "line {line} listed"
        );
        assert!(html.contains(text), "line {line}: {text}");
    }
    assert!(!html.contains("Import 8 rows"), "no import button");
    // Posting anyway imports nothing.
    let res = commit(&app, &preview).await;
    assert_eq!(location(&res), preview);
    assert_eq!(app.count_rows("members"), 0);
    assert_eq!(app.count_rows("teams"), 2);
}

/// What Excel and Python write: CRLF line ends. Lines are named as an
/// editor shows them, and rows (not errors) are counted.
#[tokio::test]
async fn crlf_files_name_the_right_lines_and_count_rows() {
    let app = admin_with_teams().await;
    let file = "email,name,team\r\nada@example.com,Ada,core\r\nnot-an-email,,nowhere\r\nada@example.com,Ada again,core\r\n";
    let (_, html) = app.preview_csv("members", file.as_bytes(), false).await;
    assert!(
        html.contains("ada@example.com already appears on line 2."),
        "{html}"
    );
    assert!(html.contains("<tr><td>3</td><td>email</td>"), "{html}");
    assert!(!html.contains("<tr><td>1</td>"), "the header has no errors");
    assert!(
        html.contains("2 of 3 rows have errors (4 in all)"),
        "{html}"
    );
}

#[tokio::test]
async fn bom_semicolons_and_new_teams() {
    let app = admin_with_teams().await;
    let file = "\u{feff}Email;Name;Team\r\nzoe@example.com;Zoë Ündrich;Machine Learning\r\nyan@example.com;\"Yan; Jr\";core\r\n";
    let (_, html) = app.preview_csv("members", file.as_bytes(), false).await;
    assert!(html.contains("There is no team &#x27;Machine Learning&#x27;"));

    let (preview, html) = app.preview_csv("members", file.as_bytes(), true).await;
    assert!(
        html.contains("Teams to create: Machine Learning."),
        "{html}"
    );
    commit(&app, &preview).await;
    let (status, html) = app.get_text("/teams/machine-learning").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Zoë Ündrich"));
    let (_, html) = app.get_text("/teams/core").await;
    assert!(html.contains("Yan; Jr"));
}

#[tokio::test]
async fn hostile_text_in_an_import_is_escaped_everywhere() {
    let app = admin_with_teams().await;
    let file = "email,name,team\nx@example.com,<img src=x onerror=alert(1)>,core\n";
    let (preview, html) = app.preview_csv("members", file.as_bytes(), false).await;
    assert!(!html.contains("<img src=x"));
    commit(&app, &preview).await;
    let (_, html) = app.get_text("/members").await;
    assert!(!html.contains("<img src=x") && html.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[tokio::test]
async fn whole_file_problems_are_422_or_413_and_store_nothing() {
    let app = admin_with_teams().await;
    for (file, expected) in [
        (
            b"email,name,team\n\xff\xfeoops\n".to_vec(),
            "is not UTF-8 text",
        ),
        (
            b"mail,name\nx,y\n".to_vec(),
            "The header row must name the columns email, name, team",
        ),
        (b"".to_vec(), "Choose a CSV file"),
    ] {
        let res = app.upload_csv("members", &file, false).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains(expected), "{expected}");
    }
    let big = vec![b'a'; 6 * 1024 * 1024];
    let res = app.upload_csv("members", &big, false).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count_rows("import_drafts"), 0);
}

#[tokio::test]
async fn uploads_need_the_csrf_token() {
    let app = admin_with_teams().await;
    let body = "--b\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nmembers\r\n--b--\r\n";
    let res = app
        .client
        .post(app.url("/import"))
        .header("content-type", "multipart/form-data; boundary=b")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn adoption_imports_by_team_and_tool() {
    let app = admin_with_teams().await;
    app.add_team("Web", "web").await;
    app.add_tool("CI", "ci", "core").await;
    let file = "team,tool,business_critical\ncore,ci,yes\nData,CI,true\nweb,ci,1\n";
    let (preview, html) = app.preview_csv("adoption", file.as_bytes(), false).await;
    assert!(html.contains("<dt>New</dt><dd>3</dd>"), "{html}");
    let res = commit(&app, &preview).await;
    assert_eq!(location(&res), "/adoption");
    let (_, html) = app.get_text("/tools/ci").await;
    assert!(html.contains("<strong class=\"yes\">Technical infrastructure</strong>"));

    let bad = "team,tool,business_critical\ncore,nope,yes\ncore,ci,maybe\ncore,ci,no\n";
    let (_, html) = app.preview_csv("adoption", bad.as_bytes(), false).await;
    assert!(html.contains("There is no tool &#x27;nope&#x27;"));
    assert!(html.contains("business_critical: expected yes&#x2F;no"));

    let (preview, html) = app.preview_csv("adoption", file.as_bytes(), false).await;
    assert!(html.contains("<dt>Unchanged</dt><dd>3</dd>"));
    commit(&app, &preview).await;
    assert_eq!(app.count_rows("adoptions"), 3);
}

fn cli(app: &TestApp, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_infrapulse"))
        .args(args)
        .env("DATABASE_URL", &app.db.url)
        .env("DATA_DIR", app.state.config.data_dir.to_str().unwrap())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_command_line_imports_all_or_nothing() {
    let app = admin_with_teams().await;
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "email,name,team\nok@example.com,Ok,core\nbroken,Broken,core\nx@example.com,X,ghosts\n",
    )
    .unwrap();
    let (code, _, stderr) = cli(&app, &["import", "members", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("line 3, email: The email is not a valid email address."),
        "{stderr}"
    );
    assert!(stderr.contains("line 4, team: There is no team 'ghosts'"));
    assert!(
        stderr.contains("2 of 3 rows have errors (2 in all); nothing was imported"),
        "{stderr}"
    );
    assert_eq!(app.count_rows("members"), 0);

    let (code, stdout, stderr) = cli(
        &app,
        &["import", "members", bad.to_str().unwrap(), "--create-teams"],
    );
    assert_eq!(code, 1, "the bad email still fails: {stdout}{stderr}");

    let good = dir.path().join("good.csv");
    std::fs::write(&good, MEMBERS).unwrap();
    let (code, stdout, stderr) = cli(&app, &["import", "members", good.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Imported 3 rows"), "{stdout}");
    assert_eq!(app.count_rows("members"), 3);
    let (_, stdout, _) = cli(&app, &["import", "members", good.to_str().unwrap()]);
    assert!(stdout.contains("0 new, 0 updated, 3 unchanged"), "{stdout}");
}

#[tokio::test]
async fn teams_and_tools_import_by_slug_and_twice_is_no_change() {
    let app = admin_with_teams().await;
    let teams =
        "slug,name,description\nplatform,Platform,Runs the platform\ncore,Core Team,Renamed\n";
    let (preview, html) = app.preview_csv("teams", teams.as_bytes(), false).await;
    assert!(html.contains("<dt>New</dt><dd>1</dd>"), "{html}");
    assert!(html.contains("<dt>Updated</dt><dd>1</dd>"), "{html}");
    app.submit(&preview, &preview, &[]).await;
    let (_, html) = app.get_text("/teams/core").await;
    assert!(html.contains("Core Team"));

    let tools = "slug,name,category,owner_team\n\
ci,CI,Developer tools,platform\n\
mongo,MongoDB,data_infrastructure,Core Team\n";
    let (preview, _) = app.preview_csv("tools", tools.as_bytes(), false).await;
    app.submit(&preview, &preview, &[]).await;
    assert_eq!(app.count_rows("tools"), 2);
    let (_, html) = app.get_text("/tools/mongo").await;
    assert!(html.contains("Data infrastructure"), "{html}");
    let (_, html) = app.preview_csv("tools", tools.as_bytes(), false).await;
    assert!(html.contains("<dt>Unchanged</dt><dd>2</dd>"), "{html}");

    let bad = "slug,name,category,owner_team\nx,X,toys,core\nci,CI again,other,nobody\nci,Again,other,core\n";
    let (_, html) = app.preview_csv("tools", bad.as_bytes(), false).await;
    assert!(
        html.contains("There is no category &#x27;toys&#x27;"),
        "{html}"
    );
    assert!(
        html.contains("There is no team &#x27;nobody&#x27;"),
        "{html}"
    );
    assert!(
        html.contains("tick &quot;Create teams the file names"),
        "{html}"
    );
    assert!(
        html.contains("The slug ci already appears on line 3."),
        "{html}"
    );
}

#[tokio::test]
async fn command_line_advice_names_the_flag() {
    let app = admin_with_teams().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tools.csv");
    std::fs::write(&file, "slug,name,category,owner_team\nci,CI,other,ghosts\n").unwrap();
    let (code, _, stderr) = cli(&app, &["import", "tools", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("There is no team 'ghosts'. Create it first, or add --create-teams."),
        "{stderr}"
    );
    assert!(
        !stderr.contains("tick"),
        "no web checkbox on the command line"
    );
    let (code, stdout, stderr) = cli(
        &app,
        &["import", "tools", file.to_str().unwrap(), "--create-teams"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Created teams: ghosts"), "{stdout}");
    // Logs written to a pipe carry no colour codes.
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}
