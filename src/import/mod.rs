//! Loading the directory from CSV: teams (`slug,name,description`), tools
//! (`slug,name,category,owner_team`), members (`email,name,team`) and
//! adoption (`team,tool,business_critical`).
//!
//! An import is planned against the directory as it is (no writes), so the
//! admin sees every row's error and what would change; committing plans again
//! inside one transaction and writes only when no row has an error. Rows are
//! upserted by slug, email or (team, tool): importing the same file twice
//! changes nothing the second time.

pub mod csv_file;
mod plan;

use chrono::NaiveDateTime;
use serde::Serialize;

pub use csv_file::{FileError, RowError};
pub use plan::Directory;

use crate::db::DbConnection;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Teams,
    Tools,
    Members,
    Adoption,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Teams, Kind::Tools, Kind::Members, Kind::Adoption];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Teams => "teams",
            Kind::Tools => "tools",
            Kind::Members => "members",
            Kind::Adoption => "adoption",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Kind::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Kind::Teams => &["slug", "name", "description"],
            Kind::Tools => &["slug", "name", "category", "owner_team"],
            Kind::Members => &["email", "name", "team"],
            Kind::Adoption => &["team", "tool", "business_critical"],
        }
    }
}

/// Where an import comes from, so its advice names what that person can
/// change: a checkbox on the page, or a flag on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Web,
    Cli,
}

impl Surface {
    fn create_teams_hint(self) -> &'static str {
        match self {
            Surface::Web => "tick \"Create teams the file names that do not exist yet\"",
            Surface::Cli => "add --create-teams",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Unchanged,
}

/// One row as the preview shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RowChange {
    pub line: u64,
    pub action: Action,
    pub summary: String,
}

/// What an import would do, or did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub teams_created: Vec<String>,
    pub errors: Vec<RowError>,
    /// Rows that create or update something, in file order.
    pub changes: Vec<RowChange>,
}

impl Outcome {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// Rows with at least one error (a row can have several).
    pub fn rows_with_errors(&self) -> usize {
        let mut lines: Vec<u64> = self.errors.iter().map(|e| e.line).collect();
        lines.dedup();
        lines.len()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{} of {} rows have errors; nothing was imported.", .0.rows_with_errors(), .0.rows)]
    Rows(Outcome),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// What importing `bytes` would do, without writing anything.
pub fn preview(
    conn: &mut DbConnection,
    kind: Kind,
    bytes: &[u8],
    create_teams: bool,
    surface: Surface,
) -> Result<Outcome, ImportError> {
    let (rows, file_errors) = csv_file::read(bytes, kind.columns())?;
    let directory = Directory::load(conn)?;
    let options = plan::Options {
        create_teams,
        hint: surface.create_teams_hint(),
    };
    Ok(plan::plan(kind, &rows, file_errors, &directory, options).outcome)
}

/// Imports `bytes` in one transaction: everything, or (on any row error)
/// nothing. `progress` is told how many of how many rows are written.
#[allow(clippy::too_many_arguments)]
pub fn commit(
    conn: &mut DbConnection,
    kind: Kind,
    bytes: &[u8],
    create_teams: bool,
    surface: Surface,
    now: NaiveDateTime,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Outcome, ImportError> {
    let (rows, file_errors) = csv_file::read(bytes, kind.columns())?;
    let options = plan::Options {
        create_teams,
        hint: surface.create_teams_hint(),
    };
    crate::db::write_transaction(conn, |conn| {
        let directory = Directory::load(conn)?;
        let plan = plan::plan(kind, &rows, file_errors, &directory, options);
        if !plan.outcome.is_clean() {
            return Err(ImportError::Rows(plan.outcome));
        }
        plan.apply(conn, now, progress)?;
        Ok(plan.outcome)
    })
}
