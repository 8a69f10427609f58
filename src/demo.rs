//! Demo content for `serve --demo`: a realistic organisation, so a newcomer
//! can click through every page. Deterministic, so screenshots and docs stay
//! true. Only ever written into an empty database.

use chrono::NaiveDateTime;

use crate::db::{DbConnection, accounts, adoptions, members, teams, tools};
use crate::domain::directory::parse_named;
use crate::surveys::links::LinkKeys;

/// (slug, name, description)
const TEAMS: &[(&str, &str, &str)] = &[
    ("payments", "Payments", "Card and bank payment flows."),
    (
        "checkout",
        "Checkout",
        "Cart, checkout pages and order placement.",
    ),
    ("search", "Search", "Product search and ranking."),
    (
        "recommendations",
        "Recommendations",
        "Personalised suggestions.",
    ),
    ("mobile", "Mobile", "iOS and Android apps."),
    ("web", "Web Experience", "The storefront web app."),
    ("fraud", "Fraud Detection", "Risk scoring and reviews."),
    (
        "growth",
        "Growth",
        "Experiments, onboarding and lifecycle email.",
    ),
    ("identity", "Identity", "Accounts, sign-in and permissions."),
    (
        "devprod",
        "Developer Productivity",
        "Builds, CI and deploys (infrastructure).",
    ),
    (
        "data-platform",
        "Data Platform",
        "Databases, streams and the warehouse (infrastructure).",
    ),
    (
        "ml-platform",
        "ML Platform",
        "Training and serving models (infrastructure).",
    ),
];

const FIRST: &[&str] = &[
    "Ada",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Guido",
    "Anita",
    "Bjarne",
    "Hedy",
    "Alan",
    "Katherine",
    "Tim",
    "Sophie",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Rossum",
    "Borg",
    "Stroustrup",
    "Lamarr",
    "Turing",
    "Johnson",
    "Berners",
    "Wilson",
];

/// (slug, name, category key, owner, description, [(team, business_critical)])
type ToolSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, bool)],
);

const TOOLS: &[ToolSpec] = &[
    (
        "ci",
        "CI",
        "developer_tools",
        "devprod",
        "Builds and tests every change.",
        &[
            ("payments", true),
            ("checkout", true),
            ("search", true),
            ("recommendations", true),
            ("mobile", true),
            ("web", true),
            ("fraud", true),
            ("growth", false),
            ("identity", true),
        ],
    ),
    (
        "deploys",
        "Deploy pipeline",
        "developer_tools",
        "devprod",
        "Ships services to production.",
        &[
            ("payments", true),
            ("checkout", true),
            ("search", true),
            ("web", true),
            ("fraud", true),
            ("identity", true),
            ("growth", false),
        ],
    ),
    (
        "mongodb",
        "MongoDB shared replsets",
        "data_infrastructure",
        "data-platform",
        "Shared replica sets: easy to provision, shared everything.",
        &[
            ("payments", true),
            ("checkout", true),
            ("fraud", true),
            ("identity", true),
            ("growth", false),
        ],
    ),
    (
        "kafka",
        "Kafka event bus",
        "data_infrastructure",
        "data-platform",
        "Events between services.",
        &[
            ("payments", true),
            ("fraud", true),
            ("recommendations", false),
            ("growth", false),
        ],
    ),
    (
        "feature-flags",
        "Feature flags library",
        "core_libraries",
        "devprod",
        "Gradual rollouts and kill switches.",
        &[
            ("checkout", true),
            ("web", true),
            ("mobile", true),
            ("growth", true),
            ("search", false),
        ],
    ),
    (
        "service-framework",
        "Service framework",
        "core_libraries",
        "devprod",
        "The shared library every service starts from.",
        &[
            ("payments", true),
            ("checkout", true),
            ("identity", true),
            ("search", true),
        ],
    ),
    (
        "training",
        "Model training platform",
        "model_training",
        "ml-platform",
        "Training jobs and experiment tracking.",
        &[
            ("recommendations", true),
            ("fraud", true),
            ("search", false),
        ],
    ),
    (
        "warehouse",
        "Data warehouse",
        "data_infrastructure",
        "data-platform",
        "Analytics tables and dashboards.",
        &[("growth", false), ("recommendations", false)],
    ),
];

