//! Keeping each tool's themes up to date with its answers.
//!
//! A refresh reads the tool's comments, works out where each belongs and
//! what each theme costs per round (`plan`, outside any write transaction:
//! a full regrouping of 100,000 comments takes seconds and must not hold
//! SQLite's single writer), then writes the result (`apply`) only if
//! nothing changed meanwhile: the tool's revision (moved on by every
//! grouping and every admin edit) and its unseen answers are as read.
//!
//! New answers join the theme they are most like ("incremental"); when
//! there are no themes yet, or the new answers are a large share of all
//! (a round sealed, an import), everything is regrouped ("full") and the
//! new groups take over the identities of the themes whose comments they
//! share. Comments an admin placed (pinned) never move, and pull the
//! comments grouped with them into their theme.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use diesel::QueryResult;

use super::addressing::{self, Addressed, Authors};
use super::grouping::{self, Comment, Description, Place, Space};
use super::results::{self as figures, Detail};
use super::text::is_non_answer;
use crate::db::rounds::{self, Round};
use crate::db::themes::{self, Answer, Found, FoundLink, Member, RoundFigures, Theme};
use crate::db::{DbConnection, write_transaction};
use crate::domain::impact::{self, PainFigures};
use crate::domain::results::{Hundredths, Measure};
use crate::domain::survey::Property;
use crate::domain::themes::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// New answers join existing themes; everything else stays.
    Incremental,
    /// Regroup every comment.
    Full,
}

/// New answers above this share of a tool's comments are regrouped with
/// everything rather than added one by one.
const FULL_SHARE: f64 = 0.25;

/// Refreshes every tool with answers the grouping has not seen. Returns
/// how many tools it refreshed.
pub fn refresh_stale(conn: &mut DbConnection) -> QueryResult<usize> {
    let tools = themes::tools_with_unthemed(conn)?;
    for &tool in &tools {
        refresh(conn, tool, Mode::Incremental)?;
    }
    Ok(tools.len())
}

/// Refreshes the tool if it has unseen answers (one indexed lookup when
/// it has none): what every page showing themes calls before reading.
pub fn ensure_fresh(conn: &mut DbConnection, tool_ids: Option<&[i64]>) -> QueryResult<()> {
    for tool in themes::tools_with_unthemed(conn)? {
        if tool_ids.is_none_or(|ids| ids.contains(&tool)) {
            refresh(conn, tool, Mode::Incremental)?;
        }
    }
    Ok(())
}

/// Brings one tool's themes, links and figures up to date.
pub fn refresh(conn: &mut DbConnection, tool_id: i64, mode: Mode) -> QueryResult<()> {
    for _ in 0..3 {
        let plan = plan(conn, tool_id, mode)?;
        let applied = write_transaction(conn, |conn| {
            themes::lock_tool(conn, tool_id)?;
            if themes::revision(conn, tool_id)? != plan.revision
                || themes::unthemed(conn, tool_id, true)? != plan.unthemed
            {
                return Ok::<_, diesel::result::Error>(None);
            }
            apply(conn, tool_id, plan).map(Some)
        })?;
        if let Some(seen) = applied {
            return after_many(conn, seen);
        }
    }
    // Answers keep arriving: plan under the lock this time.
    let seen = write_transaction(conn, |conn| {
        themes::lock_tool(conn, tool_id)?;
        let plan = plan(conn, tool_id, mode)?;
        apply(conn, tool_id, plan)
    })?;
    after_many(conn, seen)
}

/// After this many answers marked seen at once, PostgreSQL's statistics
/// about them are refreshed.
const ANALYZE_AFTER: usize = 10_000;

/// Marking many answers seen (the first grouping, a sealed round) turns
/// "unseen answers" from most rows into none; until autovacuum analyzes
/// the table, PostgreSQL would scan it all to find none.
fn after_many(conn: &mut DbConnection, seen: usize) -> QueryResult<()> {
    if seen >= ANALYZE_AFTER {
        themes::analyze_answers(conn)?;
    }
    Ok(())
}

/// A theme in a plan: one that exists, or the n-th to be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum ThemeRef {
    Existing(i64),
    New(usize),
}

