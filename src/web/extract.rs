//! Extractors that make a handler require a signed-in account (`SignedIn`) or
//! an admin (`AdminAccount`). A handler that takes neither is public.

use std::future::Future;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use super::session_store::{ACCOUNT_ID, UNAVAILABLE};
use crate::db::accounts::{self, Account};
use crate::domain::account::Role;
use crate::web::error::AppError;
use crate::web::state::AppState;

/// Any signed-in account: admins and viewers may read.
pub struct SignedIn(pub Account);

/// An account allowed to change things.
pub struct AdminAccount(pub Account);

async fn current_account(req: &HttpRequest) -> Result<Account, AppError> {
    if let Some(account) = req.extensions().get::<Account>() {
        return Ok(account.clone());
    }
    let session = req.get_session();
    // Only a page can be returned to after signing in, not a form post.
    let next = if req.method() == Method::GET {
        req.uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned()
    } else {
        "/".to_owned()
    };
    if session.contains_key(UNAVAILABLE) {
        return Err(AppError::Unavailable(anyhow::anyhow!(
            "the session could not be loaded"
        )));
    }
    let Some(id) = session.get::<i64>(ACCOUNT_ID).ok().flatten() else {
        return Err(AppError::LoginRequired { next });
    };
    let state = AppState::of(req)?;
    match state.db(move |conn| Ok(accounts::find(conn, id)?)).await? {
        Some(account) => {
            req.extensions_mut().insert(account.clone());
            Ok(account)
        }
        None => {
            // The account was deleted while signed in.
            session.purge();
            Err(AppError::LoginRequired { next })
        }
    }
}

type ExtractFuture<T> = Pin<Box<dyn Future<Output = Result<T, actix_web::Error>>>>;

impl FromRequest for SignedIn {
    type Error = actix_web::Error;
    type Future = ExtractFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(SignedIn(current_account(&req).await?)) })
    }
}

impl FromRequest for AdminAccount {
    type Error = actix_web::Error;
    type Future = ExtractFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let account = current_account(&req).await?;
            if account.role() != Role::Admin {
                return Err(AppError::Forbidden(
                    "Your account can read but not change anything. Ask an admin if you need to."
                        .into(),
                )
                .into());
            }
            Ok(AdminAccount(account))
        })
    }
}
