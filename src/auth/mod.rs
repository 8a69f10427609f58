//! Who is asking, and may they: passwords, sessions, sign-in throttling, CSRF,
//! and the extractors handlers use to demand a signed-in account or an admin.

pub mod accounts;
pub mod csrf;
pub mod extract;
pub mod password;
pub mod session_store;
pub mod throttle;

pub use extract::{AdminAccount, SignedIn};