/// What a refresh will write.
#[derive(Debug, Default)]
struct Plan {
    revision: i64,
    unthemed: Vec<Answer>,
    created: Vec<(Kind, Found)>,
    updated: Vec<(i64, Found)>,
    deleted: Vec<i64>,
    /// Memberships that changed (theme or reason), and comments that left.
    placed: Vec<(i64, Kind, ThemeRef, bool, String)>,
    removed: Vec<(Kind, i64)>,
    /// (proposal, pain, why).
    links: Vec<(ThemeRef, ThemeRef, Addressed)>,
    proposals: Vec<ThemeRef>,
    figures: Vec<(ThemeRef, FigureRow)>,
    /// Every theme that remains, for replacing its figures.
    kept: Vec<ThemeRef>,
}

#[derive(Debug, Clone, Copy)]
struct FigureRow {
    round_id: i64,
    respondents: i64,
    teams: i64,
    hours: i64,
    severity: i64,
    impact: i64,
    mean: Option<i64>,
}

/// One kind of comment of a tool, grouped.
struct Grouped {
    kind: Kind,
    /// Per theme: its members (indices into `docs`) and description.
    themes: BTreeMap<ThemeRef, (Vec<usize>, Description)>,
}

fn plan(conn: &mut DbConnection, tool_id: i64, mode: Mode) -> QueryResult<Plan> {
    let revision = themes::revision(conn, tool_id)?;
    let unthemed = themes::unthemed(conn, tool_id, false)?;
    let answers = themes::commented(conn, tool_id)?;
    let members = themes::members_of_tool(conn, tool_id)?;
    let existing = themes::of_tool(conn, tool_id)?;
    let rounds = rounds::asking_about(conn, tool_id)?;
    let round_refs: Vec<&Round> = rounds.iter().collect();
    let totals = figures::load(conn, &round_refs, Some(tool_id), Detail::Teams)?;

    let fresh: HashSet<i64> = unthemed.iter().map(|a| a.response_id).collect();
    let mut plan = Plan {
        revision,
        ..Plan::default()
    };
    let mut new_count = 0;
    let mut grouped_kinds: Vec<(Grouped, Vec<&Answer>)> = Vec::new();
    for kind in Kind::ALL {
        let proposal = kind == Kind::Proposal;
        let mut docs: Vec<&Answer> = answers
            .iter()
            .filter(|a| !is_non_answer(a.text(proposal)))
            .collect();
        // A canonical order, by what was said: response ids are random, and
        // the same answers must make the same themes in any database.
        docs.sort_by_cached_key(|&x| {
            let low = grouping::lowest(x.ratings()).map(|p| p.field());
            (x.text(proposal), low, x.response_id)
        });
        let comments: Vec<Comment> = docs
            .iter()
            .map(|a| Comment {
                text: a.text(proposal),
                low: grouping::lowest(a.ratings()),
                partner: Some(a.text(!proposal)).filter(|t| !is_non_answer(t)),
            })
            .collect();
        let space = Space::read(&comments, proposal);
        let kind_themes: Vec<&Theme> = existing
            .iter()
            .filter(|t| t.kind == kind.as_str())
            .collect();
        let kind_members: HashMap<i64, &Member> = members
            .iter()
            .filter(|m| m.kind == kind.as_str())
            .map(|m| (m.response_id, m))
            .collect();
        let placement = Placing {
            space: &space,
            docs: &docs,
            themes: &kind_themes,
            members: &kind_members,
            fresh: &fresh,
            mode,
        }
        .place(&mut new_count);
        let grouped = describe(kind, &space, placement.places.iter().enumerate());
        // Memberships to write: new, moved, or with a new reason. Joining
        // new answers one by one keeps every other comment where it was,
        // with its reason: recomputing the reasons of a theme of thousands
        // against a centroid that 100 answers moved slightly rewrote most
        // of them for nothing. An admin's edit clears the reasons of the
        // comments it places.
        let in_docs: HashSet<i64> = docs.iter().map(|a| a.response_id).collect();
        for (theme, (docs_in, _)) in &grouped.themes {
            let centroid = std::cell::OnceCell::new();
            for &d in docs_in {
                let response = docs[d].response_id;
                let (_, pinned) = placement.places[d];
                let stays = kind_members.get(&response).filter(|m| {
                    ThemeRef::Existing(m.theme_id) == *theme
                        && m.pinned == pinned
                        && !m.reason.is_empty()
                });
                if stays.is_some() && !placement.regrouped {
                    continue;
                }
                let centroid = centroid.get_or_init(|| space.centroid(docs_in));
                let reason = if pinned {
                    format!("placed here by an admin; {}", space.reason(d, centroid))
                } else {
                    space.reason(d, centroid)
                };
                if stays.is_none_or(|m| m.reason != reason) {
                    plan.placed.push((response, kind, *theme, pinned, reason));
                }
            }
        }
        for m in kind_members.values() {
            if !in_docs.contains(&m.response_id) {
                plan.removed.push((kind, m.response_id));
            }
        }
        // Themes: created, updated, emptied.
        let mut labels = unique_labels(&grouped);
        for (theme, (_, description)) in &grouped.themes {
            let found = Found {
                label: labels.remove(theme).unwrap_or_default(),
                property: description.property.map(|p| p.field().to_owned()),
                replace: description.replace,
            };
            match theme {
                ThemeRef::New(_) => plan.created.push((kind, found)),
                ThemeRef::Existing(id) => {
                    let t = kind_themes
                        .iter()
                        .find(|t| t.id == *id)
                        .expect("existing theme");
                    let current = Found {
                        label: t.label.clone(),
                        property: t.property.clone(),
                        replace: t.replace,
                    };
                    if current != found {
                        plan.updated.push((*id, found));
                    }
                }
            }
            plan.kept.push(*theme);
        }
        for t in &kind_themes {
            let theme = ThemeRef::Existing(t.id);
            if !grouped.themes.contains_key(&theme) {
                if t.is_triaged() {
                    plan.kept.push(theme);
                } else {
                    plan.deleted.push(t.id);
                }
            }
        }
        grouped_kinds.push((grouped, docs));
    }
    let [(pains, pain_docs), (proposals, proposal_docs)] =
        <[_; 2]>::try_from(grouped_kinds).unwrap_or_else(|_| unreachable!("two kinds"));
    debug_assert_eq!((pains.kind, proposals.kind), (Kind::Pain, Kind::Proposal));

    // Which pains each targeted proposal addresses: what its authors
    // report beyond chance, and what its words match.
    let pain_list: Vec<(&ThemeRef, &Description)> =
        pains.themes.iter().map(|(r, (_, d))| (r, d)).collect();
    let pain_descriptions: Vec<Description> = pain_list.iter().map(|(_, d)| (*d).clone()).collect();
    let mut pain_of: HashMap<i64, usize> = HashMap::new();
    let mut everyone = vec![0u32; pain_list.len()];
    for (i, (docs_in, _)) in pains.themes.values().enumerate() {
        for &d in docs_in {
            pain_of.insert(pain_docs[d].response_id, i);
            everyone[i] += 1;
        }
    }
    for (theme, (docs_in, description)) in &proposals.themes {
        plan.proposals.push(*theme);
        let replace = match theme {
            ThemeRef::Existing(id) => existing
                .iter()
                .find(|t| t.id == *id)
                .and_then(|t| t.replace_override)
                .unwrap_or(description.replace),
            ThemeRef::New(_) => description.replace,
        };
        if replace {
            continue;
        }
        let mut authors = Authors {
            reporting: vec![0; pain_list.len()],
        };
        for &d in docs_in {
            if let Some(&p) = pain_of.get(&proposal_docs[d].response_id) {
                authors.reporting[p] += 1;
            }
        }
        let by_words = grouping::addressed_pains(description, &pain_descriptions);
        for found in addressing::addressed(&authors, &everyone, &by_words) {
            plan.links.push((*theme, *pain_list[found.pain].0, found));
        }
    }

    // Figures per theme and round.
    let properties: HashMap<ThemeRef, Option<Property>> = pains
        .themes
        .iter()
        .map(|(r, (_, d))| (*r, d.property))
        .collect();
    for (grouped, docs) in [(&pains, &pain_docs), (&proposals, &proposal_docs)] {
        for (theme, (members, _)) in &grouped.themes {
            let property = properties.get(theme).copied().flatten();
            for row in theme_figures(
                members,
                docs,
                &rounds,
                &totals,
                tool_id,
                property,
                grouped.kind,
            ) {
                plan.figures.push((*theme, row));
            }
        }
    }
    plan.unthemed = unthemed;
    Ok(plan)
}

