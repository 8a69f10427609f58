//! Pain points versus proposals: a tool's themes side by side with their
//! warnings and the admin's triage, and the priorities page across tools.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::page::{self, FlashKind};
use super::tools_pages::find_tool;
use crate::analytics::priorities::{self, Filters};
use crate::analytics::themes::ensure_fresh;
use crate::analytics::triage::{self, Edit};
use crate::db::programs::{self, Program};
use crate::db::rounds::{self, Round};
use crate::db::tools;
use crate::domain::impact::IMPACT_FORMULA;
use crate::domain::survey::Property;
use crate::domain::themes::{Choice, Forced, Horizon, Status, parse_label};
use crate::web::csrf::CsrfForm;
use crate::web::error::AppError;
use crate::web::extract::{AdminAccount, SignedIn};
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct ThemesQuery {
    program: Option<String>,
    round: Option<i64>,
}

/// A choice list for a form: (value, label).
type Options = Vec<(&'static str, &'static str)>;

fn options<C: Choice>() -> Options {
    C::ALL.iter().map(|c| (c.as_str(), c.label())).collect()
}

fn property_options() -> Options {
    Property::ALL
        .iter()
        .map(|p| (p.field(), p.label()))
        .collect()
}

pub async fn tool_themes(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
    slug: web::Path<String>,
    query: web::Query<ThemesQuery>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let ThemesQuery { program, round } = query.into_inner();
    let found = state
        .db(move |conn| {
            let Some(tool) = tools::find_by_slug(conn, &slug)? else {
                return Ok(None);
            };
            ensure_fresh(conn, Some(&[tool.id]))?;
            let asked = rounds::asking_about(conn, tool.id)?;
            let mut asking: Vec<Program> = Vec::new();
            for r in asked.iter().rev() {
                if !asking.iter().any(|p| p.id == r.program_id) {
                    asking.extend(programs::find(conn, r.program_id)?);
                }
            }
            let chosen = match &program {
                Some(p) => match asking.iter().find(|a| &a.slug == p) {
                    Some(a) => Some(a.clone()),
                    None => return Ok(None),
                },
                None => asking.first().cloned(),
            };
            let rounds: Vec<Round> = asked
                .into_iter()
                .filter(|r| chosen.as_ref().is_some_and(|p| p.id == r.program_id))
                .collect();
            let selected = match round {
                Some(n) => match rounds.iter().find(|r| r.number == n) {
                    Some(r) => Some(r.clone()),
                    None => return Ok(None),
                },
                // The latest round with comments: one just opened has none.
                None => {
                    let commented = priorities::rounds_with_comments(conn, tool.id)?;
                    rounds
                        .iter()
                        .rev()
                        .find(|r| commented.contains(&r.id))
                        .or(rounds.last())
                        .cloned()
                }
            };
            let view = match &selected {
                Some(r) => Some(priorities::tool_themes(conn, tool.id, r)?),
                None => None,
            };
            Ok(Some((tool, asking, chosen, rounds, selected, view)))
        })
        .await?;
    let Some((tool, asking, chosen, rounds, selected, view)) = found else {
        return Err(AppError::NotFound);
    };
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("nav", "tools");
    ctx.insert("tool", &tool);
    ctx.insert("programs", &asking);
    ctx.insert("program", &chosen);
    ctx.insert("rounds", &rounds);
    ctx.insert("round", &selected);
    ctx.insert("view", &view);
    ctx.insert("formula", IMPACT_FORMULA);
    ctx.insert("forced_options", &options::<Forced>());
    ctx.insert("horizon_options", &options::<Horizon>());
    ctx.insert("status_options", &options::<Status>());
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("tool_themes.html", &ctx)?,
    ))
}

