//! The machine APIs (admin REST, later SCIM): plain axum, JSON in and out, errors as RFC
//! 9457 problem details ([`problem::Problem`]). Nothing is mounted yet: the support issue
//! mounts `/admin/api` and adds one file per endpoint here.

pub mod problem;
