//! A survey program's settings and extra questions: the form as typed, and
//! the validated values built from it with `TryFrom`. Which tools and teams
//! exist is the service's to check (`surveys::programs`).

use serde::Serialize;

use super::FieldErrors;
use super::directory::{Slug, parse_named};
use super::survey::{Cadence, Question, QuestionKind, parse_reminder_days};
use super::text::{parse_name, parse_text};

pub const INTRO_MAX: usize = 5000;
pub const PROMPT_MAX: usize = 500;
pub const OPTIONS_MAX: usize = 2000;
pub const OPEN_DAYS: std::ops::RangeInclusive<i64> = 1..=90;
pub const ANONYMITY_K: std::ops::RangeInclusive<i64> = 1..=100;

/// A program form as typed, kept for showing it again beside its errors.
#[derive(Debug, Serialize, Default, Clone, PartialEq, Eq)]
pub struct ProgramForm {
    pub name: String,
    pub slug: String,
    pub intro: String,
    /// "infra" (every infrastructure tool) or "chosen".
    pub tools_mode: String,
    pub tools: Vec<String>,
    /// "using" (every team using an included tool) or "chosen".
    pub audience_mode: String,
    pub teams: Vec<String>,
    /// "weeks" or "cron".
    pub cadence_kind: String,
    pub cadence_weeks: String,
    pub cron: String,
    pub open_days: String,
    pub reminder_days: String,
    pub anonymity_k: String,
    pub paused: bool,
    pub thank_on_close: bool,
}

impl ProgramForm {
    /// A new program's form: quarterly, two weeks open, k = 5.
    pub fn defaults() -> Self {
        ProgramForm {
            tools_mode: "infra".into(),
            audience_mode: "using".into(),
            cadence_kind: "weeks".into(),
            cadence_weeks: "13".into(),
            cron: "0 9 1 */3 *".into(),
            open_days: "14".into(),
            reminder_days: "3, 7".into(),
            anonymity_k: "5".into(),
            ..Default::default()
        }
    }

    /// From submitted `name=value` pairs; `tools` and `teams` repeat.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut f = ProgramForm::default();
        for (k, v) in pairs {
            let v = v.clone();
            match k.as_str() {
                "name" => f.name = v,
                "slug" => f.slug = v,
                "intro" => f.intro = v,
                "tools_mode" => f.tools_mode = v,
                "tools" => f.tools.push(v),
                "audience_mode" => f.audience_mode = v,
                "teams" => f.teams.push(v),
                "cadence_kind" => f.cadence_kind = v,
                "cadence_weeks" => f.cadence_weeks = v,
                "cron" => f.cron = v,
                "open_days" => f.open_days = v,
                "reminder_days" => f.reminder_days = v,
                "anonymity_k" => f.anonymity_k = v,
                "paused" => f.paused = true,
                "thank_on_close" => f.thank_on_close = true,
                _ => {}
            }
        }
        f
    }
}

/// Which tools a round asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolChoice {
    /// Every tool that counts as infrastructure when the round opens.
    AllInfrastructure,
    /// These tools, by slug.
    Chosen(Vec<String>),
}

/// Whom a round asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every team that uses an included tool when the round opens.
    AllUsingTeams,
    /// These teams, by slug.
    Chosen(Vec<String>),
}

/// A program's settings, valid in themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramSettings {
    pub name: String,
    pub slug: Slug,
    pub intro: String,
    pub tools: ToolChoice,
    pub audience: Audience,
    pub cadence: Cadence,
    pub open_days: i64,
    /// Days after opening, ascending, each inside the round.
    pub reminder_days: Vec<i64>,
    pub anonymity_k: i64,
    pub paused: bool,
    pub thank_on_close: bool,
}

