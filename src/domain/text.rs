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
    if name.starts_with(FORMULA_PREFIXES) {
        return Err(
            "must not start with =, +, - or @ (spreadsheets run such text as a formula)".into(),
        );
    }
    Ok(name.to_owned())
}

/// What makes a spreadsheet treat a cell as a formula (CSV injection).
pub const FORMULA_PREFIXES: [char; 4] = ['=', '+', '-', '@'];

/// Longer free text (descriptions): trimmed, at most `max` characters, line
/// breaks and tabs allowed, other control characters refused.
pub fn parse_text(raw: &str, max: usize) -> Result<String, String> {
    let text = raw.trim();
    if text.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("must not contain control characters".into());
    }
    Ok(text.replace("\r\n", "\n"))
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
    fn spreadsheet_formulas_are_refused() {
        for bad in ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)"] {
            assert!(parse_name(bad, 200).is_err(), "{bad:?}");
        }
        assert!(parse_name("Ada = Lovelace", 200).is_ok());
    }

    #[test]
    fn text_keeps_line_breaks_only() {
        assert_eq!(parse_text(" a\r\nb ", 10), Ok("a\nb".into()));
        assert!(parse_text("a\u{0}b", 10).is_err());
        assert!(parse_text(&"x".repeat(11), 10).is_err());
        assert_eq!(parse_text("", 10), Ok(String::new()));
    }

    #[test]
    fn control_characters_are_refused() {
        for bad in ["a\rb", "a\nb", "a\u{0}b", "a\tb", "a\u{7f}b"] {
            assert!(parse_name(bad, 200).is_err(), "{bad:?}");
        }
    }
}
