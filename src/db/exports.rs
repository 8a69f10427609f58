//! The rows exports stream, a page at a time: a round's responses in id
//! order (`responses_round_id` covers the paging), then their answers by
//! primary key. Each page is one short read, so a slow download holds no
//! connection or snapshot between pages.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::{responses, theme_members, tool_answers};

/// The next `limit` response ids of a round after `after`, in id order.
pub fn response_ids(
    conn: &mut DbConnection,
    round_id: i64,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    responses::table
        .filter(responses::round_id.eq(round_id))
        .filter(responses::id.gt(after))
        .order(responses::id)
        .select(responses::id)
        .limit(limit)
        .load(conn)
}

/// One answer about one tool: (response, tool, team, the five properties,
/// satisfaction, hours lost). `team` is `None` once erased.
pub type RatingRow = (
    i64,
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

/// The answers of the given responses (of one tool, or all), "we don't use
/// it" left out, by response and tool.
pub fn ratings(
    conn: &mut DbConnection,
    response_ids: &[i64],
    tool_id: Option<i64>,
) -> QueryResult<Vec<RatingRow>> {
    let mut query = tool_answers::table
        .filter(tool_answers::response_id.eq_any(response_ids))
        .filter(tool_answers::not_used.eq(false))
        .select((
            tool_answers::response_id,
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
        .order((tool_answers::response_id, tool_answers::tool_id))
        .into_boxed();
    if let Some(tool) = tool_id {
        query = query.filter(tool_answers::tool_id.eq(tool));
    }
    query.load(conn)
}

/// One answer's comments: (response, tool, team, pain, proposal).
pub type CommentRow = (i64, i64, Option<i64>, String, String);

/// The comments of the given responses (of one tool, or all): answers with
/// a pain or a proposal, by tool and response.
pub fn comments(
    conn: &mut DbConnection,
    response_ids: &[i64],
    tool_id: Option<i64>,
) -> QueryResult<Vec<CommentRow>> {
    let mut query = tool_answers::table
        .filter(tool_answers::response_id.eq_any(response_ids))
        .filter(tool_answers::pain.ne("").or(tool_answers::proposal.ne("")))
        .select((
            tool_answers::response_id,
            tool_answers::tool_id,
            tool_answers::team_id,
            tool_answers::pain,
            tool_answers::proposal,
        ))
        .order((tool_answers::tool_id, tool_answers::response_id))
        .into_boxed();
    if let Some(tool) = tool_id {
        query = query.filter(tool_answers::tool_id.eq(tool));
    }
    query.load(conn)
}

/// Which theme each comment of the given responses is in: (response, tool,
/// kind, theme).
pub fn placements(
    conn: &mut DbConnection,
    response_ids: &[i64],
) -> QueryResult<Vec<(i64, i64, String, i64)>> {
    theme_members::table
        .filter(theme_members::response_id.eq_any(response_ids))
        .select((
            theme_members::response_id,
            theme_members::tool_id,
            theme_members::kind,
            theme_members::theme_id,
        ))
        .load(conn)
}
