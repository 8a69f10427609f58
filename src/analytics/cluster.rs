//! Grouping comments: TF-IDF vectors (stems, the concepts they belong to,
//! and which property the respondent rated lowest), then agglomerative
//! clustering by cosine similarity with a threshold, on the centroids of
//! groups, so paraphrases that share a concept meet and different topics
//! that share a property do not.
//!
//! Deterministic: the same documents in the same order give the same
//! groups; ties are broken by position, never by hashing.

use std::collections::HashMap;

use super::text::Reading;
use crate::domain::survey::Property;

/// A sparse vector: (term id, weight), sorted by term id.
pub type Vector = Vec<(u32, f32)>;

pub fn dot(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

pub fn norm(v: &[(u32, f32)]) -> f32 {
    v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt()
}

pub fn cosine(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let n = norm(a) * norm(b);
    if n == 0.0 { 0.0 } else { dot(a, b) / n }
}

/// `a += b * scale`.
pub fn add(a: &mut Vector, b: &[(u32, f32)], scale: f32) {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if j >= b.len() || (i < a.len() && a[i].0 < b[j].0) {
            out.push(a[i]);
            i += 1;
        } else if i >= a.len() || b[j].0 < a[i].0 {
            out.push((b[j].0, b[j].1 * scale));
            j += 1;
        } else {
            out.push((a[i].0, a[i].1 + b[j].1 * scale));
            i += 1;
            j += 1;
        }
    }
    *a = out;
}

/// A sum of sparse vectors built term by term. Adding costs the length of
/// the vector added, where `add` rebuilds the whole sum each time (the
/// centroid of a theme of 10,000 comments cost 10,000 copies of its
/// thousands of terms). Each term's additions happen in the order `add`
/// would make them, so the result is the same to the bit.
#[derive(Debug, Default)]
pub struct Sum(HashMap<u32, f32>);

impl Sum {
    pub fn add(&mut self, v: &[(u32, f32)], scale: f32) {
        for &(id, w) in v {
            *self.0.entry(id).or_insert(0.0) += w * scale;
        }
    }

    pub fn into_vector(self) -> Vector {
        let mut v: Vector = self.0.into_iter().collect();
        v.sort_unstable_by_key(|&(id, _)| id);
        v
    }
}

/// Vectors turned inside out (term → the vectors that have it, with its
/// weight there), so that one vector is compared with all of them in one
/// walk over its own few terms, where walking each pair cost the longer
/// vector's length (centroids and leaders together have thousands of
/// terms). The products are summed in term order, as `dot` sums them: the
/// same values, to the bit.
#[derive(Debug, Default)]
struct Inverted {
    /// By term id: (slot, weight).
    postings: Vec<Vec<(u32, f32)>>,
    len: usize,
}

impl Inverted {
    fn of<'a>(vectors: impl IntoIterator<Item = &'a Vector>) -> Self {
        let mut inverted = Inverted::default();
        for v in vectors {
            inverted.push(v);
        }
        inverted
    }

    /// Adds a vector; returns its slot (how many were pushed before it).
    fn push(&mut self, v: &[(u32, f32)]) -> usize {
        let slot = u32::try_from(self.len).expect("fewer than 2^32 vectors");
        for &(id, w) in v {
            let id = id as usize;
            if id >= self.postings.len() {
                self.postings.resize_with(id + 1, Vec::new);
            }
            self.postings[id].push((slot, w));
        }
        self.len += 1;
        self.len - 1
    }

    /// The dot of `v` with every vector pushed, into `dots`.
    fn dots(&self, v: &[(u32, f32)], dots: &mut Dots) {
        for g in dots.shared.drain(..) {
            dots.value[g] = 0.0;
        }
        dots.value.resize(self.len, 0.0);
        for &(id, w) in v {
            let postings = self
                .postings
                .get(id as usize)
                .map_or(&[][..], Vec::as_slice);
            for &(g, x) in postings {
                let g = g as usize;
                // TF-IDF weights are positive: a dot is 0 until a term is
                // shared, and positive after.
                if dots.value[g] == 0.0 {
                    dots.shared.push(g);
                }
                dots.value[g] += w * x;
            }
        }
    }
}

