//! What a respondent's link can do: find its round, and save answers.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use chrono::NaiveDateTime;

use crate::db::rounds::Invitation;
use crate::db::{DbConnection, responses, rounds};
use crate::domain::survey::ResponseAnswers;
use crate::secret::hex;

/// The response's key: an HMAC of the token under the server's secret, so the
/// link finds its response but the database alone cannot say whose it is.
pub fn respondent_key(secret: &str, token: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(token.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Saves `answers` as the invitation's response, replacing earlier answers.
/// Two submissions racing to be first both end as one response: the loser of
/// the insert hits the unique key and retries as an update.
pub fn save(
    conn: &mut DbConnection,
    invitation: &Invitation,
    key: &str,
    answers: &ResponseAnswers,
    now: NaiveDateTime,
) -> Result<(), DieselError> {
    let round_tools = rounds::tools(conn, invitation.round_id)?;
    let ids = super::tool_ids_by_slug(&round_tools);
    let tools: Vec<(i64, &crate::domain::survey::ToolAnswer)> = answers
        .tools
        .iter()
        .filter_map(|(slug, a)| ids.get(slug).map(|id| (*id, a)))
        .collect();
    let questions: Vec<(i64, &str)> = answers
        .questions
        .iter()
        .map(|(id, v)| (*id, v.as_str()))
        .collect();
    let attempt = |conn: &mut DbConnection| {
        crate::db::write_transaction(conn, |conn| {
            let id = match responses::find_by_key(conn, key)? {
                Some(id) => {
                    responses::touch(conn, id, now)?;
                    id
                }
                None => responses::insert(conn, invitation.round_id, invitation.team_id, key, now)?,
            };
            responses::replace_answers(conn, id, &tools, &questions)?;
            // An answer implies the link was opened, even when posted directly.
            rounds::mark_opened(conn, invitation.id, now)?;
            rounds::mark_answered(conn, invitation.id, now)?;
            Ok(())
        })
    };
    match attempt(conn) {
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => attempt(conn),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_the_secret() {
        let a = respondent_key("secret-one", "token");
        assert_eq!(a.len(), 64);
        assert_eq!(a, respondent_key("secret-one", "token"));
        assert_ne!(a, respondent_key("secret-two", "token"));
    }
}
