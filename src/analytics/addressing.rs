//! Which pains a proposal addresses, from what the same people said.
//!
//! A respondent's pain and proposal in one answer are about the same tool
//! and usually the same problem: among those who propose a fix, the pain
//! they report more often than respondents at large is the one it
//! addresses, however differently the two are worded ("pre-aggregate the
//! metrics" and "dashboards take forever"). The words link too
//! (`grouping::addressed_pains`): a fix worded like its pain addresses it,
//! whatever a few authors happened to report.
//! A proposal to replace the tool addresses no pain: its authors report
//! the costliest pain about as often as anyone, so co-occurrence would
//! link it by chance.

/// Below this many authors who also reported a pain, co-occurrence says
/// nothing and the words decide.
pub const MIN_AUTHORS: u32 = 3;

/// How unlikely by chance (if its authors reported pains as everyone
/// does) the share of its authors reporting a pain must be for the link to
/// stand on co-occurrence, before dividing among the pains compared
/// (Bonferroni): with a handful of authors, a share well above everyone's
/// happens by chance all the time.
pub const SIGNIFICANCE: f64 = 0.05;

/// A second pain counts too when at least this share of the first's
/// authors report it: one pain the grouping split in two is addressed in
/// both halves.
const NEARLY: f64 = 0.5;

/// What the answers of one tool say about a proposal theme.
#[derive(Debug, Clone, Default)]
pub struct Authors {
    /// Per pain theme, how many of the proposal's authors reported it.
    pub reporting: Vec<u32>,
}

/// A pain a proposal addresses, and why: `reporting` of the proposal's
/// `authors` (who reported a pain) report it; no authors when the words
/// decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addressed {
    pub pain: usize,
    pub reporting: u32,
    pub authors: u32,
}

/// The pains (indices) a targeted proposal addresses, from its authors
/// (`authors.reporting`) against every answer's pain (`everyone`, per pain
/// theme), or, when they do not tell, from `by_words`.
pub fn addressed(authors: &Authors, everyone: &[u32], by_words: &[usize]) -> Vec<Addressed> {
    let words = || {
        by_words
            .iter()
            .map(|&pain| Addressed {
                pain,
                reporting: 0,
                authors: 0,
            })
            .collect()
    };
    let n: u32 = authors.reporting.iter().sum();
    let total: u32 = everyone.iter().sum();
    if n < MIN_AUTHORS || total == 0 {
        return words();
    }
    // How likely so many of its authors would report each pain by chance.
    let chances: Vec<f64> = (0..everyone.len())
        .map(|pain| {
            upper_tail(
                authors.reporting[pain],
                n,
                f64::from(everyone[pain]) / f64::from(total),
            )
        })
        .collect();
    let chance = |pain: usize| chances[pain];
    let threshold = SIGNIFICANCE / everyone.len() as f64;
    // The pain its authors report most out of proportion (a big pain is
    // reported by many of any proposal's authors); ties to the first.
    let Some(best) = (0..everyone.len())
        .filter(|&p| authors.reporting[p] > 0)
        .min_by(|&a, &b| chance(a).total_cmp(&chance(b)).then(a.cmp(&b)))
    else {
        return words();
    };
    if chance(best) >= threshold {
        return words();
    }
    let floor = f64::from(authors.reporting[best]) * NEARLY;
    let mut found: Vec<Addressed> = (0..everyone.len())
        .filter(|&p| {
            p == best || (f64::from(authors.reporting[p]) >= floor && chance(p) < threshold)
        })
        .map(|pain| Addressed {
            pain,
            reporting: authors.reporting[pain],
            authors: n,
        })
        .collect();
    // What the words say stands beside it: a few authors can point
    // elsewhere by chance, and a fix worded like its pain addresses it.
    for pain in words() {
        if !found.iter().any(|f| f.pain == pain.pain) {
            found.push(pain);
        }
    }
    found.sort_by_key(|f| f.pain);
    found
}

