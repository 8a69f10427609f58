//! Reading survey comments: words, non-answers, typos, stems, the concepts
//! and infrastructure properties words point at, and whether a proposal is
//! a "replace" (rewrite, migrate to, switch to …).
//!
//! Everything here is deterministic and explainable: a comment becomes a bag
//! of stems plus the concepts its words belong to, and each of those can be
//! shown as the reason it joined a theme.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;

use super::lexicon::{CONCEPTS, NON_ANSWERS, PHRASES, REPLACE_VERBS, STOP_WORDS};
use crate::domain::survey::Property;

static STOP: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| STOP_WORDS.split_whitespace().collect());

/// Each phrase of the lexicon as (its concept's index, its words).
static PHRASE_WORDS: LazyLock<Vec<(usize, Vec<&'static str>)>> = LazyLock::new(|| {
    PHRASES
        .iter()
        .filter_map(|(concept, phrase)| {
            let i = CONCEPTS.iter().position(|(n, _, _)| n == concept)?;
            Some((i, phrase.split(' ').collect()))
        })
        .collect()
});

/// The length of the longest stock non-answer.
static LONGEST_NON_ANSWER: LazyLock<usize> =
    LazyLock::new(|| NON_ANSWERS.split('|').map(str::len).max().unwrap_or(0));

fn is_stop(word: &str) -> bool {
    STOP.contains(word)
}

fn is_replace_single(word: &str) -> bool {
    REPLACE_VERBS.split_whitespace().any(|v| v == word)
}

/// Verbs that make a proposal a "replace" with the word after them
/// ("migrate to", "get rid"): (verb, next words that do).
const REPLACE_PAIRS: &[(&str, &[&str])] = &[
    (
        "migrate",
        &["to", "off", "away", "from", "onto", "everything", "all"],
    ),
    ("migrating", &["to", "off", "away", "from", "onto"]),
    ("move", &["to", "off", "away", "onto", "everything", "all"]),
    ("moving", &["to", "off", "away", "onto"]),
    ("switch", &["to", "from", "over", "away"]),
    ("switching", &["to", "from", "over", "away"]),
    (
        "replace",
        &[
            "it",
            "with",
            "this",
            "them",
            "everything",
            "by",
            "entirely",
            "altogether",
            "completely",
        ],
    ),
    ("replacing", &["it", "with", "this"]),
    ("get", &["rid"]),
    ("getting", &["rid"]),
    ("start", &["over", "from"]),
    ("from", &["scratch"]),
    ("throw", &["away", "out"]),
    ("buy", &["a", "an", "managed", "any", "dont", "off"]),
    // Running it ourselves is what should stop.
    (
        "stop",
        &["running", "maintaining", "operating", "hosting", "building"],
    ),
    ("adopt", &["a", "an"]),
];

/// A comment, read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    /// Stems of the content words of its first clause, after typo
    /// correction. A mixed-topic comment ("flaky tests; also the docs") is
    /// about what it says first: what follows would tie it to another
    /// theme, and to each other the themes it mentions in passing.
    pub stems: Vec<String>,
    /// The concepts its first clause's words belong to.
    pub concepts: Vec<&'static str>,
    /// The properties its concepts belong to, asides' included.
    pub properties: Vec<Property>,
    /// A proposal to replace the tool rather than fix something in it.
    pub replace: bool,
}

impl Reading {
    /// Notes that the comment speaks of concept `i` (in its first clause,
    /// or an aside).
    fn note_concept(&mut self, i: usize, main: bool) {
        let (name, property, _) = CONCEPTS[i];
        if main && !self.concepts.contains(&name) {
            self.concepts.push(name);
        }
        if let Some(p) = property
            && !self.properties.contains(&p)
        {
            self.properties.push(p);
        }
    }
}

/// Lower-case words (Unicode word boundaries), in order, with possessives
/// and apostrophes dropped: "Team's" is "team", "don't" is "dont".
pub fn words(text: &str) -> Vec<String> {
    each_word(text).collect()
}

fn each_word(text: &str) -> impl Iterator<Item = String> + '_ {
    text.unicode_words().map(|w| {
        let w = w.to_lowercase();
        let w = w
            .strip_suffix("'s")
            .or_else(|| w.strip_suffix("\u{2019}s"))
            .unwrap_or(&w);
        w.replace(['\'', '\u{2019}'], "")
    })
}

/// Words that open a second topic, in passing.
const ASIDES: [&str; 5] = ["also", "plus", "btw", "additionally", "separately"];

