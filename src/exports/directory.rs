//! `directory`: teams, then members, tools and adoption, one record a row
//! and `kind` saying which. The columns a kind does not use stay empty;
//! each kind's columns match what its CSV import reads.

use std::collections::HashMap;
use std::io::Write;

use super::results::{team_slugs, tool_slugs};
use super::{Db, Sheet};
use crate::db::{adoptions, members, teams, tools};

/// ISO 8601, UTC.
fn timestamp(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(super) fn directory<W: Write>(db: &Db, sheet: &mut Sheet<W>) -> anyhow::Result<()> {
    let team_slug = team_slugs(db)?;
    let tool_slug = tool_slugs(db)?;
    let slug = |map: &HashMap<i64, String>, id: i64| map.get(&id).cloned().unwrap_or_default();
    let mut all_teams = db.with(teams::list)?;
    all_teams.sort_by(|a, b| a.slug.cmp(&b.slug));
    for t in &all_teams {
        sheet
            .text("team")?
            .text(&t.slug)?
            .empty()?
            .text(&t.name)?
            .empty()?
            .empty()?
            .empty()?
            .empty()?
            .flag(t.active)?
            .text(&timestamp(t.created_at))?
            .end()?;
    }
    let mut people = db.with(members::all)?;
    people.sort_by(|a, b| a.email.cmp(&b.email));
    for m in &people {
        sheet
            .text("member")?
            .text(&slug(&team_slug, m.team_id))?
            .empty()?
            .text(&m.name)?
            .text(&m.email)?
            .empty()?
            .empty()?
            .empty()?
            .flag(m.active)?
            .text(&timestamp(m.created_at))?
            .end()?;
    }
    let mut all_tools = db.with(tools::all)?;
    all_tools.sort_by(|a, b| a.slug.cmp(&b.slug));
    for t in &all_tools {
        sheet
            .text("tool")?
            .empty()?
            .text(&t.slug)?
            .text(&t.name)?
            .empty()?
            .text(&t.category)?
            .text(&slug(&team_slug, t.owner_team_id))?
            .empty()?
            .flag(t.active)?
            .text(&timestamp(t.created_at))?
            .end()?;
    }
    let mut uses = db.with(adoptions::all)?;
    uses.sort_by_key(|a| (slug(&team_slug, a.team_id), slug(&tool_slug, a.tool_id)));
    for a in &uses {
        sheet
            .text("adoption")?
            .text(&slug(&team_slug, a.team_id))?
            .text(&slug(&tool_slug, a.tool_id))?
            .empty()?
            .empty()?
            .empty()?
            .empty()?
            .flag(a.business_critical)?
            .empty()?
            .text(&timestamp(a.created_at))?
            .end()?;
    }
    Ok(())
}
