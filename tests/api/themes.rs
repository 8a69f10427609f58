//! Themes on the labelled corpus (`corpus`): grouping quality measured
//! straight on the grouping, then the whole path through the respondent
//! form, the figures and the warnings, on both backends.

use std::collections::HashMap;

use chrono::TimeDelta;
use diesel::prelude::*;
use infrapulse::analytics::grouping::{self, Comment, Description, Space};
use infrapulse::analytics::text::is_non_answer;
use infrapulse::domain::account::Role;
use infrapulse::domain::survey::Property;
use reqwest::StatusCode;

use crate::corpus::{self, Answer, Planted, ToolCorpus};
use crate::helpers::{TestApp, spawn_app};
use crate::surveys::{open_round, post_answers, token_of};

/// Purity (share of comments carrying their group's majority label) and
/// the number of groups.
fn purity(labels: &[usize], groups: &[usize]) -> (f64, usize) {
    let mut by_group: HashMap<usize, HashMap<usize, usize>> = HashMap::new();
    for (l, g) in labels.iter().zip(groups) {
        *by_group.entry(*g).or_default().entry(*l).or_default() += 1;
    }
    let majority: usize = by_group
        .values()
        .map(|m| m.values().max().copied().unwrap_or(0))
        .sum();
    (majority as f64 / labels.len().max(1) as f64, by_group.len())
}

/// The seeds the grouping is scored on; the HTTP test runs the first.
const SEEDS: [u64; 4] = [7, 1, 2, 3];

/// One tool's comments of one kind over both rounds, in the canonical
/// order the service groups them in (by text): (text, planted label).
fn comments_of(
    tool: &ToolCorpus,
    seed: u64,
    proposal: bool,
) -> Vec<(String, usize, Option<Property>)> {
    let mut picked: Vec<(String, usize, Option<Property>)> = (0..tool.rounds.len())
        .flat_map(|r| tool.answers(r, RESPONDENTS, seed))
        .filter_map(|a| {
            let (text, theme) = if proposal {
                (a.proposal.clone(), a.proposal_theme)
            } else {
                (a.pain.clone(), a.pain_theme)
            };
            let low = grouping::lowest(a.ratings.map(Some));
            theme
                .filter(|_| !is_non_answer(&text))
                .map(|t| (text, t, low))
        })
        .collect();
    picked.sort_by(|a, b| (&a.0, a.2.map(|p| p.field())).cmp(&(&b.0, b.2.map(|p| p.field()))));
    picked
}

/// Groups one kind of one tool's comments: (purity, groups), and the
/// groups' descriptions with their majority labels.
fn group_kind(
    tool: &ToolCorpus,
    seed: u64,
    proposal: bool,
) -> ((f64, usize), Vec<(Description, usize)>) {
    let picked = comments_of(tool, seed, proposal);
    let comments: Vec<Comment> = picked
        .iter()
        .map(|(t, _, low)| Comment {
            text: t,
            low: *low,
            partner: None,
        })
        .collect();
    let space = Space::read(&comments, proposal);
    let all: Vec<usize> = (0..comments.len()).collect();
    let groups = space.group(&all);
    let labels: Vec<usize> = picked.iter().map(|(_, l, _)| *l).collect();
    let n = groups.iter().max().map_or(0, |m| m + 1);
    let described = (0..n)
        .map(|g| {
            let members: Vec<usize> = (0..groups.len()).filter(|&i| groups[i] == g).collect();
            let mut count: HashMap<usize, usize> = HashMap::new();
            for &m in &members {
                *count.entry(labels[m]).or_default() += 1;
            }
            let top = count
                .into_iter()
                .max_by_key(|&(l, n)| (n, std::cmp::Reverse(l)))
                .map_or(0, |(l, _)| l);
            (space.describe(&members), top)
        })
        .collect();
    (purity(&labels, &groups), described)
}

