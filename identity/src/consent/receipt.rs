//! Consent receipts: one signed JSON document per ledger record, in the fields of the
//! Kantara Consent Receipt 1.1 plus the ISO/IEC TS 27560 ones it lacks, and the keys that
//! sign them.
//!
//! **Keys.** Receipts are signed (EdDSA, Ed25519) with a *receipt key*, never with a
//! token-signing key: those rotate away within hours and would orphan old receipts. A
//! receipt key is sealed with the master key (associated data `receipt-key:<kid>`) in
//! `receipt_keys`, which refuses deletes; a retired key stops signing and stays
//! published in `/.well-known/consent-receipt-keys` with its validity period
//! (`valid_from`, `valid_until`, Unix seconds) for as long as Foyer runs. As with token
//! keys, every published public key is derived from its unsealed private key, so a row
//! planted without the master key is refused.
//!
//! **Signing** happens before the decision's transaction (expensive work stays out of
//! transactions); the record stores the compact JWS (`typ: consent-receipt+jwt`).

use secrecy::SecretString;
use serde_json::{Map, Value, json};

use super::{Channel, Collection, Decision, LegalBasis};
use crate::jose::{Keys, SigningAlg, SigningKey};
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::receipt_keys::{self, ReceiptKeyRow};
use crate::{Error, Identity, Result, UnixMillis};

/// The JWS `typ` of a receipt.
pub const RECEIPT_TYP: &str = "consent-receipt+jwt";
/// The Kantara Consent Receipt version the payload follows.
pub const KANTARA_VERSION: &str = "KI-CR-v1.1.0";

fn associated(kid: &str) -> Vec<u8> {
    format!("receipt-key:{kid}").into_bytes()
}

/// The controller a receipt names: the brand, or the group for group-wide purposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Controller {
    pub name: String,
    pub contact: Option<String>,
    pub url: Option<String>,
    pub policy_url: Option<String>,
}

/// What a receipt says about one decision.
#[derive(Debug, Clone)]
pub struct ReceiptFacts<'a> {
    pub receipt_id: &'a str,
    pub at: UnixMillis,
    pub customer_id: &'a str,
    pub controller: &'a Controller,
    pub jurisdiction: &'a str,
    pub language: &'a str,
    pub collection: Collection,
    /// Who recorded it (`customer:<id>`, `staff:<id>` …).
    pub collector: &'a str,
    pub decision: Decision,
    /// The purpose (key, version, title, basis, categories, retention, required) — or,
    /// for a scope approval, `None` and `scopes`.
    pub purpose: Option<ReceiptPurpose<'a>>,
    pub scopes: Option<&'a str>,
    pub channel: Option<Channel>,
}

#[derive(Debug, Clone)]
pub struct ReceiptPurpose<'a> {
    pub key: &'a str,
    pub version: i64,
    pub title: &'a str,
    pub legal_basis: LegalBasis,
    pub categories: &'a [String],
    pub retention: Option<&'a str>,
    pub required: bool,
}

/// The receipt's payload (Kantara 1.1 field names; the 27560 additions after them).
pub fn receipt_payload(issuer: &str, f: &ReceiptFacts<'_>) -> Value {
    let seconds = f.at.div_euclid(1000);
    let (purpose, key, version, basis, categories, termination, primary) = match &f.purpose {
        Some(p) => (
            p.title.to_owned(),
            Some(p.key),
            Some(p.version),
            p.legal_basis.as_str(),
            p.categories.to_vec(),
            p.retention.map_or_else(|| "while the account exists".to_owned(), str::to_owned),
            p.required,
        ),
        None => (
            format!("Sign-in and sharing of account details with {}", f.controller.name),
            None,
            None,
            LegalBasis::Consent.as_str(),
            f.scopes.unwrap_or_default().split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            "until the customer disconnects the brand".to_owned(),
            true,
        ),
    };
    json!({
        "iss": issuer,
        "iat": seconds,
        "version": KANTARA_VERSION,
        "jurisdiction": f.jurisdiction,
        "consentTimestamp": seconds,
        "collectionMethod": f.collection.as_str(),
        "consentReceiptID": f.receipt_id,
        "language": f.language,
        "piiPrincipalId": f.customer_id,
        "piiControllers": [{
            "piiController": f.controller.name,
            "contact": f.controller.contact,
            "url": f.controller.url,
        }],
        "policyUrl": f.controller.policy_url,
        "services": [{
            "service": f.controller.name,
            "purposes": [{
                "purpose": purpose,
                "purposeCategory": [key.unwrap_or("sign-in")],
                "consentType": "EXPLICIT",
                "piiCategory": categories,
                "primaryPurpose": primary,
                "termination": termination,
                "thirdPartyDisclosure": false,
            }],
        }],
        "sensitive": false,
        "spiCat": [],
        "decision": f.decision.as_str(),
        "purposeKey": key,
        "purposeVersion": version,
        "scopes": f.scopes,
        "channel": f.channel.map(Channel::as_str),
        "legalBasis": basis,
        "collector": f.collector,
    })
}

