//! Making tokens without holding the write turn (`docs/design/peaks.md` "Token path").
//!
//! Every grant type that issues tokens runs in three steps: read and check (no write
//! lock), then [`Identity::mint`] reads what the tokens say and signs them (still no
//! lock: RSA work runs on every core at once), then one short write transaction
//! redeems the code or rotates the refresh token and [`Identity::record`]s the tokens.
//! A write that finds the code or refresh token used meanwhile, or the grant revoked,
//! sends nothing it signed: an access token is honoured only while its `jti` row exists
//! (`live_access_token`) and a refresh token only by its stored hash, so signed but
//! unrecorded tokens are worthless.

use serde_json::{Map, Value, json};

use super::claims::{at_hash, claims_for};
use super::clients::Client;
use super::grants::GrantRow;
use super::tokens::{Issued, REFRESH_PREFIX, access_token_audience, scopes};
use crate::jose::{Keys, SigningAlg};
use crate::store::customers::CustomerRow;
use crate::store::grants::NewAccessToken;
use crate::store::{self, AnyConnection, Tx};
use crate::{Error, Identity, Result, UnixMillis, sha256_hex};

/// Signed tokens waiting for their write: the response, and the rows that make it live.
#[derive(Debug)]
pub(crate) struct Minted {
    pub(crate) issued: Issued,
    jti: String,
    exp: UnixMillis,
    refresh_hash: Option<String>,
}

/// What one grant's tokens are made for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MintFor<'a> {
    pub(crate) client: &'a Client,
    pub(crate) grant: &'a GrantRow,
    pub(crate) granted: &'a [String],
    /// The sign-in behind an online grant (the ID token's `sid`).
    pub(crate) sid: Option<&'a str>,
    /// The authorization request's `nonce` (code redemption only).
    pub(crate) nonce: Option<&'a str>,
    /// The customer's row when the caller read it already (refresh checks it).
    pub(crate) customer: Option<&'a CustomerRow>,
    pub(crate) now: UnixMillis,
}

/// The `act.sub` of tokens a support agent's sign-in for a customer mints
/// (`docs/design/admin.md` "Signing in at brands for the customer").
pub fn support_actor(staff_id: &str) -> String {
    format!("support:{staff_id}")
}

/// The claims of both tokens, read but not yet signed.
pub(crate) struct Unsigned {
    access: Value,
    id: Option<(SigningAlg, Map<String, Value>)>,
    jti: String,
    exp: UnixMillis,
}

impl Identity {
    /// Reads what the tokens say (subject, `act`, the ID token's claims), then signs the
    /// access token, the ID token when `openid` is granted, and makes a refresh token
    /// when the client may refresh. Nothing is written: see [`Self::record`].
    pub(crate) async fn mint(&self, keys: &Keys, what: MintFor<'_>) -> Result<Minted> {
        let unsigned = self.unsigned(&mut *self.store.conn().await?, &what).await?;
        self.sign(keys, &what, unsigned)
    }

    /// The signing half of [`Self::mint`], for a caller that read the claims
    /// ([`Self::unsigned`]) on a connection of its own and has let it go: no pooled
    /// connection is held while RSA works.
    pub(crate) fn sign(&self, keys: &Keys, what: &MintFor<'_>, unsigned: Unsigned) -> Result<Minted> {
        let Unsigned { access, id, jti, exp } = unsigned;
        let access_token = keys.sign_jwt(self.settings.access_token_alg, &access, "at+jwt")?;
        let id_token = match id {
            Some((alg, mut claims)) => {
                claims.insert("at_hash".into(), Value::String(at_hash(alg, &access_token)));
                Some(keys.sign_jwt(alg, &Value::Object(claims), "JWT")?)
            }
            None => None,
        };
        let refresh = (what.grant.delegation_id.is_none() && what.grant.support_access_id.is_none() && what.client.grant_types.iter().any(|g| g == "refresh_token"))
            .then(|| format!("{REFRESH_PREFIX}{}", self.new_token()));
        let refresh_hash = refresh.as_ref().map(|t| sha256_hex(t.as_bytes()));
        let issued = Issued {
            access_token,
            expires_in: ((exp - what.now) / 1000).max(0),
            scope: what.granted.join(" "),
            id_token,
            refresh_token: refresh,
        };
        Ok(Minted { issued, jti, exp, refresh_hash })
    }