/// Where placing put one kind of comment.
struct Placement {
    /// Per document: (theme, pinned).
    places: Vec<(ThemeRef, bool)>,
    /// Everything was regrouped, rather than new comments joining.
    regrouped: bool,
}

/// What placing one kind of comment reads.
struct Placing<'a> {
    space: &'a Space,
    docs: &'a [&'a Answer],
    themes: &'a [&'a Theme],
    /// Current places, by response.
    members: &'a HashMap<i64, &'a Member>,
    /// Responses written since the last grouping.
    fresh: &'a HashSet<i64>,
    mode: Mode,
}

impl Placing<'_> {
    /// Where each document goes. `new_count` numbers the themes to create,
    /// across kinds.
    fn place(&self, new_count: &mut usize) -> Placement {
        let Placing {
            space,
            docs,
            themes,
            members,
            fresh,
            mode,
        } = *self;
        let known: HashSet<i64> = themes.iter().map(|t| t.id).collect();
        // The current place of each document, if it keeps it.
        let current: Vec<Option<(i64, bool)>> = docs
            .iter()
            .map(|a| {
                members.get(&a.response_id).and_then(|m| {
                    let keeps = known.contains(&m.theme_id)
                        && (m.pinned || !fresh.contains(&a.response_id));
                    keeps.then_some((m.theme_id, m.pinned))
                })
            })
            .collect();
        let unplaced = current.iter().filter(|c| c.is_none()).count();
        let full = mode == Mode::Full
            || themes.is_empty()
            || unplaced as f64 > FULL_SHARE * docs.len() as f64;
        let mut out: Vec<Option<(ThemeRef, bool)>> = vec![None; docs.len()];
        let all: Vec<usize> = (0..docs.len()).collect();
        let new_theme = |n: &mut usize| {
            *n += 1;
            ThemeRef::New(*n - 1)
        };
        if full {
            let groups = space.group(&all);
            // Votes of each group for the themes its documents were in: an
            // admin's placement first, then how many it shares.
            let mut votes: BTreeMap<(usize, i64), (usize, usize)> = BTreeMap::new();
            for (d, g) in groups.iter().enumerate() {
                if let Some(m) = members.get(&docs[d].response_id)
                    && known.contains(&m.theme_id)
                {
                    let v = votes.entry((*g, m.theme_id)).or_default();
                    if m.pinned {
                        v.0 += 1;
                    } else {
                        v.1 += 1;
                    }
                }
            }
            let mut candidates: Vec<((usize, usize), usize, i64)> =
                votes.into_iter().map(|((g, t), v)| (v, g, t)).collect();
            candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            let mut theme_of_group: HashMap<usize, ThemeRef> = HashMap::new();
            let mut taken: HashSet<i64> = HashSet::new();
            for ((pinned, _), g, t) in candidates {
                if theme_of_group.contains_key(&g) || (taken.contains(&t) && pinned == 0) {
                    continue;
                }
                taken.insert(t);
                theme_of_group.insert(g, ThemeRef::Existing(t));
            }
            for d in 0..docs.len() {
                out[d] = Some(match current[d] {
                    Some((t, true)) => (ThemeRef::Existing(t), true),
                    _ => {
                        let theme = *theme_of_group
                            .entry(groups[d])
                            .or_insert_with(|| new_theme(new_count));
                        (theme, false)
                    }
                });
            }
        } else {
            let mut by_theme: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
            for (d, c) in current.iter().enumerate() {
                if let Some((t, pinned)) = c {
                    by_theme.entry(*t).or_default().push(d);
                    out[d] = Some((ThemeRef::Existing(*t), *pinned));
                }
            }
            let centroids: Vec<(i64, grouping::Vector)> = by_theme
                .iter()
                .map(|(t, ds)| (*t, space.centroid(ds)))
                .collect();
            let mut leftovers = Vec::new();
            for d in (0..docs.len()).filter(|&d| current[d].is_none()) {
                let best = centroids
                    .iter()
                    .map(|(t, c)| (space.similarity(d, c), *t))
                    .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
                match best {
                    Some((s, t)) if s >= grouping::JOIN => {
                        out[d] = Some((ThemeRef::Existing(t), false))
                    }
                    _ => leftovers.push(d),
                }
            }
            // What the words did not place is gathered with the themes by
            // meaning: it joins one, or makes a new one while there are
            // fewer than the most a tool shows.
            let theme_docs: Vec<Vec<usize>> = by_theme.values().cloned().collect();
            let theme_ids: Vec<i64> = by_theme.keys().copied().collect();
            let places = space.group_among(&leftovers, &theme_docs);
            let mut theme_of_group: HashMap<usize, ThemeRef> = HashMap::new();
            for (k, &d) in leftovers.iter().enumerate() {
                let theme = match places[k] {
                    Place::Theme(t) => ThemeRef::Existing(theme_ids[t]),
                    Place::New(g) => *theme_of_group
                        .entry(g)
                        .or_insert_with(|| new_theme(new_count)),
                };
                out[d] = Some((theme, false));
            }
        }
        Placement {
            places: out
                .into_iter()
                .map(|p| p.expect("every document placed"))
                .collect(),
            regrouped: full,
        }
    }
}

