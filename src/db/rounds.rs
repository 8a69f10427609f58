//! Rounds, their snapshots, and invitations.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{
    invitations, members, opt_outs, responses, round_questions, round_team_tools, round_tools,
    rounds, teams,
};
use crate::domain::survey::Question;

#[derive(Queryable, Debug, Clone, serde::Serialize)]
pub struct Round {
    pub id: i64,
    pub program_id: i64,
    pub number: i64,
    pub period_key: String,
    pub program_name: String,
    pub intro: String,
    pub reminder_days: String,
    pub anonymity_k: i64,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub thank_on_close: bool,
    /// When the scheduler handled the round's closing (thanks queued).
    pub closed_at: Option<NaiveDateTime>,
    /// Whether its closing sealed it: keys erased, results kept for good.
    pub sealed: bool,
}

impl Round {
    pub fn is_open(&self, now: NaiveDateTime) -> bool {
        self.opens_at <= now && now < self.closes_at
    }
}

#[derive(Queryable, Debug, Clone, serde::Serialize)]
pub struct RoundTool {
    pub round_id: i64,
    pub tool_id: i64,
    pub position: i64,
    pub slug: String,
    pub name: String,
    /// Members asked about it: those whose team used it when the round opened.
    pub invited: i64,
}

#[derive(Queryable, Debug, Clone)]
pub struct RoundQuestion {
    pub id: i64,
    pub round_id: i64,
    pub position: i64,
    pub kind: String,
    pub prompt: String,
    pub options: String,
    pub required: bool,
}

/// One member asked in one round. The token is not here: `token_seed` makes
/// it (with the server's secret), `token_hash` finds the invitation by it.
#[derive(Queryable, Debug, Clone)]
pub struct Invitation {
    pub id: i64,
    pub round_id: i64,
    pub member_id: i64,
    pub team_id: i64,
    /// Links emailed before tokens were derived; erased when the round closes.
    pub legacy_token: Option<String>,
    pub created_at: NaiveDateTime,
    pub token_hash: Option<String>,
    pub token_seed: Option<String>,
}

/// A new invitation: its member, team, token seed and token hash.
pub struct NewInvitation {
    pub member_id: i64,
    pub team_id: i64,
    pub token_seed: String,
    pub token_hash: String,
}

pub struct NewRound<'a> {
    pub program_id: i64,
    pub number: i64,
    pub period_key: &'a str,
    pub program_name: &'a str,
    pub intro: &'a str,
    pub reminder_days: &'a str,
    pub anonymity_k: i64,
    pub thank_on_close: bool,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, r: &NewRound, now: NaiveDateTime) -> QueryResult<Round> {
    diesel::insert_into(rounds::table)
        .values((
            rounds::program_id.eq(r.program_id),
            rounds::number.eq(r.number),
            rounds::period_key.eq(r.period_key),
            rounds::program_name.eq(r.program_name),
            rounds::intro.eq(r.intro),
            rounds::reminder_days.eq(r.reminder_days),
            rounds::anonymity_k.eq(r.anonymity_k),
            rounds::thank_on_close.eq(r.thank_on_close),
            rounds::opens_at.eq(r.opens_at),
            rounds::closes_at.eq(r.closes_at),
            rounds::created_at.eq(now),
        ))
        .returning(rounds::all_columns)
        .get_result(conn)
}

pub fn for_program(conn: &mut DbConnection, program_id: i64) -> QueryResult<Vec<Round>> {
    rounds::table
        .filter(rounds::program_id.eq(program_id))
        .order(rounds::number.desc())
        .load(conn)
}