/// One vector's dots with the vectors of an `Inverted`: `value[g]` for
/// each (0 where no term is shared), and `shared` listing those that share
/// a term, so that clearing them for the next vector costs only those.
#[derive(Debug, Default)]
struct Dots {
    value: Vec<f32>,
    shared: Vec<usize>,
}

/// How strongly each kind of feature counts, against a word's 1.
const CONCEPT_WEIGHT: f32 = 1.0;
/// Low: what someone rated lowest hints at the topic, but two pains of one
/// property must not merge on it alone.
const LOW_RATING_WEIGHT: f32 = 0.3;

/// Term names and their document frequencies, for one corpus.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    ids: HashMap<String, u32>,
    pub names: Vec<String>,
    pub df: Vec<u32>,
    pub docs: u32,
}

impl Vocabulary {
    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(name.to_owned(), id);
        self.names.push(name.to_owned());
        self.df.push(0);
        id
    }

    pub fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    pub fn idf(&self, id: u32) -> f32 {
        let df = self.df.get(id as usize).copied().unwrap_or(0) as f32;
        ((1.0 + self.docs as f32) / (1.0 + df)).ln() + 1.0
    }

    /// Whether a term is a concept or rating feature rather than a word.
    pub fn is_signal(&self, id: u32) -> bool {
        self.names[id as usize].starts_with('§')
    }
}

/// What a word or concept counts, against 1 for the rating signal.
const MAIN: u32 = 3;

/// A document's features before weighting: term → count.
pub type Bag = Vec<(u32, u32)>;

/// The bag of one reading: its stems, its concepts, and the property its
/// respondent rated lowest (`low`).
pub fn bag(vocab: &mut Vocabulary, reading: &Reading, low: Option<Property>) -> Bag {
    let mut counts: HashMap<u32, u32> = HashMap::new();
    for stem in &reading.stems {
        *counts.entry(vocab.id(stem)).or_default() += MAIN;
    }
    for c in &reading.concepts {
        *counts.entry(vocab.id(&format!("§{c}"))).or_default() += MAIN;
    }
    // Proposals to replace the tool share what they are, whatever product
    // they name: "rewrite on Postgres" and "move off MongoDB" are one idea.
    if reading.replace {
        *counts.entry(vocab.id("§replace")).or_default() += MAIN;
    }
    if let Some(p) = low {
        *counts
            .entry(vocab.id(&format!("§low:{}", p.field())))
            .or_default() += 1;
    }
    let mut bag: Bag = counts.into_iter().collect();
    bag.sort_unstable();
    bag
}

/// Counts each bag's terms once per document into the document
/// frequencies: (bag, how many documents have it).
pub fn count_documents<'a>(vocab: &mut Vocabulary, bags: impl IntoIterator<Item = (&'a Bag, u32)>) {
    for (b, n) in bags {
        for (id, _) in b {
            vocab.df[*id as usize] += n;
        }
        vocab.docs += n;
    }
}

/// The unit TF-IDF vector of a bag.
pub fn vector(vocab: &Vocabulary, bag: &Bag) -> Vector {
    let mut v: Vector = bag
        .iter()
        .map(|&(id, tf)| {
            let name = &vocab.names[id as usize];
            let weight = if name.starts_with("§low:") {
                LOW_RATING_WEIGHT * vocab.idf(id)
            } else if name.starts_with('§') {
                CONCEPT_WEIGHT * vocab.idf(id)
            } else {
                vocab.idf(id)
            };
            (id, (1.0 + (tf as f32).ln()) * weight)
        })
        .collect();
    let n = norm(&v);
    if n > 0.0 {
        for (_, w) in &mut v {
            *w /= n;
        }
    }
    v
}

/// How similar two groups must be to merge.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// Groups whose centroids are at least this similar merge.
    pub merge: f32,
    /// A group smaller than `small` documents joins its nearest larger
    /// group if at least this similar.
    pub absorb: f32,
    pub small: usize,
}

/// Tuned on the labelled corpus (tests/api/corpus.rs) across seeds.
pub const THRESHOLDS: Thresholds = Thresholds {
    merge: 0.12,
    absorb: 0.10,
    small: 4,
};

