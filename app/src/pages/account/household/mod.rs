//! `/account/household`: the household page (the lead's) and its sections.

pub mod delegations;
