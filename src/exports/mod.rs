//! CSV exports for planning: what each export holds, what it may be
//! narrowed to, and how it is written. The column names are an interface
//! (see the README); change them only as a breaking change.
//!
//! Every export is written row by row into any `Write` (a file, standard
//! output, or the HTTP body's channel), reading the database a page at a
//! time with a connection checked out per page: memory stays flat and a
//! slow reader holds no connection.

mod directory;
mod results;
mod sheet;
mod themes;

use std::io::Write;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::programs::{self, Program};
use crate::db::rounds::{self, Round};
use crate::db::{DbConnection, DbPool, tools};

use sheet::Sheet;
pub use sheet::neutralise;

/// What can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Summary,
    Priorities,
    Comments,
    Responses,
    Warnings,
    Questions,
    Directory,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Summary,
        Kind::Priorities,
        Kind::Comments,
        Kind::Responses,
        Kind::Warnings,
        Kind::Questions,
        Kind::Directory,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Summary => "summary",
            Kind::Priorities => "priorities",
            Kind::Comments => "comments",
            Kind::Responses => "responses",
            Kind::Warnings => "warnings",
            Kind::Questions => "questions",
            Kind::Directory => "directory",
        }
    }

    pub fn parse(raw: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// The header row, exactly.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Kind::Summary => &[
                "program",
                "round",
                "tool",
                "measure",
                "responses",
                "mean",
                "pct_favourable",
                "delta_prev",
                "baseline",
                "breach",
                "suppressed",
            ],
            Kind::Priorities => &[
                "program",
                "round",
                "tool",
                "theme",
                "property",
                "teams_affected",
                "respondents",
                "mean_score",
                "hours_lost",
                "impact",
                "forced",
                "horizon",
                "status",
                "theme_id",
                "severity",
                "proposals",
                "warning",
                "suppressed",
            ],
            Kind::Comments => &["program", "round", "tool", "kind", "theme", "team", "text"],
            Kind::Responses => &[
                "program",
                "round",
                "answer",
                "team",
                "tool",
                "security",
                "reliability",
                "usability",
                "efficiency",
                "latency",
                "satisfaction",
                "hours_lost",
            ],
            Kind::Warnings => &[
                "program",
                "round",
                "tool",
                "kind",
                "pain_theme",
                "proposal_theme",
                "message",
            ],
            Kind::Questions => &[
                "program",
                "round",
                "question",
                "kind",
                "answered",
                "choice",
                "count",
                "percent",
                "mean",
                "text",
                "team",
                "suppressed",
            ],
            Kind::Directory => &[
                "kind",
                "team",
                "tool",
                "name",
                "email",
                "category",
                "owner_team",
                "business_critical",
                "active",
                "created_at",
            ],
        }
    }

    /// Names every member: for admins only.
    pub fn admin_only(self) -> bool {
        self == Kind::Directory
    }

    /// Whether program, round and tool filters mean anything to it.
    pub fn filterable(self) -> bool {
        self != Kind::Directory
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::Summary => "Summary: each measure per round and tool",
            Kind::Priorities => "Priorities: pain themes per round, by impact",
            Kind::Comments => "Comments: every pain and proposal, with its theme",
            Kind::Responses => "Responses: each response's ratings per tool",
            Kind::Warnings => "Warnings: intuitive fixes, recurring proposals, breaches",
            Kind::Questions => "Questions: the answers to each program's extra questions",
            Kind::Directory => "Directory: teams, members, tools and adoption",
        }
    }
}

/// The filters as given (a form's or the command line's words); empty
/// means "all".
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub program: String,
    pub from: String,
    pub to: String,
    pub tool: String,
}

/// The filters, checked and resolved.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub program: Option<i64>,
    /// Round numbers, inclusive.
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub tool: Option<i64>,
}

fn round_number(raw: &str, which: &str) -> Result<Option<i64>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(format!(
            "The {which} round must be a round number (1 or more), not “{raw}”."
        )),
    }
}

