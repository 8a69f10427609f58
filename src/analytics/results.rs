//! Results per tool and round: response rate, each measure's figures
//! against the previous round and the baseline, hours lost, and the
//! per-team breakdown as the anonymity rule allows.
//!
//! Where the numbers come from: a closed round's histograms were kept when
//! it closed (it never changes after); an open round's are counted from its
//! answers, live, through one covering index. Either way the same
//! `RoundAnswers` comes out, so every figure is computed one way.

use std::collections::{BTreeMap, HashMap};

use diesel::QueryResult;
use serde::Serialize;

use crate::db::rounds::{self, Round};
use crate::db::{DbConnection, responses, results, teams};
use crate::domain::anonymity::disclose;
use crate::domain::results::{Histogram, Hundredths, Measure, delta, is_breach};

/// Which team answers belong to; `None` for teams whose name was erased
/// when the round closed (fewer than k answers).
pub type TeamKey = Option<i64>;

/// The team id round_results keeps for erased teams.
const ERASED: i64 = 0;
/// The team id round_results keeps for all teams together, so trends and
/// the dashboard read one row per value instead of one per team.
const ALL_TEAMS: i64 = -1;

/// How much of a round to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// All teams together: means, distributions, deltas.
    Totals,
    /// Each team apart too, for the breakdown.
    Teams,
}

/// A round's answers as histograms, per tool, team and measure.
#[derive(Debug, Default, Clone)]
pub struct RoundAnswers {
    cells: HashMap<(i64, TeamKey, Measure), Histogram>,
    /// Read as totals only: there is no breakdown to give.
    totals_only: bool,
}

impl RoundAnswers {
    fn add(&mut self, tool: i64, team: TeamKey, measure: Measure, value: i64, n: i64) {
        self.cells
            .entry((tool, team, measure))
            .or_default()
            .add(value, n);
    }

    fn from_answers(rows: Vec<results::AnswerRow>) -> Self {
        let mut a = RoundAnswers::default();
        for (tool, team, s, r, u, e, l, sat, hours) in rows {
            for (measure, value) in Measure::ALL.iter().zip([s, r, u, e, l, sat, hours]) {
                if let Some(v) = value {
                    a.add(tool, team, *measure, v, 1);
                }
            }
        }
        a
    }

    /// Every team's histogram of a tool's measure (none when read as totals).
    pub fn by_team(&self, tool: i64, measure: Measure) -> BTreeMap<TeamKey, &Histogram> {
        if self.totals_only {
            return BTreeMap::new();
        }
        self.cells
            .iter()
            .filter(|((t, _, m), _)| *t == tool && *m == measure)
            .map(|((_, team, _), h)| (*team, h))
            .collect()
    }

    /// All teams together.
    pub fn total(&self, tool: i64, measure: Measure) -> Histogram {
        let mut h = Histogram::default();
        for ((t, _, m), part) in &self.cells {
            if *t == tool && *m == measure {
                h.merge(part);
            }
        }
        h
    }

    pub fn tools(&self) -> Vec<i64> {
        let mut tools: Vec<i64> = self.cells.keys().map(|(t, _, _)| *t).collect();
        tools.sort_unstable();
        tools.dedup();
        tools
    }

    /// Per team, and all teams together.
    fn stored_rows(&self, round_id: i64) -> Vec<results::StoredRow> {
        let mut rows: Vec<results::StoredRow> = Vec::new();
        let mut push = |tool: i64, team: i64, measure: Measure, h: &Histogram| {
            for (value, n) in h.entries() {
                rows.push((round_id, tool, team, measure.key().to_owned(), value, n));
            }
        };
        for ((tool, team, measure), h) in &self.cells {
            push(*tool, team.unwrap_or(ERASED), *measure, h);
        }
        for tool in self.tools() {
            for measure in Measure::ALL {
                push(tool, ALL_TEAMS, measure, &self.total(tool, measure));
            }
        }
        rows
    }
}