    /// The reading half of [`Self::mint`]: what the tokens say, on `conn`.
    pub(crate) async fn unsigned(&self, conn: &mut AnyConnection, what: &MintFor<'_>) -> Result<Unsigned> {
        let (client, grant, now) = (what.client, what.grant, what.now);
        let jti = self.new_id();
        let mut exp = now + client.access_token_ttl_s * 1000;
        if grant.delegation_id.is_some() || grant.support_access_id.is_some() {
            // A delegated (or support) grant's tokens never outlive it (itself bounded by
            // the delegation or the support access).
            exp = exp.min(grant.expires_at);
        }
        let (sub, sid) = self.subject_and_sid_tx(conn, client, &grant.customer_id, what.sid).await?;
        // RFC 8693 §4.1: a delegated grant's tokens name the delegate in `act`, as this
        // client sees them; a support agent's name the agent (`support:<staff id>`).
        let act = match (grant.actor_id.as_deref(), grant.support_access_id.is_some()) {
            (Some(staff), true) => Some(json!({ "sub": support_actor(staff) })),
            (Some(actor), false) => Some(json!({ "sub": self.subject_and_sid_tx(conn, client, actor, None).await?.0 })),
            (None, _) => None,
        };
        let amr = scopes(&grant.amr);
        let mut access = json!({
            "iss": self.settings.public_url, "sub": sub, "aud": access_token_audience(client), "client_id": client.id,
            "iat": now / 1000, "exp": exp / 1000, "jti": jti, "scope": what.granted.join(" "),
            "auth_time": grant.auth_time / 1000, "acr": grant.acr, "amr": amr,
        });
        if let Some(act) = &act {
            access["act"] = act.clone();
        }
        if !what.granted.iter().any(|s| s == "openid") {
            return Ok(Unsigned { access, id: None, jti, exp });
        }
        let alg = SigningAlg::parse(&client.id_token_alg).unwrap_or(SigningAlg::Rs256);
        let read;
        let customer = match what.customer {
            Some(customer) => customer,
            None => {
                read = store::customers::by_id_tx(conn, &grant.customer_id).await?.ok_or(Error::NotFound("customer"))?;
                &read
            }
        };
        let mut claims = claims_for(customer, what.granted);
        claims.extend(self.brand_claims(conn, &grant.customer_id, &client.brand_id, what.granted).await?);
        let fixed = json!({
            "iss": self.settings.public_url, "sub": sub, "aud": client.id, "iat": now / 1000,
            "exp": (now + client.id_token_ttl_s * 1000) / 1000, "auth_time": grant.auth_time / 1000,
            "acr": grant.acr, "amr": amr,
        });
        if let Value::Object(fixed) = fixed {
            claims.extend(fixed);
        }
        if let Some(nonce) = what.nonce {
            claims.insert("nonce".into(), Value::String(nonce.to_owned()));
        }
        if let Some(sid) = sid {
            claims.insert("sid".into(), Value::String(sid));
        }
        if let Some(act) = act {
            claims.insert("act".into(), act);
        }
        Ok(Unsigned { access, id: Some((alg, claims)), jti, exp })
    }

    /// Makes minted tokens live, inside the write transaction: the access token's `jti`
    /// row and the refresh token's hash.
    pub(crate) async fn record(&self, tx: &mut Tx, client: &Client, grant: &GrantRow, minted: Minted, now: UnixMillis) -> Result<Issued> {
        store::grants::insert_access_token(tx, &minted.access_row(client, grant, now)).await?;
        if let Some(hash) = &minted.refresh_hash {
            store::grants::insert_refresh_token(tx, hash, &grant.id, now).await?;
        }
        Ok(minted.issued)
    }
}

