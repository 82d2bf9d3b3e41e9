//! Key material: an unsealed [`SigningKey`] and the [`Keys`] in force at one instant.
//!
//! [`Keys`] is an immutable snapshot of the `signing_keys` table at one instant: the
//! active private key per algorithm, and the public keys of every unexpired key (active,
//! retired, or not yet active). Nodes reload it periodically and after a rotation. How
//! keys are made, sealed and rotated is `rotation`; signing and verifying is `jws`.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use aws_lc_rs::signature as lc;
use jsonwebtoken::DecodingKey;
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::{Value, json};

use super::alg::{RSA_MAX_BITS, RSA_MIN_BITS, SigningAlg};
use crate::crypto::MasterKey;
use crate::store::signing_keys;
use crate::{Error, Result, Store, UnixMillis};

/// An unsealed private key, ready to sign. Never printed (`Debug` shows kid and alg).
pub struct SigningKey {
    kid: String,
    alg: SigningAlg,
    pem: SecretString,
    pub(super) signer: Signer,
    decoding: DecodingKey,
    public_jwk: Value,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({} {}, [redacted])", self.alg, self.kid)
    }
}

/// A private key parsed once, for signing (aws-lc). Measured on this project's 2-core VM:
/// an RSA-2048 signature takes ~270 µs with aws-lc against ~620 µs with ring (what
/// jsonwebtoken signs with), and parsing the key costs more than signing (~450 µs), so
/// it is parsed when the key set loads, not per token (`docs/design/peaks.md`).
pub(super) enum Signer {
    Rsa(lc::RsaKeyPair),
    Ec(lc::EcdsaKeyPair),
    Ed(lc::Ed25519KeyPair),
}

impl Signer {
    /// The JWS signature of `message` (RS256: PKCS#1 v1.5 with SHA-256; ES256: `r || s`,
    /// 64 bytes, RFC 7518 §3.4; EdDSA: RFC 8037).
    pub(super) fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let failed = |_| Error::Crypto("signing a JWT failed");
        let rng = aws_lc_rs::rand::SystemRandom::new();
        match self {
            Self::Rsa(key) => {
                let mut signature = vec![0; key.public_modulus_len()];
                key.sign(&lc::RSA_PKCS1_SHA256, &rng, message, &mut signature).map_err(failed)?;
                Ok(signature)
            }
            Self::Ec(key) => Ok(key.sign(&rng, message).map_err(failed)?.as_ref().to_vec()),
            Self::Ed(key) => Ok(key.sign(message).as_ref().to_vec()),
        }
    }
}

/// Public parts of a key, for verification.
#[derive(Clone)]
pub(super) struct VerifyingKey {
    pub(super) alg: SigningAlg,
    pub(super) decoding: DecodingKey,
}

impl SigningKey {
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn alg(&self) -> SigningAlg {
        self.alg
    }

    /// The private key as PEM: PKCS#1 (`BEGIN RSA PRIVATE KEY`) for RS256, as
    /// `openidconnect`'s `CoreRsaPrivateSigningKey::from_pem` wants; PKCS#8 (`BEGIN
    /// PRIVATE KEY`) for ES256 and EdDSA (`CoreEdDsaPrivateSigningKey::from_ed25519_pem`).
    pub fn private_key_pem(&self) -> &SecretString {
        &self.pem
    }

    /// The public JWK (`kty`, `kid`, `use: sig`, `alg`, then `n`/`e` or `crv`/`x`/`y`).
    pub fn public_jwk(&self) -> &Value {
        &self.public_jwk
    }

    pub(crate) fn private_key_pem_bytes(&self) -> &[u8] {
        self.pem.expose_secret().as_bytes()
    }