/// The answers of `rounds` (of one tool, or all): kept histograms for
/// rounds sealed at closing, live counts for the others.
pub fn load(
    conn: &mut DbConnection,
    rounds: &[&Round],
    tool: Option<i64>,
    detail: Detail,
) -> QueryResult<HashMap<i64, RoundAnswers>> {
    let sealed: Vec<i64> = rounds.iter().filter(|r| r.sealed).map(|r| r.id).collect();
    let mut by_round: HashMap<i64, RoundAnswers> = HashMap::new();
    let rows = match detail {
        Detail::Totals => results::stored(conn, &sealed, tool, Some(ALL_TEAMS))?,
        Detail::Teams => results::stored(conn, &sealed, tool, None)?,
    };
    for (round, tool, team, measure, value, n) in rows {
        let Some(measure) = Measure::parse(&measure) else {
            continue;
        };
        let answers = by_round.entry(round).or_insert_with(|| RoundAnswers {
            totals_only: detail == Detail::Totals,
            ..RoundAnswers::default()
        });
        match team {
            ALL_TEAMS if detail == Detail::Teams => {}
            ALL_TEAMS => answers.add(tool, None, measure, value, n),
            ERASED => answers.add(tool, None, measure, value, n),
            team => answers.add(tool, Some(team), measure, value, n),
        }
    }
    for round in rounds.iter().filter(|r| !r.sealed) {
        let answers = RoundAnswers::from_answers(results::answers(conn, round.id, tool)?);
        by_round.insert(round.id, answers);
    }
    for round in rounds {
        by_round.entry(round.id).or_default();
    }
    Ok(by_round)
}

/// Keeps a sealed round's histograms (see `surveys::close_round`).
pub fn keep(conn: &mut DbConnection, round_id: i64) -> QueryResult<usize> {
    let answers = RoundAnswers::from_answers(results::answers(conn, round_id, None)?);
    results::store(conn, &answers.stored_rows(round_id))
}

/// A measure's figures for one tool in one round.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureResult {
    pub measure: Measure,
    pub label: &'static str,
    /// Answers that rated it (n/a excluded).
    pub responses: i64,
    /// Whether the figures may be shown: at least k answers.
    pub shown: bool,
    pub mean: Option<Hundredths>,
    /// Counts of 1 to 5 (hours: empty).
    pub distribution: Vec<i64>,
    pub favourable_percent: Option<i64>,
    pub delta_prev: Option<Hundredths>,
    pub baseline: Option<Hundredths>,
    pub breach: bool,
    /// Per team, as the anonymity rule allows.
    pub teams: Vec<TeamFigure>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TeamFigure {
    pub team: String,
    /// `None` when hidden: the cell says so.
    pub responses: Option<i64>,
    pub mean: Option<Hundredths>,
    /// Hours: the team's total.
    pub total: Option<i64>,
}

/// Hours lost to one tool in one round.
#[derive(Debug, Clone, Serialize)]
pub struct HoursResult {
    pub responses: i64,
    pub shown: bool,
    pub total: Option<i64>,
    pub median: Option<Hundredths>,
    pub mean: Option<Hundredths>,
    /// Teams that gave hours, and the total per such team.
    pub responding_teams: Option<i64>,
    pub per_team: Option<Hundredths>,
    pub teams: Vec<TeamFigure>,
}

/// One tool in one round.
#[derive(Debug, Clone, Serialize)]
pub struct ToolRound {
    pub tool_id: i64,
    pub round_id: i64,
    pub round_number: i64,
    pub open: bool,
    /// Members whose team used the tool when the round opened.
    pub invited: i64,
    /// Of those, who answered about it (not "we don't use it").
    pub respondents: i64,
    pub rate: i64,
    pub measures: Vec<MeasureResult>,
    pub hours: HoursResult,
}

