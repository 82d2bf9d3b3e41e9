//! The grant lifecycle, in one place: issue a grant, revoke one, revoke every grant of a
//! customer (at every brand, or at one brand), end what a sign-in gave the brands, and
//! end what a disabled client holds. Each runs inside the caller's transaction, and each
//! queues the back-channel logout (Back-Channel Logout 1.0 §2.4–2.8) through the outbox
//! in that same transaction, so a revoked grant and its logout token commit together.
//!
//! Every "end access" path comes here: sign-out and timed-out sessions
//! ([`Identity::end_oidc_sessions_tx`]), password reset and a proven address
//! ([`Identity::revoke_customer_grants_tx`]), brand disconnect
//! ([`Identity::end_customer_grants_tx`] with [`GrantsAt::Brand`]), refresh-token reuse
//! ([`Identity::revoke_grant_tx`]), client disabling ([`Identity::revoke_client_grants_tx`]),
//! a delegation's end ([`Identity::end_delegation_grants_tx`]: revoked, or its member left
//! or was removed from the household). Staff "sign out everywhere" will.
//!
//! Who is told: a logout token goes to each client that held an ended grant or that the
//! ended sign-in reached, if it registered a back-channel URI and is enabled — with the
//! `sub` (and, for a sign-in, the `sid`) that client saw. Two revocations stay quiet, as
//! they always were: the client's own RFC 7009 revocation (it asked) and a replayed code
//! ([`Identity::revoke_grant_quietly_tx`]); a disabled client is not told either.
//!
//! This module uses neither `tokens` nor `logout`; both use it. The rows are
//! `store::grants` and `store::oidc_sessions`.

use super::clients::client_by_id_tx;
use crate::outbox::{OutboxEvent, enqueue};
pub use crate::store::grants::GrantRow;
use crate::store::{self, Tx, oidc_sessions};
use crate::{Identity, Result, UnixMillis};

/// Which of a customer's grants to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantsAt<'a> {
    /// At every brand, offline grants (which no session holds) included.
    Everywhere,
    /// At every client of the brand with this id; the customer's sign-ins also stop
    /// counting as having reached those clients.
    Brand(&'a str),
}

impl Identity {
    /// Issues a grant: stores it (the caller mints its tokens in the same transaction).
    pub(crate) async fn issue_grant_tx(&self, tx: &mut Tx, grant: &GrantRow) -> Result<()> {
        store::grants::insert_grant(tx, grant).await
    }

    /// Revokes one grant with its tokens and logs its client out (back-channel, with the
    /// grant's `sid` if it is an online grant).
    pub(crate) async fn revoke_grant_tx(&self, tx: &mut Tx, grant: &GrantRow, reason: &str, now: UnixMillis) -> Result<()> {
        store::grants::revoke_grant(tx, &grant.id, reason, now).await?;
        self.queue_backchannel(tx, &grant.client_id, &grant.customer_id, grant.sid.as_deref(), now).await
    }

    /// Revokes one grant with its tokens and tells nobody: for the client's own RFC 7009
    /// revocation (it asked) and a replayed code (the grant is seconds old).
    pub(crate) async fn revoke_grant_quietly_tx(&self, tx: &mut Tx, grant_id: &str, reason: &str, now: UnixMillis) -> Result<()> {
        store::grants::revoke_grant(tx, grant_id, reason, now).await
    }

    /// Revokes every live grant issued under a delegation (revoked, expired with the
    /// household, or its member removed) and logs each client out (back-channel, with
    /// the grant's `sid`). Returns how many grants ended.
    pub(crate) async fn end_delegation_grants_tx(&self, tx: &mut Tx, delegation_id: &str, reason: &str, now: UnixMillis) -> Result<u64> {
        let grants = store::grants::live_grants_of_delegation(tx, delegation_id).await?;
        self.end_listed_grants_tx(tx, &grants, reason, now).await
    }

    /// Revokes every live grant a support agent's sign-in at a brand made under a
    /// support access (ended by the customer or the agent) and logs each client out.
    /// Returns how many grants ended.
    pub(crate) async fn end_support_access_grants_tx(&self, tx: &mut Tx, access_id: &str, reason: &str, now: UnixMillis) -> Result<u64> {
        let grants = store::grants::live_grants_of_support_access(tx, access_id).await?;
        self.end_listed_grants_tx(tx, &grants, reason, now).await
    }

    /// Revokes `(grant id, client id, customer id, sid)` grants, each client logged out
    /// (back-channel, with the grant's `sid`).
    async fn end_listed_grants_tx(&self, tx: &mut Tx, grants: &[(String, String, String, Option<String>)], reason: &str, now: UnixMillis) -> Result<u64> {
        for (grant_id, client_id, customer_id, sid) in grants {
            store::grants::revoke_grant(tx, grant_id, reason, now).await?;
            self.queue_backchannel(tx, client_id, customer_id, sid.as_deref(), now).await?;
        }
        Ok(u64::try_from(grants.len()).unwrap_or(u64::MAX))
    }

