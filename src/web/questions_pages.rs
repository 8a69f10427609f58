//! A program's extra questions: adding and removing them.

use actix_session::Session;
use actix_web::{HttpResponse, web};

use super::page::{self, FlashKind, NoFields};
use super::programs_pages::find;
use crate::db::programs;
use crate::domain::program::{NewQuestion, QuestionForm};
use crate::surveys;
use crate::web::csrf::CsrfForm;
use crate::web::error::AppError;
use crate::web::extract::AdminAccount;
use crate::web::state::AppState;

pub async fn add_question(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    slug: web::Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let program = find(&state, slug.into_inner()).await?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let back = format!("/programs/{}", program.slug);
    let form = QuestionForm {
        kind: get("kind"),
        prompt: get("prompt"),
        options: get("options"),
        required: !get("required").is_empty(),
    };
    let question = match NewQuestion::try_from(&form) {
        Ok(q) => q,
        Err(problem) => {
            page::flash(
                &session,
                FlashKind::Error,
                format!("The question was not added: {problem}"),
            );
            return Ok(page::see_other(&back));
        }
    };
    let id = program.id;
    state
        .db(move |conn| Ok(surveys::programs::add_question(conn, id, &question)?))
        .await?;
    page::flash(
        &session,
        FlashKind::Success,
        "Added the question. It is asked from the next round on.",
    );
    Ok(page::see_other(&back))
}

pub async fn delete_question(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    path: web::Path<(String, i64)>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let (slug, question) = path.into_inner();
    let program = find(&state, slug).await?;
    let id = program.id;
    state
        .db(move |conn| Ok(programs::delete_question(conn, id, question)?))
        .await?;
    page::flash(
        &session,
        FlashKind::Success,
        "Removed the question from future rounds.",
    );
    Ok(page::see_other(&format!("/programs/{}", program.slug)))
}
