//! Failed sign-ins, counted per bucket (an account's email, or a client address).

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, min};
use diesel::prelude::*;

use super::DbConnection;
use super::schema::login_failures;

pub fn record(conn: &mut DbConnection, bucket: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::bucket.eq(bucket),
            login_failures::failed_at.eq(at),
        ))
        .execute(conn)
}

/// How many failures `bucket` has since `since`, and when the oldest of them was.
pub fn window(
    conn: &mut DbConnection,
    bucket: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    login_failures::table
        .filter(login_failures::bucket.eq(bucket))
        .filter(login_failures::failed_at.gt(since))
        .select((count_star(), min(login_failures::failed_at)))
        .first(conn)
}

pub fn clear(conn: &mut DbConnection, bucket: &str) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::bucket.eq(bucket))).execute(conn)
}

pub fn delete_before(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::failed_at.le(before))).execute(conn)
}
