//! One CSV file being written: RFC 4180 (CRLF, quotes where needed) by the
//! `csv` crate, text neutralised against formula injection, numbers as
//! plain numbers.

use std::borrow::Cow;
use std::io::Write;

use crate::domain::results::Hundredths;

/// Spreadsheet apps run a cell that starts with one of these as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Text as a cell that a spreadsheet shows and never runs: a leading `'`
/// before anything that would start a formula.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

pub struct Sheet<W: Write> {
    csv: csv::Writer<W>,
    rows: u64,
}

impl<W: Write> Sheet<W> {
    pub fn new(mut out: W, bom: bool, columns: &[&str]) -> anyhow::Result<Self> {
        if bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        csv.write_record(columns.iter().map(|c| neutralise(c).into_owned()))?;
        // The header goes out at once, so a download starts before the
        // first page is read.
        csv.flush()?;
        Ok(Sheet { csv, rows: 0 })
    }

    pub fn text(&mut self, text: &str) -> csv::Result<&mut Self> {
        self.csv.write_field(neutralise(text).as_bytes())?;
        Ok(self)
    }

    pub fn int(&mut self, n: i64) -> csv::Result<&mut Self> {
        self.csv.write_field(n.to_string())?;
        Ok(self)
    }

    pub fn opt_int(&mut self, n: Option<i64>) -> csv::Result<&mut Self> {
        match n {
            Some(n) => self.int(n),
            None => self.empty(),
        }
    }

    /// Two decimals ("3.47", "-0.20"): a number, never neutralised.
    pub fn hundredths(&mut self, h: Option<Hundredths>) -> csv::Result<&mut Self> {
        match h {
            Some(h) => {
                self.csv.write_field(h.to_string())?;
                Ok(self)
            }
            None => self.empty(),
        }
    }

    pub fn flag(&mut self, b: bool) -> csv::Result<&mut Self> {
        self.csv.write_field(if b { "true" } else { "false" })?;
        Ok(self)
    }

    pub fn empty(&mut self) -> csv::Result<&mut Self> {
        self.csv.write_field("")?;
        Ok(self)
    }

    /// Ends the row.
    pub fn end(&mut self) -> csv::Result<()> {
        self.rows += 1;
        self.csv.write_record(None::<&[u8]>)
    }

    pub fn finish(mut self) -> anyhow::Result<u64> {
        self.csv.flush()?;
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised_and_nothing_else() {
        for hostile in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(hostile), format!("'{hostile}"));
        }
        for plain in ["", "a=b", "3 + 4", "'quoted", "é=1"] {
            assert_eq!(neutralise(plain), plain);
        }
    }

    #[test]
    fn numbers_stay_numbers_and_text_is_quoted_as_rfc_4180_says() {
        let mut out = Vec::new();
        let mut sheet = Sheet::new(&mut out, true, &["a", "b", "c", "d"]).unwrap();
        sheet.hundredths(Some(Hundredths(-20))).unwrap();
        sheet.int(-3).unwrap();
        sheet.text("say \"hi\",\nthen -1").unwrap();
        sheet.text("-1").unwrap();
        sheet.end().unwrap();
        assert_eq!(sheet.finish().unwrap(), 1);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\u{feff}a,b,c,d\r\n-0.20,-3,\"say \"\"hi\"\",\nthen -1\",'-1\r\n"
        );
    }
}
