//! The one rule for breaking figures down by group (team): a group with
//! fewer than k answers is never shown, and never derivable from what is.
//!
//! Every page and export that breaks a figure down by team asks `disclose`
//! which cells it may show. Hiding the small groups alone is not enough: a
//! total shown beside the visible groups gives away the sum of the hidden
//! ones, which is a figure about fewer than k people when only one small
//! group is hidden, or several whose answers add up to fewer than k. So more
//! groups are hidden (the smallest first) until the hidden ones hold at
//! least k answers together, and when even all of them do not, the total is
//! hidden too.

/// Which groups of a breakdown may be shown, and whether the total may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    /// Per group, in the order given.
    pub shown: Vec<bool>,
    pub total_shown: bool,
}

impl Disclosure {
    pub fn any_hidden(&self) -> bool {
        self.shown.iter().any(|s| !s)
    }
}

/// `sizes[i]` is how many answers group i's figure is made of; `k` the
/// smallest group that may be shown (at least 1).
pub fn disclose(sizes: &[i64], k: i64) -> Disclosure {
    let k = k.max(1);
    let total: i64 = sizes.iter().sum();
    let mut shown: Vec<bool> = sizes.iter().map(|&n| n >= k).collect();
    let hidden_sum = |shown: &[bool]| -> i64 {
        sizes
            .iter()
            .zip(shown)
            .filter(|(_, s)| !**s)
            .map(|(n, _)| n)
            .sum()
    };
    if shown.iter().any(|s| !s) {
        // Smallest visible groups first: they cost the least to hide.
        let mut visible: Vec<usize> = (0..sizes.len()).filter(|&i| shown[i]).collect();
        visible.sort_by_key(|&i| (sizes[i], i));
        let mut next = visible.into_iter();
        while hidden_sum(&shown) < k {
            match next.next() {
                Some(i) => shown[i] = false,
                None => break,
            }
        }
    }
    let nothing_hidden = !shown.contains(&false);
    let hidden = hidden_sum(&shown);
    Disclosure {
        // A total under k is itself a small group; hidden groups that add up
        // to under k would be the total minus what is shown.
        total_shown: total >= k && (nothing_hidden || hidden >= k),
        shown,
    }
}

/// Whether a theme's figures in a round may be shown: a theme is a group
/// like any other, so one of fewer than k respondents shows its comments
/// but no figure (its respondents' hours, mean or severity would be theirs).
pub fn theme_shown(respondents: i64, k: i64) -> bool {
    respondents >= k.max(1)
}

/// Answers of one response about different tools must not be joinable
/// outside the database: the set of tools a response answered about is its
/// team's adoption, which would name a small team. So what pages and
/// exports show for an answer is derived from the response *and* the tool,
/// one way: a SHA-256 of both, which nobody without the response's random
/// id (a database reader) can link to the same response's other answers.
fn answer_digest(purpose: &str, tool_id: i64, response_id: i64) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(purpose.as_bytes());
    h.update(tool_id.to_be_bytes());
    h.update(response_id.to_be_bytes());
    h.finalize().into()
}

/// The handle a theme page gives one comment, for admins to move it.
pub fn comment_handle(tool_id: i64, response_id: i64) -> i64 {
    let d = answer_digest("infrapulse-comment-handle", tool_id, response_id);
    // 53 bits: positive, and exact as a number in a browser.
    i64::from_be_bytes(d[..8].try_into().expect("8 bytes")) & ((1 << 53) - 1)
}

/// The `response` cell of the responses export: one answer's opaque id,
/// as text a spreadsheet keeps (a number of 18 digits would be rounded).
pub fn export_answer_id(tool_id: i64, response_id: i64) -> String {
    let d = answer_digest("infrapulse-export-answer", tool_id, response_id);
    let mut out = String::from("a");
    for b in &d[..8] {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_answer_gets_unrelated_handles_on_different_tools() {
        let (a, b) = (comment_handle(1, 42), comment_handle(2, 42));
        assert_ne!(a, b);
        assert_eq!(a, comment_handle(1, 42), "stable for the page's forms");
        assert!((0..1 << 53).contains(&a));
        assert_ne!(export_answer_id(1, 42), export_answer_id(2, 42));
        assert_eq!(export_answer_id(1, 42).len(), 17);
        assert!(theme_shown(5, 5) && !theme_shown(4, 5) && theme_shown(1, 0));
    }

    #[test]
    fn groups_of_k_or_more_show_with_their_total() {
        let d = disclose(&[6, 5, 9], 5);
        assert_eq!(d.shown, [true, true, true]);
        assert!(d.total_shown && !d.any_hidden());
    }

    #[test]
    fn one_hidden_group_takes_the_next_smallest_with_it() {
        // 20 - 9 - 6 would give the 3-person team's figure away.
        let d = disclose(&[9, 3, 6, 12], 5);
        assert_eq!(d.shown, [true, false, false, true]);
        assert!(d.total_shown);
    }

    #[test]
    fn two_hidden_groups_that_add_up_to_under_k_are_not_enough() {
        let d = disclose(&[2, 2, 10, 7], 5);
        assert_eq!(d.shown, [false, false, true, false]);
        assert!(d.total_shown);
        let d = disclose(&[3, 4, 10], 5);
        assert_eq!(d.shown, [false, false, true], "3 + 4 >= 5 together");
        assert!(d.total_shown);
    }

    #[test]
    fn a_small_total_hides_everything() {
        let d = disclose(&[2, 2], 5);
        assert_eq!(d.shown, [false, false]);
        assert!(!d.total_shown);
        assert!(!disclose(&[4], 5).total_shown);
        assert!(!disclose(&[], 5).total_shown);
    }

    #[test]
    fn an_empty_group_is_hidden_like_any_small_one() {
        // "Team C: 0 answers" is a figure about fewer than k people.
        let d = disclose(&[10, 8, 0], 5);
        assert_eq!(d.shown, [true, false, false]);
        assert!(d.total_shown);
    }

    /// The promise itself, over many breakdowns: whatever is hidden, a reader
    /// who sees the shown groups and the total learns nothing about fewer
    /// than k answers.
    #[test]
    fn nothing_under_k_can_be_worked_out() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let k = 1 + (next() % 7) as i64;
            let groups = (next() % 7) as usize;
            let sizes: Vec<i64> = (0..groups).map(|_| (next() % 12) as i64).collect();
            let d = disclose(&sizes, k);
            for (i, &n) in sizes.iter().enumerate() {
                assert!(!d.shown[i] || n >= k, "{sizes:?} k={k}: {d:?}");
            }
            let hidden: i64 = sizes
                .iter()
                .zip(&d.shown)
                .filter(|(_, s)| !**s)
                .map(|(n, _)| n)
                .sum();
            if d.total_shown {
                let total: i64 = sizes.iter().sum();
                assert!(total >= k, "{sizes:?} k={k}");
                assert!(
                    !d.any_hidden() || hidden >= k,
                    "the hidden rest is derivable: {sizes:?} k={k}: {d:?}"
                );
            }
        }
    }
}