    /// Parses a private key and derives everything public from it.
    pub(crate) fn from_pem(kid: &str, alg: SigningAlg, pem: SecretString) -> Result<Self> {
        let invalid = || Error::Crypto("a signing key is not a valid private key for its algorithm");
        let text = pem.expose_secret();
        let (signer, decoding, members) = match alg {
            SigningAlg::Rs256 => {
                use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPrivateKey as _};
                use rsa::traits::PublicKeyParts as _;
                let key = rsa::RsaPrivateKey::from_pkcs1_pem(text).map_err(|_| invalid())?;
                if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&(key.size() * 8)) {
                    return Err(Error::Crypto("an RSA signing key has a modulus outside 2048–4096 bits"));
                }
                let der = key.to_pkcs1_der().map_err(|_| invalid())?;
                let (n, e) = (key.n().to_bytes_be(), key.e().to_bytes_be());
                let members = json!({"kty": "RSA", "n": b64(&n), "e": b64(&e)});
                let signer = Signer::Rsa(lc::RsaKeyPair::from_der(der.as_bytes()).map_err(|_| invalid())?);
                (signer, DecodingKey::from_rsa_raw_components(&n, &e), members)
            }
            SigningAlg::Es256 => {
                use p256::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
                let key = p256::ecdsa::SigningKey::from_pkcs8_pem(text).map_err(|_| invalid())?;
                let der = key.to_pkcs8_der().map_err(|_| invalid())?;
                let point = key.verifying_key().to_sec1_point(false);
                let (Some(x), Some(y)) = (point.x(), point.y()) else { return Err(invalid()) };
                let (x, y) = (b64(x.as_slice()), b64(y.as_slice()));
                let decoding = DecodingKey::from_ec_components(&x, &y).map_err(|_| invalid())?;
                let signer = Signer::Ec(lc::EcdsaKeyPair::from_pkcs8(&lc::ECDSA_P256_SHA256_FIXED_SIGNING, der.as_bytes()).map_err(|_| invalid())?);
                (signer, decoding, json!({"kty": "EC", "crv": "P-256", "x": x, "y": y}))
            }
            SigningAlg::EdDsa => {
                use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
                let key = ed25519_dalek::SigningKey::from_pkcs8_pem(text).map_err(|_| invalid())?;
                let der = key.to_pkcs8_der().map_err(|_| invalid())?;
                let x = b64(&key.verifying_key().to_bytes());
                let decoding = DecodingKey::from_ed_components(&x).map_err(|_| invalid())?;
                let signer = Signer::Ed(lc::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der.as_bytes()).map_err(|_| invalid())?);
                (signer, decoding, json!({"kty": "OKP", "crv": "Ed25519", "x": x}))
            }
        };
        let mut public_jwk = json!({"kid": kid, "use": "sig", "alg": alg.as_str()});
        if let (Some(jwk), Some(members)) = (public_jwk.as_object_mut(), members.as_object()) {
            jwk.extend(members.clone());
        }
        Ok(Self { kid: kid.to_owned(), alg, pem, signer, decoding, public_jwk })
    }
}

pub(super) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The keys in force at one instant.
pub struct Keys {
    /// At most one per algorithm: the most recently activated active key.
    signers: Vec<SigningKey>,
    pub(super) verifiers: HashMap<String, VerifyingKey>,
    jwks: Value,
    /// Tokens this set verified lately (`jws::Verified`): a token is used many times in
    /// its life (UserInfo, introspection, brand APIs), its signature checked once.
    pub(super) verified: super::jws::Verified,
    /// The first time after the load at which a key of the set starts or stops signing
    /// or leaves the JWKS: a set kept past it is stale ([`Keys::changes_at`]).
    changes_at: Option<UnixMillis>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("signers", &self.signers).field("published", &self.verifiers.len()).finish()
    }
}

