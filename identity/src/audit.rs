//! The append-only audit log: every security-relevant event with actor, subject, time
//! and reason. Details hold ids and outcomes, never personal data or secrets. The
//! database refuses updates and deletes on this table (triggers in the migrations),
//! but for erasure's pseudonyms and the retention sweep ([`Identity::apply_audit_retention`],
//! `FOYER_AUDIT_RETENTION_DAYS`): rows past the retention go, except proof, whose
//! customers are pseudonymised instead. Staff search and export it through
//! `admin::audit`.

use std::collections::BTreeMap;

use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::{Tx, audit};
use crate::{Identity, Result, UnixMillis};

/// Action prefixes of rows that are proof and outlive the retention (pseudonymised):
/// consent decisions (GDPR Art. 7(1): the controller shows consent was given; the
/// ledger's mirror) and data-subject requests and their answers (exports, deletion
/// requests, erasures: Art. 5(2), 12). The store and the migration's delete trigger
/// spell the same list.
pub const PROOF_PREFIXES: [&str; 2] = ["consent.", "privacy."];
/// The retention sweep's own record, kept as proof of what it removed.
pub const RETENTION_APPLIED: &str = "audit.retention_applied";
/// Rows deleted (or pseudonymised) per transaction: SQLite's write lock is never held
/// long, and other writers take their turn between batches.
const RETENTION_BATCH: i64 = 5_000;
/// Batches per sweep; the rest waits for the next sweep.
const RETENTION_BATCHES: usize = 40;
const DAY_MS: i64 = 86_400_000;

/// Whether rows of `action` are proof (kept, pseudonymised) under retention.
pub fn is_proof(action: &str) -> bool {
    action == RETENTION_APPLIED || PROOF_PREFIXES.iter().any(|p| action.starts_with(p))
}

/// What one retention pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    pub deleted: u64,
    pub pseudonymised: u64,
}

/// Who did it.
#[derive(Debug, Clone)]
pub enum Actor {
    /// The operator at the command line.
    Cli,
    /// Foyer itself (start-up, workers).
    System,
    /// Someone without a session (sign-up, mailed links and codes).
    Anonymous,
    Customer(String),
    Staff(String),
    /// A relying party's back end, by client id.
    Client(String),
    /// A customer acting for another under a delegation or guardianship (`grant`): the
    /// label names the acting customer; [`record`] adds `on_behalf` and `grant` to the
    /// detail, so the row reads "who, for whom (subject), under what".
    Delegate { actor: String, grant: String },
    /// A support agent in a customer's portal under a ticket access: the label names the
    /// agent; [`record`] adds `support_access` and `ticket` to the detail.
    Support { staff: String, access: String, ticket: String },
}

