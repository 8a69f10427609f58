//! The stylesheet, compiled into the binary: no CDN, no files to deploy.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::web::error::AppError;

const APP_CSS: &str = include_str!("../../static/app.css");

pub async fn serve(file: web::Path<String>) -> Result<HttpResponse, AppError> {
    match file.as_str() {
        "app.css" => Ok(HttpResponse::Ok()
            .content_type("text/css; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(APP_CSS)),
        _ => Err(AppError::NotFound),
    }
}
