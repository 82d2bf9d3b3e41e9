//! "Remember this device for 30 days": after a completed second step, a browser can
//! skip it for 30 days. The cookie holds 256 random bits; only their SHA-256 is stored,
//! bound to the account. Ending the account's other sessions, changing or resetting
//! the password forgets every remembered device (`end_sessions_tx`), and a remembered
//! device never skips the first step.

use super::RequestMeta;
use super::login::{FirstStep, SignedIn};
use crate::store::devices;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::{Error, Identity, Result, sha256_hex};

/// How long a device is remembered.
pub const REMEMBER_MS: i64 = 30 * 24 * 3_600_000;

impl Identity {
    /// Remembers this device for the customer; returns the cookie's secret.
    pub async fn remember_device(&self, principal: &Principal, customer_id: &str, meta: &RequestMeta) -> Result<String> {
        authorize(principal, Action::ManageCredentials, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let token = self.new_token();
        let mut tx = self.store.begin().await?;
        devices::prune_remembered(&mut tx, customer_id, now).await?;
        let (id, token_hash) = (self.new_id(), sha256_hex(token.as_bytes()));
        let device = devices::NewRemembered { id: &id, customer_id, token_hash: &token_hash, device: &meta.device, created_at: now, expires_at: now + REMEMBER_MS };
        devices::remember(&mut tx, &device).await?;
        self.audit_customer(&mut tx, principal.actor(), customer_id, "device.remembered", serde_json::json!({ "device": meta.device }), now)
            .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Completes a sign-in whose first step passed without the second, when `token`
    /// is a live remembered device of this customer. `None` when it is not.
    pub async fn sign_in_remembered(
        &self,
        principal: &Principal,
        customer_id: &str,
        first: FirstStep,
        token: &str,
        device_id: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<Option<SignedIn>> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Customer(customer_id))?;
        if token.len() < 32 || token.len() > 100 {
            return Ok(None);
        }
        let now = self.clock.now();
        if !self.store.is_remembered(customer_id, &sha256_hex(token.as_bytes()), now).await? {
            return Ok(None);
        }
        let c = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("account"))?;
        if c.locked_at.is_some() {
            return Ok(None);
        }
        Ok(Some(self.finish_sign_in(c, device_id, meta, vec![first.amr()], None).await?))
    }
}