/// Whether the database holds nothing the demo could collide with.
pub fn database_is_empty(conn: &mut DbConnection) -> anyhow::Result<bool> {
    Ok(accounts::list(conn)?.is_empty() && teams::list(conn)?.is_empty())
}

/// Writes the demo organisation in one transaction.
pub fn seed_directory(conn: &mut DbConnection, now: NaiveDateTime) -> anyhow::Result<()> {
    crate::db::write_transaction(conn, |conn| {
        let mut team_ids = std::collections::HashMap::new();
        for (i, (slug, name, description)) in TEAMS.iter().enumerate() {
            let named =
                parse_named(name, slug, description).map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let team = teams::insert(conn, &named, now)?;
            team_ids.insert(*slug, team.id);
            // 5 to 9 members a team, names drawn deterministically.
            for m in 0..(5 + i % 5) {
                let first = FIRST[(i * 7 + m * 5) % FIRST.len()];
                let last = LAST[(i * 3 + m * 11) % LAST.len()];
                let email = format!(
                    "{}.{}.{slug}@example.com",
                    first.to_lowercase(),
                    last.to_lowercase()
                );
                let name = format!("{first} {last}");
                let fields = members::MemberFields {
                    email: &email,
                    name: &name,
                    team_id: team.id,
                    active: true,
                };
                members::insert(conn, &fields, now)?;
            }
        }
        for (slug, name, category, owner, description, users) in TOOLS {
            let named =
                parse_named(name, slug, description).map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let fields = tools::ToolFields {
                named: &named,
                category,
                owner_team_id: team_ids[owner],
            };
            let tool = tools::insert(conn, &fields, now)?;
            for (team, critical) in *users {
                adoptions::set(conn, team_ids[team], tool.id, Some(*critical), now)?;
            }
        }
        Ok(())
    })
}

/// (tool slug, satisfaction by round 1-3, hours lost by round, pains, proposals)
type Story = (
    &'static str,
    [i64; 3],
    [i64; 3],
    &'static [&'static str],
    &'static [&'static str],
);

/// What the demo's respondents say. MongoDB is the talk's lesson: the pain
/// that costs most is isolation (noisy neighbours, one incident taking many
/// teams down), while the most popular proposal is the intuitive rewrite.
const STORIES: &[Story] = &[
    (
        "ci",
        [2, 3, 4],
        [10, 6, 3],
        &[
            "Flaky integration tests fail one build in five.",
            "Builds queue for 20 minutes in the afternoon.",
            "",
        ],
        &[
            "Quarantine flaky tests automatically.",
            "More parallel runners.",
            "",
        ],
    ),
    (
        "deploys",
        [4, 3, 2],
        [3, 6, 10],
        &[
            "Deploys fail halfway and need a manual rollback.",
            "A stuck deploy blocks every other deploy for an hour.",
            "Rollbacks take longer than the fix.",
        ],
        &[
            "Make rollbacks one click.",
            "Deploy services independently.",
            "",
        ],
    ),
    (
        "mongodb",
        [3, 2, 2],
        [8, 14, 18],
        &[
            "Another team's batch job slows our queries every night (noisy neighbour).",
            "One incident in the shared replica set took four teams down at once.",
            "We cannot tell whose load is hurting us during incidents.",
            "Noisy neighbours make our p99 latency unpredictable.",
        ],
        &[
            "Let's just rewrite the data layer on Postgres.",
            "Rewrite it: move everything off MongoDB.",
            "Rewrite on Postgres, it would be simpler.",
            "Give each team its own replica set so load is isolated.",
        ],
    ),
    (
        "feature-flags",
        [4, 4, 4],
        [1, 1, 0],
        &["", "Flag cleanup is manual."],
        &["", "Report stale flags."],
    ),
    (
        "service-framework",
        [3, 3, 3],
        [4, 4, 5],
        &[
            "Too much boilerplate for a new endpoint.",
            "Upgrades break our build every time.",
        ],
        &["Better docs and examples.", "Generate the boilerplate."],
    ),
];

