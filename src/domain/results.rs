//! What answers add up to: per measure, how many gave each value (a
//! histogram), and the figures every page and export derives from it.
//!
//! Means are kept in hundredths (3.47 is 347), rounded half up once, so a
//! page, an export and a test that recomputes from the answers agree to the
//! digit, and a breach is exactly "the mean shown is below the baseline".

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::survey::Property;

/// What a tool is rated on: the five properties (slide 73), overall
/// satisfaction, and hours lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    Security,
    Reliability,
    Usability,
    Efficiency,
    Latency,
    Satisfaction,
    Hours,
}

impl Measure {
    /// The 1-5 measures, in the order pages show them.
    pub const RATED: [Measure; 6] = [
        Measure::Security,
        Measure::Reliability,
        Measure::Usability,
        Measure::Efficiency,
        Measure::Latency,
        Measure::Satisfaction,
    ];

    pub const ALL: [Measure; 7] = [
        Measure::Security,
        Measure::Reliability,
        Measure::Usability,
        Measure::Efficiency,
        Measure::Latency,
        Measure::Satisfaction,
        Measure::Hours,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Measure::Security => "security",
            Measure::Reliability => "reliability",
            Measure::Usability => "usability",
            Measure::Efficiency => "efficiency",
            Measure::Latency => "latency",
            Measure::Satisfaction => "satisfaction",
            Measure::Hours => "hours",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Measure::Satisfaction => "Satisfaction",
            Measure::Hours => "Hours lost",
            other => other.property().map_or("", Property::label),
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Measure::ALL.into_iter().find(|m| m.key() == key)
    }

    /// The infrastructure property this measure is, if it is one.
    pub fn property(self) -> Option<Property> {
        match self {
            Measure::Security => Some(Property::Security),
            Measure::Reliability => Some(Property::Reliability),
            Measure::Usability => Some(Property::Usability),
            Measure::Efficiency => Some(Property::Efficiency),
            Measure::Latency => Some(Property::Latency),
            Measure::Satisfaction | Measure::Hours => None,
        }
    }

    pub fn from_property(p: Property) -> Self {
        match p {
            Property::Security => Measure::Security,
            Property::Reliability => Measure::Reliability,
            Property::Usability => Measure::Usability,
            Property::Efficiency => Measure::Efficiency,
            Property::Latency => Measure::Latency,
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A number in hundredths, shown with two decimals ("3.47", "-0.20").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct Hundredths(pub i64);

impl Hundredths {
    /// Parses "3", "3.5" or "3.47" (at most two decimals).
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let (whole, frac) = match raw.split_once('.') {
            Some((_, "")) => return None,
            Some(parts) => parts,
            None => (raw, ""),
        };
        if whole.is_empty() || frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let frac: i64 = format!("{frac:0<2}").parse().ok()?;
        Some(Hundredths(whole.checked_mul(100)?.checked_add(frac)?))
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl fmt::Display for Hundredths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}{}.{:02}", self.0.abs() / 100, self.0.abs() % 100)
    }
}

impl From<Hundredths> for String {
    fn from(h: Hundredths) -> String {
        h.to_string()
    }
}

/// A delta with its sign always written ("+0.40", "-0.20", "0.00").
pub fn signed(h: Hundredths) -> String {
    if h.0 > 0 {
        format!("+{h}")
    } else {
        h.to_string()
    }
}

/// How many answers gave each value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram(BTreeMap<i64, i64>);

impl Histogram {
    pub fn add(&mut self, value: i64, n: i64) {
        if n > 0 {
            *self.0.entry(value).or_default() += n;
        }
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (&value, &n) in &other.0 {
            self.add(value, n);
        }
    }

    /// (value, how many) in increasing value.
    pub fn entries(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.0.iter().map(|(&v, &n)| (v, n))
    }

    /// Answers counted (n/a and blanks are not).
    pub fn n(&self) -> i64 {
        self.0.values().sum()
    }

    pub fn total(&self) -> i64 {
        self.0.iter().map(|(v, n)| v * n).sum()
    }

    /// The mean, rounded half up to hundredths.
    pub fn mean(&self) -> Option<Hundredths> {
        let n = self.n();
        (n > 0).then(|| Hundredths((self.total() * 200 + n).div_euclid(2 * n)))
    }

    /// The middle answer (the mean of the two middle ones for an even count).
    pub fn median(&self) -> Option<Hundredths> {
        let n = self.n();
        if n == 0 {
            return None;
        }
        let nth = |k: i64| {
            let mut seen = 0;
            for (v, c) in self.entries() {
                seen += c;
                if seen > k {
                    return v;
                }
            }
            unreachable!("k < n")
        };
        let (lo, hi) = (nth((n - 1) / 2), nth(n / 2));
        Some(Hundredths((lo + hi) * 50))
    }

