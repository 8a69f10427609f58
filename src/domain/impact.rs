//! What a pain costs, and when the popular fix misses it (talk slides
//! 40-60: "making the most intuitive fix", "let's just rewrite monster.
//! Again.").

use serde::Serialize;

use super::results::Hundredths;

/// How a pain theme stood in one round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PainFigures {
    /// People who wrote about it.
    pub respondents: i64,
    /// Distinct teams they belong to.
    pub teams: i64,
    /// How much lower they rated the property it hurts than the tool's other
    /// respondents did (0 when not lower).
    pub severity: Hundredths,
    /// Hours they lost to the tool.
    pub hours: i64,
    /// Teams that answered about the tool at all, for breadth.
    pub teams_answering: i64,
}

/// The formula, as the priorities page states it.
pub const IMPACT_FORMULA: &str = "impact = respondents × (1 + severity) × (1 + hours lost per \
     respondent ÷ 8) × (½ + ½ × teams affected ÷ teams answering)";

/// A pain theme's impact in a round: how many hurt, how badly, how many
/// hours it cost, across how much of the organisation.
pub fn impact(f: &PainFigures) -> Hundredths {
    if f.respondents == 0 {
        return Hundredths(0);
    }
    let respondents = f.respondents as f64;
    let severity = f.severity.as_f64().max(0.0);
    let hours_each = f.hours.max(0) as f64 / respondents;
    let breadth = if f.teams_answering > 0 {
        0.5 + 0.5 * (f.teams.min(f.teams_answering) as f64 / f.teams_answering as f64)
    } else {
        1.0
    };
    let value = respondents * (1.0 + severity) * (1.0 + hours_each / 8.0) * breadth;
    Hundredths((value * 100.0).round() as i64)
}

/// A proposal theme's standing in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProposalFigures {
    pub theme: i64,
    pub respondents: i64,
    /// A rewrite, a migration, a vendor switch: it addresses no pain.
    pub replace: bool,
}

/// A pain theme's standing in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PainStanding {
    pub theme: i64,
    pub respondents: i64,
    pub impact: Hundredths,
}

/// The costliest pain: highest impact; ties go to more respondents, then
/// to the older theme.
pub fn costliest(pains: &[PainStanding]) -> Option<PainStanding> {
    pains
        .iter()
        .filter(|p| p.respondents > 0)
        .max_by(|a, b| {
            (a.impact, a.respondents, std::cmp::Reverse(a.theme)).cmp(&(
                b.impact,
                b.respondents,
                std::cmp::Reverse(b.theme),
            ))
        })
        .copied()
}

/// The most popular proposals: those with the most respondents, older
/// themes first (more than one only on a tie).
pub fn most_popular(proposals: &[ProposalFigures]) -> Vec<ProposalFigures> {
    let top = proposals.iter().map(|p| p.respondents).max().unwrap_or(0);
    let mut out: Vec<ProposalFigures> = proposals
        .iter()
        .filter(|p| p.respondents > 0 && p.respondents == top)
        .copied()
        .collect();
    out.sort_by_key(|p| p.theme);
    out
}

/// One round of one tool, as the warnings read it.
#[derive(Debug, Clone)]
pub struct RoundStanding {
    pub pains: Vec<PainStanding>,
    pub proposals: Vec<ProposalFigures>,
    /// (proposal theme, pain theme) pairs where the proposal addresses the pain.
    pub links: Vec<(i64, i64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// The most popular proposal does not address the costliest pain.
    IntuitiveFix,
    /// … and it has been so for this many consecutive rounds.
    RecurringProposal,
}

impl WarningKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::IntuitiveFix => "intuitive_fix",
            WarningKind::RecurringProposal => "recurring_proposal",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    /// The costliest pain theme.
    pub pain: PainStanding,
    /// The most popular proposal theme.
    pub proposal: ProposalFigures,
    /// Consecutive rounds it has been so (1 for an intuitive fix alone).
    pub rounds: usize,
}