/// Words that point at the main topic.
const MAIN_WORDS: [&str; 3] = ["mostly", "mainly", "primarily"];

/// A comment's clauses: split at sentence ends and semicolons, before
/// words that add a second topic ("also", "plus", "btw"), and before words
/// that point at the main one ("mostly", "mainly").
fn clauses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for sentence in text.split(['.', ';', '!', '?', '\n']) {
        let mut current = String::new();
        for token in sentence.split_whitespace() {
            let bare = token
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            if (ASIDES.contains(&bare.as_str()) || MAIN_WORDS.contains(&bare.as_str()))
                && !current.trim().is_empty()
            {
                out.push(std::mem::take(&mut current));
            }
            current.push_str(token);
            current.push(' ');
        }
        if !current.trim().is_empty() {
            out.push(current);
        }
    }
    out
}

/// How a clause presents itself: as the main point ("the main one:",
/// "mostly", "the real problem"), as a minor one ("minor thing first:",
/// "small thing", "nitpick"), or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Emphasis {
    Minor,
    Plain,
    Main,
}

/// Words that announce a clause as the comment's main point.
const MAIN_MARKERS: [&[&str]; 16] = [
    &["main", "one"],
    &["main", "thing"],
    &["main", "issue"],
    &["main", "problem"],
    &["main", "pain"],
    &["main", "point"],
    &["main", "complaint"],
    &["biggest"],
    &["real", "problem"],
    &["real", "issue"],
    &["bigger", "problem"],
    &["more", "importantly"],
    &["most", "importantly"],
    &["mostly"],
    &["mainly"],
    &["primarily"],
];

/// Words that announce a clause as a minor point, an aside.
const MINOR_MARKERS: [&[&str]; 14] = [
    &["minor", "thing"],
    &["minor", "issue"],
    &["minor", "point"],
    &["minor", "gripe"],
    &["minor", "one"],
    &["minor", "annoyance"],
    &["small", "thing"],
    &["small", "issue"],
    &["small", "gripe"],
    &["smaller", "thing"],
    &["nitpick"],
    &["side", "note"],
    &["not", "a", "big", "deal"],
    &["less", "important"],
];

fn emphasis(words: &[String]) -> Emphasis {
    let has = |marker: &[&str]| {
        words
            .windows(marker.len())
            .any(|w| w.iter().zip(marker).all(|(a, b)| a == b))
    };
    if MAIN_MARKERS.iter().any(|m| has(m)) {
        Emphasis::Main
    } else if MINOR_MARKERS.iter().any(|m| has(m)) {
        Emphasis::Minor
    } else {
        Emphasis::Plain
    }
}

/// Which clause a comment is mainly about: the first announced as the
/// main point, else the first not announced as a minor one, else the
/// first. "Minor thing first: the docs. The main one: deploys hang" is
/// about deploys, whichever comes first.
fn main_clause(clauses: &[(Emphasis, Vec<String>)]) -> Option<usize> {
    let says_something = |c: &&(Emphasis, Vec<String>)| c.1.iter().any(|w| !is_stop(w));
    let first_with = |least: Emphasis| {
        clauses
            .iter()
            .enumerate()
            .filter(|(_, c)| says_something(c))
            .find(|(_, c)| c.0 >= least)
            .map(|(i, _)| i)
    };
    first_with(Emphasis::Main)
        .or_else(|| first_with(Emphasis::Plain))
        .or_else(|| first_with(Emphasis::Minor))
}

