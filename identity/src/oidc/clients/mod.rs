//! The client registry (docs/design/oidc.md "Clients"): what an operator may register,
//! checked before anything is written, and the `oauth_clients` rows.
//!
//! A [`ClientSpec`] holds what the operator typed; [`ClientSpec::validate`] turns it into a
//! [`ValidClient`] or names every refused field at once. Secrets are `fcs_` + 43
//! base64url characters (256 random bits), shown once and stored only as SHA-256 hex
//! (a fast hash is enough for high-entropy secrets); they are compared in constant time.
//! Redirect and post-logout URIs are stored and later compared exactly as typed.
//!
//! - `spec`: [`ClientSpec`], its checks and the [`ValidClient`] they make.
//! - [`RedirectUri`] and the rules a registered URI meets are `domain::uri` (brands use them too).
//! - `jwks`: [`check_jwks`] for `private_key_jwt` clients.
//! - `rate`: [`TokenRate`], a client's own token-endpoint rate limit.
//! - `cache`: the rows read in the last second (token requests, UserInfo, APIs).
//! - this file: the registered [`Client`] and the [`Identity`] services over
//!   `store::clients` (create, read, list, verify and rotate secrets, disable).

pub(crate) mod cache;
mod jwks;
mod rate;
mod spec;

pub use cache::CLIENT_CACHE_MS;
pub use jwks::check_jwks;
pub use rate::{MAX_TOKEN_RATE, RateChange, TokenRate, parse_rate};
pub use spec::{
    AuthMethod, ClientKind, ClientSpec, DEFAULT_SCOPES, GrantType, SUPPORTED_SCOPES, SubjectType, ValidClient, parse_duration,
};
pub use crate::domain::{RedirectUri, UriRules};

use secrecy::SecretString;

use self::spec::DAY;
use crate::audit::{self, AuditEvent};
use crate::domain::{BrandSlug, ParseError, unknown_brand};
use crate::store::{self, clients::ClientRow};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::{Error, Identity, Result, UnixMillis, sha256_hex};

/// The prefix of every client secret.
pub const SECRET_PREFIX: &str = "fcs_";

/// A registered client as the rest of Foyer sees it (no secret material).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: String,
    pub brand_id: String,
    pub brand_slug: String,
    pub name: String,
    pub kind: String,
    pub auth_method: String,
    pub jwks: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    pub allowed_scopes: Vec<String>,
    pub grant_types: Vec<String>,
    pub subject_type: String,
    pub id_token_alg: String,
    pub access_token_ttl_s: i64,
    pub id_token_ttl_s: i64,
    pub refresh_token_ttl_s: i64,
    /// Its own token-endpoint rate limit, if any (else the server's setting).
    pub token_rate: TokenRate,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
    pub disabled_at: Option<UnixMillis>,
    /// Opted in to delegated tokens (`--allow-delegation`): the consent screen offers
    /// "on behalf of …", codes may be delegated, and token exchange is open to it.
    pub allow_delegation: bool,
}

impl Client {
    pub fn is_public(&self) -> bool {
        self.kind == ClientKind::Public.as_str()
    }
    /// Public clients must send a PKCE challenge.
    pub fn requires_pkce(&self) -> bool {
        self.is_public()
    }
    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }
    /// The principal of this client's back end once it has authenticated (token,
    /// revocation and introspection endpoints).
    pub fn principal(&self) -> Principal {
        Principal::Machine { client: self.id.clone(), brand: self.brand_id.clone(), scopes: self.allowed_scopes.clone() }
    }
}

/// A new client and, for secret-based clients, its secret: shown once, never stored.
#[derive(Debug)]
pub struct NewClient {
    pub client: Client,
    pub secret: Option<SecretString>,
}

/// A rotated secret (shown once) and until when the previous one still works.
#[derive(Debug)]
pub struct RotatedSecret {
    pub secret: SecretString,
    pub previous_valid_until: Option<UnixMillis>,
}

/// A client read inside a write transaction (never from the cache: the transaction
/// decides on what it reads).
pub(crate) async fn client_by_id_tx(tx: &mut crate::store::Tx, client_id: &str) -> Result<Option<Client>> {
    store::clients::client_by_id_tx(tx, client_id).await?.map(client_from).transpose()
}

