//! Infrastructure tools.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{categories, teams, tools};
use crate::domain::directory::NamedThing;

#[derive(Queryable, Debug, Clone, serde::Serialize)]
pub struct Tool {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// The key of its category (`db::categories`).
    pub category: String,
    pub owner_team_id: i64,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub struct ToolFields<'a> {
    pub named: &'a NamedThing,
    /// A category's key.
    pub category: &'a str,
    pub owner_team_id: i64,
}

/// Every tool with its owning team's and its category's names: active
/// first, then by name.
pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<(Tool, String, String)>> {
    tools::table
        .inner_join(teams::table)
        .inner_join(categories::table)
        .select((tools::all_columns, teams::name, categories::name))
        .order((tools::active.desc(), tools::name.asc()))
        .load(conn)
}

pub fn list_active(conn: &mut DbConnection) -> QueryResult<Vec<Tool>> {
    tools::table
        .filter(tools::active.eq(true))
        .order(tools::name.asc())
        .load(conn)
}

pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Tool>> {
    tools::table.load(conn)
}

pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Tool>> {
    tools::table
        .filter(tools::slug.eq(slug))
        .get_result(conn)
        .optional()
}

pub fn owned_by(conn: &mut DbConnection, team_id: i64) -> QueryResult<Vec<Tool>> {
    tools::table
        .filter(tools::owner_team_id.eq(team_id))
        .order(tools::name.asc())
        .load(conn)
}

pub fn slug_taken(
    conn: &mut DbConnection,
    slug: &str,
    except_id: Option<i64>,
) -> QueryResult<bool> {
    let n: i64 = tools::table
        .filter(tools::slug.eq(slug))
        .filter(tools::id.ne(except_id.unwrap_or(-1)))
        .select(count_star())
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn insert(conn: &mut DbConnection, t: &ToolFields, now: NaiveDateTime) -> QueryResult<Tool> {
    diesel::insert_into(tools::table)
        .values((
            tools::slug.eq(t.named.slug.as_str()),
            tools::name.eq(&t.named.name),
            tools::description.eq(&t.named.description),
            tools::category.eq(t.category),
            tools::owner_team_id.eq(t.owner_team_id),
            tools::active.eq(true),
            tools::created_at.eq(now),
            tools::updated_at.eq(now),
        ))
        .returning(tools::all_columns)
        .get_result(conn)
}

pub fn update(
    conn: &mut DbConnection,
    id: i64,
    t: &ToolFields,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(tools::table.find(id))
        .set((
            tools::slug.eq(t.named.slug.as_str()),
            tools::name.eq(&t.named.name),
            tools::description.eq(&t.named.description),
            tools::category.eq(t.category),
            tools::owner_team_id.eq(t.owner_team_id),
            tools::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_active(
    conn: &mut DbConnection,
    id: i64,
    active: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(tools::table.find(id))
        .set((tools::active.eq(active), tools::updated_at.eq(now)))
        .execute(conn)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(tools::table.find(id)).execute(conn)
}

pub fn count_active(conn: &mut DbConnection) -> QueryResult<i64> {
    tools::table
        .filter(tools::active.eq(true))
        .select(count_star())
        .get_result(conn)
}
