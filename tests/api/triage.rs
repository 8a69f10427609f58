//! An admin's edits to themes survive what the grouping does after them:
//! new answers arriving, a round sealing (which regroups every comment),
//! and "regroup every comment". Also who may edit, and what a bad edit gets.

use std::collections::HashMap;

use diesel::prelude::*;
use infrapulse::db::schema::{theme_links, theme_members, themes};
use infrapulse::domain::account::Role;
use reqwest::StatusCode;

use crate::corpus::{self, ToolCorpus};
use crate::helpers::TestApp;
use crate::themes::{RESPONDENTS, listed, memberships, organisation, run_round, warnings_shown};

const PAGE: &str = "/tools/ci/themes";

fn ci() -> ToolCorpus {
    corpus::tools()
        .into_iter()
        .find(|t| t.slug == "ci")
        .unwrap()
}

/// Theme id → planted label of most of its comments, for one kind.
fn majorities(app: &TestApp, tool: &ToolCorpus, kind: &str) -> HashMap<i64, usize> {
    let mut label_of: HashMap<String, usize> = HashMap::new();
    for round in 0..2 {
        for a in tool.answers(round, RESPONDENTS, 7) {
            let (text, theme) = if kind == "pain" {
                (a.pain, a.pain_theme)
            } else {
                (a.proposal, a.proposal_theme)
            };
            if let Some(t) = theme {
                label_of.insert(text, t);
            }
        }
    }
    let mut counts: HashMap<i64, HashMap<usize, usize>> = HashMap::new();
    for (theme, k, text) in memberships(app, tool.slug) {
        if k == kind {
            *counts
                .entry(theme)
                .or_default()
                .entry(label_of[&text])
                .or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|(theme, c)| (theme, c.into_iter().max_by_key(|&(l, n)| (n, l)).unwrap().0))
        .collect()
}

/// The biggest theme of `kind` whose comments are mostly planted `label`.
fn theme_of(app: &TestApp, tool: &ToolCorpus, kind: &str, label: usize) -> i64 {
    let sizes = theme_sizes(app);
    majorities(app, tool, kind)
        .into_iter()
        .filter(|(_, l)| *l == label)
        .max_by_key(|(t, _)| sizes.get(t).copied().unwrap_or(0))
        .unwrap_or_else(|| panic!("no {kind} theme for label {label}"))
        .0
}

fn theme_sizes(app: &TestApp) -> HashMap<i64, usize> {
    let mut sizes = HashMap::new();
    for (theme, _, _) in memberships(app, "ci") {
        *sizes.entry(theme).or_default() += 1;
    }
    sizes
}

/// (response, theme, pinned) of every comment of `kind`.
fn placed(app: &TestApp, kind: &str) -> Vec<(i64, i64, bool)> {
    app.with_db(|conn| {
        theme_members::table
            .filter(theme_members::kind.eq(kind))
            .select((
                theme_members::response_id,
                theme_members::theme_id,
                theme_members::pinned,
            ))
            .load(conn)
            .unwrap()
    })
}

/// The themes, their comments and links, as rows.
fn snapshot(conn: &mut infrapulse::db::DbConnection) -> Vec<Vec<Vec<String>>> {
    ["themes", "theme_members", "theme_links", "theme_rounds"]
        .iter()
        .map(|t| crate::helpers::dump_table(conn, t, &[]))
        .collect()
}

/// How the CI themes page names a response's comment in its forms.
fn handle(app: &TestApp, response: i64) -> String {
    use infrapulse::db::schema::tools;
    let ci: i64 = app.with_db(|conn| {
        tools::table
            .filter(tools::slug.eq("ci"))
            .select(tools::id)
            .first(conn)
            .unwrap()
    });
    infrapulse::domain::anonymity::comment_handle(ci, response).to_string()
}

async fn edit(app: &TestApp, theme: i64, fields: &[(&str, &str)]) -> reqwest::Response {
    app.submit(PAGE, &format!("/tools/ci/themes/{theme}"), fields)
        .await
}

/// Everything the admin set, as the database and the page show it.
struct Expected {
    renamed: i64,
    split: i64,
    split_comments: Vec<i64>,
    /// (comment, theme it was moved to).
    moved: (i64, i64),
    replaced: i64,
    merged_into: i64,
    merged_away: i64,
    merged_comments: Vec<i64>,
    quarantine: i64,
    flaky: i64,
    /// (proposal, pain) linked by hand.
    linked: (i64, i64),
}

async fn check(app: &TestApp, e: &Expected, moment: &str) {
    let theme = |id: i64| {
        app.with_db(|conn| {
            themes::table
                .find(id)
                .select((
                    themes::custom_label,
                    themes::forced,
                    themes::horizon,
                    themes::status,
                    themes::replace_override,
                ))
                .first::<(
                    Option<String>,
                    Option<String>,
                    Option<String>,
                    String,
                    Option<bool>,
                )>(conn)
                .optional()
                .unwrap()
        })
    };
    let renamed = theme(e.renamed).unwrap_or_else(|| panic!("{moment}: the renamed theme is gone"));
    assert_eq!(
        renamed.0.as_deref(),
        Some("Flaky tests <b>(renamed)</b>"),
        "{moment}: name"
    );
    assert_eq!(
        (
            renamed.1.as_deref(),
            renamed.2.as_deref(),
            renamed.3.as_str()
        ),
        (Some("forced"), Some("long"), "planned"),
        "{moment}: tags and status"
    );
    let replaced =
        theme(e.replaced).unwrap_or_else(|| panic!("{moment}: the replace theme is gone"));
    assert_eq!(replaced.4, Some(true), "{moment}: marked as a replace");
    assert!(
        theme(e.merged_away).is_none(),
        "{moment}: merged theme stays merged"
    );
    let split = theme(e.split).unwrap_or_else(|| panic!("{moment}: the split theme is gone"));
    assert_eq!(
        split.0.as_deref(),
        Some("Split-off flakes"),
        "{moment}: split name"
    );

    let pains = placed(app, "pain");
    for c in &e.split_comments {
        assert!(
            pains.contains(&(*c, e.split, true)),
            "{moment}: split comment {c} stays in the split theme"
        );
    }
    assert!(
        pains.contains(&(e.moved.0, e.moved.1, true)),
        "{moment}: the moved comment stays where it was put"
    );
    for c in &e.merged_comments {
        assert!(
            pains.contains(&(*c, e.merged_into, true)),
            "{moment}: merged comment {c} is in the merged theme"
        );
    }
    // Every comment says why it is where it is, and those an admin placed
    // say so: an edit's refresh gives the comments it moved new reasons.
    let reasons: Vec<(i64, bool, String)> = app.with_db(|conn| {
        theme_members::table
            .select((
                theme_members::response_id,
                theme_members::pinned,
                theme_members::reason,
            ))
            .load(conn)
            .unwrap()
    });
    for (response, pinned, reason) in &reasons {
        assert!(
            !reason.is_empty(),
            "{moment}: comment {response} has a reason"
        );
        assert_eq!(
            reason.starts_with("placed here by an admin"),
            *pinned,
            "{moment}: comment {response}'s reason {reason:?}"
        );
    }
    let links: Vec<(i64, i64, bool, bool)> = app.with_db(|conn| {
        theme_links::table
            .select((
                theme_links::proposal_theme_id,
                theme_links::pain_theme_id,
                theme_links::linked,
                theme_links::manual,
            ))
            .load(conn)
            .unwrap()
    });
    assert!(
        links.contains(&(e.quarantine, e.flaky, false, true)),
        "{moment}: the unlink holds"
    );
    assert!(
        !links.contains(&(e.quarantine, e.flaky, true, false)),
        "{moment}: the grouping does not link what the admin unlinked"
    );
    assert!(
        links.contains(&(e.linked.0, e.linked.1, true, true)),
        "{moment}: the manual link holds"
    );
    // The page says so too, escaped.
    let (_, html) = app.get_text(&format!("{PAGE}?program=pulse&round=1")).await;
    assert!(
        html.contains("Flaky tests &lt;b&gt;(renamed)&lt;&#x2F;b&gt;"),
        "{moment}: page shows the name, escaped"
    );
    assert!(
        !html.contains("<b>(renamed)</b>"),
        "{moment}: never as markup"
    );
}

#[tokio::test]
async fn every_triage_edit_survives_new_answers_and_regrouping() {
    let tool = ci();
    let app = organisation(&[(tool.name, tool.slug)], "5").await;
    run_round(&app, &[(tool.slug, tool.answers(0, RESPONDENTS, 7))], 1).await;

    let flaky = theme_of(&app, &tool, "pain", 0);
    let queue = theme_of(&app, &tool, "pain", 1);
    let yaml = theme_of(&app, &tool, "pain", 2);
    let quarantine = theme_of(&app, &tool, "proposal", 0);
    let runners = theme_of(&app, &tool, "proposal", 1);
    let templates = theme_of(&app, &tool, "proposal", 2);

    // The control: quarantining flaky tests addresses the costliest pain.
    let (_, html) = app.get_text(&format!("{PAGE}?program=pulse&round=1")).await;
    assert_eq!(listed(&html, "pain")[0], flaky, "flaky tests cost most");
    assert_eq!(warnings_shown(&html), [], "no warning before the edits");

    let ok = |res: reqwest::Response, what: &str| {
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{what} accepted");
    };
    ok(
        edit(
            &app,
            flaky,
            &[
                ("action", "rename"),
                ("label", "  Flaky tests <b>(renamed)</b> "),
            ],
        )
        .await,
        "rename",
    );
    ok(
        edit(
            &app,
            flaky,
            &[
                ("action", "tags"),
                ("forced", "forced"),
                ("horizon", "long"),
                ("status", "planned"),
            ],
        )
        .await,
        "tags",
    );
    ok(
        edit(
            &app,
            templates,
            &[("action", "replace"), ("replace", "yes")],
        )
        .await,
        "replace",
    );
    ok(
        edit(
            &app,
            quarantine,
            &[
                ("action", "link"),
                ("other", &flaky.to_string()),
                ("linked", "no"),
            ],
        )
        .await,
        "unlink",
    );
    ok(
        edit(
            &app,
            runners,
            &[
                ("action", "link"),
                ("other", &yaml.to_string()),
                ("linked", "yes"),
            ],
        )
        .await,
        "link",
    );
    let comments_of = |theme: i64| -> Vec<i64> {
        placed(&app, "pain")
            .into_iter()
            .filter(|(_, t, _)| *t == theme)
            .map(|(r, _, _)| r)
            .collect()
    };
    let split_off = |theme: i64, comments: Vec<i64>, label: &'static str| {
        let app = &app;
        async move {
            let mut fields: Vec<(&str, String)> =
                vec![("action", "split".into()), ("label", label.into())];
            for c in &comments {
                fields.push(("comment", handle(app, *c)));
            }
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_eq!(
                edit(app, theme, &fields).await.status(),
                StatusCode::SEE_OTHER,
                "split"
            );
            app.with_db(|conn| {
                themes::table
                    .filter(themes::custom_label.eq(label))
                    .select(themes::id)
                    .first::<i64>(conn)
                    .unwrap()
            })
        }
    };
    let flaky_comments: Vec<i64> = comments_of(flaky).into_iter().take(2).collect();
    let split = split_off(flaky, flaky_comments.clone(), "Split-off flakes").await;
    let yaml_comments = comments_of(yaml);
    assert!(
        yaml_comments.len() >= 4,
        "enough YAML comments to split and move"
    );
    let merged_comments: Vec<i64> = yaml_comments[..2].to_vec();
    let to_merge = split_off(yaml, merged_comments.clone(), "Soon merged").await;
    ok(
        edit(
            &app,
            to_merge,
            &[("action", "merge"), ("into", &queue.to_string())],
        )
        .await,
        "merge",
    );
    let yaml_comment = yaml_comments[2];
    ok(
        edit(
            &app,
            yaml,
            &[
                ("action", "move"),
                ("comment", &handle(&app, yaml_comment)),
                ("to", &queue.to_string()),
            ],
        )
        .await,
        "move",
    );

    let expected = Expected {
        renamed: flaky,
        split,
        split_comments: flaky_comments,
        moved: (yaml_comment, queue),
        replaced: templates,
        merged_into: queue,
        merged_away: to_merge,
        merged_comments,
        quarantine,
        flaky,
        linked: (runners, yaml),
    };
    check(&app, &expected, "after the edits").await;

    // The manual unlink counts in the warnings at once: the popular
    // proposal no longer addresses the costliest pain.
    let (_, html) = app.get_text(&format!("{PAGE}?program=pulse&round=1")).await;
    assert!(
        warnings_shown(&html).contains(&corpus::Planted::IntuitiveFix),
        "the admin's unlink raises the warning"
    );

    // A second round: new answers arrive, then the round seals and every
    // comment is regrouped.
    run_round(&app, &[(tool.slug, tool.answers(1, RESPONDENTS, 7))], 2).await;
    check(&app, &expected, "after round 2 sealed").await;
    // New answers joined the edited themes: round 2's flaky comments are
    // in the renamed theme.
    let round2 = tool.answers(1, RESPONDENTS, 7);
    let members = memberships(&app, "ci");
    let flaky_text = round2
        .iter()
        .find(|a| a.pain_theme == Some(0))
        .unwrap()
        .pain
        .clone();
    assert!(
        members
            .iter()
            .any(|(t, k, text)| *t == flaky && k == "pain" && *text == flaky_text),
        "a new flaky-tests comment joined the renamed theme"
    );
    let res = app.submit(PAGE, "/tools/ci/themes/regroup", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    check(&app, &expected, "after regrouping").await;

    // Handing a decision back to the grouping works too.
    ok(
        edit(&app, flaky, &[("action", "rename"), ("label", "")]).await,
        "unname",
    );
    let label = app.with_db(|conn| {
        themes::table
            .find(flaky)
            .select(themes::custom_label)
            .first::<Option<String>>(conn)
            .unwrap()
    });
    assert_eq!(label, None);
}

#[tokio::test]
async fn bad_edits_are_refused_whole_and_viewers_cannot_edit() {
    let tool = ci();
    let app = organisation(&[(tool.name, tool.slug)], "5").await;
    run_round(&app, &[(tool.slug, tool.answers(0, RESPONDENTS, 7))], 1).await;
    let flaky = theme_of(&app, &tool, "pain", 0);
    let quarantine = theme_of(&app, &tool, "proposal", 0);
    let before = app.with_db(snapshot);

    for (fields, why) in [
        (
            vec![("action", "rename"), ("label", &*"x".repeat(81))],
            "a name too long",
        ),
        (
            vec![("action", "merge"), ("into", "abc")],
            "no theme to merge into",
        ),
        (
            vec![("action", "merge"), ("into", &*flaky.to_string())],
            "a merge into itself",
        ),
        (
            vec![("action", "merge"), ("into", &*quarantine.to_string())],
            "a pain into a proposal",
        ),
        (
            vec![("action", "replace"), ("replace", "yes")],
            "a pain as a replace",
        ),
        (
            vec![("action", "tags"), ("status", "someday")],
            "an unknown status",
        ),
        (
            vec![("action", "split"), ("label", "All")],
            "a split of nothing",
        ),
        (
            vec![("action", "move"), ("comment", "1"), ("to", "2")],
            "a comment from elsewhere",
        ),
        (vec![("action", "explode")], "an unknown edit"),
    ] {
        let res = edit(&app, flaky, &fields).await;
        assert_eq!(
            res.status(),
            StatusCode::BAD_REQUEST,
            "{why}: {:?}",
            res.headers().get("location")
        );
        let body = res.text().await.unwrap();
        assert!(body.contains("Nothing was changed"), "{why}: says so");
    }
    let res = edit(&app, 999_999, &[("action", "rename"), ("label", "x")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "no such theme");
    assert_eq!(app.with_db(snapshot), before, "nothing changed");

    let viewer = app
        .client_signed_in_as("viewer@example.com", Role::Viewer)
        .await;
    let res = app
        .submit_as(
            &viewer,
            PAGE,
            &format!("/tools/ci/themes/{flaky}"),
            &[("action", "rename"), ("label", "Mine")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "viewers read, admins edit"
    );
    let (status, html) = {
        let res = viewer.get(app.url(PAGE)).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK, "viewers see the themes");
    assert!(!html.contains("Edit this theme"), "but no edit forms");
    // Without the form's CSRF token, nothing happens.
    let res = app
        .client
        .post(app.url(&format!("/tools/ci/themes/{flaky}")))
        .form(&[("action", "rename"), ("label", "Forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.with_db(snapshot), before, "nothing changed");
    // Anonymous: sent to sign in, shown nothing.
    let anonymous = crate::helpers::new_client();
    let res = anonymous.get(app.url(PAGE)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = anonymous.get(app.url("/priorities")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}
