//! Admin and viewer accounts.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::accounts;
use crate::domain::account::Role;

#[derive(Queryable, Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub name: String,
    role: String,
    pub password_hash: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Account {
    /// The column has a CHECK constraint; an unknown value falls back to the
    /// least privilege rather than failing the request.
    pub fn role(&self) -> Role {
        self.role.parse().unwrap_or(Role::Viewer)
    }
}

pub struct NewAccount<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Account>> {
    accounts::table.find(id).get_result(conn).optional()
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<Account>> {
    accounts::table
        .filter(accounts::email.eq(email))
        .get_result(conn)
        .optional()
}

pub fn insert(
    conn: &mut DbConnection,
    new: &NewAccount,
    now: NaiveDateTime,
) -> QueryResult<Account> {
    diesel::insert_into(accounts::table)
        .values((
            accounts::email.eq(new.email),
            accounts::name.eq(new.name),
            accounts::role.eq(new.role.as_str()),
            accounts::password_hash.eq(new.password_hash),
            accounts::created_at.eq(now),
            accounts::updated_at.eq(now),
        ))
        .returning(accounts::all_columns)
        .get_result(conn)
}

pub fn set_password_hash(
    conn: &mut DbConnection,
    id: i64,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .set((
            accounts::password_hash.eq(password_hash),
            accounts::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn count_by_role(conn: &mut DbConnection, role: Role) -> QueryResult<i64> {
    accounts::table
        .filter(accounts::role.eq(role.as_str()))
        .select(count_star())
        .get_result(conn)
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Account>> {
    accounts::table
        .order((accounts::role.asc(), accounts::email.asc()))
        .load(conn)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(accounts::table.find(id)).execute(conn)
}