impl Minted {
    /// The `access_tokens` row that makes the access token live.
    pub(crate) fn access_row<'a>(&'a self, client: &'a Client, grant: &'a GrantRow, now: UnixMillis) -> NewAccessToken<'a> {
        NewAccessToken {
            jti: &self.jti,
            grant_id: Some(&grant.id),
            client_id: &client.id,
            customer_id: Some(&grant.customer_id),
            scope: &self.issued.scope,
            created_at: now,
            expires_at: self.exp,
        }
    }

    /// The hash under which the refresh token is stored, when one was made.
    pub(crate) fn refresh_hash(&self) -> Option<&str> {
        self.refresh_hash.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brand::BrandSlug;
    use crate::import::ImportRecord;
    use crate::jose::KeyPolicy;
    use crate::oidc::tokens::TokenError;
    use crate::principal::Principal;

    const NOW: UnixMillis = 1_700_000_000_000;
    const REFRESH: &str = "frt_the-customer-app-holds-this";

    /// A brand, a confidential client, a verified customer, an offline grant with one
    /// unused refresh token, and the signing keys.
    async fn world() -> (Identity, tempfile::TempDir, Client, GrantRow, Keys) {
        world_with(crate::Settings::default()).await
    }

    async fn world_with(settings: crate::Settings) -> (Identity, tempfile::TempDir, Client, GrantRow, Keys) {
        let (id, dir) = crate::jose::test_support::identity_at(NOW, settings).await;
        id.create_brand(&Principal::Operator, &BrandSlug::parse("northwind-air").unwrap(), "Northwind Air").await.unwrap();
        let client = id.create_client(&Principal::Operator, &super::super::clients::ClientSpec::new("northwind-air", "Air app").redirect_uri("https://air.example.com/cb")).await.unwrap().client;
        let ann = ImportRecord::checked(1, "ann@example.com", "Ann", "Lee", "+44 20 7946 0958").unwrap();
        id.import_customers(&Principal::Operator, &[ann]).await.unwrap();
        let customer = id.store.customer_by_email("ann@example.com").await.unwrap().unwrap();
        let grant = GrantRow {
            id: id.new_id(),
            client_id: client.id.clone(),
            customer_id: customer.id,
            sid: None,
            scope: "openid email offline_access".into(),
            nonce: None,
            auth_time: NOW,
            acr: "foyer:pwd".into(),
            amr: "pwd".into(),
            created_at: NOW,
            expires_at: NOW + 86_400_000,
            revoked_at: None,
            actor_id: None,
            delegation_id: None,
            support_access_id: None,
        };
        let mut tx = id.store.begin().await.unwrap();
        id.issue_grant_tx(&mut tx, &grant).await.unwrap();
        store::grants::insert_refresh_token(&mut tx, &sha256_hex(REFRESH.as_bytes()), &grant.id, NOW).await.unwrap();
        tx.commit().await.unwrap();
        let manager = id.signing_keys(&Principal::System, KeyPolicy::default()).unwrap();
        manager.ensure_keys(NOW).await.unwrap();
        let keys = manager.load(NOW).await.unwrap();
        (id, dir, client, grant, keys)
    }

    /// Steps 1 and 2 of a refresh (read and check, mint), stopping before the write.
    async fn read_and_mint(id: &Identity, keys: &Keys, client: &Client) -> (GrantRow, Minted) {
        let (grant, customer) = id.refreshable_grant(&mut *id.store.conn().await.unwrap(), client, &sha256_hex(REFRESH.as_bytes()), NOW).await.unwrap().expect("refreshable");
        let granted: Vec<String> = grant.scope.split(' ').map(str::to_owned).collect();
        let minted = id
            .mint(keys, MintFor { client, grant: &grant, granted: &granted, sid: None, nonce: None, customer: Some(&customer), now: NOW })
            .await
            .unwrap();
        (grant, minted)
    }

    #[tokio::test]
    async fn minted_tokens_are_worthless_until_recorded() {
        let (id, _dir, client, _grant, keys) = world().await;
        let (grant, minted) = read_and_mint(&id, &keys, &client).await;
        let access = minted.issued.access_token.clone();
        assert!(minted.issued.id_token.is_some() && minted.issued.refresh_token.is_some());
        assert!(id.live_access_token(&keys, &access).await.unwrap().is_none(), "signed, not recorded: refused");
        let issued = id.rotate(&client.principal(), &client, &sha256_hex(REFRESH.as_bytes()), &grant, minted, NOW).await.unwrap();
        assert_eq!(issued.access_token, access);
        let live = id.live_access_token(&keys, &access).await.unwrap().expect("recorded: live");
        assert_eq!(live.client.id, client.id);
        let next = issued.refresh_token.unwrap();
        assert!(id.live_refresh_token(&next).await.unwrap().is_some(), "the rotated token works");
        assert!(id.live_refresh_token(REFRESH).await.unwrap().is_none(), "the old one is spent");
    }

    /// `refresh_after_revocation_in_flight`: the grant is revoked (sign-out, support,
    /// the customer) after the tokens were signed: the write issues nothing.
    #[tokio::test]
    async fn refresh_after_revocation_in_flight() {
        let (id, _dir, client, _grant, keys) = world().await;
        let (grant, minted) = read_and_mint(&id, &keys, &client).await;
        let access = minted.issued.access_token.clone();
        let next_refresh = minted.issued.refresh_token.clone().expect("a refresh token was minted");
        let mut tx = id.store.begin().await.unwrap();
        store::grants::revoke_grant(&mut tx, &grant.id, "signed_out", NOW).await.unwrap();
        tx.commit().await.unwrap();
        let answer = id.rotate(&client.principal(), &client, &sha256_hex(REFRESH.as_bytes()), &grant, minted, NOW).await;
        assert!(matches!(answer, Err(TokenError::InvalidGrant(_))), "{answer:?}");
        assert!(id.live_access_token(&keys, &access).await.unwrap().is_none(), "nothing recorded");
        let recorded = store::grants::refresh_token_recorded(&mut *id.store.conn().await.unwrap(), &sha256_hex(next_refresh.as_bytes())).await.unwrap();
        assert!(!recorded, "the next refresh token was not recorded either");
        assert!(id.refreshable_grant(&mut *id.store.conn().await.unwrap(), &client, &sha256_hex(REFRESH.as_bytes()), NOW).await.unwrap().is_none(), "the token is spent");
    }

    /// An online grant (one with a sign-in `sid`) refreshes while a session of that
    /// sign-in is unexpired, and not after; the check, the grant and its customer are one
    /// statement (`store::grants::refresh_context`).
    #[tokio::test]
    async fn an_online_grant_refreshes_only_while_its_sign_in_lives() {
        let (id, _dir, client, grant, _keys) = world().await;
        let online = GrantRow { id: id.new_id(), sid: Some("sign-in-1".into()), ..grant };
        let token = "frt_online-grant-token";
        let mut tx = id.store.begin().await.unwrap();
        id.issue_grant_tx(&mut tx, &online).await.unwrap();
        store::grants::insert_refresh_token(&mut tx, &sha256_hex(token.as_bytes()), &online.id, NOW).await.unwrap();
        tx.commit().await.unwrap();
        let hash = sha256_hex(token.as_bytes());
        let read = |at: UnixMillis| {
            let (id, client, hash) = (&id, &client, &hash);
            async move { id.refreshable_grant(&mut *id.store.conn().await.unwrap(), client, hash, at).await }
        };
        assert!(matches!(read(NOW).await, Err(TokenError::InvalidGrant(m)) if m.contains("sign-in")), "no session of the sign-in: refused");

        let columns = store::sessions::SessionColumns { customer_id: Some(&online.customer_id), device: None, sid: Some("sign-in-1") };
        assert!(id.store.session_create("session-hash-1", "{}", NOW + 60_000, columns, NOW).await.unwrap());
        let (found, customer) = read(NOW).await.unwrap().expect("live sign-in: refreshable");
        assert_eq!((found.id.as_str(), found.sid.as_deref()), (online.id.as_str(), Some("sign-in-1")));
        assert_eq!(customer.id, online.customer_id, "the grant's customer comes with it");
        assert_eq!(customer.email, "ann@example.com");
        assert!(matches!(read(NOW + 60_000).await, Err(TokenError::InvalidGrant(m)) if m.contains("sign-in")), "its session expired: refused");

        // The offline grant of `world` needs no session.
        let offline = id.refreshable_grant(&mut *id.store.conn().await.unwrap(), &client, &sha256_hex(REFRESH.as_bytes()), NOW + 60_000).await.unwrap();
        assert!(offline.is_some_and(|(g, _)| g.sid.is_none()), "an offline grant refreshes without a sign-in");
    }

    /// The token was rotated by a parallel request after this one signed: this one is
    /// the reuse, and the grant dies (with what the other request got).
    #[tokio::test]
    async fn refresh_used_in_flight_is_reuse() {
        let (id, _dir, client, _grant, keys) = world().await;
        let (grant, first) = read_and_mint(&id, &keys, &client).await;
        let (_, second) = read_and_mint(&id, &keys, &client).await;
        let loser_refresh = sha256_hex(second.issued.refresh_token.clone().expect("minted").as_bytes());
        let hash = sha256_hex(REFRESH.as_bytes());
        let winner = id.rotate(&client.principal(), &client, &hash, &grant, first, NOW).await.unwrap();
        // Both writes carry the same instant: the loser must not take the winner's rotation for its own.
        let loser = id.rotate(&client.principal(), &client, &hash, &grant, second, NOW).await;
        assert!(matches!(loser, Err(TokenError::InvalidGrant(_))), "{loser:?}");
        let recorded = store::grants::refresh_token_recorded(&mut *id.store.conn().await.unwrap(), &loser_refresh).await.unwrap();
        assert!(!recorded, "the loser's refresh token was never recorded");
        assert!(id.live_access_token(&keys, &winner.access_token).await.unwrap().is_none(), "the winner's token died with the grant");
        assert!(id.live_refresh_token(&winner.refresh_token.unwrap()).await.unwrap().is_none());
    }

    /// A token found live (and so kept by this node) is refused at once after a
    /// revocation committed on this node, and within `ACCESS_CACHE_MS` after one committed
    /// on another node (`oidc::access_cache`; the two-node test over PostgreSQL is
    /// `cluster::nodes`).
    #[tokio::test]
    async fn a_kept_token_is_refused_at_once_here_and_within_a_second_elsewhere() {
        use crate::jose::test_support::{identity_over, second_store};
        use crate::oidc::access_cache::ACCESS_CACHE_MS;
        let (id, dir, client, _grant, keys) = world().await;
        let principal = client.principal();
        let issued = id.refresh(&principal, &keys, &client, REFRESH, None).await.unwrap();
        assert!(id.live_access_token(&keys, &issued.access_token).await.unwrap().is_some(), "live, and now kept");
        id.revoke_token(&principal, &keys, &client, &issued.access_token).await.unwrap();
        assert!(id.live_access_token(&keys, &issued.access_token).await.unwrap().is_none(), "revoked on this node: refused at once");

        let next = id.refresh(&principal, &keys, &client, &issued.refresh_token.unwrap(), None).await.unwrap();
        assert!(id.live_access_token(&keys, &next.access_token).await.unwrap().is_some());
        let other = identity_over(second_store(&dir).await, NOW, crate::Settings::default());
        other.revoke_token(&principal, &keys, &client, &next.access_token).await.unwrap();
        assert!(other.live_access_token(&keys, &next.access_token).await.unwrap().is_none(), "refused at once where it was revoked");
        let almost = at(&id, NOW + ACCESS_CACHE_MS - 1);
        assert!(almost.live_access_token(&keys, &next.access_token).await.unwrap().is_some(), "the other node's revocation: not yet seen here");
        let bound = at(&id, NOW + ACCESS_CACHE_MS);
        assert!(bound.live_access_token(&keys, &next.access_token).await.unwrap().is_none(), "seen within the bound");

        // Ending the whole grant (a refresh token revoked: sign-out, support) ends its
        // kept access tokens here at once too.
        let third = id.refresh(&principal, &keys, &client, &next.refresh_token.unwrap(), None).await.unwrap();
        assert!(id.live_access_token(&keys, &third.access_token).await.unwrap().is_some());
        id.revoke_token(&principal, &keys, &client, &third.refresh_token.unwrap()).await.unwrap();
        assert!(id.live_access_token(&keys, &third.access_token).await.unwrap().is_none(), "the grant's tokens end with it");
    }

    /// An unused refresh token whose grant expired is refused, and is no reuse: nothing
    /// is revoked, no logout is sent, the audit log says nothing of reuse.
    #[tokio::test]
    async fn an_expired_grant_is_refused_not_taken_for_reuse() {
        let (id, _dir, client, grant, keys) = world().await;
        let later = at(&id, grant.expires_at + 1);
        let answer = later.refresh(&client.principal(), &keys, &client, REFRESH, None).await;
        assert!(matches!(answer, Err(TokenError::InvalidGrant(_))), "{answer:?}");
        assert!(!revoked(&id, &grant).await, "an expired grant is not revoked as reused");
    }

    /// Retrying a refresh whose answer was lost (`docs/design/oidc.md`): a 30 s window.
    const RETRY_MS: i64 = 30_000;

    async fn retry_world() -> (Identity, tempfile::TempDir, Client, GrantRow, Keys) {
        world_with(crate::Settings { refresh_retry_ms: RETRY_MS, ..crate::Settings::default() }).await
    }

    /// `id` on a clock stopped at `ms`.
    fn at(id: &Identity, ms: UnixMillis) -> Identity {
        id.with_clock(std::sync::Arc::new(crate::FixedClock::at(ms)))
    }

    async fn revoked(id: &Identity, grant: &GrantRow) -> bool {
        store::grants::grant_by_id_tx(&mut *id.store.conn().await.unwrap(), &grant.id).await.unwrap().unwrap().revoked_at.is_some()
    }

    async fn audit_actions(id: &Identity, grant: &GrantRow) -> Vec<String> {
        let trail = id.store.audit_trail(&format!("customer:{}", grant.customer_id)).await.unwrap();
        trail.into_iter().map(|r| r.action).collect()
    }

    /// The answer to a refresh was lost (a node killed after its commit, a dropped mobile
    /// connection): the client presents the spent token again within the window and gets
    /// a new pair. The successor the lost answer carried is set aside: whoever holds it
    /// (a thief who sent the spent token, or the client had the answer reached it) and
    /// uses it is reuse, and the whole grant ends, the retry's tokens with it.
    #[tokio::test]
    async fn a_lost_answer_is_retried_and_its_successor_becomes_reuse() {
        let (id, _dir, client, grant, keys) = retry_world().await;
        let principal = client.principal();
        let lost = id.refresh(&principal, &keys, &client, REFRESH, None).await.unwrap();
        let later = at(&id, NOW + RETRY_MS - 1);
        let retried = later.refresh(&principal, &keys, &client, REFRESH, None).await.expect("retried within the window");
        let (lost_refresh, retried_refresh) = (lost.refresh_token.clone().unwrap(), retried.refresh_token.clone().unwrap());
        assert_ne!(lost_refresh, retried_refresh, "a new refresh token, never the lost one again");
        assert!(later.live_access_token(&keys, &retried.access_token).await.unwrap().is_some(), "the retry's access token is live");
        assert!(later.live_refresh_token(&retried_refresh).await.unwrap().is_some(), "and its refresh token");
        assert!(later.live_refresh_token(&lost_refresh).await.unwrap().is_none(), "the lost answer's refresh token is set aside");
        assert!(!revoked(&id, &grant).await);
        assert!(audit_actions(&id, &grant).await.contains(&"oauth.refresh_retried".to_owned()), "the retry is in the audit log");

        // Whoever holds the set-aside token and uses it: reuse, the grant ends.
        let reuse = later.refresh(&principal, &keys, &client, &lost_refresh, None).await;
        assert!(matches!(reuse, Err(TokenError::InvalidGrant(_))), "{reuse:?}");
        assert!(revoked(&id, &grant).await, "the set-aside token used: the grant is revoked");
        assert!(later.live_refresh_token(&retried_refresh).await.unwrap().is_none(), "the retry's refresh token ended with it");
        assert!(audit_actions(&id, &grant).await.contains(&"oauth.refresh_reused".to_owned()));
    }

    /// The window counts from the token's first use, not from the last retry: retries
    /// may repeat inside it (each sets aside the previous retry's token), and the first
    /// presentation at or after its end is reuse.
    #[tokio::test]
    async fn retries_end_with_the_window_of_the_first_use() {
        let (id, _dir, client, grant, keys) = retry_world().await;
        let principal = client.principal();
        id.refresh(&principal, &keys, &client, REFRESH, None).await.unwrap();
        let first = at(&id, NOW + 10_000).refresh(&principal, &keys, &client, REFRESH, None).await.expect("first retry");
        let second = at(&id, NOW + 20_000).refresh(&principal, &keys, &client, REFRESH, None).await.expect("second retry");
        assert!(id.live_refresh_token(&first.refresh_token.unwrap()).await.unwrap().is_none(), "the first retry's token set aside by the second");
        assert!(id.live_refresh_token(second.refresh_token.as_deref().unwrap()).await.unwrap().is_some());
        let late = at(&id, NOW + RETRY_MS).refresh(&principal, &keys, &client, REFRESH, None).await;
        assert!(matches!(late, Err(TokenError::InvalidGrant(_))), "at the window's end: {late:?}");
        assert!(revoked(&id, &grant).await, "past the window a second use is reuse");
    }

    /// Only the immediately previous token of a chain is retried: once its successor has
    /// been used, the older token coming back is reuse (the rule django-oauth-toolkit's
    /// grace period missed, its issue 1617).
    #[tokio::test]
    async fn an_older_token_of_the_chain_is_reuse_even_within_the_window() {
        let (id, _dir, client, grant, keys) = retry_world().await;
        let principal = client.principal();
        let second = id.refresh(&principal, &keys, &client, REFRESH, None).await.unwrap();
        let third = id.refresh(&principal, &keys, &client, &second.refresh_token.unwrap(), None).await.expect("the chain goes on");
        let old = at(&id, NOW + 1).refresh(&principal, &keys, &client, REFRESH, None).await;
        assert!(matches!(old, Err(TokenError::InvalidGrant(_))), "{old:?}");
        assert!(revoked(&id, &grant).await, "an older token's return is reuse");
        assert!(id.live_refresh_token(&third.refresh_token.unwrap()).await.unwrap().is_none());
    }

    /// Two retries of one token at once (a thief and the customer's app, or a client
    /// retrying twice): the first to set the successor aside wins, the other is reuse,
    /// so the grant ends and neither keeps a chain the other does not know of.
    #[tokio::test]
    async fn two_retries_at_once_end_the_grant() {
        let (id, _dir, client, grant, keys) = retry_world().await;
        let principal = client.principal();
        id.refresh(&principal, &keys, &client, REFRESH, None).await.unwrap();
        let hash = sha256_hex(REFRESH.as_bytes());
        // Both read the same successor and sign before either writes.
        let successor = store::grants::retry_successor(&mut *id.store.conn().await.unwrap(), &hash, NOW - RETRY_MS).await.unwrap().expect("a successor to set aside");
        let mint_for_retry = || async {
            let (grant, customer) = id.refreshable_grant(&mut *id.store.conn().await.unwrap(), &client, &successor, NOW).await.unwrap().expect("refreshable");
            let granted: Vec<String> = grant.scope.split(' ').map(str::to_owned).collect();
            let minted = id.mint(&keys, MintFor { client: &client, grant: &grant, granted: &granted, sid: None, nonce: None, customer: Some(&customer), now: NOW }).await.unwrap();
            (grant, minted)
        };
        let (g1, m1) = mint_for_retry().await;
        let (g2, m2) = mint_for_retry().await;
        let loser_refresh = sha256_hex(m2.issued.refresh_token.clone().unwrap().as_bytes());
        let winner = id.retry(&principal, &client, &hash, &successor, &g1, m1, NOW).await.expect("the first retry");
        let loser = id.retry(&principal, &client, &hash, &successor, &g2, m2, NOW).await;
        assert!(matches!(loser, Err(TokenError::InvalidGrant(_))), "{loser:?}");
        assert!(revoked(&id, &grant).await, "the second retry is reuse");
        assert!(id.live_access_token(&keys, &winner.access_token).await.unwrap().is_none(), "the winner's token ended with the grant");
        let recorded = store::grants::refresh_token_recorded(&mut *id.store.conn().await.unwrap(), &loser_refresh).await.unwrap();
        assert!(!recorded, "the loser's refresh token was never recorded");
    }

    /// A retry is no way around an ended grant or sign-in: the grant revoked after the
    /// token was spent is refused (and nothing is recorded); with the window at 0, the
    /// default, a second use is reuse at once.
    #[tokio::test]
    async fn a_retry_after_the_grant_ended_is_refused_and_no_window_means_reuse() {
        let (id, _dir, client, grant, keys) = retry_world().await;
        let principal = client.principal();
        id.refresh(&principal, &keys, &client, REFRESH, None).await.unwrap();
        let mut tx = id.store.begin().await.unwrap();
        store::grants::revoke_grant(&mut tx, &grant.id, "signed_out", NOW).await.unwrap();
        tx.commit().await.unwrap();
        let answer = id.refresh(&principal, &keys, &client, REFRESH, None).await;
        assert!(matches!(answer, Err(TokenError::InvalidGrant(_))), "{answer:?}");
        assert!(!audit_actions(&id, &grant).await.contains(&"oauth.refresh_retried".to_owned()), "nothing was retried");

        let (strict, _dir, client, grant, keys) = world().await;
        strict.refresh(&client.principal(), &keys, &client, REFRESH, None).await.unwrap();
        let again = at(&strict, NOW + 1).refresh(&client.principal(), &keys, &client, REFRESH, None).await;
        assert!(matches!(again, Err(TokenError::InvalidGrant(_))), "{again:?}");
        assert!(revoked(&strict, &grant).await, "no window: the second use is reuse");
    }
}
