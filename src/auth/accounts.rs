//! Creating accounts and changing passwords: shared by the CLI, first-start
//! bootstrap and the demo.

use chrono::NaiveDateTime;

use crate::db::{DbConnection, accounts, sessions};
use crate::domain::account::{EmailAddress, NewPassword, PersonName, Role};

/// Why an account was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("an account for {0} already exists")]
    Taken(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for CreateError {
    fn from(e: diesel::result::Error) -> Self {
        CreateError::Other(e.into())
    }
}

pub fn create(
    conn: &mut DbConnection,
    email: &EmailAddress,
    name: &PersonName,
    role: Role,
    password: &NewPassword,
    now: NaiveDateTime,
) -> Result<accounts::Account, CreateError> {
    let password_hash = super::password::hash(password.expose())?;
    crate::db::write_transaction(conn, |conn| {
        if accounts::find_by_email(conn, email.as_str())?.is_some() {
            return Err(CreateError::Taken(email.to_string()));
        }
        let new = accounts::NewAccount {
            email: email.as_str(),
            name: name.as_str(),
            role,
            password_hash: &password_hash,
        };
        Ok(accounts::insert(conn, &new, now)?)
    })
}

/// Sets a new password and signs the account out everywhere.
pub fn change_password(
    conn: &mut DbConnection,
    email: &EmailAddress,
    password: &NewPassword,
    now: NaiveDateTime,
) -> anyhow::Result<()> {
    let password_hash = super::password::hash(password.expose())?;
    crate::db::write_transaction(conn, |conn| {
        let account = accounts::find_by_email(conn, email.as_str())?
            .ok_or_else(|| anyhow::anyhow!("there is no account for {email}"))?;
        accounts::set_password_hash(conn, account.id, &password_hash, now)?;
        sessions::delete_for_account(conn, account.id)?;
        Ok(())
    })
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeleteRefused {
    #[error("You cannot delete your own account.")]
    Yourself,
    #[error("The last admin cannot be deleted: make another admin first.")]
    LastAdmin,
    #[error("That account no longer exists.")]
    Missing,
}

/// Deletes an account (its sessions go with it), unless that would lock
/// everyone out.
pub fn delete(
    conn: &mut DbConnection,
    acting_id: i64,
    id: i64,
) -> anyhow::Result<Result<accounts::Account, DeleteRefused>> {
    crate::db::write_transaction(conn, |conn| {
        if acting_id == id {
            return Ok(Err(DeleteRefused::Yourself));
        }
        let Some(account) = accounts::find(conn, id)? else {
            return Ok(Err(DeleteRefused::Missing));
        };
        if account.role() == Role::Admin && accounts::count_by_role(conn, Role::Admin)? <= 1 {
            return Ok(Err(DeleteRefused::LastAdmin));
        }
        accounts::delete(conn, id)?;
        Ok(Ok(account))
    })
}

pub fn any_admin(conn: &mut DbConnection) -> anyhow::Result<bool> {
    Ok(accounts::count_by_role(conn, Role::Admin)? > 0)
}
