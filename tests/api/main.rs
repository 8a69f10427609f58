//! Integration tests: each test starts the real server on a random port
//! against a fresh database (a temporary SQLite file, or a new PostgreSQL
//! database when TEST_DATABASE_URL names a server) and drives it over HTTP.

mod accounts;
mod architecture;
mod attacks;
mod auth;
mod browser;
mod confidentiality;
mod config;
mod corpus;
mod csrf;
mod directory;
mod disk;
mod durability;
mod email;
mod errors;
mod exports;
mod helpers;
mod import;
mod migrations;
mod ops;
mod results;
mod smtp;
mod surveys;
mod themes;
mod triage;
