//! Turning validated rows into writes, against a snapshot of the directory.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::csv_file::{CsvRow, RowError};
use super::{Action, Kind, Outcome, RowChange};
use crate::db::categories::{self, Category};
use crate::db::members::{self, MemberFields};
use crate::db::{DbConnection, adoptions, teams, tools};
use crate::domain::account::{EmailAddress, PersonName};
use crate::domain::directory::{NamedThing, Slug, parse_flag, parse_named};

/// The directory as an import sees it: lookups by slug, name and email.
pub struct Directory {
    teams: Vec<teams::Team>,
    tools: Vec<tools::Tool>,
    categories: Vec<Category>,
    members: HashMap<String, members::Member>,
    adoptions: HashMap<(i64, i64), bool>,
}

impl Directory {
    pub fn load(conn: &mut DbConnection) -> QueryResult<Self> {
        Ok(Directory {
            teams: teams::list(conn)?,
            tools: tools::all(conn)?,
            categories: categories::list(conn)?,
            members: members::all(conn)?
                .into_iter()
                .map(|m| (m.email.clone(), m))
                .collect(),
            adoptions: adoptions::all(conn)?
                .into_iter()
                .map(|a| ((a.team_id, a.tool_id), a.business_critical))
                .collect(),
        })
    }

    /// A team by slug, by name (case-insensitively), or by the slug its name makes.
    fn team(&self, value: &str) -> Option<&teams::Team> {
        let lower = value.to_lowercase();
        let derived = Slug::from_name(value);
        self.teams
            .iter()
            .find(|t| t.slug == lower)
            .or_else(|| self.teams.iter().find(|t| t.name.to_lowercase() == lower))
            .or_else(|| derived.and_then(|s| self.teams.iter().find(|t| t.slug == s.as_str())))
    }

    fn tool(&self, value: &str) -> Option<&tools::Tool> {
        let lower = value.to_lowercase();
        self.tools
            .iter()
            .find(|t| t.slug == lower)
            .or_else(|| self.tools.iter().find(|t| t.name.to_lowercase() == lower))
    }
}

/// A team a row refers to: one that exists, or one this import creates.
#[derive(Debug, Clone, Copy)]
enum TeamRef {
    Existing(i64),
    New(usize),
}

enum Write {
    Team {
        existing: Option<i64>,
        named: NamedThing,
    },
    Tool {
        existing: Option<i64>,
        named: NamedThing,
        category: String,
        owner: TeamRef,
    },
    Member {
        existing: Option<i64>,
        email: String,
        name: String,
        team: TeamRef,
    },
    Adoption {
        team: TeamRef,
        tool_id: i64,
        critical: bool,
    },
}

pub struct Plan {
    new_teams: Vec<NamedThing>,
    writes: Vec<Write>,
    pub outcome: Outcome,
}

/// How an import treats teams it does not know.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub create_teams: bool,
    /// What to tell the person importing to make it create them.
    pub hint: &'static str,
}

struct Planner<'a> {
    directory: &'a Directory,
    options: Options,
    new_teams: Vec<NamedThing>,
    outcome: Outcome,
}

