//! How many themes: the second stage of grouping.
//!
//! Shared words (`cluster`) make groups that are nearly always right but
//! split one pain told in different words into many ("jobs vanish", "the
//! worker never picks some runs up", "ghost schedules"). Here those groups
//! gather by what they mean and by what the same people said alongside:
//! the fixes a pain's authors propose (and the pains a proposal's authors
//! report) are alike when the pains are, whatever the words. Groups merge,
//! most alike first (average linkage over the groups, by size), until no
//! more than `MAX_THEMES` remain; a group too small to stand on its own
//! then joins the one it is most like, if it is like any.
//!
//! Deterministic: ties go to the lower index.

use super::cluster::best_in;

/// A stage-one group, described for gathering.
#[derive(Debug, Clone)]
pub struct Group {
    pub members: Vec<usize>,
    /// Groups of different kinds (a fix and a replacement of the tool)
    /// never merge.
    pub kind: bool,
    /// A theme that already exists: new groups may join it, but two
    /// existing themes never merge (new answers joining do not reorganise
    /// what admins have seen).
    pub fixed: bool,
    /// Unit vector: what the group is about (see `features`).
    pub features: Vec<f32>,
}

/// A planning meeting acts on a handful of themes per tool: beyond eight,
/// more themes are the same pains cut finer, and each looks smaller than
/// the pain it is part of.
pub const MAX_THEMES: usize = 8;

/// A theme of fewer comments than this joins the one it is most like, if
/// they are at least `SMALL_JOIN` alike: a pain two people share and
/// nobody else has stays a theme of its own (shown without figures under
/// the anonymity k), rather than muddying another.
pub const MIN_THEME: usize = 3;
pub const SMALL_JOIN: f32 = 0.25;

/// How much what the same people said alongside counts, against 1 for
/// what the comments themselves mean.
pub const PARTNER_WEIGHT: f32 = 0.7;

/// How much the property the authors rated lowest counts: it helps on
/// some sets of comments and misleads on others, so it stays a hint.
pub const LOW_WEIGHT: f32 = 0.3;

