//! CSV import from the browser: upload, preview with every row's errors,
//! then commit all-or-nothing.

use actix_multipart::form::{MultipartForm, bytes::Bytes as FileBytes, text::Text};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::page::{self, FlashKind, NoFields};
use crate::db::accounts::Account;
use crate::db::import_drafts::{self, NewDraft};
use crate::import::{self, ImportError, Kind, csv_file};
use crate::web::csrf::{self, CsrfForm};
use crate::web::error::AppError;
use crate::web::extract::AdminAccount;
use crate::web::state::AppState;

#[derive(MultipartForm)]
pub struct Upload {
    csrf_token: Option<Text<String>>,
    kind: Option<Text<String>>,
    create_teams: Option<Text<String>>,
    file: Option<FileBytes>,
}

/// Limits for the upload: the file plus its few small fields.
pub fn multipart_config() -> actix_multipart::form::MultipartFormConfig {
    let limit = csv_file::MAX_BYTES + 64 * 1024;
    actix_multipart::form::MultipartFormConfig::default()
        .total_limit(limit)
        .memory_limit(limit)
        .error_handler(|err, _req| {
            use actix_multipart::MultipartError;
            use actix_web::error::PayloadError;
            let too_large = matches!(err, MultipartError::Payload(PayloadError::Overflow))
                || matches!(&err, MultipartError::Field { source, .. }
                    if source.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE);
            if too_large {
                AppError::PayloadTooLarge(format!(
                    "The file is larger than {} MiB.",
                    csv_file::MAX_BYTES / 1024 / 1024
                ))
                .into()
            } else {
                AppError::BadRequest("The upload could not be read; choose the file again.".into())
                    .into()
            }
        })
}

fn render_form(
    state: &AppState,
    session: &Session,
    account: &Account,
    status: StatusCode,
    kind: &str,
    error: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let mut ctx = page::context(session, Some(account))?;
    ctx.insert("nav", "import");
    ctx.insert("kind", kind);
    ctx.insert("error", &error);
    ctx.insert("max_mib", &(csv_file::MAX_BYTES / 1024 / 1024));
    ctx.insert("max_rows", &csv_file::MAX_ROWS);
    Ok(page::html(
        status,
        state.templates.render("import.html", &ctx)?,
    ))
}

pub async fn form(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
) -> Result<HttpResponse, AppError> {
    render_form(&state, &session, &admin, StatusCode::OK, "members", None)
}

pub async fn upload(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    AdminAccount(admin): AdminAccount,
    MultipartForm(upload): MultipartForm<Upload>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, upload.csrf_token.as_ref().map(|t| t.0.as_str()))?;
    let kind_raw = upload.kind.map(|k| k.0).unwrap_or_default();
    let Some(kind) = Kind::parse(&kind_raw) else {
        return render_form(
            &state,
            &session,
            &admin,
            StatusCode::UNPROCESSABLE_ENTITY,
            "members",
            Some("Choose what the file holds: members or adoption."),
        );
    };
    let Some(file) = upload.file.filter(|f| !f.data.is_empty()) else {
        return render_form(
            &state,
            &session,
            &admin,
            StatusCode::UNPROCESSABLE_ENTITY,
            kind.as_str(),
            Some("Choose a CSV file to upload."),
        );
    };
    let create_teams = upload.create_teams.is_some();
    // Whole-file problems are answered now; row problems on the preview.
    let content = match csv_file::read(&file.data, kind.columns()) {
        Ok(_) => String::from_utf8(file.data.to_vec()).map_err(AppError::internal)?,
        Err(e) => {
            let message = e.to_string();
            return render_form(
                &state,
                &session,
                &admin,
                StatusCode::UNPROCESSABLE_ENTITY,
                kind.as_str(),
                Some(&message),
            );
        }
    };
    let file_name: String = file
        .file_name
        .unwrap_or_else(|| "upload.csv".into())
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let id = uuid::Uuid::new_v4().to_string();
    let now = state.clock.now();
    let (draft_id, account_id) = (id.clone(), admin.id);
    state
        .db(move |conn| {
            let draft = NewDraft {
                id: &draft_id,
                kind: kind.as_str(),
                file_name: &file_name,
                content: &content,
                create_teams,
                account_id,
            };
            Ok(import_drafts::insert(conn, &draft, now)?)
        })
        .await?;
    Ok(page::see_other(&format!("/import/{id}")))
}