fn describe<'a>(
    kind: Kind,
    space: &Space,
    placement: impl Iterator<Item = (usize, &'a (ThemeRef, bool))>,
) -> Grouped {
    let mut members: BTreeMap<ThemeRef, Vec<usize>> = BTreeMap::new();
    for (d, (theme, _)) in placement {
        members.entry(*theme).or_default().push(d);
    }
    Grouped {
        kind,
        themes: members
            .into_iter()
            .map(|(t, ds)| {
                let d = space.describe(&ds);
                (t, (ds, d))
            })
            .collect(),
    }
}

/// Labels from each theme's top words, made unique within the tool's
/// pains or proposals by taking more words, then a number.
fn unique_labels(grouped: &Grouped) -> HashMap<ThemeRef, String> {
    let mut used: HashSet<String> = HashSet::new();
    let mut out = HashMap::new();
    // Bigger themes keep the shorter label.
    let mut order: Vec<(&ThemeRef, &(Vec<usize>, Description))> = grouped.themes.iter().collect();
    order.sort_by(|a, b| b.1.0.len().cmp(&a.1.0.len()).then(a.0.cmp(b.0)));
    for (theme, (_, d)) in order {
        let mut label = d.label(3);
        if used.contains(&label) {
            label = d.label(5);
        }
        let base = label.clone();
        let mut n = 2;
        while used.contains(&label) {
            label = format!("{base} ({n})");
            n += 1;
        }
        used.insert(label.clone());
        out.insert(*theme, label);
    }
    out
}

