//! What a session means: the keys a customer or staff session holds, and the rules that
//! decide whether it still counts (absolute lifetime, a pending sign-in too old, the
//! staff idle deadline). The web layers keep only the plumbing (cookies, reading and
//! writing the key/value record); see `docs/design/staff.md` for the staff side.
//!
//! A session holds only ids and times.

use crate::UnixMillis;

/// Customer session keys.
pub const CUSTOMER: &str = "cid";

/// What the web layer's session stores report when the database is out of reach or
/// cannot write ([`crate::Error::Busy`]), so pages answer 503 (retry) rather than fail.
pub const STORE_UNAVAILABLE: &str = "session store unavailable";

/// Whether a session store's error text is [`STORE_UNAVAILABLE`].
pub fn store_unavailable(backend_message: &str) -> bool {
    backend_message == STORE_UNAVAILABLE
}
pub const SIGNED_IN_AT: &str = "st";
pub const AUTH_TIME: &str = "at";
/// A device label for "Your devices" ("Firefox on Linux").
pub const DEVICE: &str = "dev";
/// How the session authenticated (OIDC `amr` names) and the level that gives (`acr`).
pub const AMR: &str = "amr";
pub const ACR: &str = "acr";
/// The sign-in's identifier (OIDC `sid`): 128 random bits set at sign-in, kept across
/// re-authentication and id changes, so it names the sign-in rather than the cookie.
pub const SID: &str = "sid";
/// Whom the signed-in customer is acting for (a customer id), set by "Act for …" and
/// removed by "Back to my account"; the delegation or guardianship behind it is checked
/// again on every request (`Identity::act_for`), and a sign-in clears it.
pub const ACTING_FOR: &str = "act";
/// A support session (`docs/design/admin.md` "Ticket-scoped access"): the access it
/// was entered under and the agent. `CUSTOMER` names the customer whose portal it shows;
/// the access is checked again on every request (`Identity::support_principal`).
pub const SUPPORT_ACCESS: &str = "sup";
pub const SUPPORT_STAFF: &str = "sst";
/// The `acr` a support session records: no authentication of the customer at all.
pub const SUPPORT_ACR: &str = "foyer:support";
/// A sign-in waiting for its second factor: the customer id and when the password
/// step passed. Not a session: nothing else reads it.
pub const PENDING_CUSTOMER: &str = "pcid";
pub const PENDING_SINCE: &str = "pst";
/// The first step of a pending sign-in (password or mailed code).
pub const PENDING_AMR: &str = "pamr";
/// The state of the passkey ceremony in progress (challenge included): kept in the
/// session, never in the browser, and taken exactly once.
pub const CEREMONY: &str = "wa";
/// How long a password step waits for its second factor.
pub const PENDING_MS: i64 = 5 * 60_000;
/// Sensitive actions need an authentication at most this old (ASVS 7.5.1).
pub const RECENT_AUTH_MS: i64 = 5 * 60_000;

/// The level a session without a recorded `acr` has.
pub const DEFAULT_ACR: &str = "foyer:pwd";

/// Staff session keys (a separate cookie and table; never in a customer session).
pub const STAFF: &str = "staff";
pub const STAFF_SIGNED_IN_AT: &str = "sst";
/// Staff sessions end after this long, however active.
pub const STAFF_ABSOLUTE_MS: i64 = 8 * 3_600_000;
/// The default staff idle timeout (`FOYER_ADMIN_IDLE_MINUTES`).
pub const STAFF_IDLE_MS: i64 = 15 * 60_000;

/// A customer session's values as read from the record (any may be missing).
#[derive(Debug, Clone, Default)]
pub struct RawCustomerSession {
    pub customer_id: Option<String>,
    pub signed_in_at: Option<UnixMillis>,
    pub auth_time: Option<UnixMillis>,
    pub acr: Option<String>,
    pub amr: Option<Vec<String>>,
    pub sid: Option<String>,
}

/// The signed-in customer of a session that still counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSession {
    pub customer_id: String,
    pub signed_in_at: UnixMillis,
    pub auth_time: UnixMillis,
    pub acr: String,
    pub amr: Vec<String>,
    /// `None` for sessions from before sign-in ids existed: the caller gives it one.
    pub sid: Option<String>,
}

/// What a session record says about its customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerReading {
    /// Nobody is signed in.
    Anonymous,
    /// Signed in longer ago than the absolute lifetime: the session must be flushed.
    Expired,
    Current(CustomerSession),
}

