//! Reading an uploaded CSV file: size, encoding, delimiter, header, and rows
//! of the expected width. Whole-file problems stop everything; row problems
//! are collected with their line so that all of them can be shown at once.

use serde::Serialize;

/// Largest file accepted, from the upload form or the command line.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Most data rows in one file.
pub const MAX_ROWS: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line in the file, counting the header.
    pub line: u64,
    /// The column's name, when the problem is in one cell.
    pub column: Option<&'static str>,
    pub message: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FileError {
    #[error("The file is larger than {} MiB.", MAX_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("The file has more than {MAX_ROWS} rows; split it.")]
    TooManyRows,
    #[error("The file is not UTF-8 text (first bad byte at offset {0}). Save it as CSV UTF-8.")]
    NotUtf8(usize),
    #[error(
        "The file holds a control character (first at offset {0}) that no CSV cell may hold. Save it as CSV UTF-8."
    )]
    ControlCharacter(usize),
    #[error("The file is empty.")]
    Empty,
    #[error("The header row must name the columns {expected}; found {found}.")]
    BadHeader { expected: String, found: String },
}

/// One data row, its fields in the order of the expected columns.
#[derive(Debug, Clone)]
pub struct CsvRow {
    pub line: u64,
    pub fields: Vec<String>,
}

/// Reads `bytes` as CSV with exactly the columns `expected` (in any order,
/// case-insensitive). Accepts a UTF-8 byte-order mark and `,` or `;` as the
/// delimiter; quoted fields may hold either, and line breaks.
pub fn read(
    bytes: &[u8],
    expected: &[&'static str],
) -> Result<(Vec<CsvRow>, Vec<RowError>), FileError> {
    if bytes.len() > MAX_BYTES {
        return Err(FileError::TooLarge);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| FileError::NotUtf8(e.valid_up_to()))?;
    // NUL and the like: no name, email or flag may hold one, and PostgreSQL
    // refuses a NUL in text outright.
    if let Some(at) = text.find(|c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(FileError::ControlCharacter(at));
    }
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    // The csv crate numbers records one line early after a CRLF, which is
    // what Excel and Python write; line breaks inside cells lose their CR,
    // which no name, email or flag may hold anyway.
    let text = text.replace("\r\n", "\n");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(detect_delimiter(&text))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());

    let header: Vec<String> = reader
        .headers()
        .map_err(|_| FileError::Empty)?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let bad_header = || FileError::BadHeader {
        expected: expected.join(", "),
        found: if header.iter().all(String::is_empty) {
            "nothing".into()
        } else {
            header.join(", ")
        },
    };
    if header.len() != expected.len() {
        return Err(bad_header());
    }
    let positions: Vec<usize> = expected
        .iter()
        .map(|col| header.iter().position(|h| h == col).ok_or_else(bad_header))
        .collect::<Result<_, _>>()?;

    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        if rows.len() + errors.len() >= MAX_ROWS {
            return Err(FileError::TooManyRows);
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(RowError {
                    line,
                    column: None,
                    message: "This row cannot be read as CSV.".into(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != expected.len() {
            errors.push(RowError {
                line,
                column: None,
                message: format!(
                    "This row has {} fields; expected {} ({}).",
                    record.len(),
                    expected.len(),
                    expected.join(", ")
                ),
            });
            continue;
        }
        rows.push(CsvRow {
            line,
            fields: positions.iter().map(|&i| record[i].to_owned()).collect(),
        });
    }
    Ok((rows, errors))
}

/// `;` when the header line has more semicolons than commas outside quotes
/// (spreadsheets in many locales export so), otherwise `,`.
fn detect_delimiter(text: &str) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            '\n' if !quoted => break,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [&str; 3] = ["email", "name", "team"];

    fn fields(rows: &[CsvRow]) -> Vec<Vec<&str>> {
        rows.iter()
            .map(|r| r.fields.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn reads_commas_semicolons_bom_and_quotes() {
        let (rows, errors) =
            read(b"email,name,team\na@x.io,\"Lovelace, Ada\",core\n", &COLS).unwrap();
        assert!(errors.is_empty());
        assert_eq!(fields(&rows), [["a@x.io", "Lovelace, Ada", "core"]]);
        assert_eq!(rows[0].line, 2);

        let (rows, _) = read(
            "\u{feff}Team;Email;Name\r\ncore;a@x.io;Ada\r\n".as_bytes(),
            &COLS,
        )
        .unwrap();
        assert_eq!(
            fields(&rows),
            [["a@x.io", "Ada", "core"]],
            "columns in any order"
        );
    }

    #[test]
    fn crlf_files_report_the_lines_people_see() {
        let crlf = b"email,name,team\r\na@x.io,A,core\r\nb@x.io,B\r\nc@x.io,\"C\r\nD\",core\r\n";
        let (rows, errors) = read(crlf, &COLS).unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(errors[0].line, 3);
        assert_eq!(rows[1].fields[1], "C\nD");
    }

    #[test]
    fn ragged_rows_are_reported_with_their_line() {
        let (rows, errors) = read(b"email,name,team\na@x.io,Ada\nb@x.io,Bo,core\n", &COLS).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(errors[0].line, 2);
        assert!(errors[0].message.contains("has 2 fields; expected 3"));
    }

    #[test]
    fn whole_file_problems_stop_the_import() {
        assert_eq!(read(b"", &COLS).unwrap_err(), FileError::Empty);
        assert_eq!(
            read(b"email,name,team\n\xff\xfe", &COLS).unwrap_err(),
            FileError::NotUtf8(16)
        );
        assert!(matches!(
            read(b"mail,name\n", &COLS).unwrap_err(),
            FileError::BadHeader { .. }
        ));
        assert!(matches!(
            read(b"email,name,team,extra\n", &COLS).unwrap_err(),
            FileError::BadHeader { .. }
        ));
        let big = vec![b'a'; MAX_BYTES + 1];
        assert_eq!(read(&big, &COLS).unwrap_err(), FileError::TooLarge);
    }
}
