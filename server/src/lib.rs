//! The Foyer server: configuration, start-up, the HTTP router, workers and the CLI.
//! The `foyer` binary is a thin `main` over [`cli::run`].

pub mod api;
pub mod cli;
pub mod config;
pub mod demo;
pub mod http;
pub mod mail;
pub mod maintenance;
pub mod oidc;
pub mod outbox_worker;
pub mod startup;
pub mod telemetry;
