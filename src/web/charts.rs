//! Chart geometry for the results pages. Each chart is a plain struct of
//! coordinates and labels, drawn as inline SVG by `templates/charts.html`
//! (no script, nothing the CSP refuses) with a title and description for
//! screen readers; the pages also show the same numbers as tables.

use serde::Serialize;

use crate::analytics::results::ToolRound;
use crate::domain::results::{Hundredths, Measure};

/// A trend of one measure across rounds, on the 1-5 scale, with the
/// baseline drawn across.
#[derive(Debug, Serialize)]
pub struct Trend {
    pub id: String,
    pub title: String,
    /// What the picture shows, in words.
    pub description: String,
    pub width: i64,
    pub height: i64,
    /// "x,y x,y …" of the shown means, in round order.
    pub line: String,
    pub points: Vec<TrendPoint>,
    /// Every round's label under its place: (x, label), shown or not.
    pub labels: Vec<(i64, String)>,
    /// Horizontal rules at 1 to 5: (y, label).
    pub grid: Vec<(i64, i64)>,
    pub baseline_y: Option<i64>,
    pub baseline: Option<String>,
    pub breach: bool,
}

#[derive(Debug, Serialize)]
pub struct TrendPoint {
    pub x: i64,
    pub y: i64,
    pub round: String,
    pub value: String,
    /// Below the baseline: every such round is marked, not only the latest.
    pub breach: bool,
}

const TREND_W: i64 = 300;
const TREND_H: i64 = 140;
const PAD_L: i64 = 28;
const PAD_R: i64 = 12;
const PAD_T: i64 = 12;
const PAD_B: i64 = 24;

fn scale_y(h: Hundredths) -> i64 {
    // 1.00 at the bottom of the plot, 5.00 at its top.
    let plot = TREND_H - PAD_T - PAD_B;
    let v = h.0.clamp(100, 500) - 100;
    TREND_H - PAD_B - v * plot / 400
}

/// `values` are (round label, mean when shown), oldest first.
pub fn trend(
    id: &str,
    title: &str,
    values: &[(String, Option<Hundredths>)],
    baseline: Option<Hundredths>,
) -> Trend {
    let n = values.len().max(1) as i64;
    let span = TREND_W - PAD_L - PAD_R;
    let x_of = |i: usize| {
        if n == 1 {
            PAD_L + span / 2
        } else {
            PAD_L + i as i64 * span / (n - 1)
        }
    };
    let points: Vec<TrendPoint> = values
        .iter()
        .enumerate()
        .filter_map(|(i, (round, mean))| {
            mean.map(|m| TrendPoint {
                x: x_of(i),
                y: scale_y(m),
                round: round.clone(),
                value: m.to_string(),
                breach: crate::domain::results::is_breach(Some(m), baseline),
            })
        })
        .collect();
    let spoken: Vec<String> = values
        .iter()
        .map(|(round, mean)| match mean {
            Some(m) if crate::domain::results::is_breach(Some(*m), baseline) => {
                format!("{round} {m} (below baseline)")
            }
            Some(m) => format!("{round} {m}"),
            None => format!("{round} not shown"),
        })
        .collect();
    let last = values.iter().rev().find_map(|(_, m)| *m);
    let breach = crate::domain::results::is_breach(last, baseline);
    let description = format!(
        "{title} by round: {}.{}",
        spoken.join(", "),
        match baseline {
            Some(b) if breach => format!(" Baseline {b}; the latest round is below it."),
            Some(b) => format!(" Baseline {b}."),
            None => " No baseline set.".into(),
        }
    );
    Trend {
        id: id.to_owned(),
        title: title.to_owned(),
        description,
        width: TREND_W,
        height: TREND_H,
        line: points
            .iter()
            .map(|p| format!("{},{}", p.x, p.y))
            .collect::<Vec<_>>()
            .join(" "),
        points,
        labels: values
            .iter()
            .enumerate()
            .map(|(i, (round, _))| (x_of(i), round.clone()))
            .collect(),
        grid: (1..=5).map(|v| (scale_y(Hundredths(v * 100)), v)).collect(),
        baseline_y: baseline.map(scale_y),
        baseline: baseline.map(|b| b.to_string()),
        breach,
    }
}

/// How the answers of one measure spread over 1 to 5, as one stacked bar.
#[derive(Debug, Serialize)]
pub struct Distribution {
    pub id: String,
    pub description: String,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Serialize)]
pub struct Segment {
    pub value: i64,
    /// Start and width out of 1000.
    pub x: i64,
    pub width: i64,
    pub count: i64,
    pub percent: i64,
}

pub fn distribution(id: &str, title: &str, counts: &[i64]) -> Distribution {
    let total: i64 = counts.iter().sum();
    let mut x = 0;
    let mut segments = Vec::new();
    for (i, &count) in counts.iter().enumerate() {
        let width = if total == 0 { 0 } else { count * 1000 / total };
        segments.push(Segment {
            value: i as i64 + 1,
            x,
            width,
            count,
            percent: if total == 0 {
                0
            } else {
                (count * 200 + total) / (2 * total)
            },
        });
        x += width;
    }
    // Rounding leaves the bar a little short: give it to the last segment.
    if let Some(last) = segments.iter_mut().rev().find(|s| s.count > 0) {
        last.width += 1000 - x;
    }
    let spoken: Vec<String> = segments
        .iter()
        .map(|s| format!("{}: {} ({}%)", s.value, s.count, s.percent))
        .collect();
    Distribution {
        id: id.to_owned(),
        description: format!("{title}, answers by score: {}.", spoken.join(", ")),
        segments,
    }
}

