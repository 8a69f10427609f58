//! Rows behind the session cookie. Keys are stored hashed by the caller.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::sessions;

pub struct NewSession<'a> {
    pub key_hash: &'a str,
    pub account_id: Option<i64>,
    pub state: &'a str,
    pub expires_at: NaiveDateTime,
}

/// The state of a live session: one whose expiry lies after `now`.
pub fn load_live(
    conn: &mut DbConnection,
    key_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    sessions::table
        .filter(sessions::key_hash.eq(key_hash))
        .filter(sessions::expires_at.gt(now))
        .select(sessions::state)
        .get_result(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, new: &NewSession, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::key_hash.eq(new.key_hash),
            sessions::account_id.eq(new.account_id),
            sessions::state.eq(new.state),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(new.expires_at),
        ))
        .execute(conn)
}

/// Replaces a live session's state; 0 when it has expired or was deleted.
pub fn update_live(
    conn: &mut DbConnection,
    new: &NewSession,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::key_hash.eq(new.key_hash))
            .filter(sessions::expires_at.gt(now)),
    )
    .set((
        sessions::account_id.eq(new.account_id),
        sessions::state.eq(new.state),
        sessions::expires_at.eq(new.expires_at),
    ))
    .execute(conn)
}

/// Pushes a live session's expiry to `expires_at`, but writes only when that
/// moves it by more than `slack`: an idle timeout needs no write per request.
pub fn extend_live(
    conn: &mut DbConnection,
    key_hash: &str,
    expires_at: NaiveDateTime,
    slack: TimeDelta,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::key_hash.eq(key_hash))
            .filter(sessions::expires_at.gt(now))
            .filter(sessions::expires_at.lt(expires_at - slack)),
    )
    .set(sessions::expires_at.eq(expires_at))
    .execute(conn)
}

pub fn delete(conn: &mut DbConnection, key_hash: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::key_hash.eq(key_hash))).execute(conn)
}

/// Signs an account out everywhere (after a password change).
pub fn delete_for_account(conn: &mut DbConnection, account_id: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::account_id.eq(account_id))).execute(conn)
}

pub fn delete_expired(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
}

pub fn count_signed_in(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<i64> {
    sessions::table
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::account_id.is_not_null())
        .select(count_star())
        .get_result(conn)
}
