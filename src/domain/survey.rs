//! Survey rules: cadences, reminders, what a response holds and how a
//! submitted form becomes one.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use chrono::{NaiveDateTime, TimeDelta, TimeZone, Utc};
use serde::Serialize;

use super::text::parse_text;

/// The longest free-text answer.
pub const TEXT_MAX: usize = 5000;
pub const HOURS_MAX: i64 = 1000;

/// How often a program runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cadence {
    EveryWeeks(u32),
    /// A cron expression, evaluated in UTC.
    Cron(String),
}

impl Cadence {
    pub fn weeks(raw: &str) -> Result<Self, String> {
        match raw.trim().parse::<u32>() {
            Ok(n) if (1..=104).contains(&n) => Ok(Cadence::EveryWeeks(n)),
            _ => Err("must be a whole number of weeks from 1 to 104".into()),
        }
    }

    pub fn cron(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("must not be empty".into());
        }
        let cron = croner::Cron::from_str(raw)
            .map_err(|e| format!("is not a valid cron expression ({e})"))?;
        // "0 0 30 2 *" parses but never comes: a program on it would never
        // open a round. Eight years from any date span a leap day.
        let from = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        match cron.find_next_occurrence(&from, false) {
            Ok(next) if next - from <= TimeDelta::days(8 * 366) => {}
            _ => return Err("never falls on a real date".into()),
        }
        Ok(Cadence::Cron(raw.to_owned()))
    }

    /// The next `n` times a round would open after `after`.
    pub fn next(&self, after: NaiveDateTime, n: usize) -> Vec<NaiveDateTime> {
        match self {
            Cadence::EveryWeeks(weeks) => (1..=n as i64)
                .map(|i| after + TimeDelta::weeks(i * i64::from(*weeks)))
                .collect(),
            Cadence::Cron(expr) => {
                let Ok(cron) = croner::Cron::from_str(expr) else {
                    return Vec::new();
                };
                cron.iter_after(Utc.from_utc_datetime(&after))
                    .take(n)
                    .map(|t| t.naive_utc())
                    .collect()
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Cadence::EveryWeeks(1) => "every week".into(),
            Cadence::EveryWeeks(n) => format!("every {n} weeks"),
            Cadence::Cron(expr) => format!("on the schedule `{expr}` (UTC)"),
        }
    }
}

/// Reminder offsets in days after opening: "3, 6" → [3, 6]. Each must fall
/// inside the round.
pub fn parse_reminder_days(raw: &str, open_days: i64) -> Result<Vec<i64>, String> {
    let mut days = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<i64>() {
            Ok(d) if d >= 1 && d < open_days => days.push(d),
            _ => {
                return Err(format!(
                    "must be days after opening, from 1 to {}, separated by commas",
                    open_days - 1
                ));
            }
        }
    }
    days.sort_unstable();
    days.dedup();
    Ok(days)
}

/// The infrastructure properties every tool is rated on (slide 73).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Property {
    Security,
    Reliability,
    Usability,
    Efficiency,
    Latency,
}

impl Property {
    pub const ALL: [Property; 5] = [
        Property::Security,
        Property::Reliability,
        Property::Usability,
        Property::Efficiency,
        Property::Latency,
    ];

    pub fn field(self) -> &'static str {
        match self {
            Property::Security => "security",
            Property::Reliability => "reliability",
            Property::Usability => "usability",
            Property::Efficiency => "efficiency",
            Property::Latency => "latency",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Property::Security => "Security",
            Property::Reliability => "Reliability",
            Property::Usability => "Usability",
            Property::Efficiency => "Efficiency",
            Property::Latency => "Latency",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    Rating,
    Single,
    Multi,
    Text,
}

impl QuestionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Rating => "rating",
            QuestionKind::Single => "single",
            QuestionKind::Multi => "multi",
            QuestionKind::Text => "text",
        }
    }
}

