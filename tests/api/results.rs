//! Results pages against figures this test computes itself from the answers
//! it submitted: counts, means, distributions, favourable shares, deltas,
//! medians; the anonymity rule at k-1 and k; edits; baselines and breaches.

use std::collections::BTreeMap;

use chrono::TimeDelta;
use infrapulse::domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp, spawn_app};
use crate::surveys::{close_round, open_round, post_answers, token_of};

pub const PROPERTIES: [&str; 5] = [
    "security",
    "reliability",
    "usability",
    "efficiency",
    "latency",
];
pub const MEASURES: [&str; 6] = [
    "security",
    "reliability",
    "usability",
    "efficiency",
    "latency",
    "satisfaction",
];

/// Teams A (6 members), B (3), C (2), D (3), all using CI for critical work;
/// a program asking about CI with k = 3.
pub async fn organisation() -> TestApp {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let mut csv = String::from("email,name,team\n");
    for (team, size) in [("a", 6), ("b", 3), ("c", 2), ("d", 3)] {
        for i in 1..=size {
            csv.push_str(&format!(
                "{team}{i}@example.com,{team} {i},Team {}\n",
                team.to_uppercase()
            ));
        }
    }
    let (preview, _) = app.preview_csv("members", csv.as_bytes(), true).await;
    app.submit(&preview, &preview, &[]).await;
    app.add_tool("CI", "ci", "team-a").await;
    let adoption =
        "team,tool,business_critical\nteam-a,ci,yes\nteam-b,ci,yes\nteam-c,ci,yes\nteam-d,ci,yes\n";
    let (preview, _) = app
        .preview_csv("adoption", adoption.as_bytes(), false)
        .await;
    app.submit(&preview, &preview, &[]).await;
    let res = app
        .submit(
            "/programs/new",
            "/programs",
            &[
                ("name", "Pulse"),
                ("slug", "pulse"),
                ("tools_mode", "chosen"),
                ("tools", "ci"),
                ("audience_mode", "using"),
                ("cadence_kind", "weeks"),
                ("cadence_weeks", "13"),
                ("open_days", "14"),
                ("anonymity_k", "3"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app
}

/// One member's answer: ratings (None for n/a), satisfaction, hours.
#[derive(Clone, Debug)]
pub struct Answer {
    pub team: char,
    pub ratings: [Option<i64>; 5],
    pub satisfaction: i64,
    pub hours: i64,
}

fn make_answer(team: char, i: i64, round: i64) -> Answer {
    let mut ratings = [None; 5];
    for (p, slot) in ratings.iter_mut().enumerate() {
        let p = p as i64;
        if (i + p + round) % 7 != 0 {
            *slot = Some(1 + (i * 7 + round * 3 + p * 5 + team as i64) % 5);
        }
    }
    Answer {
        team,
        ratings,
        satisfaction: 1 + (i * 3 + round + team as i64) % 5,
        hours: (i * 5 + round * 2 + team as i64) % 13,
    }
}

pub fn fields(a: &Answer) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = PROPERTIES
        .iter()
        .zip(a.ratings)
        .map(|(p, r)| {
            (
                format!("t.ci.{p}"),
                r.map_or("na".into(), |v| v.to_string()),
            )
        })
        .collect();
    f.push(("t.ci.satisfaction".into(), a.satisfaction.to_string()));
    f.push(("t.ci.hours_lost".into(), a.hours.to_string()));
    f.push(("t.ci.pain".into(), "Builds are slow".into()));
    f
}

pub fn values(answers: &[&Answer], measure: &str) -> Vec<i64> {
    answers
        .iter()
        .filter_map(|a| match measure {
            "satisfaction" => Some(a.satisfaction),
            "hours" => Some(a.hours),
            m => a.ratings[PROPERTIES.iter().position(|p| *p == m).unwrap()],
        })
        .collect()
}

/// "3.47" for a mean, rounded half up, computed apart from the app's code.
pub fn mean_text(v: &[i64]) -> String {
    let (sum, n) = (v.iter().sum::<i64>() * 100, v.len() as i64);
    let (q, r) = (sum / n, sum % n);
    let h = if 2 * r >= n { q + 1 } else { q };
    format!("{}.{:02}", h / 100, h % 100)
}

pub fn hundredths(text: &str) -> i64 {
    let (whole, frac) = text.trim_start_matches('+').split_once('.').unwrap();
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    whole.parse::<i64>().unwrap() * 100 + sign * frac.parse::<i64>().unwrap()
}

/// The text of each cell of the row that `marker` (an attribute) opens.
pub fn row_cells(html: &str, marker: &str) -> Vec<String> {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no row {marker} in {html}"));
    let row = &html[start..start + html[start..].find("</tr>").unwrap()];
    row.split("<t")
        .skip(1)
        .filter(|c| c.starts_with('d') || c.starts_with("h "))
        .map(|cell| {
            let mut text = String::new();
            let mut in_tag = true;
            for ch in cell.chars() {
                match ch {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect()
}

pub async fn answer_all(app: &TestApp, round: i64) -> Vec<Answer> {
    let mut all = Vec::new();
    for (team, size) in [('a', 6), ('b', 3), ('c', 2), ('d', 3)] {
        for i in 1..=size {
            let a = make_answer(team, i, round);
            let res = post_answers(
                app,
                &token_of(app, &format!("{team}{i}@example.com")),
                &fields(&a),
            )
            .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            all.push(a);
        }
    }
    all
}

/// Checks every figure the page shows for a round against `answers`. Once
/// the round is sealed, team C (under k) has lost its name to the group of
/// small teams.
fn check_round(html: &str, answers: &[Answer], previous: Option<&[Answer]>, sealed: bool) {
    let label = |team: char| match team {
        'C' if sealed => "Teams with fewer than 3 answers".to_owned(),
        t => format!("Team {t}"),
    };
    let all: Vec<&Answer> = answers.iter().collect();
    for measure in MEASURES {
        let v = values(&all, measure);
        let cells = row_cells(html, &format!("id=\"m-{measure}\""));
        assert_eq!(
            cells[1],
            v.len().to_string(),
            "{measure}: answers (n/a excluded)"
        );
        assert_eq!(cells[2], mean_text(&v), "{measure}: mean");
        let dist: Vec<String> = (1..=5)
            .map(|s| v.iter().filter(|x| **x == s).count().to_string())
            .collect();
        // The bar's description in words, then the counts as text.
        assert!(
            cells[3].ends_with(&format!(". {}", dist.join(" · "))),
            "{measure}: distribution {}",
            cells[3]
        );
        assert!(
            cells[3].contains(&format!("1: {} (", dist[0])),
            "the bar says it too"
        );
        let fav = v.iter().filter(|x| **x >= 4).count() as i64 * 100;
        let n = v.len() as i64;
        let fav = if 2 * (fav % n) >= n {
            fav / n + 1
        } else {
            fav / n
        };
        assert_eq!(cells[4], format!("{fav}%"), "{measure}: favourable");
        match previous {
            Some(before) => {
                let b: Vec<&Answer> = before.iter().collect();
                let expected =
                    hundredths(&mean_text(&v)) - hundredths(&mean_text(&values(&b, measure)));
                assert_eq!(hundredths(&cells[5]), expected, "{measure}: change");
            }
            None => assert_eq!(cells[5], "", "{measure}: no change in a first round"),
        }
    }
    // Hours: total, median, per responding team.
    let mut hours = values(&all, "hours");
    hours.sort_unstable();
    let total: i64 = hours.iter().sum();
    assert!(
        html.contains(&format!("<dd id=\"hours-total\">{total}</dd>")),
        "hours total"
    );
    let n = hours.len();
    let median = (hours[(n - 1) / 2] + hours[n / 2]) * 50;
    assert!(
        html.contains(&format!(
            "<dd id=\"hours-median\">{}.{:02}</dd>",
            median / 100,
            median % 100
        )),
        "hours median"
    );
    // Two of the four teams are hidden below: how many teams gave hours
    // would tell that theirs did, so the average per team is not given.
    assert!(
        html.contains("<dd id=\"hours-per-team\">—</dd>"),
        "hours per team with hidden teams"
    );

    // By team, k = 3. Every figure shown is right and made of k or more
    // answers; what is hidden adds up to k or more, so no hidden figure
    // can be worked out from the total. For satisfaction (no n/a): C (2)
    // hides, and B (3, the smallest) with it; A (6) and D (exactly 3) show.
    let teams = ['A', 'B', 'C', 'D'];
    for (i, measure) in MEASURES.iter().enumerate() {
        let mut hidden = 0;
        for team in teams {
            let cells = row_cells(html, &format!("data-team=\"{}\"", label(team)));
            let mine: Vec<&Answer> = all
                .iter()
                .copied()
                .filter(|a| a.team == team.to_ascii_lowercase())
                .collect();
            let v = values(&mine, measure);
            if cells[i + 1] == "hidden" {
                hidden += v.len();
            } else {
                assert!(v.len() >= 3, "Team {team} {measure} shown from {}", v.len());
                assert_eq!(cells[i + 1], mean_text(&v), "Team {team} {measure}");
            }
        }
        assert!(
            hidden == 0 || hidden >= 3,
            "{measure}: {hidden} hidden answers are derivable"
        );
    }
    let shown: Vec<bool> = teams
        .iter()
        .map(|t| row_cells(html, &format!("data-team=\"{}\"", label(*t)))[6] != "hidden")
        .collect();
    assert_eq!(shown, [true, false, false, true], "satisfaction by team");
}

#[tokio::test]
async fn the_results_page_shows_what_the_answers_add_up_to() {
    let app = organisation().await;
    open_round(&app).await;
    let round1 = answer_all(&app, 1).await;
    let (status, html) = app
        .get_text("/tools/ci/results?program=pulse&round=1")
        .await;
    assert_eq!(status, StatusCode::OK);
    check_round(&html, &round1, None, false);
    assert!(html.contains("14 of 14 (100%)"), "response rate");

    // Round 2, then an edit moves the figures with it.
    close_round(&app, 1).await;
    app.tick();
    open_round(&app).await;
    let mut round2 = answer_all(&app, 2).await;
    let (_, html) = app
        .get_text("/tools/ci/results?program=pulse&round=2")
        .await;
    check_round(&html, &round2, Some(&round1), false);
    let edited = Answer {
        team: 'a',
        ratings: [Some(5), Some(1), Some(1), None, Some(5)],
        satisfaction: 1,
        hours: 40,
    };
    post_answers(&app, &token_of(&app, "a1@example.com"), &fields(&edited)).await;
    round2[0] = edited;
    let (_, html) = app
        .get_text("/tools/ci/results?program=pulse&round=2")
        .await;
    check_round(&html, &round2, Some(&round1), false);

    // Closed and sealed, the kept figures are the same as counted live.
    app.clock.advance(TimeDelta::days(15));
    app.tick();
    app.login("admin@example.com", PASSWORD).await;
    assert_eq!(app.count_rows("rounds WHERE sealed"), 2);
    assert!(app.count_rows("round_results") > 0);
    let (_, html) = app
        .get_text("/tools/ci/results?program=pulse&round=2")
        .await;
    check_round(&html, &round2, Some(&round1), true);
    let (_, html) = app
        .get_text("/tools/ci/results?program=pulse&round=1")
        .await;
    check_round(&html, &round1, None, true);
    // The trend table reads the kept totals of every round.
    for (number, answers) in [(1, &round1), (2, &round2)] {
        let all: Vec<&Answer> = answers.iter().collect();
        let cells = row_cells(&html, &format!("id=\"round-{number}\""));
        for (i, measure) in MEASURES.iter().enumerate() {
            assert_eq!(
                cells[i + 2],
                mean_text(&values(&all, measure)),
                "round {number} {measure}"
            );
        }
    }
    let (_, dash) = app.get_text("/").await;
    let all: Vec<&Answer> = round2.iter().collect();
    let reliability = mean_text(&values(&all, "reliability"));
    assert!(
        dash.contains(&format!(">{reliability}</text>")),
        "the dashboard's heatmap shows round 2's kept mean {reliability}"
    );
}

#[tokio::test]
async fn suppression_at_k_minus_one_and_k_leaves_nothing_to_derive() {
    let app = organisation().await;
    open_round(&app).await;
    // Only team C's two members and team D's three answer: 5 in all.
    let mut answered = Vec::new();
    for email in ["c1", "c2", "d1", "d2", "d3"] {
        let a = make_answer(
            email.chars().next().unwrap(),
            email[1..].parse().unwrap(),
            1,
        );
        post_answers(
            &app,
            &token_of(&app, &format!("{email}@example.com")),
            &fields(&a),
        )
        .await;
        answered.push(a);
    }
    let (_, html) = app
        .get_text("/tools/ci/results?program=pulse&round=1")
        .await;
    // C (k-1) alone would leave D = total - C... so D (k) hides too, and
    // with every team hidden the total of 5 (>= k) still shows.
    for team in ["Team C", "Team D"] {
        let cells = row_cells(&html, &format!("data-team=\"{team}\""));
        assert!(
            cells[1..].iter().all(|c| c == "hidden"),
            "{team}: {cells:?}"
        );
    }
    let cells = row_cells(&html, "id=\"m-satisfaction\"");
    let all: Vec<&Answer> = answered.iter().collect();
    assert_eq!(cells[2], mean_text(&values(&all, "satisfaction")));

    // One more answer in D: D shows (4), C and the 2 hidden answers... C
    // alone is under k, so the smallest shown team is hidden with it.
    let a = make_answer('a', 1, 1);
    post_answers(&app, &token_of(&app, "a1@example.com"), &fields(&a)).await;
    let (_, html) = app
        .get_text("/tools/ci/results?program=pulse&round=1")
        .await;
    for team in ["Team A", "Team C", "Team D"] {
        let cells = row_cells(&html, &format!("data-team=\"{team}\""));
        // A has 1 answer (hidden), C 2 (hidden): 3 hidden together >= k, so
        // D (3) may show its satisfaction.
        let want_shown = team == "Team D";
        assert_eq!(
            cells[6] != "hidden",
            want_shown,
            "{team} satisfaction: {cells:?}"
        );
    }

    // With only k-1 answers in all, even the total hides.
    let app = organisation().await;
    open_round(&app).await;
    for email in ["a1", "a2"] {
        let a = make_answer('a', email[1..].parse().unwrap(), 1);
        post_answers(
            &app,
            &token_of(&app, &format!("{email}@example.com")),
            &fields(&a),
        )
        .await;
    }
    let (_, html) = app
        .get_text("/tools/ci/results?program=pulse&round=1")
        .await;
    let cells = row_cells(&html, "id=\"m-satisfaction\"");
    assert_eq!(cells[1], "2");
    assert!(
        cells[2].starts_with("hidden: fewer than 3 answers"),
        "{cells:?}"
    );
    assert!(html.contains("<dd id=\"hours-total\">—</dd>"));
}

#[tokio::test]
async fn a_breach_comes_and_goes_with_the_baseline() {
    let app = organisation().await;
    open_round(&app).await;
    let answers = answer_all(&app, 1).await;
    let all: Vec<&Answer> = answers.iter().collect();
    let mean = mean_text(&values(&all, "reliability"));
    let above = format!(
        "{}.{:02}",
        (hundredths(&mean) + 1) / 100,
        (hundredths(&mean) + 1) % 100
    );

    let res = app
        .submit(
            "/tools/ci/results",
            "/tools/ci/baselines",
            &[("reliability", &above)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app
        .get_text("/tools/ci/results?program=pulse&round=1")
        .await;
    let cells = row_cells(&html, "id=\"m-reliability\"");
    assert_eq!(cells[6], format!("{above} breached"));
    // The dashboard reads closed rounds: close this one.
    close_round(&app, 1).await;
    let (_, dash) = app.get_text("/").await;
    assert!(
        dash.contains(&format!("<strong class=\"bad\">{mean}</strong>")),
        "{dash}"
    );
    assert!(
        dash.contains(&format!("<td class=\"num\">{above}</td>")),
        "the baseline beside it"
    );

    // Equal to the mean is no breach: "take this round's means".
    app.submit(
        "/tools/ci/results",
        "/tools/ci/baselines/take",
        &[("program", "pulse"), ("round", "1")],
    )
    .await;
    let (_, html) = app
        .get_text("/tools/ci/results?program=pulse&round=1")
        .await;
    let cells = row_cells(&html, "id=\"m-reliability\"");
    assert_eq!(cells[6], mean, "the baseline is the mean now");
    let (_, dash) = app.get_text("/").await;
    assert!(dash.contains("No tool is below a baseline"), "{dash}");

    // Bad values are refused and change nothing.
    for bad in ["6", "0.5", "three", "3.456"] {
        let res = app
            .submit(
                "/tools/ci/results",
                "/tools/ci/baselines",
                &[("reliability", bad)],
            )
            .await;
        let (_, html) = app.get_text(&crate::helpers::location(&res)).await;
        assert!(html.contains("must be a number from 1 to 5"), "{bad}");
    }
    let (_, html) = app
        .get_text("/tools/ci/results?program=pulse&round=1")
        .await;
    assert_eq!(row_cells(&html, "id=\"m-reliability\"")[6], mean);
    // Cleared, nothing is compared.
    app.submit(
        "/tools/ci/results",
        "/tools/ci/baselines",
        &[("reliability", "")],
    )
    .await;
    let (_, html) = app
        .get_text("/tools/ci/results?program=pulse&round=1")
        .await;
    assert_eq!(row_cells(&html, "id=\"m-reliability\"")[6], "—");

    // Viewers read but cannot set baselines.
    let viewer = app
        .client_signed_in_as("viewer@example.com", Role::Viewer)
        .await;
    let res = app
        .submit_as(
            &viewer,
            "/tools/ci/results",
            "/tools/ci/baselines",
            &[("reliability", "3")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn extra_questions_are_counted_and_texts_name_only_large_teams() {
    let app = organisation().await;
    for (kind, prompt, options) in [
        ("rating", "How is the documentation?", ""),
        ("single", "Where do you work?", "Office\nHome"),
        ("multi", "Which do you use?", "Web\nCLI\nAPI"),
        ("text", "Anything else?", ""),
    ] {
        app.submit(
            "/programs/pulse",
            "/programs/pulse/questions",
            &[("kind", kind), ("prompt", prompt), ("options", options)],
        )
        .await;
    }
    open_round(&app).await;
    let ids: Vec<i64> = app.with_db(|conn| {
        use diesel::prelude::*;
        use infrapulse::db::schema::round_questions;
        round_questions::table
            .order(round_questions::position.asc())
            .select(round_questions::id)
            .load(conn)
            .unwrap()
    });
    let mut ratings = Vec::new();
    let mut choices: BTreeMap<&str, i64> = BTreeMap::new();
    for (team, size) in [('a', 6), ('c', 2)] {
        for i in 1..=size {
            let mut f = fields(&make_answer(team, i, 1));
            let rating = 1 + (i + team as i64) % 5;
            ratings.push(rating);
            f.push((format!("q.{}", ids[0]), rating.to_string()));
            f.push((
                format!("q.{}", ids[1]),
                if i % 2 == 0 { "Home" } else { "Office" }.into(),
            ));
            *choices
                .entry(if i % 2 == 0 { "Home" } else { "Office" })
                .or_default() += 1;
            f.push((format!("q.{}", ids[2]), "CLI".into()));
            f.push((format!("q.{}", ids[3]), format!("note from {team}{i}")));
            post_answers(&app, &token_of(&app, &format!("{team}{i}@example.com")), &f).await;
        }
    }
    let (status, html) = app.get_text("/programs/pulse/rounds/1/results").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("Mean {}", mean_text(&ratings))),
        "{html}"
    );
    for (choice, n) in &choices {
        let share = (n * 200 + 8) / 16;
        assert!(
            html.contains(&format!(
                "<td>{choice}</td><td class=\"num\">{n}</td><td class=\"num\">{share}%</td>"
            )),
            "{choice}: {html}"
        );
    }
    assert!(html.contains("<td>CLI</td><td class=\"num\">8</td><td class=\"num\">100%</td>"));
    // Team A (6) is named beside its notes; team C (2) is not, and A is
    // not named either if that would single C out: 8 - 6 = 2 < k.
    assert!(html.contains("note from a1"));
    assert!(!html.contains("— Team C"), "a small team is never named");
    assert!(
        !html.contains("— Team A"),
        "naming A would leave C's two notes pointing at C"
    );
    // The heatmap and its words are there.
    assert!(html.contains("<svg") && html.contains("role=\"img\"") && html.contains("<desc"));

    // The questions export says the same, row by row.
    let res = app.get("/exports/questions.csv?program=pulse").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(
        reader
            .headers()
            .unwrap()
            .iter()
            .collect::<Vec<_>>()
            .join(","),
        "program,round,question,kind,answered,choice,count,percent,mean,text,team,suppressed"
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let of = |question: &str| -> Vec<&csv::StringRecord> {
        rows.iter().filter(|r| &r[2] == question).collect()
    };
    let rating = of("How is the documentation?");
    assert_eq!(rating.len(), 5, "one row per rating");
    for (i, r) in rating.iter().enumerate() {
        let n = ratings.iter().filter(|v| **v == i as i64 + 1).count();
        assert_eq!(&r[5], (i + 1).to_string().as_str());
        assert_eq!(&r[6], n.to_string().as_str());
        assert_eq!(&r[8], mean_text(&ratings).as_str());
    }
    for (choice, n) in &choices {
        assert!(
            of("Where do you work?")
                .iter()
                .any(|r| &r[5] == *choice && &r[6] == n.to_string().as_str()),
            "{choice}: {body}"
        );
    }
    let notes = of("Anything else?");
    assert_eq!(notes.len(), 8, "every note");
    assert!(
        notes.iter().all(|r| r[10].is_empty()),
        "no team beside a note: {body}"
    );
}

/// A round with too few answers to show anything does not hide what the
/// round before made known: the dashboard keeps the breach and priorities
/// keep ranking the pain by the latest round that has figures, and both
/// say which round that is.
#[tokio::test]
async fn a_quiet_round_does_not_hide_a_known_problem() {
    let app = crate::surveys::populate_many(spawn_app().await, 9).await;
    crate::surveys::create_program(&app, &[("anonymity_k", "3")]).await;
    let answer_as = |i: usize| {
        let app = &app;
        async move {
            let mut fields = crate::surveys::answer("ci");
            if i % 3 == 0 {
                fields.push(("t.flags.not_used".into(), "1".into()));
            }
            let token = token_of(app, &format!("m{i}@example.com"));
            let res = post_answers(app, &token, &fields).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
        }
    };
    open_round(&app).await;
    for i in 0..9 {
        answer_as(i).await;
    }
    close_round(&app, 1).await;
    app.tick();
    // Reliability was rated 2 by everyone: a baseline of 3 is breached.
    let res = app
        .submit(
            "/tools/ci/results",
            "/tools/ci/baselines",
            &[("reliability", "3.00")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, before) = app.get_text("/priorities").await;
    assert!(before.contains("Quarterly pulse 1"), "{before}");

    app.clock.advance(TimeDelta::days(100));
    app.login("admin@example.com", PASSWORD).await;
    open_round(&app).await;
    answer_as(1).await;
    close_round(&app, 2).await;
    app.tick();

    let (_, dashboard) = app.get_text("/").await;
    assert!(
        dashboard.contains("<strong class=\"bad\">2.00</strong>"),
        "the breach of round 1 stays on the dashboard: {dashboard}"
    );
    assert!(
        dashboard.contains("Quarterly pulse, round 1"),
        "{dashboard}"
    );
    let (_, priorities) = app.get_text("/priorities").await;
    assert!(
        priorities.contains("Quarterly pulse 1") && !priorities.contains("respondents: no figures"),
        "ranked by round 1, with its figures: {priorities}"
    );
    let row = |html: &str| {
        let at = html
            .find("<tr data-theme=")
            .expect("a pain theme is listed");
        html[at..at + html[at..].find("</tr>").unwrap()].to_owned()
    };
    assert_eq!(
        row(&before),
        row(&priorities),
        "the same row, figures and round, as before the quiet round"
    );
}