/// Above this many distinct documents, a first pass gathers near-identical
/// ones under a leader so that the agglomerative step stays quadratic in
/// hundreds, not in tens of thousands.
const DIRECT_LIMIT: usize = 2500;
const LEADER_SIMILARITY: f32 = 0.72;

/// A group under construction: the sum of its members' unit vectors. Two
/// groups' similarity is average linkage, the mean cosine between a member
/// of one and a member of the other (members are unit vectors, so it is the
/// dot of the sums over the product of the sizes; see `Linkage`). Unlike
/// the cosine of centroids it does not let a broad group swallow
/// everything near it.
#[derive(Debug, Clone, Default)]
struct Group {
    sum: Vector,
    weight: usize,
    members: Vec<usize>,
}

impl Group {
    /// Takes `other`'s documents into this group.
    fn absorb(&mut self, other: Group) {
        add(&mut self.sum, &other.sum, 1.0);
        self.weight += other.weight;
        self.members.extend(other.members);
    }
}

/// Groups `vectors` (each standing for `weights[i]` identical documents);
/// returns each vector's group number, groups numbered by first member.
pub fn cluster(vectors: &[Vector], weights: &[usize], t: Thresholds) -> Vec<usize> {
    if vectors.is_empty() {
        return Vec::new();
    }
    // Start from single documents, or from leaders when there are many.
    let mut groups: Vec<Group> = if vectors.len() <= DIRECT_LIMIT {
        vectors
            .iter()
            .enumerate()
            .map(|(i, v)| Group {
                sum: v
                    .iter()
                    .map(|&(id, w)| (id, w * weights[i] as f32))
                    .collect(),
                weight: weights[i],
                members: vec![i],
            })
            .collect()
    } else {
        leaders(vectors, weights)
    };
    agglomerate(&mut groups, t.merge);
    absorb_small(&mut groups, t);
    // Each document to the group it is now most like: order of merging
    // no longer decides where a mixed-topic comment lands.
    let centroids: Vec<&Vector> = groups.iter().map(|g| &g.sum).collect();
    let mut assignment = vec![0; vectors.len()];
    for (g, group) in groups.iter().enumerate() {
        for &m in &group.members {
            assignment[m] = g;
        }
    }
    let mut centroids: Vec<Vector> = centroids.into_iter().cloned().collect();
    // Two passes: move each document, then once more against the moved
    // centroids; stop early when nothing moves.
    let mut dots = Dots::default();
    let mut similarities = vec![0.0; centroids.len()];
    for _ in 0..2 {
        let mut moved = false;
        let inverted = Inverted::of(&centroids);
        let norms: Vec<f32> = centroids.iter().map(|c| norm(c)).collect();
        for (i, v) in vectors.iter().enumerate() {
            let current = assignment[i];
            // As `cosine(v, centroid)`, for every centroid at once.
            inverted.dots(v, &mut dots);
            let nv = norm(v);
            for ((s, &d), nc) in similarities.iter_mut().zip(&dots.value).zip(&norms) {
                let n = nv * nc;
                *s = if n == 0.0 { 0.0 } else { d / n };
            }
            let mut best = (similarities[current], current);
            for (g, &s) in similarities.iter().enumerate() {
                if s > best.0 + 1e-6 {
                    best = (s, g);
                }
            }
            moved |= best.1 != current;
            assignment[i] = best.1;
        }
        if !moved {
            break;
        }
        let mut sums: Vec<Sum> = centroids.iter().map(|_| Sum::default()).collect();
        for (i, v) in vectors.iter().enumerate() {
            sums[assignment[i]].add(v, weights[i] as f32);
        }
        centroids = sums.into_iter().map(Sum::into_vector).collect();
    }
    renumber(assignment)
}

/// Numbers groups 0, 1, … in order of their first document.
pub(super) fn renumber(assignment: Vec<usize>) -> Vec<usize> {
    let mut map: HashMap<usize, usize> = HashMap::new();
    assignment
        .into_iter()
        .map(|g| {
            let next = map.len();
            *map.entry(g).or_insert(next)
        })
        .collect()
}

