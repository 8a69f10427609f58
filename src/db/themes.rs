//! Themes of pain points and proposals: the themes, which comment is in
//! which, the links from proposals to the pains they address, each theme's
//! figures per round, and the revision that orders changes to a tool's
//! themes.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::{
    rounds, theme_links, theme_members, theme_rounds, theme_state, themes, tool_answers,
};

#[derive(Queryable, Debug, Clone, serde::Serialize)]
pub struct Theme {
    pub id: i64,
    pub tool_id: i64,
    pub kind: String,
    pub label: String,
    pub custom_label: Option<String>,
    pub property: Option<String>,
    pub replace: bool,
    pub replace_override: Option<bool>,
    pub forced: Option<String>,
    pub horizon: Option<String>,
    pub status: String,
}

impl Theme {
    /// The name shown everywhere: an admin's, or the grouping's label.
    pub fn name(&self) -> &str {
        self.custom_label.as_deref().unwrap_or(&self.label)
    }

    /// A replace proposal, as an admin marked it or the grouping found it.
    pub fn is_replace(&self) -> bool {
        self.replace_override.unwrap_or(self.replace)
    }

    /// Whether an admin has set anything on it that regrouping must keep,
    /// even when no comment is left in it.
    pub fn is_triaged(&self) -> bool {
        self.custom_label.is_some()
            || self.replace_override.is_some()
            || self.forced.is_some()
            || self.horizon.is_some()
            || self.status != "new"
    }
}

/// One answer about one tool, as the grouping and the figures read it.
#[derive(Queryable, Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub response_id: i64,
    pub round_id: i64,
    pub team_id: Option<i64>,
    pub security: Option<i64>,
    pub reliability: Option<i64>,
    pub usability: Option<i64>,
    pub efficiency: Option<i64>,
    pub latency: Option<i64>,
    pub satisfaction: Option<i64>,
    pub hours_lost: Option<i64>,
    pub pain: String,
    pub proposal: String,
}

impl Answer {
    /// Security, reliability, usability, efficiency, latency.
    pub fn ratings(&self) -> [Option<i64>; 5] {
        [
            self.security,
            self.reliability,
            self.usability,
            self.efficiency,
            self.latency,
        ]
    }

    pub fn text(&self, proposal: bool) -> &str {
        if proposal { &self.proposal } else { &self.pain }
    }
}

macro_rules! answer_columns {
    () => {
        (
            tool_answers::response_id,
            tool_answers::round_id,
            tool_answers::team_id,
            tool_answers::security,
            tool_answers::reliability,
            tool_answers::usability,
            tool_answers::efficiency,
            tool_answers::latency,
            tool_answers::satisfaction,
            tool_answers::hours_lost,
            tool_answers::pain,
            tool_answers::proposal,
        )
    };
}

/// The tool's answers written since the grouping last ran (new, edited, or
/// with their team erased at sealing), in response order.
/// `lock` (inside the grouping's write transaction) locks them on
/// PostgreSQL until it ends: an edit arriving meanwhile waits, and is
/// grouped next time rather than marked grouped unseen.
pub fn unthemed(conn: &mut DbConnection, tool_id: i64, lock: bool) -> QueryResult<Vec<Answer>> {
    let query = tool_answers::table
        .filter(tool_answers::tool_id.eq(tool_id))
        .filter(tool_answers::themed.eq(false))
        .select(answer_columns!())
        .order(tool_answers::response_id.asc());
    match conn {
        DbConnection::Postgresql(c) if lock => query.for_update().load(c),
        _ => query.load(conn),
    }
}

/// Tools with answers the grouping has not seen.
pub fn tools_with_unthemed(conn: &mut DbConnection) -> QueryResult<Vec<i64>> {
    tool_answers::table
        .filter(tool_answers::themed.eq(false))
        .select(tool_answers::tool_id)
        .distinct()
        .load(conn)
}

/// Every used answer about the tool with a pain or a proposal.
pub fn commented(conn: &mut DbConnection, tool_id: i64) -> QueryResult<Vec<Answer>> {
    tool_answers::table
        .filter(tool_answers::tool_id.eq(tool_id))
        .filter(tool_answers::not_used.eq(false))
        .filter(tool_answers::pain.ne("").or(tool_answers::proposal.ne("")))
        .select(answer_columns!())
        .order(tool_answers::response_id.asc())
        .load(conn)
}