/// A group's features: the unit mean of its members' meanings, the unit
/// mean of their partners' (what the same answers said in the other
/// field), and how often each property was rated lowest, weighted and
/// joined into one unit vector.
pub fn features(meaning: &[f32], partner: &[f32], low: &[f32]) -> Vec<f32> {
    let unit = |v: &[f32], scale: f32| {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter()
            .map(move |x| if n > 0.0 { x / n * scale } else { 0.0 })
            .collect::<Vec<f32>>()
    };
    let mut out = unit(meaning, 1.0);
    out.extend(unit(partner, PARTNER_WEIGHT));
    out.extend(low.iter().map(|x| x * LOW_WEIGHT));
    unit(&out, 1.0)
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Gathers `groups` into at most `cap` themes (unless more are fixed);
/// returns, for each group, the index of the group it joined (itself if
/// it stayed): a fixed group where there was one, else the first.
pub fn gather(groups: &[Group], cap: usize) -> Vec<usize> {
    let n = groups.len();
    // Similarity between current clusters (average linkage, kept up to
    // date by the Lance-Williams rule); different kinds never merge.
    let mut sim: Vec<Vec<f32>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    if groups[i].kind == groups[j].kind && !(groups[i].fixed && groups[j].fixed) {
                        dot(&groups[i].features, &groups[j].features)
                    } else {
                        f32::NEG_INFINITY
                    }
                })
                .collect()
        })
        .collect();
    // Comments per cluster.
    let mut weight: Vec<f32> = groups.iter().map(|g| g.members.len() as f32).collect();
    let mut alive = vec![true; n];
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    // Different kinds (-inf) are never a best: `best_in` starts above it.
    let mut best: Vec<(f32, usize)> = (0..n).map(|i| best_in(&sim[i], &alive, i)).collect();
    let mut count = n;
    // Merge while there are too many themes, or a theme too small.
    loop {
        let small = |i: usize| weight[i] < MIN_THEME as f32;
        let pick = (0..n)
            .filter(|&i| alive[i] && best[i].1 != usize::MAX)
            .filter(|&i| count > cap || ((small(i) || small(best[i].1)) && best[i].0 >= SMALL_JOIN))
            .max_by(|&a, &b| {
                // Too many themes: the most alike pair. Otherwise the
                // small themes only, most alike first.
                best[a].0.total_cmp(&best[b].0).then(b.cmp(&a))
            });
        let Some(i) = pick else { break };
        let j = best[i].1;
        // A fixed group keeps its place: the other joins it.
        let (keep, gone) = if groups[i.max(j)].fixed && !groups[i.min(j)].fixed {
            (i.max(j), i.min(j))
        } else {
            (i.min(j), i.max(j))
        };
        let (wk, wg) = (weight[keep], weight[gone]);
        for k in 0..n {
            if alive[k] && k != keep && k != gone {
                let s = (wk * sim[keep][k] + wg * sim[gone][k]) / (wk + wg);
                sim[keep][k] = s;
                sim[k][keep] = s;
            }
        }
        weight[keep] += wg;
        alive[gone] = false;
        let moved = std::mem::take(&mut members[gone]);
        members[keep].extend(moved);
        count -= 1;
        best[keep] = best_in(&sim[keep], &alive, keep);
        for k in 0..n {
            if alive[k] && k != keep && (best[k].1 == keep || best[k].1 == gone) {
                best[k] = best_in(&sim[k], &alive, k);
            } else if alive[k] && k != keep && sim[k][keep] > best[k].0 {
                best[k] = (sim[k][keep], keep);
            }
        }
    }
    let mut joined = vec![0; n];
    for (head, ids) in members.iter().enumerate() {
        for &g in ids {
            joined[g] = head;
        }
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(members: &[usize], kind: bool, f: &[f32]) -> Group {
        let n = f.iter().map(|x| x * x).sum::<f32>().sqrt();
        Group {
            members: members.to_vec(),
            kind,
            fixed: false,
            features: f.iter().map(|x| x / n).collect(),
        }
    }

    #[test]
    fn alike_groups_gather_down_to_the_cap() {
        let groups = vec![
            group(&[0, 1, 2], false, &[1.0, 0.1, 0.0]),
            group(&[3, 4, 5], false, &[0.0, 1.0, 0.1]),
            group(&[6, 7, 8], false, &[0.9, 0.2, 0.0]),
            group(&[9, 10, 11], false, &[0.1, 0.9, 0.0]),
        ];
        assert_eq!(gather(&groups, 2), [0, 1, 0, 1]);
        assert_eq!(
            gather(&groups, 4),
            [0, 1, 2, 3],
            "under the cap, nothing merges"
        );
    }

    #[test]
    fn kinds_never_merge_and_small_groups_join() {
        let groups = vec![
            group(&[0, 1, 2, 3], false, &[1.0, 0.0]),
            group(&[4, 5, 6, 7], true, &[1.0, 0.0]),
            group(&[8], false, &[0.0, 1.0]),
        ];
        assert_eq!(gather(&groups, 1), [0, 1, 0], "over the cap, even unlike");
        assert_eq!(gather(&groups, 3), [0, 1, 2], "a small unlike group stays");
        let alike = vec![
            group(&[0, 1, 2, 3], false, &[1.0, 0.0]),
            group(&[8], false, &[0.8, 0.6]),
        ];
        assert_eq!(gather(&alike, 8), [0, 0], "a small alike group joins");
    }

    #[test]
    fn existing_themes_take_new_groups_and_never_merge() {
        let mut groups = vec![
            group(&[0, 1, 2], false, &[1.0, 0.0]),
            group(&[3, 4, 5], false, &[0.9, 0.1]),
            group(&[6, 7, 8], false, &[1.0, 0.05]),
        ];
        groups[1].fixed = true;
        groups[2].fixed = true;
        assert_eq!(
            gather(&groups, 1),
            [2, 1, 2],
            "the new group joins; 2 fixed stay"
        );
    }

    #[test]
    fn features_weigh_the_partner_and_the_rating_less() {
        let f = features(&[2.0, 0.0], &[0.0, 3.0], &[0.0, 0.0, 0.0, 0.0, 1.0]);
        let n = (1.0 + PARTNER_WEIGHT.powi(2) + LOW_WEIGHT.powi(2)).sqrt();
        let want = [
            1.0 / n,
            0.0,
            0.0,
            PARTNER_WEIGHT / n,
            0.0,
            0.0,
            0.0,
            0.0,
            LOW_WEIGHT / n,
        ];
        for (a, b) in f.iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{f:?}");
        }
    }
}
