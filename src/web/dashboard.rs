//! The landing page after sign-in: what exists, at a glance.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::page;
use crate::auth::SignedIn;
use crate::db::{accounts, sessions};
use crate::domain::account::Role;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Serialize)]
struct Counts {
    admins: i64,
    viewers: i64,
    signed_in: i64,
}

pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let (counts, backend) = state
        .db(move |conn| {
            let counts = Counts {
                admins: accounts::count_by_role(conn, Role::Admin)?,
                viewers: accounts::count_by_role(conn, Role::Viewer)?,
                signed_in: sessions::count_signed_in(conn, now)?,
            };
            Ok((counts, conn.backend_name()))
        })
        .await?;
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("counts", &counts);
    ctx.insert("backend", backend);
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("dashboard.html", &ctx)?,
    ))
}
