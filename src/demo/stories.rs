//! The demo's survey history: a quarterly program with three closed rounds
//! and one open now. The numbers and comments tell the talk's story:
//!
//! - MongoDB's shared replica sets decline round after round. What costs
//!   most is isolation (noisy neighbours, one incident taking many teams
//!   down), while the most popular proposal is the intuitive one: rewrite
//!   it on Postgres (slides 19-23, 41, 53-55). Its reliability and latency
//!   fall below their baselines.
//! - The deploy pipeline slips too, and its favourite fix (one-click
//!   rollbacks) is real but aimed at a smaller pain than the stuck deploys
//!   that block everyone.
//! - CI recovers, and its favourite fix (quarantining flaky tests) is aimed
//!   at its costliest pain: the control, where no warning is due.

use chrono::{NaiveDateTime, TimeDelta};

use crate::db::programs::{self, ProgramFields};
use crate::db::{DbConnection, results, rounds};
use crate::domain::survey::{Cadence, ResponseAnswers, ToolAnswer};
use crate::links::LinkKeys;
use crate::surveys::{self, respond};

/// A group of comments about one thing, as respondents phrase it.
struct Theme {
    /// How many respondents in a hundred write about it, per round.
    share: [i64; 3],
    /// The rating it drags down (0-4: security … latency), if any.
    hurts: Option<usize>,
    /// Extra hours lost by those who have this pain.
    hours: i64,
    texts: &'static [&'static str],
}

struct Story {
    slug: &'static str,
    /// Per round, target means in tenths: security, reliability, usability,
    /// efficiency, latency, satisfaction.
    targets: [[i64; 6]; 3],
    /// Mean hours lost per round, before any pain's extra.
    hours: [i64; 3],
    pains: &'static [Theme],
    proposals: &'static [Theme],
    /// Baselines in hundredths: (measure key, level).
    baselines: &'static [(&'static str, i64)],
}

