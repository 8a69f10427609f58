//! What the answers say: results per tool and round (`results`), and what
//! the dashboard shows first (`dashboard`).

pub mod dashboard;
pub mod results;