/// One pass: each document joins the first leader it is close to, else
/// leads a group of its own. Heaviest documents lead first.
fn leaders(vectors: &[Vector], weights: &[usize]) -> Vec<Group> {
    let mut order: Vec<usize> = (0..vectors.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(weights[i]), i));
    let mut groups: Vec<Group> = Vec::new();
    let mut sums: Vec<Sum> = Vec::new();
    // The leaders' vectors, to compare each document only with those that
    // share a term with it.
    let mut leading = Inverted::default();
    let mut dots = Dots::default();
    for i in order {
        let v = &vectors[i];
        leading.dots(v, &mut dots);
        let best = dots
            .shared
            .iter()
            .map(|&g| (dots.value[g], g))
            .filter(|(s, _)| *s >= LEADER_SIMILARITY)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        match best {
            Some((_, g)) => {
                sums[g].add(v, weights[i] as f32);
                groups[g].weight += weights[i];
                groups[g].members.push(i);
            }
            None => {
                leading.push(v);
                let mut sum = Sum::default();
                sum.add(v, weights[i] as f32);
                sums.push(sum);
                groups.push(Group {
                    sum: Vector::new(),
                    weight: weights[i],
                    members: vec![i],
                });
            }
        }
    }
    for (group, sum) in groups.iter_mut().zip(sums) {
        group.sum = sum.into_vector();
    }
    groups
}

/// Merges the two most similar groups while any pair is at least `threshold`
/// alike (average linkage), keeping each group's best partner to avoid
/// comparing every pair after every merge.
fn agglomerate(groups: &mut Vec<Group>, threshold: f32) {
    let n = groups.len();
    let mut alive = vec![true; n];
    let mut linkage = Linkage::of(groups);
    let mut row = vec![0.0; n];
    let mut best: Vec<(f32, usize)> = (0..n)
        .map(|i| {
            linkage.row(groups, &alive, i, &mut row);
            best_in(&row, &alive, i)
        })
        .collect();
    let mut merged_row = vec![0.0; n];
    while let Some(i) = (0..n)
        .filter(|&i| alive[i] && best[i].1 != usize::MAX)
        .max_by(|&a, &b| best[a].0.total_cmp(&best[b].0).then(b.cmp(&a)))
    {
        let (s, j) = best[i];
        if s < threshold {
            break;
        }
        let (keep, gone) = (i.min(j), i.max(j));
        let other = std::mem::take(&mut groups[gone]);
        let stale = groups[keep].sum.len() + other.sum.len();
        groups[keep].absorb(other);
        alive[gone] = false;
        linkage.renew(groups, &alive, keep, stale);
        linkage.row(groups, &alive, keep, &mut merged_row);
        best[keep] = best_in(&merged_row, &alive, keep);
        for k in 0..n {
            if !alive[k] || k == keep {
                continue;
            }
            if best[k].1 == keep || best[k].1 == gone {
                linkage.row(groups, &alive, k, &mut row);
                best[k] = best_in(&row, &alive, k);
            } else if merged_row[k] > best[k].0 {
                best[k] = (merged_row[k], keep);
            }
        }
    }
    let mut kept: Vec<Group> = Vec::new();
    for (g, a) in std::mem::take(groups).into_iter().zip(alive) {
        if a {
            kept.push(g);
        }
    }
    *groups = kept;
}

/// The most similar other live group in `row` (the first on ties), as
/// `(similarity, group)`; `usize::MAX` when there is none.
pub(super) fn best_in(row: &[f32], alive: &[bool], i: usize) -> (f32, usize) {
    let mut best = (f32::MIN, usize::MAX);
    for (j, &s) in row.iter().enumerate() {
        if j != i && alive[j] && s > best.0 {
            best = (s, j);
        }
    }
    best
}

/// The groups' sums, inverted, so that one group's similarity with every
/// other costs the postings of its own terms: the agglomeration starts from
/// thousands of leaders, and walking each pair of sums (n² merge walks of
/// dozens of terms) was most of a grouping's time. A group that changes is
/// pushed again under a new slot; the old slots' postings are skipped, and
/// dropped when they outnumber the live ones.
struct Linkage {
    inverted: Inverted,
    /// Each group's current slot.
    slot: Vec<usize>,
    live: usize,
    stale: usize,
    dots: Dots,
}