/// A survey program with three past rounds of answers and one round open
/// now, whose invitations wait in the outbox. Returns that round and how
/// many it invited.
pub fn seed_surveys(
    conn: &mut DbConnection,
    keys: &LinkKeys,
    infra_min_teams: u32,
    now: NaiveDateTime,
) -> anyhow::Result<(crate::db::rounds::Round, usize)> {
    use crate::db::programs::{self, ProgramFields};
    use crate::domain::survey::{Cadence, ResponseAnswers, ToolAnswer};
    use crate::surveys::{self, respond};
    use chrono::TimeDelta;

    let cadence = Cadence::EveryWeeks(13);
    let fields = ProgramFields {
        slug: "quarterly-pulse",
        name: "Quarterly infrastructure pulse",
        intro: "Every quarter the infrastructure teams ask how their tools serve you. \
                Ten minutes, and every pain point is read.",
        all_infra_tools: true,
        all_using_teams: true,
        cadence: &cadence,
        open_days: 14,
        reminder_days: "4, 10",
        anonymity_k: 5,
        paused: false,
        thank_on_close: true,
    };
    let program_id = programs::save(conn, None, &fields, &[], &[], now - TimeDelta::weeks(40))?;
    programs::add_question(
        conn,
        program_id,
        "single",
        "How often do you deploy?",
        "Daily\nWeekly\nMonthly",
        false,
    )?;
    let program =
        programs::find(conn, program_id)?.ok_or_else(|| anyhow::anyhow!("program vanished"))?;

    for round_no in 0..3usize {
        let opened = now - TimeDelta::weeks(39 - 13 * round_no as i64);
        let (round, _) = surveys::open_round(conn, keys, &program, infra_min_teams, None, opened)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let question = crate::db::rounds::questions(conn, round.id)?;
        for (i, invitation) in crate::db::rounds::invitations(conn, round.id)?
            .iter()
            .enumerate()
        {
            if !answers_in_round(invitation.member_id, invitation.team_id, round_no) {
                continue;
            }
            let tools = crate::db::rounds::tools_for_team(conn, round.id, invitation.team_id)?;
            let mut answers = ResponseAnswers::default();
            for tool in &tools {
                let Some((_, satisfaction, hours, pains, proposals)) =
                    STORIES.iter().find(|s| s.0 == tool.slug)
                else {
                    continue;
                };
                let wobble = (i as i64 * 7 + round_no as i64 * 3) % 3 - 1;
                let rate = |base: i64| Some((base + wobble).clamp(1, 5));
                let sat = satisfaction[round_no];
                answers.tools.insert(
                    tool.slug.clone(),
                    ToolAnswer {
                        not_used: false,
                        ratings: [rate(4), rate(sat), rate(sat + 1), rate(3), rate(sat)],
                        satisfaction: rate(sat),
                        hours_lost: Some((hours[round_no] + wobble * 2).max(0)),
                        pain: pains[(i + round_no) % pains.len()].to_owned(),
                        proposal: proposals[(i * 3 + round_no) % proposals.len()].to_owned(),
                    },
                );
            }
            if let Some(q) = question.first() {
                answers
                    .questions
                    .insert(q.id, ["Daily", "Weekly", "Monthly"][i % 3].to_owned());
            }
            let token = keys
                .token_of(
                    invitation.token_seed.as_deref(),
                    invitation.legacy_token.as_deref(),
                )
                .ok_or_else(|| anyhow::anyhow!("an invitation without a link"))?;
            respond::save(
                conn,
                invitation,
                &tools,
                &keys.respondent_key(&token),
                &answers,
            )?;
        }
        // History: these rounds closed long ago (sealed, thanks queued) and
        // all their emails went out.
        surveys::close_round(conn, keys, &round, round.closes_at)?;
        crate::db::outbox::mark_round_sent(conn, round.id, opened)?;
    }
    surveys::open_round(conn, keys, &program, infra_min_teams, None, now)
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Whether a member answered a past round: about two in three, with each
/// round and each team a little different, as real rounds are.
fn answers_in_round(member_id: i64, team_id: i64, round_no: usize) -> bool {
    const ROUND_RATE: [i64; 3] = [62, 74, 68];
    let team_lean = (team_id * 37 + round_no as i64 * 11) % 31 - 15;
    let draw = (member_id * 7919 + round_no as i64 * 104_729) % 100;
    draw < ROUND_RATE[round_no] + team_lean
}
