//! Validated domain types and rules. No I/O here: raw input becomes one of
//! these types through `parse`, and everything past a handler takes the type.

pub mod account;
pub mod anonymity;
pub mod directory;
pub mod survey;
pub mod text;
