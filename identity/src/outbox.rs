//! The outbox: how Foyer tells the outside world (email now, webhooks later) without
//! losing a message or sending one for a change that rolled back.
//!
//! A use case writes its event with [`enqueue`] inside its own transaction. Workers
//! (one per node) [`Store::outbox_claim`] due rows under a lease, deliver them, and mark
//! them delivered or failed; failures are retried with exponential backoff up to
//! [`MAX_ATTEMPTS`]. Delivery is at least once: a receiver may see a message twice if a
//! worker dies between sending and recording, never zero times.

use serde::{Deserialize, Serialize};

use crate::email::EmailMessage;
use crate::store::{Tx, outbox as rows};
use crate::{Result, UnixMillis};

/// Attempts before a message is given up on (about a day of retries).
pub const MAX_ATTEMPTS: i64 = 12;
const BASE_DELAY_MS: i64 = 5_000;
const MAX_DELAY_MS: i64 = 3_600_000;

/// What an outbox row carries.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutboxEvent {
    Email(EmailMessage),
    /// A customer's profile changed (for webhooks; carries field names, not values).
    CustomerUpdated { customer_id: String, fields: Vec<String> },
    /// A consent decision, for the brands' webhooks (`consent.granted`, `consent.withdrawn`,
    /// `consent.refused`, `consent.pending`): ids, keys and the receipt id, never personal
    /// data. Written in the decision's transaction.
    ConsentDecided {
        customer_id: String,
        /// The controller brand's slug; `None` for the group.
        brand: Option<String>,
        /// The purpose's key; `None` for a scope approval (then `scopes`).
        purpose: Option<String>,
        version: Option<i64>,
        scopes: Option<String>,
        channel: Option<String>,
        decision: crate::consent::Decision,
        receipt_id: String,
        at: UnixMillis,
    },
    /// An OIDC Back-Channel Logout token to POST to a client (the token is built and
    /// signed at delivery; `sub` is the subject as that client sees it).
    BackchannelLogout { client_id: String, sub: String, sid: Option<String>, jti: String },
    /// Mail for an address *if* it has an account (looked up at delivery, so the
    /// request writes the same for every address): `accounts::known_mail`.
    /// `locale` (a language tag) and `brand` are the request's, for the mail's words;
    /// rows queued before they existed read as English without a brand.
    MailIfKnown {
        mail: KnownMail,
        email: String,
        #[serde(default)]
        locale: Option<String>,
        #[serde(default)]
        brand: Option<crate::email::MailBrand>,
    },
    /// A customer was erased (webhooks later; treated like `CustomerUpdated`). Carries
    /// the pseudonym the ledger and audit log keep (`erased:<hex>`), nothing else.
    CustomerDeleted { pseudonym: String },
    /// The last mail to an erased customer: sent like `Email`, and once delivered (or
    /// given up on) its payload is cleared, so no row names the address any more.
    FarewellEmail(EmailMessage),
    /// `household.member_added`: ids and the role only (webhooks).
    HouseholdMemberAdded { household_id: String, customer_id: String, role: String, at: UnixMillis },
    /// `household.member_removed` (left, removed, or erased); `reason` is a code.
    HouseholdMemberRemoved { household_id: String, customer_id: String, reason: String, at: UnixMillis },
    /// `household.handover_completed`: a managed member claimed their account.
    HouseholdHandoverCompleted { household_id: String, customer_id: String, at: UnixMillis },
    /// `delegation.granted` (also on renewal: `renewed`): permission names and the brand's
    /// id for `act_at_brand`.
    DelegationGranted {
        delegation_id: String,
        principal_id: String,
        delegate_id: String,
        permissions: Vec<String>,
        brand_id: Option<String>,
        expires_at: UnixMillis,
        renewed: bool,
    },
    /// `delegation.revoked`; `reason` is a code (`revoked`, `declined`, `left`, `removed`, …).
    DelegationRevoked { delegation_id: String, principal_id: String, delegate_id: String, reason: String, at: UnixMillis },
    /// `loyalty.link_requested`, `loyalty.linked`, `loyalty.rejected`, `loyalty.unlinked`:
    /// ids and the programme's slug, never the member number.
    Loyalty { kind: LoyaltyEventKind, link_id: String, programme: String, brand_id: String, customer_id: String, at: UnixMillis },
}

