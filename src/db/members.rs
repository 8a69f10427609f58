//! Members of teams: the people surveys are sent to.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{members, teams};

#[derive(Queryable, Debug, Clone, serde::Serialize)]
pub struct Member {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub team_id: i64,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFields<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub team_id: i64,
    pub active: bool,
}

/// Which members a list shows.
#[derive(Debug, Default, Clone)]
pub struct MemberFilter {
    pub team_id: Option<i64>,
    /// Matches name or email, case-insensitively.
    pub search: Option<String>,
    pub include_inactive: bool,
}

type MemberWithTeam = diesel::dsl::InnerJoin<members::table, teams::table>;

fn filtered<'a>(
    filter: &'a MemberFilter,
) -> diesel::helper_types::IntoBoxed<'a, MemberWithTeam, super::DbBackend> {
    let mut query = members::table.inner_join(teams::table).into_boxed();
    if let Some(team) = filter.team_id {
        query = query.filter(members::team_id.eq(team));
    }
    if !filter.include_inactive {
        query = query.filter(members::active.eq(true));
    }
    if let Some(search) = &filter.search {
        let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
        query = query.filter(
            members::email
                .like(pattern.clone())
                .escape('\\')
                .or(super::lower(members::name).like(pattern).escape('\\')),
        );
    }
    query
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// One page of members with their team's name, ordered by name.
pub fn page(
    conn: &mut DbConnection,
    filter: &MemberFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<(Member, String)>> {
    filtered(filter)
        .select((members::all_columns, teams::name))
        .order((members::name.asc(), members::id.asc()))
        .limit(limit)
        .offset(offset)
        .load(conn)
}

pub fn count(conn: &mut DbConnection, filter: &MemberFilter) -> QueryResult<i64> {
    filtered(filter).select(count_star()).get_result(conn)
}

/// Active members of a team, in id order: whom a round invites.
pub fn active_ids_in_team(conn: &mut DbConnection, team_id: i64) -> QueryResult<Vec<i64>> {
    members::table
        .filter(members::team_id.eq(team_id))
        .filter(members::active.eq(true))
        .order(members::id.asc())
        .select(members::id)
        .load(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Member>> {
    members::table.find(id).get_result(conn).optional()
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<Member>> {
    members::table
        .filter(members::email.eq(email))
        .get_result(conn)
        .optional()
}

/// Every member, for imports to compare against.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Member>> {
    members::table.load(conn)
}

pub fn insert(conn: &mut DbConnection, m: &MemberFields, now: NaiveDateTime) -> QueryResult<i64> {
    diesel::insert_into(members::table)
        .values((
            members::email.eq(m.email),
            members::name.eq(m.name),
            members::team_id.eq(m.team_id),
            members::active.eq(m.active),
            members::created_at.eq(now),
            members::updated_at.eq(now),
        ))
        .returning(members::id)
        .get_result(conn)
}

pub fn update(
    conn: &mut DbConnection,
    id: i64,
    m: &MemberFields,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(members::table.find(id))
        .set((
            members::email.eq(m.email),
            members::name.eq(m.name),
            members::team_id.eq(m.team_id),
            members::active.eq(m.active),
            members::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_active(
    conn: &mut DbConnection,
    id: i64,
    active: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(members::table.find(id))
        .set((members::active.eq(active), members::updated_at.eq(now)))
        .execute(conn)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(members::table.find(id)).execute(conn)
}

pub fn count_active(conn: &mut DbConnection) -> QueryResult<i64> {
    members::table
        .filter(members::active.eq(true))
        .select(count_star())
        .get_result(conn)
}
