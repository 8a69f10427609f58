//! What each team is asked in a round, kept in memory. A round's tools per
//! team and its questions are written once, when it opens, and never change
//! (round ids are never reused), so a respondent's form need not read them
//! on every request: two queries fewer per form and per answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use diesel::QueryResult;

use crate::db::DbConnection;
use crate::db::rounds::{self, RoundTool};
use crate::domain::survey::Question;

/// The parts of a form that are the same for every member of a team.
pub struct FormParts {
    pub tools: Vec<RoundTool>,
    pub questions: Vec<Question>,
}

/// Forms kept, by (round, team). Past `KEEP` entries the map starts afresh:
/// open rounds are few, so a full map is mostly rounds long closed.
#[derive(Default)]
pub struct Forms {
    kept: Mutex<HashMap<(i64, i64), Arc<FormParts>>>,
}

const KEEP: usize = 4096;

impl Forms {
    /// The form parts of `team` in `round_id`, read on first use.
    pub fn get(
        &self,
        conn: &mut DbConnection,
        round_id: i64,
        team_id: i64,
    ) -> QueryResult<Arc<FormParts>> {
        if let Some(parts) = self.kept.lock().expect("forms").get(&(round_id, team_id)) {
            return Ok(parts.clone());
        }
        let parts = Arc::new(FormParts {
            tools: rounds::tools_for_team(conn, round_id, team_id)?,
            questions: rounds::asked(conn, round_id)?,
        });
        let mut kept = self.kept.lock().expect("forms");
        if kept.len() >= KEEP {
            kept.clear();
        }
        kept.insert((round_id, team_id), parts.clone());
        Ok(parts)
    }
}