/// The grouping alone, on every seed: purity at least 0.8 with at most
/// twice the planted themes, and replace proposals found as planted.
/// Which pain each proposal addresses is reported, and judged end to end
/// by the warnings in `the_labelled_corpus_comes_out_as_planted`.
#[test]
fn the_grouping_finds_the_planted_themes() {
    let mut report = String::new();
    let mut failures = Vec::new();
    for seed in SEEDS {
        let (mut links_right, mut links_checked) = (0, 0);
        for tool in corpus::tools() {
            let ((pain_purity, pain_groups), pains) = group_kind(&tool, seed, false);
            let ((proposal_purity, proposal_groups), proposals) = group_kind(&tool, seed, true);
            for (what, p, n, planted) in [
                ("pains", pain_purity, pain_groups, tool.pains.len()),
                (
                    "proposals",
                    proposal_purity,
                    proposal_groups,
                    tool.proposals.len(),
                ),
            ] {
                if p < 0.8 || n > 2 * planted {
                    failures.push(format!(
                        "seed {seed} {} {what}: purity {p:.2}, {n} for {planted}",
                        tool.slug
                    ));
                }
            }
            let pain_descriptions: Vec<Description> =
                pains.iter().map(|(d, _)| d.clone()).collect();
            for (d, label) in &proposals {
                let planted = &tool.proposals[*label];
                if d.replace != planted.replace {
                    failures.push(format!(
                        "seed {seed} {}: “{}” replace {}",
                        tool.slug,
                        d.label(3),
                        d.replace
                    ));
                }
                if let (false, Some(want)) = (planted.replace, planted.addresses) {
                    links_checked += 1;
                    let found = grouping::best_pain(d, &pain_descriptions).map(|p| pains[p].1);
                    links_right += usize::from(found == Some(want));
                }
            }
            report.push_str(&format!(
                "seed {seed} {:12} pains purity {pain_purity:.2} ({pain_groups}/{}), proposals purity {proposal_purity:.2} ({proposal_groups}/{})\n",
                tool.slug,
                tool.pains.len(),
                tool.proposals.len(),
            ));
        }
        report.push_str(&format!("seed {seed}: {links_right} of {links_checked} proposal groups linked to their planted pain\n"));
    }
    eprintln!("{report}");
    assert!(failures.is_empty(), "{failures:#?}\n{report}");
}

const TEAMS: [&str; 6] = ["a", "b", "c", "d", "e", "f"];
const PER_TEAM: usize = 8;
pub const RESPONDENTS: usize = TEAMS.len() * PER_TEAM;
fn seed() -> u64 {
    std::env::var("CORPUS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEEDS[0])
}

pub fn email(i: usize) -> String {
    format!("{}{}@example.com", TEAMS[i / PER_TEAM], i % PER_TEAM + 1)
}

/// Six teams of eight, every one using every tool for critical work, and a
/// program "pulse" asking about `tools` with k = `k`.
pub async fn organisation(tools: &[(&str, &str)], k: &str) -> TestApp {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let mut csv = String::from("email,name,team\n");
    for i in 0..RESPONDENTS {
        csv.push_str(&format!(
            "{},Member {i},Team {}\n",
            email(i),
            TEAMS[i / PER_TEAM].to_uppercase()
        ));
    }
    let (preview, _) = app.preview_csv("members", csv.as_bytes(), true).await;
    app.submit(&preview, &preview, &[]).await;
    let mut adoption = String::from("team,tool,business_critical\n");
    for (name, slug) in tools {
        app.add_tool(name, slug, "team-a").await;
        for t in TEAMS {
            adoption.push_str(&format!("team-{t},{slug},yes\n"));
        }
    }
    let (preview, _) = app
        .preview_csv("adoption", adoption.as_bytes(), false)
        .await;
    app.submit(&preview, &preview, &[]).await;
    let mut fields: Vec<(&str, &str)> = vec![
        ("name", "Pulse"),
        ("slug", "pulse"),
        ("tools_mode", "chosen"),
        ("audience_mode", "using"),
        ("cadence_kind", "weeks"),
        ("cadence_weeks", "13"),
        ("open_days", "14"),
        ("anonymity_k", k),
    ];
    for (_, slug) in tools {
        fields.push(("tools", slug));
    }
    let res = app.submit("/programs/new", "/programs", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app
}

fn answer_fields(slug: &str, a: &Answer) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = PROPERTIES
        .iter()
        .zip(a.ratings)
        .map(|(p, r)| (format!("t.{slug}.{p}"), r.to_string()))
        .collect();
    f.push((format!("t.{slug}.satisfaction"), a.satisfaction.to_string()));
    f.push((format!("t.{slug}.hours_lost"), a.hours.to_string()));
    f.push((format!("t.{slug}.pain"), a.pain.clone()));
    f.push((format!("t.{slug}.proposal"), a.proposal.clone()));
    f
}

const PROPERTIES: [&str; 5] = [
    "security",
    "reliability",
    "usability",
    "efficiency",
    "latency",
];

/// Every respondent answers about every tool through the form; then the
/// round closes and is sealed (which regroups every comment).
pub async fn run_round(app: &TestApp, answers: &[(&str, Vec<Answer>)], round: i64) {
    let res = open_round(app).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "round {round} opened");
    for i in 0..RESPONDENTS {
        let mut fields = Vec::new();
        for (slug, list) in answers {
            fields.extend(answer_fields(slug, &list[i]));
        }
        let res = post_answers(app, &token_of(app, &email(i)), &fields).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "answer {i} accepted");
    }
    app.submit(
        &format!("/programs/pulse/rounds/{round}"),
        &format!("/programs/pulse/rounds/{round}"),
        &[("action", "close")],
    )
    .await;
    app.clock.advance(TimeDelta::seconds(1));
    let report = app.tick();
    assert!(
        report.themes_refreshed > 0,
        "the tick grouped the new answers"
    );
}