/// P(X >= k) for X ~ Binomial(n, p): the first term in logs (so that
/// thousands of authors do not underflow), each next from the one before,
/// until they no longer add anything.
fn upper_tail(k: u32, n: u32, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let ln_choose: f64 = (1..=k)
        .map(|j| (f64::from(n - k + j) / f64::from(j)).ln())
        .sum();
    let mut term = (ln_choose + f64::from(k) * p.ln() + f64::from(n - k) * (1.0 - p).ln()).exp();
    let odds = p / (1.0 - p);
    let mut sum = 0.0;
    for i in k..=n {
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
        term *= f64::from(n - i) / f64::from(i + 1) * odds;
    }
    sum.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pains(list: &[Addressed]) -> Vec<usize> {
        list.iter().map(|a| a.pain).collect()
    }

    #[test]
    fn the_pain_its_authors_report_more_than_others_is_addressed() {
        // Pain 0 is the most common overall; this proposal's authors
        // report pain 2 far more often than anyone.
        let everyone = [40, 20, 10];
        let authors = Authors {
            reporting: vec![2, 1, 7],
        };
        let found = addressed(&authors, &everyone, &[]);
        assert_eq!(
            pains(&found),
            [2],
            "co-occurrence finds what the words miss"
        );
        assert_eq!((found[0].reporting, found[0].authors), (7, 10));
    }

    #[test]
    fn the_words_stand_beside_co_occurrence() {
        let everyone = [40, 20, 10];
        let authors = Authors {
            reporting: vec![2, 1, 7],
        };
        let found = addressed(&authors, &everyone, &[0]);
        assert_eq!(pains(&found), [0, 2]);
        assert_eq!(found[0].authors, 0, "linked by its words");
    }

    #[test]
    fn authors_like_everyone_else_leave_it_to_the_words() {
        let everyone = [40, 30, 30];
        let authors = Authors {
            reporting: vec![4, 3, 3],
        };
        let found = addressed(&authors, &everyone, &[1]);
        assert_eq!((pains(&found), found[0].authors), (vec![1], 0));
        assert!(addressed(&authors, &everyone, &[]).is_empty());
    }

    #[test]
    fn the_binomial_tail_is_right() {
        assert!((upper_tail(1, 1, 0.3) - 0.3).abs() < 1e-12);
        assert!((upper_tail(2, 3, 0.5) - 0.5).abs() < 1e-12);
        assert_eq!(upper_tail(0, 5, 0.1), 1.0);
        assert!(upper_tail(900, 1000, 0.5) < 1e-100);
        // Against the sum of every term, computed apart.
        let direct: f64 = (7..=20u32)
            .map(|i| {
                let choose: f64 = (1..=i)
                    .map(|j| f64::from(20 - i + j) / f64::from(j))
                    .product();
                choose * 0.2f64.powi(i as i32) * 0.8f64.powi(20 - i as i32)
            })
            .sum();
        assert!((upper_tail(7, 20, 0.2) - direct).abs() < 1e-12, "{direct}");
    }

    #[test]
    fn a_share_above_everyones_by_chance_is_not_a_link() {
        // 4 of 9 authors report pain 1, which a quarter of everyone
        // reports: likely enough by chance (p ~ 0.17).
        let everyone = [30, 25, 25, 20];
        let authors = Authors {
            reporting: vec![2, 4, 2, 1],
        };
        assert_eq!(addressed(&authors, &everyone, &[3])[0].pain, 3);
    }

    #[test]
    fn too_few_authors_leave_it_to_the_words_and_halves_both_count() {
        let everyone = [40, 20, 20];
        let few = Authors {
            reporting: vec![1, 1, 0],
        };
        let found = addressed(&few, &everyone, &[1]);
        assert_eq!(pains(&found), [1]);
        assert_eq!(found[0].authors, 0, "the words decided");
        let split = Authors {
            reporting: vec![1, 12, 10],
        };
        assert_eq!(pains(&addressed(&split, &[60, 20, 20], &[])), [1, 2]);
    }
}
