//! What the themes say: the warnings of each tool and round, pain themes
//! ranked by impact across tools (the priorities page), and one tool's
//! pains beside its proposals. All read from what `themes` kept; nothing
//! here scans answers except the comments of one round of one tool.

use std::collections::{BTreeMap, HashMap};

use diesel::QueryResult;
use serde::Serialize;

use super::results::{nameable_on_tools, team_names};
use crate::db::rounds::{self, Round};
use crate::db::themes::{self, KeptFigures, Link, RoundFigures, Theme};
use crate::db::{DbConnection, tools};
use crate::domain::anonymity::comment_handle;
use crate::domain::impact::{self, PainStanding, ProposalFigures, RoundStanding, WarningKind};
use crate::domain::results::Hundredths;
use crate::domain::themes::Kind;

/// A theme as a warning names it.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub id: i64,
    pub name: String,
    pub respondents: i64,
    pub teams: i64,
    pub hours: i64,
    pub severity: String,
    pub impact: String,
    pub replace: bool,
    pub property: Option<String>,
}

/// A warning raised for a tool in a round.
#[derive(Debug, Clone, Serialize)]
pub struct Raised {
    pub kind: WarningKind,
    pub kind_key: &'static str,
    pub tool_id: i64,
    pub tool_slug: String,
    pub tool_name: String,
    pub round_id: i64,
    pub program_id: i64,
    pub program_name: String,
    pub round_number: i64,
    pub pain: Named,
    pub proposal: Named,
    /// Consecutive rounds the same proposal has missed the same pain.
    pub rounds: usize,
    pub message: String,
}

/// Which links count: an admin's decision on a pair, else the grouping's.
pub fn effective_links(links: &[Link]) -> Vec<(i64, i64)> {
    links
        .iter()
        .filter(|l| l.linked)
        .map(|l| (l.proposal_theme_id, l.pain_theme_id))
        .collect()
}

fn named(theme: &Theme, f: &RoundFigures) -> Named {
    Named {
        id: theme.id,
        name: theme.name().to_owned(),
        respondents: f.respondents,
        teams: f.teams,
        hours: f.hours,
        severity: Hundredths(f.severity).to_string(),
        impact: Hundredths(f.impact).to_string(),
        replace: theme.is_replace(),
        property: theme.property.clone(),
    }
}

fn message(kind: WarningKind, pain: &Named, proposal: &Named, rounds: usize) -> String {
    let what = if proposal.replace {
        format!("“{}”, a proposal to replace the tool", proposal.name)
    } else {
        format!("“{}”", proposal.name)
    };
    let cost = format!(
        "“{}” (impact {}: {} respondent{} in {} team{}, {} points below the others on {}, {} hours lost)",
        pain.name,
        pain.impact,
        pain.respondents,
        if pain.respondents == 1 { "" } else { "s" },
        pain.teams,
        if pain.teams == 1 { "" } else { "s" },
        pain.severity,
        pain.property.as_deref().unwrap_or("satisfaction"),
        pain.hours
    );
    match kind {
        WarningKind::IntuitiveFix => format!(
            "The most popular proposal, {what} ({} respondent{}), does not address the costliest pain, {cost}.",
            proposal.respondents,
            if proposal.respondents == 1 { "" } else { "s" },
        ),
        WarningKind::RecurringProposal => format!(
            "For {rounds} rounds in a row the most popular proposal has been {what}, while the costliest pain stayed {cost}; the proposal does not address it."
        ),
    }
}

