//! The words infrapulse reads comments with: filler to ignore, stock
//! non-answers, the concepts infrastructure people use several words for
//! (each tied to the property it hurts, where there is one), and the verbs
//! of a proposal to replace the tool. Lists are space-separated so that
//! adding a word is adding a word.

use crate::domain::survey::Property;

/// Words that carry no topic: English function words and the fillers
/// people open or pad survey answers with ("honestly", "tbh", "again").
pub const STOP_WORDS: &str = "\
    a about above after again all also am an and any are as at be because been before being \
    below between both but by can could did do does doing done during each even ever every \
    few for from further get gets getting got had has have having he her here hers him his \
    how i if in into is it its itself just let lets me might more most much must my need \
    needs no nor not now of often on once one only or ought our ours ourselves out over \
    please quite rather really same she should so some still such than that the their theirs \
    them themselves then there these they thing things this those though through to too \
    under until up us very was we were what when where which while who whom why will with \
    would yet you your yours yourself honestly frankly tbh imo imho personally overall \
    generally basically mostly actually literally probably maybe think feel feels seems seem \
    like lot lots bit stuff kind sort way ways make makes making want wish hope great nice \
    good bad big biggest main issue issues problem problems pain point thanks thank ok okay \
    yeah yes hmm well said say says far usual usually sometimes always week weeks day days \
    today lately recently currently quarter since last round survey time times take takes \
    taking took every everyone everything someone somebody nobody anyone anybody cannot cant \
    without know knows new use used uses using per another other others else many less least \
    whole already ago able via etc eg ie dont doesnt didnt isnt arent wasnt wont im ive its \
    thats theres go goes going went come comes put keep keeps see look looks try tries tried \
    team teams";

/// Answers that say nothing, separated by `|`: no theme is made of them.
pub const NON_ANSWERS: &str = "\
    |na|n a|n/a|none|nothing|no|nope|nil|null|same|ditto|idk|dunno|tbd|nothing to add|\
    nothing to report|nothing really|nothing new|nothing else|nothing comes to mind|\
    no comment|no comments|no idea|not sure|all good|all fine|fine|good|ok|okay|see above|\
    as above|same as above|same as before|same as last time|same as last round|\
    same as last quarter|no complaints|nothing at the moment|not applicable|\
    nothing specific|can't think of anything|cant think of anything|pass";

/// Concepts: words people use for one idea, so that paraphrases meet
/// ("jobs vanish", "lost messages"), with the property each hurts. Pains'
/// words and the words of the fixes for them share a concept ("flapping
/// alerts", "tune the alerts"), so proposals meet the pains they address.
/// Matching is on stems, after typos are corrected.
pub const CONCEPTS: &[(&str, Option<Property>, &str)] = &[
    (
        "flaky",
        Some(Property::Reliability),
        "\
        flaky flake flakes flakiness intermittent intermittently sporadic sporadically randomly \
        nondeterministic retry retries rerun reruns rerunning",
    ),
    (
        "outage",
        Some(Property::Reliability),
        "\
        outage outages downtime unavailable crash crashes crashed crashing incident incidents \
        unstable instability unreliable broken breaks failover degraded ha available \
        availability redundancy redundant standby resilience resilient uptime",
    ),
    (
        "loss",
        Some(Property::Reliability),
        "\
        lost lose loses losing loss vanish vanishes vanished disappear disappears disappeared \
        silently corrupt corrupted corruption gone durable durability acks \
        idempotence idempotent replication replicated",
    ),
    (
        "stuck",
        Some(Property::Reliability),
        "\
        stuck hang hangs hung hanging frozen freeze freezes deadlock wedged",
    ),
    (
        "isolation",
        Some(Property::Reliability),
        "\
        neighbour neighbours neighbor neighbors shared sharing isolation isolate isolated \
        isolating tenant tenants tenancy contention starve starves starved blast radius \
        dedicated quota quotas limits throttle throttling per-team",
    ),
    (
        "slow",
        Some(Property::Latency),
        "\
        slow slower slowest slowly sluggish laggy lag lags latency p99 p95 p50 forever ages \
        delay delays delayed timeout timeouts speed faster fast quick quicker cache caching \
        cached mirror mirrors proxy warm speedup parallel parallelize minutes seconds",
    ),
    (
        "queue",
        Some(Property::Latency),
        "\
        queue queues queued queueing queuing waiting wait waits backlog runner runners agents \
        capacity autoscale autoscaling scale scaling",
    ),
    (
        "security",
        Some(Property::Security),
        "\
        security secure insecure secret secrets credential credentials password passwords token \
        tokens permission permissions rbac cve cves vulnerability vulnerabilities vulnerable \
        patch patches patching audit audits compliance leak leaked encryption encrypt sso auth \
        authentication authorization rotate rotation rotated rotating expiry expire expired mfa \
        oidc vault pentest scan scanning",
    ),
    (
        "docs",
        Some(Property::Usability),
        "\
        docs doc documentation documented undocumented example examples guide guides tutorial \
        readme wiki runbook runbooks document explain explained faq",
    ),
    (
        "confusing",
        Some(Property::Usability),
        "\
        confusing confused confusion unclear cryptic unintuitive complicated complex complexity \
        hard difficult learn learning curve onboarding understand",
    ),
    (
        "boilerplate",
        Some(Property::Usability),
        "\
        boilerplate verbose yaml config configuration configs setup scaffolding template \
        templates generator generate generated copy paste",
    ),
    (
        "manual",
        Some(Property::Usability),
        "\
        manual manually toil tedious ticket tickets request approval approvals self service \
        click clicks automate automated automatic automatically automation handoff",
    ),
    (
        "cost",
        Some(Property::Efficiency),
        "\
        cost costs costly expensive bill billing budget spend spending money waste wasted \
        wasteful overprovisioned overprovisioning idle utilization utilisation cpu memory \
        resources rightsizing rightsize oversized cardinality storage",
    ),
    (
        "noise",
        None,
        "\
        noise noisy spam spammy fatigue flapping flappy positives paged paging pages wake woken \
        alert alerts alerting pager oncall on-call slo slos symptoms",
    ),
    (
        "upgrade",
        None,
        "\
        upgrade upgrades upgrading version versions deprecated deprecation \
        compatibility compatible",
    ),
    (
        "rollback",
        None,
        "\
        rollback rollbacks revert reverts reverting undo roll",
    ),
];