impl Planner<'_> {
    fn error(&mut self, line: u64, column: &'static str, message: String) {
        self.outcome.errors.push(RowError {
            line,
            column: Some(column),
            message,
        });
    }

    /// The team `value` names, from the file's `column`.
    fn team(&mut self, line: u64, column: &'static str, value: &str) -> Option<TeamRef> {
        if value.is_empty() {
            self.error(line, column, "The team is missing.".into());
            return None;
        }
        if let Some(team) = self.directory.team(value) {
            if !team.active {
                self.error(
                    line,
                    column,
                    format!("The team '{}' is archived.", team.name),
                );
                return None;
            }
            return Some(TeamRef::Existing(team.id));
        }
        if !self.options.create_teams {
            self.error(
                line,
                column,
                format!(
                    "There is no team '{value}'. Create it first, or {}.",
                    self.options.hint
                ),
            );
            return None;
        }
        let named = match parse_named(value, "", "") {
            Ok(named) => named,
            Err(errors) => {
                let message = errors
                    .into_iter()
                    .map(|(_, m)| m)
                    .collect::<Vec<_>>()
                    .join(" ");
                self.error(
                    line,
                    column,
                    format!("A team cannot be created from '{value}': {message}"),
                );
                return None;
            }
        };
        if let Some(i) = self.new_teams.iter().position(|t| t.slug == named.slug) {
            return Some(TeamRef::New(i));
        }
        self.outcome.teams_created.push(named.name.clone());
        self.new_teams.push(named);
        Some(TeamRef::New(self.new_teams.len() - 1))
    }

    fn count(&mut self, line: u64, action: Action, summary: String) {
        match action {
            Action::Create => self.outcome.created += 1,
            Action::Update => self.outcome.updated += 1,
            Action::Unchanged => self.outcome.unchanged += 1,
        }
        if action != Action::Unchanged {
            self.outcome.changes.push(RowChange {
                line,
                action,
                summary,
            });
        }
    }
}

pub fn plan(
    kind: Kind,
    rows: &[CsvRow],
    file_errors: Vec<RowError>,
    directory: &Directory,
    options: Options,
) -> Plan {
    let mut planner = Planner {
        directory,
        options,
        new_teams: Vec::new(),
        outcome: Outcome {
            rows: rows.len() + file_errors.len(),
            errors: file_errors,
            ..Outcome::default()
        },
    };
    let writes = match kind {
        Kind::Teams => plan_teams(&mut planner, rows),
        Kind::Tools => plan_tools(&mut planner, rows),
        Kind::Members => plan_members(&mut planner, rows),
        Kind::Adoption => plan_adoption(&mut planner, rows),
    };
    planner.outcome.errors.sort_by_key(|e| e.line);
    Plan {
        new_teams: planner.new_teams,
        writes,
        outcome: planner.outcome,
    }
}

/// Reports `parse_named`'s problems under the import's own column names.
fn named_or_errors(
    p: &mut Planner,
    line: u64,
    name: &str,
    slug: &str,
    description: &str,
) -> Option<NamedThing> {
    parse_named(name, slug, description)
        .map_err(|errors| {
            for (field, message) in errors {
                p.error(line, field, message);
            }
        })
        .ok()
}

/// A slug seen on an earlier line of the same file is an error.
fn once(p: &mut Planner, seen: &mut HashMap<String, u64>, line: u64, slug: &Slug) -> bool {
    match seen.insert(slug.to_string(), line) {
        Some(first) => {
            p.error(
                line,
                "slug",
                format!("The slug {slug} already appears on line {first}."),
            );
            false
        }
        None => true,
    }
}

fn plan_teams(p: &mut Planner, rows: &[CsvRow]) -> Vec<Write> {
    let mut seen = HashMap::new();
    let mut writes = Vec::new();
    for row in rows {
        let [slug, name, description] = [&row.fields[0], &row.fields[1], &row.fields[2]];
        let Some(named) = named_or_errors(p, row.line, name, slug, description) else {
            continue;
        };
        if !once(p, &mut seen, row.line, &named.slug) {
            continue;
        }
        let existing = p
            .directory
            .teams
            .iter()
            .find(|t| t.slug == named.slug.as_str());
        let action = match existing {
            None => Action::Create,
            Some(t) if t.name == named.name && t.description == named.description => {
                Action::Unchanged
            }
            Some(_) => Action::Update,
        };
        p.count(row.line, action, format!("{} · {}", named.slug, named.name));
        if action != Action::Unchanged {
            writes.push(Write::Team {
                existing: existing.map(|t| t.id),
                named,
            });
        }
    }
    writes
}