    /// Revokes every live grant of the customer at every brand, offline ones included,
    /// and queues a back-channel logout (`sub` only) to each client that held one.
    /// Returns how many grants ended. (Password reset, a proven address.)
    pub(crate) async fn revoke_customer_grants_tx(&self, tx: &mut Tx, customer_id: &str, reason: &str, now: UnixMillis) -> Result<u64> {
        self.end_customer_grants_tx(tx, customer_id, GrantsAt::Everywhere, reason, now).await
    }

    /// Revokes the customer's live grants `at` every brand or one, and logs the clients
    /// that held them out (back-channel, `sub` only). At one brand, a client that a
    /// sign-in of the customer reached is logged out too, and forgets that sign-in.
    /// Returns how many grants ended.
    pub(crate) async fn end_customer_grants_tx(&self, tx: &mut Tx, customer_id: &str, at: GrantsAt<'_>, reason: &str, now: UnixMillis) -> Result<u64> {
        let mut ended = 0usize;
        match at {
            GrantsAt::Everywhere => {
                let grants = store::grants::live_grants_of_customer(tx, customer_id).await?;
                let mut clients: Vec<&str> = Vec::new();
                for (grant_id, client_id) in &grants {
                    store::grants::revoke_grant(tx, grant_id, reason, now).await?;
                    if !clients.contains(&client_id.as_str()) {
                        clients.push(client_id);
                    }
                }
                for client_id in clients {
                    self.queue_backchannel(tx, client_id, customer_id, None, now).await?;
                }
                ended = grants.len();
            }
            GrantsAt::Brand(brand_id) => {
                for client_id in store::clients::client_ids_of_brand_tx(tx, brand_id).await? {
                    let grants = store::grants::live_grant_ids_of_client_customer(tx, &client_id, customer_id).await?;
                    for grant_id in &grants {
                        store::grants::revoke_grant(tx, grant_id, reason, now).await?;
                    }
                    let reached = oidc_sessions::sids_reaching(tx, &client_id, customer_id).await?;
                    if !grants.is_empty() || !reached.is_empty() {
                        self.queue_backchannel(tx, &client_id, customer_id, None, now).await?;
                    }
                    oidc_sessions::forget_client_customer(tx, &client_id, customer_id).await?;
                    ended += grants.len();
                }
            }
        }
        Ok(u64::try_from(ended).unwrap_or(u64::MAX))
    }

    /// Ends what the sign-ins `sids` gave the brands (sign-out, an ended or timed-out
    /// session): a logout token to each client they reached, their online grants revoked.
    pub(crate) async fn end_oidc_sessions_tx(&self, tx: &mut Tx, sids: &[String], now: UnixMillis) -> Result<()> {
        for sid in sids {
            for (client_id, customer_id) in &oidc_sessions::reached_by_sid(tx, sid).await? {
                self.queue_backchannel(tx, client_id, customer_id, Some(sid), now).await?;
            }
            for grant_id in store::grants::live_grant_ids_of_sid(tx, sid).await? {
                store::grants::revoke_grant(tx, &grant_id, "session_ended", now).await?;
            }
            oidc_sessions::forget_sid(tx, sid).await?;
        }
        Ok(())
    }

    /// Disabling a client ends every grant it holds and every access token it was
    /// issued (called by `disable_client`; the client is not told).
    pub(crate) async fn revoke_client_grants_tx(&self, tx: &mut Tx, client_id: &str, now: UnixMillis) -> Result<()> {
        for grant_id in store::grants::live_grant_ids_of_client(tx, client_id).await? {
            store::grants::revoke_grant(tx, &grant_id, "client_disabled", now).await?;
        }
        store::grants::revoke_client_access_tokens(tx, client_id, now).await
    }

    /// Queues a logout token for `client_id` if it registered a back-channel URI and is
    /// enabled, with the `sub` and `sid` that client saw in its ID tokens (`sid`: the
    /// sign-in's, made per client).
    async fn queue_backchannel(&self, tx: &mut Tx, client_id: &str, customer_id: &str, sid: Option<&str>, now: UnixMillis) -> Result<()> {
        let Some(client) = client_by_id_tx(tx, client_id).await? else { return Ok(()) };
        if client.backchannel_logout_uri.is_none() || client.is_disabled() {
            return Ok(());
        }
        let (sub, sid) = self.subject_and_sid_tx(tx, &client, customer_id, sid).await?;
        let event = OutboxEvent::BackchannelLogout { client_id: client.id, sub, sid, jti: self.new_id() };
        enqueue(tx, &event, now).await?;
        Ok(())
    }
}