/// The rule for a customer session: signed in, and within `absolute_ms` of sign-in.
pub fn customer(raw: RawCustomerSession, now: UnixMillis, absolute_ms: i64) -> CustomerReading {
    let Some(customer_id) = raw.customer_id else { return CustomerReading::Anonymous };
    let signed_in_at = raw.signed_in_at.unwrap_or(0);
    if now - signed_in_at > absolute_ms {
        return CustomerReading::Expired;
    }
    CustomerReading::Current(CustomerSession {
        customer_id,
        signed_in_at,
        auth_time: raw.auth_time.unwrap_or(signed_in_at),
        acr: raw.acr.unwrap_or_else(|| DEFAULT_ACR.to_owned()),
        amr: raw.amr.unwrap_or_else(|| vec!["pwd".to_owned()]),
        sid: raw.sid,
    })
}

/// A pending second step still counts while its first step is at most [`PENDING_MS`] old.
pub fn pending_is_current(since: Option<UnixMillis>, now: UnixMillis) -> bool {
    now - since.unwrap_or(0) <= PENDING_MS
}

/// The last authentication is recent enough for a sensitive action.
pub fn auth_is_recent(auth_time: UnixMillis, now: UnixMillis) -> bool {
    now - auth_time <= RECENT_AUTH_MS
}

/// A staff session's values as read from the record.
#[derive(Debug, Clone, Default)]
pub struct RawStaffSession {
    pub staff_id: Option<String>,
    pub signed_in_at: Option<UnixMillis>,
}

/// The signed-in staff member of a session that still counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSession {
    pub staff_id: String,
    pub signed_in_at: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffReading {
    Anonymous,
    /// Past the absolute lifetime: flush it.
    Expired,
    Current(StaffSession),
}

/// The rule for a staff session: signed in, within [`STAFF_ABSOLUTE_MS`] of sign-in.
/// (The idle deadline is the store's: a session past it is never loaded.)
pub fn staff(raw: RawStaffSession, now: UnixMillis) -> StaffReading {
    let Some(staff_id) = raw.staff_id else { return StaffReading::Anonymous };
    let signed_in_at = raw.signed_in_at.unwrap_or(0);
    if now - signed_in_at > STAFF_ABSOLUTE_MS {
        return StaffReading::Expired;
    }
    StaffReading::Current(StaffSession { staff_id, signed_in_at })
}

/// When a staff session saved at `now` stops loading: after `idle_ms` without a request,
/// and never later than [`STAFF_ABSOLUTE_MS`] after its sign-in.
pub fn staff_expires_at(now: UnixMillis, signed_in_at: Option<UnixMillis>, idle_ms: i64) -> UnixMillis {
    let idle = now.saturating_add(idle_ms);
    match signed_in_at {
        Some(at) => idle.min(at.saturating_add(STAFF_ABSOLUTE_MS)),
        None => idle,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_in(at: i64) -> RawCustomerSession {
        RawCustomerSession { customer_id: Some("c".into()), signed_in_at: Some(at), ..RawCustomerSession::default() }
    }

    #[test]
    fn customer_sessions_end_at_the_absolute_lifetime() {
        assert_eq!(customer(RawCustomerSession::default(), 10, 100), CustomerReading::Anonymous);
        let current = CustomerSession { customer_id: "c".into(), signed_in_at: 0, auth_time: 0, acr: DEFAULT_ACR.into(), amr: vec!["pwd".into()], sid: None };
        assert_eq!(customer(signed_in(0), 100, 100), CustomerReading::Current(current), "current at the limit");
        assert_eq!(customer(signed_in(0), 101, 100), CustomerReading::Expired);
    }

    #[test]
    fn pending_and_recent_windows() {
        assert!(pending_is_current(Some(0), PENDING_MS));
        assert!(!pending_is_current(Some(0), PENDING_MS + 1));
        assert!(!pending_is_current(None, PENDING_MS + 1));
        assert!(auth_is_recent(0, RECENT_AUTH_MS));
        assert!(!auth_is_recent(0, RECENT_AUTH_MS + 1));
    }

    #[test]
    fn staff_sessions_idle_and_absolute() {
        assert_eq!(staff(RawStaffSession::default(), 0), StaffReading::Anonymous);
        let raw = |at| RawStaffSession { staff_id: Some("s".into()), signed_in_at: Some(at) };
        assert!(matches!(staff(raw(0), STAFF_ABSOLUTE_MS), StaffReading::Current(_)));
        assert_eq!(staff(raw(0), STAFF_ABSOLUTE_MS + 1), StaffReading::Expired);
        assert_eq!(staff_expires_at(1_000, None, STAFF_IDLE_MS), 1_000 + STAFF_IDLE_MS);
        assert_eq!(staff_expires_at(1_000, Some(1_000), STAFF_IDLE_MS), 1_000 + STAFF_IDLE_MS);
        // Near the end of the lifetime the idle deadline cannot pass it.
        assert_eq!(staff_expires_at(STAFF_ABSOLUTE_MS - 60_000, Some(0), STAFF_IDLE_MS), STAFF_ABSOLUTE_MS);
    }
}
