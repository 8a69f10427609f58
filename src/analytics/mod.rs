//! What the answers say: results per tool and round (`results`), what the
//! dashboard shows first (`dashboard`), and the comments: read (`text`),
//! grouped (`cluster`, `grouping`) into themes kept per tool (`themes`),
//! edited by admins (`triage`), and ranked with their warnings
//! (`priorities`).

pub mod addressing;
pub mod cluster;
pub mod dashboard;
pub mod gather;
pub mod grouping;
pub mod lexicon;
pub mod meaning;
pub mod priorities;
pub mod questions;
pub mod results;
pub mod text;
pub mod themes;
pub mod triage;
