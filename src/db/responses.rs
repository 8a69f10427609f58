//! Responses and their answers. Found by the respondent's key, never by member.

use diesel::connection::SimpleConnection;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{question_answers, responses, tool_answers};
use crate::domain::survey::ToolAnswer;

/// A response to create: its key, round and team. Its id is random: ids
/// in answer order would tell who answered when.
pub struct NewResponse<'a> {
    pub key: &'a str,
    pub round_id: i64,
    pub team_id: i64,
}

/// Creates `new` (one statement on PostgreSQL, a cached one per row on
/// SQLite); their random ids, in the same order. A clash of ids (or of
/// keys, when another transaction writes the same link's first answer at
/// once) fails with a unique violation for the caller to retry.
pub fn insert_all(conn: &mut DbConnection, new: &[NewResponse]) -> QueryResult<Vec<i64>> {
    let ids: Vec<i64> = new.iter().map(|_| random_id()).collect();
    if new.is_empty() {
        return Ok(ids);
    }
    match conn {
        DbConnection::Postgresql(pg) => {
            ResponseColumns::new(new, &ids).execute(pg)?;
        }
        DbConnection::Sqlite(lite) => {
            for (r, id) in new.iter().zip(&ids) {
                diesel::insert_into(responses::table)
                    .values((
                        responses::id.eq(*id),
                        responses::round_id.eq(r.round_id),
                        responses::team_id.eq(r.team_id),
                        responses::respondent_key.eq(r.key),
                    ))
                    .execute(lite)?;
            }
        }
    }
    Ok(ids)
}

/// New responses as one `INSERT … SELECT FROM unnest(arrays)`, for
/// PostgreSQL: one cached statement for any number of rows, where a
/// multi-row `VALUES` list is parsed and planned at every batch (see
/// `ToolAnswerColumns`).
struct ResponseColumns<'a> {
    ids: &'a [i64],
    round_ids: Vec<i64>,
    team_ids: Vec<i64>,
    keys: Vec<&'a str>,
}

impl<'a> ResponseColumns<'a> {
    fn new(new: &[NewResponse<'a>], ids: &'a [i64]) -> Self {
        ResponseColumns {
            ids,
            round_ids: new.iter().map(|r| r.round_id).collect(),
            team_ids: new.iter().map(|r| r.team_id).collect(),
            keys: new.iter().map(|r| r.key).collect(),
        }
    }
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for ResponseColumns<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Array, BigInt, Text};
        out.push_sql(
            "INSERT INTO responses (id, round_id, team_id, respondent_key) \
             SELECT * FROM unnest(",
        );
        out.push_bind_param::<Array<BigInt>, _>(&self.ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.round_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.team_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.keys)?;
        out.push_sql(")");
        Ok(())
    }
}

impl diesel::query_builder::QueryId for ResponseColumns<'_> {
    type QueryId = ResponseColumns<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl RunQueryDsl<diesel::PgConnection> for ResponseColumns<'_> {}

/// The responses under `keys`, as (key, id), their rows locked for the
/// rest of the transaction (a no-op update, so it works on both backends;
/// finding and locking in one statement is one round trip): two edits of
/// one response queue here instead of interleaving their deletes and
/// inserts of its answers.
pub fn lock_by_keys(conn: &mut DbConnection, keys: &[&str]) -> QueryResult<Vec<(String, i64)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(responses::table.filter(responses::respondent_key.eq_any(keys)))
        .set(responses::round_id.eq(responses::round_id))
        .returning((responses::respondent_key.assume_not_null(), responses::id))
        .get_results(conn)
}

/// A positive random 63-bit id.
fn random_id() -> i64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    (i64::from_le_bytes(bytes) & i64::MAX).max(1)
}

/// The respondent keys among `keys` that have a response.
pub fn existing_keys(conn: &mut DbConnection, keys: &[String]) -> QueryResult<Vec<String>> {
    super::load_in_chunks(keys, 500, |chunk| {
        responses::table
            .filter(responses::respondent_key.eq_any(chunk))
            .select(responses::respondent_key.assume_not_null())
            .load::<String>(conn)
    })
}

/// Every respondent key of a round (none once it has closed).
pub fn round_keys(conn: &mut DbConnection, round_id: i64) -> QueryResult<Vec<String>> {
    responses::table
        .filter(responses::round_id.eq(round_id))
        .filter(responses::respondent_key.is_not_null())
        .select(responses::respondent_key.assume_not_null())
        .load(conn)
}

/// Answers per team of a round: (team id, responses); `None` holds the
/// responses whose team was erased when the round closed.
pub fn count_by_team(
    conn: &mut DbConnection,
    round_id: i64,
) -> QueryResult<Vec<(Option<i64>, i64)>> {
    responses::table
        .filter(responses::round_id.eq(round_id))
        .group_by(responses::team_id)
        .select((responses::team_id, count_star()))
        .load(conn)
}