/// Tools (rows) by measures (columns), each cell coloured by its mean on a
/// scale whose lightness rises with the score, so grey prints read too, and
/// the number written in it.
#[derive(Debug, Serialize)]
pub struct Heatmap {
    pub id: String,
    pub title: String,
    pub description: String,
    pub width: i64,
    pub height: i64,
    pub columns: Vec<(i64, String)>,
    pub rows: Vec<HeatRow>,
}

#[derive(Debug, Serialize)]
pub struct HeatRow {
    pub y: i64,
    pub label: String,
    pub cells: Vec<HeatCell>,
}

#[derive(Debug, Serialize)]
pub struct HeatCell {
    pub x: i64,
    pub text: String,
    /// 0 (lowest) to 7 (highest), or "none" when not shown.
    pub class: String,
    pub breach: bool,
}

const LABEL_W: i64 = 190;
const CELL_W: i64 = 86;
const CELL_H: i64 = 34;
const HEAD_H: i64 = 30;

fn heat_class(mean: Option<Hundredths>) -> String {
    match mean {
        // 1.00-5.00 onto eight steps.
        Some(m) => format!("heat-{}", ((m.0.clamp(100, 499) - 100) * 8 / 400)),
        None => "heat-none".into(),
    }
}

/// One cell's input: the mean when shown, and whether it breaches.
pub type HeatValue = (Option<Hundredths>, bool);

/// Every tool of a round (named) by the five properties and satisfaction.
pub fn tools_heatmap(id: &str, title: &str, tools: &[(String, &ToolRound)]) -> Heatmap {
    let columns: Vec<&str> = Measure::RATED.iter().map(|m| m.label()).collect();
    let rows: Vec<(String, Vec<HeatValue>)> = tools
        .iter()
        .map(|(name, t)| {
            (
                name.clone(),
                t.measures.iter().map(|m| (m.mean, m.breach)).collect(),
            )
        })
        .collect();
    heatmap(id, title, &columns, &rows)
}

/// `rows` are (tool, per column its value).
pub fn heatmap(
    id: &str,
    title: &str,
    columns: &[&str],
    rows: &[(String, Vec<HeatValue>)],
) -> Heatmap {
    let mut spoken = Vec::new();
    let rows: Vec<HeatRow> = rows
        .iter()
        .enumerate()
        .map(|(r, (label, cells))| {
            let said: Vec<String> = columns
                .iter()
                .zip(cells)
                .map(|(c, (m, breach))| match m {
                    Some(m) if *breach => format!("{c} {m} (below baseline)"),
                    Some(m) => format!("{c} {m}"),
                    None => format!("{c} not shown"),
                })
                .collect();
            spoken.push(format!("{label}: {}", said.join(", ")));
            HeatRow {
                y: HEAD_H + r as i64 * CELL_H,
                label: label.clone(),
                cells: cells
                    .iter()
                    .enumerate()
                    .map(|(c, (mean, breach))| HeatCell {
                        x: LABEL_W + c as i64 * CELL_W,
                        text: mean.map_or("—".into(), |m| m.to_string()),
                        class: heat_class(*mean),
                        breach: *breach,
                    })
                    .collect(),
            }
        })
        .collect();
    Heatmap {
        id: id.to_owned(),
        title: title.to_owned(),
        description: format!("{title}. {}.", spoken.join("; ")),
        width: LABEL_W + columns.len() as i64 * CELL_W,
        height: HEAD_H + rows.len() as i64 * CELL_H,
        columns: columns
            .iter()
            .enumerate()
            .map(|(c, name)| (LABEL_W + c as i64 * CELL_W + CELL_W / 2, name.to_string()))
            .collect(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trend_puts_high_scores_high_and_says_so_in_words() {
        let t = trend(
            "t",
            "Reliability",
            &[
                ("Round 1".into(), Some(Hundredths(280))),
                ("Round 2".into(), None),
                ("Round 3".into(), Some(Hundredths(320))),
                ("Round 4".into(), Some(Hundredths(210))),
            ],
            Some(Hundredths(300)),
        );
        assert_eq!(t.points.len(), 3, "a hidden mean is not drawn");
        assert!(t.points[1].y < t.points[2].y, "3.20 sits above 2.10");
        assert!(t.breach);
        let marked: Vec<bool> = t.points.iter().map(|p| p.breach).collect();
        assert_eq!(
            marked,
            [true, false, true],
            "every breached round is marked"
        );
        assert_eq!(
            t.description,
            "Reliability by round: Round 1 2.80 (below baseline), Round 2 not shown, \
             Round 3 3.20, Round 4 2.10 (below baseline). \
             Baseline 3.00; the latest round is below it."
        );
        assert_eq!(t.grid.first().map(|g| g.1), Some(1));
    }

    #[test]
    fn a_distribution_fills_the_bar_exactly() {
        let d = distribution("d", "Latency", &[1, 1, 1, 0, 0]);
        let widths: i64 = d.segments.iter().map(|s| s.width).sum();
        assert_eq!(widths, 1000);
        assert_eq!(d.segments[0].percent, 33);
        assert!(d.description.contains("4: 0 (0%)"));
    }

    #[test]
    fn heat_rises_with_the_score() {
        assert_eq!(heat_class(Some(Hundredths(100))), "heat-0");
        assert_eq!(heat_class(Some(Hundredths(499))), "heat-7");
        assert_eq!(heat_class(Some(Hundredths(500))), "heat-7");
        assert_eq!(heat_class(None), "heat-none");
        let h = heatmap(
            "h",
            "Latest round",
            &["Security"],
            &[("CI".into(), vec![(Some(Hundredths(250)), true)])],
        );
        assert!(h.description.contains("CI: Security 2.50 (below baseline)"));
    }
}
