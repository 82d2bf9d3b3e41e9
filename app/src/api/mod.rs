//! Server functions, one file per feature. Each is an adapter of a few lines over the core.

pub mod account;
pub mod dev_mail;
pub mod mfa;
pub mod passkeys;
pub mod settings;
pub mod status;
