//! What a respondent's link can do: open its form and save answers.
//! Opening is one call (`db::read_together` reads) and writes nothing: it
//! records nothing of the visit. Saving is two steps: `check` reads the link
//! and checks the form on any connection; `save_checked` writes checked
//! forms, many at once (see `intake`), touching no table that names the
//! member (see `links` for why nothing ties the two together).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::result::Error as DieselError;

use super::forms::{FormParts, Forms};
use crate::db::DbConnection;
use crate::db::responses::{self, Filed, NewAnswers, NewResponse, StoredAnswers};
use crate::db::rounds::{self, Invitation, Linked, Round, RoundTool};
use crate::domain::survey::{self, FormErrors, ResponseAnswers};
use crate::links::{self, LinkKeys};

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
    Open(Linked),
    Closed(Round),
    Unknown,
}

/// Where `token` leads; `key` is its respondent key.
fn follow(
    conn: &mut DbConnection,
    token: &str,
    key: &str,
    now: NaiveDateTime,
) -> Result<Link, DieselError> {
    Ok(match look_up(conn, token, key)? {
        None => Link::Unknown,
        Some(linked) if !linked.round.is_open(now) => Link::Closed(linked.round),
        Some(linked) => Link::Open(linked),
    })
}

/// The invitation a token opens, if any, with its round and the response
/// saved under it. Tokens of the wrong shape are not looked up.
pub fn find(
    conn: &mut DbConnection,
    keys: &LinkKeys,
    token: &str,
) -> Result<Option<Linked>, DieselError> {
    look_up(conn, token, &keys.respondent_key(token))
}

/// `find`, given the token's respondent key, which a submission keeps.
fn look_up(conn: &mut DbConnection, token: &str, key: &str) -> Result<Option<Linked>, DieselError> {
    if !links::is_token_shaped(token) {
        return Ok(None);
    }
    rounds::invitation_by_token(conn, &links::token_hash(token), token, key)
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
        let linked = match follow(conn, token, &keys.respondent_key(token), now)? {
            Link::Open(linked) => linked,
            Link::Closed(round) => return Ok(Opened::Closed(round)),
            Link::Unknown => return Ok(Opened::Unknown),
        };
        let mut form = form(conn, forms, &linked.invitation, linked.round)?;
        form.saved = match linked.response {
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

/// Follows the link and checks a submitted form, writing nothing: apart
/// from `save_checked`, so that what writes (SQLite's one writer, or the
/// transaction PostgreSQL's submissions share) spends its time on writes,
/// not on reading and checking forms.
pub fn check(
    conn: &mut DbConnection,
    keys: &LinkKeys,
    forms: &Forms,
    token: &str,
    pairs: &[(String, String)],
    now: NaiveDateTime,
) -> Result<Check, DieselError> {
    let key = keys.respondent_key(token);
    let (invitation, round) = match follow(conn, token, &key, now)? {
        Link::Open(linked) => (linked.invitation, linked.round),
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
                key,
                answers,
            }),
        },
    )
}

/// Saves checked forms in the transaction open on `conn`, each as its
/// link's response, replacing earlier answers, if its round is still open
/// (it may have closed since the check); what became of each, in order.
/// The rounds are held (`rounds::hold`) so that a close cannot slip in
/// between this check and the commit. Forms of the same link: the last
/// one stands, as if they had come one after another.
pub fn save_checked(
    conn: &mut DbConnection,
    checked: &[Checked],
    now: NaiveDateTime,
) -> Result<Vec<Submitted>, DieselError> {
    let round_ids: HashSet<i64> = checked.iter().map(|c| c.invitation.round_id).collect();
    let round_ids: Vec<i64> = round_ids.into_iter().collect();
    let rounds: HashMap<i64, Round> = rounds::hold(conn, &round_ids)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let mut filings = Vec::with_capacity(checked.len());
    let outcomes = checked
        .iter()
        .map(|c| match rounds.get(&c.invitation.round_id) {
            Some(round) if round.is_open(now) => {
                filings.push(Filing {
                    invitation: &c.invitation,
                    tools: &c.parts.tools,
                    key: &c.key,
                    answers: &c.answers,
                });
                Submitted::Saved
            }
            Some(round) => Submitted::Closed(round.clone()),
            // Rounds are never deleted while invitations point at them.
            None => Submitted::Unknown,
        })
        .collect();
    store(conn, &filings)?;
    Ok(outcomes)
}

/// Answers to store under a respondent key, for an invitation's round and
/// team, asking about `tools`.
pub struct Filing<'a> {
    pub invitation: &'a Invitation,
    pub tools: &'a [RoundTool],
    pub key: &'a str,
    pub answers: &'a ResponseAnswers,
}

/// Stores each filing as the response under its key, replacing what was
/// there, with one statement per table for all of them. Of filings under
/// one key, the last stands.
pub fn store(conn: &mut DbConnection, filings: &[Filing]) -> Result<(), DieselError> {
    let mut last: HashMap<&str, &Filing> = HashMap::with_capacity(filings.len());
    for f in filings {
        last.insert(f.key, f);
    }
    let filings: Vec<&Filing> = last.into_values().collect();
    let keys: Vec<&str> = filings.iter().map(|f| f.key).collect();
    let mut ids: HashMap<String, i64> = responses::lock_by_keys(conn, &keys)?.into_iter().collect();
    let edited: Vec<i64> = ids.values().copied().collect();
    responses::delete_answers(conn, &edited)?;
    let new: Vec<NewResponse> = filings
        .iter()
        .filter(|f| !ids.contains_key(f.key))
        .map(|f| NewResponse {
            key: f.key,
            round_id: f.invitation.round_id,
            team_id: f.invitation.team_id,
        })
        .collect();
    let created = responses::insert_all(conn, &new)?;
    ids.extend(new.iter().map(|n| n.key.to_owned()).zip(created));
    let answers: Vec<NewAnswers> = filings
        .iter()
        .map(|f| NewAnswers {
            response: Filed {
                id: ids[f.key],
                round_id: f.invitation.round_id,
                team_id: Some(f.invitation.team_id),
            },
            // Answers about tools the round does not ask about are dropped.
            tools: f
                .tools
                .iter()
                .filter_map(|t| f.answers.tools.get(&t.slug).map(|a| (t.tool_id, a)))
                .collect(),
            questions: f
                .answers
                .questions
                .iter()
                .map(|(id, v)| (*id, v.as_str()))
                .collect(),
        })
        .collect();
    responses::insert_answers(conn, &answers)
}