impl FromStr for QuestionKind {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        match raw {
            "rating" => Ok(QuestionKind::Rating),
            "single" => Ok(QuestionKind::Single),
            "multi" => Ok(QuestionKind::Multi),
            "text" => Ok(QuestionKind::Text),
            _ => Err("must be rating, single, multi or text".into()),
        }
    }
}

/// A question as the form asks it.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    pub id: i64,
    pub kind: QuestionKind,
    pub prompt: String,
    pub options: Vec<String>,
    pub required: bool,
}

impl Question {
    /// The form field that answers it.
    pub fn field(&self) -> String {
        format!("q.{}", self.id)
    }

    /// Choices as stored, one per line; blank lines are not choices.
    pub fn parse_options(raw: &str) -> Vec<String> {
        raw.lines()
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// One tool's answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ToolAnswer {
    pub not_used: bool,
    /// Per property: `Some(1..=5)`, or `None` for "n/a" or unanswered.
    pub ratings: [Option<i64>; 5],
    pub satisfaction: Option<i64>,
    pub hours_lost: Option<i64>,
    pub pain: String,
    pub proposal: String,
}

/// A whole response, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseAnswers {
    /// By tool slug.
    pub tools: BTreeMap<String, ToolAnswer>,
    /// By question id: the answer as stored (choices one per line).
    pub questions: BTreeMap<i64, String>,
}

/// Why a submitted form was refused as a whole (a 400, not a 422).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct MalformedForm(pub String);

pub const TOOL_FIELDS: [&str; 10] = [
    "security",
    "reliability",
    "usability",
    "efficiency",
    "latency",
    "satisfaction",
    "hours_lost",
    "pain",
    "proposal",
    "not_used",
];

/// A submitted form's values by field name, each field's values in the order sent.
type Fields<'a> = HashMap<&'a str, Vec<&'a str>>;

/// Field name → message, for a form shown again beside its errors.
pub type FormErrors = BTreeMap<String, String>;

/// Reads a submitted form (`t.<tool-slug>.<field>`, `q.<question-id>`) for a
/// member asked about `tools`. Fields for other tools or questions are
/// ignored, as are fields this form does not know; a field sent twice is
/// refused, except the choices of a multiple-choice question.
///
/// Returns the answers, or the errors by field name.
pub fn parse_response(
    pairs: &[(String, String)],
    tools: &[String],
    questions: &[Question],
) -> Result<Result<ResponseAnswers, FormErrors>, MalformedForm> {
    let fields = collect_fields(pairs, questions)?;
    let mut errors = FormErrors::new();
    let mut answers = ResponseAnswers::default();
    for slug in tools {
        answers
            .tools
            .insert(slug.clone(), parse_tool(&fields, slug, &mut errors));
    }
    for q in questions {
        if let Some(value) = parse_question(&fields, q, &mut errors) {
            answers.questions.insert(q.id, value);
        }
    }
    Ok(if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    })
}

/// Groups the pairs by field, refusing a repeated field unless it is a
/// multiple-choice question's.
fn collect_fields<'a>(
    pairs: &'a [(String, String)],
    questions: &[Question],
) -> Result<Fields<'a>, MalformedForm> {
    let multi: Vec<String> = questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Multi)
        .map(|q| q.field())
        .collect();
    let mut fields = Fields::new();
    for (key, value) in pairs {
        let entry = fields.entry(key.as_str()).or_default();
        if !entry.is_empty() && !multi.contains(key) {
            return Err(MalformedForm(format!(
                "The field {key} was sent more than once."
            )));
        }
        entry.push(value.as_str());
    }
    Ok(fields)
}

fn first<'a>(fields: &Fields<'a>, key: &str) -> &'a str {
    fields
        .get(key)
        .and_then(|v| v.first())
        .map_or("", |v| v.trim())
}

