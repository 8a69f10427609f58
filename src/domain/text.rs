//! Rules for free text that ends up in pages, emails and CSV files.

/// A human-readable name: trimmed, 1 to `max` characters, no control characters.
/// Control characters are refused outright (not stripped) because a CR or LF in
/// a name that reaches an email header is a header injection, and lettre panics
/// on one.
pub fn parse_name(raw: &str, max: usize) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if name.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain line breaks or control characters".into());
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  Ada  ", 200), Ok("Ada".into()));
        assert!(parse_name("   ", 200).is_err());
        assert!(parse_name(&"x".repeat(201), 200).is_err());
        assert_eq!(
            parse_name(&"é".repeat(200), 200).unwrap().chars().count(),
            200
        );
    }

    #[test]
    fn control_characters_are_refused() {
        for bad in ["a\rb", "a\nb", "a\u{0}b", "a\tb", "a\u{7f}b"] {
            assert!(parse_name(bad, 200).is_err(), "{bad:?}");
        }
    }
}
