//! Validated domain types and rules. No I/O here: raw input becomes one of
//! these types through `parse`, and everything past a handler takes the type.

pub mod account;
pub mod anonymity;
pub mod directory;
pub mod impact;
pub mod program;
pub mod results;
pub mod survey;
pub mod text;
pub mod themes;

/// Field name to message, for a form shown again beside its errors.
pub type FieldErrors = std::collections::BTreeMap<&'static str, String>;
