//! Survey programs, their chosen tools and teams, and their extra questions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{members, opt_outs, program_teams, program_tools, programs, questions, teams};
use crate::domain::survey::Cadence;

#[derive(Queryable, Debug, Clone, serde::Serialize)]
pub struct Program {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub intro: String,
    pub all_infra_tools: bool,
    pub all_using_teams: bool,
    cadence_kind: String,
    cadence_weeks: Option<i64>,
    cron: Option<String>,
    pub open_days: i64,
    pub reminder_days: String,
    pub anonymity_k: i64,
    pub paused: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub thank_on_close: bool,
}

impl Program {
    pub fn cadence(&self) -> Cadence {
        match (self.cadence_kind.as_str(), self.cadence_weeks, &self.cron) {
            ("cron", _, Some(expr)) => Cadence::Cron(expr.clone()),
            (_, Some(weeks), _) => Cadence::EveryWeeks(weeks.clamp(1, 104) as u32),
            _ => Cadence::EveryWeeks(13),
        }
    }
}

pub struct ProgramFields<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub intro: &'a str,
    pub all_infra_tools: bool,
    pub all_using_teams: bool,
    pub cadence: &'a Cadence,
    pub open_days: i64,
    pub reminder_days: &'a str,
    pub anonymity_k: i64,
    pub paused: bool,
    pub thank_on_close: bool,
}

