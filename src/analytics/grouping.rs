//! One corpus of comments (a tool's pains, or its proposals) read into
//! vectors, grouped, and described: what a group is called, which property
//! it is about, whether it proposes replacing the tool, and why each
//! comment is in it. Pure: the database side is `analytics::themes`.

use std::collections::HashMap;
use std::rc::Rc;

pub use super::cluster::Vector;
use super::cluster::{self, Bag, THRESHOLDS, Vocabulary, renumber};
use super::text::{Reader, Reading, surface_forms, word_counts};
use crate::domain::survey::Property;

/// One comment to group: its text and the property its author rated
/// lowest, if one stood out.
#[derive(Debug, Clone)]
pub struct Comment<'a> {
    pub text: &'a str,
    pub low: Option<Property>,
}

/// A comment read: its words and concepts, and its unit TF-IDF vector
/// (shared by the comments that say the same).
#[derive(Debug, Clone)]
pub struct Doc {
    pub reading: Rc<Reading>,
    pub low: Option<Property>,
    bag: Rc<Bag>,
    pub vector: Rc<Vector>,
}

/// A corpus read into one vector space.
pub struct Space {
    pub vocab: Vocabulary,
    pub docs: Vec<Doc>,
    /// Stem → the word people wrote most for it.
    surface: HashMap<String, String>,
}

/// Below this many distinct texts per core, one thread reads them all.
const READ_CHUNK: usize = 2000;

/// How alike a comment must be to a theme to join it without regrouping.
pub const JOIN: f32 = 0.22;

/// What a group of comments is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    /// Its top words, as people wrote them.
    pub terms: Vec<String>,
    pub property: Option<Property>,
    /// Most of its comments propose replacing the tool.
    pub replace: bool,
    /// Term name → weight (unit length), comparable across corpora: what
    /// proposal-to-pain links are worked out from.
    pub profile: Vec<(String, f32)>,
}