/// A 1-5 scale, or `None` for "n/a" and no answer.
fn parse_scale(raw: &str) -> Result<Option<i64>, ()> {
    match raw {
        "" | "na" => Ok(None),
        v => match v.parse::<i64>() {
            Ok(n) if (1..=5).contains(&n) => Ok(Some(n)),
            _ => Err(()),
        },
    }
}

/// One tool's fields; problems go into `errors` under their field names.
fn parse_tool(fields: &Fields, slug: &str, errors: &mut FormErrors) -> ToolAnswer {
    let key = |field: &str| format!("t.{slug}.{field}");
    let mut answer = ToolAnswer {
        not_used: matches!(first(fields, &key("not_used")), "1" | "on" | "true" | "yes"),
        ..ToolAnswer::default()
    };
    if answer.not_used {
        return answer;
    }
    for (i, property) in Property::ALL.iter().enumerate() {
        let field = key(property.field());
        match parse_scale(first(fields, &field)) {
            Ok(n) => answer.ratings[i] = n,
            Err(()) => {
                errors.insert(field, "Choose 1 to 5, or n/a.".into());
            }
        }
    }
    let field = key("satisfaction");
    match first(fields, &field) {
        "" => {
            errors.insert(
                field,
                "How satisfied are you overall? Choose 1 to 5.".into(),
            );
        }
        raw => match parse_scale(raw) {
            Ok(Some(n)) => answer.satisfaction = Some(n),
            _ => {
                errors.insert(field, "Choose 1 to 5.".into());
            }
        },
    }
    let field = key("hours_lost");
    match first(fields, &field) {
        "" => {}
        v => match v.parse::<i64>() {
            Ok(n) if (0..=HOURS_MAX).contains(&n) => answer.hours_lost = Some(n),
            _ => {
                errors.insert(field, format!("Enter whole hours from 0 to {HOURS_MAX}."));
            }
        },
    }
    for (name, slot) in [
        ("pain", &mut answer.pain),
        ("proposal", &mut answer.proposal),
    ] {
        let field = key(name);
        match parse_text(first(fields, &field), TEXT_MAX) {
            Ok(text) => *slot = text,
            Err(e) => {
                errors.insert(field, format!("This {e}."));
            }
        }
    }
    answer
}

