//! One file per route.

pub mod dev_mail;
pub mod home;
pub mod not_found;
