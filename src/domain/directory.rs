//! The directory's rules: slugs, names, tool categories, and what makes a
//! tool technical infrastructure.

use std::fmt;

use serde::Serialize;

use super::text::{parse_name, parse_text};

pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 2000;

/// A URL-safe identifier: lower-case letters, digits and single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let slug = raw.trim();
        if slug.is_empty() {
            return Err("must not be empty".into());
        }
        if slug.len() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        if !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err("may contain only a-z, 0-9 and -".into());
        }
        if slug.starts_with('-') || slug.ends_with('-') || slug.contains("--") {
            return Err("must not start or end with - or repeat it".into());
        }
        if slug == "new" {
            return Err("'new' is reserved".into());
        }
        Ok(Slug(slug.to_owned()))
    }

    /// A slug made from a name: "Data Platform (EU)" becomes "data-platform-eu".
    /// `None` when the name has no ASCII letters or digits to keep.
    pub fn from_name(name: &str) -> Option<Self> {
        let mut slug = String::new();
        for c in name.chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let slug: String = slug.chars().take(Self::MAX_LEN).collect();
        Slug::parse(slug.trim_end_matches('-')).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A tool category's name (categories are a list admins keep, seeded with
/// the talk's four kinds of technical infrastructure and "other").
pub fn parse_category_name(raw: &str) -> Result<String, String> {
    let name = parse_name(raw, 100).map_err(|e| format!("The name {e}."))?;
    if Slug::from_name(&name).is_none() {
        return Err("The name needs a letter or digit.".into());
    }
    Ok(name)
}

/// Validated fields of a team or tool form (and import rows).
pub struct NamedThing {
    pub name: String,
    pub slug: Slug,
    pub description: String,
}

/// Validates name, slug (made from the name when left empty) and description,
/// collecting one message per field.
pub fn parse_named(
    name: &str,
    slug: &str,
    description: &str,
) -> Result<NamedThing, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let name = parse_name(name, NAME_MAX)
        .map_err(|e| errors.push(("name", format!("The name {e}."))))
        .ok();
    let slug = if slug.trim().is_empty() {
        // Made from the name: a missing or bad name has its own message,
        // and a second one about the slug would only confuse.
        name.as_deref().and_then(|name| {
            Slug::from_name(name).or_else(|| {
                errors.push((
                    "slug",
                    "Choose a slug: the name has no letters or digits to make one from.".into(),
                ));
                None
            })
        })
    } else {
        Slug::parse(slug)
            .map_err(|e| errors.push(("slug", format!("The slug {e}."))))
            .ok()
    };
    let description = parse_text(description, DESCRIPTION_MAX)
        .map_err(|e| errors.push(("description", format!("The description {e}."))))
        .ok();
    match (name, slug, description) {
        (Some(name), Some(slug), Some(description)) if errors.is_empty() => Ok(NamedThing {
            name,
            slug,
            description,
        }),
        _ => Err(errors),
    }
}

/// Slide 10: technical infrastructure is a tool used by at least `threshold`
/// teams for business-critical work.
pub fn is_infrastructure(business_critical_teams: i64, threshold: u32) -> bool {
    business_critical_teams >= i64::from(threshold)
}

/// A yes/no cell in an import file.
pub fn parse_flag(raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "x" => Ok(true),
        "false" | "no" | "n" | "0" | "" => Ok(false),
        _ => Err("expected yes/no, true/false or 1/0".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_strict() {
        assert!(Slug::parse("data-platform-2").is_ok());
        for bad in [
            "",
            "Data",
            "a_b",
            "-a",
            "a-",
            "a--b",
            "a b",
            "é",
            &"a".repeat(65),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn slugs_are_made_from_names() {
        assert_eq!(
            Slug::from_name("Data Platform (EU)").unwrap().as_str(),
            "data-platform-eu"
        );
        assert_eq!(Slug::from_name("  CI / CD  ").unwrap().as_str(), "ci-cd");
        assert_eq!(Slug::from_name("日本"), None);
    }

    #[test]
    fn the_three_team_rule() {
        assert!(!is_infrastructure(2, 3));
        assert!(is_infrastructure(3, 3));
        assert!(is_infrastructure(1, 1));
    }

    #[test]
    fn named_things_report_every_field() {
        let errors = parse_named("", "Bad Slug", "\u{0}").err().unwrap();
        let fields: Vec<_> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["name", "slug", "description"]);
        let errors = parse_named("  ", "", "").err().unwrap();
        let fields: Vec<_> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["name"], "an empty name gives one message, not two");
        let errors = parse_named("日本", "", "").err().unwrap();
        assert_eq!(errors[0].0, "slug", "a name with nothing to make a slug of");
        let ok = parse_named("Feature flags", "", "Toggles").unwrap();
        assert_eq!(ok.slug.as_str(), "feature-flags");
    }

    #[test]
    fn flags_parse_leniently_but_not_blindly() {
        assert_eq!(parse_flag("Yes"), Ok(true));
        assert_eq!(parse_flag(" 0 "), Ok(false));
        assert!(parse_flag("maybe").is_err());
    }
}