impl Linkage {
    fn of(groups: &[Group]) -> Self {
        Linkage {
            inverted: Inverted::of(groups.iter().map(|g| &g.sum)),
            slot: (0..groups.len()).collect(),
            live: groups.iter().map(|g| g.sum.len()).sum(),
            stale: 0,
            dots: Dots::default(),
        }
    }

    /// The similarity of group `i` with every live group `j`, into
    /// `row[j]`: the dot of their sums (products added in term order, as
    /// `dot` adds them, so the same value to the bit) over the product of
    /// their sizes.
    fn row(&mut self, groups: &[Group], alive: &[bool], i: usize, row: &mut [f32]) {
        self.inverted.dots(&groups[i].sum, &mut self.dots);
        let weight = groups[i].weight as f32;
        for (j, out) in row.iter_mut().enumerate() {
            if alive[j] {
                *out = self.dots.value[self.slot[j]] / (weight * groups[j].weight as f32);
            }
        }
    }

    /// Group `keep` absorbed another: the two old sums' postings (`stale`
    /// of them) go stale and its new sum is pushed; the index is rebuilt
    /// when stale postings outnumber live ones.
    fn renew(&mut self, groups: &[Group], alive: &[bool], keep: usize, stale: usize) {
        self.live = self.live - stale + groups[keep].sum.len();
        self.stale += stale;
        if self.stale > self.live {
            self.inverted = Inverted::default();
            for (g, group) in groups.iter().enumerate() {
                if alive[g] {
                    self.slot[g] = self.inverted.push(&group.sum);
                }
            }
            self.stale = 0;
        } else {
            self.slot[keep] = self.inverted.push(&groups[keep].sum);
        }
    }
}

/// Groups of fewer than `t.small` documents join their nearest larger group
/// when at all alike: a theme of one comment helps nobody.
fn absorb_small(groups: &mut Vec<Group>, t: Thresholds) {
    let (small, large): (Vec<usize>, Vec<usize>) =
        (0..groups.len()).partition(|&g| groups[g].weight < t.small);
    if large.is_empty() {
        return;
    }
    let mut linkage = Linkage::of(groups);
    let alive = vec![true; groups.len()];
    let mut row = vec![0.0; groups.len()];
    let mut moves: Vec<(usize, usize)> = Vec::new();
    for &s in &small {
        linkage.row(groups, &alive, s, &mut row);
        let best = large
            .iter()
            .map(|&l| (row[l], l))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((sim, l)) = best
            && sim >= t.absorb
        {
            moves.push((s, l));
        }
    }
    for &(s, l) in &moves {
        let small = std::mem::take(&mut groups[s]);
        groups[l].absorb(small);
    }
    groups.retain(|g| !g.members.is_empty());
}