#[derive(Queryable, Debug, Clone, serde::Serialize)]
pub struct QuestionRow {
    pub id: i64,
    pub program_id: i64,
    pub position: i64,
    pub kind: String,
    pub prompt: String,
    pub options: String,
    pub required: bool,
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Program>> {
    programs::table.order(programs::name.asc()).load(conn)
}

pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Program>> {
    programs::table
        .filter(programs::slug.eq(slug))
        .get_result(conn)
        .optional()
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Program>> {
    programs::table.find(id).get_result(conn).optional()
}

pub fn slug_taken(
    conn: &mut DbConnection,
    slug: &str,
    except_id: Option<i64>,
) -> QueryResult<bool> {
    let n: i64 = programs::table
        .filter(programs::slug.eq(slug))
        .filter(programs::id.ne(except_id.unwrap_or(-1)))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

fn cadence_columns(c: &Cadence) -> (&'static str, Option<i64>, Option<String>) {
    match c {
        Cadence::EveryWeeks(w) => ("weeks", Some(i64::from(*w)), None),
        Cadence::Cron(expr) => ("cron", None, Some(expr.clone())),
    }
}

/// Inserts or updates (`id` Some) a program with its tool and team lists.
pub fn save(
    conn: &mut DbConnection,
    id: Option<i64>,
    p: &ProgramFields,
    tool_ids: &[i64],
    team_ids: &[i64],
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let (kind, weeks, cron) = cadence_columns(p.cadence);
    let values = (
        programs::slug.eq(p.slug),
        programs::name.eq(p.name),
        programs::intro.eq(p.intro),
        programs::all_infra_tools.eq(p.all_infra_tools),
        programs::all_using_teams.eq(p.all_using_teams),
        programs::cadence_kind.eq(kind),
        programs::cadence_weeks.eq(weeks),
        programs::cron.eq(cron),
        programs::open_days.eq(p.open_days),
        programs::reminder_days.eq(p.reminder_days),
        programs::anonymity_k.eq(p.anonymity_k),
        programs::paused.eq(p.paused),
        programs::thank_on_close.eq(p.thank_on_close),
        programs::updated_at.eq(now),
    );
    let id = match id {
        Some(id) => {
            diesel::update(programs::table.find(id))
                .set(values)
                .execute(conn)?;
            id
        }
        None => diesel::insert_into(programs::table)
            .values((values, programs::created_at.eq(now)))
            .returning(programs::id)
            .get_result(conn)?,
    };
    diesel::delete(program_tools::table.filter(program_tools::program_id.eq(id))).execute(conn)?;
    for tool in tool_ids {
        diesel::insert_into(program_tools::table)
            .values((
                program_tools::program_id.eq(id),
                program_tools::tool_id.eq(tool),
            ))
            .execute(conn)?;
    }
    diesel::delete(program_teams::table.filter(program_teams::program_id.eq(id))).execute(conn)?;
    for team in team_ids {
        diesel::insert_into(program_teams::table)
            .values((
                program_teams::program_id.eq(id),
                program_teams::team_id.eq(team),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// Takes the program's row lock for the rest of the transaction (a no-op
/// update, so it works on both backends): openers of one program queue here,
/// and each sees what the one before it committed.
pub fn lock(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::update(programs::table.find(id))
        .set(programs::paused.eq(programs::paused))
        .execute(conn)
}

pub fn set_paused(
    conn: &mut DbConnection,
    id: i64,
    paused: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(programs::table.find(id))
        .set((programs::paused.eq(paused), programs::updated_at.eq(now)))
        .execute(conn)
}

/// Stops (`true`) or resumes a member's invitations from a program.
pub fn set_opted_out(
    conn: &mut DbConnection,
    program_id: i64,
    member_id: i64,
    out: bool,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    if out {
        let row = (
            opt_outs::program_id.eq(program_id),
            opt_outs::member_id.eq(member_id),
            opt_outs::created_at.eq(now),
        );
        // A second "stop" keeps the first date.
        match conn {
            DbConnection::Postgresql(c) => diesel::insert_into(opt_outs::table)
                .values(row)
                .on_conflict_do_nothing()
                .execute(c),
            DbConnection::Sqlite(c) => diesel::insert_into(opt_outs::table)
                .values(row)
                .on_conflict_do_nothing()
                .execute(c),
        }
    } else {
        diesel::delete(
            opt_outs::table
                .filter(opt_outs::program_id.eq(program_id))
                .filter(opt_outs::member_id.eq(member_id)),
        )
        .execute(conn)
    }
}

pub fn is_opted_out(conn: &mut DbConnection, program_id: i64, member_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        opt_outs::table
            .filter(opt_outs::program_id.eq(program_id))
            .filter(opt_outs::member_id.eq(member_id)),
    ))
    .get_result(conn)
}

pub fn opted_out_ids(conn: &mut DbConnection, program_id: i64) -> QueryResult<Vec<i64>> {
    opt_outs::table
        .filter(opt_outs::program_id.eq(program_id))
        .select(opt_outs::member_id)
        .load(conn)
}

/// Who stopped the program's emails: (name, email, team, since), by name.
pub fn opted_out(
    conn: &mut DbConnection,
    program_id: i64,
) -> QueryResult<Vec<(String, String, String, NaiveDateTime)>> {
    opt_outs::table
        .inner_join(members::table.inner_join(teams::table))
        .filter(opt_outs::program_id.eq(program_id))
        .select((
            members::name,
            members::email,
            teams::name,
            opt_outs::created_at,
        ))
        .order(members::name.asc())
        .load(conn)
}

pub fn chosen_tools(conn: &mut DbConnection, program_id: i64) -> QueryResult<Vec<i64>> {
    program_tools::table
        .filter(program_tools::program_id.eq(program_id))
        .select(program_tools::tool_id)
        .load(conn)
}

pub fn chosen_teams(conn: &mut DbConnection, program_id: i64) -> QueryResult<Vec<i64>> {
    program_teams::table
        .filter(program_teams::program_id.eq(program_id))
        .select(program_teams::team_id)
        .load(conn)
}

pub fn questions(conn: &mut DbConnection, program_id: i64) -> QueryResult<Vec<QuestionRow>> {
    questions::table
        .filter(questions::program_id.eq(program_id))
        .order((questions::position.asc(), questions::id.asc()))
        .load(conn)
}

pub fn add_question(
    conn: &mut DbConnection,
    program_id: i64,
    kind: &str,
    prompt: &str,
    options: &str,
    required: bool,
) -> QueryResult<usize> {
    let position: Option<i64> = questions::table
        .filter(questions::program_id.eq(program_id))
        .select(diesel::dsl::max(questions::position))
        .get_result(conn)?;
    diesel::insert_into(questions::table)
        .values((
            questions::program_id.eq(program_id),
            questions::position.eq(position.unwrap_or(0) + 1),
            questions::kind.eq(kind),
            questions::prompt.eq(prompt),
            questions::options.eq(options),
            questions::required.eq(required),
        ))
        .execute(conn)
}

pub fn delete_question(conn: &mut DbConnection, program_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(
        questions::table
            .filter(questions::id.eq(id))
            .filter(questions::program_id.eq(program_id)),
    )
    .execute(conn)
}
