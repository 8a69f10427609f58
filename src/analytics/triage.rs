//! An admin's edits to a tool's themes. Each is kept where regrouping
//! cannot undo it: names and tags on the theme, placements as pinned
//! members (which also pull similar new comments into their theme), links
//! as decided pairs. After an edit the tool is refreshed, so labels,
//! links, figures and warnings follow at once.

use diesel::QueryResult;

use super::themes::{Mode, refresh};
use crate::db::themes::{self, Theme};
use crate::db::{DbConnection, write_transaction};
use crate::domain::anonymity::comment_handle;
use crate::domain::themes::{Forced, Horizon, Kind, Status};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// A name of the admin's; `None` gives the grouping's label back.
    Rename(Option<String>),
    /// Every comment of this theme into `into`, then this theme goes.
    Merge { into: i64 },
    /// These comments (their handles, `domain::anonymity::comment_handle`)
    /// into a new theme named `label`.
    Split { comments: Vec<i64>, label: String },
    /// One comment of this theme (by its handle) into `to`.
    Move { comment: i64, to: i64 },
    /// Mark (true) or unmark (false) a proposal as a replace, or let the
    /// grouping decide (`None`).
    Replace(Option<bool>),
    /// Link a proposal to a pain (true), unlink (false), or let the
    /// grouping decide (`None`). On a pain theme, `other` is the proposal.
    Link { other: i64, linked: Option<bool> },
    Tags {
        forced: Option<Forced>,
        horizon: Option<Horizon>,
        status: Status,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("That theme does not exist (any more). Reload the page.")]
    NoTheme,
    #[error("Both themes must belong to this tool and both be pains or both proposals.")]
    Mismatch,
    #[error("A theme cannot be merged into itself.")]
    SameTheme,
    #[error("Pick at least one comment to split off, and not all of them.")]
    SplitSize,
    #[error("That comment is not in this theme (any more). Reload the page.")]
    NotMember,
    #[error("Only a proposal can be marked as a replace.")]
    NotProposal,
    #[error("Links join a proposal and a pain of the same tool.")]
    BadLink,
    #[error("Forced, discretionary and the horizon are for pain themes.")]
    TagsOnProposal,
}

/// Applies `edit` to theme `theme_id` of tool `tool_id`, then refreshes the
/// tool. Returns what the edit made (the new theme of a split).
pub fn apply(
    conn: &mut DbConnection,
    tool_id: i64,
    theme_id: i64,
    edit: &Edit,
) -> QueryResult<Result<Option<i64>, Refused>> {
    let outcome = write_transaction(conn, |conn| {
        themes::lock_tool(conn, tool_id)?;
        let result = edit_locked(conn, tool_id, theme_id, edit)?;
        if result.is_ok() {
            themes::bump_revision(conn, tool_id)?;
        }
        Ok::<_, diesel::result::Error>(result)
    })?;
    if outcome.is_ok() {
        refresh(conn, tool_id, Mode::Incremental)?;
    }
    Ok(outcome)
}

fn theme_of(conn: &mut DbConnection, tool_id: i64, id: i64) -> QueryResult<Option<Theme>> {
    Ok(themes::find(conn, id)?.filter(|t| t.tool_id == tool_id))
}

/// The response whose comment a page showed as `handle`, among a theme's
/// members (response, pinned).
fn member_by_handle(tool_id: i64, members: &[(i64, bool)], handle: i64) -> Option<i64> {
    members
        .iter()
        .map(|(r, _)| *r)
        .find(|&r| comment_handle(tool_id, r) == handle)
}

fn edit_locked(
    conn: &mut DbConnection,
    tool_id: i64,
    theme_id: i64,
    edit: &Edit,
) -> QueryResult<Result<Option<i64>, Refused>> {
    let Some(theme) = theme_of(conn, tool_id, theme_id)? else {
        return Ok(Err(Refused::NoTheme));
    };
    let is_proposal = theme.kind == Kind::Proposal.as_str();
    match edit {
        Edit::Rename(label) => {
            themes::set_custom_label(conn, theme.id, label.as_deref())?;
        }
        Edit::Merge { into } => {
            if *into == theme.id {
                return Ok(Err(Refused::SameTheme));
            }
            let Some(target) = theme_of(conn, tool_id, *into)? else {
                return Ok(Err(Refused::Mismatch));
            };
            if target.kind != theme.kind {
                return Ok(Err(Refused::Mismatch));
            }
            // Both sides pinned: a regrouping keeps them together, and new
            // comments like either join the merged theme.
            themes::pin_all(conn, target.id, target.id)?;
            themes::pin_all(conn, theme.id, target.id)?;
            themes::move_manual_links(conn, theme.id, target.id)?;
            themes::delete(conn, &[theme.id])?;
        }
        Edit::Split { comments, label } => {
            let members = themes::members_of(conn, theme.id)?;
            if comments.is_empty() || comments.len() >= members.len() {
                return Ok(Err(Refused::SplitSize));
            }
            let Some(responses) = comments
                .iter()
                .map(|&c| member_by_handle(tool_id, &members, c))
                .collect::<Option<Vec<i64>>>()
            else {
                return Ok(Err(Refused::NotMember));
            };
            let new = themes::insert_split(conn, &theme, label)?;
            themes::pin_all(conn, theme.id, theme.id)?;
            for r in responses {
                themes::pin(conn, tool_id, &theme.kind, r, new)?;
            }
            return Ok(Ok(Some(new)));
        }
        Edit::Move { comment, to } => {
            let Some(target) = theme_of(conn, tool_id, *to)? else {
                return Ok(Err(Refused::Mismatch));
            };
            if target.kind != theme.kind {
                return Ok(Err(Refused::Mismatch));
            }
            let members = themes::members_of(conn, theme.id)?;
            let Some(response) = member_by_handle(tool_id, &members, *comment) else {
                return Ok(Err(Refused::NotMember));
            };
            themes::pin(conn, tool_id, &theme.kind, response, target.id)?;
        }
        Edit::Replace(value) => {
            if !is_proposal {
                return Ok(Err(Refused::NotProposal));
            }
            themes::set_replace_override(conn, theme.id, *value)?;
        }
        Edit::Link { other, linked } => {
            let Some(other) = theme_of(conn, tool_id, *other)? else {
                return Ok(Err(Refused::BadLink));
            };
            let (proposal, pain) = if is_proposal {
                (&theme, &other)
            } else {
                (&other, &theme)
            };
            if proposal.kind != Kind::Proposal.as_str() || pain.kind != Kind::Pain.as_str() {
                return Ok(Err(Refused::BadLink));
            }
            themes::set_manual_link(conn, proposal.id, pain.id, *linked)?;
        }
        Edit::Tags {
            forced,
            horizon,
            status,
        } => {
            use crate::domain::themes::Choice;
            if is_proposal && (forced.is_some() || horizon.is_some()) {
                return Ok(Err(Refused::TagsOnProposal));
            }
            themes::set_tags(
                conn,
                theme.id,
                forced.map(Choice::as_str),
                horizon.map(Choice::as_str),
                status.as_str(),
            )?;
        }
    }
    Ok(Ok(None))
}

/// Regroups every comment of the tool, keeping every admin edit.
pub fn regroup(conn: &mut DbConnection, tool_id: i64) -> QueryResult<()> {
    refresh(conn, tool_id, Mode::Full)
}