/// Checks the filters against the database. `Ok(Err(message))` names what
/// is wrong, in words for the person who gave it.
pub fn resolve(conn: &mut DbConnection, f: &Filters) -> QueryResult<Result<Scope, String>> {
    let from = match round_number(&f.from, "first") {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    let to = match round_number(&f.to, "last") {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    if let (Some(a), Some(b)) = (from, to)
        && a > b
    {
        return Ok(Err(format!(
            "The first round ({a}) comes after the last ({b})."
        )));
    }
    let program = match f.program.trim() {
        "" => None,
        slug => match programs::find_by_slug(conn, slug)? {
            Some(p) => Some(p.id),
            None => return Ok(Err(format!("There is no program “{slug}”."))),
        },
    };
    let tool = match f.tool.trim() {
        "" => None,
        slug => match tools::find_by_slug(conn, slug)? {
            Some(t) => Some(t.id),
            None => return Ok(Err(format!("There is no tool “{slug}”."))),
        },
    };
    Ok(Ok(Scope {
        program,
        from,
        to,
        tool,
    }))
}

impl Scope {
    /// The rounds it covers with their program, by program slug and number.
    fn rounds(&self, conn: &mut DbConnection) -> QueryResult<Vec<(Program, Round)>> {
        let mut all: Vec<Program> = programs::list(conn)?
            .into_iter()
            .filter(|p| self.program.is_none_or(|id| id == p.id))
            .collect();
        all.sort_by(|a, b| a.slug.cmp(&b.slug));
        let mut out = Vec::new();
        for p in all {
            let mut rs = rounds::for_program(conn, p.id)?;
            rs.reverse();
            for r in rs {
                if self.from.is_none_or(|n| r.number >= n) && self.to.is_none_or(|n| r.number <= n)
                {
                    out.push((p.clone(), r));
                }
            }
        }
        Ok(out)
    }

    fn tools(&self) -> Option<Vec<i64>> {
        self.tool.map(|t| vec![t])
    }
}

/// Reads through the pool, one checkout per call.
struct Db<'a> {
    pool: &'a DbPool,
}

impl Db<'_> {
    fn with<T>(&self, work: impl FnOnce(&mut DbConnection) -> QueryResult<T>) -> anyhow::Result<T> {
        let mut conn = self.pool.get()?;
        Ok(work(&mut conn)?)
    }

    /// A round's responses a page at a time, in id order: `read` loads what
    /// a page of response ids needs (one checkout), `write` writes it.
    fn pages<T>(
        &self,
        round_id: i64,
        mut read: impl FnMut(&mut DbConnection, &[i64]) -> QueryResult<T>,
        mut write: impl FnMut(T) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut after = i64::MIN;
        loop {
            let page = self.with(|c| {
                let ids = crate::db::exports::response_ids(c, round_id, after, PAGE)?;
                match ids.last() {
                    None => Ok(None),
                    Some(&last) => Ok(Some((last, read(c, &ids)?))),
                }
            })?;
            let Some((last, rows)) = page else {
                return Ok(());
            };
            after = last;
            write(rows)?;
        }
    }
}

/// A team's slug where the round's anonymity rule lets it be named beside
/// answers about `tool` (`nameable`, from
/// `analytics::results::nameable_on_tools`), else "".
fn shown_team<'a>(
    tool: i64,
    team: Option<i64>,
    nameable: &std::collections::HashMap<(i64, i64), bool>,
    slugs: &'a std::collections::HashMap<i64, String>,
) -> &'a str {
    team.filter(|t| nameable.get(&(tool, *t)).copied().unwrap_or(false))
        .and_then(|t| slugs.get(&t))
        .map_or("", String::as_str)
}

/// How many responses one page reads.
const PAGE: i64 = 2000;

/// Writes export `kind` of what `scope` covers to `out`, with a byte order
/// mark first when `bom` (for spreadsheet apps that want one to read
/// UTF-8). Returns the rows written, the header not counted.
pub fn write(
    pool: &DbPool,
    kind: Kind,
    scope: &Scope,
    now: NaiveDateTime,
    bom: bool,
    out: impl Write,
) -> anyhow::Result<u64> {
    let mut sheet = Sheet::new(out, bom, kind.columns())?;
    let db = Db { pool };
    match kind {
        Kind::Summary => results::summary(&db, scope, now, &mut sheet)?,
        Kind::Responses => results::responses(&db, scope, &mut sheet)?,
        Kind::Priorities => themes::priorities(&db, scope, &mut sheet)?,
        Kind::Comments => themes::comments(&db, scope, &mut sheet)?,
        Kind::Warnings => themes::warnings(&db, scope, now, &mut sheet)?,
        Kind::Questions => results::questions(&db, scope, &mut sheet)?,
        Kind::Directory => directory::directory(&db, &mut sheet)?,
    }
    sheet.finish()
}
