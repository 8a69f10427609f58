//! Email templates: a subject, a plain-text body and an HTML body per kind of
//! email, embedded in the binary and replaceable file by file from
//! `EMAIL_TEMPLATES_DIR`.
//!
//! Tera escapes only names ending in `.html`: the HTML bodies are escaped, the
//! subject and text bodies are not (they are not HTML), and the subject is
//! flattened to one line before it becomes a header.

use std::path::Path;

use anyhow::Context as _;
use serde::Serialize;
use tera::{Context, Tera};

use crate::db::outbox::Kind;

const TEMPLATES: &[(&str, &str)] = crate::embed::embedded![
    "email/":
    "invitation.subject.txt",
    "invitation.txt",
    "invitation.html",
    "reminder.subject.txt",
    "reminder.txt",
    "reminder.html",
    "thanks.subject.txt",
    "thanks.txt",
    "thanks.html",
];

/// What every email template can use.
#[derive(Debug, Clone, Serialize)]
pub struct EmailData {
    pub name: String,
    pub program: String,
    pub tools: Vec<String>,
    /// The round's deadline, in full ("Monday 7 December 2026, 17:00 UTC").
    pub deadline: String,
    /// The deadline's day only, for subjects ("7 December").
    pub deadline_day: String,
    /// The respondent's personal link.
    pub link: String,
    /// Stops the program's emails to this member.
    pub stop_link: String,
    /// The reminder's number (1, 2, …); 0 for other emails.
    pub reminder: i64,
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct EmailTemplates {
    tera: Tera,
}

impl EmailTemplates {
    /// The embedded templates, each replaced by a file of the same name in
    /// `overrides` when there is one. Every template is rendered once with
    /// sample data, so a broken override stops start-up instead of an email.
    pub fn load(overrides: Option<&Path>) -> anyhow::Result<Self> {
        let mut sources = Vec::new();
        for (name, embedded) in TEMPLATES {
            let source = match overrides.map(|dir| dir.join(name)) {
                Some(path) if path.is_file() => std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?,
                _ => (*embedded).to_owned(),
            };
            sources.push((*name, source));
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(escape_html);
        tera.add_raw_templates(sources)
            .map_err(|e| anyhow::anyhow!("an email template does not parse: {e:?}"))?;
        let templates = EmailTemplates { tera };
        for kind in [Kind::Invitation, Kind::Reminder, Kind::Thanks] {
            templates.render(kind, &sample()).map_err(|e| {
                anyhow::anyhow!("the {} email template fails: {e:?}", kind.as_str())
            })?;
        }
        Ok(templates)
    }

    pub fn render(&self, kind: Kind, data: &EmailData) -> Result<Rendered, tera::Error> {
        let ctx = Context::from_serialize(data)?;
        let name = kind.as_str();
        let subject = self.tera.render(&format!("{name}.subject.txt"), &ctx)?;
        Ok(Rendered {
            subject: one_line(&subject),
            text: self.tera.render(&format!("{name}.txt"), &ctx)?,
            html: self.tera.render(&format!("{name}.html"), &ctx)?,
        })
    }
}

/// Escapes the five characters that matter in HTML text and in quoted
/// attributes. Tera's own escaping also writes `/` as `&#x2F;`, which
/// turns every link into a line too long for a 7bit email body.
fn escape_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + raw.len() / 8);
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Whitespace and control characters (CR and LF among them) become single
/// spaces: a header value is one line, whatever a name or template holds.
pub fn one_line(raw: &str) -> String {
    raw.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn sample() -> EmailData {
    EmailData {
        name: "Ada Lovelace".into(),
        program: "Quarterly pulse".into(),
        tools: vec!["Kubernetes".into(), "MongoDB".into()],
        deadline: "Monday 7 December 2026, 17:00 UTC".into(),
        deadline_day: "7 December".into(),
        link: "https://pulse.example.com/r/token".into(),
        stop_link: "https://pulse.example.com/r/token/stop".into(),
        reminder: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped_and_subjects_are_one_line() {
        let templates = EmailTemplates::load(None).unwrap();
        let data = EmailData {
            name: "<script>alert(1)</script>".into(),
            program: "Pulse\r\nBcc: everyone@example.com".into(),
            ..sample()
        };
        let r = templates.render(Kind::Invitation, &data).unwrap();
        assert!(!r.subject.contains('\n') && !r.subject.contains('\r'));
        assert!(r.subject.starts_with("Pulse Bcc: everyone@example.com:"));
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("&lt;script&gt;"));
        let quoted = EmailData {
            name: "\"><img src=x onerror=alert(1)> O'Neil & co".into(),
            link: "https://pulse.example.com/r/x\" onmouseover=\"alert(1)".into(),
            ..sample()
        };
        let r = templates.render(Kind::Invitation, &quoted).unwrap();
        assert!(!r.html.contains("<img") && !r.html.contains("\" onmouseover"));
        assert!(
            r.html
                .contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; O&#x27;Neil &amp; co")
        );
        assert!(r.text.contains(&data.link));
    }

    /// lettre sends a body whose lines all fit in 76 characters as 7bit,
    /// readable as it stands, and quoted-printable-encodes it otherwise
    /// (slower to build, and `=` soft breaks in the source). With names
    /// and links of a usual length, the embedded templates fit.
    #[test]
    fn embedded_bodies_fit_in_7bit_lines() {
        let templates = EmailTemplates::load(None).unwrap();
        let data = EmailData {
            link: format!("https://pulse.example.com/r/{}", "f".repeat(32)),
            stop_link: format!("https://pulse.example.com/r/{}/stop", "f".repeat(32)),
            program: "Quarterly infrastructure pulse".into(),
            ..sample()
        };
        for kind in [Kind::Invitation, Kind::Reminder, Kind::Thanks] {
            let r = templates.render(kind, &data).unwrap();
            for line in r.text.lines().chain(r.html.lines()) {
                assert!(line.len() < 75, "{kind:?}: {} long: {line}", line.len());
            }
        }
    }

    #[test]
    fn a_file_replaces_its_embedded_template() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("reminder.subject.txt"),
            "Nudge: {{ program }}",
        )
        .unwrap();
        let templates = EmailTemplates::load(Some(dir.path())).unwrap();
        let r = templates.render(Kind::Reminder, &sample()).unwrap();
        assert_eq!(r.subject, "Nudge: Quarterly pulse");

        std::fs::write(dir.path().join("thanks.txt"), "{{ nonsense(").unwrap();
        assert!(EmailTemplates::load(Some(dir.path())).is_err());
    }
}
