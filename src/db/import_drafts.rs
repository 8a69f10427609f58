//! Uploaded CSV files waiting between their preview and their commit.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::import_drafts;

#[derive(Queryable, Debug, Clone)]
pub struct Draft {
    pub id: String,
    pub kind: String,
    pub file_name: String,
    pub content: String,
    pub create_teams: bool,
    pub account_id: i64,
    pub created_at: NaiveDateTime,
}

pub struct NewDraft<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub file_name: &'a str,
    pub content: &'a str,
    pub create_teams: bool,
    pub account_id: i64,
}

pub fn insert(conn: &mut DbConnection, d: &NewDraft, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::insert_into(import_drafts::table)
        .values((
            import_drafts::id.eq(d.id),
            import_drafts::kind.eq(d.kind),
            import_drafts::file_name.eq(d.file_name),
            import_drafts::content.eq(d.content),
            import_drafts::create_teams.eq(d.create_teams),
            import_drafts::account_id.eq(d.account_id),
            import_drafts::created_at.eq(now),
        ))
        .execute(conn)
}

/// A draft, only for the account that uploaded it.
pub fn find(conn: &mut DbConnection, id: &str, account_id: i64) -> QueryResult<Option<Draft>> {
    import_drafts::table
        .filter(import_drafts::id.eq(id))
        .filter(import_drafts::account_id.eq(account_id))
        .get_result(conn)
        .optional()
}

pub fn delete(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(import_drafts::table.filter(import_drafts::id.eq(id))).execute(conn)
}

pub fn delete_created_before(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(import_drafts::table.filter(import_drafts::created_at.lt(before))).execute(conn)
}
