//! The rows results are made of: answers read live from the covering index
//! (open rounds), histograms kept when a round closed, and baselines.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{baselines, round_results, tool_answers};

/// One tool's answer as results need it: (tool, team, the five properties,
/// satisfaction, hours lost). `team` is `None` once erased.
pub type AnswerRow = (
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// A round's answers (of one tool, or all), "we don't use it" left out.
/// Served by the covering index `tool_answers_results`.
pub fn answers(
    conn: &mut DbConnection,
    round_id: i64,
    tool_id: Option<i64>,
) -> QueryResult<Vec<AnswerRow>> {
    let mut query = tool_answers::table
        .filter(tool_answers::round_id.eq(round_id))
        .filter(tool_answers::not_used.eq(false))
        .select((
            tool_answers::tool_id,
            tool_answers::team_id,
            tool_answers::security,
            tool_answers::reliability,
            tool_answers::usability,
            tool_answers::efficiency,
            tool_answers::latency,
            tool_answers::satisfaction,
            tool_answers::hours_lost,
        ))
        .into_boxed();
    if let Some(tool) = tool_id {
        query = query.filter(tool_answers::tool_id.eq(tool));
    }
    query.load(conn)
}

/// How many used answers each tool got from each team in a round: (tool,
/// team, answers); team `None` holds the answers whose team was erased.
pub fn count_by_tool_and_team(
    conn: &mut DbConnection,
    round_id: i64,
    tool_id: Option<i64>,
) -> QueryResult<Vec<(i64, Option<i64>, i64)>> {
    let mut query = tool_answers::table
        .filter(tool_answers::round_id.eq(round_id))
        .filter(tool_answers::not_used.eq(false))
        .group_by((tool_answers::tool_id, tool_answers::team_id))
        .select((
            tool_answers::tool_id,
            tool_answers::team_id,
            diesel::dsl::count_star(),
        ))
        .into_boxed();
    if let Some(tool) = tool_id {
        query = query.filter(tool_answers::tool_id.eq(tool));
    }
    query.load(conn)
}

/// A kept histogram cell: (round, tool, team (0: erased teams, -1: all
/// teams together), measure, value, n).
pub type StoredRow = (i64, i64, i64, String, i64, i64);

/// What was kept for `rounds` (of one tool, or all; of one team id, or all
/// team ids).
pub fn stored(
    conn: &mut DbConnection,
    round_ids: &[i64],
    tool_id: Option<i64>,
    team_id: Option<i64>,
) -> QueryResult<Vec<StoredRow>> {
    let mut query = round_results::table
        .filter(round_results::round_id.eq_any(round_ids))
        .select((
            round_results::round_id,
            round_results::tool_id,
            round_results::team_id,
            round_results::measure,
            round_results::value,
            round_results::n,
        ))
        .into_boxed();
    if let Some(tool) = tool_id {
        query = query.filter(round_results::tool_id.eq(tool));
    }
    if let Some(team) = team_id {
        query = query.filter(round_results::team_id.eq(team));
    }
    query.load(conn)
}

/// Keeps a closed round's histograms. Written once, in the transaction that
/// seals the round.
pub fn store(conn: &mut DbConnection, rows: &[StoredRow]) -> QueryResult<usize> {
    let mut added = 0;
    for chunk in rows.chunks(1000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(round, tool, team, measure, value, n)| {
                (
                    round_results::round_id.eq(*round),
                    round_results::tool_id.eq(*tool),
                    round_results::team_id.eq(*team),
                    round_results::measure.eq(measure.as_str()),
                    round_results::value.eq(*value),
                    round_results::n.eq(*n),
                )
            })
            .collect();
        match conn {
            DbConnection::Postgresql(c) => {
                added += diesel::insert_into(round_results::table)
                    .values(&values)
                    .execute(c)?;
            }
            DbConnection::Sqlite(c) => {
                for row in &values {
                    added += diesel::insert_into(round_results::table)
                        .values(*row)
                        .execute(c)?;
                }
            }
        }
    }
    Ok(added)
}

/// Whether a closed round's histograms were kept.
pub fn is_stored(conn: &mut DbConnection, round_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        round_results::table.filter(round_results::round_id.eq(round_id)),
    ))
    .get_result(conn)
}

/// (tool, measure key, hundredths) of every baseline of `tools` (or all).
pub fn baselines(
    conn: &mut DbConnection,
    tool_ids: Option<&[i64]>,
) -> QueryResult<Vec<(i64, String, i64)>> {
    let mut query = baselines::table
        .select((
            baselines::tool_id,
            baselines::measure,
            baselines::hundredths,
        ))
        .into_boxed();
    if let Some(ids) = tool_ids {
        query = query.filter(baselines::tool_id.eq_any(ids));
    }
    query.load(conn)
}

/// Sets (`Some`) or removes a tool's baseline for a measure.
pub fn set_baseline(
    conn: &mut DbConnection,
    tool_id: i64,
    measure: &str,
    hundredths: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        baselines::table
            .filter(baselines::tool_id.eq(tool_id))
            .filter(baselines::measure.eq(measure)),
    )
    .execute(conn)?;
    match hundredths {
        Some(h) => diesel::insert_into(baselines::table)
            .values((
                baselines::tool_id.eq(tool_id),
                baselines::measure.eq(measure),
                baselines::hundredths.eq(h),
                baselines::set_at.eq(now),
            ))
            .execute(conn),
        None => Ok(0),
    }
}