/// (theme id, kind, text) of every themed comment of a tool.
pub fn memberships(app: &TestApp, slug: &str) -> Vec<(i64, String, String)> {
    use infrapulse::db::schema::{theme_members, tool_answers, tools};
    app.with_db(|conn| {
        let tool: i64 = tools::table
            .filter(tools::slug.eq(slug))
            .select(tools::id)
            .first(conn)
            .unwrap();
        let members: Vec<(i64, String, i64)> = theme_members::table
            .filter(theme_members::tool_id.eq(tool))
            .select((
                theme_members::response_id,
                theme_members::kind,
                theme_members::theme_id,
            ))
            .load(conn)
            .unwrap();
        let texts: HashMap<i64, (String, String)> = tool_answers::table
            .filter(tool_answers::tool_id.eq(tool))
            .select((
                tool_answers::response_id,
                tool_answers::pain,
                tool_answers::proposal,
            ))
            .load::<(i64, String, String)>(conn)
            .unwrap()
            .into_iter()
            .map(|(r, p, q)| (r, (p, q)))
            .collect();
        members
            .into_iter()
            .map(|(r, kind, theme)| {
                let (pain, proposal) = &texts[&r];
                let text = if kind == "pain" {
                    pain.clone()
                } else {
                    proposal.clone()
                };
                (theme, kind, text)
            })
            .collect()
    })
}

/// The theme ids in the order a page lists them, for one kind.
pub fn listed(html: &str, kind: &str) -> Vec<i64> {
    let marker = format!("\" data-kind=\"{kind}\">");
    html.match_indices(&marker)
        .map(|(at, _)| {
            let start = html[..at].rfind("id=\"theme-").unwrap() + "id=\"theme-".len();
            html[start..at].parse().unwrap()
        })
        .collect()
}