/// Verbs that on their own make a proposal a "replace": rewrite the tool,
/// abandon it.
pub const REPLACE_VERBS: &str = "\
    rewrite rewrites rewriting rewritten reimplement reimplementing rebuild replatform ditch \
    scrap abandon sunset decommission retire vendor commercial saas";

/// Phrases that name a concept in words too common to carry it alone
/// ("another team's job", "took us down"), as (concept, words). Matched
/// on whole words, stop words included.
pub const PHRASES: &[(&str, &str)] = &[
    ("isolation", "another team"),
    ("isolation", "other team"),
    ("isolation", "other teams"),
    ("isolation", "someone else"),
    ("isolation", "somebody else"),
    ("isolation", "other tenants"),
    ("isolation", "other workloads"),
    ("isolation", "another workload"),
    ("isolation", "whose load"),
    ("isolation", "one workload"),
    ("outage", "goes down"),
    ("outage", "went down"),
    ("outage", "is down"),
    ("outage", "was down"),
    ("outage", "take down"),
    ("outage", "takes down"),
    ("outage", "took down"),
    ("outage", "taken down"),
    ("outage", "bring down"),
    ("outage", "brings down"),
    ("outage", "brought down"),
    ("outage", "us down"),
    ("outage", "highly available"),
    ("loss", "never arrive"),
    ("loss", "go missing"),
    ("loss", "goes missing"),
    ("loss", "went missing"),
    ("manual", "by hand"),
    ("upgrade", "breaking change"),
    ("upgrade", "breaking changes"),
];

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use rust_stemmers::{Algorithm, Stemmer};

    use super::*;

    #[test]
    fn a_word_belongs_to_one_concept() {
        let stemmer = Stemmer::create(Algorithm::English);
        let mut seen: HashMap<String, &str> = HashMap::new();
        for (name, _, words) in CONCEPTS {
            for w in words.split_whitespace() {
                let stem = stemmer.stem(w).into_owned();
                if let Some(other) = seen.insert(stem.clone(), name) {
                    assert_eq!(other, *name, "{w} ({stem}) is in {other} and {name}");
                }
            }
        }
        for (concept, _) in PHRASES {
            assert!(CONCEPTS.iter().any(|(n, _, _)| n == concept), "{concept}");
        }
    }

    #[test]
    fn no_stop_word_is_a_concept_word() {
        let stop: Vec<&str> = STOP_WORDS.split_whitespace().collect();
        for (name, _, words) in CONCEPTS {
            for w in words.split_whitespace() {
                assert!(!stop.contains(&w), "{w} of {name} is a stop word");
            }
        }
    }
}
