//! Delegations: named, expiring permissions one adult grants another of their household,
//! and the principal a delegate acts as.