pub fn find(conn: &mut DbConnection, program_id: i64, number: i64) -> QueryResult<Option<Round>> {
    rounds::table
        .filter(rounds::program_id.eq(program_id))
        .filter(rounds::number.eq(number))
        .get_result(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Round> {
    rounds::table.find(id).get_result(conn)
}

pub fn last_number(conn: &mut DbConnection, program_id: i64) -> QueryResult<i64> {
    let n: Option<i64> = rounds::table
        .filter(rounds::program_id.eq(program_id))
        .select(diesel::dsl::max(rounds::number))
        .get_result(conn)?;
    Ok(n.unwrap_or(0))
}

pub fn set_closes_at(
    conn: &mut DbConnection,
    id: i64,
    closes_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(rounds::table.find(id))
        .set(rounds::closes_at.eq(closes_at))
        .execute(conn)
}

pub fn add_tool(conn: &mut DbConnection, tool: &RoundTool) -> QueryResult<usize> {
    diesel::insert_into(round_tools::table)
        .values((
            round_tools::round_id.eq(tool.round_id),
            round_tools::tool_id.eq(tool.tool_id),
            round_tools::position.eq(tool.position),
            round_tools::slug.eq(&tool.slug),
            round_tools::name.eq(&tool.name),
            round_tools::invited.eq(tool.invited),
        ))
        .execute(conn)
}

/// The programs that have asked about `tool`, the most recently asking first.
pub fn programs_asking(conn: &mut DbConnection, tool_id: i64) -> QueryResult<Vec<i64>> {
    let rows: Vec<(i64, NaiveDateTime)> = round_tools::table
        .inner_join(rounds::table)
        .filter(round_tools::tool_id.eq(tool_id))
        .select((rounds::program_id, rounds::opens_at))
        .order(rounds::opens_at.desc())
        .load(conn)?;
    let mut programs: Vec<i64> = Vec::new();
    for (program, _) in rows {
        if !programs.contains(&program) {
            programs.push(program);
        }
    }
    Ok(programs)
}

/// Every round that asked about `tool`, by program and number.
pub fn asking_about(conn: &mut DbConnection, tool_id: i64) -> QueryResult<Vec<Round>> {
    rounds::table
        .filter(
            rounds::id.eq_any(
                round_tools::table
                    .filter(round_tools::tool_id.eq(tool_id))
                    .select(round_tools::round_id),
            ),
        )
        .order((rounds::program_id, rounds::number))
        .load(conn)
}

pub fn by_ids(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Round>> {
    rounds::table
        .filter(rounds::id.eq_any(ids))
        .order((rounds::program_id, rounds::number))
        .load(conn)
}

/// The rounds of a program that asked about `tool`, as (round id, invited).
pub fn rounds_with_tool(
    conn: &mut DbConnection,
    program_id: i64,
    tool_id: i64,
) -> QueryResult<Vec<(i64, i64)>> {
    round_tools::table
        .inner_join(rounds::table)
        .filter(rounds::program_id.eq(program_id))
        .filter(round_tools::tool_id.eq(tool_id))
        .select((round_tools::round_id, round_tools::invited))
        .load(conn)
}

pub fn add_team_tool(
    conn: &mut DbConnection,
    round_id: i64,
    team_id: i64,
    tool_id: i64,
) -> QueryResult<usize> {
    diesel::insert_into(round_team_tools::table)
        .values((
            round_team_tools::round_id.eq(round_id),
            round_team_tools::team_id.eq(team_id),
            round_team_tools::tool_id.eq(tool_id),
        ))
        .execute(conn)
}

pub fn add_question(
    conn: &mut DbConnection,
    round_id: i64,
    q: &super::programs::QuestionRow,
) -> QueryResult<usize> {
    diesel::insert_into(round_questions::table)
        .values((
            round_questions::round_id.eq(round_id),
            round_questions::position.eq(q.position),
            round_questions::kind.eq(&q.kind),
            round_questions::prompt.eq(&q.prompt),
            round_questions::options.eq(&q.options),
            round_questions::required.eq(q.required),
        ))
        .execute(conn)
}

pub fn tools(conn: &mut DbConnection, round_id: i64) -> QueryResult<Vec<RoundTool>> {
    round_tools::table
        .filter(round_tools::round_id.eq(round_id))
        .order(round_tools::position.asc())
        .load(conn)
}

/// The round's tools that `team_id` used when the round opened.
pub fn tools_for_team(
    conn: &mut DbConnection,
    round_id: i64,
    team_id: i64,
) -> QueryResult<Vec<RoundTool>> {
    Ok(tools_for_teams(conn, round_id, &[team_id])?
        .into_iter()
        .map(|(_, tool)| tool)
        .collect())
}

/// The round's tools each of `teams` used when the round opened, as (team
/// id, tool), by team and in the round's order: one query for a batch.
pub fn tools_for_teams(
    conn: &mut DbConnection,
    round_id: i64,
    teams: &[i64],
) -> QueryResult<Vec<(i64, RoundTool)>> {
    round_tools::table
        .inner_join(
            round_team_tools::table.on(round_team_tools::round_id
                .eq(round_tools::round_id)
                .and(round_team_tools::tool_id.eq(round_tools::tool_id))),
        )
        .filter(round_tools::round_id.eq(round_id))
        .filter(round_team_tools::team_id.eq_any(teams))
        .select((round_team_tools::team_id, round_tools::all_columns))
        .order((round_team_tools::team_id, round_tools::position.asc()))
        .load(conn)
}

pub fn questions(conn: &mut DbConnection, round_id: i64) -> QueryResult<Vec<RoundQuestion>> {
    round_questions::table
        .filter(round_questions::round_id.eq(round_id))
        .order((round_questions::position.asc(), round_questions::id.asc()))
        .load(conn)
}

/// A round's questions as the form asks them. A stored kind that is not
/// one we know is an error, not a question quietly left out.
pub fn asked(conn: &mut DbConnection, round_id: i64) -> QueryResult<Vec<Question>> {
    questions(conn, round_id)?
        .into_iter()
        .map(|q| {
            let kind = q.kind.parse().map_err(|_| {
                diesel::result::Error::DeserializationError(
                    format!("round question {} has an unknown kind {:?}", q.id, q.kind).into(),
                )
            })?;
            Ok(Question {
                id: q.id,
                kind,
                prompt: q.prompt,
                options: Question::parse_options(&q.options),
                required: q.required,
            })
        })
        .collect()
}

/// Invites many members at once, many rows per INSERT.
pub fn invite_all(
    conn: &mut DbConnection,
    round_id: i64,
    invitees: &[NewInvitation],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut added = 0;
    for chunk in invitees.chunks(1000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|i| {
                (
                    invitations::round_id.eq(round_id),
                    invitations::member_id.eq(i.member_id),
                    invitations::team_id.eq(i.team_id),
                    invitations::token_seed.eq(&i.token_seed),
                    invitations::token_hash.eq(&i.token_hash),
                    invitations::created_at.eq(now),
                )
            })
            .collect();
        // Multi-row INSERTs are PostgreSQL's; SQLite pays no round trip per row.
        match conn {
            DbConnection::Postgresql(c) => {
                added += diesel::insert_into(invitations::table)
                    .values(&rows)
                    .execute(c)?;
            }
            DbConnection::Sqlite(c) => {
                for row in &rows {
                    added += diesel::insert_into(invitations::table)
                        .values(*row)
                        .execute(c)?;
                }
            }
        }
    }
    Ok(added)
}

pub fn invitation_ids(conn: &mut DbConnection, round_id: i64) -> QueryResult<Vec<i64>> {
    invitations::table
        .filter(invitations::round_id.eq(round_id))
        .select(invitations::id)
        .order(invitations::id.asc())
        .load(conn)
}

/// Invitations of the round, of active members who have not stopped the
/// program's emails: those who may be reminded or thanked.
pub fn mailable_ids(conn: &mut DbConnection, round: &Round) -> QueryResult<Vec<i64>> {
    invitations::table
        .inner_join(members::table)
        .filter(invitations::round_id.eq(round.id))
        .filter(members::active.eq(true))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            opt_outs::table
                .filter(opt_outs::program_id.eq(round.program_id))
                .filter(opt_outs::member_id.eq(invitations::member_id)),
        )))
        .select(invitations::id)
        .order(invitations::id.asc())
        .load(conn)
}

