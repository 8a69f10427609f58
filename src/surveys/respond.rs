//! What a respondent's link can do: open its form and save answers. Each is
//! one call (saving in one transaction, opening as `db::read_together`
//! reads), and neither writes anything but the answers:
//! opening a link records nothing, and saving touches no table that names
//! the member (see `links` for why nothing ties the two together).

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use chrono::NaiveDateTime;

use std::sync::Arc;

use super::forms::{FormParts, Forms};
use super::links::{self, LinkKeys};
use crate::db::DbConnection;
use crate::db::responses::{self, StoredAnswers};
use crate::db::rounds::{self, Hold, Invitation, Round, RoundQuestion, RoundTool};
use crate::domain::survey::{self, FormErrors, Question, ResponseAnswers};

/// A link's form: its round, and what its member's team is asked.
pub struct Form {
    pub round: Round,
    /// The round's tools that the member's team used when it opened, and
    /// the round's questions: shared with `Forms`, not copied per request.
    pub parts: Arc<FormParts>,
    /// What was saved before, when opening the form.
    pub saved: Option<StoredAnswers>,
}

pub enum Opened {
    Form(Form),
    Closed(Round),
    Unknown,
}

pub enum Submitted {
    Saved,
    /// Answers that need another look, by field.
    Invalid(Form, FormErrors),
    /// A form no browser sends (a field twice): a 400, not a 422.
    Malformed(String),
    Closed(Round),
    Unknown,
}

/// Where a link leads now.
enum Link {
    Open(Invitation, Round),
    Closed(Round),
    Unknown,
}

fn follow(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
    hold: Hold,
) -> Result<Link, DieselError> {
    Ok(match lookup(conn, token, hold)? {
        None => Link::Unknown,
        Some((_, round)) if !round.is_open(now) => Link::Closed(round),
        Some((invitation, round)) => Link::Open(invitation, round),
    })
}

/// The invitation a token opens, if any. Tokens of the wrong shape are not
/// looked up.
pub fn find(
    conn: &mut DbConnection,
    token: &str,
) -> Result<Option<(Invitation, Round)>, DieselError> {
    lookup(conn, token, Hold::Nothing)
}

fn lookup(
    conn: &mut DbConnection,
    token: &str,
    hold: Hold,
) -> Result<Option<(Invitation, Round)>, DieselError> {
    if !links::is_token_shaped(token) {
        return Ok(None);
    }
    rounds::invitation_by_token(conn, &links::token_hash(token), token, hold)
}

/// A round's questions as the form asks them.
pub fn questions(rows: &[RoundQuestion]) -> Vec<Question> {
    rows.iter()
        .filter_map(|q| {
            Some(Question {
                id: q.id,
                kind: q.kind.parse().ok()?,
                prompt: q.prompt.clone(),
                options: Question::parse_options(&q.options),
                required: q.required,
            })
        })
        .collect()
}

fn form(
    conn: &mut DbConnection,
    forms: &Forms,
    invitation: &Invitation,
    round: Round,
) -> Result<Form, DieselError> {
    Ok(Form {
        parts: forms.get(conn, round.id, invitation.team_id)?,
        round,
        saved: None,
    })
}

/// The form behind a link, with the answers saved before.
pub fn open(
    conn: &mut DbConnection,
    keys: &LinkKeys,
    forms: &Forms,
    token: &str,
    now: NaiveDateTime,
) -> Result<Opened, DieselError> {
    crate::db::read_together(conn, |conn| {
        let (invitation, round) = match follow(conn, token, now, Hold::Nothing)? {
            Link::Open(invitation, round) => (invitation, round),
            Link::Closed(round) => return Ok(Opened::Closed(round)),
            Link::Unknown => return Ok(Opened::Unknown),
        };
        let mut form = form(conn, forms, &invitation, round)?;
        form.saved = match responses::find_by_key(conn, &keys.respondent_key(token))? {
            Some(id) => Some(responses::answers(conn, id)?),
            None => None,
        };
        Ok(Opened::Form(form))
    })
}

/// A submitted form that passed its checks, ready to be written.
pub struct Checked {
    invitation: Invitation,
    parts: Arc<FormParts>,
    key: String,
    answers: ResponseAnswers,
}

pub enum Check {
    Ready(Checked),
    /// Nothing to write: why.
    Done(Submitted),
}

/// Follows the link and checks a submitted form, writing nothing. Apart
/// from `save_checked`, so that on SQLite the one writer's thread spends
/// its time on writes, not on reading and checking forms.
pub fn check(
    conn: &mut DbConnection,
    keys: &LinkKeys,
    forms: &Forms,
    token: &str,
    pairs: &[(String, String)],
    now: NaiveDateTime,
) -> Result<Check, DieselError> {
    checking(conn, keys, forms, token, pairs, now, Hold::Nothing)
}

