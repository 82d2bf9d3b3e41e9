//! What the server's command line, workers and endpoints ask the core beyond the
//! customer and OIDC flows: signing-key rotation, test mail, the outbox worker's
//! bookkeeping, the periodic sweep and the client-authentication throttle. Each takes
//! the [`Principal`] acting (the operator, Foyer itself) and is decided by
//! [`authorize`], so no adapter needs the store.

use crate::audit::{self, AuditEvent};
use crate::domain::Email;
use crate::email::Template;
use crate::jose::{Activation, KeyManager, SigningAlg};
use crate::outbox::{self, OutboxEvent};
use crate::principal::{authorize, Action, Principal, Subject};
use crate::store::outbox::{OutboxRow, OutboxStatus};
use crate::{Identity, Result, UnixMillis};

/// What one sweep removed: expired sessions, and every other kind of stale row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub other: u64,
}

impl Identity {
    /// Records an action on the platform as a whole (no customer, brand or client).
    async fn audit_platform(&self, principal: &Principal, action: &str, detail: serde_json::Value) -> Result<()> {
        let mut tx = self.store.begin().await?;
        audit::record(&mut tx, &AuditEvent { at: self.clock.now(), actor: principal.actor(), subject: Subject::Platform.label(), action, reason: None, detail }).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `foyer keys rotate`: makes sure every algorithm has a key, then rotates (at once
    /// or after the prepublication time); audited. Returns the new kids.
    pub async fn rotate_signing_keys(&self, principal: &Principal, manager: &KeyManager, alg: Option<SigningAlg>, activation: Activation) -> Result<Vec<String>> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        let now = self.clock.now();
        manager.ensure_keys(now).await?;
        let kids = manager.rotate_on(self.clock.as_ref(), alg, activation).await?;
        let at_once = matches!(activation, Activation::Now);
        self.audit_platform(principal, "keys.rotated", serde_json::json!({ "kids": kids, "now": at_once })).await?;
        Ok(kids)
    }

    /// `foyer keys remove`: takes a key out of the JWKS now; audited. `false` if no key
    /// has that kid.
    pub async fn remove_signing_key(&self, principal: &Principal, manager: &KeyManager, kid: &str) -> Result<bool> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        if !manager.expire(self.clock.now(), kid).await? {
            return Ok(false);
        }
        self.audit_platform(principal, "keys.removed", serde_json::json!({ "kid": kid })).await?;
        Ok(true)
    }

    /// `foyer mail test`: queues a test message to `to`; returns its outbox id.
    pub async fn queue_test_mail(&self, principal: &Principal, to: &Email) -> Result<i64> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        let message = Template::Test { public_url: &self.settings.public_url }.render(to.as_str(), &self.voice(crate::i18n::Locale::En, None, crate::i18n::TimeZone::utc()));
        let mut tx = self.store.begin().await?;
        let id = outbox::enqueue(&mut tx, &OutboxEvent::Email(message), self.clock.now()).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Where one outbox row stands (delivered, attempts, last error).
    pub async fn outbox_status(&self, principal: &Principal, id: i64) -> Result<Option<OutboxStatus>> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        self.store.outbox_status(id).await
    }

    /// The outbox worker claims up to `limit` due rows under a lease of `lease_ms`.
    pub async fn outbox_claim(&self, principal: &Principal, lease_ms: i64, limit: i64) -> Result<Vec<OutboxRow>> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        self.store.outbox_claim(self.clock.now(), lease_ms, limit).await
    }

    /// The outbox worker delivered row `id`.
    pub async fn outbox_delivered(&self, principal: &Principal, id: i64) -> Result<()> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        self.store.outbox_delivered(id, self.clock.now()).await
    }

    /// The outbox worker failed row `id`; it is tried again at `retry_at`, if any.
    pub async fn outbox_failed(&self, principal: &Principal, id: i64, error: &str, retry_at: Option<UnixMillis>) -> Result<()> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        self.store.outbox_failed(id, self.clock.now(), error, retry_at).await
    }

    /// The periodic sweep: expired sessions, stale throttle counters, spent OIDC flow
    /// state, finished outbox rows and old development mail, due erasures, and the audit
    /// log's retention (`FOYER_AUDIT_RETENTION_DAYS`). Idempotent.
    pub async fn sweep(&self, principal: &Principal) -> Result<Swept> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        let now = self.clock.now();
        let sessions = self.end_expired_sessions(principal).await?;
        let counters = self.store.throttle_sweep(now).await?;
        let oidc = self.prune_oidc(principal).await?;
        let outbox = self.store.outbox_prune(now).await? + self.store.mailbox_prune(now).await?;
        let privacy = self.sweep_privacy(principal).await?;
        let majority = self.sweep_majority_notices(principal).await?;
        let audit = self.apply_audit_retention(principal).await?;
        Ok(Swept { sessions, other: counters + oidc + outbox + privacy + majority + audit.deleted + audit.pseudonymised })
    }

    /// The token endpoint's throttle on failed client authentication, before the
    /// credentials are looked at: `Err(Throttled)` while any of `keys` is blocked. Anyone may be
    /// refused; nothing is written. Keys this node found unblocked in the last second are
    /// not read again until it records a failure (`oidc::unblocked`).
    pub async fn client_auth_check(&self, keys: &[&str]) -> Result<()> {
        let now = self.clock.now();
        if self.unblocked.all_unblocked(keys, now) {
            return Ok(());
        }
        let failures = self.unblocked.failures();
        self.store.throttle_check(keys, now).await?;
        self.unblocked.put(keys, now, failures);
        Ok(())
    }

    /// Counts one failed client authentication against `key` (at most `budget` before it
    /// blocks). Called by the endpoint on an anonymous caller's failure.
    pub async fn client_auth_failed(&self, key: &str, budget: i64) -> Result<()> {
        let written = self.store.throttle_fail(key, self.clock.now(), budget).await.map(|_| ());
        // After the write (even a failed one): a check that read before it keeps nothing.
        self.unblocked.failed();
        written
    }
}