impl Identity {
    /// Every receipt key, unsealed and checked: the current one signs, all verify.
    async fn receipt_key_set(&self) -> Result<Keys> {
        let rows = receipt_keys::all(&self.store).await?;
        let mut keys = Vec::with_capacity(rows.len());
        for row in rows {
            let key = self.open_receipt_key(&row)?;
            let mut extra = Map::new();
            extra.insert("valid_from".into(), json!(row.created_at.div_euclid(1000)));
            if let Some(retired) = row.retired_at {
                extra.insert("valid_until".into(), json!(retired.div_euclid(1000)));
            }
            keys.push((key, row.retired_at.is_none(), extra));
        }
        Ok(Keys::assemble(keys))
    }

    fn open_receipt_key(&self, row: &ReceiptKeyRow) -> Result<SigningKey> {
        let pem = self.master_key.open(&row.private_key_sealed, &associated(&row.kid)).map_err(|_| {
            tracing::error!(kid = %row.kid, "receipt key does not open with the master key");
            Error::Crypto("a receipt key does not open with the master key")
        })?;
        let pem = secrecy::zeroize::Zeroizing::new(pem);
        let pem = std::str::from_utf8(&pem).map_err(|_| Error::Crypto("a receipt key is not PEM text"))?;
        let key = SigningKey::from_pem(&row.kid, SigningAlg::EdDsa, SecretString::from(pem))?;
        let stored: Option<Value> = serde_json::from_str(&row.public_jwk).ok();
        if stored.as_ref() != Some(key.public_jwk()) {
            tracing::error!(kid = %row.kid, "stored receipt public key differs from the key's own");
            return Err(Error::Crypto("a receipt key's stored public key does not match its private key"));
        }
        Ok(key)
    }

    /// Makes a new current receipt key; with `retire`, the current one stops signing
    /// first. Generation happens outside the transaction; when two nodes race, the
    /// partial unique index keeps one. Returns the kid that signs now.
    async fn new_receipt_key(&self, retire: bool) -> Result<String> {
        let now = self.clock.now();
        let pem = crate::jose::rotation::generate_pem(SigningAlg::EdDsa, 0, self.rng.as_ref())?;
        let mut id = [0u8; 16];
        self.rng.fill(&mut id);
        let kid = format!("receipt-{}", hex::encode(id));
        let key = SigningKey::from_pem(&kid, SigningAlg::EdDsa, pem)?;
        let sealed = self.master_key.seal(key.private_key_pem_bytes(), &associated(&kid), self.rng.as_ref())?;
        let row = ReceiptKeyRow {
            kid: kid.clone(),
            alg: SigningAlg::EdDsa.as_str().to_owned(),
            private_key_sealed: sealed,
            public_jwk: key.public_jwk().to_string(),
            created_at: now,
            retired_at: None,
        };
        let mut tx = self.store.begin().await?;
        if retire {
            receipt_keys::retire_current(&mut tx, now).await?;
        }
        let kept = receipt_keys::insert_current(&mut tx, &row).await?;
        tx.commit().await?;
        if kept {
            tracing::info!(%kid, "consent receipt key created");
            Ok(kid)
        } else {
            receipt_keys::current(&self.store).await?.map(|r| r.kid).ok_or(Error::NotFound("receipt key"))
        }
    }

    /// The receipt keys with one that signs (made at first use).
    pub(crate) async fn receipt_signer(&self) -> Result<Keys> {
        if receipt_keys::current(&self.store).await?.is_none() {
            self.new_receipt_key(false).await?;
        }
        self.receipt_key_set().await
    }

    /// Signs a receipt payload.
    pub(crate) fn sign_receipt(keys: &Keys, payload: &Value) -> Result<String> {
        keys.sign_jwt(SigningAlg::EdDsa, payload, RECEIPT_TYP)
    }

    /// The public receipt keys with their validity periods: `{"keys": [...]}` (public,
    /// served at `/.well-known/consent-receipt-keys`).
    pub async fn receipt_jwks(&self) -> Result<Value> {
        Ok(self.receipt_key_set().await?.jwks().clone())
    }

    /// Checks a receipt's signature against the receipt keys and returns its payload
    /// (for tests, support and anyone holding a receipt; public, like the keys).
    pub async fn verify_receipt(&self, jws: &str) -> Result<Value> {
        let keys = self.receipt_key_set().await?;
        let verified = keys.verify_jwt(jws, RECEIPT_TYP, &[SigningAlg::EdDsa]).map_err(|_| Error::TokenInvalid)?;
        Ok(verified.claims)
    }

    /// Retires the signing receipt key and makes a new one (`foyer keys rotate-receipt`);
    /// the old one keeps verifying. Returns the new kid.
    pub async fn rotate_receipt_key(&self, principal: &Principal) -> Result<String> {
        authorize(principal, Action::RunPlatform, Subject::Platform)?;
        self.new_receipt_key(true).await
    }
}