/// What a closing round forgets, so that not even the server's secret ties
/// its responses to members any more: every response's key, and the team of
/// responses whose team gave fewer than `k` (those teams are never broken down).
pub fn seal_round(conn: &mut DbConnection, round_id: i64, k: i64) -> QueryResult<()> {
    let small: Vec<i64> = count_by_team(conn, round_id)?
        .into_iter()
        .filter_map(|(team, n)| team.filter(|_| n < k))
        .collect();
    diesel::update(
        responses::table
            .filter(responses::round_id.eq(round_id))
            .filter(responses::team_id.eq_any(&small)),
    )
    .set(responses::team_id.eq(None::<i64>))
    .execute(conn)?;
    diesel::update(
        tool_answers::table
            .filter(tool_answers::round_id.eq(round_id))
            .filter(tool_answers::team_id.eq_any(&small)),
    )
    .set(tool_answers::team_id.eq(None::<i64>))
    .execute(conn)?;
    diesel::update(responses::table.filter(responses::round_id.eq(round_id)))
        .set(responses::respondent_key.eq(None::<String>))
        .execute(conn)?;
    Ok(())
}

/// Writes the answers of a sealed round again in the order of their
/// responses' random ids. A table keeps its rows in the order they were
/// written, so before this the answer tables held the round in submission
/// order, which someone who knows when a person answered could match. On
/// SQLite the rows are copied out, deleted (zeroed: `secure_delete`) and
/// inserted back sorted, which hands them new rowids in that order.
/// PostgreSQL's rows are put in key order after the seal commits
/// (`db::scrub_after_seal`), as CLUSTER cannot run here.
pub fn reorder_round(conn: &mut DbConnection, round_id: i64) -> QueryResult<()> {
    let DbConnection::Sqlite(c) = conn else {
        return Ok(());
    };
    let of_round = format!("SELECT id FROM responses WHERE round_id = {round_id}");
    for (table, mine, key) in [
        (
            "tool_answers",
            format!("round_id = {round_id}"),
            "response_id, tool_id",
        ),
        (
            "question_answers",
            format!("response_id IN ({of_round})"),
            "response_id, question_id",
        ),
        (
            "theme_members",
            format!("response_id IN ({of_round})"),
            "response_id, tool_id, kind",
        ),
    ] {
        c.batch_execute(&format!(
            "CREATE TEMP TABLE sealing AS SELECT * FROM {table} WHERE {mine};
             DELETE FROM {table} WHERE {mine};
             INSERT INTO {table} SELECT * FROM sealing ORDER BY {key};
             DROP TABLE sealing;"
        ))?;
    }
    Ok(())
}

/// Where a response belongs: its id, round and team (each answer carries
/// the last two, for results read from one index).
#[derive(Debug, Clone, Copy)]
pub struct Filed {
    pub id: i64,
    pub round_id: i64,
    pub team_id: Option<i64>,
}

