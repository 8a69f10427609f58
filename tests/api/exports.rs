//! CSV exports read back with a CSV reader: every number against figures
//! this test computes from the answers it submitted and against the
//! results page; the anonymity rule; filters; formula injection; who may
//! download what; the command line.

use std::collections::HashMap;

use infrapulse::domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::{TestApp, new_client};
use crate::results::{
    Answer, MEASURES, PROPERTIES, answer_all, fields, hundredths, mean_text, organisation,
    row_cells, values,
};
use crate::surveys::{close_round, open_round, post_answers, token_of};

/// A parsed export: its header and its rows by column name.
pub struct Csv {
    header: Vec<String>,
    pub rows: Vec<HashMap<String, String>>,
}

impl Csv {
    fn parse(body: &[u8]) -> Csv {
        let mut reader = csv::Reader::from_reader(body);
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader
            .records()
            .map(|r| {
                let r = r.expect("every row parses");
                assert_eq!(r.len(), header.len(), "a full row");
                header
                    .iter()
                    .cloned()
                    .zip(r.iter().map(String::from))
                    .collect()
            })
            .collect();
        Csv { header, rows }
    }

    fn with(&self, pairs: &[(&str, &str)]) -> Vec<&HashMap<String, String>> {
        self.rows
            .iter()
            .filter(|r| pairs.iter().all(|(k, v)| r[*k] == *v))
            .collect()
    }
}

async fn download(app: &TestApp, path: &str) -> Csv {
    download_as(&app.client, app, path).await
}

/// An export downloaded by `client` (another account's browser), read back.
pub async fn download_as(client: &reqwest::Client, app: &TestApp, path: &str) -> Csv {
    let res = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"infrapulse-"),
    );
    Csv::parse(&res.bytes().await.unwrap())
}

fn favourable(v: &[i64]) -> String {
    let (fav, n) = (
        v.iter().filter(|x| **x >= 4).count() as i64 * 100,
        v.len() as i64,
    );
    let p = if 2 * (fav % n) >= n {
        fav / n + 1
    } else {
        fav / n
    };
    p.to_string()
}

/// Two rounds of answers from teams A (6), B (3), C (2), D (3) with k = 3.
async fn two_rounds() -> (TestApp, Vec<Answer>, Vec<Answer>) {
    let app = organisation().await;
    open_round(&app).await;
    let round1 = answer_all(&app, 1).await;
    close_round(&app, 1).await;
    app.tick();
    open_round(&app).await;
    let round2 = answer_all(&app, 2).await;
    (app, round1, round2)
}

/// Teams shown beside rows of one round: each named team has k or more
/// rows, and the unnamed rows are none or k or more (no subtraction
/// gives a small team away). Team C (2 answers) is never named.
fn check_teams(rows: &[&HashMap<String, String>], k: usize) {
    let mut by_team: HashMap<&str, usize> = HashMap::new();
    for r in rows {
        *by_team.entry(r["team"].as_str()).or_default() += 1;
    }
    assert!(!by_team.contains_key("team-c"), "{by_team:?}");
    for (team, n) in &by_team {
        if team.is_empty() {
            assert!(*n >= k, "{n} unnamed rows can be worked out");
        } else {
            assert!(*n >= k, "{team} named with {n} rows");
        }
    }
    assert!(by_team.contains_key("team-a"), "large teams are named");
}