/// Which step of a loyalty link an [`OutboxEvent::Loyalty`] reports.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LoyaltyEventKind {
    LinkRequested,
    Linked,
    Rejected,
    Unlinked,
}

/// What [`OutboxEvent::MailIfKnown`] sends to a known address.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum KnownMail {
    ResetPassword,
    SignInCode,
}

impl OutboxEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Email(_) => "email",
            Self::CustomerUpdated { .. } => "customer.updated",
            Self::ConsentDecided { decision, .. } => match decision {
                crate::consent::Decision::Granted => "consent.granted",
                crate::consent::Decision::Withdrawn => "consent.withdrawn",
                crate::consent::Decision::Refused => "consent.refused",
                crate::consent::Decision::Pending => "consent.pending",
            },
            Self::BackchannelLogout { .. } => "oidc.backchannel_logout",
            Self::MailIfKnown { .. } => "account.mail_if_known",
            Self::CustomerDeleted { .. } => "customer.deleted",
            Self::FarewellEmail(_) => FAREWELL_KIND,
            Self::HouseholdMemberAdded { .. } => "household.member_added",
            Self::HouseholdMemberRemoved { .. } => "household.member_removed",
            Self::HouseholdHandoverCompleted { .. } => "household.handover_completed",
            Self::DelegationGranted { .. } => "delegation.granted",
            Self::DelegationRevoked { .. } => "delegation.revoked",
            Self::Loyalty { kind: LoyaltyEventKind::LinkRequested, .. } => "loyalty.link_requested",
            Self::Loyalty { kind: LoyaltyEventKind::Linked, .. } => "loyalty.linked",
            Self::Loyalty { kind: LoyaltyEventKind::Rejected, .. } => "loyalty.rejected",
            Self::Loyalty { kind: LoyaltyEventKind::Unlinked, .. } => "loyalty.unlinked",
        }
    }
}

/// The kind of [`OutboxEvent::FarewellEmail`] rows, whose payload the store clears once
/// they are finished (`store::outbox`).
pub const FAREWELL_KIND: &str = "email.farewell";

/// Queues `event` as part of `tx`; it leaves only if `tx` commits.
pub async fn enqueue(tx: &mut Tx, event: &OutboxEvent, now: UnixMillis) -> Result<i64> {
    let payload = serde_json::to_string(event)?;
    rows::insert(tx, event.kind(), &payload, now).await
}

/// Queues several events as part of `tx` in one statement.
pub async fn enqueue_many(tx: &mut Tx, events: &[OutboxEvent], now: UnixMillis) -> Result<()> {
    let rows = events.iter().map(|e| Ok((e.kind(), serde_json::to_string(e)?))).collect::<Result<Vec<_>>>()?;
    rows::insert_many(tx, &rows, now).await
}

/// The rule for a failed attempt number `attempts` (1-based): when to retry, or `None`
/// to give up. 5 s, 10 s, 20 s … doubling, capped at one hour.
pub fn retry_at(attempts: i64, now: UnixMillis) -> Option<UnixMillis> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    let delay = BASE_DELAY_MS.saturating_mul(1_i64 << exponent).min(MAX_DELAY_MS);
    Some(now + delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_caps_then_gives_up() {
        assert_eq!(retry_at(1, 0), Some(5_000));
        assert_eq!(retry_at(2, 0), Some(10_000));
        assert_eq!(retry_at(3, 100), Some(20_100));
        assert_eq!(retry_at(11, 0), Some(MAX_DELAY_MS));
        assert_eq!(retry_at(MAX_ATTEMPTS, 0), None);
    }

    #[test]
    fn events_round_trip_as_tagged_json() {
        let event = OutboxEvent::Email(EmailMessage {
            to: "a@example.com".into(),
            subject: "Hi".into(),
            text: "t".into(),
            html: "<p>t</p>".into(),
        });
        let json = serde_json::to_string(&event).unwrap();
        assert!(json.starts_with(r#"{"type":"email""#), "{json}");
        assert_eq!(serde_json::from_str::<OutboxEvent>(&json).unwrap(), event);
    }
}
