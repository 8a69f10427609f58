//! infrapulse: surveys for infrastructure teams. See README.md for the tour.

pub mod analytics;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod embed;
pub mod exports;
pub mod import;
pub mod links;
pub mod mail;
pub mod metrics;
pub mod secret;
pub mod startup;
pub mod surveys;
pub mod telemetry;
pub mod web;