impl Actor {
    pub fn label(&self) -> String {
        match self {
            Self::Cli => "cli".into(),
            Self::System => "system".into(),
            Self::Anonymous => "anonymous".into(),
            Self::Customer(id) => format!("customer:{id}"),
            Self::Staff(id) => format!("staff:{id}"),
            Self::Client(id) => format!("client:{id}"),
            Self::Delegate { actor, .. } => format!("customer:{actor}"),
            Self::Support { staff, .. } => format!("staff:{staff}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    pub at: UnixMillis,
    pub actor: Actor,
    /// The record acted on, as `kind:id`.
    pub subject: Option<String>,
    pub action: &'a str,
    pub reason: Option<&'a str>,
    pub detail: serde_json::Value,
}

pub async fn record(tx: &mut Tx, event: &AuditEvent<'_>) -> Result<()> {
    let actor = event.actor.label();
    let detail = match &event.actor {
        Actor::Delegate { grant, .. } => {
            let mut detail = event.detail.clone();
            if !detail.is_object() {
                detail = serde_json::json!({});
            }
            if let Some(map) = detail.as_object_mut() {
                map.insert("on_behalf".into(), serde_json::Value::Bool(true));
                map.insert("grant".into(), serde_json::Value::String(grant.clone()));
            }
            detail.to_string()
        }
        Actor::Support { access, ticket, .. } => {
            let mut detail = event.detail.clone();
            if !detail.is_object() {
                detail = serde_json::json!({});
            }
            if let Some(map) = detail.as_object_mut() {
                map.insert("support_access".into(), serde_json::Value::String(access.clone()));
                map.insert("ticket".into(), serde_json::Value::String(ticket.clone()));
            }
            detail.to_string()
        }
        _ => event.detail.to_string(),
    };
    audit::insert(tx, &audit::AuditRow {
        at: event.at,
        actor: &actor,
        subject: event.subject.as_deref(),
        action: event.action,
        reason: event.reason,
        detail: &detail,
    })
    .await
}

impl Identity {
    /// Applies `FOYER_AUDIT_RETENTION_DAYS` (nothing when unset): rows older than the
    /// retention are deleted, but proof ([`is_proof`]), whose actor and subject naming a
    /// customer become the customer's erasure pseudonym instead (the rows stay). In
    /// batches of 5,000 rows, each its own transaction that opens the database's
    /// retention gate, deletes, closes it and records `audit.retention_applied` (counts
    /// only). The maintenance sweep runs it.
    pub async fn apply_audit_retention(&self, principal: &Principal) -> Result<Retention> {
        self.audit_retention_in_batches(principal, RETENTION_BATCH, RETENTION_BATCHES).await
    }

    /// [`Self::apply_audit_retention`] with `batch` rows per transaction, at most
    /// `batches` transactions.
    async fn audit_retention_in_batches(&self, principal: &Principal, batch: i64, batches: usize) -> Result<Retention> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        let Some(days) = self.settings.audit_retention_days.filter(|d| *d > 0) else { return Ok(Retention::default()) };
        let now = self.clock.now();
        let cutoff = now.saturating_sub(days.saturating_mul(DAY_MS));
        let mut total = Retention::default();
        for _ in 0..batches {
            let mut tx = self.store.begin().await?;
            audit::open_retention_gate(&mut tx, cutoff).await?;
            let deleted = audit::delete_expired(&mut tx, cutoff, batch).await?;
            audit::close_retention_gate(&mut tx).await?;
            let proof = audit::expired_proof_naming_customers(&mut tx, cutoff, batch).await?;
            let mut by_customer: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
            for (id, actor, subject) in &proof {
                for label in [Some(actor.as_str()), subject.as_deref()].into_iter().flatten() {
                    if let Some(customer) = label.strip_prefix("customer:") {
                        by_customer.entry(customer).or_default().push(*id);
                    }
                }
            }
            for ids in by_customer.values_mut() {
                ids.dedup();
            }
            for (customer, ids) in &by_customer {
                audit::pseudonymise(&mut tx, ids, &format!("customer:{customer}"), &self.erasure_pseudonym(customer)).await?;
            }
            let pseudonymised = u64::try_from(proof.len()).unwrap_or(0);
            if deleted + pseudonymised > 0 {
                record(&mut tx, &AuditEvent {
                    at: now,
                    actor: principal.actor(),
                    subject: None,
                    action: RETENTION_APPLIED,
                    reason: None,
                    detail: serde_json::json!({ "deleted": deleted, "pseudonymised": pseudonymised, "retention_days": days }),
                })
                .await?;
            }
            tx.commit().await?;
            total.deleted += deleted;
            total.pseudonymised += pseudonymised;
            if deleted < u64::try_from(batch).unwrap_or(0) && proof.len() < usize::try_from(batch).unwrap_or(0) {
                break;
            }
        }
        if total.deleted + total.pseudonymised > 0 {
            tracing::info!(deleted = total.deleted, pseudonymised = total.pseudonymised, "applied the audit log's retention");
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_outlives_the_retention() {
        for action in ["consent.granted", "consent.withdrawn", "privacy.erased", "privacy.export_downloaded", RETENTION_APPLIED] {
            assert!(is_proof(action), "{action}");
        }
        for action in ["customer.registered", "support.revealed", "audit.exported", "consentx", "privacy"] {
            assert!(!is_proof(action), "{action}");
        }
    }

    /// Batches: each its own transaction with its own record, until a short one; a
    /// sweep stops after its last batch and the next one goes on (real SQLite).
    #[tokio::test]
    async fn retention_works_in_batches() {
        let now = 1_800_000_000_000;
        let (id, _dir) = crate::jose::test_support::identity_at(now, crate::Settings { audit_retention_days: Some(1), ..crate::Settings::default() }).await;
        let mut tx = id.store.begin().await.unwrap();
        let old = now - 2 * DAY_MS;
        for (at, action) in [(old, "x.old"); 5].into_iter().chain([(old, "consent.granted"); 3]).chain([(now, "x.new")]) {
            record(&mut tx, &AuditEvent { at, actor: Actor::Customer("c1".into()), subject: None, action, reason: None, detail: serde_json::json!({}) }).await.unwrap();
        }
        tx.commit().await.unwrap();

        let first = id.audit_retention_in_batches(&Principal::System, 2, 1).await.unwrap();
        assert_eq!(first, Retention { deleted: 2, pseudonymised: 2 }, "one batch a sweep at most");
        let rest = id.audit_retention_in_batches(&Principal::System, 2, 10).await.unwrap();
        assert_eq!(rest, Retention { deleted: 3, pseudonymised: 1 });
        let rows = id.store.audit_log_for_tests().await.unwrap();
        let records: Vec<_> = rows.iter().filter(|r| r.2 == RETENTION_APPLIED).collect();
        assert_eq!(records.len(), 3, "one per batch that changed something: {rows:?}");
        let pseudonym = id.erasure_pseudonym("c1");
        let kept: Vec<(&str, &str)> = rows.iter().filter(|r| r.2 != RETENTION_APPLIED).map(|r| (r.0.as_str(), r.2.as_str())).collect();
        assert_eq!(kept, vec![(pseudonym.as_str(), "consent.granted"); 3].into_iter().chain([("customer:c1", "x.new")]).collect::<Vec<_>>());
        assert_eq!(id.audit_retention_in_batches(&Principal::System, 2, 10).await.unwrap(), Retention::default());
    }

    #[test]
    fn actor_labels_carry_ids_only() {
        assert_eq!(Actor::Staff("s1".into()).label(), "staff:s1");
        assert_eq!(Actor::Cli.label(), "cli");
    }
}