impl ToolRound {
    pub fn measure(&self, m: Measure) -> Option<&MeasureResult> {
        self.measures.iter().find(|r| r.measure == m)
    }

    pub fn breaches(&self) -> usize {
        self.measures.iter().filter(|m| m.breach).count()
    }
}

/// What figures are read against.
pub struct Context<'a> {
    pub k: i64,
    pub team_names: &'a HashMap<i64, String>,
    pub baselines: &'a HashMap<(i64, Measure), Hundredths>,
}

fn team_name(names: &HashMap<i64, String>, team: TeamKey, k: i64) -> String {
    match team {
        Some(id) => names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("team {id}")),
        None => format!("Teams with fewer than {k} answers"),
    }
}

/// Per team, the figure `show` makes of its histogram, where the rule lets
/// it. (The total needs no such care: the rule hides groups until what is
/// hidden reaches k, so a total of k or more is always shown.)
fn breakdown(
    cx: &Context,
    by_team: &BTreeMap<TeamKey, &Histogram>,
    show: impl Fn(&Histogram) -> TeamFigure,
) -> Vec<TeamFigure> {
    let groups: Vec<(&TeamKey, &&Histogram)> = by_team.iter().collect();
    let sizes: Vec<i64> = groups.iter().map(|(_, h)| h.n()).collect();
    let rule = disclose(&sizes, cx.k);
    let mut figures: Vec<(bool, TeamFigure)> = groups
        .iter()
        .zip(&rule.shown)
        .map(|((team, h), &shown)| {
            let name = team_name(cx.team_names, **team, cx.k);
            // Erased teams never show, even together: hiding more than the
            // rule asks keeps its promise.
            let figure = if shown && team.is_some() {
                TeamFigure {
                    team: name,
                    ..show(h)
                }
            } else {
                TeamFigure {
                    team: name,
                    responses: None,
                    mean: None,
                    total: None,
                }
            };
            (team.is_none(), figure)
        })
        .collect();
    // Named teams by name, the erased ones last.
    figures.sort_by(|a, b| (a.0, &a.1.team).cmp(&(b.0, &b.1.team)));
    figures.into_iter().map(|(_, f)| f).collect()
}

fn measure_result(
    cx: &Context,
    answers: &RoundAnswers,
    previous: Option<&RoundAnswers>,
    tool: i64,
    measure: Measure,
) -> MeasureResult {
    let total = answers.total(tool, measure);
    let shown = total.n() >= cx.k;
    let teams = breakdown(cx, &answers.by_team(tool, measure), |h| TeamFigure {
        team: String::new(),
        responses: Some(h.n()),
        mean: h.mean(),
        total: None,
    });
    let mean = total.mean().filter(|_| shown);
    // A delta against a hidden mean would give that mean away.
    let previous_mean = previous.and_then(|p| {
        let h = p.total(tool, measure);
        (h.n() >= cx.k).then(|| h.mean()).flatten()
    });
    let baseline = cx.baselines.get(&(tool, measure)).copied();
    MeasureResult {
        measure,
        label: measure.label(),
        responses: total.n(),
        shown,
        mean,
        distribution: if shown {
            total.distribution().to_vec()
        } else {
            Vec::new()
        },
        favourable_percent: total.favourable_percent().filter(|_| shown),
        delta_prev: delta(mean, previous_mean),
        baseline,
        breach: is_breach(mean, baseline),
        teams,
    }
}