/// A theme's figures in each round it has comments in.
fn theme_figures(
    members: &[usize],
    docs: &[&Answer],
    rounds: &[Round],
    totals: &HashMap<i64, figures::RoundAnswers>,
    tool_id: i64,
    property: Option<Property>,
    kind: Kind,
) -> Vec<FigureRow> {
    let measure = property.map_or(Measure::Satisfaction, Measure::from_property);
    let mut by_round: BTreeMap<i64, Vec<&Answer>> = BTreeMap::new();
    for &m in members {
        by_round.entry(docs[m].round_id).or_default().push(docs[m]);
    }
    let mut out = Vec::new();
    for round in rounds {
        let Some(answers) = by_round.get(&round.id) else {
            continue;
        };
        let respondents = answers.len() as i64;
        // Teams erased at sealing count as one group: never more teams
        // than can be told apart.
        let teams = answers
            .iter()
            .map(|a| a.team_id)
            .collect::<BTreeSet<_>>()
            .len() as i64;
        let hours: i64 = answers.iter().filter_map(|a| a.hours_lost).sum();
        let theirs: Vec<i64> = answers.iter().filter_map(|a| rating(a, measure)).collect();
        // In hundredths of a point, rounded down.
        let mean =
            (!theirs.is_empty()).then(|| theirs.iter().sum::<i64>() * 100 / theirs.len() as i64);
        let (mut severity, mut impact) = (0, 0);
        if kind == Kind::Pain {
            let round_totals = totals.get(&round.id);
            let all = round_totals
                .map(|t| t.total(tool_id, measure))
                .unwrap_or_default();
            let others_n = all.n() - theirs.len() as i64;
            let others_total = all.total() - theirs.iter().sum::<i64>();
            // "Below the others" needs k others: beside the tool's mean, a
            // severity against fewer would give their mean away.
            if let Some(their_mean) = mean
                && others_n >= round.anonymity_k.max(1)
            {
                let others_mean = others_total * 100 / others_n;
                severity = (others_mean - their_mean).max(0);
            }
            let teams_answering = round_totals.map_or(0, |t| {
                Measure::ALL
                    .iter()
                    .flat_map(|m| t.by_team(tool_id, *m).into_keys())
                    .collect::<BTreeSet<_>>()
                    .len() as i64
            });
            impact = impact::impact(&PainFigures {
                respondents,
                teams,
                severity: Hundredths(severity),
                hours,
                teams_answering,
            })
            .0;
        }
        out.push(FigureRow {
            round_id: round.id,
            respondents,
            teams,
            hours,
            severity,
            impact,
            mean,
        });
    }
    out
}