/// The row as the rest of Foyer sees it: the secret hashes stay behind.
pub(crate) fn client_from(row: ClientRow) -> Result<Client> {
    Ok(Client {
        redirect_uris: serde_json::from_str(&row.redirect_uris)?,
        post_logout_redirect_uris: serde_json::from_str(&row.post_logout_redirect_uris)?,
        allowed_scopes: row.allowed_scopes.split_whitespace().map(str::to_owned).collect(),
        grant_types: row.grant_types.split_whitespace().map(str::to_owned).collect(),
        id: row.id,
        brand_id: row.brand_id,
        brand_slug: row.brand_slug,
        name: row.name,
        kind: row.kind,
        auth_method: row.auth_method,
        jwks: row.jwks,
        backchannel_logout_uri: row.backchannel_logout_uri,
        subject_type: row.subject_type,
        id_token_alg: row.id_token_alg,
        access_token_ttl_s: row.access_token_ttl_s,
        id_token_ttl_s: row.id_token_ttl_s,
        refresh_token_ttl_s: row.refresh_token_ttl_s,
        token_rate: TokenRate::from_columns(row.token_rate_per_second, row.token_burst),
        created_at: row.created_at,
        updated_at: row.updated_at,
        disabled_at: row.disabled_at,
        allow_delegation: row.allow_delegation == 1,
    })
}

use crate::service::ct_eq;

/// The longest grace period for an old secret after rotation.
pub const MAX_KEEP_OLD_SECRET_S: i64 = 7 * DAY;

impl Identity {
    fn new_client_secret(&self) -> (SecretString, String) {
        let secret = format!("{SECRET_PREFIX}{}", self.new_token());
        let hash = sha256_hex(secret.as_bytes());
        (SecretString::from(secret), hash)
    }