impl Keys {
    /// Loads every key not expired at `now`, unseals it and derives its public key (a
    /// stored public JWK that differs from it is refused: see [`super::rotation`]). The key
    /// that signs for an algorithm is the latest one with `activates_at <= now <
    /// retires_at`. Fails if a key does not open with `master_key`.
    #[tracing::instrument(skip_all)]
    pub async fn load(store: &Store, master_key: &MasterKey, now: UnixMillis) -> Result<Self> {
        let rows = signing_keys::unexpired(store, now).await?;
        let mut keys = Self { signers: Vec::new(), verifiers: HashMap::new(), jwks: Value::Null, verified: super::jws::Verified::default(), changes_at: None };
        let mut published = Vec::with_capacity(rows.len());
        for row in rows {
            let times = [Some(row.activates_at), row.retires_at, row.expires_at];
            keys.changes_at = times.into_iter().flatten().filter(|t| *t > now).chain(keys.changes_at).min();
            let Some(alg) = SigningAlg::parse(&row.alg) else {
                tracing::warn!(kid = %row.kid, alg = %row.alg, "signing key with an unknown algorithm ignored");
                continue;
            };
            let pem = master_key.open(&row.private_key_sealed, &associated(&row.kid, alg)).map_err(|_| {
                tracing::error!(kid = %row.kid, "signing key does not open with the master key");
                Error::Crypto("a signing key does not open with the master key")
            })?;
            let pem = secrecy::zeroize::Zeroizing::new(pem);
            let pem = std::str::from_utf8(&pem).map_err(|_| Error::Crypto("a signing key is not PEM text"))?;
            let key = SigningKey::from_pem(&row.kid, alg, SecretString::from(pem))?;
            let stored: Option<Value> = serde_json::from_str(&row.public_jwk).ok();
            if stored.as_ref() != Some(&key.public_jwk) {
                tracing::error!(kid = %row.kid, "stored public JWK differs from the key's own: refusing the key set");
                return Err(Error::Crypto("a signing key's stored public key does not match its private key"));
            }
            published.push(key.public_jwk.clone());
            keys.verifiers.insert(row.kid.clone(), VerifyingKey { alg, decoding: key.decoding.clone() });
            let active = row.activates_at <= now && row.retires_at.is_none_or(|retires| retires > now);
            if active && keys.signing_key(alg).is_none() {
                keys.signers.push(key);
            }
        }
        keys.jwks = json!({ "keys": published });
        Ok(keys)
    }

    /// A key set kept outside `signing_keys` (the consent receipts' own keys): each key
    /// verifies and is published with `extra` members (its validity period); the first
    /// marked to sign signs.
    pub(crate) fn assemble(keys: Vec<(SigningKey, bool, serde_json::Map<String, Value>)>) -> Self {
        let mut set = Self { signers: Vec::new(), verifiers: HashMap::new(), jwks: Value::Null, verified: super::jws::Verified::default(), changes_at: None };
        let mut published = Vec::with_capacity(keys.len());
        for (key, signs, extra) in keys {
            let mut jwk = key.public_jwk.clone();
            if let Some(object) = jwk.as_object_mut() {
                object.extend(extra);
            }
            published.push(jwk);
            set.verifiers.insert(key.kid.clone(), VerifyingKey { alg: key.alg, decoding: key.decoding.clone() });
            if signs && set.signing_key(key.alg).is_none() {
                set.signers.push(key);
            }
        }
        set.jwks = json!({ "keys": published });
        set
    }

    /// The key that signs for `alg`, if there is one.
    pub fn signing_key(&self, alg: SigningAlg) -> Option<&SigningKey> {
        self.signers.iter().find(|k| k.alg == alg)
    }

    /// The algorithms we can sign with now (for discovery metadata), RS256 first.
    pub fn signing_algs(&self) -> Vec<SigningAlg> {
        let mut algs: Vec<SigningAlg> = self.signers.iter().map(|k| k.alg).collect();
        algs.sort_unstable();
        algs
    }

    /// The JWK Set document: `{"keys": [...]}` with every unexpired public key.
    pub fn jwks(&self) -> &Value {
        &self.jwks
    }

    /// When this set, loaded at some `now`, stops being what a load would give: the
    /// earliest later activation, retirement or expiry among its keys (`None`: never, by
    /// time alone). A node reloads then, so a key pre-published on every node starts
    /// signing on every node at its activation.
    pub fn changes_at(&self) -> Option<UnixMillis> {
        self.changes_at
    }
}

/// Binds a sealed key to its row: moved to another kid or alg, it does not open.
pub(crate) fn associated(kid: &str, alg: SigningAlg) -> Vec<u8> {
    format!("signing-key:{kid}:{alg}").into_bytes()
}