/// The words of what a comment is about, as one lower-case string: what
/// its meaning is read from. The clauses announced as the main point if
/// any; else every clause but those announced as minor or added as an
/// aside ("also", "btw"); else everything. Empty when it says nothing.
pub fn main_point(text: &str) -> String {
    let read = clauses_said(text);
    let aside = |ws: &[String]| ws.first().is_some_and(|w| ASIDES.contains(&w.as_str()));
    let pick = |keep: &dyn Fn(Emphasis, &[String]) -> bool| {
        read.iter()
            .filter(|(e, ws)| keep(*e, ws))
            .map(|(_, ws)| ws.join(" "))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let main = pick(&|e, _| e == Emphasis::Main);
    if !main.is_empty() {
        return main;
    }
    let plain = pick(&|e, ws| e == Emphasis::Plain && !aside(ws));
    if !plain.is_empty() {
        return plain;
    }
    pick(&|_, _| true)
}

/// A comment's clauses that say something, as words, with how each
/// presents itself. A clause that would be a non-answer on its own says
/// nothing: "Nothing new. Builds are flaky" is about flaky builds.
fn clauses_said(text: &str) -> Vec<(Emphasis, Vec<String>)> {
    clauses(text)
        .iter()
        .map(|c| words(c))
        .filter(|ws| !says_nothing(ws))
        .map(|ws| (emphasis(&ws), ws))
        .collect()
}

/// Whether a comment says nothing worth grouping: empty, a stock
/// non-answer, or no content word at all.
pub fn is_non_answer(text: &str) -> bool {
    says_nothing(each_word(text))
}

/// `is_non_answer` of a text's words (as `words` makes them). Every answer
/// is checked before grouping: a long one is read only until it cannot be
/// any of the rules below.
fn says_nothing<W: AsRef<str>>(words: impl IntoIterator<Item = W>) -> bool {
    let mut joined = String::new();
    let mut content_words = 0;
    for w in words {
        let w = w.as_ref();
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(w);
        if !is_stop(w) && w.chars().any(char::is_alphanumeric) {
            content_words += 1;
        }
        if content_words > 2 && joined.len() > *LONGEST_NON_ANSWER {
            return false;
        }
    }
    if content_words == 0 || NON_ANSWERS.split('|').any(|n| n == joined) {
        return true;
    }
    // "Same as last time, nothing new" and the like.
    (joined.starts_with("same as") || joined.starts_with("nothing")) && content_words <= 2
}

/// Damerau-Levenshtein distance (adjacent transpositions), bounded: returns
/// `max + 1` as soon as the distance must exceed `max`.
pub fn edit_distance(a: &str, b: &str, max: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return max + 1;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// How far a word may be from the word it is taken for.
fn tolerance(word: &str) -> usize {
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Turns the words of one corpus (a tool's pains, or its proposals) into
/// readings, correcting typos against the corpus's own frequent words and
/// the known vocabulary.
pub struct Reader {
    stemmer: Stemmer,
    /// Stem → concept.
    concept_of: HashMap<String, usize>,
    /// Words typos are corrected towards: frequent in the corpus, or known.
    known: HashSet<String>,
    /// Single-deletion variants of known words → those words, for finding
    /// candidates quickly.
    deletions: HashMap<String, Vec<String>>,
    /// Corrections already worked out.
    corrected: HashMap<String, String>,
    /// Stems already worked out.
    stems: HashMap<String, String>,
    /// How often the corpus uses each word: between two equally close
    /// candidates, the commoner one is meant.
    frequency: HashMap<String, u32>,
}

/// How often a word must appear in a corpus to be trusted as spelled right.
const TRUSTED: u32 = 3;

/// How often each word occurs in `corpus`: (text, how many comments say
/// exactly that).
pub fn word_counts<'a>(corpus: impl IntoIterator<Item = (&'a str, u32)>) -> BTreeMap<String, u32> {
    let mut counts = BTreeMap::new();
    for (text, times) in corpus {
        for w in words(text) {
            *counts.entry(w).or_default() += times;
        }
    }
    counts
}

fn deletions_of(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    (0..chars.len())
        .map(|i| {
            chars
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| c)
                .collect()
        })
        .collect()
}

impl Reader {
    /// A reader for `corpus`, whose word frequencies decide which rare words
    /// are typos of which frequent ones.
    pub fn new<'a>(corpus: impl IntoIterator<Item = &'a str>) -> Self {
        Self::with_counts(&word_counts(corpus.into_iter().map(|t| (t, 1))))
    }

    /// A reader trusting the words `counts` holds often enough.
    pub fn with_counts(counts: &BTreeMap<String, u32>) -> Self {
        let stemmer = Stemmer::create(Algorithm::English);
        let mut known: HashSet<String> = counts
            .iter()
            .filter(|(w, n)| **n >= TRUSTED && !is_stop(w))
            .map(|(w, _)| w.clone())
            .collect();
        let mut concept_of = HashMap::new();
        for (i, (_, _, members)) in CONCEPTS.iter().enumerate() {
            for w in members.split_whitespace() {
                known.insert((*w).to_owned());
                concept_of.insert(stemmer.stem(w).into_owned(), i);
            }
        }
        for w in REPLACE_VERBS
            .split_whitespace()
            .chain(REPLACE_PAIRS.iter().map(|(v, _)| *v))
        {
            known.insert((*w).to_owned());
        }
        let mut deletions: HashMap<String, Vec<String>> = HashMap::new();
        let mut sorted: Vec<&String> = known.iter().collect();
        sorted.sort();
        for w in sorted {
            for d in deletions_of(w) {
                deletions.entry(d).or_default().push(w.to_string());
            }
            deletions
                .entry(w.to_string())
                .or_default()
                .push(w.to_string());
        }
        Reader {
            stemmer,
            concept_of,
            known,
            deletions,
            corrected: HashMap::new(),
            stems: HashMap::new(),
            frequency: counts.iter().map(|(w, n)| (w.clone(), *n)).collect(),
        }
    }

    /// The known word `word` is a typo of, or `word` itself.
    fn correct(&mut self, word: &str) -> String {
        // Stop words are spelled right by definition ("make" is not "wake").
        if self.known.contains(word) || is_stop(word) || tolerance(word) == 0 {
            return word.to_owned();
        }
        if let Some(c) = self.corrected.get(word) {
            return c.clone();
        }
        let max = tolerance(word);
        // Candidates share a single-deletion variant with the word (edit
        // distance 1, transpositions included, and most of 2).
        let mut keys = deletions_of(word);
        keys.push(word.to_owned());
        let mut best: Option<(usize, std::cmp::Reverse<u32>, &String)> = None;
        for key in &keys {
            for candidate in self.deletions.get(key).into_iter().flatten() {
                let d = edit_distance(word, candidate, max);
                let common = std::cmp::Reverse(self.frequency.get(candidate).copied().unwrap_or(0));
                let key = (d, common, candidate);
                if d <= max && best.is_none_or(|b| key < b) {
                    best = Some(key);
                }
            }
        }
        let fixed = best.map_or_else(|| word.to_owned(), |(_, _, w)| w.clone());
        self.corrected.insert(word.to_owned(), fixed.clone());
        fixed
    }

    /// A word's stem; a corpus has far fewer distinct words than words.
    fn stem(&mut self, word: &str) -> String {
        if let Some(stem) = self.stems.get(word) {
            return stem.clone();
        }
        let stem = self.stemmer.stem(word).into_owned();
        self.stems.insert(word.to_owned(), stem.clone());
        stem
    }

    /// Reads one comment. `proposal` asks whether it is a replace.
    pub fn read(&mut self, text: &str, proposal: bool) -> Reading {
        let read: Vec<(Emphasis, Vec<String>)> = clauses_said(text)
            .into_iter()
            .map(|(e, ws)| (e, ws.iter().map(|w| self.correct(w)).collect()))
            .collect();
        let main_clause = main_clause(&read);
        let corrected: Vec<Vec<String>> = read.into_iter().map(|(_, ws)| ws).collect();
        // Whether it proposes replacing the tool is read from what it says
        // first: "add HA; also rewrite it one day" proposes HA.
        let first = corrected
            .iter()
            .find(|c| c.iter().any(|w| !is_stop(w)))
            .cloned()
            .unwrap_or_default();
        let replace = proposal && is_replace(&first);
        let mut reading = Reading {
            replace,
            ..Reading::default()
        };
        for (at, clause) in corrected.iter().enumerate() {
            let main = Some(at) == main_clause;
            for (i, words) in PHRASE_WORDS.iter() {
                if clause
                    .windows(words.len())
                    .any(|w| w.iter().zip(words).all(|(a, b)| a == b))
                {
                    reading.note_concept(*i, main);
                }
            }
            for w in clause {
                if is_stop(w) || !w.chars().any(char::is_alphabetic) {
                    continue;
                }
                // A replace's verbs say what kind of proposal it is, not what
                // it is about: its theme is made of what it names.
                if replace && is_replace_verb(w) {
                    continue;
                }
                let stem = self.stem(w);
                if let Some(&i) = self.concept_of.get(&stem) {
                    reading.note_concept(i, main);
                }
                if main {
                    reading.stems.push(stem);
                }
            }
        }
        reading
    }
}

