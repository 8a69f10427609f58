//! HTTP: routes, pages, middleware. Handlers stay thin: extract (auth,
//! validated form), call a domain or db function, render a template.

pub mod accounts_pages;
pub mod auth_pages;
pub mod dashboard;
pub mod error_pages;
pub mod middleware;
pub mod ops;
pub mod page;
pub mod static_files;
pub mod templates;

use actix_web::web;

use crate::error::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/login")
            .route(web::get().to(auth_pages::login_form))
            .route(web::post().to(auth_pages::login)),
    )
    .route("/logout", web::post().to(auth_pages::logout))
    .route("/", web::get().to(dashboard::show))
    .service(
        web::resource("/accounts")
            .route(web::get().to(accounts_pages::list))
            .route(web::post().to(accounts_pages::create)),
    )
    .service(
        web::resource("/accounts/{id}/delete")
            .route(web::get().to(accounts_pages::confirm_delete))
            .route(web::post().to(accounts_pages::delete)),
    )
    .route("/healthz", web::get().to(ops::healthz))
    .route("/readyz", web::get().to(ops::readyz))
    .route("/metrics", web::get().to(ops::metrics))
    .route("/static/{file}", web::get().to(static_files::serve));
}

pub async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}