/// A wrong principal is refused before anything is written; an allowed change writes
/// exactly one audit row naming the actor and the subject (real SQLite).
#[cfg(test)]
mod tests {

    use super::*;
    use crate::brand::BrandSlug;
    use crate::oidc::clients::ClientSpec;
    use crate::oidc::tokens::TokenError;
    use crate::staff::StaffRole;
    use crate::Error;

    async fn identity() -> (Identity, tempfile::TempDir) {
        crate::jose::test_support::identity_at(1_700_000_000_000, crate::Settings::default()).await
    }

    /// (actor, subject, action) of every audit row, oldest first.
    async fn audit_rows(id: &Identity) -> Vec<(String, Option<String>, String)> {
        id.store.audit_log_for_tests().await.unwrap()
    }

    fn slug() -> BrandSlug {
        BrandSlug::parse("northwind-air").unwrap()
    }

    fn others() -> Vec<Principal> {
        vec![
            Principal::Anonymous,
            Principal::customer("c1", "foyer:mfa"),
            Principal::Staff { id: "s1".into(), role: StaffRole::Support, ticket: None, brands: vec![] },
            Principal::Machine { client: "rp1".into(), brand: "b1".into(), scopes: vec![] },
            Principal::System,
        ]
    }

    /// Two imported customers' ids (the import writes its own audit rows).
    async fn two_customers(id: &Identity) -> (String, String) {
        let (records, errors) = crate::import::parse_lines(&b"{\"email\":\"c1@example.com\"}\n{\"email\":\"c2@example.com\"}\n"[..]);
        assert!(errors.is_empty());
        id.import_customers(&Principal::Operator, &records).await.unwrap();
        let c1 = id.store.customer_by_email("c1@example.com").await.unwrap().unwrap().id;
        let c2 = id.store.customer_by_email("c2@example.com").await.unwrap().unwrap().id;
        (c1, c2)
    }

