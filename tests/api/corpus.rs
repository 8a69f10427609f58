//! A labelled corpus of survey comments, generated: for each tool, planted
//! pain themes and proposal themes written from templates with random
//! slots, typos, prefixes, words from other themes and non-answers, with
//! ratings and hours that make one pain the costliest, and a plan of which
//! proposal is the most popular, so the warnings it must raise are known.
//!
//! Templates use `(a|b|c)` for a slot: one alternative is picked at random.

use infrapulse::domain::survey::Property;

/// A small deterministic generator (SplitMix64): the corpus is the same on
/// every run and every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }
}

pub struct Theme {
    pub label: &'static str,
    pub property: Property,
    pub templates: &'static [&'static str],
    /// Proposals only: a rewrite, migration or vendor switch.
    pub replace: bool,
    /// Proposals only: the pain theme (index) it addresses.
    pub addresses: Option<usize>,
}

/// How many write about each theme in a round; the costliest pain's
/// authors rate its property low and lose many hours.
pub struct RoundPlan {
    pub pains: &'static [usize],
    pub proposals: &'static [usize],
    pub costliest: usize,
}

pub struct ToolCorpus {
    pub slug: &'static str,
    pub name: &'static str,
    pub pains: Vec<Theme>,
    pub proposals: Vec<Theme>,
    pub rounds: Vec<RoundPlan>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Planted {
    IntuitiveFix,
    RecurringProposal,
}

impl ToolCorpus {
    /// The most popular proposal of a round (index).
    pub fn popular(&self, round: usize) -> usize {
        let counts = self.rounds[round].proposals;
        (0..counts.len())
            .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
            .expect("proposals")
    }

    /// The warnings a round must raise.
    pub fn warnings(&self, round: usize) -> Vec<Planted> {
        let miss = |r: usize| {
            let p = &self.proposals[self.popular(r)];
            (p.replace || p.addresses != Some(self.rounds[r].costliest))
                .then_some((self.rounds[r].costliest, self.popular(r)))
        };
        let mut out = Vec::new();
        if let Some(now) = miss(round) {
            out.push(Planted::IntuitiveFix);
            if round > 0 && miss(round - 1) == Some(now) {
                out.push(Planted::RecurringProposal);
            }
        }
        out
    }
}

/// One respondent's answer about one tool.
#[derive(Debug, Clone)]
pub struct Answer {
    pub pain: String,
    /// The planted pain theme, `None` for an empty or non-answer.
    pub pain_theme: Option<usize>,
    pub proposal: String,
    pub proposal_theme: Option<usize>,
    /// Security, reliability, usability, efficiency, latency.
    pub ratings: [i64; 5],
    pub satisfaction: i64,
    pub hours: i64,
}

const PREFIXES: &[&str] = &[
    "Honestly, ",
    "Again: ",
    "As always, ",
    "tbh ",
    "IMO ",
    "Biggest one: ",
    "Same story — ",
    "Still: ",
    "For our team, ",
    "",
];

const NON_ANSWERS: &[&str] = &[
    "n/a",
    "N/A",
    "-",
    "nothing",
    "Nothing.",
    "same as last time",
    "none",
    "No comment",
    "",
    "",
    "idk",
];

/// Expands `(a|b)` slots.
pub fn expand(template: &str, rng: &mut Rng) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('(') {
        out.push_str(&rest[..start]);
        let end = start + rest[start..].find(')').expect("closed slot");
        let choices: Vec<&str> = rest[start + 1..end].split('|').collect();
        let choice = *rng.pick(&choices);
        out.push_str(choice);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// One typo in a longer word: two letters swapped, or one dropped.
fn typo(text: &str, rng: &mut Rng) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let long: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].chars().count() >= 6 && words[i].chars().all(char::is_alphabetic))
        .collect();
    if long.is_empty() {
        return text.to_owned();
    }
    let i = *rng.pick(&long);
    let mut chars: Vec<char> = words[i].chars().collect();
    let at = 1 + rng.below(chars.len() - 3);
    if rng.chance(50) {
        chars.swap(at, at + 1);
    } else {
        chars.remove(at);
    }
    let mut words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    words[i] = chars.into_iter().collect();
    words.join(" ")
}

