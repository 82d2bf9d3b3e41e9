//! `/account/privacy/*`: what the customer decided about their data, and their data
//! itself.

pub mod data;