/// The words that weigh most in a centroid (signals left out), best first.
pub fn top_terms(vocab: &Vocabulary, c: &[(u32, f32)], n: usize) -> Vec<u32> {
    let mut terms: Vec<(u32, f32)> = c
        .iter()
        .filter(|(id, _)| !vocab.is_signal(*id))
        .copied()
        .collect();
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    terms.into_iter().take(n).map(|(id, _)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[(u32, f32)]) -> Vector {
        let n = norm(v);
        v.iter().map(|&(i, w)| (i, w / n)).collect()
    }

    #[test]
    fn sparse_arithmetic() {
        let a = vec![(1, 1.0), (3, 2.0)];
        let b = vec![(1, 2.0), (2, 5.0), (3, 1.0)];
        assert_eq!(dot(&a, &b), 4.0);
        let mut c = a.clone();
        add(&mut c, &b, 0.5);
        assert_eq!(c, vec![(1, 2.0), (2, 2.5), (3, 2.5)]);
        assert!((cosine(&a, &a) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn alike_documents_group_and_different_ones_do_not() {
        let v = vec![
            unit(&[(0, 1.0), (1, 1.0)]),
            unit(&[(0, 1.0), (1, 0.9), (2, 0.1)]),
            unit(&[(5, 1.0), (6, 1.0)]),
            unit(&[(5, 1.0), (6, 1.0), (7, 0.2)]),
            unit(&[(0, 0.9), (1, 1.0)]),
        ];
        let groups = cluster(&v, &[1; 5], THRESHOLDS);
        assert_eq!(groups, [0, 0, 1, 1, 0]);
        assert_eq!(cluster(&v, &[1; 5], THRESHOLDS), groups, "deterministic");
    }

    /// Average linkage of two groups, walking both sums.
    fn similarity(a: &Group, b: &Group) -> f32 {
        dot(&a.sum, &b.sum) / (a.weight as f32 * b.weight as f32)
    }

    /// The agglomeration as it was before `Linkage`: every similarity
    /// computed pair by pair.
    fn agglomerate_pairwise(groups: &mut Vec<Group>, threshold: f32) {
        let n = groups.len();
        let mut alive = vec![true; n];
        let best_of = |groups: &[Group], alive: &[bool], i: usize| {
            let mut best = (f32::MIN, usize::MAX);
            for j in 0..groups.len() {
                if j != i && alive[j] {
                    let s = similarity(&groups[i], &groups[j]);
                    if s > best.0 {
                        best = (s, j);
                    }
                }
            }
            best
        };
        let mut best: Vec<(f32, usize)> = (0..n).map(|i| best_of(groups, &alive, i)).collect();
        while let Some(i) = (0..n)
            .filter(|&i| alive[i] && best[i].1 != usize::MAX)
            .max_by(|&a, &b| best[a].0.total_cmp(&best[b].0).then(b.cmp(&a)))
        {
            let (s, j) = best[i];
            if s < threshold {
                break;
            }
            let (keep, gone) = (i.min(j), i.max(j));
            let other = std::mem::take(&mut groups[gone]);
            groups[keep].absorb(other);
            alive[gone] = false;
            best[keep] = best_of(groups, &alive, keep);
            for k in 0..n {
                if !alive[k] || k == keep {
                    continue;
                }
                if best[k].1 == keep || best[k].1 == gone {
                    best[k] = best_of(groups, &alive, k);
                } else {
                    let s = similarity(&groups[k], &groups[keep]);
                    if s > best[k].0 {
                        best[k] = (s, keep);
                    }
                }
            }
        }
        groups.retain(|g| g.weight > 0);
    }

    /// Random unit vectors around a few topics: a few hundred points that
    /// merge in many steps, into groups of very different lengths.
    fn topical_points(seed: u64, n: usize) -> Vec<(Vector, usize)> {
        let mut state = seed;
        let mut next = move |bound: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % bound
        };
        (0..n)
            .map(|_| {
                let topic = next(6) as u32 * 40;
                let mut terms: Vec<(u32, f32)> = (0..3 + next(8))
                    .map(|_| {
                        let id = if next(4) == 0 {
                            next(300) as u32
                        } else {
                            topic + next(40) as u32
                        };
                        (id, 0.2 + next(100) as f32 / 50.0)
                    })
                    .collect();
                terms.sort_by_key(|&(id, _)| id);
                terms.dedup_by_key(|&mut (id, _)| id);
                (unit(&terms), 1 + next(3) as usize)
            })
            .collect()
    }

    #[test]
    fn inverted_agglomeration_merges_exactly_as_pairwise_comparison() {
        for seed in [1, 7, 42, 2026] {
            let points = topical_points(seed, 400);
            let start: Vec<Group> = points
                .iter()
                .enumerate()
                .map(|(i, (v, w))| {
                    let sum = v.iter().map(|&(id, x)| (id, x * *w as f32)).collect();
                    Group {
                        sum,
                        weight: *w,
                        members: vec![i],
                    }
                })
                .collect();
            for threshold in [0.05, 0.12, 0.3] {
                let (mut fast, mut slow) = (start.clone(), start.clone());
                agglomerate(&mut fast, threshold);
                agglomerate_pairwise(&mut slow, threshold);
                let members =
                    |gs: &[Group]| gs.iter().map(|g| g.members.clone()).collect::<Vec<_>>();
                assert_eq!(
                    members(&fast),
                    members(&slow),
                    "seed {seed}, threshold {threshold}"
                );
                assert!(
                    fast.len() > 1 && fast.len() < points.len() / 2,
                    "many merges: {} groups",
                    fast.len()
                );
                let sums = |gs: &[Group]| gs.iter().map(|g| g.sum.clone()).collect::<Vec<_>>();
                assert_eq!(sums(&fast), sums(&slow), "the same sums, to the bit");
            }
        }
    }
}