fn plan_tools(p: &mut Planner, rows: &[CsvRow]) -> Vec<Write> {
    let mut seen = HashMap::new();
    let mut writes = Vec::new();
    for row in rows {
        let [slug, name, category, owner] = [
            &row.fields[0],
            &row.fields[1],
            &row.fields[2],
            &row.fields[3],
        ];
        let named = named_or_errors(p, row.line, name, slug, "");
        let existing = named
            .as_ref()
            .and_then(|n| p.directory.tools.iter().find(|t| t.slug == n.slug.as_str()));
        // An update keeps the description the tool has; a new tool has none.
        let named = named.map(|n| NamedThing {
            description: existing.map(|t| t.description.clone()).unwrap_or_default(),
            ..n
        });
        let category = categories::lookup(&p.directory.categories, category)
            .map(|c| c.key)
            .or_else(|| {
                let listed: Vec<&str> = p
                    .directory
                    .categories
                    .iter()
                    .map(|c| c.key.as_str())
                    .collect();
                p.error(
                    row.line,
                    "category",
                    format!(
                        "There is no category '{category}'. Use one of: {}.",
                        listed.join(", ")
                    ),
                );
                None
            });
        let owner_ref = p.team(row.line, "owner_team", owner);
        // A slug seen twice is an error even when other cells are wrong too.
        let first = named
            .as_ref()
            .is_some_and(|n| once(p, &mut seen, row.line, &n.slug));
        let (true, Some(named), Some(category), Some(owner)) = (first, named, category, owner_ref)
        else {
            continue;
        };
        let action = match (existing, owner) {
            (None, _) => Action::Create,
            (Some(t), TeamRef::Existing(owner_id))
                if t.name == named.name
                    && t.category == category
                    && t.owner_team_id == owner_id =>
            {
                Action::Unchanged
            }
            (Some(_), _) => Action::Update,
        };
        p.count(row.line, action, format!("{} · {}", named.slug, named.name));
        if action != Action::Unchanged {
            writes.push(Write::Tool {
                existing: existing.map(|t| t.id),
                named,
                category,
                owner,
            });
        }
    }
    writes
}

fn plan_members(p: &mut Planner, rows: &[CsvRow]) -> Vec<Write> {
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut writes = Vec::new();
    for row in rows {
        let [email, name, team] = [&row.fields[0], &row.fields[1], &row.fields[2]];
        let email = EmailAddress::parse(email)
            .map_err(|e| p.error(row.line, "email", format!("The email {e}.")))
            .ok();
        let name = PersonName::parse(name)
            .map_err(|e| p.error(row.line, "name", format!("The name {e}.")))
            .ok();
        let team = p.team(row.line, "team", team);
        let (Some(email), Some(name), Some(team)) = (email, name, team) else {
            continue;
        };
        if let Some(first) = seen.insert(email.as_str().to_owned(), row.line) {
            p.error(
                row.line,
                "email",
                format!("{email} already appears on line {first}."),
            );
            continue;
        }
        let existing = p.directory.members.get(email.as_str());
        let action = match (existing, team) {
            (None, _) => Action::Create,
            (Some(m), TeamRef::Existing(team_id))
                if m.name == name.as_str() && m.team_id == team_id && m.active =>
            {
                Action::Unchanged
            }
            (Some(_), _) => Action::Update,
        };
        p.count(row.line, action, format!("{email} · {}", name.as_str()));
        if action != Action::Unchanged {
            writes.push(Write::Member {
                existing: existing.map(|m| m.id),
                email: email.as_str().to_owned(),
                name: name.as_str().to_owned(),
                team,
            });
        }
    }
    writes
}