    /// Share of 4s and 5s, in whole percent rounded half up.
    pub fn favourable_percent(&self) -> Option<i64> {
        let n = self.n();
        let good: i64 = self
            .entries()
            .filter(|(v, _)| *v >= 4)
            .map(|(_, c)| c)
            .sum();
        (n > 0).then(|| percent(good, n))
    }

    /// Counts of 1 to 5.
    pub fn distribution(&self) -> [i64; 5] {
        let mut d = [0; 5];
        for (v, c) in self.entries() {
            if (1..=5).contains(&v) {
                d[(v - 1) as usize] += c;
            }
        }
        d
    }
}

/// A breach: the mean shown is below the baseline.
pub fn is_breach(mean: Option<Hundredths>, baseline: Option<Hundredths>) -> bool {
    matches!((mean, baseline), (Some(m), Some(b)) if m < b)
}

/// The change from the previous round's mean.
pub fn delta(now: Option<Hundredths>, before: Option<Hundredths>) -> Option<Hundredths> {
    Some(Hundredths(now?.0 - before?.0))
}

/// `part` of `whole` in whole percent, rounded half up; 0 of nothing is 0.
/// Every percentage the product shows is rounded here.
pub fn percent(part: i64, whole: i64) -> i64 {
    if whole == 0 {
        0
    } else {
        (part * 200 + whole) / (2 * whole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_up() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(1, 8), 13, "12.5 rounds up");
        assert_eq!(percent(7, 7), 100);
        for whole in 1..60 {
            for part in 0..=whole {
                let exact = part as f64 * 100.0 / whole as f64;
                assert_eq!(percent(part, whole), (exact + 0.5 + 1e-9).floor() as i64);
            }
        }
    }

    fn hist(values: &[i64]) -> Histogram {
        let mut h = Histogram::default();
        for &v in values {
            h.add(v, 1);
        }
        h
    }

    #[test]
    fn means_round_half_up_to_hundredths() {
        assert_eq!(hist(&[1, 2]).mean(), Some(Hundredths(150)));
        assert_eq!(hist(&[1, 1, 2]).mean(), Some(Hundredths(133)));
        assert_eq!(hist(&[1, 2, 2]).mean(), Some(Hundredths(167)));
        // 2/3 of the way: 4.666… shows 4.67.
        assert_eq!(hist(&[4, 5, 5]).mean(), Some(Hundredths(467)));
        // Exactly half a hundredth rounds up: 1.005 → 1.01.
        let mut h = hist(&[2]);
        h.add(1, 199);
        assert_eq!(h.mean(), Some(Hundredths(101)));
        assert_eq!(Histogram::default().mean(), None);
    }

    #[test]
    fn medians_favourable_share_and_distribution() {
        assert_eq!(hist(&[0, 3, 40]).median(), Some(Hundredths(300)));
        assert_eq!(hist(&[0, 3, 4, 40]).median(), Some(Hundredths(350)));
        let h = hist(&[1, 4, 5, 5, 2, 4]);
        assert_eq!(h.favourable_percent(), Some(67));
        assert_eq!(h.distribution(), [1, 1, 0, 2, 2]);
        assert_eq!(h.n(), 6);
        let mut merged = hist(&[1]);
        merged.merge(&hist(&[1, 5]));
        assert_eq!(merged.distribution(), [2, 0, 0, 0, 1]);
    }

    #[test]
    fn hundredths_read_and_write_like_people_do() {
        assert_eq!(Hundredths::parse("3.5"), Some(Hundredths(350)));
        assert_eq!(Hundredths::parse(" 4 "), Some(Hundredths(400)));
        assert_eq!(Hundredths::parse("2.07"), Some(Hundredths(207)));
        for bad in ["", "x", "3.456", "3.", ".5", "3.-1"] {
            assert_eq!(Hundredths::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Hundredths(347).to_string(), "3.47");
        assert_eq!(Hundredths(-20).to_string(), "-0.20");
        assert_eq!(signed(Hundredths(40)), "+0.40");
        assert_eq!(signed(Hundredths(0)), "0.00");
    }

    #[test]
    fn a_breach_is_strictly_below() {
        assert!(is_breach(Some(Hundredths(349)), Some(Hundredths(350))));
        assert!(!is_breach(Some(Hundredths(350)), Some(Hundredths(350))));
        assert!(!is_breach(None, Some(Hundredths(350))));
        assert!(!is_breach(Some(Hundredths(100)), None));
        assert_eq!(
            delta(Some(Hundredths(300)), Some(Hundredths(350))),
            Some(Hundredths(-50))
        );
    }

    #[test]
    fn measures_have_stable_keys() {
        for m in Measure::ALL {
            assert_eq!(Measure::parse(m.key()), Some(m));
        }
        assert_eq!(Measure::Reliability.label(), "Reliability");
        assert_eq!(Measure::Hours.label(), "Hours lost");
    }
}