impl Description {
    /// A label from the theme's top `n` words.
    pub fn label(&self, n: usize) -> String {
        if self.terms.is_empty() {
            return "(no common words)".to_owned();
        }
        self.terms
            .iter()
            .take(n)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Space {
    /// Reads `comments`; `proposal` says whether they are proposals (only
    /// those can be replaces).
    ///
    /// Everything but the document frequencies depends only on a comment's
    /// text (and the rating it came with), and answers repeat: each
    /// distinct text is tokenised, stemmed and read once, on every core,
    /// and comments saying the same share one reading, bag and vector.
    pub fn read(comments: &[Comment], proposal: bool) -> Space {
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut distinct: Vec<(&str, u32)> = Vec::new();
        let at: Vec<usize> = comments
            .iter()
            .map(|c| {
                let i = *index.entry(c.text).or_insert_with(|| {
                    distinct.push((c.text, 0));
                    distinct.len() - 1
                });
                distinct[i].1 += 1;
                i
            })
            .collect();
        let counts = word_counts(distinct.iter().copied());
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = distinct.len().div_ceil(cores).max(READ_CHUNK);
        let read: Vec<Rc<Reading>> = std::thread::scope(|scope| {
            let parts: Vec<_> = distinct
                .chunks(chunk)
                .map(|part| {
                    let counts = &counts;
                    scope.spawn(move || {
                        let mut reader = Reader::with_counts(counts);
                        part.iter()
                            .map(|(t, _)| reader.read(t, proposal))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().expect("reading comments does not panic"))
                .map(Rc::new)
                .collect()
        });
        // Bags are made in the comments' order, so terms are numbered as
        // they first occur, whatever repeats.
        let mut vocab = Vocabulary::default();
        let mut bag_of: HashMap<(usize, Option<Property>), usize> = HashMap::new();
        let mut bags: Vec<(Bag, u32)> = Vec::new();
        let doc_bags: Vec<usize> = comments
            .iter()
            .zip(&at)
            .map(|(c, &text)| {
                let b = *bag_of.entry((text, c.low)).or_insert_with(|| {
                    bags.push((cluster::bag(&mut vocab, &read[text], c.low), 0));
                    bags.len() - 1
                });
                bags[b].1 += 1;
                b
            })
            .collect();
        cluster::count_documents(&mut vocab, bags.iter().map(|(b, n)| (b, *n)));
        let shared: Vec<(Rc<Bag>, Rc<Vector>)> = bags
            .into_iter()
            .map(|(b, _)| {
                let v = cluster::vector(&vocab, &b);
                (Rc::new(b), Rc::new(v))
            })
            .collect();
        let docs = comments
            .iter()
            .zip(at.iter().zip(doc_bags))
            .map(|(c, (&text, b))| Doc {
                reading: Rc::clone(&read[text]),
                low: c.low,
                bag: Rc::clone(&shared[b].0),
                vector: Rc::clone(&shared[b].1),
            })
            .collect();
        let surface = surface_forms(&counts);
        Space {
            vocab,
            docs,
            surface,
        }
    }

    /// Groups the documents `members`: returns, for each, its group number
    /// (0, 1, … in order of first member). Replace proposals and targeted
    /// ones never share a group: a rewrite is a different kind of answer
    /// from a fix, whatever pain it names.
    pub fn group(&self, members: &[usize]) -> Vec<usize> {
        let mut out = vec![usize::MAX; members.len()];
        let mut next = 0;
        for replace in [false, true] {
            let part: Vec<usize> = (0..members.len())
                .filter(|&i| self.docs[members[i]].reading.replace == replace)
                .collect();
            // Identical bags are one point with a weight: templated and
            // copied answers cost nothing extra.
            let mut index: HashMap<&Rc<Bag>, usize> = HashMap::new();
            let mut vectors: Vec<Vector> = Vec::new();
            let mut weights: Vec<usize> = Vec::new();
            let mut point_of = Vec::with_capacity(part.len());
            for &i in &part {
                let doc = &self.docs[members[i]];
                let p = *index.entry(&doc.bag).or_insert_with(|| {
                    vectors.push(Vector::clone(&doc.vector));
                    weights.push(0);
                    vectors.len() - 1
                });
                weights[p] += 1;
                point_of.push(p);
            }
            let groups = cluster::cluster(&vectors, &weights, THRESHOLDS);
            let count = groups.iter().max().map_or(0, |m| m + 1);
            for (k, &i) in part.iter().enumerate() {
                out[i] = next + groups[point_of[k]];
            }
            next += count;
        }
        renumber(out)
    }

    /// Groups proposals (`members`), then joins groups that address the
    /// same pain of `pains`, or both replace the tool, and are at all
    /// alike: "run it in HA" and "failover with a status page" are one
    /// answer to outages however they are worded, "move to serverless"
    /// and "get rid of Kubernetes" one wish to leave it, and counting them
    /// apart would let a smaller but uniformly worded proposal look like
    /// the most popular one.
    pub fn group_by_pain(&self, members: &[usize], pains: &[Description]) -> Vec<usize> {
        #[derive(PartialEq)]
        enum Aim {
            Pain(usize),
            Replace,
        }
        let groups = self.group(members);
        let count = groups.iter().max().map_or(0, |m| m + 1);
        let mut docs_of: Vec<Vec<usize>> = vec![Vec::new(); count];
        for (k, g) in groups.iter().enumerate() {
            docs_of[*g].push(members[k]);
        }
        let addressed: Vec<Option<Aim>> = docs_of
            .iter()
            .map(|ds| {
                let d = self.describe(ds);
                if d.replace {
                    Some(Aim::Replace)
                } else {
                    best_pain(&d, pains).map(Aim::Pain)
                }
            })
            .collect();
        let sums: Vec<Vector> = docs_of.iter().map(|ds| self.centroid(ds)).collect();
        // Union of groups by pain, most alike pairs first.
        let mut parent: Vec<usize> = (0..count).collect();
        fn root(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        for a in 0..count {
            for b in a + 1..count {
                if addressed[a].is_none() || addressed[a] != addressed[b] {
                    continue;
                }
                let alike =
                    cluster::dot(&sums[a], &sums[b]) / (docs_of[a].len() * docs_of[b].len()) as f32;
                if alike >= LINKED_MERGE {
                    let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                    parent[ra.max(rb)] = ra.min(rb);
                }
            }
        }
        let joined: Vec<usize> = groups.iter().map(|&g| root(&mut parent, g)).collect();
        renumber(joined)
    }

    /// The centroid of documents `members`.
    pub fn centroid(&self, members: &[usize]) -> Vector {
        let mut c = cluster::Sum::default();
        for &m in members {
            c.add(&self.docs[m].vector, 1.0);
        }
        c.into_vector()
    }

    /// How alike a document is to a centroid.
    pub fn similarity(&self, doc: usize, centroid: &[(u32, f32)]) -> f32 {
        cluster::cosine(&self.docs[doc].vector, centroid)
    }

    /// What the documents `members` are about.
    pub fn describe(&self, members: &[usize]) -> Description {
        let c = self.centroid(members);
        let terms = cluster::top_terms(&self.vocab, &c, 5)
            .into_iter()
            .map(|id| self.surface_of(id))
            .collect();
        let replace = members
            .iter()
            .filter(|&&m| self.docs[m].reading.replace)
            .count()
            * 2
            >= members.len().max(1);
        let norm = cluster::norm(&c);
        let profile = c
            .iter()
            .filter(|(id, _)| !self.vocab.names[*id as usize].starts_with("§low:"))
            .map(|&(id, w)| {
                (
                    self.vocab.names[id as usize].clone(),
                    w / norm.max(f32::MIN_POSITIVE),
                )
            })
            .collect();
        Description {
            terms,
            property: self.property_of(members),
            replace,
            profile,
        }
    }

    /// The property most of a group's comments point at by their words;
    /// failing that, the one most of its authors rated lowest.
    fn property_of(&self, members: &[usize]) -> Option<Property> {
        let n = members.len();
        let tally = |pick: &dyn Fn(&Doc) -> Vec<Property>| {
            let mut counts: Vec<(Property, usize)> =
                Property::ALL.iter().map(|&p| (p, 0)).collect();
            for &m in members {
                for p in pick(&self.docs[m]) {
                    if let Some(slot) = counts.iter_mut().find(|(q, _)| *q == p) {
                        slot.1 += 1;
                    }
                }
            }
            // Highest count; ties go to the earlier property in ALL.
            counts
                .into_iter()
                .rev()
                .max_by_key(|&(_, c)| c)
                .filter(|&(_, c)| c > 0)
        };
        if let Some((p, c)) = tally(&|d| d.reading.properties.clone())
            && c * 10 >= n * 3
        {
            return Some(p);
        }
        tally(&|d| d.low.into_iter().collect())
            .filter(|&(_, c)| c * 10 >= n * 4)
            .map(|(p, _)| p)
    }

    /// Why a document is in a theme: the words and signals it shares with
    /// the theme's centroid, strongest first.
    pub fn reason(&self, doc: usize, centroid: &[(u32, f32)]) -> String {
        let d = &self.docs[doc];
        let mut shared: Vec<(f32, u32)> = d
            .vector
            .iter()
            .filter_map(|&(id, w)| {
                centroid
                    .binary_search_by_key(&id, |&(i, _)| i)
                    .ok()
                    .map(|k| (w * centroid[k].1, id))
            })
            .collect();
        shared.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut words = Vec::new();
        let mut signals = Vec::new();
        for (_, id) in shared.into_iter().take(6) {
            let name = &self.vocab.names[id as usize];
            if let Some(p) = name.strip_prefix("§low:") {
                signals.push(format!("rated {p} lowest"));
            } else if let Some(concept) = name.strip_prefix('§') {
                signals.push(format!("about {concept}"));
            } else {
                words.push(format!("“{}”", self.surface_of(id)));
            }
        }
        let mut parts = Vec::new();
        if !words.is_empty() {
            parts.push(format!("shares {}", words.join(", ")));
        }
        parts.extend(signals);
        if d.reading.replace {
            parts.push("proposes replacing the tool".to_owned());
        }
        if parts.is_empty() {
            "placed by an admin or nearest in meaning".to_owned()
        } else {
            parts.join("; ")
        }
    }

    fn surface_of(&self, id: u32) -> String {
        let stem = &self.vocab.names[id as usize];
        self.surface
            .get(stem)
            .cloned()
            .unwrap_or_else(|| stem.clone())
    }
}

/// How far a proposal theme addresses a pain theme: the words and concepts
/// they share, and a bonus for being about the same property.
pub fn addresses(proposal: &Description, pain: &Description) -> f32 {
    let pain_weights: HashMap<&str, f32> =
        pain.profile.iter().map(|(n, w)| (n.as_str(), *w)).collect();
    let shared: f32 = proposal
        .profile
        .iter()
        .filter_map(|(n, w)| pain_weights.get(n.as_str()).map(|v| v * w))
        .sum();
    let same_property = matches!((proposal.property, pain.property), (Some(a), Some(b)) if a == b);
    shared + if same_property { 0.1 } else { 0.0 }
}

/// Proposal groups addressing the same pain join when their documents are
/// on average at least this alike.
pub const LINKED_MERGE: f32 = 0.08;

/// A proposal theme is linked to the pain it addresses best, when that is
/// at least this strong.
pub const LINK: f32 = 0.12;

/// The pain (index into `pains`) a targeted proposal addresses, if any.
pub fn best_pain(proposal: &Description, pains: &[Description]) -> Option<usize> {
    if proposal.replace {
        return None;
    }
    pains
        .iter()
        .enumerate()
        .map(|(i, p)| (addresses(proposal, p), i))
        .filter(|(s, _)| *s >= LINK)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, i)| i)
}

/// Every pain (index into `pains`) a targeted proposal addresses: the
/// best, and any other nearly as strong. A pain the grouping split in two
/// ("messages vanish on failover", "events never arrive") is then
/// addressed in both halves by the fix for it.
pub fn addressed_pains(proposal: &Description, pains: &[Description]) -> Vec<usize> {
    let Some(best) = best_pain(proposal, pains) else {
        return Vec::new();
    };
    let floor = addresses(proposal, &pains[best]) * NEARLY;
    (0..pains.len())
        .filter(|&i| i == best || addresses(proposal, &pains[i]).max(0.0) >= floor.max(LINK))
        .collect()
}

/// How close to the best a second pain must come to count as addressed.
const NEARLY: f32 = 0.5;

/// The property an answer rated lowest, when one stands out: the only
/// lowest rating, and below the middle of the scale.
pub fn lowest(ratings: [Option<i64>; 5]) -> Option<Property> {
    let min = ratings.iter().flatten().min().copied()?;
    if min > 3 || ratings.iter().flatten().filter(|&&r| r == min).count() != 1 {
        return None;
    }
    let at = ratings.iter().position(|r| *r == Some(min))?;
    Some(Property::ALL[at])
}
