//! The outbox page: how email delivery is going, the emails that failed
//! (with the server's words) and a retry, and a test email to prove the
//! transport.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db::accounts::Account;
use crate::db::outbox;
use crate::domain::account::EmailAddress;
use crate::web::csrf::CsrfForm;
use crate::web::error::AppError;
use crate::web::extract::{AdminAccount, SignedIn};
use crate::web::page::{self, FieldErrors, FlashKind, NoFields};
use crate::web::state::AppState;

/// Failed and retrying emails listed at most; the counts cover all.
const LISTED: i64 = 500;

async fn render(
    state: &AppState,
    session: &Session,
    account: &Account,
    status: StatusCode,
    test_to: &str,
    errors: &FieldErrors,
    test_error: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let (counts, problems) = state
        .db(|conn| Ok((outbox::counts(conn, None)?, outbox::problems(conn, LISTED)?)))
        .await?;
    #[derive(serde::Serialize)]
    struct Row<'a> {
        #[serde(flatten)]
        problem: &'a outbox::Problem,
        next_try: String,
    }
    let problems: Vec<Row> = problems
        .iter()
        .map(|problem| Row {
            problem,
            next_try: problem.due_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect();
    let mut ctx = page::context(session, Some(account))?;
    ctx.insert("nav", "email");
    ctx.insert("counts", &counts);
    ctx.insert("problems", &problems);
    ctx.insert("transport", &state.mailer.description);
    ctx.insert("test_to", test_to);
    ctx.insert("errors", errors);
    ctx.insert("test_error", &test_error);
    Ok(page::html(
        status,
        state.templates.render("outbox.html", &ctx)?,
    ))
}

pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
) -> Result<HttpResponse, AppError> {
    let to = account.email.clone();
    render(
        &state,
        &session,
        &account,
        StatusCode::OK,
        &to,
        &BTreeMap::new(),
        None,
    )
    .await
}

#[derive(Deserialize)]
pub struct TestForm {
    to: String,
}

/// Sends a test email now, not through the outbox, so the admin sees the
/// server's answer on the page.
pub async fn send_test(
    state: web::Data<AppState>,
    session: Session,
    AdminAccount(admin): AdminAccount,
    CsrfForm(form): CsrfForm<TestForm>,
) -> Result<HttpResponse, AppError> {
    let address = match EmailAddress::parse(&form.to) {
        Ok(address) => address,
        Err(e) => {
            let errors = FieldErrors::from([("to", format!("The address {e}."))]);
            return render(
                &state,
                &session,
                &admin,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.to,
                &errors,
                None,
            )
            .await;
        }
    };
    let sent = match state
        .mailer
        .test_message(&address, state.config.base_url.as_str())
    {
        Ok(message) => state.mailer.send(message).await,
        Err(e) => Err(e),
    };
    match sent {
        Ok(()) => {
            page::flash(
                &session,
                FlashKind::Success,
                format!(
                    "Sent a test email to {address} ({}).",
                    state.mailer.description
                ),
            );
            Ok(page::see_other("/outbox"))
        }
        Err(e) => {
            tracing::warn!(error = %e, "the test email failed");
            // The mail server's failure, not the admin's: 502, with its words.
            render(
                &state,
                &session,
                &admin,
                StatusCode::BAD_GATEWAY,
                address.as_str(),
                &BTreeMap::new(),
                Some(&e.message),
            )
            .await
        }
    }
}

async fn retry(
    state: &AppState,
    session: &Session,
    id: Option<i64>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let n = state
        .db(move |conn| Ok(outbox::retry_failed(conn, id, now)?))
        .await?;
    if id.is_some() && n == 0 {
        return Err(AppError::NotFound);
    }
    state.outbox_wake.notify_one();
    page::flash(
        session,
        FlashKind::Success,
        match n {
            1 => "Queued 1 email to be sent again.".to_string(),
            n => format!("Queued {n} emails to be sent again."),
        },
    );
    Ok(page::see_other("/outbox"))
}

pub async fn retry_one(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    id: web::Path<i64>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    retry(&state, &session, Some(id.into_inner())).await
}

pub async fn retry_all(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    retry(&state, &session, None).await
}
