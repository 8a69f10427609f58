//! Exports: a page to choose one, and the download, streamed as it is
//! written (see `exports`).

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::page;
use crate::db::{programs, tools};
use crate::domain::account::Role;
use crate::exports::{self, Filters, Kind};
use crate::web::error::AppError;
use crate::web::extract::SignedIn;
use crate::web::state::AppState;

#[derive(Serialize)]
struct Choice {
    key: &'static str,
    title: &'static str,
    columns: String,
    filterable: bool,
}

pub async fn page(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
) -> Result<HttpResponse, AppError> {
    let admin = account.role() == Role::Admin;
    let choices: Vec<Choice> = Kind::ALL
        .into_iter()
        .filter(|k| admin || !k.admin_only())
        .map(|k| Choice {
            key: k.as_str(),
            title: k.title(),
            columns: k.columns().join(","),
            filterable: k.filterable(),
        })
        .collect();
    let (all_programs, all_tools) = state
        .db(|conn| Ok((programs::list(conn)?, tools::all(conn)?)))
        .await?;
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("nav", "exports");
    ctx.insert("choices", &choices);
    ctx.insert("programs", &all_programs);
    ctx.insert("tools", &all_tools);
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("exports.html", &ctx)?,
    ))
}

#[derive(Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    program: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    tool: String,
    #[serde(default)]
    bom: String,
}

/// Chunks of the body in flight: with 64 KiB chunks, at most this many
/// times that is buffered however slow the reader.
const CHUNKS_IN_FLIGHT: usize = 4;
const CHUNK: usize = 64 * 1024;

/// The export's bytes, handed to the response a chunk at a time. When the
/// client goes away the send fails and the export stops.
struct ChunkWriter {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl ChunkWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

impl std::io::Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

pub async fn download(
    state: web::Data<AppState>,
    SignedIn(account): SignedIn,
    path: web::Path<String>,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, AppError> {
    let name = path.into_inner();
    let kind = name
        .strip_suffix(".csv")
        .and_then(Kind::parse)
        .ok_or(AppError::NotFound)?;
    if kind.admin_only() && account.role() != Role::Admin {
        return Err(AppError::Forbidden(
            "Only admins may export the directory: it names every member.".into(),
        ));
    }
    let query = query.into_inner();
    let bom = match query.bom.as_str() {
        "" | "0" => false,
        "1" => true,
        _ => return Err(AppError::BadRequest("bom is 1 or 0.".into())),
    };
    let filters = Filters {
        program: query.program,
        from: query.from,
        to: query.to,
        tool: query.tool,
    };
    let scope = state
        .db(move |conn| Ok(exports::resolve(conn, &filters)?))
        .await?
        .map_err(AppError::BadRequest)?;

    let (tx, mut rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let pool = state.pool.clone();
    let now = state.clock.now();
    actix_web::rt::task::spawn_blocking(move || {
        let mut out = ChunkWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        if let Err(e) = exports::write(&pool, kind, &scope, now, bom, &mut out) {
            // A client that went away is no failure of ours.
            if !tx.is_closed() {
                tracing::error!(export = kind.as_str(), error = %format!("{e:#}"), "export failed");
                // An error after the headers went out: end the body with
                // an error, so the client sees a broken download rather
                // than a short file.
                let _ = tx.blocking_send(Err(std::io::Error::other("the export failed")));
            }
        }
    });
    let body = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let file = format!(
        "infrapulse-{}-{}.csv",
        kind.as_str(),
        now.format("%Y-%m-%d")
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body))
}