fn hours_result(cx: &Context, answers: &RoundAnswers, tool: i64) -> HoursResult {
    let total = answers.total(tool, Measure::Hours);
    let by_team = answers.by_team(tool, Measure::Hours);
    let shown = total.n() >= cx.k;
    let teams = breakdown(cx, &by_team, |h| TeamFigure {
        team: String::new(),
        responses: Some(h.n()),
        mean: h.mean(),
        total: Some(h.total()),
    });
    // Teams that gave hours: known only when read team by team, and said
    // only when every team is shown (counting a hidden one would tell that
    // its few people gave hours).
    let every_team_shown = teams.iter().all(|t| t.responses.is_some());
    let responding = (!answers.totals_only)
        .then(|| by_team.values().filter(|h| h.n() > 0).count() as i64)
        .filter(|_| shown && every_team_shown);
    HoursResult {
        responses: total.n(),
        shown,
        total: shown.then(|| total.total()),
        median: total.median().filter(|_| shown),
        mean: total.mean().filter(|_| shown),
        responding_teams: responding,
        per_team: responding
            .filter(|&n| n > 0)
            .map(|n| Hundredths((total.total() * 200 + n) / (2 * n))),
        teams,
    }
}

/// One tool's figures in `round`, against `previous` (the program's round
/// before it, when there is one).
pub fn tool_round(
    cx: &Context,
    round: &Round,
    answers: &RoundAnswers,
    previous: Option<&RoundAnswers>,
    tool: i64,
    invited: i64,
    now: chrono::NaiveDateTime,
) -> ToolRound {
    let respondents = answers.total(tool, Measure::Satisfaction).n();
    ToolRound {
        tool_id: tool,
        round_id: round.id,
        round_number: round.number,
        open: round.is_open(now),
        invited,
        respondents,
        rate: crate::domain::results::percent(respondents, invited),
        measures: Measure::RATED
            .iter()
            .map(|&m| measure_result(cx, answers, previous, tool, m))
            .collect(),
        hours: hours_result(cx, answers, tool),
    }
}

/// Baselines of `tools` (or all), by (tool, measure).
pub fn baselines(
    conn: &mut DbConnection,
    tools: Option<&[i64]>,
) -> QueryResult<HashMap<(i64, Measure), Hundredths>> {
    Ok(results::baselines(conn, tools)?
        .into_iter()
        .filter_map(|(tool, measure, h)| Some(((tool, Measure::parse(&measure)?), Hundredths(h))))
        .collect())
}

pub fn team_names(conn: &mut DbConnection) -> QueryResult<HashMap<i64, String>> {
    Ok(teams::list(conn)?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect())
}

/// Each program round's predecessor: the round numbered one less.
pub fn previous_of<'a>(round: &Round, all: &'a [Round]) -> Option<&'a Round> {
    all.iter()
        .find(|r| r.program_id == round.program_id && r.number == round.number - 1)
}

/// A tool across a program's rounds.
pub struct ToolHistory {
    /// Every round that asked about the tool, oldest first, with its totals
    /// (no team breakdown).
    pub rounds: Vec<(Round, ToolRound)>,
    /// The round shown in detail, team breakdown included.
    pub selected: Option<(Round, ToolRound)>,
}

/// The tool's figures in every round of a program that asked about it, and
/// in detail for round `selected` (by number), or else for the latest
/// round with figures to show. `None` when `selected` names no such round.
pub fn tool_history(
    conn: &mut DbConnection,
    program_id: i64,
    tool: i64,
    selected: Option<i64>,
    now: chrono::NaiveDateTime,
) -> QueryResult<Option<ToolHistory>> {
    let mut all = rounds::for_program(conn, program_id)?;
    all.reverse();
    let asked: HashMap<i64, i64> = rounds::rounds_with_tool(conn, program_id, tool)?
        .into_iter()
        .collect();
    let relevant: Vec<&Round> = all.iter().filter(|r| asked.contains_key(&r.id)).collect();
    let totals = load(conn, &relevant, Some(tool), Detail::Totals)?;
    let names = team_names(conn)?;
    let baselines = baselines(conn, Some(&[tool]))?;
    let figures = |round: &Round, answers: &RoundAnswers| {
        let cx = Context {
            k: round.anonymity_k,
            team_names: &names,
            baselines: &baselines,
        };
        let previous = previous_of(round, &all).and_then(|p| totals.get(&p.id));
        tool_round(&cx, round, answers, previous, tool, asked[&round.id], now)
    };
    let history: Vec<(Round, ToolRound)> = relevant
        .iter()
        .map(|r| ((*r).clone(), figures(r, &totals[&r.id])))
        .collect();
    let chosen = match selected {
        Some(n) => match history.iter().position(|(r, _)| r.number == n) {
            Some(i) => Some(i),
            None => return Ok(None),
        },
        None => history
            .iter()
            .rposition(|(_, t)| t.measures.iter().any(|m| m.shown))
            .or(history.len().checked_sub(1)),
    };
    let selected = match chosen {
        Some(i) => {
            let round = history[i].0.clone();
            // A round still counted live was read team by team already.
            let figures = if totals[&round.id].totals_only {
                let detail = load(conn, &[&round], Some(tool), Detail::Teams)?;
                figures(&round, &detail[&round.id])
            } else {
                figures(&round, &totals[&round.id])
            };
            Some((round, figures))
        }
        None => None,
    };
    Ok(Some(ToolHistory {
        rounds: history,
        selected,
    }))
}