/// What an invitation's link is made from: its seed, or a legacy token.
#[derive(Queryable, Debug, Clone)]
pub struct TokenSource {
    pub invitation_id: i64,
    pub seed: Option<String>,
    pub legacy_token: Option<String>,
}

/// The link sources of every invitation of a round, for working out which
/// of them answered (`surveys::answered`).
pub fn token_sources(conn: &mut DbConnection, round_id: i64) -> QueryResult<Vec<TokenSource>> {
    invitations::table
        .filter(invitations::round_id.eq(round_id))
        .select((
            invitations::id,
            invitations::token_seed,
            invitations::legacy_token,
        ))
        .load(conn)
}

/// The program's most recent round.
pub fn latest(conn: &mut DbConnection, program_id: i64) -> QueryResult<Option<Round>> {
    rounds::table
        .filter(rounds::program_id.eq(program_id))
        .order(rounds::number.desc())
        .first(conn)
        .optional()
}

pub fn open_at(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<Vec<Round>> {
    rounds::table
        .filter(rounds::opens_at.le(now))
        .filter(rounds::closes_at.gt(now))
        .order(rounds::id.asc())
        .load(conn)
}

/// Rounds past their deadline whose closing nobody has handled yet.
pub fn closing_due(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<Vec<Round>> {
    rounds::table
        .filter(rounds::closes_at.le(now))
        .filter(rounds::closed_at.is_null())
        .order(rounds::id.asc())
        .load(conn)
}

/// Rounds whose closing was handled but that were never sealed.
pub fn closed_unsealed(conn: &mut DbConnection) -> QueryResult<Vec<Round>> {
    rounds::table
        .filter(rounds::closed_at.is_not_null())
        .filter(rounds::sealed.eq(false))
        .order(rounds::id.asc())
        .load(conn)
}

pub fn mark_sealed(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::update(rounds::table.find(id))
        .set(rounds::sealed.eq(true))
        .execute(conn)
}

/// Records that the round's closing was handled; 0 when someone else already did.
pub fn mark_closed(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(rounds::table.find(id).filter(rounds::closed_at.is_null()))
        .set(rounds::closed_at.eq(now))
        .execute(conn)
}

/// What a link leads to.
pub struct Linked {
    pub invitation: Invitation,
    pub round: Round,
    /// The response saved under the link's respondent key, if any.
    pub response: Option<i64>,
}

/// The invitation whose token hashes to `hash`, its round, and the id of
/// the response saved under `key` (the link's respondent key), in one
/// query. Links emailed before tokens were hashed are found by their
/// legacy token, in a second query only when the hash finds nothing: one
/// index lookup for every link of today, where one query ORing the two
/// columns made PostgreSQL merge two index scans on every request.
pub fn invitation_by_token(
    conn: &mut DbConnection,
    hash: &str,
    token: &str,
    key: &str,
) -> QueryResult<Option<Linked>> {
    // A macro, not a boxed query: a boxed query's SQL is built again at
    // every call to find its prepared statement, which cost SQLite's form
    // GET a tenth of its rate.
    macro_rules! linked_where {
        ($filter:expr) => {
            invitations::table
                .inner_join(rounds::table)
                .left_join(responses::table.on(responses::respondent_key.eq(key)))
                .filter($filter)
                .select((
                    invitations::all_columns,
                    rounds::all_columns,
                    responses::id.nullable(),
                ))
                .get_result(conn)
                .optional()?
        };
    }
    let found = match linked_where!(invitations::token_hash.eq(hash)) {
        Some(found) => Some(found),
        None => linked_where!(invitations::legacy_token.eq(token)),
    };
    Ok(found.map(|(invitation, round, response)| Linked {
        invitation,
        round,
        response,
    }))
}

/// The rounds `ids`, held as read until the transaction ends: on
/// PostgreSQL each row is share-locked, so closing a round (which updates
/// its row before it seals the round's answers) waits for the transaction,
/// or the transaction waits for the close and reads the round closed. An
/// answer saved under the hold is never left out of the sealing. SQLite's
/// one writer runs writes one at a time, so there is nothing to hold.
pub fn hold(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Round>> {
    let query = rounds::table.filter(rounds::id.eq_any(ids));
    match conn {
        DbConnection::Postgresql(c) => query.for_share().load(c),
        _ => query.load(conn),
    }
}

/// Invitations per team: (team id, team name, invited), by team name.
pub fn invited_by_team(
    conn: &mut DbConnection,
    round_id: i64,
) -> QueryResult<Vec<(i64, String, i64)>> {
    invitations::table
        .inner_join(teams::table)
        .filter(invitations::round_id.eq(round_id))
        .group_by((teams::id, teams::name))
        .select((teams::id, teams::name, count_star()))
        .order(teams::name.asc())
        .load(conn)
}

/// Forgets the round's legacy tokens: its links are no longer needed once it closes.
pub fn forget_legacy_tokens(conn: &mut DbConnection, round_id: i64) -> QueryResult<usize> {
    diesel::update(invitations::table.filter(invitations::round_id.eq(round_id)))
        .set(invitations::legacy_token.eq(None::<String>))
        .execute(conn)
}

pub fn count_invited(conn: &mut DbConnection, round_id: i64) -> QueryResult<i64> {
    invitations::table
        .filter(invitations::round_id.eq(round_id))
        .select(count_star())
        .get_result(conn)
}

pub fn invitations(conn: &mut DbConnection, round_id: i64) -> QueryResult<Vec<Invitation>> {
    invitations::table
        .filter(invitations::round_id.eq(round_id))
        .order(invitations::id.asc())
        .load(conn)
}
