//! Sign-in attempts per bucket (an account's email, or a client address) in
//! fixed windows: one row per bucket, so the table holds one row per account
//! or address tried lately, not one per attempt.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::DbConnection;
use super::schema::login_attempts;

#[derive(QueryableByName, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    #[diesel(sql_type = BigInt)]
    pub attempts: i64,
    #[diesel(sql_type = Timestamp)]
    pub window_start: NaiveDateTime,
}

/// Counts one attempt in `bucket` and returns the window it falls in, in one
/// statement: concurrent attempts each see their own count, so none can slip
/// past the limit between a check and a record. A window that started at or
/// before `expired` starts again at `now`.
pub fn reserve(
    conn: &mut DbConnection,
    bucket: &str,
    now: NaiveDateTime,
    expired: NaiveDateTime,
) -> QueryResult<Window> {
    diesel::sql_query(
        "INSERT INTO login_attempts (bucket, window_start, attempts) VALUES ($1, $2, 1) \
         ON CONFLICT (bucket) DO UPDATE SET \
           attempts = CASE WHEN login_attempts.window_start <= $3 THEN 1 \
                           ELSE login_attempts.attempts + 1 END, \
           window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 \
                               ELSE login_attempts.window_start END \
         RETURNING attempts, window_start",
    )
    .bind::<Text, _>(bucket)
    .bind::<Timestamp, _>(now)
    .bind::<Timestamp, _>(expired)
    .get_result(conn)
}

/// Gives back one attempt (a sign-in that succeeded).
pub fn refund(conn: &mut DbConnection, bucket: &str) -> QueryResult<usize> {
    diesel::update(
        login_attempts::table
            .filter(login_attempts::bucket.eq(bucket))
            .filter(login_attempts::attempts.gt(0)),
    )
    .set(login_attempts::attempts.eq(login_attempts::attempts - 1))
    .execute(conn)
}

pub fn clear(conn: &mut DbConnection, bucket: &str) -> QueryResult<usize> {
    diesel::delete(login_attempts::table.filter(login_attempts::bucket.eq(bucket))).execute(conn)
}

/// Forgets windows that started at or before `expired`.
pub fn delete_expired(conn: &mut DbConnection, expired: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(login_attempts::table.filter(login_attempts::window_start.le(expired)))
        .execute(conn)
}