/// Every tool's figures in one round.
pub fn round_tools(
    conn: &mut DbConnection,
    round: &Round,
    now: chrono::NaiveDateTime,
) -> QueryResult<Vec<ToolRound>> {
    let all = rounds::for_program(conn, round.program_id)?;
    let previous = previous_of(round, &all);
    let mut wanted = vec![round];
    wanted.extend(previous);
    let answers = load(conn, &wanted, None, Detail::Totals)?;
    let names = team_names(conn)?;
    let baselines = baselines(conn, None)?;
    let cx = Context {
        k: round.anonymity_k,
        team_names: &names,
        baselines: &baselines,
    };
    let prev = previous.and_then(|p| answers.get(&p.id));
    Ok(rounds::tools(conn, round.id)?
        .iter()
        .map(|t| {
            tool_round(
                &cx,
                round,
                &answers[&round.id],
                prev,
                t.tool_id,
                t.invited,
                now,
            )
        })
        .collect())
}

/// Responses per team of a round, for showing team names beside what a
/// response answered as a whole (its extra questions): team id → whether it
/// may be named (`domain::anonymity`).
pub fn nameable_teams(conn: &mut DbConnection, round: &Round) -> QueryResult<HashMap<i64, bool>> {
    let counts = responses::count_by_team(conn, round.id)?;
    Ok(nameable(&counts, round.anonymity_k).collect())
}

/// Team → whether it may be named, for a breakdown of `counts` (team,
/// answers; `None` for erased teams, which are never named but count).
fn nameable(counts: &[(Option<i64>, i64)], k: i64) -> impl Iterator<Item = (i64, bool)> + '_ {
    let sizes: Vec<i64> = counts.iter().map(|(_, n)| *n).collect();
    let rule = disclose(&sizes, k);
    counts
        .iter()
        .zip(rule.shown)
        .filter_map(|((team, _), shown)| team.map(|t| (t, shown)))
}

/// Which teams may be named beside answers about a tool: (tool, team) →
/// whether, by the anonymity rule applied to the tool's answers per team.
/// A team with k responses in the round may have fewer about one tool, and
/// naming it there would show those few people's answers.
pub fn nameable_on_tools(
    conn: &mut DbConnection,
    round: &Round,
    tool: Option<i64>,
) -> QueryResult<HashMap<(i64, i64), bool>> {
    let mut by_tool: BTreeMap<i64, Vec<(Option<i64>, i64)>> = BTreeMap::new();
    for (tool, team, n) in results::count_by_tool_and_team(conn, round.id, tool)? {
        by_tool.entry(tool).or_default().push((team, n));
    }
    Ok(by_tool
        .iter()
        .flat_map(|(&tool, counts)| {
            nameable(counts, round.anonymity_k).map(move |(team, shown)| ((tool, team), shown))
        })
        .collect())
}