/// A comment about `theme`, as a respondent might write it.
pub fn write(themes: &[Theme], theme: usize, rng: &mut Rng) -> String {
    let template = *rng.pick(themes[theme].templates);
    let mut text = expand(template, rng);
    // A mixed-topic sentence: a clause from another theme after the main one.
    if rng.chance(15) && themes.len() > 1 {
        let other = (theme + 1 + rng.below(themes.len() - 1)) % themes.len();
        let template = *rng.pick(themes[other].templates);
        let clause = expand(template, rng);
        let clause = clause.trim_end_matches('.');
        text = format!(
            "{}; also {}",
            text.trim_end_matches('.'),
            clause.to_lowercase()
        );
    }
    if rng.chance(25) {
        text = typo(&text, rng);
    }
    if rng.chance(30) {
        let prefix = *rng.pick(PREFIXES);
        if !prefix.is_empty() {
            let mut chars = text.chars();
            let first = chars
                .next()
                .map(|c| c.to_lowercase().to_string())
                .unwrap_or_default();
            text = format!("{prefix}{first}{}", chars.as_str());
        }
    }
    if rng.chance(10) {
        text = text.to_uppercase();
    }
    text
}

/// Shuffles `labels` (each theme's count of planted comments, then
/// `None`s for the rest) into respondent order.
fn deal(counts: &[usize], respondents: usize, rng: &mut Rng) -> Vec<Option<usize>> {
    let mut slots: Vec<Option<usize>> = counts
        .iter()
        .enumerate()
        .flat_map(|(i, &n)| std::iter::repeat_n(Some(i), n))
        .collect();
    assert!(slots.len() <= respondents, "plan exceeds respondents");
    slots.resize(respondents, None);
    for i in (1..slots.len()).rev() {
        let j = rng.below(i + 1);
        slots.swap(i, j);
    }
    slots
}

fn index_of(p: Property) -> usize {
    Property::ALL
        .iter()
        .position(|&q| q == p)
        .expect("property")
}

impl ToolCorpus {
    /// The answers of round `round`, one per respondent.
    pub fn answers(&self, round: usize, respondents: usize, seed: u64) -> Vec<Answer> {
        let mut rng = Rng::new(seed ^ (round as u64 + 1).wrapping_mul(0x5851_F42D_4C95_7F2D));
        let plan = &self.rounds[round];
        let pains = deal(plan.pains, respondents, &mut rng);
        let proposals = deal(plan.proposals, respondents, &mut rng);
        pains
            .into_iter()
            .zip(proposals)
            .map(|(pain_theme, proposal_theme)| {
                let mut ratings = [0; 5];
                for r in &mut ratings {
                    *r = rng.range(3, 5);
                }
                let mut hours = rng.range(0, 2);
                if let Some(t) = pain_theme {
                    let at = index_of(self.pains[t].property);
                    if t == plan.costliest {
                        ratings[at] = rng.range(1, 2);
                        hours = rng.range(6, 16);
                    } else {
                        ratings[at] = rng.range(2, 4);
                        hours = rng.range(0, 3);
                    }
                }
                let satisfaction = ratings.iter().sum::<i64>() / 5;
                let (pain, proposal) = (
                    match pain_theme {
                        Some(t) => write(&self.pains, t, &mut rng),
                        None => rng.pick(NON_ANSWERS).to_string(),
                    },
                    match proposal_theme {
                        Some(t) => write(&self.proposals, t, &mut rng),
                        None => rng.pick(NON_ANSWERS).to_string(),
                    },
                );
                Answer {
                    pain,
                    pain_theme,
                    proposal,
                    proposal_theme,
                    ratings,
                    satisfaction,
                    hours,
                }
            })
            .collect()
    }
}

const fn pain(
    label: &'static str,
    property: Property,
    templates: &'static [&'static str],
) -> Theme {
    Theme {
        label,
        property,
        templates,
        replace: false,
        addresses: None,
    }
}

const fn fix(
    label: &'static str,
    property: Property,
    addresses: usize,
    templates: &'static [&'static str],
) -> Theme {
    Theme {
        label,
        property,
        templates,
        replace: false,
        addresses: Some(addresses),
    }
}

/// A targeted proposal that addresses none of the planted pains.
const fn idea(
    label: &'static str,
    property: Property,
    templates: &'static [&'static str],
) -> Theme {
    Theme {
        label,
        property,
        templates,
        replace: false,
        addresses: None,
    }
}

const fn replace(
    label: &'static str,
    property: Property,
    templates: &'static [&'static str],
) -> Theme {
    Theme {
        label,
        property,
        templates,
        replace: true,
        addresses: None,
    }
}

use Property::*;