    /// Registers a client after checking the whole spec; audited, one transaction.
    pub async fn create_client(&self, principal: &Principal, spec: &ClientSpec) -> Result<NewClient> {
        let valid = spec.validate()?;
        let brand = self.store.brand_by_slug(valid.brand.as_str()).await?.ok_or_else(|| unknown_brand(&valid.brand))?;
        authorize(principal, Action::ManageBrands, Subject::Brand(&brand.id))?;
        let now = self.clock.now();
        let id = self.new_id();
        let (secret, secret_hash) = if valid.auth_method.uses_secret() {
            let (secret, hash) = self.new_client_secret();
            (Some(secret), Some(hash))
        } else {
            (None, None)
        };
        let uris = |list: &[RedirectUri]| serde_json::to_string(&list.iter().map(RedirectUri::as_str).collect::<Vec<_>>());
        let grants: Vec<&str> = valid.grant_types.iter().map(|g| g.as_str()).collect();
        let row = ClientRow {
            id: id.clone(),
            brand_id: brand.id.clone(),
            brand_slug: brand.slug.clone(),
            name: valid.name.clone(),
            kind: valid.kind.as_str().to_owned(),
            auth_method: valid.auth_method.as_str().to_owned(),
            secret_hash,
            previous_secret_hash: None,
            previous_secret_expires_at: None,
            jwks: valid.jwks.clone(),
            redirect_uris: uris(&valid.redirect_uris)?,
            post_logout_redirect_uris: uris(&valid.post_logout_redirect_uris)?,
            backchannel_logout_uri: valid.backchannel_logout_uri.as_ref().map(|u| u.as_str().to_owned()),
            allowed_scopes: valid.scopes.join(" "),
            grant_types: grants.join(" "),
            subject_type: valid.subject_type.as_str().to_owned(),
            id_token_alg: valid.id_token_alg.as_str().to_owned(),
            access_token_ttl_s: valid.access_token_ttl_s,
            id_token_ttl_s: valid.id_token_ttl_s,
            refresh_token_ttl_s: valid.refresh_token_ttl_s,
            token_rate_per_second: valid.token_rate.per_second.map(i64::from),
            token_burst: valid.token_rate.burst.map(i64::from),
            created_at: now,
            updated_at: now,
            disabled_at: None,
            allow_delegation: i64::from(valid.allow_delegation),
        };
        let mut tx = self.store.begin().await?;
        store::clients::insert_client(&mut tx, &row).await?;
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Subject::Client(&id).label(),
            action: "client.created",
            reason: None,
            detail: serde_json::json!({
                "brand_id": brand.id, "kind": valid.kind.as_str(), "auth_method": valid.auth_method.as_str(),
                "allow_delegation": valid.allow_delegation,
            }),
        })
        .await?;
        tx.commit().await?;
        let client = self.client_by_id(&id).await?.ok_or(Error::Internal("client vanished after insert".into()))?;
        Ok(NewClient { client, secret })
    }

    /// The client a change names, once the principal may manage its brand
    /// (`Subject::Brand` of the client's brand: operators every brand, a brand
    /// administrator the brands granted). A client of another brand is `NotFound` for
    /// whoever manages some brand, as an unknown id is: its existence is not told.
    pub(crate) async fn client_in_scope(&self, principal: &Principal, client_id: &str) -> Result<ClientRow> {
        let row = self.store.client_by_id(client_id).await?;
        let brand = row.as_ref().map_or("", |r| r.brand_id.as_str());
        match authorize(principal, Action::ManageBrands, Subject::Brand(brand)) {
            Ok(()) => row.ok_or(Error::NotFound("Client")),
            Err(Error::Forbidden) if crate::admin::brands::manages_some_brand(principal) => Err(Error::NotFound("Client")),
            Err(e) => Err(e),
        }
    }

    pub async fn client_by_id(&self, client_id: &str) -> Result<Option<Client>> {
        self.client_row(client_id).await?.map(|row| client_from(ClientRow::clone(&row))).transpose()
    }

    /// The row, from this node's cache when read less than a second ago.
    async fn client_row(&self, client_id: &str) -> Result<Option<std::sync::Arc<ClientRow>>> {
        let now = self.clock.now();
        if let Some(row) = self.clients.get(client_id, now) {
            return Ok(Some(row));
        }
        let Some(row) = self.store.client_by_id(client_id).await? else { return Ok(None) };
        let row = std::sync::Arc::new(row);
        self.clients.put(std::sync::Arc::clone(&row), now);
        Ok(Some(row))
    }

    /// Every client, or those of one brand (unknown brand: an error naming it).
    pub async fn list_clients(&self, brand: Option<&BrandSlug>) -> Result<Vec<Client>> {
        if let Some(slug) = brand {
            self.store.brand_by_slug(slug.as_str()).await?.ok_or_else(|| unknown_brand(slug))?;
        }
        let rows = self.store.list_clients(brand.map(BrandSlug::as_str)).await?;
        rows.into_iter().map(client_from).collect()
    }

    /// The client when `secret` is its current secret, or its previous one within the grace
    /// period; `None` for any failure (unknown, disabled, no secret, wrong secret) alike.
    pub async fn verify_client_secret(&self, client_id: &str, secret: &str) -> Result<Option<Client>> {
        let presented = sha256_hex(secret.as_bytes());
        let Some(row) = self.client_row(client_id).await? else { return Ok(None) };
        let now = self.clock.now();
        let current = row.secret_hash.as_deref().is_some_and(|h| ct_eq(h, &presented));
        let previous = row.previous_secret_hash.as_deref().is_some_and(|h| ct_eq(h, &presented))
            && row.previous_secret_expires_at.is_some_and(|t| t > now);
        let usable = row.disabled_at.is_none() && AuthMethod::parse(&row.auth_method).is_some_and(AuthMethod::uses_secret);
        if usable && (current || previous) { client_from(ClientRow::clone(&row)).map(Some) } else { Ok(None) }
    }

    /// Issues a new secret (shown once). The old one stops working now, or after
    /// `keep_old_for_s` seconds (at most [`MAX_KEEP_OLD_SECRET_S`]).
    pub async fn rotate_client_secret(&self, principal: &Principal, client_id: &str, keep_old_for_s: Option<i64>) -> Result<RotatedSecret> {
        let row = self.client_in_scope(principal, client_id).await?;
        if keep_old_for_s.is_some_and(|s| !(1..=MAX_KEEP_OLD_SECRET_S).contains(&s)) {
            return Err(ParseError::Malformed { field: "Keep old for", reason: "it must be between 1 second and 7 days" }.into());
        }
        if row.disabled_at.is_some() {
            return Err(client_refused("The client is disabled."));
        }
        if !AuthMethod::parse(&row.auth_method).is_some_and(AuthMethod::uses_secret) {
            return Err(client_refused("The client does not use a secret (public or private_key_jwt)."));
        }
        let now = self.clock.now();
        let keep_until = keep_old_for_s.map(|s| now + s * 1_000);
        let (secret, hash) = self.new_client_secret();
        let mut tx = self.store.begin().await?;
        if !store::clients::rotate_client_secret(&mut tx, client_id, &hash, keep_until, now).await? {
            return Err(client_refused("The client changed meanwhile; try again."));
        }
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Subject::Client(client_id).label(),
            action: "client.secret_rotated",
            reason: None,
            detail: serde_json::json!({ "previous_valid_until": keep_until }),
        })
        .await?;
        tx.commit().await?;
        self.clients.forget(client_id);
        Ok(RotatedSecret { secret, previous_valid_until: keep_until })
    }

    /// Changes a client's own token-endpoint rate and/or burst (`Some(None)`: back to the
    /// server's setting); audited. This node applies it at once, others within
    /// [`CLIENT_CACHE_MS`] (their cached row).
    pub async fn set_client_token_rate(&self, principal: &Principal, client_id: &str, per_second: RateChange, burst: RateChange) -> Result<Client> {
        self.client_in_scope(principal, client_id).await?;
        if per_second.is_none() && burst.is_none() {
            return Err(client_refused("Nothing to change: give a token rate and/or a token burst (a number, or default)."));
        }
        let client = self.client_by_id(client_id).await?.ok_or(Error::NotFound("Client"))?;
        let rate = client.token_rate.changed(per_second, burst);
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !store::clients::set_client_token_rate(&mut tx, client_id, rate.per_second.map(i64::from), rate.burst.map(i64::from), now).await? {
            return Err(Error::NotFound("Client"));
        }
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Subject::Client(client_id).label(),
            action: "client.updated",
            reason: None,
            detail: serde_json::json!({ "token_rate_per_second": rate.per_second, "token_burst": rate.burst }),
        })
        .await?;
        tx.commit().await?;
        self.clients.forget(client_id);
        self.client_by_id(client_id).await?.ok_or(Error::NotFound("Client"))
    }

    /// Opts a client in to delegated tokens, or out: opting out ends every grant it
    /// holds under a delegation (and their tokens) in the same transaction. Audited.
    pub async fn set_client_allow_delegation(&self, principal: &Principal, client_id: &str, allow: bool) -> Result<Client> {
        self.client_in_scope(principal, client_id).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !store::clients::set_client_allow_delegation(&mut tx, client_id, allow, now).await? {
            return Err(Error::NotFound("Client"));
        }
        if !allow {
            for grant_id in store::grants::live_delegated_grant_ids_of_client(&mut tx, client_id).await? {
                store::grants::revoke_grant(&mut tx, &grant_id, "delegation_disallowed", now).await?;
            }
        }
        audit::record(&mut tx, &AuditEvent {
            at: now,
            actor: principal.actor(),
            subject: Subject::Client(client_id).label(),
            action: "client.updated",
            reason: None,
            detail: serde_json::json!({ "allow_delegation": allow }),
        })
        .await?;
        tx.commit().await?;
        self.clients.forget(client_id);
        self.client_by_id(client_id).await?.ok_or(Error::NotFound("Client"))
    }

    /// Disables a client: it can no longer authenticate or start a flow, and every grant
    /// and access token it holds is revoked. Idempotent.
    pub async fn disable_client(&self, principal: &Principal, client_id: &str) -> Result<Client> {
        self.client_in_scope(principal, client_id).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if store::clients::disable_client(&mut tx, client_id, now).await? {
            self.revoke_client_grants_tx(&mut tx, client_id, now).await?;
            audit::record(&mut tx, &AuditEvent {
                at: now,
                actor: principal.actor(),
                subject: Subject::Client(client_id).label(),
                action: "client.disabled",
                reason: None,
                detail: serde_json::json!({}),
            })
            .await?;
        }
        tx.commit().await?;
        self.clients.forget(client_id);
        self.client_by_id(client_id).await?.ok_or(Error::NotFound("Client"))
    }
}