/// Stem → the word people wrote most for it (the first in alphabetical
/// order on ties), from a corpus's word counts: what labels show.
pub fn surface_forms(counts: &BTreeMap<String, u32>) -> HashMap<String, String> {
    let stemmer = Stemmer::create(Algorithm::English);
    let mut by_stem: BTreeMap<(String, &str), u32> = BTreeMap::new();
    for (word, &n) in counts.iter().filter(|(w, _)| !is_stop(w)) {
        by_stem.insert((stemmer.stem(word).into_owned(), word), n);
    }
    let mut best: HashMap<String, (u32, String)> = HashMap::new();
    for ((stem, word), n) in by_stem {
        let slot = best.entry(stem).or_insert((0, String::new()));
        if n > slot.0 {
            *slot = (n, word.to_owned());
        }
    }
    best.into_iter().map(|(s, (_, w))| (s, w)).collect()
}

fn is_replace_verb(word: &str) -> bool {
    is_replace_single(word)
        || REPLACE_PAIRS.iter().any(|(v, _)| *v == word)
        || matches!(word, "rid" | "scratch" | "instead")
}

/// Whether corrected words say "replace the tool": a replace verb, or a
/// verb with the word that makes it one ("migrate to", "get rid").
pub fn is_replace(words: &[String]) -> bool {
    for (i, w) in words.iter().enumerate() {
        if is_replace_single(w) {
            return true;
        }
        // "re write", "re-write" split into two words.
        if w == "re"
            && words
                .get(i + 1)
                .is_some_and(|n| n == "write" || n == "implement")
        {
            return true;
        }
        if let Some((_, next)) = REPLACE_PAIRS.iter().find(|(v, _)| *v == w) {
            // Within the next two words, so "move everything to" counts.
            if words[i + 1..]
                .iter()
                .take(2)
                .any(|n| next.contains(&n.as_str()))
            {
                return true;
            }
        }
        // "use Postgres instead", "go with Kafka instead of this"; but not
        // "use SSO instead of shared tokens", which changes one thing.
        let of_what = words.get(i + 1).map(String::as_str);
        let replaced_whole = of_what != Some("of")
            || matches!(
                words.get(i + 2).map(String::as_str),
                Some("this" | "it" | "that" | "the") | None
            );
        // "just use GitHub Packages like the rest of the industry": another
        // product, because everyone else uses it.
        if matches!(w.as_str(), "use" | "using" | "adopt")
            && words[i + 1..].iter().enumerate().take(5).any(|(k, p)| {
                let after = |n: usize| words.get(i + 2 + k + n).map(String::as_str);
                p == "like"
                    && (matches!(
                        after(0),
                        Some("everyone" | "everybody" | "other" | "others" | "every" | "most")
                    ) || (after(0) == Some("the") && after(1) == Some("rest")))
            })
        {
            return true;
        }
        // "a managed runtime", "use managed Postgres", "managed everything":
        // someone else runs it.
        if w == "managed"
            && (i == 0
                || matches!(
                    words[i - 1].as_str(),
                    "a" | "an" | "use" | "buy" | "to" | "onto" | "fully" | "just" | "tldr"
                )
                || matches!(
                    words.get(i + 1).map(String::as_str),
                    Some("everything" | "offering" | "service" | "services")
                ))
        {
            return true;
        }
        // "off the shelf", "out of the business of running it", "see
        // whether X is any better": something else, or nothing.
        let follows = |earlier: &[&str]| {
            i >= earlier.len()
                && words[i - earlier.len()..i]
                    .iter()
                    .zip(earlier)
                    .all(|(a, b)| a == b)
        };
        // The typo corrector knows "self" better than "shelf".
        if (matches!(w.as_str(), "shelf" | "self") && follows(&["off", "the"]))
            || (w == "business" && follows(&["out", "of", "the"]))
            || (w == "better" && follows(&["any"]))
        {
            return true;
        }
        if w == "instead"
            && replaced_whole
            && words[i.saturating_sub(4)..i].iter().any(|p| {
                matches!(
                    p.as_str(),
                    "use" | "using" | "adopt" | "go" | "pick" | "choose"
                )
            })
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(corpus: &[&str]) -> Reader {
        Reader::new(corpus.iter().copied())
    }

    #[test]
    fn non_answers_are_recognised() {
        for empty in [
            "",
            "n/a",
            "N/A",
            "-",
            "--",
            "Nothing.",
            "none",
            "Same as last time",
            "same as last round, nothing new",
            "No comment",
            "...",
            "ok",
            "All good!",
        ] {
            assert!(is_non_answer(empty), "{empty:?}");
        }
        for real in [
            "Flaky tests",
            "Builds are slow",
            "nothing works when it is down",
        ] {
            assert!(!is_non_answer(real), "{real:?}");
        }
    }

    #[test]
    fn a_comment_is_about_its_first_clause_that_says_something() {
        let mut r = reader(&[]);
        let flaky = r.read("Builds are flaky", false);
        for preamble in [
            "Nothing new. Builds are flaky",
            "Fine. Builds are flaky!",
            "Same as last time. Builds are flaky",
        ] {
            assert_eq!(r.read(preamble, false).stems, flaky.stems, "{preamble:?}");
        }
        let mixed = r.read("Builds are flaky; also the docs are thin", false);
        assert_eq!(mixed.stems, flaky.stems, "asides are left out of its words");
        assert!(
            !r.read("Builds are flaky; also the docs are thin", false)
                .concepts
                .contains(&"docs")
        );
    }

    #[test]
    fn a_minor_point_announced_as_such_does_not_decide_what_a_comment_is_about() {
        let mut r = reader(&[]);
        let hang = r.read("Deploys hang for hours", false);
        for text in [
            "Minor thing first: the docs are outdated. The main one: deploys hang for hours",
            "Small thing: docs are outdated. Deploys hang for hours",
            "Deploys hang for hours. Minor thing: the docs are outdated",
            "The docs are outdated, but mostly deploys hang for hours",
        ] {
            let read = r.read(text, false);
            for stem in &hang.stems {
                assert!(read.stems.contains(stem), "{text:?}: {:?}", read.stems);
            }
            assert!(
                !read.stems.iter().any(|s| s.starts_with("doc")),
                "{text:?}: {:?}",
                read.stems
            );
        }
        // Words that merely look like markers do not move the main point.
        let semver = r.read("Minor versions break the API", false);
        assert!(semver.stems.iter().any(|s| s.starts_with("version")));
    }

    #[test]
    fn typos_meet_the_word_they_mean() {
        let mut r = reader(&[
            "flaky tests",
            "flaky tests",
            "flaky tests",
            "deployments",
            "deployments",
            "deployments",
        ]);
        let a = r.read("flakey tetss", false);
        let b = r.read("Flaky tests!", false);
        assert_eq!(a.stems, b.stems);
        assert_eq!(
            r.read("deploymnets", false).stems,
            r.read("deployments", false).stems
        );
        assert_eq!(
            edit_distance("teh", "the", 1),
            1,
            "a transposition is one edit"
        );
        assert_eq!(edit_distance("kitten", "sitting", 5), 3);
    }

    #[test]
    fn concepts_gather_paraphrases_and_name_their_property() {
        let mut r = reader(&[]);
        let lost = r.read("Jobs vanish from the queue", false);
        let gone = r.read("messages get lost", false);
        assert!(lost.concepts.contains(&"loss") && gone.concepts.contains(&"loss"));
        assert!(gone.properties.contains(&Property::Reliability));
        let slow = r.read("The p99 latency is awful", false);
        assert_eq!(slow.concepts, ["slow"]);
        assert_eq!(slow.properties, [Property::Latency]);
    }

    #[test]
    fn replace_proposals_are_found_by_their_verbs() {
        let mut r = reader(&[]);
        for replace in [
            "Let's just rewrite it on Postgres.",
            "Move to Postgres and the slow queries go away",
            "migrate everything to Kafka",
            "Switch to a managed vendor",
            "Replace it with Redis",
            "Get rid of Mongo",
            "Honestly we should start over from scratch",
            "use Postgres instead",
            "Just use GitHub Packages like the rest of the industry",
            "rewirte the data layer",
            "re-write the whole thing",
            "Buy a hosted queue and retire ours",
            "buy, don't build",
            "we should stop running our own registry",
            "Stop maintaining a homegrown CI system",
            "A managed service would never lose a message",
            "managed everything, please",
            "get out of the business of hosting mail",
            "Any off the shelf scheduler beats this",
            "let one team try Buildkite and see if it's any better",
            "a vendor would do this for us",
        ] {
            assert!(r.read(replace, true).replace, "{replace:?}");
        }
        for targeted in [
            "Add per-team quotas",
            "Quarantine flaky tests automatically",
            "Move the cron job to the night",
            "Cache the dependencies between builds",
            "Use SSO instead of shared tokens",
            "use the cache like the docs say",
            "Stop paging on warnings",
            "buy more disks for the cache nodes",
            "the managed node pool needs bigger instances",
        ] {
            assert!(!r.read(targeted, true).replace, "{targeted:?}");
        }
        assert!(
            !r.read("rewrite", false).replace,
            "pains are never replaces"
        );
        let named = r.read("Migrate to Postgres and the slow queries go away", true);
        assert!(
            !named.stems.contains(&"migrat".to_owned()),
            "{:?}",
            named.stems
        );
        assert!(
            named.stems.contains(&"postgr".to_owned()),
            "{:?}",
            named.stems
        );
    }
}