/// The corpus: eight tools, each with its planted story.
pub fn tools() -> Vec<ToolCorpus> {
    vec![
        // Mismatch: the costliest pain is noisy neighbours, the popular
        // proposal a rewrite on Postgres, twice in a row.
        ToolCorpus {
            slug: "mongodb",
            name: "MongoDB",
            pains: vec![
                pain(
                    "noisy neighbours",
                    Reliability,
                    &[
                        "(Another team's|Someone else's) batch job (saturates|hammers|starves) the shared cluster and our (queries|writes) time out",
                        "Noisy neighbours on the shared (cluster|replica set) take us down (every week|twice a month)",
                        "One tenant's (bad query|index build|migration) brings down every team on the cluster, the blast radius is huge",
                        "We share the cluster with (five|six|too many) teams and when one misbehaves we all have an outage",
                        "No isolation between tenants: a runaway (aggregation|job) from another team (crashed|degraded) our service",
                        "Blast radius: a single team's load spike (takes out|degrades) the whole shared cluster",
                    ],
                ),
                pain(
                    "slow queries",
                    Latency,
                    &[
                        "(Queries|Lookups|Reads) are slow, p99 (latency|response time) is (awful|over a second)",
                        "Slow (queries|reads) on (big|large) collections",
                        "Aggregations take forever on (the reporting|our) collections",
                        "Latency of (simple|basic) queries (spikes|jumps) (at peak|in the afternoon)",
                        "Reads are (sluggish|slow) and we time out waiting for (results|the driver)",
                    ],
                ),
                pain(
                    "restores are confusing",
                    Usability,
                    &[
                        "Restoring a backup is (confusing|undocumented|a mystery) and takes a ticket",
                        "(Nobody knows|We never know) how to restore (a collection|one collection) from backup",
                        "The backup and restore (docs|runbook) (is|are) (unclear|outdated)",
                        "Point in time restore is (complicated|hard to understand) and (manual|needs the DBA)",
                    ],
                ),
                pain(
                    "credentials",
                    Security,
                    &[
                        "(Database|DB) credentials are shared in (a wiki|plain text|chat) and never rotated",
                        "We all use the same (admin|root) password for the cluster",
                        "No per-service (credentials|users), everything connects as admin, a security (risk|nightmare)",
                    ],
                ),
            ],
            proposals: vec![
                replace(
                    "rewrite on postgres",
                    Reliability,
                    &[
                        "Let's just rewrite it on Postgres",
                        "(Migrate|Move) everything to Postgres and the slow queries go away",
                        "Rewrite the data layer on Postgres, (it|Postgres) is what we know",
                        "Switch to Postgres, Mongo is the wrong (tool|database) for us",
                        "Replace it with Postgres (already|once and for all)",
                        "Get rid of Mongo and use Postgres (instead|like everyone else)",
                    ],
                ),
                fix(
                    "dedicated clusters",
                    Reliability,
                    0,
                    &[
                        "Give each (team|tenant) a dedicated cluster so one team cannot take down the others",
                        "Isolate tenants: (per-team|dedicated) clusters or at least resource limits per tenant",
                        "Per-tenant (quotas|limits) so a noisy neighbour cannot starve everyone",
                        "Split the shared cluster (per team|by team) to shrink the blast radius",
                    ],
                ),
                fix(
                    "index advisor",
                    Latency,
                    1,
                    &[
                        "Add an index advisor that flags slow queries",
                        "(Review|Tune) indexes on the (big|hot) collections to cut query latency",
                        "A slow query log (dashboard|report) with suggested indexes",
                        "Help us (tune|optimise) slow queries, an index review (per quarter|each month)",
                    ],
                ),
                fix(
                    "self-service restore",
                    Usability,
                    2,
                    &[
                        "A self-service restore button with a (clear|short) guide",
                        "Document the restore (runbook|procedure) with (examples|a tutorial)",
                        "Make restoring (a collection|one collection) self service instead of a ticket",
                    ],
                ),
                fix(
                    "rotate credentials",
                    Security,
                    3,
                    &[
                        "Rotate (database|DB) credentials automatically and give each service its own user",
                        "Per-service credentials from Vault, rotated (daily|weekly)",
                        "Stop sharing the admin password, issue (credentials|users) per service",
                    ],
                ),
            ],
            rounds: vec![
                RoundPlan {
                    pains: &[12, 16, 8, 5],
                    proposals: &[17, 9, 8, 5, 4],
                    costliest: 0,
                },
                RoundPlan {
                    pains: &[13, 14, 7, 6],
                    proposals: &[16, 10, 7, 6, 4],
                    costliest: 0,
                },
            ],
        },
        // Match: the popular proposal quarantines the flaky tests that cost most.
        ToolCorpus {
            slug: "ci",
            name: "CI pipelines",
            pains: vec![
                pain(
                    "flaky tests",
                    Reliability,
                    &[
                        "Flaky tests fail (builds|pipelines) (at random|randomly) and we rerun them (three times|all day)",
                        "(Intermittent|Random) test failures (block|break) merges",
                        "We lose hours rerunning flaky (jobs|tests) that pass the second time",
                        "Builds (fail|break) (sporadically|intermittently) for no reason, then pass on retry",
                        "The (integration|end-to-end) suite is so flaky that nobody trusts a red build",
                    ],
                ),
                pain(
                    "build queue",
                    Latency,
                    &[
                        "(Waiting|We wait) (20|30|45) minutes in the queue for a runner",
                        "The build queue is (long|huge) (every morning|at peak), not enough runners",
                        "Jobs sit queued for ages before a runner picks them up",
                        "Runner capacity is too low, (pipelines|builds) wait in the queue",
                    ],
                ),
                pain(
                    "pipeline yaml",
                    Usability,
                    &[
                        "The pipeline YAML is (confusing|verbose|cryptic) and (hard|painful) to debug",
                        "Writing pipeline config (means|is) copy paste of (YAML|boilerplate) from other repos",
                        "(Nobody understands|We don't understand) the pipeline syntax, the docs lack examples",
                    ],
                ),
            ],
            proposals: vec![
                fix(
                    "quarantine flaky tests",
                    Reliability,
                    0,
                    &[
                        "Quarantine flaky tests automatically (and report them|and ping the owners)",
                        "Detect flaky tests and (retry|rerun) them (once|automatically) with a flakiness report",
                        "A flaky test dashboard that (names|tracks) the owners and quarantines (them|repeat offenders)",
                        "Auto-(quarantine|skip) tests that fail intermittently until fixed",
                    ],
                ),
                fix(
                    "more runners",
                    Latency,
                    1,
                    &[
                        "More runners (at peak|in the morning) so (jobs|builds) do not wait in the queue",
                        "Autoscale the runner (fleet|pool) with the queue length",
                        "Add runner capacity, (the queue|queueing) is the bottleneck",
                    ],
                ),
                fix(
                    "pipeline templates",
                    Usability,
                    2,
                    &[
                        "Shared pipeline templates so we stop copy pasting YAML",
                        "A pipeline (generator|scaffolding) with (examples|docs) for common setups",
                        "Better docs and examples for the pipeline (config|syntax)",
                    ],
                ),
                idea(
                    "dependency cache",
                    Latency,
                    &[
                        "Cache dependencies between builds (to save time|so builds are faster)",
                        "A (shared|warm) dependency cache for the runners",
                    ],
                ),
            ],
            rounds: vec![
                RoundPlan {
                    pains: &[18, 14, 9],
                    proposals: &[19, 12, 8, 4],
                    costliest: 0,
                },
                RoundPlan {
                    pains: &[16, 15, 10],
                    proposals: &[20, 11, 7, 5],
                    costliest: 0,
                },
            ],
        },
        // Recurring: "move to serverless" wins twice while stuck rollouts cost most.
        ToolCorpus {
            slug: "kubernetes",
            name: "Kubernetes platform",
            pains: vec![
                pain(
                    "stuck rollouts",
                    Reliability,
                    &[
                        "Deployments get stuck (halfway|in pending) and (nobody|no one) knows why",
                        "Rollouts hang on (readiness probes|image pulls) and we (lose|waste) (hours|the afternoon)",
                        "(Stuck|Frozen) rollouts during incidents, we cannot (roll back|revert) quickly",
                        "Pods stuck in CrashLoopBackOff after (every|each) deploy and the rollout (hangs|never finishes)",
                        "A rollout (hangs|wedges) and (blocks|holds) every other deploy for hours",
                    ],
                ),
                pain(
                    "overprovisioned cost",
                    Efficiency,
                    &[
                        "Our namespaces are (overprovisioned|oversized) and the (cost|bill) keeps growing",
                        "We pay for (idle|unused) CPU and memory, requests are way above usage",
                        "Cluster (costs|spend) are (high|out of control) because nobody rightsizes",
                    ],
                ),
                pain(
                    "rbac tickets",
                    Security,
                    &[
                        "Getting (namespace|RBAC) permissions needs a ticket and (days|a week) of waiting",
                        "Access requests for (secrets|namespaces) are manual tickets",
                        "RBAC is (confusing|too coarse), we get either no access or admin",
                    ],
                ),
                pain(
                    "upgrade breakage",
                    Usability,
                    &[
                        "Cluster upgrades break our (manifests|charts) with deprecated APIs",
                        "Every version upgrade (breaks|deprecates) something (without warning|we depend on)",
                        "Upgrades (are|feel) (scary|risky), (deprecations|breaking changes) arrive without notice",
                    ],
                ),
            ],
            proposals: vec![
                replace(
                    "move to serverless",
                    Reliability,
                    &[
                        "Move to serverless and stop running clusters",
                        "(Migrate|Move) everything to (ECS|Cloud Run), Kubernetes is too much",
                        "Switch to a managed PaaS (instead|and forget about rollouts)",
                        "Get rid of Kubernetes for (simple|stateless) services",
                    ],
                ),
                fix(
                    "rollout diagnostics",
                    Reliability,
                    0,
                    &[
                        "Show why a rollout is stuck (right in the deploy tool|in the CLI) and roll back automatically",
                        "Automatic rollback when a (rollout|deployment) hangs past a timeout",
                        "Better (diagnostics|events) for stuck deployments (and pods|with probe output)",
                    ],
                ),
                fix(
                    "rightsizing",
                    Efficiency,
                    1,
                    &[
                        "Rightsizing (recommendations|reports) per namespace to cut (cost|idle spend)",
                        "(Vertical|Automatic) autoscaling so requests follow (usage|real CPU)",
                        "Show each team its (cost|bill) and idle (resources|capacity)",
                    ],
                ),
                fix(
                    "self-service rbac",
                    Security,
                    2,
                    &[
                        "Self-service (RBAC|access) requests with (approval|automatic expiry)",
                        "(Finer|Role based) permissions per namespace without tickets",
                    ],
                ),
                fix(
                    "upgrade notes",
                    Usability,
                    3,
                    &[
                        "Announce (upgrades|deprecations) early with (a migration guide|upgrade notes)",
                        "A (deprecation|compatibility) check in CI before each cluster upgrade",
                    ],
                ),
            ],
            rounds: vec![
                RoundPlan {
                    pains: &[13, 14, 8, 6],
                    proposals: &[16, 9, 8, 5, 4],
                    costliest: 0,
                },
                RoundPlan {
                    pains: &[14, 12, 9, 5],
                    proposals: &[17, 10, 7, 5, 3],
                    costliest: 0,
                },
            ],
        },
        // Mismatch without a replace: lag dashboards are popular, lost messages cost most.
        ToolCorpus {
            slug: "kafka",
            name: "Kafka",
            pains: vec![
                pain(
                    "lost messages",
                    Reliability,
                    &[
                        "Messages (get lost|vanish|disappear) (during|after) broker (restarts|failover)",
                        "We (lost|dropped) events (silently|without any error) (last month|twice)",
                        "Producer acks are misconfigured and (messages|records) (go missing|are lost)",
                        "(Data|Event) loss on rebalance, consumers skip (offsets|messages)",
                        "Some (events|messages) never arrive and we only find out from customers",
                    ],
                ),
                pain(
                    "consumer lag visibility",
                    Usability,
                    &[
                        "(We cannot see|No visibility into) consumer lag (until|before) it is too late",
                        "Consumer lag (metrics|dashboards) are (missing|hard to find)",
                        "We have no (alerts|alerting) on lag, (debugging|finding) a slow consumer takes hours",
                        "(Hard|Impossible) to see (which|what) consumer group is lagging",
                    ],
                ),
                pain(
                    "topic setup tickets",
                    Usability,
                    &[
                        "Creating a topic (needs|takes) a ticket (and days|and a week)",
                        "Topic (config|configuration) and (ACLs|permissions) are manual requests",
                        "(Manual|Tedious) topic setup, we (wait|waited) days for a new topic",
                    ],
                ),
            ],
            proposals: vec![
                fix(
                    "lag dashboards",
                    Usability,
                    1,
                    &[
                        "A consumer lag dashboard (per team|per consumer group) with alerts",
                        "Alert on consumer lag (before|so) it (hurts|grows)",
                        "Better (metrics|dashboards) for lag and (throughput|partitions)",
                        "Lag alerting and a dashboard (we can find|linked from the docs)",
                    ],
                ),
                fix(
                    "durable producer defaults",
                    Reliability,
                    0,
                    &[
                        "Safe producer defaults: acks=all and idempotence (on by default|everywhere)",
                        "(Audit|Check) producer configs so messages cannot be lost",
                        "(Guarantee|Verify) no message loss on broker failover with (tests|drills)",
                    ],
                ),
                fix(
                    "self-service topics",
                    Usability,
                    2,
                    &[
                        "Self-service topic creation with (sane|safe) defaults",
                        "Let teams create topics (themselves|without a ticket) through a (form|pull request)",
                    ],
                ),
                fix(
                    "schema registry",
                    Reliability,
                    0,
                    &[
                        "Enforce schemas (in a registry|at produce time) so bad (events|messages) are rejected, not dropped",
                        "A schema registry with compatibility checks",
                    ],
                ),
            ],
            rounds: vec![
                RoundPlan {
                    pains: &[12, 15, 9],
                    proposals: &[18, 10, 8, 5],
                    costliest: 0,
                },
                RoundPlan {
                    pains: &[12, 14, 10],
                    proposals: &[11, 18, 8, 5],
                    costliest: 0,
                },
            ],
        },
        // Match: automatic rotation answers the costliest pain, manual rotation.
        ToolCorpus {
            slug: "vault",
            name: "Vault",
            pains: vec![
                pain(
                    "manual rotation",
                    Security,
                    &[
                        "Secret rotation is manual and (we forget|people forget), (secrets|tokens) leak",
                        "Rotating (credentials|secrets) (takes|costs) us a day every (quarter|month)",
                        "(Expired|Leaked) secrets because rotation is (manual|a spreadsheet)",
                        "Nobody rotates the (database|API) secrets, (audit|compliance) flags it every time",
                    ],
                ),
                pain(
                    "token latency",
                    Latency,
                    &[
                        "Token (issuance|login) is slow, (services|pods) start (slowly|late)",
                        "Vault (latency|response time) spikes (at deploy time|in the morning) and (requests|logins) time out",
                        "Reading secrets adds (seconds|a lot of latency) to (startup|cold starts)",
                    ],
                ),
                pain(
                    "policy docs",
                    Usability,
                    &[
                        "Policies are (confusing|hard to write) and the docs lack examples",
                        "(Nobody|No one) understands the (policy|path) syntax",
                        "Onboarding a (service|new app) to Vault is (complicated|unclear)",
                    ],
                ),
            ],
            proposals: vec![
                fix(
                    "automatic rotation",
                    Security,
                    0,
                    &[
                        "Rotate secrets automatically (with dynamic credentials|on a schedule)",
                        "Dynamic (database|short-lived) credentials so nobody rotates by hand",
                        "Automatic (rotation|expiry) of (tokens|secrets) with an audit (trail|log)",
                        "(Automate|Automated) secret rotation (everywhere|for every service)",
                    ],
                ),
                fix(
                    "token caching",
                    Latency,
                    1,
                    &[
                        "Cache tokens in a (sidecar|local agent) to (cut|avoid) login latency",
                        "A Vault agent (sidecar|cache) so startup is (fast|faster)",
                    ],
                ),
                fix(
                    "policy examples",
                    Usability,
                    2,
                    &[
                        "(Policy|Onboarding) examples and a (tutorial|guide) for new services",
                        "Templates for common policies (with docs|and a generator)",
                        "A (short|clear) onboarding guide with policy examples",
                    ],
                ),
                idea(
                    "sso login",
                    Security,
                    &[
                        "SSO login for humans so (tokens|passwords) are not shared",
                        "Use SSO (instead of|not) shared tokens for people",
                    ],
                ),
            ],
            rounds: vec![
                RoundPlan {
                    pains: &[13, 16, 10],
                    proposals: &[18, 12, 9, 5],
                    costliest: 0,
                },
                RoundPlan {
                    pains: &[12, 15, 9],
                    proposals: &[17, 13, 8, 4],
                    costliest: 0,
                },
            ],
        },
        // Match with a popular pain that is not the costliest: state lock
        // conflicts cost most, the plan is slow; the popular fix is locking.
        ToolCorpus {
            slug: "terraform",
            name: "Terraform modules",
            pains: vec![
                pain(
                    "slow plans",
                    Latency,
                    &[
                        "(Plans|terraform plan) (take|takes) (ten|twenty|15) minutes on (our|the big) (stack|workspace)",
                        "Slow plans and applies, (refreshing|refresh of) (state|resources) takes forever",
                        "Waiting for plan is (slow|painful) (on every change|for every PR)",
                    ],
                ),
                pain(
                    "state lock conflicts",
                    Reliability,
                    &[
                        "State lock conflicts (break|corrupt) applies and someone has to unlock by hand",
                        "(Stuck|Stale) state locks (block|stop) deploys for hours",
                        "Two applies (raced|collided) and corrupted the (state|state file)",
                        "We (lost|lose) hours to state locks left behind by (crashed|cancelled) runs",
                    ],
                ),
                pain(
                    "module boilerplate",
                    Usability,
                    &[
                        "(Too much|So much) boilerplate to use the modules, (variables|inputs) everywhere",
                        "The modules are (undocumented|poorly documented), we read the source",
                        "(Copy pasting|Copy paste of) module config between (stacks|repos)",
                    ],
                ),
            ],
            proposals: vec![
                fix(
                    "run queue locking",
                    Reliability,
                    1,
                    &[
                        "Run applies through a queue (so state locks never conflict|with one lock owner)",
                        "Automatic (release|cleanup) of stale state locks after (crashed|cancelled) runs",
                        "A (run|apply) queue per workspace (to stop|that stops) lock conflicts",
                        "(Serialize|Queue) applies per state and (clear|release) stuck locks",
                    ],
                ),
                fix(
                    "split stacks",
                    Latency,
                    0,
                    &[
                        "Split the big (stacks|workspaces) so plans are (faster|quick)",
                        "(Targeted|Smaller) plans per component to (speed up|cut) plan time",
                    ],
                ),
                fix(
                    "module docs",
                    Usability,
                    2,
                    &[
                        "(Generated|Better) docs and examples for every module",
                        "Module (templates|starters) with (sane|good) defaults and docs (to avoid|instead of) boilerplate",
                    ],
                ),
                fix(
                    "plan caching",
                    Latency,
                    0,
                    &[
                        "Cache provider plugins and (refresh|state) to make plans faster",
                        "Skip refresh (for|on) unchanged resources to speed up plans",
                    ],
                ),
            ],
            rounds: vec![
                RoundPlan {
                    pains: &[17, 12, 10],
                    proposals: &[16, 10, 9, 6],
                    costliest: 1,
                },
                RoundPlan {
                    pains: &[16, 13, 9],
                    proposals: &[17, 9, 8, 7],
                    costliest: 1,
                },
            ],
        },
        // Mismatch that resolves: round 1 the popular fix is faster dashboards
        // while alert noise costs most; round 2 alert tuning leads.
        ToolCorpus {
            slug: "grafana",
            name: "Observability stack",
            pains: vec![
                pain(
                    "alert noise",
                    Reliability,
                    &[
                        "Alert (noise|fatigue): we get paged (every night|all night) for (nothing|non-issues)",
                        "(Noisy|Flapping) alerts wake us up and (hide|bury) the real incidents",
                        "(Hundreds|Dozens) of alerts per week, (most|all) false positives, we missed an outage",
                        "The alerting is so noisy that (on-call|people) (ignore|mute) it",
                    ],
                ),
                pain(
                    "slow dashboards",
                    Latency,
                    &[
                        "Dashboards are (slow|sluggish) to load (at peak|during incidents)",
                        "(Queries|Panels) on (big|long) time ranges time out",
                        "Loading a dashboard takes (30 seconds|forever) (when we need it most|during an incident)",
                    ],
                ),
                pain(
                    "log retention",
                    Reliability,
                    &[
                        "Logs (older than|past) (three|seven) days are gone when we debug",
                        "Log retention is too short, (we lose|we lost) the logs we need for (postmortems|audits)",
                        "(Missing|Dropped) logs (at peak|under load), lines just vanish",
                    ],
                ),
                pain(
                    "metrics cost",
                    Efficiency,
                    &[
                        "The metrics (bill|cost) grows (every month|fast) with cardinality",
                        "(Expensive|Costly) high cardinality metrics nobody (looks at|uses)",
                    ],
                ),
            ],
            proposals: vec![
                fix(
                    "faster dashboards",
                    Latency,
                    1,
                    &[
                        "Make dashboards (faster|load faster) with (caching|recording rules)",
                        "(Speed up|Faster) (panels|queries) on long time ranges",
                        "(Precompute|Downsample) metrics so dashboards are (fast|quick)",
                    ],
                ),
                fix(
                    "alert tuning",
                    Reliability,
                    0,
                    &[
                        "(Tune|Review) alerts with owners and (delete|drop) the noisy ones",
                        "Alert on (symptoms|SLOs) instead of causes to cut the noise",
                        "An alert (review|cleanup) every (month|sprint) so pages mean something",
                    ],
                ),
                fix(
                    "longer retention",
                    Reliability,
                    2,
                    &[
                        "Keep logs (longer|30 days) (so we can debug|for postmortems)",
                        "(Cheaper|Cold) storage for old logs so retention can be longer",
                    ],
                ),
                fix(
                    "cardinality limits",
                    Efficiency,
                    3,
                    &[
                        "(Limit|Cap) metric cardinality per team and show the (cost|bill)",
                        "(Drop|Reject) unused high cardinality metrics to cut cost",
                    ],
                ),
            ],
            rounds: vec![
                RoundPlan {
                    pains: &[12, 16, 8, 5],
                    proposals: &[18, 10, 8, 5],
                    costliest: 0,
                },
                RoundPlan {
                    pains: &[13, 12, 8, 5],
                    proposals: &[9, 18, 8, 5],
                    costliest: 0,
                },
            ],
        },
        // A replace that names a pain: "switch to GitHub Packages, downloads
        // would be fast" is popular while outages cost most.
        ToolCorpus {
            slug: "artifactory",
            name: "Artifact registry",
            pains: vec![
                pain(
                    "registry outages",
                    Reliability,
                    &[
                        "The registry (goes down|is down) (during|in the middle of) releases and (every|all) builds fail",
                        "(Outages|Downtime) of the artifact registry block (deploys|every pipeline)",
                        "When the registry (crashes|is unavailable) nobody can (build|ship) for hours",
                        "(Frequent|Weekly) registry incidents, (uploads|publishing) fail (with 502s|randomly)",
                    ],
                ),
                pain(
                    "slow downloads",
                    Latency,
                    &[
                        "(Downloads|Pulls) from the registry are slow, (dependencies|images) take minutes",
                        "Pulling (images|artifacts) is (slow|sluggish) from the (other region|CI runners)",
                        "(Slow|Sluggish) artifact (downloads|fetches) add minutes to every build",
                    ],
                ),
                pain(
                    "cleanup cost",
                    Efficiency,
                    &[
                        "(Old|Stale) artifacts are never cleaned up and storage (costs|cost) keeps growing",
                        "Nobody (deletes|cleans) old (snapshots|images), we pay for (terabytes|it)",
                    ],
                ),
                pain(
                    "token setup",
                    Security,
                    &[
                        "Publishing needs a personal token (that expires|copied around) and (leaks|gets shared)",
                        "(Access|Token) setup for publishing is (confusing|manual) and insecure",
                    ],
                ),
            ],
            proposals: vec![
                replace(
                    "switch to github packages",
                    Latency,
                    &[
                        "Switch to GitHub Packages, downloads would be fast",
                        "(Move|Migrate) to GitHub Packages and (drop|ditch) this registry",
                        "Replace it with (GitHub Packages|a hosted registry), it is (faster|quicker)",
                        "Just use GitHub Packages (instead|like the rest of the industry)",
                    ],
                ),
                fix(
                    "high availability",
                    Reliability,
                    0,
                    &[
                        "Run the registry (highly available|in HA) with a (replica|standby) so releases never stop",
                        "(Failover|Redundancy) for the registry and a status page during incidents",
                        "HA setup so (outages|downtime) do not block every (pipeline|build)",
                    ],
                ),
                fix(
                    "regional mirror",
                    Latency,
                    1,
                    &[
                        "A (regional|local) mirror or cache (next to|near) the CI runners",
                        "(Pull-through|Caching) proxy in each region for faster downloads",
                    ],
                ),
                fix(
                    "retention policies",
                    Efficiency,
                    2,
                    &[
                        "Retention policies that delete old (snapshots|artifacts) automatically",
                        "Automatic cleanup of stale (images|artifacts) to cut storage cost",
                    ],
                ),
                fix(
                    "oidc publishing",
                    Security,
                    3,
                    &[
                        "Publish with (OIDC|short-lived) tokens from CI instead of personal tokens",
                        "(Scoped|Short-lived) publish tokens issued (per pipeline|by CI)",
                    ],
                ),
            ],
            rounds: vec![
                RoundPlan {
                    pains: &[12, 15, 8, 5],
                    proposals: &[17, 10, 8, 6, 4],
                    costliest: 0,
                },
                RoundPlan {
                    pains: &[13, 13, 8, 5],
                    proposals: &[11, 17, 8, 5, 4],
                    costliest: 0,
                },
            ],
        },
    ]
}