#[tokio::test]
async fn every_export_adds_up_to_the_answers_and_the_results_pages() {
    let (app, round1, round2) = two_rounds().await;
    let rounds = [(1, &round1), (2, &round2)];

    let summary = download(&app, "/exports/summary.csv").await;
    assert_eq!(
        summary.header.join(","),
        "program,round,tool,measure,responses,mean,pct_favourable,delta_prev,baseline,breach,suppressed"
    );
    assert_eq!(summary.rows.len(), 2 * MEASURES.len());
    for (n, answers) in rounds {
        let all: Vec<&Answer> = answers.iter().collect();
        let page = app
            .get_text(&format!("/tools/ci/results?program=pulse&round={n}"))
            .await
            .1;
        for measure in MEASURES {
            let row = summary.with(&[
                ("program", "pulse"),
                ("round", &n.to_string()),
                ("tool", "ci"),
                ("measure", measure),
            ]);
            assert_eq!(row.len(), 1, "round {n} {measure}");
            let row = row[0];
            let v = values(&all, measure);
            assert_eq!(row["responses"], v.len().to_string(), "{measure}");
            assert_eq!(row["mean"], mean_text(&v), "{measure}");
            assert_eq!(row["pct_favourable"], favourable(&v), "{measure}");
            assert_eq!(row["suppressed"], "false");
            assert_eq!(row["breach"], "false");
            assert_eq!(row["baseline"], "");
            // The same figures as the page.
            let cells = row_cells(&page, &format!("id=\"m-{measure}\""));
            assert_eq!(cells[1], row["responses"]);
            assert_eq!(cells[2], row["mean"]);
            assert_eq!(cells[4], format!("{}%", row["pct_favourable"]));
            if n == 1 {
                assert_eq!(row["delta_prev"], "", "no change in a first round");
            } else {
                let before: Vec<&Answer> = round1.iter().collect();
                let expected =
                    hundredths(&mean_text(&v)) - hundredths(&mean_text(&values(&before, measure)));
                assert_eq!(hundredths(&row["delta_prev"]), expected, "{measure} change");
                assert_eq!(hundredths(&cells[5]), expected, "the page's change");
            }
        }
    }

    // Responses: one row per response, with exactly the ratings given.
    let responses = download(&app, "/exports/responses.csv?program=pulse").await;
    assert_eq!(
        responses.header.join(","),
        "program,round,answer,team,tool,security,reliability,usability,efficiency,latency,satisfaction,hours_lost"
    );
    for (n, answers) in rounds {
        let rows = responses.with(&[("round", &n.to_string())]);
        let mut got: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                PROPERTIES
                    .iter()
                    .chain(&["satisfaction", "hours_lost"])
                    .map(|c| r[*c].clone())
                    .collect()
            })
            .collect();
        let mut want: Vec<Vec<String>> = answers
            .iter()
            .map(|a| {
                a.ratings
                    .iter()
                    .map(|r| r.map_or(String::new(), |v| v.to_string()))
                    .chain([a.satisfaction.to_string(), a.hours.to_string()])
                    .collect()
            })
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "round {n}: the ratings, n/a as empty");
        check_teams(&rows, 3);
        let ids: std::collections::HashSet<&str> =
            rows.iter().map(|r| r["answer"].as_str()).collect();
        assert_eq!(ids.len(), answers.len(), "one opaque id per answer");
        assert!(
            ids.iter()
                .all(|id| id.len() == 17 && id.starts_with('a') && id.parse::<f64>().is_err()),
            "ids a spreadsheet keeps as text: {ids:?}"
        );
        assert!(
            !rows.iter().any(|r| r.values().any(|v| v.contains('@'))),
            "no member anywhere"
        );
    }

    // Comments, with their themes; priorities name the same themes.
    let comments = download(&app, "/exports/comments.csv").await;
    assert_eq!(
        comments.header.join(","),
        "program,round,tool,kind,theme,team,text"
    );
    for (n, answers) in rounds {
        let rows = comments.with(&[("round", &n.to_string()), ("kind", "pain")]);
        assert_eq!(rows.len(), answers.len());
        assert!(rows.iter().all(|r| r["text"] == "Builds are slow"));
        assert!(rows.iter().all(|r| !r["theme"].is_empty()), "themed");
        check_teams(&rows, 3);
    }
    let priorities = download(&app, "/exports/priorities.csv").await;
    assert_eq!(
        priorities.header.join(","),
        "program,round,tool,theme,property,teams_affected,respondents,mean_score,hours_lost,impact,forced,horizon,status,theme_id,severity,proposals,warning,suppressed"
    );
    for (n, answers) in rounds {
        let rows = priorities.with(&[("round", &n.to_string())]);
        assert_eq!(rows.len(), 1, "one pain theme");
        let r = rows[0];
        let theme_comments = comments.with(&[("round", &n.to_string()), ("theme", &r["theme"])]);
        assert_eq!(r["respondents"], theme_comments.len().to_string());
        assert_eq!(r["respondents"], answers.len().to_string());
        assert_eq!(r["teams_affected"], "4");
        let hours: i64 = answers.iter().map(|a| a.hours).sum();
        assert_eq!(r["hours_lost"], hours.to_string());
        // "slow" is latency; the mean is of the latency ratings given.
        assert_eq!(r["property"], "latency");
        let all: Vec<&Answer> = answers.iter().collect();
        let latency = values(&all, "latency");
        let floor = latency.iter().sum::<i64>() * 100 / latency.len() as i64;
        assert_eq!(hundredths(&r["mean_score"]), floor);
        assert_eq!(r["status"], "new");
        assert!(hundredths(&r["impact"]) > 0);
        assert!(
            r["theme_id"].parse::<i64>().is_ok(),
            "a join key that survives a rename"
        );
        assert_eq!(r["suppressed"], "false");
        assert!(["true", "false"].contains(&r["warning"].as_str()));
    }

    // A baseline above the mean is a breach in the summary and a warning.
    let all: Vec<&Answer> = round2.iter().collect();
    let mean = hundredths(&mean_text(&values(&all, "reliability")));
    let above = format!("{}.{:02}", (mean + 1) / 100, (mean + 1) % 100);
    let res = app
        .submit(
            "/tools/ci/results",
            "/tools/ci/baselines",
            &[("reliability", &above)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let summary = download(&app, "/exports/summary.csv?from=2").await;
    let row = summary.with(&[("measure", "reliability")]);
    assert_eq!(row.len(), 1, "round 2 only");
    assert_eq!(
        (row[0]["baseline"].as_str(), row[0]["breach"].as_str()),
        (above.as_str(), "true")
    );
    let warnings = download(&app, "/exports/warnings.csv?program=pulse&to=2&tool=ci").await;
    assert_eq!(
        warnings.header.join(","),
        "program,round,tool,kind,pain_theme,proposal_theme,message"
    );
    let breach = warnings.with(&[("round", "2"), ("kind", "baseline_breach")]);
    assert_eq!(breach.len(), 1, "reliability only");
    assert!(breach[0]["message"].contains(&above), "{:?}", breach[0]);
}

#[tokio::test]
async fn filters_narrow_and_bad_filters_are_refused_with_a_reason() {
    let (app, round1, _) = two_rounds().await;
    let only_first = download(
        &app,
        "/exports/responses.csv?program=pulse&from=1&to=1&tool=ci",
    )
    .await;
    assert_eq!(only_first.rows.len(), round1.len());
    assert!(only_first.rows.iter().all(|r| r["round"] == "1"));
    let none = download(&app, "/exports/summary.csv?from=3").await;
    assert_eq!(none.rows.len(), 0, "no round 3");
    assert_eq!(none.header.len(), 11, "the header still comes");

    for (query, says) in [
        ("program=nope", "There is no program “nope”."),
        ("tool=nope", "There is no tool “nope”."),
        ("from=abc", "The first round must be a round number"),
        ("to=0", "The last round must be a round number"),
        (
            "from=3&to=2",
            "The first round (3) comes after the last (2).",
        ),
        ("bom=yes", "bom is 1 or 0."),
    ] {
        let (status, body) = app.get_text(&format!("/exports/summary.csv?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(body.contains(says), "{query}: {body}");
    }
    let (status, _) = app.get_text("/exports/passwords.csv").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn who_may_download_what() {
    let (app, _, _) = two_rounds().await;
    // Signed out: sent to sign in, and not a byte of data.
    let anonymous = new_client();
    for kind in ["summary", "responses", "comments", "directory"] {
        let res = anonymous
            .get(app.url(&format!("/exports/{kind}.csv")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{kind}");
        assert!(
            res.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/login")
        );
        let body = res.text().await.unwrap();
        assert!(!body.contains("pulse") && !body.contains("ci,"), "{body}");
    }
    let viewer = app
        .client_signed_in_as("viewer@example.com", Role::Viewer)
        .await;
    let res = viewer
        .get(app.url("/exports/summary.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = viewer
        .get(app.url("/exports/directory.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = viewer
        .get(app.url("/exports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("/exports/summary.csv") && !page.contains("/exports/directory.csv"));

    let directory = download(&app, "/exports/directory.csv").await;
    assert_eq!(
        directory.header.join(","),
        "kind,team,tool,name,email,category,owner_team,business_critical,active,created_at"
    );
    let members = directory.with(&[("kind", "member")]);
    assert_eq!(members.len(), 14);
    assert!(
        members
            .iter()
            .any(|m| m["email"] == "c2@example.com" && m["team"] == "team-c")
    );
    let adoption = directory.with(&[("kind", "adoption"), ("tool", "ci")]);
    assert_eq!(adoption.len(), 4);
    assert!(adoption.iter().all(|a| a["business_critical"] == "true"));
    let tool = directory.with(&[("kind", "tool")]);
    assert_eq!(
        (tool[0]["tool"].as_str(), tool[0]["owner_team"].as_str()),
        ("ci", "team-a")
    );
    assert!(
        chrono::DateTime::parse_from_rfc3339(&tool[0]["created_at"]).is_ok(),
        "ISO 8601: {}",
        tool[0]["created_at"]
    );
}

#[tokio::test]
async fn hostile_cells_are_neutralised_and_numbers_stay_numbers() {
    let app = organisation().await;
    open_round(&app).await;
    let hostile = [
        "=HYPERLINK(\"http://evil.example/\",\"x\")",
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1",
        "\r=1",
    ];
    for (i, text) in hostile.iter().enumerate() {
        let mut answer = fields(&crate::results::Answer {
            team: 'a',
            ratings: [Some(1), Some(2), Some(3), None, Some(5)],
            satisfaction: 2,
            hours: 3,
        });
        answer.retain(|(k, _)| k != "t.ci.pain");
        answer.push(("t.ci.pain".into(), format!("{text} slow builds")));
        answer.push(("t.ci.proposal".into(), (*text).into()));
        let res = post_answers(
            &app,
            &token_of(&app, &format!("a{}@example.com", i + 1)),
            &answer,
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let res = app.get("/exports/comments.csv?bom=1").await;
    let body = res.bytes().await.unwrap();
    assert!(
        body.starts_with("\u{feff}".as_bytes()),
        "the byte order mark"
    );
    let comments = Csv::parse(&body[3..]);
    assert_eq!(comments.rows.len(), 2 * hostile.len());
    for r in &comments.rows {
        for cell in r.values() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a live formula: {cell:?}"
            );
        }
    }
    // Kept, behind a quote (the form may have trimmed a leading tab).
    for text in [
        "=HYPERLINK(\"http://evil.example/\",\"x\")",
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
    ] {
        assert!(
            comments
                .with(&[("kind", "proposal")])
                .iter()
                .any(|r| r["text"] == format!("'{text}")),
            "{text:?}"
        );
    }
    // Ratings are numbers, unquoted; n/a is empty.
    let responses = download(&app, "/exports/responses.csv").await;
    assert!(
        responses
            .rows
            .iter()
            .all(|r| r["security"] == "1" && r["latency"] == "5" && r["efficiency"].is_empty())
    );
}

#[tokio::test]
async fn the_command_line_writes_the_same_export_and_nothing_partial() {
    let (app, _, _) = two_rounds().await;
    let web = app
        .get("/exports/summary.csv?program=pulse")
        .await
        .bytes()
        .await
        .unwrap();
    let out = app.state.config.data_dir.join("summary.csv");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_infrapulse"))
            .args(args)
            .env_clear()
            .env("DATABASE_URL", &app.db.url)
            .env("DATA_DIR", app.state.config.data_dir.to_str().unwrap())
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    };
    let done = run(&[
        "export",
        "summary",
        "--program",
        "pulse",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(
        std::fs::read(&out).unwrap(),
        web.to_vec(),
        "the same bytes as the download"
    );
    let stdout = run(&["export", "summary", "--program", "pulse"]);
    assert_eq!(stdout.stdout, web.to_vec());

    // Refused: no file is written or replaced.
    let refused = app.state.config.data_dir.join("refused.csv");
    for args in [
        vec![
            "export",
            "summary",
            "--program",
            "nope",
            "-o",
            refused.to_str().unwrap(),
        ],
        vec!["export", "secrets", "-o", refused.to_str().unwrap()],
        vec![
            "export",
            "summary",
            "--from",
            "x",
            "-o",
            refused.to_str().unwrap(),
        ],
    ] {
        let res = run(&args);
        assert!(!res.status.success(), "{args:?}");
        assert!(!String::from_utf8_lossy(&res.stderr).is_empty());
        assert!(!refused.exists(), "{args:?} wrote a file");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&app.state.config.data_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty());
}

/// Under k, nothing is shown that the pages hide: two answers (k = 3)
/// give a summary with counts only, and no team beside any row.
#[tokio::test]
async fn a_round_under_k_exports_no_figure_and_no_team() {
    let app = organisation().await;
    open_round(&app).await;
    for (i, email) in ["a1@example.com", "a2@example.com"].iter().enumerate() {
        let a = crate::results::Answer {
            team: 'a',
            ratings: [Some(1 + i as i64), Some(2), Some(3), Some(4), Some(5)],
            satisfaction: 2,
            hours: 3,
        };
        let res = post_answers(&app, &token_of(&app, email), &fields(&a)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let summary = download(&app, "/exports/summary.csv").await;
    assert_eq!(summary.rows.len(), MEASURES.len());
    for r in &summary.rows {
        assert_eq!(r["responses"], "2", "{r:?}");
        assert_eq!(r["suppressed"], "true", "{r:?}");
        for hidden in ["mean", "pct_favourable", "delta_prev"] {
            assert_eq!(r[hidden], "", "{hidden} of two people: {r:?}");
        }
    }
    for kind in ["responses", "comments"] {
        let rows = download(&app, &format!("/exports/{kind}.csv")).await.rows;
        assert_eq!(rows.len(), 2, "{kind}");
        assert!(
            rows.iter().all(|r| r["team"].is_empty()),
            "{kind}: {rows:?}"
        );
    }
    let priorities = download(&app, "/exports/priorities.csv").await;
    assert_eq!(priorities.rows.len(), 1, "the one pain theme");
    let theme = &priorities.rows[0];
    for hidden in [
        "teams_affected",
        "respondents",
        "mean_score",
        "hours_lost",
        "impact",
        "severity",
    ] {
        assert_eq!(theme[hidden], "", "{hidden} of a theme of two people");
    }
    assert_eq!(theme["suppressed"], "true");
}
