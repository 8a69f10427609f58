//! Demo content for `serve --demo`: a realistic organisation, so a newcomer
//! can click through every page, and a survey history that tells the talk's
//! story (`stories`). Deterministic, so screenshots and docs stay true. Only
//! ever written into an empty database.

use chrono::NaiveDateTime;

use crate::db::{DbConnection, accounts, adoptions, members, teams, tools};
use crate::domain::directory::parse_named;

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

mod stories;

pub use stories::seed_surveys;