/// One extra question's answer as stored (choices one per line, in the
/// question's order, each once), or `None` when unanswered.
fn parse_question(fields: &Fields, q: &Question, errors: &mut FormErrors) -> Option<String> {
    let field = q.field();
    let given: Vec<&str> = fields
        .get(field.as_str())
        .map(|v| {
            v.iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if given.is_empty() {
        if q.required {
            errors.insert(field, "This question needs an answer.".into());
        }
        return None;
    }
    let stored = match q.kind {
        QuestionKind::Rating => match parse_scale(given[0]) {
            Ok(Some(n)) => Ok(n.to_string()),
            _ => Err("Choose 1 to 5.".to_string()),
        },
        QuestionKind::Single if q.options.iter().any(|o| o == given[0]) => Ok(given[0].to_owned()),
        QuestionKind::Single => Err("Choose one of the options.".into()),
        QuestionKind::Multi if given.iter().all(|g| q.options.iter().any(|o| o == g)) => Ok(q
            .options
            .iter()
            .filter(|o| given.contains(&o.as_str()))
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n")),
        QuestionKind::Multi => Err("Choose among the options.".into()),
        QuestionKind::Text => parse_text(given[0], TEXT_MAX).map_err(|e| format!("This {e}.")),
    };
    match stored {
        Ok(v) => Some(v),
        Err(e) => {
            errors.insert(field, e);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn cadences_parse_and_predict() {
        let t0 = NaiveDateTime::parse_from_str("2026-01-05 09:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let weekly = Cadence::weeks("13").unwrap();
        assert_eq!(weekly.next(t0, 2)[1] - t0, TimeDelta::weeks(26));
        assert!(Cadence::weeks("0").is_err() && Cadence::weeks("x").is_err());
        let cron = Cadence::cron("0 9 1 */3 *").unwrap();
        let next = cron.next(t0, 3);
        assert_eq!(next.len(), 3);
        assert_eq!(
            next[0].format("%Y-%m-%d %H:%M").to_string(),
            "2026-04-01 09:00"
        );
        assert!(Cadence::cron("61 * * * *").is_err());
        assert_eq!(
            Cadence::cron("0 0 30 2 *"),
            Err("never falls on a real date".into())
        );
        assert!(Cadence::cron("0 0 29 2 *").is_ok(), "every leap year");
        assert!(Cadence::cron("every monday").is_err());
    }

    #[test]
    fn reminders_fall_inside_the_round() {
        assert_eq!(parse_reminder_days(" 6, 3,3 ", 10), Ok(vec![3, 6]));
        assert_eq!(parse_reminder_days("", 10), Ok(vec![]));
        assert!(parse_reminder_days("10", 10).is_err());
        assert!(parse_reminder_days("0", 10).is_err());
        assert!(parse_reminder_days("three", 10).is_err());
    }

    #[test]
    fn a_full_answer_parses() {
        let q = Question {
            id: 7,
            kind: QuestionKind::Multi,
            prompt: "Which?".into(),
            options: vec!["a".into(), "b".into()],
            required: true,
        };
        let form = pairs(&[
            ("t.ci.security", "4"),
            ("t.ci.reliability", "na"),
            ("t.ci.satisfaction", "2"),
            ("t.ci.hours_lost", "12"),
            ("t.ci.pain", " slow builds "),
            ("t.ci.proposal", "rewrite it"),
            ("t.other.satisfaction", "9"),
            ("q.7", "a"),
            ("q.7", "b"),
            ("unknown", "x"),
        ]);
        let answers = parse_response(&form, &["ci".into()], &[q])
            .unwrap()
            .unwrap();
        let ci = &answers.tools["ci"];
        assert_eq!(ci.ratings, [Some(4), None, None, None, None]);
        assert_eq!((ci.satisfaction, ci.hours_lost), (Some(2), Some(12)));
        assert_eq!(ci.pain, "slow builds");
        assert_eq!(answers.questions[&7], "a\nb");
    }

    #[test]
    fn multiple_choices_are_kept_once_in_the_questions_order() {
        let q = Question {
            id: 7,
            kind: QuestionKind::Multi,
            prompt: "Which?".into(),
            options: vec!["a".into(), "b".into(), "c".into()],
            required: false,
        };
        let form = pairs(&[("q.7", "c"), ("q.7", "a"), ("q.7", "c"), ("q.7", "a")]);
        let answers = parse_response(&form, &[], &[q]).unwrap().unwrap();
        assert_eq!(answers.questions[&7], "a\nc");
    }

    #[test]
    fn every_field_is_checked() {
        let q = Question {
            id: 1,
            kind: QuestionKind::Text,
            prompt: "?".into(),
            options: vec![],
            required: true,
        };
        let long = "x".repeat(TEXT_MAX + 1);
        let form = pairs(&[
            ("t.ci.security", "6"),
            ("t.ci.hours_lost", "-1"),
            ("t.ci.pain", &long),
        ]);
        let errors = parse_response(&form, &["ci".into()], &[q])
            .unwrap()
            .unwrap_err();
        let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "q.1",
                "t.ci.hours_lost",
                "t.ci.pain",
                "t.ci.satisfaction",
                "t.ci.security"
            ]
        );
    }

    #[test]
    fn not_used_skips_the_tool_and_duplicates_are_refused() {
        let form = pairs(&[("t.ci.not_used", "1"), ("t.ci.security", "99")]);
        let answers = parse_response(&form, &["ci".into()], &[]).unwrap().unwrap();
        assert!(answers.tools["ci"].not_used);
        let form = pairs(&[("t.ci.satisfaction", "3"), ("t.ci.satisfaction", "4")]);
        assert!(parse_response(&form, &["ci".into()], &[]).is_err());
    }
}