/// The kinds of warning a page's warning list shows.
pub fn warnings_shown(html: &str) -> Vec<Planted> {
    let mut out: Vec<Planted> = html
        .match_indices("class=\"warning\" data-kind=\"")
        .map(|(at, m)| {
            let rest = &html[at + m.len()..];
            match &rest[..rest.find('"').unwrap()] {
                "intuitive_fix" => Planted::IntuitiveFix,
                "recurring_proposal" => Planted::RecurringProposal,
                other => panic!("unknown warning {other}"),
            }
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn the_labelled_corpus_comes_out_as_planted() {
    let corpus = corpus::tools();
    let tools: Vec<(&str, &str)> = corpus.iter().map(|t| (t.name, t.slug)).collect();
    let app = organisation(&tools, "5").await;
    let rounds: Vec<Vec<(&str, Vec<Answer>)>> = (0..2)
        .map(|r| {
            corpus
                .iter()
                .map(|t| (t.slug, t.answers(r, RESPONDENTS, seed())))
                .collect()
        })
        .collect();
    for (r, answers) in rounds.iter().enumerate() {
        run_round(&app, answers, r as i64 + 1).await;
    }

    let mut report = String::new();
    let mut failures = Vec::new();
    let (mut true_pos, mut false_pos, mut false_neg) = (0, 0, 0);
    for (t, tool) in corpus.iter().enumerate() {
        // Planted label of each text, per kind.
        let mut label_of: HashMap<(&str, &str), usize> = HashMap::new();
        for answers in &rounds {
            for a in &answers[t].1 {
                if let Some(l) = a.pain_theme {
                    label_of.insert(("pain", a.pain.as_str()), l);
                }
                if let Some(l) = a.proposal_theme {
                    label_of.insert(("proposal", a.proposal.as_str()), l);
                }
            }
        }
        let members = memberships(&app, tool.slug);
        let mut majority_of: HashMap<i64, usize> = HashMap::new();
        let mut scores = Vec::new();
        for (kind, planted) in [
            ("pain", tool.pains.len()),
            ("proposal", tool.proposals.len()),
        ] {
            let mut labels = Vec::new();
            let mut groups = Vec::new();
            for (theme, k, text) in &members {
                if k == kind {
                    let l = *label_of
                        .get(&(kind, text.as_str()))
                        .unwrap_or_else(|| panic!("{text:?} is a non-answer, yet themed"));
                    labels.push(l);
                    groups.push(*theme as usize);
                }
            }
            let (p, n) = purity(&labels, &groups);
            let mut counts: HashMap<usize, HashMap<usize, usize>> = HashMap::new();
            for (l, g) in labels.iter().zip(&groups) {
                *counts.entry(*g).or_default().entry(*l).or_default() += 1;
            }
            for (g, c) in counts {
                let top = c
                    .into_iter()
                    .max_by_key(|&(l, n)| (n, std::cmp::Reverse(l)))
                    .unwrap()
                    .0;
                majority_of.insert(g as i64, top);
            }
            if p < 0.8 || n > 2 * planted {
                failures.push(format!(
                    "{} {kind}: purity {p:.2}, {n} themes for {planted}",
                    tool.slug
                ));
            }
            scores.push(format!("{kind}s purity {p:.2}, {n}/{planted} themes"));
        }
        for round in 0..2 {
            let (status, html) = app
                .get_text(&format!(
                    "/tools/{}/themes?program=pulse&round={}",
                    tool.slug,
                    round + 1
                ))
                .await;
            assert_eq!(status, StatusCode::OK);
            let first = listed(&html, "pain")[0];
            let costliest_ok = majority_of.get(&first) == Some(&tool.rounds[round].costliest);
            if !costliest_ok {
                let planted = tool.pains[tool.rounds[round].costliest].label;
                failures.push(format!(
                    "{} round {}: the costliest pain, {planted}, is not first",
                    tool.slug,
                    round + 1
                ));
            }
            let warnings_html = &html
                [html.find("id=\"warnings-h\"").unwrap()..html.find("id=\"pains-h\"").unwrap()];
            let shown = warnings_shown(warnings_html);
            let planted = tool.warnings(round);
            for w in &shown {
                if planted.contains(w) {
                    true_pos += 1
                } else {
                    false_pos += 1
                }
            }
            false_neg += planted.iter().filter(|w| !shown.contains(w)).count();
            scores.push(format!(
                "R{} costliest first: {costliest_ok}, warnings {shown:?} planted {planted:?}",
                round + 1
            ));
        }
        report.push_str(&format!("{:12} {}\n", tool.slug, scores.join("; ")));
    }
    let precision = true_pos as f64 / (true_pos + false_pos).max(1) as f64;
    let recall = true_pos as f64 / (true_pos + false_neg).max(1) as f64;
    report.push_str(&format!(
        "warnings: precision {precision:.2}, recall {recall:.2} ({true_pos} raised as planted)\n"
    ));
    eprintln!("{report}");
    assert!(failures.is_empty(), "{failures:#?}\n{report}");
    // Every planted warning is raised, and none where none was planted
    // (README.md has the figures over twelve seeds).
    assert_eq!(recall, 1.0, "{report}");
    assert_eq!(precision, 1.0, "{report}");
    assert!(true_pos >= 8, "the corpus plants warnings: {report}");
}

/// Warnings show wherever the issue says: the tool's results and themes,
/// the round page and its results, the dashboard, the priorities page;
/// the priorities page ranks and filters.
#[tokio::test]
async fn warnings_and_priorities_show_everywhere_they_should() {
    let corpus = corpus::tools();
    let picked: Vec<&ToolCorpus> = corpus
        .iter()
        .filter(|t| t.slug == "mongodb" || t.slug == "ci")
        .collect();
    let tools: Vec<(&str, &str)> = picked.iter().map(|t| (t.name, t.slug)).collect();
    let app = organisation(&tools, "5").await;
    for round in 0..2 {
        let answers: Vec<(&str, Vec<Answer>)> = picked
            .iter()
            .map(|t| (t.slug, t.answers(round, RESPONDENTS, seed())))
            .collect();
        run_round(&app, &answers, round as i64 + 1).await;
    }
    let mongo_warning = "data-kind=\"intuitive_fix\" data-tool=\"mongodb\"";
    for page in [
        "/tools/mongodb/results?program=pulse&round=2",
        "/tools/mongodb/themes?program=pulse&round=2",
        "/programs/pulse/rounds/2",
        "/programs/pulse/rounds/2/results",
        "/",
    ] {
        let (status, html) = app.get_text(page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            html.contains(mongo_warning),
            "{page} shows MongoDB's warning"
        );
        assert!(
            !html.contains("data-tool=\"ci\""),
            "{page}: CI, the control, has none"
        );
    }
    let (_, html) = app.get_text("/programs/pulse/rounds/2").await;
    assert!(
        html.contains("data-kind=\"recurring_proposal\" data-tool=\"mongodb\""),
        "recurring in round 2"
    );

    // Priorities: every pain theme, costliest first, filters narrowing.
    let (status, all) = app.get_text("/priorities").await;
    assert_eq!(status, StatusCode::OK);
    let impacts: Vec<f64> = row_values(&all, "<td class=\"num impact\"><strong>");
    assert!(impacts.len() >= 6, "every pain theme of both tools");
    assert!(
        impacts.windows(2).all(|w| w[0] >= w[1]),
        "ranked by impact: {impacts:?}"
    );
    assert!(
        all.contains("<strong>Warning:</strong>"),
        "the costliest MongoDB pain carries its warning"
    );
    let (_, mongo) = app.get_text("/priorities?tool=mongodb").await;
    assert!(
        mongo.contains("<small class=\"muted\">MongoDB")
            && !mongo.contains("<small class=\"muted\">CI pipelines"),
        "tool filter"
    );
    let (_, reliability) = app.get_text("/priorities?property=latency").await;
    let rows = reliability.matches("<tr data-theme=").count();
    assert!(
        rows >= 1 && rows < impacts.len(),
        "property filter narrows: {rows}"
    );
    let (_, forced) = app.get_text("/priorities?tag=forced").await;
    assert_eq!(
        forced.matches("<tr data-theme=").count(),
        0,
        "nothing tagged yet"
    );
    for bad in [
        "/priorities?property=speed",
        "/priorities?tag=urgent",
        "/priorities?status=x",
        "/priorities?tool=nope",
        "/priorities?program=nope",
    ] {
        let (status, _) = app.get_text(bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

/// The numbers of the cells that `marker` opens, in page order.
fn row_values(html: &str, marker: &str) -> Vec<f64> {
    html.match_indices(marker)
        .map(|(at, m)| {
            let rest = &html[at + m.len()..];
            rest[..rest.find('<').unwrap()].parse().unwrap()
        })
        .collect()
}

/// A team is named beside a comment only where its group in the round
/// reaches k; comments never link to who wrote them; hostile text is text.
#[tokio::test]
async fn comments_name_teams_only_at_k_and_stay_text() {
    for (k, named) in [("8", true), ("9", false)] {
        let app = organisation(&[("CI pipelines", "ci")], k).await;
        let mut answers = corpus::tools()
            .into_iter()
            .find(|t| t.slug == "ci")
            .unwrap()
            .answers(0, RESPONDENTS, seed());
        let hostile = [
            "<script>alert('x')</script> flaky tests again",
            "<img src=x onerror=alert(1)> flaky tests",
            "<svg onload=alert(1)> flaky tests",
            "[flaky tests](javascript:alert(1)) see javascript:alert(1)",
        ];
        for (i, h) in hostile.iter().enumerate() {
            answers[i].pain = h.to_string();
        }
        run_round(&app, &[("ci", answers)], 1).await;
        let (_, html) = app.get_text("/tools/ci/themes?program=pulse&round=1").await;
        assert_eq!(
            html.contains("<small class=\"team\">— Team A</small>"),
            named,
            "k = {k}"
        );
        assert!(!html.contains("<script>alert"), "no script element");
        assert!(!html.contains("<img src=x"), "no img element");
        assert!(!html.contains("<svg onload"), "no svg element");
        assert!(!html.contains("href=\"javascript:"), "no javascript: link");
        assert!(html.contains("&lt;script&gt;alert("), "shown as text");
        // Response ids are the handles on the page; nothing ties them to a
        // member (tests/api/confidentiality.rs shows the ids carry nothing).
        assert!(!html.contains("@example.com"), "no member's address");
    }
}
