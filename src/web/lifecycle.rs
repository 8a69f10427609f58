//! Archive, restore and delete, shared by every directory page: the same
//! flash-and-redirect answers, and one place that turns a foreign-key refusal
//! into advice instead of an error.

use actix_session::Session;
use actix_web::HttpResponse;
use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::page::{self, FlashKind};
use crate::db::DbConnection;
use crate::web::error::AppError;
use crate::web::state::AppState;

/// Where to send the browser, and what to tell it there.
pub struct Answer {
    pub message: String,
    pub to: String,
}

/// Runs `work` (which sets a row's active flag) and answers with `done`.
pub async fn switch_active<F>(
    state: &AppState,
    session: &Session,
    work: F,
    done: Answer,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConnection, NaiveDateTime) -> QueryResult<usize> + Send + 'static,
{
    let now = state.clock.now();
    state.db(move |conn| Ok(work(conn, now)?)).await?;
    page::flash(session, FlashKind::Success, done.message);
    Ok(page::see_other(&done.to))
}

/// Runs `work` (a delete). The foreign keys are the real guard: when anything
/// still refers to the row (now, or in tables added later) the database
/// refuses, and the answer is `refused` instead of lost history.
pub async fn delete<F>(
    state: &AppState,
    session: &Session,
    work: F,
    done: Answer,
    refused: Answer,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConnection) -> QueryResult<usize> + Send + 'static,
{
    match state.db(move |conn| Ok(work(conn)?)).await {
        Ok(_) => {
            page::flash(session, FlashKind::Success, done.message);
            Ok(page::see_other(&done.to))
        }
        Err(e) if is_still_referenced(&e) => {
            page::flash(session, FlashKind::Error, refused.message);
            Ok(page::see_other(&refused.to))
        }
        Err(e) => Err(e),
    }
}

fn is_still_referenced(e: &AppError) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        e,
        AppError::Internal(cause)
            if matches!(
                cause.downcast_ref::<Error>(),
                Some(Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _))
            )
    )
}