fn checking(
    conn: &mut DbConnection,
    keys: &LinkKeys,
    forms: &Forms,
    token: &str,
    pairs: &[(String, String)],
    now: NaiveDateTime,
    hold: Hold,
) -> Result<Check, DieselError> {
    let (invitation, round) = match follow(conn, token, now, hold)? {
        Link::Open(invitation, round) => (invitation, round),
        Link::Closed(round) => return Ok(Check::Done(Submitted::Closed(round))),
        Link::Unknown => return Ok(Check::Done(Submitted::Unknown)),
    };
    let form = form(conn, forms, &invitation, round)?;
    let slugs: Vec<String> = form.parts.tools.iter().map(|t| t.slug.clone()).collect();
    Ok(
        match survey::parse_response(pairs, &slugs, &form.parts.questions) {
            Err(malformed) => Check::Done(Submitted::Malformed(malformed.0)),
            Ok(Err(errors)) => Check::Done(Submitted::Invalid(form, errors)),
            Ok(Ok(answers)) => Check::Ready(Checked {
                invitation,
                parts: form.parts,
                key: keys.respondent_key(token),
                answers,
            }),
        },
    )
}

/// Saves a checked form as the link's response, replacing any earlier
/// answers, if its round is still open (it may have closed since the
/// check): for a write queued apart from its check, as SQLite's one
/// writer's are.
pub fn save_checked(
    conn: &mut DbConnection,
    checked: &Checked,
    now: NaiveDateTime,
) -> Result<Submitted, DieselError> {
    again_on_clash(conn, |conn| {
        crate::db::write_transaction(conn, |conn| {
            let round = rounds::by_id(conn, checked.invitation.round_id)?;
            if !round.is_open(now) {
                return Ok(Submitted::Closed(round));
            }
            store(conn, checked)?;
            Ok(Submitted::Saved)
        })
    })
}

/// Checks a submitted form and saves it in one transaction, which reads
/// the round once and holds it (`Hold::Round`): for connections that write
/// side by side, as PostgreSQL's do, where each statement is a round trip.
pub fn submit(
    conn: &mut DbConnection,
    keys: &LinkKeys,
    forms: &Forms,
    token: &str,
    pairs: &[(String, String)],
    now: NaiveDateTime,
) -> Result<Submitted, DieselError> {
    again_on_clash(conn, |conn| {
        crate::db::write_transaction(conn, |conn| {
            match checking(conn, keys, forms, token, pairs, now, Hold::Round)? {
                Check::Done(submitted) => Ok(submitted),
                Check::Ready(checked) => {
                    store(conn, &checked)?;
                    Ok(Submitted::Saved)
                }
            }
        })
    })
}

/// Runs a saving transaction again if it hit a unique key: two first
/// submissions of one link racing each other end as one response, the
/// loser's second run finding the winner's and editing it.
fn again_on_clash(
    conn: &mut DbConnection,
    mut once: impl FnMut(&mut DbConnection) -> Result<Submitted, DieselError>,
) -> Result<Submitted, DieselError> {
    match once(conn) {
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => once(conn),
        other => other,
    }
}

fn store(conn: &mut DbConnection, checked: &Checked) -> Result<(), DieselError> {
    let Checked {
        invitation,
        parts,
        key,
        answers,
    } = checked;
    save(conn, invitation, &parts.tools, key, answers)
}

/// Stores `answers` (for the invitation's `tools`) under `key`, replacing
/// what was there.
pub fn save(
    conn: &mut DbConnection,
    invitation: &Invitation,
    tools: &[RoundTool],
    key: &str,
    answers: &ResponseAnswers,
) -> Result<(), DieselError> {
    let ids = super::tool_ids_by_slug(tools);
    let tools: Vec<(i64, &survey::ToolAnswer)> = answers
        .tools
        .iter()
        .filter_map(|(slug, a)| ids.get(slug).map(|id| (*id, a)))
        .collect();
    let questions: Vec<(i64, &str)> = answers
        .questions
        .iter()
        .map(|(id, v)| (*id, v.as_str()))
        .collect();
    let (id, new) = match responses::lock_by_key(conn, key)? {
        Some(id) => (id, false),
        None => (
            responses::insert(conn, invitation.round_id, invitation.team_id, key)?,
            true,
        ),
    };
    let filed = responses::Filed {
        id,
        round_id: invitation.round_id,
        team_id: Some(invitation.team_id),
    };
    responses::replace_answers(conn, filed, new, &tools, &questions)
}