/// Every warning of the given tools (or all), oldest round first.
pub fn warnings(conn: &mut DbConnection, tool_ids: Option<&[i64]>) -> QueryResult<Vec<Raised>> {
    let all_themes = themes::of_tools(conn, tool_ids)?;
    if all_themes.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = all_themes.iter().map(|t| t.id).collect();
    let figures = themes::round_figures(conn, &ids)?;
    let proposal_ids: Vec<i64> = all_themes
        .iter()
        .filter(|t| t.kind == Kind::Proposal.as_str())
        .map(|t| t.id)
        .collect();
    let links = effective_links(&themes::links(conn, &proposal_ids)?);
    let theme_by_id: HashMap<i64, &Theme> = all_themes.iter().map(|t| (t.id, t)).collect();
    let tools: HashMap<i64, tools::Tool> =
        tools::all(conn)?.into_iter().map(|t| (t.id, t)).collect();

    // Per tool: the rounds that asked about it, by program and number.
    let mut tool_list: Vec<i64> = all_themes.iter().map(|t| t.tool_id).collect();
    tool_list.sort_unstable();
    tool_list.dedup();
    let mut out = Vec::new();
    for tool_id in tool_list {
        let asked = rounds::asking_about(conn, tool_id)?;
        let mut by_program: BTreeMap<i64, Vec<&Round>> = BTreeMap::new();
        for r in &asked {
            by_program.entry(r.program_id).or_default().push(r);
        }
        for program_rounds in by_program.values() {
            let standings: Vec<RoundStanding> = program_rounds
                .iter()
                .map(|r| standing(r.id, tool_id, &figures, &theme_by_id, &links))
                .collect();
            for (round, raised) in program_rounds.iter().zip(impact::warnings(&standings)) {
                for w in raised {
                    let find = |theme: i64| {
                        let t = theme_by_id[&theme];
                        let f = figures
                            .iter()
                            .find(|f| f.figures.theme_id == theme && f.figures.round_id == round.id)
                            .expect("a standing comes from figures");
                        named(t, &f.figures)
                    };
                    let (pain, proposal) = (find(w.pain.theme), find(w.proposal.theme));
                    let tool = &tools[&tool_id];
                    out.push(Raised {
                        kind: w.kind,
                        kind_key: w.kind.as_str(),
                        tool_id,
                        tool_slug: tool.slug.clone(),
                        tool_name: tool.name.clone(),
                        round_id: round.id,
                        program_id: round.program_id,
                        program_name: round.program_name.clone(),
                        round_number: round.number,
                        message: message(w.kind, &pain, &proposal, w.rounds),
                        pain,
                        proposal,
                        rounds: w.rounds,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// The round's themes that take part in its warnings: those whose figures
/// may be shown. A warning names its themes' figures, and a theme under k
/// has none to give.
fn standing(
    round_id: i64,
    tool_id: i64,
    figures: &[KeptFigures],
    themes: &HashMap<i64, &Theme>,
    links: &[(i64, i64)],
) -> RoundStanding {
    let mut r = RoundStanding {
        pains: Vec::new(),
        proposals: Vec::new(),
        links: links.to_vec(),
    };
    for f in figures
        .iter()
        .filter(|f| f.figures.round_id == round_id && f.shown())
        .map(|f| &f.figures)
    {
        let Some(t) = themes.get(&f.theme_id).filter(|t| t.tool_id == tool_id) else {
            continue;
        };
        if t.kind == Kind::Pain.as_str() {
            r.pains.push(PainStanding {
                theme: t.id,
                respondents: f.respondents,
                impact: Hundredths(f.impact),
            });
        } else {
            r.proposals.push(ProposalFigures {
                theme: t.id,
                respondents: f.respondents,
                replace: t.is_replace(),
            });
        }
    }
    r
}

/// What the priorities page may be narrowed to.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub program: Option<i64>,
    pub tool: Option<i64>,
    pub property: Option<String>,
    /// forced, discretionary, short or long.
    pub tag: Option<String>,
    pub status: Option<String>,
}

/// One pain theme on the priorities page, at its latest round.
#[derive(Debug, Clone, Serialize)]
pub struct Priority {
    pub rank: usize,
    pub theme: Theme,
    pub name: String,
    pub tool_slug: String,
    pub tool_name: String,
    pub program_name: String,
    pub round_number: i64,
    pub figures: FigureView,
    /// The proposals that address it, by name.
    pub addressed_by: Vec<String>,
    pub warning: Option<String>,
}

/// A theme's figures as pages show them: none under the round's k.
#[derive(Debug, Clone, Serialize)]
pub struct FigureView {
    pub shown: bool,
    /// The round's k, for saying why nothing is shown.
    pub k: i64,
    pub respondents: Option<i64>,
    pub teams: Option<i64>,
    pub hours: Option<i64>,
    pub severity: Option<String>,
    pub impact: Option<String>,
    #[serde(skip)]
    pub rank_key: (bool, i64, i64),
}

impl From<&KeptFigures> for FigureView {
    fn from(kept: &KeptFigures) -> Self {
        let f = &kept.figures;
        let shown = kept.shown();
        let show = |v: i64| shown.then_some(v);
        FigureView {
            shown,
            k: kept.k,
            respondents: show(f.respondents),
            teams: show(f.teams),
            hours: show(f.hours),
            severity: show(f.severity).map(|v| Hundredths(v).to_string()),
            impact: show(f.impact).map(|v| Hundredths(v).to_string()),
            rank_key: kept.rank_key(),
        }
    }
}

/// Pain themes across tools, each at its latest round with figures to
/// show (within the program filter), highest impact first; themes under k
/// in every round last.
pub fn priorities(conn: &mut DbConnection, filters: &Filters) -> QueryResult<Vec<Priority>> {
    let tool_filter = filters.tool.map(|t| vec![t]);
    let all = themes::of_tools(conn, tool_filter.as_deref())?;
    let pains: Vec<&Theme> = all
        .iter()
        .filter(|t| t.kind == Kind::Pain.as_str())
        .filter(|t| filters.property.is_none() || t.property == filters.property)
        .filter(|t| match filters.tag.as_deref() {
            None => true,
            Some(tag @ ("forced" | "discretionary")) => t.forced.as_deref() == Some(tag),
            Some(tag) => t.horizon.as_deref() == Some(tag),
        })
        .filter(|t| filters.status.is_none() || Some(&t.status) == filters.status.as_ref())
        .collect();
    let ids: Vec<i64> = pains.iter().map(|t| t.id).collect();
    let figures = themes::round_figures(conn, &ids)?;
    let mut round_ids: Vec<i64> = figures.iter().map(|f| f.figures.round_id).collect();
    round_ids.sort_unstable();
    round_ids.dedup();
    let rounds: HashMap<i64, Round> = rounds::by_ids(conn, &round_ids)?
        .into_iter()
        .filter(|r| filters.program.is_none_or(|p| p == r.program_id))
        .map(|r| (r.id, r))
        .collect();
    let tools: HashMap<i64, tools::Tool> =
        tools::all(conn)?.into_iter().map(|t| (t.id, t)).collect();
    let proposal_ids: Vec<i64> = all
        .iter()
        .filter(|t| t.kind == Kind::Proposal.as_str())
        .map(|t| t.id)
        .collect();
    let links = effective_links(&themes::links(conn, &proposal_ids)?);
    let names: HashMap<i64, &str> = all.iter().map(|t| (t.id, t.name())).collect();
    let raised = warnings(conn, tool_filter.as_deref())?;

    let mut rows: Vec<Priority> = Vec::new();
    for theme in pains {
        let latest = figures
            .iter()
            .filter(|f| f.figures.theme_id == theme.id)
            .filter_map(|f| rounds.get(&f.figures.round_id).map(|r| (r, f)))
            // A quiet latest round (under k) does not hide what an earlier
            // round showed: the latest round with figures to show ranks it.
            .max_by_key(|(r, f)| (f.shown(), r.opens_at, r.number));
        let Some((round, f)) = latest else {
            continue;
        };
        let tool = &tools[&theme.tool_id];
        rows.push(Priority {
            rank: 0,
            name: theme.name().to_owned(),
            tool_slug: tool.slug.clone(),
            tool_name: tool.name.clone(),
            program_name: round.program_name.clone(),
            round_number: round.number,
            figures: f.into(),
            addressed_by: links
                .iter()
                .filter(|(_, pain)| *pain == theme.id)
                .filter_map(|(p, _)| names.get(p).map(|n| n.to_string()))
                .collect(),
            warning: raised
                .iter()
                .filter(|w| w.round_id == round.id && w.pain.id == theme.id)
                .map(|w| w.message.clone())
                .next_back(),
            theme: theme.clone(),
        });
    }
    rows.sort_by(|a, b| {
        b.figures
            .rank_key
            .cmp(&a.figures.rank_key)
            .then(a.theme.id.cmp(&b.theme.id))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    Ok(rows)
}

/// A comment as a theme shows it: its words and where it sits, never who.
#[derive(Debug, Clone, Serialize)]
pub struct CommentView {
    /// An opaque handle for moving it, unrelated to the same response's
    /// comments on other tools (`domain::anonymity::comment_handle`).
    pub handle: i64,
    pub text: String,
    /// Only where the team's group in the round reaches k.
    pub team: Option<String>,
    pub reason: String,
    pub pinned: bool,
}

/// A link as a theme's card shows it.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    /// The theme at the other end.
    pub id: i64,
    pub name: String,
    /// Set by an admin.
    pub manual: bool,
    /// Why the grouping made it (see `db::themes::Link`).
    pub reporting: i64,
    pub authors: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeCard {
    pub theme: Theme,
    pub name: String,
    pub replace: bool,
    pub figures: Option<FigureView>,
    /// Themes it is linked to (for a proposal, the pains it addresses; for
    /// a pain, the proposals that address it).
    pub linked: Vec<LinkView>,
    /// Pairs an admin unlinked.
    pub unlinked: Vec<(i64, String)>,
    pub comments: Vec<CommentView>,
    /// Comments beyond those shown.
    pub more: usize,
}

/// One tool's themes in one round.
#[derive(Debug, Clone, Serialize)]
pub struct ToolThemes {
    pub pains: Vec<ThemeCard>,
    pub proposals: Vec<ThemeCard>,
    pub warnings: Vec<Raised>,
}

/// How many comments a theme shows on the page.
const SHOWN_COMMENTS: usize = 50;

/// The tool's pains beside its proposals in `round`: pains by impact,
/// proposals by respondents, each with its comments of that round.
pub fn tool_themes(
    conn: &mut DbConnection,
    tool_id: i64,
    round: &Round,
) -> QueryResult<ToolThemes> {
    let all = themes::of_tool(conn, tool_id)?;
    let ids: Vec<i64> = all.iter().map(|t| t.id).collect();
    let figures: HashMap<i64, KeptFigures> = themes::round_figures(conn, &ids)?
        .into_iter()
        .filter(|f| f.figures.round_id == round.id)
        .map(|f| (f.figures.theme_id, f))
        .collect();
    let proposal_ids: Vec<i64> = all
        .iter()
        .filter(|t| t.kind == Kind::Proposal.as_str())
        .map(|t| t.id)
        .collect();
    let links = themes::links(conn, &proposal_ids)?;
    let names: HashMap<i64, &str> = all.iter().map(|t| (t.id, t.name())).collect();
    let nameable = nameable_on_tools(conn, round, Some(tool_id))?;
    let team_names = team_names(conn)?;
    let mut comments: HashMap<i64, Vec<CommentView>> = HashMap::new();
    for c in themes::comments_in_round(conn, tool_id, round.id)? {
        let team = c
            .team_id
            .filter(|t| nameable.get(&(tool_id, *t)).copied().unwrap_or(false))
            .and_then(|t| team_names.get(&t).cloned());
        comments.entry(c.theme_id).or_default().push(CommentView {
            handle: comment_handle(tool_id, c.response_id),
            text: c.text,
            team,
            reason: c.reason,
            pinned: c.pinned,
        });
    }
    let mut card = |t: &Theme| {
        let mut list = comments.remove(&t.id).unwrap_or_default();
        let more = list.len().saturating_sub(SHOWN_COMMENTS);
        list.truncate(SHOWN_COMMENTS);
        let proposal = t.kind == Kind::Proposal.as_str();
        let other = |l: &Link| {
            if proposal {
                l.pain_theme_id
            } else {
                l.proposal_theme_id
            }
        };
        let mine = |l: &&Link| {
            if proposal {
                l.proposal_theme_id == t.id
            } else {
                l.pain_theme_id == t.id
            }
        };
        ThemeCard {
            name: t.name().to_owned(),
            replace: t.is_replace(),
            figures: figures.get(&t.id).map(FigureView::from),
            linked: links
                .iter()
                .filter(mine)
                .filter(|l| l.linked)
                .filter_map(|l| {
                    names.get(&other(l)).map(|n| LinkView {
                        id: other(l),
                        name: n.to_string(),
                        manual: l.manual,
                        reporting: l.reporting,
                        authors: l.authors,
                    })
                })
                .collect(),
            unlinked: links
                .iter()
                .filter(mine)
                .filter(|l| !l.linked)
                .filter_map(|l| names.get(&other(l)).map(|n| (other(l), n.to_string())))
                .collect(),
            comments: list,
            more,
            theme: t.clone(),
        }
    };
    let mut pains: Vec<ThemeCard> = Vec::new();
    let mut proposals: Vec<ThemeCard> = Vec::new();
    for t in &all {
        let c = card(t);
        if t.kind == Kind::Pain.as_str() {
            pains.push(c);
        } else {
            proposals.push(c);
        }
    }
    let key = |c: &ThemeCard| c.figures.as_ref().map_or((false, 0, 0), |f| f.rank_key);
    pains.sort_by(|a, b| key(b).cmp(&key(a)).then(a.theme.id.cmp(&b.theme.id)));
    proposals.sort_by(|a, b| {
        let n = |c: &ThemeCard| key(c).2;
        (key(b).0, n(b))
            .cmp(&(key(a).0, n(a)))
            .then(a.theme.id.cmp(&b.theme.id))
    });
    let warnings = warnings(conn, Some(&[tool_id]))?
        .into_iter()
        .filter(|w| w.round_id == round.id)
        .collect();
    Ok(ToolThemes {
        pains,
        proposals,
        warnings,
    })
}

/// The warnings of one round (every tool it asked about), up to date.
pub fn round_warnings(
    conn: &mut DbConnection,
    round_id: i64,
    tool_ids: &[i64],
) -> QueryResult<Vec<Raised>> {
    super::themes::ensure_fresh(conn, Some(tool_ids))?;
    Ok(warnings(conn, Some(tool_ids))?
        .into_iter()
        .filter(|w| w.round_id == round_id)
        .collect())
}

/// The rounds in which the tool's themes have comments.
pub fn rounds_with_comments(conn: &mut DbConnection, tool_id: i64) -> QueryResult<Vec<i64>> {
    let ids: Vec<i64> = themes::of_tool(conn, tool_id)?
        .iter()
        .map(|t| t.id)
        .collect();
    let mut rounds: Vec<i64> = themes::round_figures(conn, &ids)?
        .iter()
        .map(|f| f.figures.round_id)
        .collect();
    rounds.sort_unstable();
    rounds.dedup();
    Ok(rounds)
}