async fn draft(
    state: &AppState,
    id: String,
    account: &Account,
) -> Result<import_drafts::Draft, AppError> {
    let account_id = account.id;
    state
        .db(move |conn| Ok(import_drafts::find(conn, &id, account_id)?))
        .await?
        .ok_or_else(|| AppError::Gone("This upload is no longer available: it was imported, discarded or has expired. Upload the file again.".into()))
}

pub async fn preview(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let draft = draft(&state, id.into_inner(), &admin).await?;
    let kind = Kind::parse(&draft.kind).ok_or(AppError::NotFound)?;
    let (content, create_teams) = (draft.content.clone(), draft.create_teams);
    let outcome = state
        .db(move |conn| {
            match import::preview(
                conn,
                kind,
                content.as_bytes(),
                create_teams,
                import::Surface::Web,
            ) {
                Ok(outcome) => Ok(Ok(outcome)),
                Err(ImportError::File(e)) => Ok(Err(e.to_string())),
                Err(e) => Err(AppError::internal(e)),
            }
        })
        .await?;
    #[derive(Serialize)]
    struct View<'a> {
        id: &'a str,
        kind: Kind,
        file_name: &'a str,
        create_teams: bool,
        columns: String,
    }
    let mut ctx = page::context(&session, Some(&admin))?;
    ctx.insert("nav", "import");
    ctx.insert(
        "draft",
        &View {
            id: &draft.id,
            kind,
            file_name: &draft.file_name,
            create_teams: draft.create_teams,
            columns: kind.columns().join(","),
        },
    );
    match outcome {
        Ok(outcome) => {
            ctx.insert("error_count", &outcome.errors.len());
            ctx.insert("rows_with_errors", &outcome.rows_with_errors());
            ctx.insert(
                "shown_errors",
                &outcome.errors.iter().take(500).collect::<Vec<_>>(),
            );
            ctx.insert("change_count", &outcome.changes.len());
            ctx.insert(
                "shown_changes",
                &outcome.changes.iter().take(200).collect::<Vec<_>>(),
            );
            ctx.insert("outcome", &outcome);
            ctx.insert("file_error", &None::<String>);
        }
        Err(message) => ctx.insert("file_error", &Some(message)),
    }
    let status = StatusCode::OK;
    Ok(page::html(
        status,
        state.templates.render("import_preview.html", &ctx)?,
    ))
}

pub async fn commit(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    id: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let draft = draft(&state, id.into_inner(), &admin).await?;
    let kind = Kind::parse(&draft.kind).ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let draft_id = draft.id.clone();
    let result = state
        .db(move |conn| {
            let result = import::commit(
                conn,
                kind,
                draft.content.as_bytes(),
                draft.create_teams,
                import::Surface::Web,
                now,
                &mut |_, _| {},
            );
            if result.is_ok() {
                import_drafts::delete(conn, &draft.id)?;
            }
            Ok(result)
        })
        .await?;
    match result {
        Ok(outcome) => {
            tracing::info!(
                by = admin.id,
                kind = kind.as_str(),
                rows = outcome.rows,
                "import committed"
            );
            let teams = if outcome.teams_created.is_empty() {
                String::new()
            } else {
                format!(" Created teams: {}.", outcome.teams_created.join(", "))
            };
            page::flash(
                &session,
                FlashKind::Success,
                format!(
                    "Imported {} row{}: {} new, {} updated, {} unchanged.{teams}",
                    outcome.rows,
                    if outcome.rows == 1 { "" } else { "s" },
                    outcome.created,
                    outcome.updated,
                    outcome.unchanged
                ),
            );
            let next = match kind {
                Kind::Teams => "/teams",
                Kind::Tools => "/tools",
                Kind::Members => "/members",
                Kind::Adoption => "/adoption",
            };
            Ok(page::see_other(next))
        }
        Err(ImportError::Rows(_)) | Err(ImportError::File(_)) => {
            page::flash(
                &session,
                FlashKind::Error,
                "The directory changed since the preview and some rows no longer fit; nothing was imported. Check the preview again.",
            );
            Ok(page::see_other(&format!("/import/{draft_id}")))
        }
        Err(ImportError::Database(e)) => Err(e.into()),
    }
}

pub async fn discard(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    id: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let draft = draft(&state, id.into_inner(), &admin).await?;
    state
        .db(move |conn| Ok(import_drafts::delete(conn, &draft.id)?))
        .await?;
    page::flash(
        &session,
        FlashKind::Success,
        "Discarded the upload; nothing was imported.",
    );
    Ok(page::see_other("/import"))
}
