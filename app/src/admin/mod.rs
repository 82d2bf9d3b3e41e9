//! The staff side of the portal under `/admin`: its pages, its server functions (at
//! `/admin/api/…`, so they get the staff session, never the customer's) and the staff
//! session plumbing. See `docs/design/staff.md`.

pub mod access;
pub mod actions_api;
pub mod api;
pub mod audit;
pub mod brand_api;
pub mod brand_attributes;
pub mod brand_clients;
pub mod brand_logo;
pub mod brand_loyalty;
pub mod brand_page;
pub mod brand_purposes;
pub mod brand_topics;
pub mod customer;
pub mod customer_actions;
pub mod customer_actions_data;
pub mod customer_page;
pub mod customers;
pub mod dashboard;
pub mod pages;
pub mod reveals;
#[cfg(feature = "ssr")]
pub mod session;
