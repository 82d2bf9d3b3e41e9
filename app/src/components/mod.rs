//! Reusable pieces of the page.

pub mod acting;
pub mod brand;
pub mod error_view;
pub mod footer;
pub mod form;
pub mod header;
pub mod passkey;
pub mod password;
pub mod status;
pub mod step_up;
