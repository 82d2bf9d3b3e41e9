//! The customer's own data rights (issue 13 items 9 and 10): a copy of everything Foyer
//! holds about them ([`export`]), and the deletion of the account after a grace period
//! ([`deletion`]) by an erasure in one transaction ([`erasure`]). Both walk the
//! personal-data inventory (`store::inventory`) through `store::privacy`, so a table
//! added there is exported and erased without a change here. Design:
//! `docs/design/consent.md` "Export" and "Deletion".

pub mod deletion;
pub mod erasure;
pub mod export;
