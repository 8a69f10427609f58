//! The answers to a round's extra questions, for its results page and the
//! `questions` export: ratings and choices as figures (only when k or more
//! answered: a figure about fewer would be theirs), texts like comments,
//! each with its team only where the round's rule lets it be named.

use std::collections::{BTreeMap, HashMap};

use diesel::QueryResult;
use serde::Serialize;

use super::results::{nameable_teams, team_names};
use crate::db::rounds::{self, Round};
use crate::db::{DbConnection, responses};
use crate::domain::results::{Histogram, Hundredths};
use crate::domain::survey::{Question, QuestionKind};

/// One extra question's results in one round.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionResult {
    pub id: i64,
    pub prompt: String,
    pub kind: QuestionKind,
    pub answered: i64,
    /// Whether its figures may be shown: k or more answered.
    pub shown: bool,
    /// Ratings: their mean, and how many gave 1 to 5 (pages draw these).
    #[serde(skip)]
    pub mean: Option<Hundredths>,
    #[serde(skip)]
    pub distribution: Option<[i64; 5]>,
    /// Choices: (option, people who chose it, percent of those who answered).
    pub counts: Vec<(String, i64, i64)>,
    /// Texts: (text, team where it may be named).
    pub texts: Vec<(String, Option<String>)>,
}

/// The results of every extra question `round` asked.
pub fn of_round(conn: &mut DbConnection, round: &Round) -> QueryResult<Vec<QuestionResult>> {
    let questions = rounds::asked(conn, round.id)?;
    if questions.is_empty() {
        return Ok(Vec::new());
    }
    let answers = responses::question_answers_of_round(conn, round.id)?;
    let nameable = nameable_teams(conn, round)?;
    let names = team_names(conn)?;
    Ok(summarise(
        &questions,
        &answers,
        &nameable,
        &names,
        round.anonymity_k,
    ))
}

/// `answers` are (question, value, team).
fn summarise(
    questions: &[Question],
    answers: &[(i64, String, Option<i64>)],
    nameable: &HashMap<i64, bool>,
    team_names: &HashMap<i64, String>,
    k: i64,
) -> Vec<QuestionResult> {
    questions
        .iter()
        .map(|q| {
            let mine: Vec<&(i64, String, Option<i64>)> =
                answers.iter().filter(|(id, _, _)| *id == q.id).collect();
            let answered = mine.len() as i64;
            let shown = answered >= k;
            let mut result = QuestionResult {
                id: q.id,
                prompt: q.prompt.clone(),
                kind: q.kind,
                answered,
                shown,
                mean: None,
                distribution: None,
                counts: Vec::new(),
                texts: Vec::new(),
            };
            match q.kind {
                QuestionKind::Rating if shown => {
                    let mut h = Histogram::default();
                    for (_, v, _) in &mine {
                        if let Ok(v) = v.parse() {
                            h.add(v, 1);
                        }
                    }
                    result.mean = h.mean();
                    result.distribution = Some(h.distribution());
                }
                QuestionKind::Single | QuestionKind::Multi if shown => {
                    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
                    for (_, v, _) in &mine {
                        for choice in v.lines() {
                            *counts.entry(choice).or_default() += 1;
                        }
                    }
                    result.counts = q
                        .options
                        .iter()
                        .map(|o| {
                            let n = counts.get(o.as_str()).copied().unwrap_or(0);
                            (o.clone(), n, crate::domain::results::percent(n, answered))
                        })
                        .collect();
                }
                QuestionKind::Text => {
                    result.texts = mine
                        .iter()
                        .map(|(_, text, team)| {
                            let named = team
                                .filter(|t| nameable.get(t).copied().unwrap_or(false))
                                .and_then(|t| team_names.get(&t).cloned());
                            (text.clone(), named)
                        })
                        .collect();
                }
                _ => {}
            }
            result
        })
        .collect()
}
