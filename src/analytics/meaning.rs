//! What a comment means, as a dense vector: the signal that gathers
//! paraphrases ("jobs vanish", "the worker never picks some runs up") that
//! share no word.
//!
//! A static table in the Model2Vec way: one row per word piece of
//! all-MiniLM-L6-v2, distilled from the transformer by
//! `models/build_meaning.py` (its source, licence and the command that
//! rebuilds it are in `models/README.md`). A comment is the weighted mean of
//! its pieces' rows: a few microseconds, nothing downloaded, nothing stored.
//! The full transformer groups better still (measured in the README), at
//! ~20 ms a comment and a 90 MB model.

use std::collections::HashMap;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::lexicon::STOP_WORDS;

static TABLE: &[u8] = include_bytes!("../../models/meaning.bin");
static VOCAB: &str = include_str!("../../models/vocab.txt");

/// A word piece longer than this many characters is unknown, as in BERT.
const MAX_WORD: usize = 100;

/// The table, read once.
struct Table {
    pieces: HashMap<&'static str, u32>,
    dims: usize,
    /// Per piece: its weight, its scale, and its row (each byte an `i8`,
    /// times the scale).
    rows: Vec<(f32, f32, &'static [u8])>,
    /// Pieces that carry no topic: filler words and punctuation.
    silent: Vec<bool>,
}

static MODEL: LazyLock<Table> = LazyLock::new(|| Table::read(TABLE, VOCAB));

impl Table {
    fn read(bytes: &'static [u8], vocab: &'static str) -> Table {
        let header = b"IPMEANv1";
        assert_eq!(
            &bytes[..8],
            header,
            "models/meaning.bin: not a meaning table"
        );
        let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        let (count, dims) = (word(8) as usize, word(12) as usize);
        let stride = 8 + dims;
        assert_eq!(
            bytes.len(),
            16 + count * stride,
            "models/meaning.bin: truncated"
        );
        let names: Vec<&'static str> = vocab.lines().collect();
        assert_eq!(
            names.len(),
            count,
            "models/vocab.txt does not match the table"
        );
        let float = |at: usize| f32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        let rows = (0..count)
            .map(|i| {
                let at = 16 + i * stride;
                (float(at), float(at + 4), &bytes[at + 8..at + stride])
            })
            .collect();
        let stop: std::collections::HashSet<&str> = STOP_WORDS.split_whitespace().collect();
        let silent = names
            .iter()
            .map(|n| {
                stop.contains(n)
                    || n.chars().all(|c| !c.is_alphanumeric())
                    || (n.starts_with('[') && n.ends_with(']'))
            })
            .collect();
        Table {
            pieces: names
                .iter()
                .enumerate()
                .map(|(i, n)| (*n, i as u32))
                .collect(),
            dims,
            rows,
            silent,
        }
    }
}

/// How many numbers a meaning vector has.
pub fn dims() -> usize {
    MODEL.dims
}

/// Embeds texts, reading each distinct word once: a comment is the sum of
/// its words' rows, and a tool's comments repeat their words.
#[derive(Default)]
pub struct Embedder {
    /// Word → the weighted sum of its pieces' rows and their total weight
    /// (`None` when all its pieces are filler).
    words: HashMap<String, Option<(Vec<f32>, f32)>>,
}

impl Embedder {
    /// The meaning of `text`: the weighted mean of its word pieces' rows,
    /// filler left out; all zeros when nothing is left.
    pub fn embed(&mut self, text: &str) -> Vec<f32> {
        let model = &*MODEL;
        let mut sum = vec![0.0f32; model.dims];
        let mut total = 0.0f32;
        for word in basic_words(text) {
            let read = self
                .words
                .entry(word)
                .or_insert_with_key(|word| read_word(model, word));
            if let Some((row, weight)) = read {
                for (s, x) in sum.iter_mut().zip(row.iter()) {
                    *s += x;
                }
                total += *weight;
            }
        }
        if total > 0.0 {
            for s in &mut sum {
                *s /= total;
            }
        }
        sum
    }
}

/// One word's weighted sum of rows and total weight, filler pieces left
/// out.
fn read_word(model: &Table, word: &str) -> Option<(Vec<f32>, f32)> {
    let mut ids = Vec::new();
    word_pieces(model, word, &mut ids);
    let mut sum = vec![0.0f32; model.dims];
    let mut total = 0.0f32;
    for id in ids {
        if model.silent[id as usize] {
            continue;
        }
        let (weight, scale, row) = model.rows[id as usize];
        let factor = weight * scale;
        for (s, &q) in sum.iter_mut().zip(row) {
            *s += factor * f32::from(q as i8);
        }
        total += weight;
    }
    (total > 0.0).then_some((sum, total))
}

/// The model's word pieces of `text`, as ids: BERT's uncased tokenizer
/// (accents stripped, punctuation split off, then the longest known piece
/// first).
pub fn pieces(text: &str) -> Vec<u32> {
    let model = &*MODEL;
    let mut out = Vec::new();
    for word in basic_words(text) {
        word_pieces(model, &word, &mut out);
    }
    out
}

/// The pieces of one basic word, longest known first; one unknown piece if
/// any part of it is unknown.
fn word_pieces(model: &Table, word: &str, out: &mut Vec<u32>) {
    let unknown = model.pieces["[UNK]"];
    if word.chars().count() > MAX_WORD {
        out.push(unknown);
        return;
    }
    let start_len = out.len();
    let mut rest = word;
    let mut first = true;
    let mut key = String::new();
    while !rest.is_empty() {
        let mut end = rest.len();
        let found = loop {
            let candidate = &rest[..end];
            key.clear();
            if !first {
                key.push_str("##");
            }
            key.push_str(candidate);
            if let Some(&id) = model.pieces.get(key.as_str()) {
                break Some((id, end));
            }
            match candidate.char_indices().last() {
                Some((i, _)) if i > 0 => end = i,
                _ => break None,
            }
        };
        match found {
            Some((id, end)) => {
                out.push(id);
                rest = &rest[end..];
                first = false;
            }
            None => {
                out.truncate(start_len);
                out.push(unknown);
                return;
            }
        }
    }
}

/// Lower-cased words without accents, each punctuation mark a word of its
/// own: BERT's "basic" tokenizer.
fn basic_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.nfd() {
        if is_combining_mark(c) || c == '\u{fffd}' || (c.is_control() && !c.is_whitespace()) {
            continue;
        }
        if c.is_whitespace() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        } else if is_punctuation(c) {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            words.push(c.to_string());
        } else {
            current.extend(c.to_lowercase());
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// BERT's punctuation: every ASCII symbol, and the Unicode punctuation
/// blocks comments use (quotes, dashes, ellipses).
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c, '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205e}' | '\u{3001}'..='\u{3003}')
        || matches!(c, '¡' | '¿' | '«' | '»' | '·' | '§' | '¶')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference tokenizer's ids (Hugging Face `tokenizers`, the
    /// model's tokenizer.json) for the same texts.
    #[test]
    fn pieces_match_the_reference_tokenizer() {
        let cases: &[(&str, &[u32])] = &[
            (
                "Pods get OOM-killed under memory pressure!",
                &[26723, 2131, 1051, 5358, 1011, 2730, 2104, 3638, 3778, 999],
            ),
            (
                "p99 latency of 3.2s, can't deploy; the k8s upgrade-churn is “awful”",
                &[
                    1052, 2683, 2683, 2397, 9407, 1997, 1017, 1012, 1016, 2015, 1010, 2064, 1005,
                    1056, 21296, 1025, 1996, 1047, 2620, 2015, 12200, 1011, 14684, 6826, 2003,
                    1523, 9643, 1524,
                ],
            ),
            ("naïve café résumé", &[15743, 7668, 13746]),
            (
                "xqzvbnmkl",
                &[1060, 4160, 2480, 26493, 2078, 2213, 2243, 2140],
            ),
        ];
        for (text, ids) in cases {
            assert_eq!(pieces(text), *ids, "{text}");
        }
    }

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
        dot / (norm(a) * norm(b))
    }

    fn embed(text: &str) -> Vec<f32> {
        Embedder::default().embed(text)
    }

    #[test]
    fn paraphrases_are_closer_than_other_topics() {
        let vanish = embed("scheduled jobs vanish without a trace");
        let missing = embed("some runs never happen, they go missing");
        let login = embed("the login page rejects my password");
        assert_eq!(vanish.len(), dims());
        assert!(
            cosine(&vanish, &missing) > cosine(&vanish, &login),
            "{} vs {}",
            cosine(&vanish, &missing),
            cosine(&vanish, &login)
        );
    }

    #[test]
    fn filler_alone_means_nothing() {
        assert!(embed("the and of, to it!").iter().all(|&x| x == 0.0));
        assert!(embed("").iter().all(|&x| x == 0.0));
    }
}
