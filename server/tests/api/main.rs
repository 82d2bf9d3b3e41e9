//! Foyer's integration suite: one test binary (link time is precious on 2 cores), one
//! module per capability. Every scenario runs on SQLite and on PostgreSQL through
//! [`both_backends!`]; each run gets a fresh database.

#![expect(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod support;

mod accounts;
mod admin_audit;
mod admin_customer;
mod admin_dashboard;
mod admin_search;
mod assets;
mod brand_admin;
mod brand_admin_more;
mod brand_admin_catalogue;
mod brand_data;
mod cli;
mod clients;
mod cluster;
mod consent;
mod delegation;
mod email_code;
mod errors;
mod harness;
mod households;
mod households_managed;
mod import;
mod keys;
mod loyalty;
mod loyalty_api;
mod loyalty_pages;
mod mail_language;
mod malformed_bodies;
mod mfa;
mod oidc;
mod outbox;
mod passkeys;
mod plain_forms;
mod platform;
mod privacy_data;
mod profile_preferences;
mod provisional;
mod return_to;
mod second_step;
mod second_step_messages;
mod session_store;
mod staff;
mod store;
mod storm;
mod support_access;
mod support_actions;
