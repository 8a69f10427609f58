//! One corpus of comments (a tool's pains, or its proposals) read into
//! vectors, grouped, and described: what a group is called, which property
//! it is about, whether it proposes replacing the tool, and why each
//! comment is in it. Pure: the database side is `analytics::themes`.

use std::collections::HashMap;
use std::rc::Rc;

pub use super::cluster::Vector;
use super::cluster::{self, Bag, THRESHOLDS, Vocabulary, renumber};
use super::gather::{self, Group, MAX_THEMES};
use super::meaning;
use super::text::{Reader, Reading, main_point, surface_forms, word_counts};
use crate::domain::survey::Property;

/// One comment to group: its text, the property its author rated lowest
/// if one stood out, and what the same answer said in the other field
/// (the proposal beside a pain, the pain beside a proposal), if anything.
#[derive(Debug, Clone)]
pub struct Comment<'a> {
    pub text: &'a str,
    pub low: Option<Property>,
    pub partner: Option<&'a str>,
}

/// A comment read: its words and concepts, and its unit TF-IDF vector
/// (shared by the comments that say the same).
#[derive(Debug, Clone)]
pub struct Doc {
    pub reading: Rc<Reading>,
    pub low: Option<Property>,
    bag: Rc<Bag>,
    pub vector: Rc<Vector>,
    /// What it means (unit, centred on its corpus; empty when it is all
    /// filler), and what its partner means.
    pub meaning: Rc<Vec<f32>>,
    pub partner: Rc<Vec<f32>>,
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

/// Where grouping put a document: in an existing theme (its index), or in
/// a new group (a number that tells new groups apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Theme(usize),
    New(usize),
}

/// Each distinct text of `texts` once, in order of first use, and where
/// each text (none for a missing one) is in that list.
fn distinct_texts<'a>(
    texts: impl Iterator<Item = Option<&'a str>>,
) -> (Vec<&'a str>, Vec<Option<usize>>) {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut distinct: Vec<&str> = Vec::new();
    let at = texts
        .map(|t| {
            t.map(|t| {
                *index.entry(t).or_insert_with(|| {
                    distinct.push(t);
                    distinct.len() - 1
                })
            })
        })
        .collect();
    (distinct, at)
}

/// `f` over `items`, on every core (below `READ_CHUNK` items a core, one
/// thread does them all), each thread with its own `state`; the results in
/// the items' order.
fn on_every_core<T: Sync, S, R: Send>(
    items: &[T],
    state: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(cores).max(READ_CHUNK);
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let (state, f) = (&state, &f);
                scope.spawn(move || {
                    let mut s = state();
                    part.iter().map(|t| f(&mut s, t)).collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().expect("reading comments does not panic"))
            .collect()
    })
}

