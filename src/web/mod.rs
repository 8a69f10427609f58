//! HTTP: routes, pages, middleware. A handler extracts (auth, a CSRF-checked
//! form), turns the form into domain types, calls a service or a query,
//! and renders a template. Rules belong in `domain` and the services; a few
//! still sit in page modules (baseline, adoption-matrix and theme-edit
//! parsing) and are to move there.

pub mod accounts_pages;
pub mod adoption_pages;
pub mod auth_pages;
pub mod categories_pages;
pub mod charts;
pub mod csrf;
pub mod dashboard;
pub mod email_pages;
pub mod error;
pub mod error_pages;
pub mod exports_pages;
pub mod extract;
pub mod form;
pub mod import_pages;
pub mod lifecycle;
pub mod members_pages;
pub mod middleware;
pub mod ops;
pub mod page;
pub mod programs_pages;
pub mod questions_pages;
pub mod respond_pages;
pub mod results_pages;
pub mod rounds_pages;
pub mod session_store;
pub mod state;
pub mod static_files;
pub mod teams_pages;
pub mod templates;
pub mod themes_pages;
pub mod tools_pages;

use actix_web::web;

use crate::web::error::AppError;

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
    .route("/outbox", web::get().to(email_pages::show))
    .route("/outbox/test", web::post().to(email_pages::send_test))
    .route("/outbox/retry", web::post().to(email_pages::retry_all))
    .route("/outbox/{id}/retry", web::post().to(email_pages::retry_one))
    .configure(directory_routes)
    .configure(survey_routes)
    .route("/healthz", web::get().to(ops::healthz))
    .route("/readyz", web::get().to(ops::readyz))
    .route("/metrics", web::get().to(ops::metrics))
    .route("/static/{file}", web::get().to(static_files::serve));
}

/// Teams, tools, members, adoption and import. Fixed paths (`/teams/new`)
/// come before patterns (`/teams/{slug}`), which is why "new" is no slug.
fn directory_routes(cfg: &mut web::ServiceConfig) {
    use web::{get, post, resource};
    cfg.service(
        resource("/teams")
            .route(get().to(teams_pages::list))
            .route(post().to(teams_pages::create)),
    )
    .route("/teams/new", get().to(teams_pages::new_form))
    .route("/teams/{slug}", get().to(teams_pages::show))
    .service(
        resource("/teams/{slug}/edit")
            .route(get().to(teams_pages::edit_form))
            .route(post().to(teams_pages::update)),
    )
    .route("/teams/{slug}/archive", post().to(teams_pages::archive))
    .route("/teams/{slug}/restore", post().to(teams_pages::restore))
    .service(
        resource("/teams/{slug}/delete")
            .route(get().to(teams_pages::confirm_delete))
            .route(post().to(teams_pages::delete)),
    )
    .service(
        resource("/tools")
            .route(get().to(tools_pages::list))
            .route(post().to(tools_pages::create)),
    )
    .route("/tools/new", get().to(tools_pages::new_form))
    .service(
        resource("/categories")
            .route(get().to(categories_pages::list))
            .route(post().to(categories_pages::create)),
    )
    .route(
        "/categories/{key}/rename",
        post().to(categories_pages::rename),
    )
    .service(
        resource("/categories/{key}/delete")
            .route(get().to(categories_pages::confirm_delete))
            .route(post().to(categories_pages::delete)),
    )
    .route("/tools/{slug}", get().to(tools_pages::show))
    .route(
        "/tools/{slug}/results",
        get().to(results_pages::tool_results),
    )
    .route("/tools/{slug}/themes", get().to(themes_pages::tool_themes))
    // Before "{id}", which "regroup" is not.
    .route(
        "/tools/{slug}/themes/regroup",
        post().to(themes_pages::regroup),
    )
    .route(
        "/tools/{slug}/themes/{id}",
        post().to(themes_pages::edit_theme),
    )
    .route("/priorities", get().to(themes_pages::priorities_page))
    .route("/exports", get().to(exports_pages::page))
    .route("/exports/{name}", get().to(exports_pages::download))
    .route(
        "/tools/{slug}/baselines",
        post().to(results_pages::set_baselines),
    )
    .route(
        "/tools/{slug}/baselines/take",
        post().to(results_pages::take_baselines),
    )
    .service(
        resource("/tools/{slug}/edit")
            .route(get().to(tools_pages::edit_form))
            .route(post().to(tools_pages::update)),
    )
    .route("/tools/{slug}/archive", post().to(tools_pages::archive))
    .route("/tools/{slug}/restore", post().to(tools_pages::restore))
    .service(
        resource("/tools/{slug}/delete")
            .route(get().to(tools_pages::confirm_delete))
            .route(post().to(tools_pages::delete)),
    )
    .service(
        resource("/members")
            .route(get().to(members_pages::list))
            .route(post().to(members_pages::create)),
    )
    .route("/members/new", get().to(members_pages::new_form))
    .service(
        resource("/members/{id}/edit")
            .route(get().to(members_pages::edit_form))
            .route(post().to(members_pages::update)),
    )
    .route("/members/{id}/archive", post().to(members_pages::archive))
    .route("/members/{id}/restore", post().to(members_pages::restore))
    .service(
        resource("/members/{id}/delete")
            .route(get().to(members_pages::confirm_delete))
            .route(post().to(members_pages::delete)),
    )
    .service(
        resource("/adoption")
            .route(get().to(adoption_pages::show))
            .route(post().to(adoption_pages::save)),
    )
    .service(
        resource("/import")
            .route(get().to(import_pages::form))
            .route(post().to(import_pages::upload)),
    )
    .service(
        resource("/import/{id}")
            .route(get().to(import_pages::preview))
            .route(post().to(import_pages::commit)),
    )
    .route("/import/{id}/discard", post().to(import_pages::discard));
}

pub async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Survey programs and rounds (admin), and the respondent's form.
fn survey_routes(cfg: &mut web::ServiceConfig) {
    use web::{get, post, resource};
    cfg.service(
        resource("/programs")
            .route(get().to(programs_pages::list))
            .route(post().to(programs_pages::create)),
    )
    .route("/programs/new", get().to(programs_pages::new_form))
    .route("/programs/{slug}", get().to(programs_pages::show))
    .service(
        resource("/programs/{slug}/edit")
            .route(get().to(programs_pages::edit_form))
            .route(post().to(programs_pages::update)),
    )
    .route("/programs/{slug}/pause", post().to(programs_pages::pause))
    .route("/programs/{slug}/resume", post().to(programs_pages::resume))
    .route(
        "/programs/{slug}/questions",
        post().to(questions_pages::add_question),
    )
    .route(
        "/programs/{slug}/questions/{id}/delete",
        post().to(questions_pages::delete_question),
    )
    .route(
        "/programs/{slug}/rounds",
        post().to(rounds_pages::open_round),
    )
    .service(
        resource("/programs/{slug}/rounds/{number}")
            .route(get().to(rounds_pages::round))
            .route(post().to(rounds_pages::change_round)),
    )
    .route(
        "/programs/{slug}/rounds/{number}/close",
        get().to(rounds_pages::confirm_close),
    )
    .route(
        "/programs/{slug}/rounds/{number}/results",
        get().to(results_pages::round_results),
    )
    .service(
        resource("/r/{token}")
            .route(get().to(respond_pages::form))
            .route(post().to(respond_pages::submit)),
    )
    .route("/r/{token}/thanks", get().to(respond_pages::thanks))
    .service(
        resource("/r/{token}/stop")
            .route(get().to(respond_pages::stop_form))
            .route(post().to(respond_pages::stop)),
    );
}
