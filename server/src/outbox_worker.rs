//! The outbox worker: claims due events under a lease, delivers them, records the
//! outcome. One runs per node; the store's claim keeps nodes from sharing a row.

use std::time::Duration;

use identity::Identity;
use identity::outbox::{OutboxEvent, retry_at};
use identity::principal::Principal;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use tokio::sync::watch;

use crate::mail::{DeliveryError, Mailer};

/// How long a claimed row stays invisible to other workers.
const LEASE_MS: i64 = 60_000;
const BATCH: i64 = 20;

#[derive(Clone, Debug)]
pub struct OutboxWorker {
    pub identity: Identity,
    pub mailer: Mailer,
    /// Deliveries by result (`delivered`, `retry`, `failed`).
    pub deliveries: Family<Vec<(String, String)>, Counter>,
    /// Sends OIDC back-channel logout tokens.
    pub backchannel: crate::oidc::backchannel::Backchannel,
}

impl OutboxWorker {
    /// Delivers every due row once; returns how many rows it handled.
    pub async fn run_once(&self) -> identity::Result<usize> {
        let mut handled = 0;
        loop {
            let now = self.identity.now();
            let rows = self.identity.outbox_claim(&Principal::System, LEASE_MS, BATCH).await?;
            if rows.is_empty() {
                return Ok(handled);
            }
            for row in rows {
                handled += 1;
                let outcome = match serde_json::from_str::<OutboxEvent>(&row.payload) {
                    // A farewell mail's payload is cleared by the store once it is finished.
                    Ok(OutboxEvent::Email(message) | OutboxEvent::FarewellEmail(message)) => self.mailer.send(&message, now).await,
                    // No webhook subscribers exist yet: the event is recorded and done.
                    Ok(
                        OutboxEvent::CustomerUpdated { .. }
                        | OutboxEvent::ConsentDecided { .. }
                        | OutboxEvent::CustomerDeleted { .. }
                        | OutboxEvent::HouseholdMemberAdded { .. }
                        | OutboxEvent::HouseholdMemberRemoved { .. }
                        | OutboxEvent::HouseholdHandoverCompleted { .. }
                        | OutboxEvent::DelegationGranted { .. }
                        | OutboxEvent::DelegationRevoked { .. }
                        | OutboxEvent::Loyalty { .. },
                    ) => Ok(()),
                    Ok(OutboxEvent::BackchannelLogout { client_id, sub, sid, jti }) => self.backchannel.deliver(&client_id, &sub, sid.as_deref(), &jti).await,
                    // Queues the mail itself when the address is known; this loop sends it.
                    Ok(OutboxEvent::MailIfKnown { mail, email, locale, brand }) => {
                        self.identity.deliver_mail_if_known(&identity::principal::Principal::System, mail, &email, locale.as_deref(), brand.as_ref()).await.map_err(|e| DeliveryError::Transient(e.to_string()))
                    }
                    Err(e) => Err(DeliveryError::Permanent(format!("unreadable {} payload: {e}", row.kind))),
                };
                let now = self.identity.now();
                let result = match outcome {
                    Ok(()) => {
                        self.identity.outbox_delivered(&Principal::System, row.id).await?;
                        "delivered"
                    }
                    Err(e) => {
                        let retry = match &e {
                            DeliveryError::Transient(_) => retry_at(row.attempts, now),
                            DeliveryError::Permanent(_) => None,
                        };
                        tracing::warn!(outbox_id = row.id, attempts = row.attempts, error = %e, will_retry = retry.is_some(), "outbox delivery failed");
                        self.identity.outbox_failed(&Principal::System, row.id, &e.to_string(), retry).await?;
                        if retry.is_some() { "retry" } else { "failed" }
                    }
                };
                self.deliveries.get_or_create(&vec![("result".to_owned(), result.to_owned())]).inc();
            }
        }
    }

    /// Polls until `stop` turns true.
    pub async fn run(self, poll: Duration, mut stop: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.run_once().await {
                tracing::error!(error = %e, "outbox pass failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
        }
    }
}