const STORIES: &[Story] = &[
    Story {
        slug: "mongodb",
        targets: [
            [38, 33, 34, 30, 31, 30],
            [38, 27, 33, 28, 26, 25],
            [37, 22, 33, 27, 21, 21],
        ],
        hours: [5, 8, 10],
        pains: &[
            Theme {
                share: [45, 55, 65],
                hurts: Some(1),
                hours: 8,
                texts: &[
                    "Another team's batch job on the shared replica set slows our queries every night.",
                    "Noisy neighbours on the shared replica set make our p99 unpredictable.",
                    "One incident on the shared replica set took four teams down at once.",
                    "Someone else's traffic spike on the shared cluster becomes our outage: the blast radius is huge.",
                    "Noisy neighbours: we cannot tell whose load on the shared cluster is hurting us.",
                    "A bad query from another team locked up the shared cluster.",
                ],
            },
            Theme {
                share: [20, 15, 12],
                hurts: Some(2),
                hours: 2,
                texts: &[
                    "Index builds lock the collection for minutes.",
                    "Schema changes need a ticket and a week of waiting.",
                    "Adding an index means asking the data team and waiting.",
                ],
            },
            Theme {
                share: [10, 10, 8],
                hurts: Some(3),
                hours: 1,
                texts: &[
                    "Restoring a backup takes most of a day.",
                    "Backup restores are slow and nobody has practised one.",
                ],
            },
        ],
        proposals: &[
            Theme {
                share: [40, 48, 55],
                hurts: None,
                hours: 0,
                texts: &[
                    "Let's just rewrite the data layer on Postgres.",
                    "Migrate to Postgres and the noisy neighbour problem goes away.",
                    "Move everything off MongoDB.",
                    "Switch to Postgres like the rest of the industry.",
                    "Rewrite it on Postgres, it would be simpler.",
                ],
            },
            Theme {
                share: [15, 14, 12],
                hurts: None,
                hours: 0,
                texts: &[
                    "Give each team its own replica set so noisy neighbours cannot hurt others.",
                    "Isolate tenants: per-team replica sets or at least quotas.",
                    "Add per-team resource quotas so one workload cannot starve the others.",
                ],
            },
            Theme {
                share: [10, 8, 6],
                hurts: None,
                hours: 0,
                texts: &[
                    "Let us run index builds ourselves in a maintenance window.",
                    "Self-service schema changes and index builds.",
                ],
            },
        ],
        baselines: &[
            ("reliability", 300),
            ("latency", 300),
            ("satisfaction", 280),
        ],
    },
    Story {
        slug: "deploys",
        targets: [
            [39, 37, 36, 34, 35, 37],
            [39, 33, 34, 32, 33, 32],
            [39, 29, 31, 30, 31, 28],
        ],
        hours: [2, 4, 6],
        pains: &[
            Theme {
                share: [30, 40, 45],
                hurts: Some(1),
                hours: 5,
                texts: &[
                    "A stuck deploy blocks every other deploy for an hour.",
                    "One stuck pipeline and nobody can ship; deploys queue behind it.",
                    "Deploys hang and hold the global deploy lock until someone kills them.",
                ],
            },
            Theme {
                share: [20, 20, 20],
                hurts: Some(4),
                hours: 2,
                texts: &[
                    "Rollbacks take longer than the fix.",
                    "Rolling back is slow and manual.",
                    "A rollback needs three people and twenty minutes.",
                ],
            },
        ],
        proposals: &[
            Theme {
                share: [30, 35, 40],
                hurts: None,
                hours: 0,
                texts: &[
                    "Make rollbacks one click.",
                    "One-click rollback to the previous version.",
                    "A rollback button in the deploy page.",
                ],
            },
            Theme {
                share: [15, 15, 15],
                hurts: None,
                hours: 0,
                texts: &[
                    "Let services deploy independently instead of one global deploy lock.",
                    "Time out stuck deploys so they stop blocking everyone.",
                ],
            },
        ],
        baselines: &[("reliability", 330), ("satisfaction", 300)],
    },
    Story {
        slug: "ci",
        targets: [
            [40, 25, 34, 27, 24, 26],
            [40, 31, 36, 31, 30, 32],
            [41, 38, 38, 35, 36, 38],
        ],
        hours: [6, 4, 2],
        pains: &[
            Theme {
                share: [50, 40, 30],
                hurts: Some(1),
                hours: 4,
                texts: &[
                    "Flaky integration tests fail one build in five.",
                    "Builds fail at random and pass on retry.",
                    "Flaky end-to-end tests block the merge queue.",
                    "Tests flake so often that nobody trusts a red build.",
                ],
            },
            Theme {
                share: [25, 20, 15],
                hurts: Some(4),
                hours: 2,
                texts: &[
                    "Builds queue for twenty minutes in the afternoon.",
                    "Waiting for a runner takes longer than the build.",
                ],
            },
        ],
        proposals: &[
            Theme {
                share: [40, 35, 25],
                hurts: None,
                hours: 0,
                texts: &[
                    "Quarantine flaky tests automatically.",
                    "Detect flaky tests and quarantine them until they are fixed.",
                    "Auto-quarantine tests that fail intermittently.",
                ],
            },
            Theme {
                share: [20, 15, 10],
                hurts: None,
                hours: 0,
                texts: &[
                    "More parallel runners.",
                    "Autoscale the runners in the afternoon.",
                ],
            },
        ],
        baselines: &[("reliability", 300), ("latency", 300)],
    },
    Story {
        slug: "feature-flags",
        targets: [
            [42, 41, 40, 40, 42, 41],
            [42, 41, 41, 40, 42, 41],
            [42, 42, 41, 40, 42, 42],
        ],
        hours: [1, 1, 0],
        pains: &[Theme {
            share: [20, 20, 20],
            hurts: Some(2),
            hours: 0,
            texts: &[
                "Flag cleanup is manual.",
                "Old flags pile up and nobody removes them.",
            ],
        }],
        proposals: &[Theme {
            share: [15, 15, 15],
            hurts: None,
            hours: 0,
            texts: &[
                "Report stale flags.",
                "Flag stale flags for cleanup automatically.",
            ],
        }],
        baselines: &[],
    },
    Story {
        slug: "service-framework",
        targets: [
            [38, 35, 29, 32, 35, 31],
            [38, 35, 28, 32, 35, 31],
            [38, 35, 28, 32, 35, 30],
        ],
        hours: [3, 3, 4],
        pains: &[
            Theme {
                share: [35, 35, 35],
                hurts: Some(2),
                hours: 2,
                texts: &[
                    "Too much boilerplate for a new endpoint.",
                    "Every new endpoint needs the same hundred lines of boilerplate.",
                ],
            },
            Theme {
                share: [20, 20, 20],
                hurts: Some(1),
                hours: 2,
                texts: &[
                    "Upgrades break our build every time.",
                    "Each framework upgrade breaks something in our service.",
                ],
            },
        ],
        proposals: &[
            Theme {
                share: [30, 30, 30],
                hurts: None,
                hours: 0,
                texts: &[
                    "Generate the boilerplate for new endpoints.",
                    "A generator for the endpoint boilerplate.",
                ],
            },
            Theme {
                share: [15, 15, 15],
                hurts: None,
                hours: 0,
                texts: &["Better docs and examples.", "Document the upgrade steps."],
            },
        ],
        baselines: &[("usability", 300)],
    },
];

