//! Responses and their answers. Found by the respondent's key, never by member.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{question_answers, responses, tool_answers};
use crate::domain::survey::ToolAnswer;

pub fn find_by_key(conn: &mut DbConnection, key: &str) -> QueryResult<Option<i64>> {
    responses::table
        .filter(responses::respondent_key.eq(key))
        .select(responses::id)
        .first(conn)
        .optional()
}

pub fn insert(
    conn: &mut DbConnection,
    round_id: i64,
    team_id: i64,
    key: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(responses::table)
        .values((
            responses::round_id.eq(round_id),
            responses::team_id.eq(team_id),
            responses::respondent_key.eq(key),
            responses::submitted_at.eq(now),
            responses::updated_at.eq(now),
        ))
        .returning(responses::id)
        .get_result(conn)
}

pub fn touch(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(responses::table.find(id))
        .set(responses::updated_at.eq(now))
        .execute(conn)
}

/// Replaces every answer of a response.
pub fn replace_answers(
    conn: &mut DbConnection,
    response_id: i64,
    tools: &[(i64, &ToolAnswer)],
    questions: &[(i64, &str)],
) -> QueryResult<()> {
    diesel::delete(tool_answers::table.filter(tool_answers::response_id.eq(response_id)))
        .execute(conn)?;
    diesel::delete(question_answers::table.filter(question_answers::response_id.eq(response_id)))
        .execute(conn)?;
    for (tool_id, a) in tools {
        let [security, reliability, usability, efficiency, latency] = a.ratings;
        diesel::insert_into(tool_answers::table)
            .values((
                tool_answers::response_id.eq(response_id),
                tool_answers::tool_id.eq(tool_id),
                tool_answers::not_used.eq(a.not_used),
                tool_answers::security.eq(security),
                tool_answers::reliability.eq(reliability),
                tool_answers::usability.eq(usability),
                tool_answers::efficiency.eq(efficiency),
                tool_answers::latency.eq(latency),
                tool_answers::satisfaction.eq(a.satisfaction),
                tool_answers::hours_lost.eq(a.hours_lost),
                tool_answers::pain.eq(&a.pain),
                tool_answers::proposal.eq(&a.proposal),
            ))
            .execute(conn)?;
    }
    for (question_id, value) in questions {
        diesel::insert_into(question_answers::table)
            .values((
                question_answers::response_id.eq(response_id),
                question_answers::question_id.eq(question_id),
                question_answers::value.eq(value),
            ))
            .execute(conn)?;
    }
    Ok(())
}

type ToolAnswerRow = (
    i64,
    bool,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
    String,
);

/// A response's answers as stored.
pub struct StoredAnswers {
    /// By tool id.
    pub tools: Vec<(i64, ToolAnswer)>,
    /// By question id.
    pub questions: Vec<(i64, String)>,
}

pub fn answers(conn: &mut DbConnection, response_id: i64) -> QueryResult<StoredAnswers> {
    let rows: Vec<ToolAnswerRow> = tool_answers::table
        .filter(tool_answers::response_id.eq(response_id))
        .select((
            tool_answers::tool_id,
            tool_answers::not_used,
            tool_answers::security,
            tool_answers::reliability,
            tool_answers::usability,
            tool_answers::efficiency,
            tool_answers::latency,
            tool_answers::satisfaction,
            tool_answers::hours_lost,
            tool_answers::pain,
            tool_answers::proposal,
        ))
        .load(conn)?;
    let tools = rows
        .into_iter()
        .map(
            |(tool, not_used, s, r, u, e, l, satisfaction, hours_lost, pain, proposal)| {
                (
                    tool,
                    ToolAnswer {
                        not_used,
                        ratings: [s, r, u, e, l],
                        satisfaction,
                        hours_lost,
                        pain,
                        proposal,
                    },
                )
            },
        )
        .collect();
    let questions = question_answers::table
        .filter(question_answers::response_id.eq(response_id))
        .select((question_answers::question_id, question_answers::value))
        .load(conn)?;
    Ok(StoredAnswers { tools, questions })
}

pub fn count_for_round(conn: &mut DbConnection, round_id: i64) -> QueryResult<i64> {
    responses::table
        .filter(responses::round_id.eq(round_id))
        .select(count_star())
        .first(conn)
}
