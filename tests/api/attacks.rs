//! The README's confidentiality promises, tried the way an attacker would:
//! a viewer with the pages and exports who knows who uses what (the
//! Adoption page), and a database reader with the files after a round was
//! sealed. A team of two shares a tool with one big team; a theme of two
//! people sits among big ones. Nothing any of this finds may be a figure
//! about fewer than k people, or a way to tie answers together.

use std::collections::{HashMap, HashSet};

use chrono::TimeDelta;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use infrapulse::domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::{TestApp, dump_table, spawn_app};
use crate::surveys::post_answers;

const K: usize = 3;
/// (team, members, tools its members are asked about).
const TEAMS: [(&str, usize, &[&str]); 3] = [
    ("big", 12, &["shared", "bigmid", "everyone"]),
    ("mid", 6, &["bigmid", "everyone"]),
    ("tiny", 2, &["shared", "everyone"]),
];
/// What tiny's two write about `shared`: a pain nobody else has.
const TINY_PAIN: &str = "Quota alarms page our on-call every single night";

struct Survey {
    app: TestApp,
    /// Response ids in the order they were first submitted.
    submitted: Vec<i64>,
}

/// The organisation above, a program with k = 3 over the three tools, and
/// every member's answers, submitted in an order that mixes the teams.
async fn surveyed() -> Survey {
    let app = spawn_app().await;
    app.signed_in_as(Role::Admin).await;
    let mut members = String::from("email,name,team\n");
    for (team, n, _) in TEAMS {
        for i in 0..n {
            members.push_str(&format!("{team}{i}@example.com,{team} {i},{team}\n"));
        }
    }
    let (preview, _) = app.preview_csv("members", members.as_bytes(), true).await;
    app.submit(&preview, &preview, &[]).await;
    let mut adoption = String::from("team,tool,business_critical\n");
    for tool in ["shared", "bigmid", "everyone"] {
        app.add_tool(tool, tool, "big").await;
        for (team, _, tools) in TEAMS {
            if tools.contains(&tool) {
                adoption.push_str(&format!("{team},{tool},yes\n"));
            }
        }
    }
    let (preview, _) = app
        .preview_csv("adoption", adoption.as_bytes(), false)
        .await;
    app.submit(&preview, &preview, &[]).await;
    let res = app
        .submit(
            "/programs/new",
            "/programs",
            &[
                ("name", "Quarterly pulse"),
                ("slug", "pulse"),
                ("tools_mode", "chosen"),
                ("tools", "shared"),
                ("tools", "bigmid"),
                ("tools", "everyone"),
                ("audience_mode", "using"),
                ("cadence_kind", "weeks"),
                ("cadence_weeks", "13"),
                ("open_days", "14"),
                ("anonymity_k", &K.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "program created");
    crate::surveys::open_round(&app).await;

    // Interleave the teams: big, mid and tiny people answer in turn.
    let mut people: Vec<(&str, usize, &[&str])> = Vec::new();
    for i in 0..12 {
        for (team, n, tools) in TEAMS {
            if i < n {
                people.push((team, i, tools));
            }
        }
    }
    let mut submitted = Vec::new();
    for (step, (team, i, tools)) in people.into_iter().enumerate() {
        let token = crate::surveys::token_of(&app, &format!("{team}{i}@example.com"));
        let mut fields = Vec::new();
        for tool in tools {
            let pain = if team == "tiny" && *tool == "shared" {
                TINY_PAIN.to_owned()
            } else {
                "Deploys take an hour and block the release train".to_owned()
            };
            for (field, value) in [
                ("security", "4"),
                ("reliability", if team == "tiny" { "1" } else { "4" }),
                ("usability", "3"),
                ("efficiency", "3"),
                ("latency", "3"),
                ("satisfaction", "3"),
                ("hours_lost", &(10 + step).to_string()),
                ("pain", &pain),
                ("proposal", "Cache the build layers between runs"),
            ] {
                fields.push((format!("t.{tool}.{field}"), value.to_owned()));
            }
        }
        app.clock.advance(TimeDelta::minutes(7));
        let res = post_answers(&app, &token, &fields).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{team}{i} answered");
        let id = app
            .with_db(|conn| infrapulse::surveys::respond::find(conn, &app.state.links, &token))
            .unwrap()
            .and_then(|linked| linked.response)
            .expect("the response is filed under the link's key");
        submitted.push(id);
    }
    Survey { app, submitted }
}

/// An export of the program as rows of named cells, downloaded as a
/// viewer would.
async fn export(
    viewer: &reqwest::Client,
    app: &TestApp,
    kind: &str,
) -> Vec<HashMap<String, String>> {
    let path = format!("/exports/{kind}.csv?program=pulse");
    crate::exports::download_as(viewer, app, &path).await.rows
}

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let res = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.unwrap()
}

/// Everything a viewer (and an admin, for the triage forms) can reach,
/// tried for a small group's figures and for ways to join answers.
async fn attack_pages_and_exports(app: &TestApp, viewer: &reqwest::Client, moment: &str) {
    let k = K as i64;

    // The responses export: a response's rows cannot be joined into its
    // set of tools (its team's adoption), a team is named on a tool only
    // where it has k answers about it, and what stays unnamed on a tool
    // is k answers or none, so no named count is subtracted down to a few.
    let responses = export(viewer, app, "responses").await;
    assert_eq!(
        responses.len(),
        12 * 3 + 6 * 2 + 2 * 2,
        "{moment}: every answer"
    );
    let ids: HashSet<&str> = responses.iter().map(|r| r["answer"].as_str()).collect();
    assert_eq!(
        ids.len(),
        responses.len(),
        "{moment}: rows of one response share an id"
    );
    let mut per_tool: HashMap<(&str, &str), i64> = HashMap::new();
    for r in &responses {
        *per_tool.entry((&r["tool"], &r["team"])).or_default() += 1;
    }
    for ((tool, team), n) in &per_tool {
        assert!(
            *n >= k,
            "{moment}: {n} answers about {tool} from {} stand apart in the responses export",
            if team.is_empty() {
                "unnamed teams"
            } else {
                team
            }
        );
    }
    assert!(
        !per_tool.contains_key(&("shared", "big")),
        "{moment}: naming big on `shared` leaves tiny's two answers as the rest"
    );

    // The comments export names no team on a tool where it has under k
    // answers, nor any that would leave tiny as the unnamed rest.
    for c in export(viewer, app, "comments").await {
        assert!(
            !(c["team"] == "tiny" || (c["tool"] == "shared" && !c["team"].is_empty())),
            "{moment}: a comment about {} is signed {}",
            c["tool"],
            c["team"]
        );
    }

    // Themes under k show their comments and no figure, in every place
    // that shows themes' figures. Each respondent writes one pain per
    // tool, so a theme's comments in a round are its respondents.
    let comments = export(viewer, app, "comments").await;
    let mut theme_size: HashMap<(String, String), usize> = HashMap::new();
    for c in comments
        .iter()
        .filter(|c| c["kind"] == "pain" && !c["theme"].is_empty())
    {
        *theme_size
            .entry((c["tool"].clone(), c["theme"].clone()))
            .or_default() += 1;
    }
    let small: Vec<&(String, String)> = theme_size
        .iter()
        .filter(|(_, n)| **n < K)
        .map(|(t, _)| t)
        .collect();
    assert!(
        !small.is_empty(),
        "{moment}: tiny's pain is a theme of its own (the attack needs one)"
    );
    let priorities = export(viewer, app, "priorities").await;
    let mut seen_suppressed = false;
    for p in &priorities {
        let size = theme_size[&(p["tool"].clone(), p["theme"].clone())];
        if size < K {
            for column in [
                "teams_affected",
                "respondents",
                "mean_score",
                "hours_lost",
                "impact",
                "severity",
            ] {
                assert_eq!(
                    p[column], "",
                    "{moment}: the priorities export gives {column} of a theme of {size}"
                );
            }
            assert_eq!(p["suppressed"], "true");
            seen_suppressed = true;
        } else {
            assert!(
                !seen_suppressed,
                "{moment}: a theme under k ranks before one at k"
            );
            assert_eq!(p["respondents"], size.to_string());
        }
    }
    let figure_words = [
        "<dt>Impact</dt>",
        "<dt>Respondents</dt>",
        "<dt>Hours lost</dt>",
    ];
    for tool in ["shared", "everyone"] {
        let html = page(
            viewer,
            app,
            &format!("/tools/{tool}/themes?program=pulse&round=1"),
        )
        .await;
        for card in html.split("<article class=\"theme card\"").skip(1) {
            let card = card.split("</article>").next().unwrap();
            let shown = card.matches("<li><q>").count();
            if shown < K {
                for w in figure_words {
                    assert!(
                        !card.contains(w),
                        "{moment}: a theme of {shown} on {tool} shows {w}"
                    );
                }
            }
            // tiny is under k everywhere; on `shared`, naming big would
            // leave tiny's comments as the unsigned rest.
            let unsigned = if tool == "shared" {
                &["— tiny", "— big"][..]
            } else {
                &["— tiny"][..]
            };
            for team in unsigned {
                assert!(
                    !card.contains(team),
                    "{moment}: a comment about {tool} is signed {team}"
                );
            }
        }
    }
    let html = page(viewer, app, "/priorities").await;
    for row in html.split("<tr data-theme=").skip(1) {
        let row = row.split("</tr>").next().unwrap();
        if row.contains(&TINY_PAIN[..20]) || row.contains("quota") {
            assert!(
                row.contains("respondents: no figures"),
                "{moment}: tiny's theme on priorities: {row}"
            );
        }
    }
    for w in export(viewer, app, "warnings").await {
        let words: Vec<&str> = w["message"].split_whitespace().collect();
        for pair in words.windows(2) {
            if pair[1].starts_with("respondent") {
                let n: usize = pair[0].trim_start_matches('(').parse().unwrap_or(K);
                assert!(
                    n >= K,
                    "{moment}: a warning about {n} people: {}",
                    w["message"]
                );
            }
        }
    }

    // An admin's triage forms name comments by handles that differ from
    // tool to tool: collected from two themes pages they join nothing.
    let handles = |html: &str| -> HashSet<String> {
        html.split("name=\"comment\" value=\"")
            .skip(1)
            .chain(html.split("<option value=\"").skip(1))
            .filter_map(|s| s.split('"').next().map(str::to_owned))
            .filter(|v| v.parse::<i64>().is_ok())
            .collect()
    };
    let shared = handles(
        &page(
            &app.client,
            app,
            "/tools/shared/themes?program=pulse&round=1",
        )
        .await,
    );
    let everyone = handles(
        &page(
            &app.client,
            app,
            "/tools/everyone/themes?program=pulse&round=1",
        )
        .await,
    );
    assert!(
        !shared.is_empty() && !everyone.is_empty(),
        "{moment}: the triage forms list comments"
    );
    let theme_ids: HashSet<String> = app.with_db(|conn| {
        dump_table(conn, "themes", &[])
            .into_iter()
            .map(|r| r[0].clone())
            .collect()
    });
    let common: Vec<&String> = shared
        .intersection(&everyone)
        .filter(|h| !theme_ids.contains(*h))
        .collect();
    assert!(
        common.is_empty(),
        "{moment}: comment handles shared across tools: {common:?}"
    );
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

fn count(conn: &mut infrapulse::db::DbConnection, sql: &str, bind: &str) -> i64 {
    diesel::sql_query(sql)
        .bind::<Text, _>(bind)
        .get_result::<Count>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .n
}

/// How often two responses are in the same order in `physical` as in
/// `submitted`, of all pairs: about a half when the order says nothing.
fn concordance(physical: &[i64], submitted: &[i64]) -> f64 {
    let mut seen = HashSet::new();
    let order: Vec<usize> = physical
        .iter()
        .filter(|id| seen.insert(**id))
        .map(|id| {
            submitted
                .iter()
                .position(|s| s == id)
                .expect("a submitted response")
        })
        .collect();
    assert_eq!(
        order.len(),
        submitted.len(),
        "every response is in the table"
    );
    let (mut same, mut pairs) = (0, 0);
    for i in 0..order.len() {
        for j in i + 1..order.len() {
            pairs += 1;
            same += usize::from(order[i] < order[j]);
        }
    }
    same as f64 / pairs as f64
}

/// What a database reader finds of the erased values, counted in the
/// files themselves: SQLite's database and WAL bytes; PostgreSQL's table
/// pages, dead row versions included (pageinspect).
#[derive(Debug)]
struct Traces {
    /// Places a respondent key appears.
    keys: usize,
    /// Row versions that carry tiny's team id (PostgreSQL; SQLite stores
    /// small numbers in a byte or two, which no search can tell apart).
    tiny_teams: i64,
    /// Dead or unused row versions of `responses` (PostgreSQL).
    dead_responses: i64,
}

fn traces(app: &TestApp, keys: &[String], tiny: i64) -> Traces {
    if !app.db.is_postgres() {
        let path = app.db.url.trim_start_matches("sqlite://").to_owned();
        let mut found = 0;
        for file in [path.clone(), format!("{path}-wal")] {
            let bytes = std::fs::read(&file).unwrap_or_default();
            for key in keys {
                found += bytes
                    .windows(key.len())
                    .filter(|w| *w == key.as_bytes())
                    .count();
            }
        }
        return Traces {
            keys: found,
            tiny_teams: 0,
            dead_responses: 0,
        };
    }
    app.with_db(|conn| {
        diesel::sql_query("CREATE EXTENSION IF NOT EXISTS pageinspect")
            .execute(conn)
            .unwrap();
        let pages = |table: &str, items: &str| {
            format!(
                "FROM generate_series(0, (pg_relation_size('{table}') / 8192)::int - 1) AS b, \
                 {items}(get_raw_page('{table}', b){})",
                if items == "heap_page_item_attrs" {
                    format!(", '{table}'::regclass")
                } else {
                    String::new()
                }
            )
        };
        let mut t = Traces {
            keys: 0,
            tiny_teams: 0,
            dead_responses: count(
                conn,
                &format!(
                    "SELECT COUNT(*) AS n {} WHERE (lp_flags <> 1 OR t_xmax <> '0') AND $1 <> ''",
                    pages("responses", "heap_page_items")
                ),
                "always",
            ),
        };
        for key in keys {
            t.keys += count(
                conn,
                &format!(
                    "SELECT COUNT(*) AS n {} WHERE position(convert_to($1, 'UTF8') IN t_data) > 0",
                    pages("responses", "heap_page_items")
                ),
                key,
            ) as usize;
        }
        let le: String = tiny
            .to_le_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        for table in ["responses", "tool_answers"] {
            let attnum: i64 = count(
                conn,
                &format!(
                    "SELECT attnum::bigint AS n FROM pg_attribute \
                     WHERE attrelid = '{table}'::regclass AND attname = $1"
                ),
                "team_id",
            );
            t.tiny_teams += count(
                conn,
                &format!(
                    "SELECT COUNT(*) AS n {} WHERE t_attrs[{attnum}] = decode($1, 'hex')",
                    pages(table, "heap_page_item_attrs")
                ),
                &le,
            );
        }
        t
    })
}

#[tokio::test]
async fn a_small_team_cannot_be_worked_out_from_pages_and_exports() {
    let survey = surveyed().await;
    let app = &survey.app;
    let viewer = app
        .client_signed_in_as("viewer@example.com", Role::Viewer)
        .await;
    attack_pages_and_exports(app, &viewer, "open round").await;

    // The round closes: tiny loses its name on responses; the attack does
    // no better on what is kept.
    app.clock.advance(TimeDelta::days(15));
    app.tick();
    // Two weeks idle ended both sessions.
    app.login("admin@example.com", crate::helpers::PASSWORD)
        .await;
    let viewer = app
        .client_signed_in_as("viewer2@example.com", Role::Viewer)
        .await;
    attack_pages_and_exports(app, &viewer, "sealed round").await;
}

#[tokio::test]
async fn a_sealed_round_leaves_no_erased_value_or_order_in_the_files() {
    let survey = surveyed().await;
    let app = &survey.app;
    let keys: Vec<String> = app.with_db(|conn| {
        let columns = crate::helpers::column_names(conn, "responses");
        let at = columns.iter().position(|c| c == "respondent_key").unwrap();
        dump_table(conn, "responses", &[])
            .into_iter()
            .map(|r| r[at].clone())
            .collect()
    });
    assert_eq!(keys.len(), survey.submitted.len());
    assert!(
        keys.iter().all(|k| k.len() == 64),
        "keys are stored while the round is open"
    );

    let tiny: i64 = app.with_db(|conn| {
        use infrapulse::db::schema::teams;
        teams::table
            .filter(teams::slug.eq("tiny"))
            .select(teams::id)
            .first(conn)
            .unwrap()
    });
    let before = traces(app, &keys, tiny);
    assert!(
        before.keys > 0 && (before.tiny_teams > 0 || !app.db.is_postgres()),
        "the search finds what an open round stores: {before:?}"
    );

    app.clock.advance(TimeDelta::days(15));
    let report = app.tick();
    assert_eq!(report.rounds_closed, 1);
    assert_eq!(
        app.count_rows("responses WHERE respondent_key IS NOT NULL"),
        0
    );
    let after = traces(app, &keys, tiny);
    assert_eq!(
        after.keys, 0,
        "an erased key is still in the files: {after:?}"
    );
    assert_eq!(
        after.tiny_teams, 0,
        "tiny's erased team is still in the files: {after:?}"
    );
    assert_eq!(
        after.dead_responses, 0,
        "dead row versions of responses: {after:?}"
    );

    // The answer tables' own order (SQLite's rowid, PostgreSQL's ctid)
    // against the order people answered in.
    let order_of = |table: &str| -> Vec<i64> {
        let sql = if app.db.is_postgres() {
            format!("SELECT response_id AS id FROM {table} ORDER BY ctid")
        } else {
            format!("SELECT response_id AS id FROM {table} NOT INDEXED")
        };
        app.with_db(|conn| {
            diesel::sql_query(&sql)
                .load::<Id>(conn)
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect()
        })
    };
    let responses_order: Vec<i64> = app.with_db(|conn| {
        let sql = if app.db.is_postgres() {
            "SELECT id FROM responses ORDER BY ctid"
        } else {
            "SELECT id FROM responses NOT INDEXED"
        };
        diesel::sql_query(sql)
            .load::<Id>(conn)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    });
    for (table, physical) in [
        ("responses", responses_order),
        ("tool_answers", order_of("tool_answers")),
        ("theme_members", order_of("theme_members")),
    ] {
        let c = concordance(&physical, &survey.submitted);
        assert!(
            (0.15..=0.85).contains(&c),
            "{table} is stored in submission order: {c:.2} of pairs agree"
        );
    }
}