/// The meanings (`raw`, one per distinct text) of texts found at `at`,
/// centred on their mean and made unit: what every comment of a tool
/// shares ("the tool", "it is slow") would otherwise make them all alike.
/// Empty for a missing text or one that is all filler.
fn centred(raw: Vec<Vec<f32>>, at: &[Option<usize>]) -> Vec<Rc<Vec<f32>>> {
    let has_meaning = |v: &[f32]| v.iter().any(|&x| x != 0.0);
    let mut mean = vec![0.0f32; meaning::dims()];
    let mut n = 0usize;
    for i in at.iter().flatten() {
        if has_meaning(&raw[*i]) {
            for (m, x) in mean.iter_mut().zip(&raw[*i]) {
                *m += x;
            }
            n += 1;
        }
    }
    for m in &mut mean {
        *m /= n.max(1) as f32;
    }
    let shared: Vec<Rc<Vec<f32>>> = raw
        .into_iter()
        .map(|v| {
            if !has_meaning(&v) {
                return Rc::new(Vec::new());
            }
            let centred: Vec<f32> = v.iter().zip(&mean).map(|(x, m)| x - m).collect();
            let norm = centred.iter().map(|x| x * x).sum::<f32>().sqrt();
            Rc::new(if norm > 0.0 {
                centred.iter().map(|x| x / norm).collect()
            } else {
                Vec::new()
            })
        })
        .collect();
    let none = Rc::new(Vec::new());
    at.iter()
        .map(|i| i.map_or_else(|| Rc::clone(&none), |i| Rc::clone(&shared[i])))
        .collect()
}

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
        let (distinct, found) = distinct_texts(comments.iter().map(|c| Some(c.text)));
        let at: Vec<usize> = found.iter().flatten().copied().collect();
        let mut uses = vec![0u32; distinct.len()];
        for &i in &at {
            uses[i] += 1;
        }
        let counts = word_counts(distinct.iter().copied().zip(uses));
        // Each distinct text is read, and its main point embedded, once.
        let (read, meanings): (Vec<Reading>, Vec<Vec<f32>>) = on_every_core(
            &distinct,
            || (Reader::with_counts(&counts), meaning::Embedder::default()),
            |(reader, embedder), t| (reader.read(t, proposal), embedder.embed(&main_point(t))),
        )
        .into_iter()
        .unzip();
        let read: Vec<Rc<Reading>> = read.into_iter().map(Rc::new).collect();
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
        let meanings = centred(meanings, &found);
        let (partner_texts, partner_at) = distinct_texts(comments.iter().map(|c| c.partner));
        let partners = on_every_core(&partner_texts, meaning::Embedder::default, |e, t| {
            e.embed(&main_point(t))
        });
        let partners = centred(partners, &partner_at);
        let docs = comments
            .iter()
            .zip(at.iter().zip(doc_bags))
            .zip(meanings.into_iter().zip(partners))
            .map(|((c, (&text, b)), (meaning, partner))| Doc {
                reading: Rc::clone(&read[text]),
                low: c.low,
                bag: Rc::clone(&shared[b].0),
                vector: Rc::clone(&shared[b].1),
                meaning,
                partner,
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
        self.group_among(members, &[])
            .into_iter()
            .map(|p| match p {
                Place::New(g) => g,
                Place::Theme(_) => unreachable!("no themes to join"),
            })
            .collect()
    }

    /// Groups the documents `members` by their words (`cluster`), then
    /// gathers the groups by meaning (`gather`) into at most
    /// `MAX_THEMES` themes, counting the existing `themes` (each a list of
    /// documents): a group may join one of those, which never merge.
    pub fn group_among(&self, members: &[usize], themes: &[Vec<usize>]) -> Vec<Place> {
        let words = self.group_by_words(members);
        let count = words.iter().max().map_or(0, |m| m + 1);
        let mut of_group: Vec<Vec<usize>> = vec![Vec::new(); count];
        for (k, &g) in words.iter().enumerate() {
            of_group[g].push(members[k]);
        }
        let mut groups: Vec<Group> = themes
            .iter()
            .map(|docs| self.gathering(docs, true))
            .collect();
        groups.extend(of_group.iter().map(|docs| self.gathering(docs, false)));
        let joined = gather::gather(&groups, MAX_THEMES.max(themes.len()));
        // Each document's group's head: an existing theme, or a new group
        // (numbered 0, 1, … in order of first member when no theme is
        // joined; distinct in any case).
        let heads: Vec<usize> = words.iter().map(|&g| joined[themes.len() + g]).collect();
        heads
            .iter()
            .zip(renumber(heads.clone()))
            .map(|(&head, n)| {
                if head < themes.len() {
                    Place::Theme(head)
                } else {
                    Place::New(n)
                }
            })
            .collect()
    }

    /// A stage-one group of documents `docs`, described for gathering.
    fn gathering(&self, docs: &[usize], fixed: bool) -> Group {
        let dims = meaning::dims();
        let (mut own, mut partner) = (vec![0.0; dims], vec![0.0; dims]);
        let mut low = vec![0.0; Property::ALL.len()];
        for &d in docs {
            let doc = &self.docs[d];
            for (s, x) in own.iter_mut().zip(doc.meaning.iter()) {
                *s += x;
            }
            for (s, x) in partner.iter_mut().zip(doc.partner.iter()) {
                *s += x;
            }
            if let Some(p) = doc.low {
                let at = Property::ALL
                    .iter()
                    .position(|q| *q == p)
                    .expect("a property");
                low[at] += 1.0 / docs.len() as f32;
            }
        }
        Group {
            members: docs.to_vec(),
            kind: self.replaces(docs),
            fixed,
            features: gather::features(&own, &partner, &low),
        }
    }

    /// Stage one: groups of documents that share words.
    fn group_by_words(&self, members: &[usize]) -> Vec<usize> {
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

    /// Whether the documents `members` propose replacing the tool: most of
    /// them do.
    fn replaces(&self, members: &[usize]) -> bool {
        members
            .iter()
            .filter(|&&m| self.docs[m].reading.replace)
            .count()
            * 2
            >= members.len().max(1)
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
        let replace = self.replaces(members);
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