/// A response's answers, to be written.
pub struct NewAnswers<'a> {
    pub response: Filed,
    /// By tool id.
    pub tools: Vec<(i64, &'a ToolAnswer)>,
    /// By question id.
    pub questions: Vec<(i64, &'a str)>,
}

/// Deletes every answer of the responses `ids`, so that they can be written
/// anew.
pub fn delete_answers(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    diesel::delete(tool_answers::table.filter(tool_answers::response_id.eq_any(ids)))
        .execute(conn)?;
    diesel::delete(question_answers::table.filter(question_answers::response_id.eq_any(ids)))
        .execute(conn)?;
    Ok(())
}

/// Writes the answers of responses that have none.
pub fn insert_answers(conn: &mut DbConnection, all: &[NewAnswers]) -> QueryResult<()> {
    let extra: Vec<_> = all
        .iter()
        .flat_map(|a| {
            a.questions.iter().map(|(question_id, value)| {
                (
                    question_answers::response_id.eq(a.response.id),
                    question_answers::question_id.eq(*question_id),
                    question_answers::value.eq(*value),
                )
            })
        })
        .collect();
    match conn {
        // One statement per table: each is a round trip to the server.
        DbConnection::Postgresql(pg) => {
            let tools = ToolAnswerColumns::new(all);
            if !tools.tool_ids.is_empty() {
                tools.execute(pg)?;
            }
            if !extra.is_empty() {
                diesel::insert_into(question_answers::table)
                    .values(&extra)
                    .execute(pg)?;
            }
        }
        // In-process, a cached statement per row costs next to nothing.
        DbConnection::Sqlite(lite) => {
            for NewAnswers {
                response, tools, ..
            } in all
            {
                for (tool_id, a) in tools {
                    let [security, reliability, usability, efficiency, latency] = a.ratings;
                    diesel::insert_into(tool_answers::table)
                        .values((
                            tool_answers::response_id.eq(response.id),
                            tool_answers::tool_id.eq(*tool_id),
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
                            tool_answers::round_id.eq(response.round_id),
                            tool_answers::team_id.eq(response.team_id),
                            // As in `ToolAnswerColumns`: new answers are unthemed.
                            tool_answers::themed.eq(false),
                        ))
                        .execute(lite)?;
                }
            }
            for row in extra {
                diesel::insert_into(question_answers::table)
                    .values(row)
                    .execute(lite)?;
            }
        }
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

/// Every answer to the round's extra questions: (question, value, the
/// response's team), in response id order (random: no answer order).
pub fn question_answers_of_round(
    conn: &mut DbConnection,
    round_id: i64,
) -> QueryResult<Vec<(i64, String, Option<i64>)>> {
    question_answers::table
        .inner_join(responses::table)
        .filter(responses::round_id.eq(round_id))
        .select((
            question_answers::question_id,
            question_answers::value,
            responses::team_id,
        ))
        .order(responses::id.asc())
        .load(conn)
}

pub fn count_for_round(conn: &mut DbConnection, round_id: i64) -> QueryResult<i64> {
    responses::table
        .filter(responses::round_id.eq(round_id))
        .select(count_star())
        .get_result(conn)
}

/// Responses' tool answers as one `INSERT … SELECT FROM unnest(arrays)`,
/// for PostgreSQL: its text is the same for any number of rows, so it is
/// prepared once per connection, where a multi-row `VALUES` list (15
/// parameters a row) would be parsed and planned at every submission.
struct ToolAnswerColumns<'a> {
    response_ids: Vec<i64>,
    round_ids: Vec<i64>,
    team_ids: Vec<Option<i64>>,
    tool_ids: Vec<i64>,
    not_used: Vec<bool>,
    ratings: [Vec<Option<i64>>; 7],
    pains: Vec<&'a str>,
    proposals: Vec<&'a str>,
}

impl<'a> ToolAnswerColumns<'a> {
    fn new(all: &[NewAnswers<'a>]) -> Self {
        let rows: Vec<(Filed, i64, &ToolAnswer)> = all
            .iter()
            .flat_map(|a| a.tools.iter().map(|(tool, t)| (a.response, *tool, *t)))
            .collect();
        let ratings = std::array::from_fn(|i| {
            rows.iter()
                .map(|(_, _, a)| match i {
                    0..5 => a.ratings[i],
                    5 => a.satisfaction,
                    _ => a.hours_lost,
                })
                .collect()
        });
        ToolAnswerColumns {
            response_ids: rows.iter().map(|(r, _, _)| r.id).collect(),
            round_ids: rows.iter().map(|(r, _, _)| r.round_id).collect(),
            team_ids: rows.iter().map(|(r, _, _)| r.team_id).collect(),
            tool_ids: rows.iter().map(|(_, id, _)| *id).collect(),
            not_used: rows.iter().map(|(_, _, a)| a.not_used).collect(),
            ratings,
            pains: rows.iter().map(|(_, _, a)| a.pain.as_str()).collect(),
            proposals: rows.iter().map(|(_, _, a)| a.proposal.as_str()).collect(),
        }
    }
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for ToolAnswerColumns<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text};
        // The grouping looks at every new answer (themed = FALSE): its
        // comments join themes, and its ratings move the themes' figures.
        out.push_sql(
            "INSERT INTO tool_answers (response_id, round_id, team_id, tool_id, \
             not_used, security, reliability, usability, efficiency, latency, satisfaction, \
             hours_lost, pain, proposal, themed) SELECT *, FALSE FROM unnest(",
        );
        out.push_bind_param::<Array<BigInt>, _>(&self.response_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.round_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<BigInt>>, _>(&self.team_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.tool_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Bool>, _>(&self.not_used)?;
        for column in &self.ratings {
            out.push_sql(", ");
            out.push_bind_param::<Array<Nullable<BigInt>>, _>(column)?;
        }
        for column in [&self.pains, &self.proposals] {
            out.push_sql(", ");
            out.push_bind_param::<Array<Text>, _>(column)?;
        }
        out.push_sql(")");
        Ok(())
    }
}

// Its text does not depend on its values: one cached statement.
impl diesel::query_builder::QueryId for ToolAnswerColumns<'_> {
    type QueryId = ToolAnswerColumns<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl RunQueryDsl<diesel::PgConnection> for ToolAnswerColumns<'_> {}