impl ProgramSettings {
    /// Reminder days as stored: "3, 7".
    pub fn reminder_days_text(&self) -> String {
        self.reminder_days
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn whole_number(raw: &str, range: &std::ops::RangeInclusive<i64>) -> Option<i64> {
    raw.trim().parse::<i64>().ok().filter(|n| range.contains(n))
}

fn chosen(values: &[String]) -> Vec<String> {
    let mut slugs: Vec<String> = values
        .iter()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    slugs.sort();
    slugs.dedup();
    slugs
}

impl TryFrom<&ProgramForm> for ProgramSettings {
    type Error = FieldErrors;

    /// Checks every field and reports each problem beside its field.
    fn try_from(form: &ProgramForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        // Name and slug follow the same rules as teams' and tools'.
        let named = parse_named(&form.name, &form.slug, "")
            .map_err(|e| errors.extend(e))
            .ok();
        let intro = parse_text(&form.intro, INTRO_MAX)
            .map_err(|e| errors.insert("intro", format!("The introduction {e}.")))
            .ok();
        let cadence = match form.cadence_kind.as_str() {
            "weeks" => Cadence::weeks(&form.cadence_weeks)
                .map_err(|e| errors.insert("cadence_weeks", format!("The cadence {e}."))),
            "cron" => Cadence::cron(&form.cron)
                .map_err(|e| errors.insert("cron", format!("The cron expression {e}."))),
            _ => Err(errors.insert("cadence_kind", "Choose a cadence.".into())),
        }
        .ok();
        let open_days = whole_number(&form.open_days, &OPEN_DAYS);
        if open_days.is_none() {
            errors.insert("open_days", "A round stays open from 1 to 90 days.".into());
        }
        let reminder_days = open_days.and_then(|d| {
            parse_reminder_days(&form.reminder_days, d)
                .map_err(|e| errors.insert("reminder_days", format!("Reminder days {e}.")))
                .ok()
        });
        let anonymity_k = whole_number(&form.anonymity_k, &ANONYMITY_K);
        if anonymity_k.is_none() {
            errors.insert(
                "anonymity_k",
                "The smallest group shown must be from 1 to 100 responses.".into(),
            );
        }
        let tools = match form.tools_mode.as_str() {
            "infra" => Some(ToolChoice::AllInfrastructure),
            "chosen" if !chosen(&form.tools).is_empty() => {
                Some(ToolChoice::Chosen(chosen(&form.tools)))
            }
            "chosen" => {
                errors.insert(
                    "tools",
                    "Tick at least one tool, or ask about every infrastructure tool.".into(),
                );
                None
            }
            _ => {
                errors.insert("tools", "Choose which tools to ask about.".into());
                None
            }
        };
        let audience = match form.audience_mode.as_str() {
            "using" => Some(Audience::AllUsingTeams),
            "chosen" if !chosen(&form.teams).is_empty() => {
                Some(Audience::Chosen(chosen(&form.teams)))
            }
            "chosen" => {
                errors.insert(
                    "teams",
                    "Tick at least one team, or ask every team that uses an included tool.".into(),
                );
                None
            }
            _ => {
                errors.insert("teams", "Choose whom to ask.".into());
                None
            }
        };
        match (
            named,
            intro,
            cadence,
            open_days,
            reminder_days,
            anonymity_k,
            tools,
            audience,
        ) {
            (
                Some(named),
                Some(intro),
                Some(cadence),
                Some(open_days),
                Some(reminder_days),
                Some(anonymity_k),
                Some(tools),
                Some(audience),
            ) if errors.is_empty() => Ok(ProgramSettings {
                name: named.name,
                slug: named.slug,
                intro,
                tools,
                audience,
                cadence,
                open_days,
                reminder_days,
                anonymity_k,
                paused: form.paused,
                thank_on_close: form.thank_on_close,
            }),
            _ => Err(errors),
        }
    }
}

/// An extra question as typed in the program page's form.
#[derive(Debug, Clone, Default)]
pub struct QuestionForm {
    pub kind: String,
    pub prompt: String,
    pub options: String,
    pub required: bool,
}

/// A valid extra question, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuestion {
    pub kind: QuestionKind,
    pub prompt: String,
    /// Choices in the order given, each once; empty unless a choice question.
    pub options: Vec<String>,
    pub required: bool,
}

impl TryFrom<&QuestionForm> for NewQuestion {
    type Error = String;

    fn try_from(form: &QuestionForm) -> Result<Self, String> {
        let kind: QuestionKind = form.kind.parse().map_err(|e| format!("The kind {e}."))?;
        let prompt =
            parse_name(&form.prompt, PROMPT_MAX).map_err(|e| format!("The question {e}."))?;
        let text =
            parse_text(&form.options, OPTIONS_MAX).map_err(|e| format!("The options {e}."))?;
        let mut options: Vec<String> = Vec::new();
        for option in Question::parse_options(&text) {
            if !options.contains(&option) {
                options.push(option);
            }
        }
        match kind {
            QuestionKind::Single | QuestionKind::Multi if options.len() < 2 => {
                Err("A choice question needs at least two different options, one per line.".into())
            }
            QuestionKind::Single | QuestionKind::Multi => Ok(NewQuestion {
                kind,
                prompt,
                options,
                required: form.required,
            }),
            QuestionKind::Rating | QuestionKind::Text => Ok(NewQuestion {
                kind,
                prompt,
                options: Vec::new(),
                required: form.required,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str) -> ProgramForm {
        ProgramForm {
            name: name.into(),
            ..ProgramForm::defaults()
        }
    }

    #[test]
    fn a_good_form_becomes_settings() {
        let s = ProgramSettings::try_from(&form("Quarterly pulse")).unwrap();
        assert_eq!(s.slug.as_str(), "quarterly-pulse");
        assert_eq!(s.reminder_days, [3, 7]);
        assert_eq!(s.reminder_days_text(), "3, 7");
        assert_eq!(s.tools, ToolChoice::AllInfrastructure);
        assert_eq!(s.cadence, Cadence::EveryWeeks(13));
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut f = form("");
        f.tools_mode = "chosen".into();
        f.open_days = "0".into();
        f.anonymity_k = "x".into();
        f.cadence_kind = "cron".into();
        f.cron = "0 0 30 2 *".into();
        let errors = ProgramSettings::try_from(&f).unwrap_err();
        let fields: Vec<&str> = errors.keys().copied().collect();
        assert_eq!(
            fields,
            ["anonymity_k", "cron", "name", "open_days", "tools"]
        );
    }

    #[test]
    fn chosen_tools_are_kept_once() {
        let pairs: Vec<(String, String)> = [
            ("name", "P"),
            ("tools_mode", "chosen"),
            ("tools", "ci"),
            ("tools", " ci "),
            ("tools", "flags"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let typed = ProgramForm::from_pairs(&pairs);
        let f = ProgramForm {
            tools_mode: typed.tools_mode,
            tools: typed.tools,
            ..form("P")
        };
        let s = ProgramSettings::try_from(&f).unwrap();
        assert_eq!(
            s.tools,
            ToolChoice::Chosen(vec!["ci".into(), "flags".into()])
        );
    }

    #[test]
    fn questions_need_two_different_choices() {
        let q = |kind: &str, options: &str| {
            NewQuestion::try_from(&QuestionForm {
                kind: kind.into(),
                prompt: "Which?".into(),
                options: options.into(),
                required: false,
            })
        };
        assert!(q("single", "a\na\n\n").is_err());
        assert_eq!(q("multi", "b\na\nb").unwrap().options, ["b", "a"]);
        assert!(q("rating", "").unwrap().options.is_empty());
        assert!(q("essay", "").is_err());
    }
}
