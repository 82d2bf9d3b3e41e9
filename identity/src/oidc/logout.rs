//! Ending what a sign-in gave the brands, as the customer sees it: signing out of the
//! brands (RP-initiated logout, sign-out), the customer's "Connected brands" (listing and
//! disconnecting a brand), and the pruning of flow state. Revoking grants and queuing
//! back-channel logout is `grants`; the rows are in `store`.

use serde_json::json;

use super::grants::GrantsAt;
use crate::store::{self, Tx, oidc_sessions};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::{Identity, Result, UnixMillis};

/// The `events` member of a logout token.
pub const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// A brand the customer approved, as "Connected brands" shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedBrand {
    pub slug: String,
    pub name: String,
    pub website_url: Option<String>,
    pub scopes: Vec<String>,
    pub first_approved_at: UnixMillis,
    /// The last time one of its sites received a sign-in from this customer.
    pub last_used_at: Option<UnixMillis>,
}

impl Identity {
    /// The sign-in ids of the customer's sessions, except `keep` (an id hash).
    pub(crate) async fn sids_of_tx(&self, tx: &mut Tx, customer_id: &str, keep: Option<&str>) -> Result<Vec<String>> {
        oidc_sessions::sids_of_customer(tx, customer_id, keep).await
    }

    /// A sign-in ended (sign-out, RP-initiated logout, another customer signing in on
    /// this browser): tell the brands it reached.
    pub async fn sign_in_ended(&self, principal: &Principal, customer_id: &str, sid: &str) -> Result<()> {
        authorize(principal, Action::ManageSessions, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        self.end_oidc_sessions_tx(&mut tx, &[sid.to_owned()], now).await?;
        self.audit_customer(&mut tx, principal.actor(), customer_id, "oauth.logout", json!({}), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The brands the customer has approved, with what each receives.
    pub async fn connected_brands(&self, principal: &Principal, customer_id: &str) -> Result<Vec<ConnectedBrand>> {
        authorize(principal, Action::ViewAccount, Subject::Customer(customer_id))?;
        self.connected_brands_of(customer_id).await
    }

    /// [`Self::connected_brands`] for a caller that authorized already (the support view).
    pub(crate) async fn connected_brands_of(&self, customer_id: &str) -> Result<Vec<ConnectedBrand>> {
        let rows = store::consents::of_customer(&self.store, customer_id).await?;
        let mut brands: Vec<ConnectedBrand> = Vec::new();
        for row in rows {
            match brands.iter_mut().find(|b| b.slug == row.slug) {
                Some(b) => {
                    b.scopes.push(row.scope);
                    b.first_approved_at = b.first_approved_at.min(row.granted_at);
                }
                None => brands.push(ConnectedBrand {
                    slug: row.slug,
                    name: row.name,
                    website_url: row.website_url,
                    scopes: vec![row.scope],
                    first_approved_at: row.granted_at,
                    last_used_at: None,
                }),
            }
        }
        for brand in &mut brands {
            brand.last_used_at = store::consents::last_used_at(&self.store, customer_id, &brand.slug).await?;
            brand.scopes.sort_by_key(|s| super::clients::SUPPORTED_SCOPES.iter().position(|x| x == s).unwrap_or(usize::MAX));
        }
        Ok(brands)
    }

    /// "Disconnect": forgets the brand's approvals, revokes the customer's grants and
    /// tokens at every client of the brand and logs those clients out (back-channel,
    /// `sub` only). The Foyer session stays. `false` if nothing was connected.
    pub async fn disconnect_brand(&self, principal: &Principal, customer_id: &str, slug: &str) -> Result<bool> {
        authorize(principal, Action::ManageBrandAccess, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let Some(brand) = self.store.brand_by_slug(slug).await? else { return Ok(false) };
        let mut tx = self.store.begin().await?;
        let removed = store::consents::forget_brand(&mut tx, customer_id, &brand.id).await?;
        self.end_customer_grants_tx(&mut tx, customer_id, GrantsAt::Brand(&brand.id), "consent_revoked", now).await?;
        if removed > 0 {
            self.audit_customer(&mut tx, principal.actor(), customer_id, "oauth.consent_revoked", json!({ "brand": slug }), now).await?;
        }
        tx.commit().await?;
        Ok(removed > 0)
    }

    /// Drops flow state nobody can use any more: expired requests, codes a day after
    /// expiry (kept that long to recognise a replay), expired access-token rows and
    /// client assertion ids.
    pub async fn prune_oidc(&self, principal: &Principal) -> Result<u64> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut n = store::codes::prune(&mut tx, now, now - 86_400_000).await?;
        n += store::grants::prune_access_tokens(&mut tx, now).await?;
        n += store::clients::prune_assertion_jtis(&mut tx, now).await?;
        tx.commit().await?;
        Ok(n)
    }
}
