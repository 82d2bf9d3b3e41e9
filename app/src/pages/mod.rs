//! One file per route.

pub mod account;
pub mod claim;
pub mod dev_mail;
pub mod help;
pub mod home;
pub mod login;
pub mod not_found;
pub mod oauth;
pub mod oauth_profile;
pub mod register;
pub mod tokens;