/// Reads one triage form: `action` says which edit, the other fields its
/// arguments. Every message says what to fix.
fn parse_edit(pairs: &[(String, String)]) -> Result<Edit, String> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
            .trim()
    };
    let id = |name: &str, what: &str| {
        field(name)
            .parse::<i64>()
            .map_err(|_| format!("Choose {what}."))
    };
    let tri = |raw: &str| match raw {
        "yes" => Ok(Some(true)),
        "no" => Ok(Some(false)),
        "auto" => Ok(None),
        _ => Err("Choose yes, no, or automatic.".to_owned()),
    };
    match field("action") {
        "rename" => match field("label") {
            "" => Ok(Edit::Rename(None)),
            raw => Ok(Edit::Rename(Some(parse_label(raw)?))),
        },
        "merge" => Ok(Edit::Merge {
            into: id("into", "the theme to merge into")?,
        }),
        "split" => {
            let mut comments = Vec::new();
            for (k, v) in pairs.iter().filter(|(k, _)| k == "comment") {
                let _ = k;
                comments.push(
                    v.trim()
                        .parse::<i64>()
                        .map_err(|_| "A chosen comment is not one of this theme's.".to_owned())?,
                );
            }
            Ok(Edit::Split {
                comments,
                label: parse_label(field("label"))?,
            })
        }
        "move" => Ok(Edit::Move {
            comment: id("comment", "a comment to move")?,
            to: id("to", "the theme to move it to")?,
        }),
        "replace" => Ok(Edit::Replace(tri(field("replace"))?)),
        "link" => Ok(Edit::Link {
            other: id("other", "a theme to link")?,
            linked: tri(field("linked"))?,
        }),
        "tags" => {
            let pick = |name: &str| -> Result<Option<&str>, String> {
                Ok(match field(name) {
                    "" => None,
                    v => Some(v),
                })
            };
            let forced = pick("forced")?
                .map(|v| Forced::parse(v).ok_or("Choose forced or discretionary."))
                .transpose()?;
            let horizon = pick("horizon")?
                .map(|v| Horizon::parse(v).ok_or("Choose short- or long-term."))
                .transpose()?;
            let status = Status::parse(field("status")).ok_or("Choose a status.")?;
            Ok(Edit::Tags {
                forced,
                horizon,
                status,
            })
        }
        _ => Err("That edit is not one this page offers.".to_owned()),
    }
}

/// An admin's edit to one theme (rename, merge, split, move a comment,
/// replace, link, tags).
pub async fn edit_theme(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    path: web::Path<(String, i64)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (slug, theme_id) = path.into_inner();
    let back_query = pairs
        .iter()
        .find(|(k, _)| k == "back")
        .map(|(_, v)| v.clone())
        .filter(|v| {
            v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"=&-_".contains(&b))
        })
        .unwrap_or_default();
    let tool = find_tool(&state, slug).await?;
    let back = format!("/tools/{}/themes?{back_query}", tool.slug);
    let edit = parse_edit(&pairs)
        .map_err(|message| AppError::BadRequest(format!("Nothing was changed: {message}")))?;
    let tool_id = tool.id;
    let what = edit.clone();
    let outcome = state
        .db(move |conn| Ok(triage::apply(conn, tool_id, theme_id, &what)?))
        .await?;
    match outcome {
        Ok(_) => page::flash(&session, FlashKind::Success, done_message(&edit)),
        Err(triage::Refused::NoTheme) => return Err(AppError::NotFound),
        Err(refused) => {
            return Err(AppError::BadRequest(format!(
                "Nothing was changed: {refused}"
            )));
        }
    }
    Ok(page::see_other(&format!("{back}#theme-{theme_id}")))
}

fn done_message(edit: &Edit) -> String {
    match edit {
        Edit::Rename(Some(l)) => format!("Renamed the theme “{l}”."),
        Edit::Rename(None) => "The theme takes its words' label again.".into(),
        Edit::Merge { .. } => {
            "Merged the themes; new comments like either join the merged one.".into()
        }
        Edit::Split { label, comments } => format!(
            "Split {} comment{} off into “{label}”.",
            comments.len(),
            if comments.len() == 1 { "" } else { "s" }
        ),
        Edit::Move { .. } => "Moved the comment; it stays where you put it.".into(),
        Edit::Replace(_) => "Saved whether the proposal replaces the tool.".into(),
        Edit::Link { .. } => "Saved the link.".into(),
        Edit::Tags { .. } => "Saved the tags and status.".into(),
    }
}