/// An answer's value for a measure.
fn rating(a: &Answer, measure: Measure) -> Option<i64> {
    match measure {
        Measure::Satisfaction => a.satisfaction,
        Measure::Hours => a.hours_lost,
        m => {
            let at = Property::ALL
                .iter()
                .position(|p| Some(*p) == m.property())?;
            a.ratings()[at]
        }
    }
}

/// Writes the plan; returns how many answers it marked seen.
fn apply(conn: &mut DbConnection, tool_id: i64, plan: Plan) -> QueryResult<usize> {
    let mut ids: Vec<i64> = Vec::with_capacity(plan.created.len());
    for (kind, found) in &plan.created {
        ids.push(themes::insert(conn, tool_id, kind.as_str(), found)?);
    }
    let resolve = |r: ThemeRef| match r {
        ThemeRef::Existing(id) => id,
        ThemeRef::New(n) => ids[n],
    };
    for (id, found) in &plan.updated {
        themes::update_found(conn, *id, found)?;
    }
    for kind in Kind::ALL {
        let gone: Vec<i64> = plan
            .removed
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, r)| *r)
            .collect();
        themes::unplace(conn, tool_id, kind.as_str(), &gone)?;
    }
    let placed: Vec<Member> = plan
        .placed
        .iter()
        .map(|(response, kind, theme, pinned, reason)| Member {
            response_id: *response,
            kind: kind.as_str().to_owned(),
            theme_id: resolve(*theme),
            pinned: *pinned,
            reason: reason.clone(),
        })
        .collect();
    themes::place(conn, tool_id, &placed)?;
    themes::delete(conn, &plan.deleted)?;
    let proposals: Vec<i64> = plan.proposals.iter().map(|r| resolve(*r)).collect();
    let links: Vec<FoundLink> = plan
        .links
        .iter()
        .map(|(p, q, why)| FoundLink {
            proposal: resolve(*p),
            pain: resolve(*q),
            reporting: i64::from(why.reporting),
            authors: i64::from(why.authors),
        })
        .collect();
    themes::set_found_links(conn, &proposals, &links)?;
    let kept: Vec<i64> = plan.kept.iter().map(|r| resolve(*r)).collect();
    let rows: Vec<RoundFigures> = plan
        .figures
        .iter()
        .map(|(theme, f)| RoundFigures {
            theme_id: resolve(*theme),
            round_id: f.round_id,
            respondents: f.respondents,
            teams: f.teams,
            hours: f.hours,
            severity: f.severity,
            impact: f.impact,
            mean: f.mean,
        })
        .collect();
    themes::set_round_figures(conn, &kept, &rows)?;
    let seen: Vec<i64> = plan.unthemed.iter().map(|a| a.response_id).collect();
    themes::mark_themed(conn, tool_id, &seen)?;
    themes::bump_revision(conn, tool_id)?;
    Ok(seen.len())
}