pub fn mark_themed(
    conn: &mut DbConnection,
    tool_id: i64,
    response_ids: &[i64],
) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in response_ids.chunks(5000) {
        n += diesel::update(
            tool_answers::table
                .filter(tool_answers::tool_id.eq(tool_id))
                .filter(tool_answers::response_id.eq_any(chunk)),
        )
        .set(tool_answers::themed.eq(true))
        .execute(conn)?;
    }
    Ok(n)
}

/// Makes the grouping look at every answer of the round again (its teams
/// were erased at sealing, which changes the figures).
pub fn unmark_round(conn: &mut DbConnection, round_id: i64) -> QueryResult<usize> {
    diesel::update(tool_answers::table.filter(tool_answers::round_id.eq(round_id)))
        .set(tool_answers::themed.eq(false))
        .execute(conn)
}

/// Refreshes PostgreSQL's statistics of `tool_answers` (see
/// `analytics::themes`); SQLite's planner needs none for it.
pub fn analyze_answers(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgresql(c) = conn {
        diesel::sql_query("ANALYZE tool_answers").execute(c)?;
    }
    Ok(())
}

/// Serialises changes to one tool's themes. PostgreSQL takes a
/// transaction-scoped advisory lock; SQLite's write transaction is already
/// the only writer.
pub fn lock_tool(conn: &mut DbConnection, tool_id: i64) -> QueryResult<()> {
    if let DbConnection::Postgresql(c) = conn {
        // Class 0x7468 ("th"): the themes of tool `objid`.
        diesel::sql_query("SELECT pg_advisory_xact_lock(29800, $1)")
            .bind::<diesel::sql_types::Integer, _>(tool_id as i32)
            .execute(c)?;
    }
    Ok(())
}

pub fn of_tool(conn: &mut DbConnection, tool_id: i64) -> QueryResult<Vec<Theme>> {
    themes::table
        .filter(themes::tool_id.eq(tool_id))
        .order(themes::id.asc())
        .load(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Theme>> {
    themes::table.find(id).get_result(conn).optional()
}

/// Every theme of the given tools, or of all tools.
pub fn of_tools(conn: &mut DbConnection, tool_ids: Option<&[i64]>) -> QueryResult<Vec<Theme>> {
    let mut query = themes::table.order(themes::id.asc()).into_boxed();
    if let Some(ids) = tool_ids {
        query = query.filter(themes::tool_id.eq_any(ids.to_vec()));
    }
    query.load(conn)
}

/// What the grouping finds about a theme.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub label: String,
    pub property: Option<String>,
    pub replace: bool,
}

pub fn insert(
    conn: &mut DbConnection,
    tool_id: i64,
    kind: &str,
    found: &Found,
) -> QueryResult<i64> {
    diesel::insert_into(themes::table)
        .values((
            themes::tool_id.eq(tool_id),
            themes::kind.eq(kind),
            themes::label.eq(&found.label),
            themes::property.eq(&found.property),
            themes::replace.eq(found.replace),
        ))
        .returning(themes::id)
        .get_result(conn)
}

pub fn update_found(conn: &mut DbConnection, id: i64, found: &Found) -> QueryResult<usize> {
    diesel::update(themes::table.find(id))
        .set((
            themes::label.eq(&found.label),
            themes::property.eq(&found.property),
            themes::replace.eq(found.replace),
        ))
        .execute(conn)
}

pub fn set_custom_label(
    conn: &mut DbConnection,
    id: i64,
    label: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(themes::table.find(id))
        .set(themes::custom_label.eq(label))
        .execute(conn)
}

pub fn set_replace_override(
    conn: &mut DbConnection,
    id: i64,
    replace: Option<bool>,
) -> QueryResult<usize> {
    diesel::update(themes::table.find(id))
        .set(themes::replace_override.eq(replace))
        .execute(conn)
}

pub fn set_tags(
    conn: &mut DbConnection,
    id: i64,
    forced: Option<&str>,
    horizon: Option<&str>,
    status: &str,
) -> QueryResult<usize> {
    diesel::update(themes::table.find(id))
        .set((
            themes::forced.eq(forced),
            themes::horizon.eq(horizon),
            themes::status.eq(status),
        ))
        .execute(conn)
}

/// Deletes themes with everything that hangs off them.
pub fn delete(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::delete(theme_rounds::table.filter(theme_rounds::theme_id.eq_any(ids))).execute(conn)?;
    diesel::delete(theme_members::table.filter(theme_members::theme_id.eq_any(ids)))
        .execute(conn)?;
    diesel::delete(
        theme_links::table.filter(
            theme_links::proposal_theme_id
                .eq_any(ids)
                .or(theme_links::pain_theme_id.eq_any(ids)),
        ),
    )
    .execute(conn)?;
    diesel::delete(themes::table.filter(themes::id.eq_any(ids))).execute(conn)
}

/// A comment's place in a theme.
#[derive(Queryable, Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub response_id: i64,
    pub kind: String,
    pub theme_id: i64,
    /// Placed by an admin: the grouping never moves it.
    pub pinned: bool,
    /// Why it belongs: what it shares with the theme.
    pub reason: String,
}