/// A fixed pseudo-random number for (member, round, what): the demo is the
/// same on every machine.
fn draw(member: i64, round: usize, what: u64) -> u64 {
    let mut x = (member as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((round as u64) << 32)
        .wrapping_add(what.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A 1-5 answer around `target` (tenths), spread like real answers.
fn rating(target: i64, member: i64, round: usize, what: u64) -> i64 {
    // Two uniform draws in -10..=10 tenths: a triangular spread of ±2.
    let a = (draw(member, round, what) % 21) as i64 - 10;
    let b = (draw(member, round, what + 97) % 21) as i64 - 10;
    ((target + a + b + 5) / 10).clamp(1, 5)
}

/// The theme a respondent writes about, if any: themes take their share of
/// a hundred in turn.
fn pick(themes: &[Theme], member: i64, round: usize, what: u64) -> Option<&Theme> {
    let mut roll = (draw(member, round, what) % 100) as i64;
    for t in themes {
        if roll < t.share[round] {
            return Some(t);
        }
        roll -= t.share[round];
    }
    None
}

fn text(theme: &Theme, member: i64, round: usize, what: u64) -> String {
    theme.texts[(draw(member, round, what) % theme.texts.len() as u64) as usize].to_owned()
}

/// What one member answers about one tool in a past round.
fn answer(story: &Story, member: i64, round: usize, tool_no: u64) -> ToolAnswer {
    let salt = tool_no * 1000;
    let pain = pick(story.pains, member, round, salt + 1);
    let proposal = pick(story.proposals, member, round, salt + 2);
    let targets = story.targets[round];
    let mut ratings = [None; 5];
    for (p, slot) in ratings.iter_mut().enumerate() {
        // Someone who writes about a pain rates the property it hurts lower.
        let hurt = pain.and_then(|t| t.hurts) == Some(p);
        let target = targets[p] - if hurt { 8 } else { 0 };
        // One answer in twelve is "n/a".
        *slot = (draw(member, round, salt + 10 + p as u64) % 12 != 0)
            .then(|| rating(target, member, round, salt + 20 + p as u64));
    }
    let extra = pain.map_or(0, |t| t.hours);
    let wobble = (draw(member, round, salt + 30) % 5) as i64 - 2;
    ToolAnswer {
        not_used: false,
        ratings,
        satisfaction: Some(rating(targets[5], member, round, salt + 40)),
        hours_lost: Some((story.hours[round] + extra + wobble).max(0)),
        pain: pain.map_or(String::new(), |t| text(t, member, round, salt + 50)),
        proposal: proposal.map_or(String::new(), |t| text(t, member, round, salt + 60)),
    }
}

/// Whether a member answered a past round: about two in three, with each
/// round and each team a little different, as real rounds are.
fn answers_in_round(member_id: i64, team_id: i64, round_no: usize) -> bool {
    const ROUND_RATE: [i64; 3] = [62, 74, 68];
    let team_lean = (team_id * 37 + round_no as i64 * 11) % 31 - 15;
    let roll = (draw(member_id, round_no, 7) % 100) as i64;
    roll < ROUND_RATE[round_no] + team_lean
}

/// A survey program with three past rounds of answers and one round open
/// now, whose invitations wait in the outbox; and the tools' baselines.
/// Returns the open round and how many it invited.
pub fn seed_surveys(
    conn: &mut DbConnection,
    keys: &LinkKeys,
    infra_min_teams: u32,
    now: NaiveDateTime,
) -> anyhow::Result<(rounds::Round, usize)> {
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
        let question = rounds::questions(conn, round.id)?;
        let invitations = rounds::invitations(conn, round.id)?;
        let mut answered = Vec::new();
        for (i, invitation) in invitations.iter().enumerate() {
            if !answers_in_round(invitation.member_id, invitation.team_id, round_no) {
                continue;
            }
            let tools = rounds::tools_for_team(conn, round.id, invitation.team_id)?;
            let mut answers = ResponseAnswers::default();
            for tool in &tools {
                if let Some((n, story)) = STORIES
                    .iter()
                    .enumerate()
                    .find(|(_, s)| s.slug == tool.slug)
                {
                    answers.tools.insert(
                        tool.slug.clone(),
                        answer(story, invitation.member_id, round_no, n as u64),
                    );
                }
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
            answered.push((invitation, tools, keys.respondent_key(&token), answers));
        }
        let filings: Vec<respond::Filing> = answered
            .iter()
            .map(|(invitation, tools, key, answers)| respond::Filing {
                invitation,
                tools,
                key,
                answers,
            })
            .collect();
        respond::store(conn, &filings)?;
        // History: these rounds closed long ago (sealed, thanks queued) and
        // all their emails went out.
        surveys::close_round(conn, keys, &round, round.closes_at)?;
        crate::db::outbox::mark_round_sent(conn, round.id, opened)?;
    }
    for story in STORIES {
        if let Some(tool) = crate::db::tools::find_by_slug(conn, story.slug)? {
            for (measure, level) in story.baselines {
                results::set_baseline(conn, tool.id, measure, Some(*level), now)?;
            }
        }
    }
    surveys::open_round(conn, keys, &program, infra_min_teams, None, now)
        .map_err(|e| anyhow::anyhow!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_spread_around_their_target() {
        let mean = |target: i64| {
            let sum: i64 = (0..2000).map(|m| rating(target, m, 0, 3)).sum();
            sum as f64 / 2000.0
        };
        assert!((mean(30) - 3.0).abs() < 0.15, "{}", mean(30));
        assert!((mean(22) - 2.2).abs() < 0.2, "{}", mean(22));
        assert!(mean(40) > mean(30) && mean(30) > mean(20));
    }

    #[test]
    fn themes_take_their_share() {
        let story = &STORIES[0];
        let noisy = (0..2000)
            .filter(|&m| {
                pick(story.pains, m, 2, 1).is_some_and(|t| t.texts[0].contains("batch job"))
            })
            .count();
        assert!((1050..=1350).contains(&noisy), "about 60%: {noisy}");
    }
}
