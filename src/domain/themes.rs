//! The words of triage: what a theme is (a pain or a proposal), the tags an
//! admin gives a pain (slides 13-14: forced or discretionary, short- or
//! long-term) and where work on it stands.

use serde::Serialize;

/// What a comment answers: the pain it describes, or the fix it proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Pain,
    Proposal,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Pain, Kind::Proposal];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pain => "pain",
            Kind::Proposal => "proposal",
        }
    }

    pub fn parse(raw: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// A choice from a fixed list, as stored and as shown.
pub trait Choice: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    fn label(self) -> &'static str;
    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == raw)
    }
}

macro_rules! choice {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $key:literal / $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        pub enum $name { $($variant),+ }

        impl Choice for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
            fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }
    };
}

choice!(
    /// Must the infrastructure team do it (an outage, an audit finding),
    /// or may it choose to?
    Forced { Forced = "forced" / "Forced", Discretionary = "discretionary" / "Discretionary" }
);

choice!(
    /// A quick fix or a long piece of work.
    Horizon { Short = "short" / "Short-term", Long = "long" / "Long-term" }
);

choice!(
    /// Where work on a pain stands.
    Status {
        New = "new" / "New",
        Planned = "planned" / "Planned",
        InProgress = "in_progress" / "In progress",
        Done = "done" / "Done",
        WontFix = "wont_fix" / "Won't fix",
    }
);

/// The longest theme name an admin may give.
pub const MAX_LABEL: usize = 80;

/// An admin's name for a theme: trimmed, one line, 1 to 80 characters.
pub fn parse_label(raw: &str) -> Result<String, String> {
    let label = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if label.is_empty() {
        return Err("Give the theme a name.".into());
    }
    if label.chars().count() > MAX_LABEL {
        return Err(format!("Keep the name to {MAX_LABEL} characters."));
    }
    if label.chars().any(char::is_control) {
        return Err("A name cannot hold control characters.".into());
    }
    Ok(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Forced::parse("forced"), Some(Forced::Forced));
        assert_eq!(Horizon::parse("medium"), None);
        assert_eq!(Kind::parse("proposal"), Some(Kind::Proposal));
    }

    #[test]
    fn labels_are_one_trimmed_line() {
        assert_eq!(
            parse_label("  Noisy \n neighbours ").unwrap(),
            "Noisy neighbours"
        );
        assert!(parse_label(" \t ").is_err());
        assert!(parse_label(&"x".repeat(81)).is_err());
    }
}