/// The warnings of each round, given the tool's rounds oldest first.
pub fn warnings(rounds: &[RoundStanding]) -> Vec<Vec<Warning>> {
    let mut out = Vec::with_capacity(rounds.len());
    // (pain, proposal, consecutive rounds) of the miss before this round.
    let mut streak: Option<(i64, i64, usize)> = None;
    for r in rounds {
        let mut here = Vec::new();
        // On a tie for most popular, "the popular fix misses" holds only
        // when every tied proposal misses: a warning has to be sure.
        let miss = costliest(&r.pains).and_then(|pain| {
            let popular = most_popular(&r.proposals);
            let addresses =
                |p: &ProposalFigures| !p.replace && r.links.contains(&(p.theme, pain.theme));
            (!popular.iter().any(addresses))
                .then(|| popular.first().map(|&proposal| (pain, proposal)))
                .flatten()
        });
        streak = match miss {
            Some((pain, proposal)) => {
                let n = match streak {
                    Some((p, q, n)) if p == pain.theme && q == proposal.theme => n + 1,
                    _ => 1,
                };
                here.push(Warning {
                    kind: WarningKind::IntuitiveFix,
                    pain,
                    proposal,
                    rounds: n,
                });
                if n >= 2 {
                    here.push(Warning {
                        kind: WarningKind::RecurringProposal,
                        pain,
                        proposal,
                        rounds: n,
                    });
                }
                Some((pain.theme, proposal.theme, n))
            }
            None => None,
        };
        out.push(here);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pain(theme: i64, respondents: i64, impact: i64) -> PainStanding {
        PainStanding {
            theme,
            respondents,
            impact: Hundredths(impact),
        }
    }

    fn proposal(theme: i64, respondents: i64, replace: bool) -> ProposalFigures {
        ProposalFigures {
            theme,
            respondents,
            replace,
        }
    }

    #[test]
    fn impact_weighs_breadth_severity_and_hours() {
        let base = PainFigures {
            respondents: 10,
            teams: 4,
            severity: Hundredths(100),
            hours: 80,
            teams_answering: 8,
        };
        // 10 × 2 × 2 × 0.75 = 30.
        assert_eq!(impact(&base), Hundredths(3000));
        let rare_but_costly = PainFigures {
            respondents: 5,
            hours: 100,
            severity: Hundredths(200),
            ..base
        };
        let common_but_mild = PainFigures {
            respondents: 20,
            hours: 10,
            severity: Hundredths(0),
            ..base
        };
        assert!(impact(&rare_but_costly) > impact(&common_but_mild));
        assert_eq!(
            impact(&PainFigures {
                respondents: 0,
                ..base
            }),
            Hundredths(0)
        );
    }

    #[test]
    fn a_popular_fix_that_misses_the_costliest_pain_is_flagged() {
        let round = |links: Vec<(i64, i64)>, popular_replace: bool| RoundStanding {
            pains: vec![pain(1, 10, 5000), pain(2, 12, 3000)],
            proposals: vec![proposal(10, 9, popular_replace), proposal(11, 4, false)],
            links,
        };
        // Addresses it: no warning.
        assert!(warnings(&[round(vec![(10, 1)], false)])[0].is_empty());
        // Addresses another pain.
        let w = warnings(&[round(vec![(10, 2), (11, 1)], false)]);
        assert_eq!(w[0].len(), 1);
        assert_eq!(w[0][0].kind, WarningKind::IntuitiveFix);
        assert_eq!((w[0][0].pain.theme, w[0][0].proposal.theme), (1, 10));
        // A replace never addresses a pain, even if linked.
        assert_eq!(warnings(&[round(vec![(10, 1)], true)])[0].len(), 1);
    }

    #[test]
    fn a_tie_for_most_popular_warns_only_when_every_tied_proposal_misses() {
        let round = |links: Vec<(i64, i64)>| RoundStanding {
            pains: vec![pain(1, 10, 5000), pain(2, 12, 3000)],
            proposals: vec![
                proposal(10, 9, false),
                proposal(11, 9, false),
                proposal(12, 3, false),
            ],
            links,
        };
        // The younger of the two tied addresses the costliest pain.
        assert!(warnings(&[round(vec![(10, 2), (11, 1)])])[0].is_empty());
        // Only a less popular one does: both tied miss, the older is named.
        let w = warnings(&[round(vec![(10, 2), (12, 1)])]);
        assert_eq!(w[0].len(), 1);
        assert_eq!(w[0][0].proposal.theme, 10);
    }

    #[test]
    fn the_same_miss_twice_in_a_row_recurs() {
        let miss = RoundStanding {
            pains: vec![pain(1, 10, 5000)],
            proposals: vec![proposal(10, 9, true)],
            links: vec![],
        };
        let fixed = RoundStanding {
            links: vec![(10, 1)],
            proposals: vec![proposal(10, 9, false)],
            ..miss.clone()
        };
        let w = warnings(&[miss.clone(), miss.clone(), fixed, miss.clone(), miss]);
        let kinds: Vec<Vec<WarningKind>> = w
            .iter()
            .map(|r| r.iter().map(|x| x.kind).collect())
            .collect();
        use WarningKind::*;
        assert_eq!(
            kinds,
            [
                vec![IntuitiveFix],
                vec![IntuitiveFix, RecurringProposal],
                vec![],
                vec![IntuitiveFix],
                vec![IntuitiveFix, RecurringProposal],
            ]
        );
        assert_eq!(w[1][1].rounds, 2);
    }
}
