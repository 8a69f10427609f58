//! Which team uses which tool, and whether for business-critical work.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{adoptions, teams, tools};
use super::teams::Team;
use super::tools::Tool;
use crate::domain::directory::is_infrastructure;

#[derive(Queryable, Debug, Clone)]
pub struct Adoption {
    pub team_id: i64,
    pub tool_id: i64,
    pub business_critical: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Adoption>> {
    adoptions::table.load(conn)
}

/// `None` removes the pair; `Some(critical)` records it. Returns whether
/// anything changed.
pub fn set(
    conn: &mut DbConnection,
    team_id: i64,
    tool_id: i64,
    usage: Option<bool>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let pair = adoptions::table.find((team_id, tool_id));
    let current: Option<bool> = pair
        .select(adoptions::business_critical)
        .get_result(conn)
        .optional()?;
    match (current, usage) {
        (a, b) if a == b => Ok(false),
        (Some(_), None) => diesel::delete(pair).execute(conn).map(|_| true),
        (Some(_), Some(critical)) => diesel::update(pair)
            .set((
                adoptions::business_critical.eq(critical),
                adoptions::updated_at.eq(now),
            ))
            .execute(conn)
            .map(|_| true),
        (None, Some(critical)) => diesel::insert_into(adoptions::table)
            .values((
                adoptions::team_id.eq(team_id),
                adoptions::tool_id.eq(tool_id),
                adoptions::business_critical.eq(critical),
                adoptions::created_at.eq(now),
                adoptions::updated_at.eq(now),
            ))
            .execute(conn)
            .map(|_| true),
        (None, None) => Ok(false),
    }
}

/// How much a tool is used by active teams, and so whether it counts as
/// technical infrastructure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Usage {
    pub teams: i64,
    pub critical_teams: i64,
    pub infrastructure: bool,
}

/// Per tool id, its usage by active teams, with `infra_min_teams` as the
/// threshold of business-critical users (slide 10). The one place that
/// decides which tools are infrastructure; tools no team uses are absent.
pub fn usage(conn: &mut DbConnection, infra_min_teams: u32) -> QueryResult<HashMap<i64, Usage>> {
    let rows: Vec<(i64, bool, i64)> = adoptions::table
        .inner_join(teams::table)
        .filter(teams::active.eq(true))
        .group_by((adoptions::tool_id, adoptions::business_critical))
        .select((
            adoptions::tool_id,
            adoptions::business_critical,
            count_star(),
        ))
        .load(conn)?;
    let mut by_tool: HashMap<i64, Usage> = HashMap::new();
    for (tool, critical, n) in rows {
        let u = by_tool.entry(tool).or_default();
        u.teams += n;
        if critical {
            u.critical_teams += n;
        }
    }
    for u in by_tool.values_mut() {
        u.infrastructure = is_infrastructure(u.critical_teams, infra_min_teams);
    }
    Ok(by_tool)
}

/// The teams that use a tool, by name, with the business-critical flag.
pub fn teams_using(conn: &mut DbConnection, tool_id: i64) -> QueryResult<Vec<(Team, bool)>> {
    adoptions::table
        .inner_join(teams::table)
        .filter(adoptions::tool_id.eq(tool_id))
        .select((teams::all_columns, adoptions::business_critical))
        .order(teams::name.asc())
        .load(conn)
}

/// The tools a team uses, by name, with the business-critical flag.
pub fn tools_used_by(conn: &mut DbConnection, team_id: i64) -> QueryResult<Vec<(Tool, bool)>> {
    adoptions::table
        .inner_join(tools::table)
        .filter(adoptions::team_id.eq(team_id))
        .select((tools::all_columns, adoptions::business_critical))
        .order(tools::name.asc())
        .load(conn)
}