    #[tokio::test]
    async fn only_operators_and_admins_create_brands_and_each_is_audited_once() {
        let (id, _dir) = identity().await;
        for p in others() {
            assert!(matches!(id.create_brand(&p, &slug(), "Northwind Air").await, Err(Error::Forbidden)), "{:?}", p.kind());
        }
        assert!(id.list_brands().await.unwrap().is_empty(), "nothing written");
        assert!(audit_rows(&id).await.is_empty(), "no audit row for a refusal");

        let brand = id.create_brand(&Principal::Operator, &slug(), "Northwind Air").await.unwrap();
        assert_eq!(audit_rows(&id).await, [("cli".to_owned(), Some(format!("brand:{}", brand.id)), "brand.created".to_owned())]);

        let admin = Principal::Staff { id: "s2".into(), role: StaffRole::Operator, ticket: None, brands: vec![] };
        id.set_brand_theme(&admin, &slug(), &["primary=#0b3d91".to_owned(), "on-primary=#ffffff".to_owned()], None).await.unwrap();
        let rows = audit_rows(&id).await;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1], ("staff:s2".to_owned(), Some(format!("brand:{}", brand.id)), "brand.theme_changed".to_owned()));
    }

    #[tokio::test]
    async fn a_customer_never_ends_or_reads_another_customers_brand_access() {
        let (id, _dir) = identity().await;
        let (c1, c2) = two_customers(&id).await;
        let before = audit_rows(&id).await;
        let intruder = Principal::customer(&c2, "foyer:mfa");
        assert!(matches!(id.sign_in_ended(&intruder, &c1, "sid-1").await, Err(Error::Forbidden)));
        assert!(matches!(id.disconnect_brand(&intruder, &c1, "northwind-air").await, Err(Error::Forbidden)));
        assert!(matches!(id.connected_brands(&intruder, &c1).await, Err(Error::Forbidden)));
        assert_eq!(audit_rows(&id).await, before, "nothing written");

        let owner = Principal::customer(&c1, "foyer:pwd");
        id.sign_in_ended(&owner, &c1, "sid-1").await.unwrap();
        let rows = audit_rows(&id).await;
        assert_eq!(rows.len(), before.len() + 1, "exactly one row");
        assert_eq!(rows[before.len()], (format!("customer:{c1}"), Some(format!("customer:{c1}")), "oauth.logout".to_owned()));
        assert!(id.connected_brands(&owner, &c1).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_client_uses_only_its_own_tokens() {
        let (id, _dir) = identity().await;
        id.create_brand(&Principal::Operator, &slug(), "Northwind Air").await.unwrap();
        let mine = id.create_client(&Principal::Operator, &ClientSpec::new("northwind-air", "Air web").redirect_uri("https://air.example.com/cb")).await.unwrap().client;
        let other = id.create_client(&Principal::Operator, &ClientSpec::new("northwind-air", "Air app").redirect_uri("https://air.example.com/app")).await.unwrap().client;
        let keys = crate::jose::test_support::manager(&id.store, &id.master_key, &[SigningAlg::Es256]);
        keys.ensure_keys(id.now()).await.unwrap();
        let keys = keys.load(id.now()).await.unwrap();
        let stranger = other.principal();
        let refused = id.redeem_code(&stranger, &keys, &mine, "code", Some("https://air.example.com/cb"), None).await;
        assert!(matches!(refused, Err(TokenError::Other(Error::Forbidden))));
        assert!(matches!(id.revoke_token(&stranger, &keys, &mine, "token").await, Err(Error::Forbidden)));
        assert!(matches!(id.introspect(&Principal::customer("c1", "foyer:mfa"), &keys, &mine, "token", None).await, Err(Error::Forbidden)));
        assert!(id.revoke_token(&mine.principal(), &keys, &mine, "token").await.is_ok(), "its own client may");
    }

    #[tokio::test]
    async fn platform_work_is_for_the_operator_and_foyer_itself() {
        let (id, _dir) = identity().await;
        let to = Email::parse("ops@example.com").unwrap();
        let customer = Principal::customer("c1", "foyer:mfa");
        assert!(matches!(id.queue_test_mail(&customer, &to).await, Err(Error::Forbidden)));
        assert!(matches!(id.sweep(&customer).await, Err(Error::Forbidden)));
        assert!(matches!(id.signing_keys(&customer, crate::jose::KeyPolicy::default()), Err(Error::Forbidden)));
        assert_eq!(id.store.outbox_backlog().await.unwrap(), 0, "nothing queued");
        let queued = id.queue_test_mail(&Principal::Operator, &to).await.unwrap();
        assert!(id.outbox_status(&Principal::Operator, queued).await.unwrap().is_some());
        assert_eq!(id.sweep(&Principal::System).await.unwrap().sessions, 0);

        let manager = id.signing_keys(&Principal::Operator, crate::jose::test_support::policy(&[SigningAlg::Es256])).unwrap();
        let kids = id.rotate_signing_keys(&Principal::Operator, &manager, None, Activation::Now).await.unwrap();
        assert!(matches!(id.remove_signing_key(&customer, &manager, &kids[0]).await, Err(Error::Forbidden)));
        let rows = audit_rows(&id).await;
        assert_eq!(rows, [("cli".to_owned(), None, "keys.rotated".to_owned())], "one row, for the allowed change only");
    }

    /// Client authentication's throttle (`oidc::unblocked`): a block recorded on this node
    /// is honoured at once; one recorded on another node within `UNBLOCKED_MS`, never
    /// later.
    #[tokio::test]
    async fn a_client_auth_block_is_honoured_at_once_here_and_within_a_second_elsewhere() {
        use crate::jose::test_support::{identity_over, second_store};
        use crate::oidc::unblocked::UNBLOCKED_MS;
        const NOW: UnixMillis = 1_700_000_000_000;
        let keys = ["client-ip:192.0.2.7", "client:ab12:192.0.2.7"];
        let blocked = |r: Result<()>| matches!(r, Err(Error::Throttled { .. }));

        let (id, dir) = identity().await;
        id.client_auth_check(&keys).await.unwrap();
        let other = identity_over(second_store(&dir).await, NOW, crate::Settings::default());
        for _ in 0..5 {
            other.client_auth_failed(keys[0], 2).await.unwrap();
        }
        assert!(blocked(other.client_auth_check(&keys).await), "blocked where the failures were recorded");
        assert!(id.client_auth_check(&keys).await.is_ok(), "the other node's block: not yet seen here");
        let almost = id.with_clock(std::sync::Arc::new(crate::FixedClock::at(NOW + UNBLOCKED_MS - 1)));
        assert!(almost.client_auth_check(&keys).await.is_ok());
        let bound = id.with_clock(std::sync::Arc::new(crate::FixedClock::at(NOW + UNBLOCKED_MS)));
        assert!(blocked(bound.client_auth_check(&keys).await), "seen within the bound");

        // Failures recorded on this node: refused at once, whatever was kept.
        let (here, _dir) = identity().await;
        here.client_auth_check(&keys).await.unwrap();
        for _ in 0..5 {
            here.client_auth_failed(keys[1], 2).await.unwrap();
        }
        assert!(blocked(here.client_auth_check(&keys).await), "a failure here: the counters are read again at once");
        assert!(blocked(here.client_auth_check(&keys[1..]).await));
        assert!(here.client_auth_check(&keys[..1]).await.is_ok(), "the address alone is not blocked");
    }
}
