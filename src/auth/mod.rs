//! Who may sign in, and how often they may try: accounts, password hashing
//! and sign-in throttling. The HTTP side (sessions, CSRF, extractors) lives
//! in `web`.

pub mod accounts;
pub mod password;
pub mod throttle;
