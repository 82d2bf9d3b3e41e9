//! `/account/privacy/*`: what the customer shares with the brands and decides about it.

pub mod preferences;
