//! Survey programs: saving their settings against the directory, their extra
//! questions, and what a round of theirs would include if it opened now.

use std::collections::{BTreeSet, HashSet};

use chrono::NaiveDateTime;
use diesel::QueryResult;
use diesel::result::Error as DieselError;

use crate::db::programs::{self, Program, ProgramFields};
use crate::db::{DbConnection, adoptions, teams, tools};
use crate::domain::FieldErrors;
use crate::domain::program::{Audience, NewQuestion, ProgramSettings, ToolChoice};

pub enum Saved {
    /// Saved; the program's slug.
    Program(String),
    /// Settings that the directory refuses (a slug taken, tools gone).
    Invalid(FieldErrors),
}

/// Creates (`editing` None) or updates a program, in one transaction.
pub fn save(
    conn: &mut DbConnection,
    editing: Option<i64>,
    s: &ProgramSettings,
    now: NaiveDateTime,
) -> Result<Saved, DieselError> {
    crate::db::write_transaction(conn, |conn| {
        let mut errors = FieldErrors::new();
        let tool_ids = match &s.tools {
            ToolChoice::AllInfrastructure => Vec::new(),
            ToolChoice::Chosen(slugs) => {
                let active: Vec<(i64, String)> = tools::list_active(conn)?
                    .into_iter()
                    .map(|t| (t.id, t.slug))
                    .collect();
                ids_of(&active, slugs, "tools", "tool", &mut errors)
            }
        };
        let team_ids = match &s.audience {
            Audience::AllUsingTeams => Vec::new(),
            Audience::Chosen(slugs) => {
                let active: Vec<(i64, String)> = teams::list_active(conn)?
                    .into_iter()
                    .map(|t| (t.id, t.slug))
                    .collect();
                ids_of(&active, slugs, "teams", "team", &mut errors)
            }
        };
        if programs::slug_taken(conn, s.slug.as_str(), editing)? {
            errors.insert(
                "slug",
                format!("Another program already has the slug '{}'.", s.slug),
            );
        }
        if !errors.is_empty() {
            return Ok(Saved::Invalid(errors));
        }
        let reminder_days = s.reminder_days_text();
        let fields = ProgramFields {
            slug: s.slug.as_str(),
            name: &s.name,
            intro: &s.intro,
            all_infra_tools: s.tools == ToolChoice::AllInfrastructure,
            all_using_teams: s.audience == Audience::AllUsingTeams,
            cadence: &s.cadence,
            open_days: s.open_days,
            reminder_days: &reminder_days,
            anonymity_k: s.anonymity_k,
            paused: s.paused,
            thank_on_close: s.thank_on_close,
        };
        programs::save(conn, editing, &fields, &tool_ids, &team_ids, now)?;
        Ok(Saved::Program(s.slug.to_string()))
    })
}

/// The ids of the ticked `slugs` among the active (id, slug) pairs; a slug
/// that is not among them (archived or deleted since the form was shown) is
/// an error on `field`.
fn ids_of(
    active: &[(i64, String)],
    slugs: &[String],
    field: &'static str,
    what: &str,
    errors: &mut FieldErrors,
) -> Vec<i64> {
    let ids: Vec<i64> = active
        .iter()
        .filter(|(_, slug)| slugs.contains(slug))
        .map(|(id, _)| *id)
        .collect();
    if ids.len() != slugs.len() {
        errors.insert(
            field,
            format!("A ticked {what} no longer exists or was archived; tick again."),
        );
    }
    ids
}

pub fn add_question(conn: &mut DbConnection, program_id: i64, q: &NewQuestion) -> QueryResult<()> {
    programs::add_question(
        conn,
        program_id,
        q.kind.as_str(),
        &q.prompt,
        &q.options.join("\n"),
        q.required,
    )
    .map(drop)
}

/// What a round of the program would include if it opened now.
pub struct Scope {
    /// Active tools asked about, by name.
    pub tools: Vec<tools::Tool>,
    /// (team, tool) pairs of active teams using an included tool.
    pub usage: Vec<(i64, i64)>,
    /// Active teams asked.
    pub audience: BTreeSet<i64>,
}

pub fn scope(
    conn: &mut DbConnection,
    program: &Program,
    infra_min_teams: u32,
) -> QueryResult<Scope> {
    let usage = adoptions::usage(conn, infra_min_teams)?;
    let chosen: HashSet<i64> = programs::chosen_tools(conn, program.id)?
        .into_iter()
        .collect();
    let tools: Vec<tools::Tool> = tools::list_active(conn)?
        .into_iter()
        .filter(|t| {
            if program.all_infra_tools {
                usage.get(&t.id).is_some_and(|u| u.infrastructure)
            } else {
                chosen.contains(&t.id)
            }
        })
        .collect();
    let included: HashSet<i64> = tools.iter().map(|t| t.id).collect();
    let active_teams: HashSet<i64> = teams::list_active(conn)?.iter().map(|t| t.id).collect();
    let pairs: Vec<(i64, i64)> = adoptions::all(conn)?
        .into_iter()
        .filter(|a| active_teams.contains(&a.team_id) && included.contains(&a.tool_id))
        .map(|a| (a.team_id, a.tool_id))
        .collect();
    let audience: BTreeSet<i64> = if program.all_using_teams {
        pairs.iter().map(|(team, _)| *team).collect()
    } else {
        programs::chosen_teams(conn, program.id)?
            .into_iter()
            .filter(|t| active_teams.contains(t))
            .collect()
    };
    let usage = pairs
        .into_iter()
        .filter(|(team, _)| audience.contains(team))
        .collect();
    Ok(Scope {
        tools,
        usage,
        audience,
    })
}