fn client_refused(reason: &str) -> Error {
    Error::Invalid(ParseError::Rejected { field: "Client", reason: reason.to_owned() })
}

/// Helpers shared by the tests of this module's files.
#[cfg(test)]
mod test_support {
    use super::ClientSpec;

    pub(super) fn spec() -> ClientSpec {
        ClientSpec::new("northwind-air", "Air web").redirect_uri("https://air.example.com/cb")
    }

    pub(super) fn b64(bytes: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    pub(super) fn ed25519_jwks(kid: &str) -> String {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        serde_json::json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64(key.verifying_key().as_bytes()) }] })
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use secrecy::ExposeSecret as _;

    use super::test_support::spec;
    use super::*;

    fn expose(secret: &SecretString) -> &str {
        secret.expose_secret()
    }

    async fn identity() -> (Identity, tempfile::TempDir) {
        crate::jose::test_support::identity_at(1_700_000_000_000, crate::Settings::default()).await
    }

    #[tokio::test]
    async fn secrets_verify_rotate_and_disable() {
        let (id, _dir) = identity().await;
        id.create_brand(&Principal::Operator, &BrandSlug::parse("northwind-air").unwrap(), "Northwind Air").await.unwrap();
        let created = id.create_client(&Principal::Operator, &spec()).await.unwrap();
        let secret = created.secret.unwrap();
        let secret = expose(&secret).to_owned();
        assert!(secret.starts_with("fcs_") && secret.len() == 47, "{}", secret.len());
        let cid = created.client.id.clone();
        assert!(id.verify_client_secret(&cid, &secret).await.unwrap().is_some());
        assert!(id.verify_client_secret(&cid, "fcs_wrong").await.unwrap().is_none());
        assert!(id.verify_client_secret("no-such-client", &secret).await.unwrap().is_none());

        let second = id.rotate_client_secret(&Principal::Operator, &cid, None).await.unwrap().secret;
        assert!(id.verify_client_secret(&cid, &secret).await.unwrap().is_none(), "old secret dies at once");
        assert!(id.verify_client_secret(&cid, expose(&second)).await.unwrap().is_some());

        let third = id.rotate_client_secret(&Principal::Operator, &cid, Some(3_600)).await.unwrap();
        assert_eq!(third.previous_valid_until, Some(1_700_000_000_000 + 3_600_000));
        let third = third.secret;
        assert!(id.verify_client_secret(&cid, expose(&second)).await.unwrap().is_some(), "kept for the grace period");
        let later = Identity { clock: Arc::new(crate::FixedClock::at(1_700_000_000_000 + 3_600_000)), ..id.clone() };
        assert!(later.verify_client_secret(&cid, expose(&second)).await.unwrap().is_none(), "grace period over");
        assert!(later.verify_client_secret(&cid, expose(&third)).await.unwrap().is_some());
        assert!(id.rotate_client_secret(&Principal::Operator, &cid, Some(8 * DAY)).await.is_err());

        let disabled = id.disable_client(&Principal::Operator, &cid).await.unwrap();
        assert!(disabled.is_disabled());
        assert!(id.verify_client_secret(&cid, expose(&third)).await.unwrap().is_none());
        assert!(id.rotate_client_secret(&Principal::Operator, &cid, None).await.is_err());
        assert!(matches!(id.disable_client(&Principal::Operator, "nope").await, Err(Error::NotFound(_))));

        let public = id.create_client(&Principal::Operator, &spec().public()).await.unwrap();
        assert!(public.secret.is_none() && public.client.requires_pkce());
        assert!(id.rotate_client_secret(&Principal::Operator, &public.client.id, None).await.is_err());
        assert_eq!(id.list_clients(None).await.unwrap().len(), 2);
        assert!(id.list_clients(Some(&BrandSlug::parse("nowhere").unwrap())).await.is_err());
        assert!(id.create_client(&Principal::Operator, &ClientSpec { brand: "nowhere".into(), ..spec() }).await.is_err());
    }
}