pub fn members_of_tool(conn: &mut DbConnection, tool_id: i64) -> QueryResult<Vec<Member>> {
    theme_members::table
        .filter(theme_members::tool_id.eq(tool_id))
        .select((
            theme_members::response_id,
            theme_members::kind,
            theme_members::theme_id,
            theme_members::pinned,
            theme_members::reason,
        ))
        .order((theme_members::kind, theme_members::response_id))
        .load(conn)
}

/// A row of `theme_members`, for PostgreSQL's COPY.
#[derive(Insertable)]
#[diesel(table_name = theme_members)]
#[diesel(treat_none_as_default_value = false)]
struct MemberRow<'a> {
    response_id: i64,
    tool_id: i64,
    kind: &'a str,
    theme_id: i64,
    pinned: bool,
    reason: &'a str,
}

/// Places comments about the tool, replacing where they were.
pub fn place(conn: &mut DbConnection, tool_id: i64, members: &[Member]) -> QueryResult<usize> {
    // A tool's first grouping has nothing to take out.
    let any: bool = diesel::select(diesel::dsl::exists(
        theme_members::table.filter(theme_members::tool_id.eq(tool_id)),
    ))
    .get_result(conn)?;
    for kind in ["pain", "proposal"].into_iter().filter(|_| any) {
        let ids: Vec<i64> = members
            .iter()
            .filter(|m| m.kind == kind)
            .map(|m| m.response_id)
            .collect();
        unplace(conn, tool_id, kind, &ids)?;
    }
    let rows: Vec<MemberRow> = members
        .iter()
        .map(|m| MemberRow {
            response_id: m.response_id,
            tool_id,
            kind: &m.kind,
            theme_id: m.theme_id,
            pinned: m.pinned,
            reason: &m.reason,
        })
        .collect();
    match conn {
        // A regrouping writes every comment of a tool: COPY, not INSERTs.
        DbConnection::Postgresql(c) => diesel::copy_from(theme_members::table)
            .from_insertable(&rows)
            .execute(c),
        DbConnection::Sqlite(c) => {
            let mut n = 0;
            for row in &rows {
                n += diesel::insert_into(theme_members::table)
                    .values(row)
                    .execute(c)?;
            }
            Ok(n)
        }
    }
}

/// Takes comments of `kind` about the tool out of their themes.
pub fn unplace(
    conn: &mut DbConnection,
    tool_id: i64,
    kind: &str,
    response_ids: &[i64],
) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in response_ids.chunks(5000) {
        n += diesel::delete(
            theme_members::table
                .filter(theme_members::tool_id.eq(tool_id))
                .filter(theme_members::kind.eq(kind))
                .filter(theme_members::response_id.eq_any(chunk)),
        )
        .execute(conn)?;
    }
    Ok(n)
}

/// The tool's grouping revision (0 before anything was grouped).
pub fn revision(conn: &mut DbConnection, tool_id: i64) -> QueryResult<i64> {
    Ok(theme_state::table
        .find(tool_id)
        .select(theme_state::revision)
        .get_result(conn)
        .optional()?
        .unwrap_or(0))
}

