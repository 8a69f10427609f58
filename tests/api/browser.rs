//! Headless Chromium: a respondent fills in the survey on a phone, and an
//! admin reads results and the dashboard on a desktop and a phone. Needs
//! chromium and chromedriver (Debian's packages), so these are `#[ignore]`d
//! for a plain `cargo test`; `.ci/run` installs both and runs them with
//! `-- --ignored`. CHROMEDRIVER and CHROMIUM name other binaries.
//! Screenshots go to `target/screenshots/` (SCREENSHOT_DIR), which CI keeps.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use fantoccini::{ClientBuilder, Locator};
use serde_json::json;

use crate::helpers::spawn_app;

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let mut child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {binary} (apt-get install chromium-driver): {e}")
            });
        // chromedriver says when it listens: wait for that line, not for time.
        let stdout = child.stdout.take().unwrap();
        let ready = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| line.contains("started successfully"));
        assert!(ready, "chromedriver exited before it was ready");
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where screenshots are kept.
fn screenshot_dir() -> std::path::PathBuf {
    let dir = std::env::var("SCREENSHOT_DIR").map_or_else(
        |_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots"),
        std::path::PathBuf::from,
    );
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A Chromium session through `driver` with a window of `width` x `height`
/// (a phone's when `phone`).
async fn browser(driver: &Driver, width: u32, height: u32, phone: bool) -> fantoccini::Client {
    browser_saving_to(driver, width, height, phone, None).await
}

/// … that saves downloads in `downloads`.
async fn browser_saving_to(
    driver: &Driver,
    width: u32,
    height: u32,
    phone: bool,
    downloads: Option<&std::path::Path>,
) -> fantoccini::Client {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut options = json!({
        "binary": chromium,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", format!("--window-size={width},{height}")],
    });
    if let Some(dir) = downloads {
        options["prefs"] = json!({
            "download.default_directory": dir,
            "download.prompt_for_download": false,
        });
    }
    if phone {
        options["mobileEmulation"] =
            json!({ "deviceMetrics": { "width": width, "height": height, "pixelRatio": 3.0 } });
    }
    let serde_json::Value::Object(caps) = json!({ "goog:chromeOptions": options }) else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

/// Signs `email` in through the login form, as a person would.
async fn sign_in(
    b: &fantoccini::Client,
    app: &crate::helpers::TestApp,
    email: &str,
) -> Result<(), fantoccini::error::CmdError> {
    b.goto(&app.url("/login")).await?;
    b.find(Locator::Id("email")).await?.send_keys(email).await?;
    b.find(Locator::Id("password"))
        .await?
        .send_keys(crate::helpers::PASSWORD)
        .await?;
    b.find(Locator::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    b.wait().for_element(Locator::Css("h1")).await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver; .ci/run runs it"]
async fn results_and_the_dashboard_draw_their_charts_with_words() {
    let app = spawn_app().await;
    let now = infrapulse::clock::Clock::now(app.clock.as_ref());
    app.with_db(|conn| {
        infrapulse::demo::seed_directory(conn, now).unwrap();
        infrapulse::demo::seed_surveys(conn, &app.state.links, 3, now).unwrap();
    });
    app.create_account(
        "reader@example.com",
        infrapulse::domain::account::Role::Viewer,
    );
    let driver = Driver::start();
    for (name, width, height, phone) in [("desktop", 1280, 900, false), ("phone", 390, 844, true)] {
        let b = browser(&driver, width, height, phone).await;
        let result = async {
            sign_in(&b, &app, "reader@example.com").await?;
            for (page, charts) in [
                ("/", 1),
                ("/tools/mongodb/results", 6),
                ("/programs/quarterly-pulse/rounds/3/results", 1),
            ] {
                b.goto(&app.url(page)).await?;
                let heading = b.find(Locator::Css("h1")).await?.text().await?;
                assert!(!heading.contains("Error"), "{page}: {heading}");
                // Every picture is an image with words: a title or a
                // description that is not empty.
                let pictures = b
                    .execute(
                        "return [...document.querySelectorAll('svg[role=img]')].map(svg => \
                           (svg.getAttribute('aria-labelledby') || '').split(' ')\
                             .map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim())",
                        vec![],
                    )
                    .await?;
                let pictures = pictures.as_array().unwrap();
                assert!(pictures.len() >= charts, "{page}: {} charts", pictures.len());
                for words in pictures {
                    assert!(words.as_str().unwrap().len() > 20, "{page}: {words}");
                }
                let overflow = b
                    .execute("return document.documentElement.scrollWidth > document.documentElement.clientWidth", vec![])
                    .await?;
                if overflow == json!(true) {
                    let wide = b.execute("return [...document.querySelectorAll('body *')].filter(e => !e.closest('.table-scroll') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))", vec![]).await?;
                    panic!("{page} is wider than a {name} screen: {wide}");
                }
                let file = format!("{}-{name}.png", page.trim_matches('/').replace('/', "_"));
                let file = if file.starts_with('-') { format!("dashboard{file}") } else { file };
                std::fs::write(screenshot_dir().join(file), b.screenshot().await?).ok();
            }
            Ok::<_, fantoccini::error::CmdError>(())
        }
        .await;
        b.close().await.ok();
        result.expect("the results walk-through");
    }
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver; .ci/run runs it"]
async fn a_respondent_answers_on_a_phone() {
    let app = spawn_app().await;
    let now = infrapulse::clock::Clock::now(app.clock.as_ref());
    let token = app.with_db(|conn| {
        infrapulse::demo::seed_directory(conn, now).unwrap();
        infrapulse::demo::seed_surveys(conn, &app.state.links, 3, now).unwrap();
        crate::helpers::open_round_token(&app.state, conn)
    });

    let driver = Driver::start();
    let browser = browser(&driver, 390, 844, true).await;

    let result = async {
        browser.goto(&app.url(&format!("/r/{token}"))).await?;
        let width = browser.execute("return document.documentElement.clientWidth", vec![]).await?;
        assert!(width.as_i64().unwrap() <= 400, "a phone-sized viewport: {width}");
        let overflow = browser
            .execute("return document.documentElement.scrollWidth > document.documentElement.clientWidth", vec![])
            .await?;
        assert_eq!(overflow, json!(false), "the form fits the phone's width");

        // Each tool is a section that folds; the first is open.
        let sections = browser.find_all(Locator::Css("details.tool")).await?;
        assert!(sections.len() >= 2, "the demo asks about several tools");
        let first = &sections[0];
        assert!(first.attr("open").await?.is_some(), "the first tool starts unfolded");
        let heading_id = first.find(Locator::Css("summary h2")).await?.attr("id").await?.unwrap();
        let slug = heading_id.trim_start_matches("tool-").to_owned();

        // Every choice, its label included, is a 44 x 44 px target, and the
        // six of a scale share one line on a 390 px phone.
        let sizes = browser
            .execute(
                "return [...document.querySelectorAll('details[open] .choices-row label')]\
                   .map(l => { const r = l.getBoundingClientRect(); return [r.width, r.height, r.top]; })",
                vec![],
            )
            .await?;
        let sizes = sizes.as_array().unwrap();
        assert!(sizes.len() >= 35, "5 scales of 6 and satisfaction's 5: {}", sizes.len());
        for size in sizes {
            let (w, h) = (size[0].as_f64().unwrap(), size[1].as_f64().unwrap());
            assert!(w >= 44.0 && h >= 44.0, "a choice of {w} x {h} px");
        }
        let rows = browser
            .execute(
                "return [...document.querySelectorAll('details[open] fieldset.scale .choices-row')]\
                   .map(row => new Set([...row.children].map(l => Math.round(l.getBoundingClientRect().top))).size)",
                vec![],
            )
            .await?;
        for lines in rows.as_array().unwrap() {
            assert_eq!(lines, &json!(1), "n/a stays on the same line as 1 to 5");
        }

        // Rate the first tool fully by tapping labels, as a thumb would.
        for field in ["security", "reliability", "usability", "efficiency", "latency", "satisfaction"] {
            browser
                .find(Locator::Css(&format!("input[name='t.{slug}.{field}'][value='4']")))
                .await?
                .click()
                .await?;
        }
        browser.find(Locator::Id(&format!("t.{slug}.hours_lost"))).await?.send_keys("6").await?;
        browser.find(Locator::Id(&format!("t.{slug}.pain"))).await?.send_keys("Builds queue at 4pm.").await?;
        // Every other tool: unfold it, then "we don't use this".
        for section in sections.iter().skip(1) {
            section.find(Locator::Css("summary")).await?.click().await?;
            section.find(Locator::Css("input[type=checkbox]")).await?.click().await?;
        }
        browser.find(Locator::Css("button[type=submit]")).await?.click().await?;
        let thanks = reqwest::Url::parse(&app.url(&format!("/r/{token}/thanks"))).unwrap();
        if browser.wait().for_url(&thanks).await.is_err() {
            let shown = browser.find(Locator::Css("main")).await?.text().await?;
            panic!("no thank-you page; the browser shows: {shown}");
        }
        let heading = browser.find(Locator::Css("h1")).await?.text().await?;
        assert_eq!(heading, "Thank you");
        let shot = browser.screenshot().await?;
        std::fs::write(screenshot_dir().join("respondent-thanks-phone.png"), shot).ok();
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    browser.close().await.ok();
    result.expect("the browser walk-through");
    use diesel::prelude::*;
    use infrapulse::db::schema::{responses, rounds};
    let in_open_round: i64 = app.with_db(|conn| {
        responses::table
            .inner_join(rounds::table)
            .filter(rounds::number.eq(4))
            .count()
            .get_result(conn)
            .unwrap()
    });
    assert_eq!(in_open_round, 1, "the answer was saved");
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver; .ci/run runs it"]
async fn pains_versus_proposals_warnings_and_priorities_read_as_text() {
    let app = spawn_app().await;
    let now = infrapulse::clock::Clock::now(app.clock.as_ref());
    let token = app.with_db(|conn| {
        infrapulse::demo::seed_directory(conn, now).unwrap();
        infrapulse::demo::seed_surveys(conn, &app.state.links, 3, now).unwrap();
        crate::helpers::open_round_token(&app.state, conn)
    });
    // A respondent in the open round writes hostile comments.
    let form = app
        .client
        .get(app.url(&format!("/r/{token}")))
        .send()
        .await
        .unwrap();
    let form = form.text().await.unwrap();
    let mut slugs: Vec<String> = form
        .match_indices("name=\"t.")
        .map(|(at, m)| {
            let rest = &form[at + m.len()..];
            rest[..rest.find('.').unwrap()].to_owned()
        })
        .collect();
    slugs.dedup();
    let slug = slugs[0].clone();
    let hostile_pain =
        "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\"> slow builds";
    let hostile_proposal =
        "<svg onload=\"window.__xss = 3\"></svg> [fix](javascript:window.__xss=4) faster builds";
    let res = crate::surveys::post_answers(
        &app,
        &token,
        &crate::surveys::answer(&slug)
            .into_iter()
            .map(|(k, v)| match k.rsplit('.').next() {
                Some("pain") => (k, hostile_pain.to_owned()),
                Some("proposal") => (k, hostile_proposal.to_owned()),
                _ => (k, v),
            })
            .chain(
                slugs[1..]
                    .iter()
                    .map(|s| (format!("t.{s}.not_used"), "1".to_owned())),
            )
            .collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(
        res.status(),
        reqwest::StatusCode::SEE_OTHER,
        "the answer is taken"
    );
    let admin = "triage@example.com";
    app.create_account(admin, infrapulse::domain::account::Role::Admin);

    let driver = Driver::start();
    for (name, width, height, phone) in [("desktop", 1366, 900, false), ("phone", 390, 844, true)] {
        let b = browser(&driver, width, height, phone).await;
        let result = async {
            sign_in(&b, &app, admin).await?;

            // MongoDB: pains beside proposals, and the warning naming both.
            b.goto(&app.url("/tools/mongodb/themes")).await?;
            let warning = b.find(Locator::Css(".warning[data-kind=intuitive_fix]")).await?.text().await?;
            assert!(warning.contains("replace the tool"), "the rewrite is named a replace: {warning}");
            assert!(warning.contains("impact"), "the numbers behind it: {warning}");
            let pains = b.find_all(Locator::Css("article[data-kind=pain]")).await?;
            let proposals = b.find_all(Locator::Css("article[data-kind=proposal]")).await?;
            assert!(!pains.is_empty() && !proposals.is_empty(), "both sides shown");
            let first_pain = pains[0].find(Locator::Css("h3")).await?.text().await?;
            // (Renamed by the desktop pass before the phone's.)
            assert!(
                first_pain.contains("shared") || first_pain == "Noisy neighbours",
                "noisy neighbours on the shared cluster first: {first_pain}"
            );
            // Side by side on a desktop, one above the other on a phone.
            let (pain_x, proposal_x) = (
                pains[0].rectangle().await?.0,
                proposals[0].rectangle().await?.0,
            );
            assert_eq!(pain_x < proposal_x, !phone, "{name}: pains {pain_x}, proposals {proposal_x}");
            std::fs::write(screenshot_dir().join(format!("themes-mongodb-{name}.png")), b.screenshot().await?).ok();

            // The hostile comments, as text.
            b.goto(&app.url(&format!("/tools/{slug}/themes"))).await?;
            let page = b.source().await?;
            assert!(page.contains("window.__xss = 1"), "the comment is on the page");
            let executed = b.execute("return window.__xss === undefined", vec![]).await?;
            assert_eq!(executed, json!(true), "nothing in a comment ran");
            let elements = b
                .execute(
                    "return document.querySelectorAll('.comments script, .comments img, .comments svg, a[href^=javascript]').length",
                    vec![],
                )
                .await?;
            assert_eq!(elements, json!(0), "no element made of a comment");

            // Priorities: ranked, with the warning beside MongoDB's pain.
            b.goto(&app.url("/priorities")).await?;
            let first = b.find(Locator::Css("#priorities tbody tr")).await?.text().await?;
            assert!(first.contains("Warning"), "the costliest pain of all carries a warning: {first}");
            // Impact, the ranking key, reads without scrolling sideways.
            let impact_seen = b
                .execute(
                    "const r = document.querySelector('#priorities thead th.impact').getBoundingClientRect(); \
                     return r.left >= 0 && r.right <= document.documentElement.clientWidth",
                    vec![],
                )
                .await?;
            assert_eq!(impact_seen, json!(true), "Impact is in view on a {name} screen");
            std::fs::write(screenshot_dir().join(format!("priorities-{name}.png")), b.screenshot().await?).ok();
            for page in [format!("/tools/{slug}/themes"), "/priorities".to_owned(), "/tools/mongodb/themes".to_owned()] {
                b.goto(&app.url(&page)).await?;
                let overflow = b
                    .execute("return document.documentElement.scrollWidth > document.documentElement.clientWidth", vec![])
                    .await?;
                assert_eq!(overflow, json!(false), "{page} fits a {name} screen");
            }

            // An admin renames a theme through its form.
            if !phone {
                b.goto(&app.url("/tools/mongodb/themes")).await?;
                let card = b.find(Locator::Css("article[data-kind=pain]")).await?;
                card.find(Locator::Css("details.triage summary")).await?.click().await?;
                let field = card.find(Locator::Css("input[name=label]")).await?;
                field.send_keys("Noisy neighbours").await?;
                card.find(Locator::Css("form button[type=submit]")).await?.click().await?;
                b.wait()
                    .for_element(Locator::XPath("//*[contains(text(), 'Renamed the theme')]"))
                    .await?;
                let renamed = b.find(Locator::Css("article[data-kind=pain] h3")).await?.text().await?;
                assert_eq!(renamed, "Noisy neighbours");
            }
            Ok::<_, fantoccini::error::CmdError>(())
        }
        .await;
        b.close().await.ok();
        result.expect("the pains-versus-proposals walk-through");
    }
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver; .ci/run runs it"]
async fn an_admin_downloads_an_export_from_the_exports_page() {
    let app = spawn_app().await;
    let now = infrapulse::clock::Clock::now(app.clock.as_ref());
    app.with_db(|conn| {
        infrapulse::demo::seed_directory(conn, now).unwrap();
        infrapulse::demo::seed_surveys(conn, &app.state.links, 3, now).unwrap();
    });
    let admin = "planner@example.com";
    app.create_account(admin, infrapulse::domain::account::Role::Admin);
    let downloads = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let b = browser_saving_to(&driver, 1280, 900, false, Some(downloads.path())).await;
    let result = async {
        sign_in(&b, &app, admin).await?;
        b.find(Locator::LinkText("Exports")).await?.click().await?;
        b.wait()
            .for_element(Locator::Id("export-priorities"))
            .await?;
        std::fs::write(
            screenshot_dir().join("exports-desktop.png"),
            b.screenshot().await?,
        )
        .ok();
        let form = b.find(Locator::Css("#export-priorities form")).await?;
        form.find(Locator::Css("select[name=program]"))
            .await?
            .select_by_value("quarterly-pulse")
            .await?;
        form.find(Locator::Css("button[type=submit]"))
            .await?
            .click()
            .await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    // The browser saves the file when the body has arrived: wait for a
    // finished .csv (not a .crdownload), up to a deadline.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let saved = loop {
        let done: Vec<_> = std::fs::read_dir(downloads.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "csv"))
            .collect();
        if let Some(file) = done.first() {
            break std::fs::read_to_string(file).unwrap();
        }
        assert!(std::time::Instant::now() < deadline, "no download arrived");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    b.close().await.ok();
    result.expect("the exports walk-through");
    let mut reader = csv::Reader::from_reader(saved.as_bytes());
    assert_eq!(
        reader
            .headers()
            .unwrap()
            .iter()
            .collect::<Vec<_>>()
            .join(","),
        "program,round,tool,theme,property,teams_affected,respondents,mean_score,hours_lost,impact,forced,horizon,status,theme_id,severity,proposals,warning,suppressed"
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(
        rows.iter().any(|r| &r[2] == "mongodb"),
        "the demo's pains are in it"
    );
    assert!(
        rows.iter().all(|r| &r[0] == "quarterly-pulse"),
        "the program filter held"
    );
}

/// Every admin page (as the demo fills them) and the respondent's form, as
/// an organisation's own checkers would judge them: axe-core in Chromium
/// (no violation of impact serious or critical) and the Nu HTML checker on
/// the served HTML (no error). `.ci/run` installs both from npm and names
/// them in AXE_CORE_JS (axe.min.js) and VNU_JAR (vnu.jar); without them the
/// test fails, it never skips.
#[tokio::test]
#[ignore = "needs chromium, chromedriver, axe-core and the Nu checker; .ci/run runs it"]
async fn every_page_passes_axe_and_the_nu_html_checker() {
    let axe = std::env::var("AXE_CORE_JS")
        .map(std::fs::read_to_string)
        .expect("AXE_CORE_JS names axe-core's axe.min.js (.ci/run installs it from npm)")
        .expect("AXE_CORE_JS is readable");
    let vnu = std::env::var("VNU_JAR")
        .expect("VNU_JAR names the Nu HTML checker's vnu.jar (.ci/run installs it from npm)");
    let app = spawn_app().await;
    let now = infrapulse::clock::Clock::now(app.clock.as_ref());
    let token = app.with_db(|conn| {
        infrapulse::demo::seed_directory(conn, now).unwrap();
        infrapulse::demo::seed_surveys(conn, &app.state.links, 3, now).unwrap();
        crate::helpers::open_round_token(&app.state, conn)
    });
    let admin = app
        .signed_in_as(infrapulse::domain::account::Role::Admin)
        .await;
    let mut pages: Vec<String> = [
        "/",
        "/teams",
        "/teams/new",
        "/members",
        "/members/new",
        "/tools",
        "/tools/new",
        "/tools/mongodb",
        "/tools/mongodb/results",
        "/tools/mongodb/themes",
        "/adoption",
        "/categories",
        "/programs",
        "/programs/new",
        "/programs/quarterly-pulse",
        "/programs/quarterly-pulse/rounds/3",
        "/programs/quarterly-pulse/rounds/3/results",
        "/programs/quarterly-pulse/rounds/4",
        "/programs/quarterly-pulse/rounds/4/close",
        "/priorities",
        "/exports",
        "/import",
        "/outbox",
        "/accounts",
    ]
    .map(String::from)
    .to_vec();
    pages.push(format!("/r/{token}"));

    // The Nu checker reads the HTML as served.
    let dir = tempfile::tempdir().unwrap();
    for (i, page) in pages.iter().enumerate() {
        let res = app.get(page).await;
        assert_eq!(res.status(), reqwest::StatusCode::OK, "{page}");
        let name = format!("{i:02}{}.html", page.replace('/', "_"));
        std::fs::write(dir.path().join(name), res.bytes().await.unwrap()).unwrap();
    }
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let out = Command::new("java")
        .args(["-jar", &vnu, "--errors-only", "--format", "gnu"])
        .args(&files)
        .output()
        .expect("java runs the Nu checker");
    let errors =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && errors.trim().is_empty(),
        "Nu HTML checker:\n{errors}"
    );

    // axe-core runs in the page, after the browser has laid it out.
    let driver = Driver::start();
    for (name, width, height, phone) in [("desktop", 1366, 900, false), ("phone", 390, 844, true)] {
        let b = browser(&driver, width, height, phone).await;
        let result = async {
            sign_in(&b, &app, &admin).await?;
            let mut found = Vec::new();
            for page in &pages {
                b.goto(&app.url(page)).await?;
                b.execute(&axe, vec![]).await?;
                let violations = b
                    .execute_async(
                        "const done = arguments[arguments.length - 1];
                         axe.run(document, { resultTypes: ['violations'] })
                           .then(r => done(r.violations
                             .filter(v => v.impact === 'serious' || v.impact === 'critical')
                             .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at '
                               + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
                           .catch(e => done(['axe failed: ' + e]));",
                        vec![],
                    )
                    .await?;
                for v in violations.as_array().into_iter().flatten() {
                    found.push(format!(
                        "{page} ({name}): {}",
                        v.as_str().unwrap_or_default()
                    ));
                }
            }
            assert!(found.is_empty(), "axe-core:\n{}", found.join("\n"));
            Ok::<_, fantoccini::error::CmdError>(())
        }
        .await;
        b.close().await.ok();
        result.unwrap();
    }
}