fn plan_adoption(p: &mut Planner, rows: &[CsvRow]) -> Vec<Write> {
    let mut seen: HashMap<(String, i64), u64> = HashMap::new();
    let mut writes = Vec::new();
    for row in rows {
        let [team_value, tool_value, flag] = [&row.fields[0], &row.fields[1], &row.fields[2]];
        let team = p.team(row.line, "team", team_value);
        let tool = match p.directory.tool(tool_value) {
            Some(tool) if tool.active => Some(tool),
            Some(tool) => {
                p.error(
                    row.line,
                    "tool",
                    format!("The tool '{}' is archived.", tool.name),
                );
                None
            }
            None => {
                p.error(
                    row.line,
                    "tool",
                    format!("There is no tool '{tool_value}'. Add tools on the Tools page first."),
                );
                None
            }
        };
        let critical = parse_flag(flag)
            .map_err(|e| {
                p.error(
                    row.line,
                    "business_critical",
                    format!("business_critical: {e}."),
                )
            })
            .ok();
        let (Some(team), Some(tool), Some(critical)) = (team, tool, critical) else {
            continue;
        };
        let team_key = match team {
            TeamRef::Existing(id) => format!("id:{id}"),
            TeamRef::New(i) => format!("new:{i}"),
        };
        if let Some(first) = seen.insert((team_key, tool.id), row.line) {
            p.error(
                row.line,
                "tool",
                format!("This team and tool already appear on line {first}."),
            );
            continue;
        }
        let current = match team {
            TeamRef::Existing(id) => p.directory.adoptions.get(&(id, tool.id)).copied(),
            TeamRef::New(_) => None,
        };
        let action = match current {
            None => Action::Create,
            Some(c) if c == critical => Action::Unchanged,
            Some(_) => Action::Update,
        };
        let usage = if critical {
            "business-critical"
        } else {
            "not critical"
        };
        p.count(
            row.line,
            action,
            format!("{team_value} uses {} ({usage})", tool.name),
        );
        if action != Action::Unchanged {
            writes.push(Write::Adoption {
                team,
                tool_id: tool.id,
                critical,
            });
        }
    }
    writes
}

impl Plan {
    pub fn apply(
        &self,
        conn: &mut DbConnection,
        now: NaiveDateTime,
        progress: &mut dyn FnMut(usize, usize),
    ) -> QueryResult<()> {
        let mut new_team_ids = Vec::with_capacity(self.new_teams.len());
        for team in &self.new_teams {
            new_team_ids.push(teams::insert(conn, team, now)?.id);
        }
        let team_id = |t: TeamRef| match t {
            TeamRef::Existing(id) => id,
            TeamRef::New(i) => new_team_ids[i],
        };
        for (done, write) in self.writes.iter().enumerate() {
            match write {
                Write::Team { existing, named } => match existing {
                    Some(id) => teams::update(conn, *id, named, now).map(drop)?,
                    None => teams::insert(conn, named, now).map(drop)?,
                },
                Write::Tool {
                    existing,
                    named,
                    category,
                    owner,
                } => {
                    let fields = tools::ToolFields {
                        named,
                        category,
                        owner_team_id: team_id(*owner),
                    };
                    match existing {
                        Some(id) => tools::update(conn, *id, &fields, now).map(drop)?,
                        None => tools::insert(conn, &fields, now).map(drop)?,
                    }
                }
                Write::Member {
                    existing,
                    email,
                    name,
                    team,
                } => {
                    let fields = MemberFields {
                        email,
                        name,
                        team_id: team_id(*team),
                        active: true,
                    };
                    match existing {
                        Some(id) => members::update(conn, *id, &fields, now).map(drop)?,
                        None => members::insert(conn, &fields, now).map(drop)?,
                    }
                }
                Write::Adoption {
                    team,
                    tool_id,
                    critical,
                } => {
                    adoptions::set(conn, team_id(*team), *tool_id, Some(*critical), now)?;
                }
            }
            if done % 100 == 99 {
                progress(done + 1, self.writes.len());
            }
        }
        progress(self.writes.len(), self.writes.len());
        Ok(())
    }
}