/// Moves the tool's revision on, after a grouping or an admin's edit.
pub fn bump_revision(conn: &mut DbConnection, tool_id: i64) -> QueryResult<i64> {
    let next = revision(conn, tool_id)? + 1;
    let updated = diesel::update(theme_state::table.find(tool_id))
        .set(theme_state::revision.eq(next))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(theme_state::table)
            .values((
                theme_state::tool_id.eq(tool_id),
                theme_state::revision.eq(next),
            ))
            .execute(conn)?;
    }
    Ok(next)
}

/// A theme's figures in one round; severity and impact in hundredths.
#[derive(Queryable, Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundFigures {
    pub theme_id: i64,
    pub round_id: i64,
    pub respondents: i64,
    pub teams: i64,
    pub hours: i64,
    pub severity: i64,
    pub impact: i64,
    /// The respondents' mean rating of the theme's measure.
    pub mean: Option<i64>,
}

/// A theme's kept figures in a round, with that round's anonymity rule.
#[derive(Queryable, Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeptFigures {
    #[diesel(embed)]
    pub figures: RoundFigures,
    /// The round's k.
    pub k: i64,
}

impl KeptFigures {
    /// Whether they may be shown (`domain::anonymity::theme_shown`).
    pub fn shown(&self) -> bool {
        crate::domain::anonymity::theme_shown(self.figures.respondents, self.k)
    }

    /// What pain themes are ranked by, highest first: by impact, then
    /// respondents; themes under k after every other, and among themselves
    /// by nothing their figures could give away.
    pub fn rank_key(&self) -> (bool, i64, i64) {
        if self.shown() {
            (true, self.figures.impact, self.figures.respondents)
        } else {
            (false, 0, 0)
        }
    }
}

/// Replaces every kept figure of the given themes.
pub fn set_round_figures(
    conn: &mut DbConnection,
    theme_ids: &[i64],
    rows: &[RoundFigures],
) -> QueryResult<()> {
    for chunk in theme_ids.chunks(5000) {
        diesel::delete(theme_rounds::table.filter(theme_rounds::theme_id.eq_any(chunk)))
            .execute(conn)?;
    }
    for chunk in rows.chunks(500) {
        let values: Vec<_> = chunk
            .iter()
            .map(|f| {
                (
                    theme_rounds::theme_id.eq(f.theme_id),
                    theme_rounds::round_id.eq(f.round_id),
                    theme_rounds::respondents.eq(f.respondents),
                    theme_rounds::teams.eq(f.teams),
                    theme_rounds::hours.eq(f.hours),
                    theme_rounds::severity.eq(f.severity),
                    theme_rounds::impact.eq(f.impact),
                    theme_rounds::mean.eq(f.mean),
                )
            })
            .collect();
        match conn {
            DbConnection::Postgresql(c) => {
                diesel::insert_into(theme_rounds::table)
                    .values(&values)
                    .execute(c)?;
            }
            DbConnection::Sqlite(c) => {
                for v in values {
                    diesel::insert_into(theme_rounds::table)
                        .values(v)
                        .execute(c)?;
                }
            }
        }
    }
    Ok(())
}

/// Every kept figure of the given themes.
pub fn round_figures(conn: &mut DbConnection, theme_ids: &[i64]) -> QueryResult<Vec<KeptFigures>> {
    super::load_in_chunks(theme_ids, 5000, |chunk| {
        theme_rounds::table
            .inner_join(rounds::table)
            .filter(theme_rounds::theme_id.eq_any(chunk))
            .select((
                (
                    theme_rounds::theme_id,
                    theme_rounds::round_id,
                    theme_rounds::respondents,
                    theme_rounds::teams,
                    theme_rounds::hours,
                    theme_rounds::severity,
                    theme_rounds::impact,
                    theme_rounds::mean,
                ),
                rounds::anonymity_k,
            ))
            .load::<KeptFigures>(conn)
    })
}

