//! Tool categories: a list admins keep. Tools name theirs by key; the
//! foreign key refuses to delete one that a tool still uses.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{categories, tools};

#[derive(Queryable, Debug, Clone, serde::Serialize)]
pub struct Category {
    pub key: String,
    pub name: String,
    pub position: i64,
    pub created_at: NaiveDateTime,
}

/// Every category, in the admins' order.
pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Category>> {
    categories::table
        .order((categories::position.asc(), categories::name.asc()))
        .load(conn)
}

pub fn find(conn: &mut DbConnection, key: &str) -> QueryResult<Option<Category>> {
    categories::table.find(key).get_result(conn).optional()
}

/// A category by key or (case-insensitively) by name, for imports.
pub fn lookup(list: &[Category], value: &str) -> Option<Category> {
    let lower = value.trim().to_lowercase();
    list.iter()
        .find(|c| c.key == lower)
        .or_else(|| list.iter().find(|c| c.name.to_lowercase() == lower))
        .cloned()
}

pub fn name_taken(conn: &mut DbConnection, name: &str, except: Option<&str>) -> QueryResult<bool> {
    let n: i64 = categories::table
        .filter(super::lower(categories::name).eq(name.to_lowercase()))
        .filter(categories::key.ne(except.unwrap_or("")))
        .select(count_star())
        .get_result(conn)?;
    Ok(n > 0)
}

/// Adds a category at the end of the list.
pub fn insert(
    conn: &mut DbConnection,
    key: &str,
    name: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let last: Option<i64> = categories::table
        .select(diesel::dsl::max(categories::position))
        .get_result(conn)?;
    diesel::insert_into(categories::table)
        .values((
            categories::key.eq(key),
            categories::name.eq(name),
            categories::position.eq(last.unwrap_or(0) + 1),
            categories::created_at.eq(now),
        ))
        .execute(conn)
}

pub fn rename(conn: &mut DbConnection, key: &str, name: &str) -> QueryResult<usize> {
    diesel::update(categories::table.find(key))
        .set(categories::name.eq(name))
        .execute(conn)
}

pub fn delete(conn: &mut DbConnection, key: &str) -> QueryResult<usize> {
    diesel::delete(categories::table.find(key)).execute(conn)
}

/// Tools per category key.
pub fn tool_counts(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    tools::table
        .group_by(tools::category)
        .select((tools::category, count_star()))
        .load(conn)
}