/// Regroups every comment of a tool, keeping the admins' edits.
pub async fn regroup(
    state: web::Data<AppState>,
    session: Session,
    _admin: AdminAccount,
    slug: web::Path<String>,
    CsrfForm(_): CsrfForm<page::NoFields>,
) -> Result<HttpResponse, AppError> {
    let tool = find_tool(&state, slug.into_inner()).await?;
    let id = tool.id;
    state.db(move |conn| Ok(triage::regroup(conn, id)?)).await?;
    page::flash(
        &session,
        FlashKind::Success,
        format!(
            "Regrouped every comment about {}; your edits were kept.",
            tool.name
        ),
    );
    Ok(page::see_other(&format!("/tools/{}/themes", tool.slug)))
}

#[derive(Deserialize, Serialize, Default)]
pub struct PrioritiesQuery {
    #[serde(default)]
    program: String,
    #[serde(default)]
    tool: String,
    #[serde(default)]
    property: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    status: String,
}

/// Pain themes across tools, ranked by impact, with filters.
pub async fn priorities_page(
    state: web::Data<AppState>,
    session: Session,
    SignedIn(account): SignedIn,
    query: web::Query<PrioritiesQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let bad = |what: &str| AppError::BadRequest(format!("Unknown {what} in the filter."));
    if !query.property.is_empty() && !Property::ALL.iter().any(|p| p.field() == query.property) {
        return Err(bad("property"));
    }
    if !query.tag.is_empty()
        && Forced::parse(&query.tag).is_none()
        && Horizon::parse(&query.tag).is_none()
    {
        return Err(bad("tag"));
    }
    if !query.status.is_empty() && Status::parse(&query.status).is_none() {
        return Err(bad("status"));
    }
    let q = (query.program.clone(), query.tool.clone());
    let mut filters = Filters {
        property: Some(query.property.clone()).filter(|s| !s.is_empty()),
        tag: Some(query.tag.clone()).filter(|s| !s.is_empty()),
        status: Some(query.status.clone()).filter(|s| !s.is_empty()),
        ..Filters::default()
    };
    let found = state
        .db(move |conn| {
            ensure_fresh(conn, None)?;
            let all_programs = programs::list(conn)?;
            let all_tools = tools::list_active(conn)?;
            if !q.0.is_empty() {
                match all_programs.iter().find(|p| p.slug == q.0) {
                    Some(p) => filters.program = Some(p.id),
                    None => return Ok(None),
                }
            }
            if !q.1.is_empty() {
                match tools::find_by_slug(conn, &q.1)? {
                    Some(t) => filters.tool = Some(t.id),
                    None => return Ok(None),
                }
            }
            let rows = priorities::priorities(conn, &filters)?;
            Ok(Some((rows, all_programs, all_tools)))
        })
        .await?;
    let Some((rows, all_programs, all_tools)) = found else {
        return Err(AppError::BadRequest(
            "Unknown program or tool in the filter.".into(),
        ));
    };
    let mut tags = options::<Forced>();
    tags.extend(options::<Horizon>());
    let mut ctx = page::context(&session, Some(&account))?;
    ctx.insert("nav", "priorities");
    ctx.insert("rows", &rows);
    ctx.insert("programs", &all_programs);
    ctx.insert("tools", &all_tools);
    ctx.insert("query", &query);
    ctx.insert("property_options", &property_options());
    ctx.insert("tag_options", &tags);
    ctx.insert("status_options", &options::<Status>());
    ctx.insert("formula", IMPACT_FORMULA);
    Ok(page::html(
        StatusCode::OK,
        state.templates.render("priorities.html", &ctx)?,
    ))
}
