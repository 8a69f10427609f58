//! Engineering teams.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{members, teams, tools};
use crate::domain::directory::NamedThing;

#[derive(Queryable, Debug, Clone, serde::Serialize)]
pub struct Team {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Team>> {
    teams::table
        .order((teams::active.desc(), teams::name.asc()))
        .load(conn)
}

pub fn list_active(conn: &mut DbConnection) -> QueryResult<Vec<Team>> {
    teams::table
        .filter(teams::active.eq(true))
        .order(teams::name.asc())
        .load(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Team>> {
    teams::table.find(id).get_result(conn).optional()
}

pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Team>> {
    teams::table
        .filter(teams::slug.eq(slug))
        .get_result(conn)
        .optional()
}

pub fn slug_taken(
    conn: &mut DbConnection,
    slug: &str,
    except_id: Option<i64>,
) -> QueryResult<bool> {
    let n: i64 = teams::table
        .filter(teams::slug.eq(slug))
        .filter(teams::id.ne(except_id.unwrap_or(-1)))
        .select(count_star())
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn insert(conn: &mut DbConnection, t: &NamedThing, now: NaiveDateTime) -> QueryResult<Team> {
    diesel::insert_into(teams::table)
        .values((
            teams::slug.eq(t.slug.as_str()),
            teams::name.eq(&t.name),
            teams::description.eq(&t.description),
            teams::active.eq(true),
            teams::created_at.eq(now),
            teams::updated_at.eq(now),
        ))
        .returning(teams::all_columns)
        .get_result(conn)
}

pub fn update(
    conn: &mut DbConnection,
    id: i64,
    t: &NamedThing,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(teams::table.find(id))
        .set((
            teams::slug.eq(t.slug.as_str()),
            teams::name.eq(&t.name),
            teams::description.eq(&t.description),
            teams::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_active(
    conn: &mut DbConnection,
    id: i64,
    active: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(teams::table.find(id))
        .set((teams::active.eq(active), teams::updated_at.eq(now)))
        .execute(conn)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(teams::table.find(id)).execute(conn)
}

/// Active members per team id.
pub fn member_counts(conn: &mut DbConnection) -> QueryResult<Vec<(i64, i64)>> {
    members::table
        .filter(members::active.eq(true))
        .group_by(members::team_id)
        .select((members::team_id, count_star()))
        .load(conn)
}

/// What keeps a team from being deleted: its members (active or not) and the tools it owns.
pub fn references(conn: &mut DbConnection, id: i64) -> QueryResult<(i64, i64)> {
    let members: i64 = members::table
        .filter(members::team_id.eq(id))
        .select(count_star())
        .get_result(conn)?;
    let tools: i64 = tools::table
        .filter(tools::owner_team_id.eq(id))
        .select(count_star())
        .get_result(conn)?;
    Ok((members, tools))
}

pub fn count_active(conn: &mut DbConnection) -> QueryResult<i64> {
    teams::table
        .filter(teams::active.eq(true))
        .select(count_star())
        .get_result(conn)
}