/// A proposal-to-pain link: found by the grouping, or set by an admin
/// (`manual`), who may also say two themes are not linked.
#[derive(Queryable, Selectable, Debug, Clone, Copy, PartialEq, Eq)]
#[diesel(table_name = theme_links)]
pub struct Link {
    pub proposal_theme_id: i64,
    pub pain_theme_id: i64,
    pub linked: bool,
    pub manual: bool,
    /// Why the grouping linked them: `reporting` of the proposal's
    /// `authors` who reported a pain report this one (0 authors: their
    /// words are alike; an admin's link has neither).
    pub reporting: i64,
    pub authors: i64,
}

/// A link the grouping found (see `Link`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundLink {
    pub proposal: i64,
    pub pain: i64,
    pub reporting: i64,
    pub authors: i64,
}

/// Every link from the given proposal themes.
pub fn links(conn: &mut DbConnection, proposal_ids: &[i64]) -> QueryResult<Vec<Link>> {
    super::load_in_chunks(proposal_ids, 5000, |chunk| {
        theme_links::table
            .filter(theme_links::proposal_theme_id.eq_any(chunk))
            .select(Link::as_select())
            .load(conn)
    })
}

/// Replaces the grouping's links from `proposal_ids` by `found`; a pair
/// an admin has decided keeps the admin's word.
pub fn set_found_links(
    conn: &mut DbConnection,
    proposal_ids: &[i64],
    found: &[FoundLink],
) -> QueryResult<()> {
    diesel::delete(
        theme_links::table
            .filter(theme_links::proposal_theme_id.eq_any(proposal_ids))
            .filter(theme_links::manual.eq(false)),
    )
    .execute(conn)?;
    let decided: Vec<(i64, i64)> = theme_links::table
        .filter(theme_links::proposal_theme_id.eq_any(proposal_ids))
        .select((theme_links::proposal_theme_id, theme_links::pain_theme_id))
        .load(conn)?;
    for link in found {
        if decided.contains(&(link.proposal, link.pain)) {
            continue;
        }
        diesel::insert_into(theme_links::table)
            .values((
                theme_links::proposal_theme_id.eq(link.proposal),
                theme_links::pain_theme_id.eq(link.pain),
                theme_links::linked.eq(true),
                theme_links::manual.eq(false),
                theme_links::reporting.eq(link.reporting),
                theme_links::authors.eq(link.authors),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// An admin links (`Some(true)`), unlinks (`Some(false)`) or hands back to
/// the grouping (`None`) a proposal and a pain.
pub fn set_manual_link(
    conn: &mut DbConnection,
    proposal: i64,
    pain: i64,
    linked: Option<bool>,
) -> QueryResult<usize> {
    diesel::delete(theme_links::table.find((proposal, pain))).execute(conn)?;
    let Some(linked) = linked else {
        return Ok(0);
    };
    diesel::insert_into(theme_links::table)
        .values((
            theme_links::proposal_theme_id.eq(proposal),
            theme_links::pain_theme_id.eq(pain),
            theme_links::linked.eq(linked),
            theme_links::manual.eq(true),
        ))
        .execute(conn)
}

/// A comment in a theme, with what the page may show of its answer.
#[derive(Debug, Clone)]
pub struct ThemedComment {
    pub response_id: i64,
    pub theme_id: i64,
    pub team_id: Option<i64>,
    pub text: String,
    pub reason: String,
    pub pinned: bool,
}

/// The themed comments about the tool in one round, in response order
/// (random: response ids carry no order).
pub fn comments_in_round(
    conn: &mut DbConnection,
    tool_id: i64,
    round_id: i64,
) -> QueryResult<Vec<ThemedComment>> {
    let in_round = tool_answers::table
        .filter(tool_answers::tool_id.eq(tool_id))
        .filter(tool_answers::round_id.eq(round_id))
        .select(tool_answers::response_id);
    let members: Vec<Member> = theme_members::table
        .filter(theme_members::tool_id.eq(tool_id))
        .filter(theme_members::response_id.eq_any(in_round))
        .select((
            theme_members::response_id,
            theme_members::kind,
            theme_members::theme_id,
            theme_members::pinned,
            theme_members::reason,
        ))
        .order(theme_members::response_id)
        .load(conn)?;
    let answers: std::collections::HashMap<i64, (Option<i64>, String, String)> =
        tool_answers::table
            .filter(tool_answers::tool_id.eq(tool_id))
            .filter(tool_answers::round_id.eq(round_id))
            .select((
                tool_answers::response_id,
                tool_answers::team_id,
                tool_answers::pain,
                tool_answers::proposal,
            ))
            .load::<(i64, Option<i64>, String, String)>(conn)?
            .into_iter()
            .map(|(r, team, pain, proposal)| (r, (team, pain, proposal)))
            .collect();
    Ok(members
        .into_iter()
        .filter_map(|m| {
            let (team, pain, proposal) = answers.get(&m.response_id)?;
            Some(ThemedComment {
                response_id: m.response_id,
                theme_id: m.theme_id,
                team_id: *team,
                text: if m.kind == "pain" {
                    pain.clone()
                } else {
                    proposal.clone()
                },
                reason: m.reason,
                pinned: m.pinned,
            })
        })
        .collect())
}

/// The members of one theme: (response, pinned).
pub fn members_of(conn: &mut DbConnection, theme_id: i64) -> QueryResult<Vec<(i64, bool)>> {
    theme_members::table
        .filter(theme_members::theme_id.eq(theme_id))
        .select((theme_members::response_id, theme_members::pinned))
        .load(conn)
}

/// Places one comment in a theme, pinned there by an admin. Its reason is
/// cleared, for the refresh that follows the edit to give it a new one.
pub fn pin(
    conn: &mut DbConnection,
    tool_id: i64,
    kind: &str,
    response_id: i64,
    theme_id: i64,
) -> QueryResult<usize> {
    let updated = diesel::update(theme_members::table.find((response_id, tool_id, kind)))
        .set((
            theme_members::theme_id.eq(theme_id),
            theme_members::pinned.eq(true),
            theme_members::reason.eq(""),
        ))
        .execute(conn)?;
    if updated > 0 {
        return Ok(updated);
    }
    diesel::insert_into(theme_members::table)
        .values((
            theme_members::response_id.eq(response_id),
            theme_members::tool_id.eq(tool_id),
            theme_members::kind.eq(kind),
            theme_members::theme_id.eq(theme_id),
            theme_members::pinned.eq(true),
        ))
        .execute(conn)
}

/// Pins every member of a theme where it is, or moves them all, pinned,
/// to `to`; their reasons are cleared, as `pin` does.
pub fn pin_all(conn: &mut DbConnection, theme_id: i64, to: i64) -> QueryResult<usize> {
    diesel::update(theme_members::table.filter(theme_members::theme_id.eq(theme_id)))
        .set((
            theme_members::theme_id.eq(to),
            theme_members::pinned.eq(true),
            theme_members::reason.eq(""),
        ))
        .execute(conn)
}

/// Moves an admin's links of one theme to another (a merge): a pair the
/// target has decided already keeps the target's decision.
pub fn move_manual_links(conn: &mut DbConnection, from: i64, to: i64) -> QueryResult<()> {
    let rows: Vec<Link> = theme_links::table
        .filter(
            theme_links::proposal_theme_id
                .eq(from)
                .or(theme_links::pain_theme_id.eq(from)),
        )
        .filter(theme_links::manual.eq(true))
        .select(Link::as_select())
        .load(conn)?;
    for l in rows {
        let pair = if l.proposal_theme_id == from {
            (to, l.pain_theme_id)
        } else {
            (l.proposal_theme_id, to)
        };
        let decided = theme_links::table
            .find(pair)
            .filter(theme_links::manual.eq(true))
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if !decided {
            set_manual_link(conn, pair.0, pair.1, Some(l.linked))?;
        }
    }
    Ok(())
}

pub fn insert_split(conn: &mut DbConnection, from: &Theme, label: &str) -> QueryResult<i64> {
    diesel::insert_into(themes::table)
        .values((
            themes::tool_id.eq(from.tool_id),
            themes::kind.eq(&from.kind),
            themes::label.eq(label),
            themes::custom_label.eq(label),
            themes::property.eq(&from.property),
            themes::replace.eq(from.replace),
        ))
        .returning(themes::id)
        .get_result(conn)
}
