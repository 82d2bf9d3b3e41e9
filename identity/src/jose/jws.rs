//! Compact JWS with a loaded [`Keys`] set: signs our tokens and verifies our own.
//!
//! [`Keys::verify_jwt`] checks the header against our table before any cryptography:
//! the `alg` must be one the caller allows and exactly the algorithm of the named `kid`,
//! the `kid` must be ours, `typ` must match, and `crit` is refused; then the signature.
//! The claims are checked separately with [`VerifiedJwt::check_claims`] and the
//! caller's clock (an `id_token_hint` may be expired, an access token may not).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Header, Validation};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::alg::SigningAlg;
use super::keys::Keys;
use crate::{Error, Result, UnixMillis};

/// Longer tokens are refused before any parsing.
pub const MAX_JWT_BYTES: usize = 16 * 1024;

/// Why a token was refused. For logs and tests; callers show [`Error::TokenInvalid`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("the token is not a well-formed compact JWS")]
    Malformed,
    #[error("the token's algorithm is not accepted here or not its key's")]
    AlgorithmNotAllowed,
    #[error("the token names no key of ours")]
    UnknownKey,
    #[error("the token's type is not the one expected")]
    WrongType,
    #[error("the token's signature does not verify")]
    BadSignature,
    #[error("the token's iss, aud, exp, nbf or iat claim is missing or wrong")]
    InvalidClaims,
}

impl From<JwtError> for Error {
    fn from(_: JwtError) -> Self {
        Self::TokenInvalid
    }
}

/// The payload of a compact JWS read **without** verifying it: only to find which
/// client or key to verify it with, never to trust anything it says.
pub fn unverified_claims(token: &str) -> Option<Value> {
    if token.len() > MAX_JWT_BYTES {
        return None;
    }
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// A token whose header and signature were checked; its claims were not.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedJwt {
    pub kid: String,
    pub alg: SigningAlg,
    /// The payload, always a JSON object.
    pub claims: Value,
}

/// What the registered claims of an accepted token must say.
#[derive(Debug, Clone, Copy)]
pub struct ClaimRules<'a> {
    /// `iss` must equal this exactly.
    pub issuer: &'a str,
    /// `aud` must be this string or an array containing it.
    pub audience: &'a str,
    pub now: UnixMillis,
    /// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds.
    pub leeway_secs: i64,
    /// `exp` must still be present, but may be past (`id_token_hint`, OIDC Core §3.1.2.1).
    pub allow_expired: bool,
}

impl VerifiedJwt {
    /// Checks `iss`, `aud`, `exp` (required), `iat` (required, not in the future) and
    /// `nbf` (if present) against `rules`. NumericDates are seconds (RFC 7519 §2).
    pub fn check_claims(&self, rules: &ClaimRules<'_>) -> Result<(), JwtError> {
        let claim = |name: &str| self.claims.get(name);
        let seconds = |name: &str| claim(name).and_then(Value::as_f64);
        let now = rules.now as f64 / 1000.0;
        let leeway = rules.leeway_secs as f64;
        let audience_ok = match claim("aud") {
            Some(Value::String(aud)) => aud == rules.audience,
            Some(Value::Array(auds)) => auds.iter().any(|aud| aud.as_str() == Some(rules.audience)),
            _ => false,
        };
        let ok = claim("iss").and_then(Value::as_str) == Some(rules.issuer)
            && audience_ok
            && seconds("exp").is_some_and(|exp| rules.allow_expired || exp > now - leeway)
            && seconds("iat").is_some_and(|iat| iat <= now + leeway)
            && claim("nbf").is_none_or(|_| seconds("nbf").is_some_and(|nbf| nbf <= now + leeway));
        if ok { Ok(()) } else { Err(JwtError::InvalidClaims) }
    }
}

impl Keys {
    /// Signs `claims` (anything that serialises to a JSON object: a `serde_json::Value`,
    /// or `openidconnect`'s `IdTokenClaims`) as a compact JWS with headers `alg`, `kid`
    /// and `typ` (`"JWT"` for ID tokens, `"at+jwt"` for RFC 9068 access tokens,
    /// `"logout+jwt"` for back-channel logout tokens).
    pub fn sign_jwt<C: serde::Serialize + ?Sized>(&self, alg: SigningAlg, claims: &C, typ: &str) -> Result<String> {
        let key = self.signing_key(alg).ok_or(Error::NotFound("signing key"))?;
        let claims = serde_json::to_value(claims)?;
        if !claims.is_object() {
            return Err(Error::Internal("JWT claims must be a JSON object".into()));
        }
        let mut header = Header::new(alg.jwt());
        header.typ = Some(typ.to_owned());
        header.kid = Some(key.kid().to_owned());
        // The compact serialisation (RFC 7515 §7.1) as jsonwebtoken's `encode` makes it,
        // signed by the key parsed at load (`keys::Signer`).
        let mut token = format!("{}.{}", URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header)?), URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims)?));
        let signature = key.signer.sign(token.as_bytes())?;
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(signature));
        Ok(token)
    }

    /// Verifies a compact JWS signed by one of our unexpired keys (see the module doc
    /// for what is and is not checked).
    pub fn verify_jwt(&self, token: &str, expected_typ: &str, allowed: &[SigningAlg]) -> Result<VerifiedJwt, JwtError> {
        if token.len() > MAX_JWT_BYTES {
            return Err(JwtError::Malformed);
        }
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(seen) = self.verified.get(&digest, expected_typ, allowed) {
            return Ok(seen);
        }
        let verified = self.verify_uncached(token, expected_typ, allowed)?;
        self.verified.put(digest, expected_typ, &verified);
        Ok(verified)
    }

    fn verify_uncached(&self, token: &str, expected_typ: &str, allowed: &[SigningAlg]) -> Result<VerifiedJwt, JwtError> {
        let mut parts = token.split('.');
        let (Some(header), Some(_), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(JwtError::Malformed);
        };
        let header = URL_SAFE_NO_PAD.decode(header).map_err(|_| JwtError::Malformed)?;
        let header: serde_json::Map<String, Value> = serde_json::from_slice(&header).map_err(|_| JwtError::Malformed)?;
        // Nothing here is understood as critical (RFC 7515 §4.1.11).
        if header.contains_key("crit") {
            return Err(JwtError::Malformed);
        }
        let alg = header
            .get("alg")
            .and_then(Value::as_str)
            .and_then(SigningAlg::parse)
            .filter(|alg| allowed.contains(alg))
            .ok_or(JwtError::AlgorithmNotAllowed)?;
        let kid = header.get("kid").and_then(Value::as_str).ok_or(JwtError::UnknownKey)?;
        let key = self.verifiers.get(kid).ok_or(JwtError::UnknownKey)?;
        if key.alg != alg {
            return Err(JwtError::AlgorithmNotAllowed);
        }
        let typ = header.get("typ").and_then(Value::as_str).ok_or(JwtError::WrongType)?;
        if !same_media_type(typ, expected_typ) {
            return Err(JwtError::WrongType);
        }
        let mut validation = Validation::new(key.alg.jwt());
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        let data = jsonwebtoken::decode::<Value>(token, &key.decoding, &validation).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => JwtError::BadSignature,
            _ => JwtError::Malformed,
        })?;
        if !data.claims.is_object() {
            return Err(JwtError::Malformed);
        }
        Ok(VerifiedJwt { kid: kid.to_owned(), alg, claims: data.claims })
    }
}

/// Tokens a key set verified lately, by SHA-256 of the whole token, with the `typ` they
/// were verified as: the same bytes under the same keys verify the same way, so a hit
/// answers exactly as the full check would (the claims are still checked by the caller
/// against its clock). Only successes are kept, so only tokens we signed can fill it;
/// it holds at most [`VERIFIED_MAX`] and starts again when full. A key set lives a
/// minute on each node (`server::oidc::keys`), and this memory with it.
#[derive(Debug, Default)]
pub(crate) struct Verified(std::sync::Mutex<std::collections::HashMap<[u8; 32], (String, VerifiedJwt)>>);

/// Most tokens kept (each about a kilobyte).
pub const VERIFIED_MAX: usize = 4_096;

impl Verified {
    fn get(&self, digest: &[u8; 32], typ: &str, allowed: &[SigningAlg]) -> Option<VerifiedJwt> {
        let map = self.0.lock().ok()?;
        let (seen_typ, jwt) = map.get(digest)?;
        (seen_typ == typ && allowed.contains(&jwt.alg)).then(|| jwt.clone())
    }

    fn put(&self, digest: [u8; 32], typ: &str, jwt: &VerifiedJwt) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= VERIFIED_MAX {
                map.clear();
            }
            map.insert(digest, (typ.to_owned(), jwt.clone()));
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.lock().map_or(0, |m| m.len())
    }
}

/// `typ` values compare case-insensitively, with `application/` implied (RFC 7515 §4.1.9).
fn same_media_type(actual: &str, expected: &str) -> bool {
    fn short(t: &str) -> String {
        let t = t.to_ascii_lowercase();
        match t.strip_prefix("application/") {
            Some(rest) if !rest.contains('/') => rest.to_owned(),
            _ => t,
        }
    }
    short(actual) == short(expected)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use jsonwebtoken::{DecodingKey, EncodingKey};
    use secrecy::ExposeSecret as _;
    use serde_json::json;

    use super::*;
    use crate::OsRandom;
    use crate::crypto::MasterKey;
    use crate::jose::keys::{SigningKey, b64};
    use crate::jose::test_support::{manager, sqlite_store};

    const T0: UnixMillis = 1_800_000_000_000;
    const ALL: [SigningAlg; 3] = SigningAlg::ALL;

    async fn loaded() -> (Keys, tempfile::TempDir) {
        let (store, dir) = sqlite_store().await;
        let keys = manager(&store, &Arc::new(MasterKey::generate(&OsRandom)), &ALL);
        keys.ensure_keys(T0).await.unwrap();
        (keys.load(T0).await.unwrap(), dir)
    }

    fn claims() -> Value {
        json!({"iss": "https://id.example", "sub": "c-1", "aud": "brand", "exp": 1_800_000_600, "iat": 1_800_000_000})
    }

    fn part(value: &Value) -> String {
        b64(value.to_string().as_bytes())
    }

    fn parts(token: &str) -> Vec<String> {
        token.split('.').map(str::to_owned).collect()
    }

    fn header_of(token: &str) -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts(token)[0]).unwrap()).unwrap()
    }

    /// Signs `header.payload` exactly as given, with one of our private keys.
    fn sign_raw(key: &SigningKey, header: &Value, payload: &Value) -> String {
        let message = format!("{}.{}", part(header), part(payload));
        let signature = URL_SAFE_NO_PAD.encode(key.signer.sign(message.as_bytes()).unwrap());
        format!("{message}.{signature}")
    }

    #[tokio::test]
    async fn signs_and_verifies_with_each_algorithm() {
        let (keys, _dir) = loaded().await;
        assert_eq!(keys.signing_algs(), ALL.to_vec());
        for alg in ALL {
            for typ in ["JWT", "at+jwt"] {
                let token = keys.sign_jwt(alg, &claims(), typ).unwrap();
                let kid = keys.signing_key(alg).unwrap().kid();
                assert_eq!(header_of(&token), json!({"alg": alg.as_str(), "kid": kid, "typ": typ}));
                let verified = keys.verify_jwt(&token, typ, &ALL).unwrap();
                assert_eq!(verified, VerifiedJwt { kid: kid.to_owned(), alg, claims: claims() });
            }
        }
    }

    #[tokio::test]
    async fn jwks_lists_public_keys_that_verify_our_tokens_on_their_own() {
        let (keys, _dir) = loaded().await;
        let jwks = keys.jwks()["keys"].as_array().unwrap().clone();
        assert_eq!(jwks.len(), 3);
        for jwk in &jwks {
            let alg = SigningAlg::parse(jwk["alg"].as_str().unwrap()).unwrap();
            assert_eq!(jwk["use"], "sig");
            assert_eq!(jwk["kid"], keys.signing_key(alg).unwrap().kid());
            assert!(jwk.get("d").is_none() && jwk.get("p").is_none(), "no private members: {jwk}");
            let members: Vec<&str> = jwk.as_object().unwrap().keys().map(String::as_str).collect();
            let expected: &[&str] = match alg {
                SigningAlg::Rs256 => &["alg", "e", "kid", "kty", "n", "use"],
                SigningAlg::Es256 => &["alg", "crv", "kid", "kty", "use", "x", "y"],
                SigningAlg::EdDsa => &["alg", "crv", "kid", "kty", "use", "x"],
            };
            assert_eq!(members, expected);
            if alg == SigningAlg::Rs256 {
                assert_eq!(jwk["e"], "AQAB");
                assert_eq!(URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap().len() * 8, 2048);
            }
            // What a relying party does: take the JWK from the set, verify the token.
            let parsed: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwk.clone()).unwrap();
            let decoding = DecodingKey::from_jwk(&parsed).unwrap();
            let token = keys.sign_jwt(alg, &claims(), "JWT").unwrap();
            let mut validation = Validation::new(alg.jwt());
            validation.validate_exp = false;
            validation.set_audience(&["brand"]);
            let data = jsonwebtoken::decode::<Value>(&token, &decoding, &validation).unwrap();
            assert_eq!(data.claims, claims());
        }
    }

    #[tokio::test]
    async fn refuses_alg_none() {
        let (keys, _dir) = loaded().await;
        let kid = keys.signing_key(SigningAlg::Rs256).unwrap().kid();
        for none in ["none", "None", "NONE"] {
            let header = json!({"alg": none, "kid": kid, "typ": "JWT"});
            for signature in ["", "AAAA"] {
                let token = format!("{}.{}.{signature}", part(&header), part(&claims()));
                assert_eq!(keys.verify_jwt(&token, "JWT", &ALL), Err(JwtError::AlgorithmNotAllowed), "{none}");
            }
        }
        let unsigned = format!("{}.{}", part(&json!({"alg": "none", "typ": "JWT"})), part(&claims()));
        assert_eq!(keys.verify_jwt(&unsigned, "JWT", &ALL), Err(JwtError::Malformed));
    }

    #[tokio::test]
    async fn refuses_a_tampered_payload_or_signature() {
        let (keys, _dir) = loaded().await;
        for alg in ALL {
            let token = parts(&keys.sign_jwt(alg, &claims(), "JWT").unwrap());
            let mut forged = claims();
            forged["sub"] = json!("c-2");
            let tampered = format!("{}.{}.{}", token[0], part(&forged), token[2]);
            assert_eq!(keys.verify_jwt(&tampered, "JWT", &ALL), Err(JwtError::BadSignature), "{alg}");
            let mut signature = URL_SAFE_NO_PAD.decode(&token[2]).unwrap();
            signature[5] ^= 1;
            let bad_signature = format!("{}.{}.{}", token[0], token[1], b64(&signature));
            assert_eq!(keys.verify_jwt(&bad_signature, "JWT", &ALL), Err(JwtError::BadSignature), "{alg}");
            let cut = format!("{}.{}.", token[0], token[1]);
            assert!(keys.verify_jwt(&cut, "JWT", &ALL).is_err());
        }
    }

    #[tokio::test]
    async fn refuses_unknown_missing_or_injected_kids() {
        let (keys, _dir) = loaded().await;
        let (theirs, _their_dir) = loaded().await;
        // Signed by keys from another deployment (or an attacker's own table).
        for alg in ALL {
            let token = theirs.sign_jwt(alg, &claims(), "JWT").unwrap();
            assert_eq!(keys.verify_jwt(&token, "JWT", &ALL), Err(JwtError::UnknownKey), "{alg}");
        }
        let attacker = theirs.signing_key(SigningAlg::EdDsa).unwrap();
        let embedded = json!({"alg": "EdDSA", "typ": "JWT", "jwk": attacker.public_jwk(), "jku": "https://evil.example/jwks"});
        for header in [
            embedded.clone(),
            json!({"alg": "EdDSA", "typ": "JWT", "kid": "../../../../dev/null"}),
            json!({"alg": "EdDSA", "typ": "JWT", "kid": "' OR 1=1 --"}),
            json!({"alg": "EdDSA", "typ": "JWT", "kid": 7}),
        ] {
            let token = sign_raw(attacker, &header, &claims());
            assert_eq!(keys.verify_jwt(&token, "JWT", &ALL), Err(JwtError::UnknownKey), "{header}");
        }
        // Our kid, the attacker's key and embedded JWK: the signature is checked with ours.
        let mut ours = embedded;
        ours["kid"] = json!(keys.signing_key(SigningAlg::EdDsa).unwrap().kid());
        let token = sign_raw(attacker, &ours, &claims());
        assert_eq!(keys.verify_jwt(&token, "JWT", &ALL), Err(JwtError::BadSignature));
    }

    #[tokio::test]
    async fn refuses_the_wrong_typ() {
        let (keys, _dir) = loaded().await;
        let id_token = keys.sign_jwt(SigningAlg::Es256, &claims(), "JWT").unwrap();
        let access_token = keys.sign_jwt(SigningAlg::Es256, &claims(), "at+jwt").unwrap();
        assert_eq!(keys.verify_jwt(&id_token, "at+jwt", &ALL), Err(JwtError::WrongType));
        assert_eq!(keys.verify_jwt(&access_token, "JWT", &ALL), Err(JwtError::WrongType));
        let key = keys.signing_key(SigningAlg::Es256).unwrap();
        let untyped = sign_raw(key, &json!({"alg": "ES256", "kid": key.kid()}), &claims());
        assert_eq!(keys.verify_jwt(&untyped, "JWT", &ALL), Err(JwtError::WrongType));
        // Media types compare case-insensitively, with "application/" implied.
        for typ in ["application/at+jwt", "AT+JWT"] {
            let token = sign_raw(key, &json!({"alg": "ES256", "kid": key.kid(), "typ": typ}), &claims());
            assert!(keys.verify_jwt(&token, "at+jwt", &ALL).is_ok(), "{typ}");
        }
    }

    #[tokio::test]
    async fn refuses_hs256_keyed_with_our_public_key() {
        let (keys, _dir) = loaded().await;
        let rsa = keys.signing_key(SigningAlg::Rs256).unwrap();
        let public_pem = {
            use rsa::pkcs1::DecodeRsaPrivateKey as _;
            use rsa::pkcs8::EncodePublicKey as _;
            let private = rsa::RsaPrivateKey::from_pkcs1_pem(rsa.private_key_pem().expose_secret()).unwrap();
            private.to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap()
        };
        let n = URL_SAFE_NO_PAD.decode(rsa.public_jwk()["n"].as_str().unwrap()).unwrap();
        let secrets = [public_pem.into_bytes(), rsa.public_jwk().to_string().into_bytes(), keys.jwks().to_string().into_bytes(), n];
        for secret in &secrets {
            for alg in [jsonwebtoken::Algorithm::HS256, jsonwebtoken::Algorithm::HS384, jsonwebtoken::Algorithm::HS512] {
                let mut header = Header::new(alg);
                header.kid = Some(rsa.kid().to_owned());
                let token = jsonwebtoken::encode(&header, &claims(), &EncodingKey::from_secret(secret)).unwrap();
                assert_eq!(keys.verify_jwt(&token, "JWT", &ALL), Err(JwtError::AlgorithmNotAllowed), "{alg:?}");
            }
        }
    }

    #[tokio::test]
    async fn refuses_algorithm_swaps_and_critical_headers() {
        let (keys, _dir) = loaded().await;
        let rsa = keys.signing_key(SigningAlg::Rs256).unwrap();
        let ec = keys.signing_key(SigningAlg::Es256).unwrap();
        // An ES256 token relabelled with the RSA key's kid.
        let token = parts(&keys.sign_jwt(SigningAlg::Es256, &claims(), "JWT").unwrap());
        let relabelled = format!("{}.{}.{}", part(&json!({"alg": "ES256", "kid": rsa.kid(), "typ": "JWT"})), token[1], token[2]);
        assert_eq!(keys.verify_jwt(&relabelled, "JWT", &ALL), Err(JwtError::AlgorithmNotAllowed));
        // An algorithm the caller does not allow, or one we never use.
        let rs256 = keys.sign_jwt(SigningAlg::Rs256, &claims(), "JWT").unwrap();
        let not_rsa = [SigningAlg::Es256, SigningAlg::EdDsa];
        assert_eq!(keys.verify_jwt(&rs256, "JWT", &not_rsa), Err(JwtError::AlgorithmNotAllowed));
        assert_eq!(keys.verify_jwt(&rs256, "JWT", &[]), Err(JwtError::AlgorithmNotAllowed));
        for alg in ["RS384", "PS256", "ES256K", "rs256", "Ed25519"] {
            let header = json!({"alg": alg, "kid": rsa.kid(), "typ": "JWT"});
            let token = format!("{}.{}.{}", part(&header), part(&claims()), parts(&rs256)[2]);
            assert_eq!(keys.verify_jwt(&token, "JWT", &ALL), Err(JwtError::AlgorithmNotAllowed), "{alg}");
        }
        // Properly signed, but with a critical extension we do not understand.
        let crit = json!({"alg": "ES256", "kid": ec.kid(), "typ": "JWT", "crit": ["exp"], "exp": 1});
        assert_eq!(keys.verify_jwt(&sign_raw(ec, &crit, &claims()), "JWT", &ALL), Err(JwtError::Malformed));
        // Signed, but the payload is not a JSON object.
        let array = sign_raw(ec, &json!({"alg": "ES256", "kid": ec.kid(), "typ": "JWT"}), &json!([1, 2]));
        assert_eq!(keys.verify_jwt(&array, "JWT", &ALL), Err(JwtError::Malformed));
        assert_eq!(keys.verify_jwt(&"a".repeat(MAX_JWT_BYTES + 1), "JWT", &ALL), Err(JwtError::Malformed));
        assert_eq!(keys.verify_jwt("a.b.c.d", "JWT", &ALL), Err(JwtError::Malformed));
        assert!(matches!(Error::from(JwtError::BadSignature), Error::TokenInvalid));
    }

    #[tokio::test]
    async fn private_keys_come_as_the_pem_openidconnect_reads_and_never_print() {
        let (keys, _dir) = loaded().await;
        let rsa = keys.signing_key(SigningAlg::Rs256).unwrap().private_key_pem().expose_secret();
        assert!(rsa.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"), "PKCS#1");
        let ed = keys.signing_key(SigningAlg::EdDsa).unwrap().private_key_pem().expose_secret();
        assert!(ed.starts_with("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8");
        {
            use ed25519_dalek::pkcs8::DecodePrivateKey as _;
            ed25519_dalek::SigningKey::from_pkcs8_pem(ed).unwrap();
        }
        let ec = keys.signing_key(SigningAlg::Es256).unwrap().private_key_pem().expose_secret();
        assert!(ec.starts_with("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8");
        let printed = format!("{keys:?} {:?}", keys.signing_key(SigningAlg::Rs256).unwrap());
        assert!(printed.contains("[redacted]") && !printed.contains("PRIVATE"), "{printed}");
        for pem in [rsa, ed, ec] {
            let body: String = pem.lines().nth(1).unwrap().chars().take(40).collect();
            assert!(!printed.contains(&body));
        }
    }

    #[test]
    fn claims_are_checked_against_the_rules() {
        let jwt = |claims: Value| VerifiedJwt { kid: "k".into(), alg: SigningAlg::Rs256, claims };
        let now_secs = 1_800_000_000;
        let rules = ClaimRules {
            issuer: "https://id.example",
            audience: "brand",
            now: now_secs * 1000,
            leeway_secs: 60,
            allow_expired: false,
        };
        let good = json!({"iss": "https://id.example", "aud": "brand", "exp": now_secs + 600, "iat": now_secs});
        assert_eq!(jwt(good.clone()).check_claims(&rules), Ok(()));
        let mut in_array = good.clone();
        in_array["aud"] = json!(["other", "brand"]);
        assert_eq!(jwt(in_array).check_claims(&rules), Ok(()));
        let mut skewed = good.clone();
        skewed["exp"] = json!(now_secs - 30);
        skewed["iat"] = json!(now_secs + 30);
        assert_eq!(jwt(skewed).check_claims(&rules), Ok(()), "within the leeway");
        let mut expired = good.clone();
        expired["exp"] = json!(now_secs - 61);
        assert_eq!(jwt(expired.clone()).check_claims(&rules), Err(JwtError::InvalidClaims));
        assert_eq!(jwt(expired).check_claims(&ClaimRules { allow_expired: true, ..rules }), Ok(()), "a hint");
        for (name, value) in [
            ("iss", json!("https://id.example/")),
            ("iss", Value::Null),
            ("aud", json!("other")),
            ("aud", json!(["other"])),
            ("aud", json!(7)),
            ("exp", json!("tomorrow")),
            ("exp", Value::Null),
            ("iat", json!(now_secs + 61)),
            ("iat", Value::Null),
            ("nbf", json!(now_secs + 61)),
            ("nbf", json!("now")),
        ] {
            let mut bad = good.clone();
            if value.is_null() {
                bad.as_object_mut().unwrap().remove(name);
            } else {
                bad[name] = value.clone();
            }
            assert_eq!(jwt(bad).check_claims(&rules), Err(JwtError::InvalidClaims), "{name}: {value}");
        }
        let mut not_before_now = good;
        not_before_now["nbf"] = json!(now_secs);
        assert_eq!(jwt(not_before_now).check_claims(&rules), Ok(()));
    }

    #[tokio::test]
    async fn signing_needs_a_key_and_an_object() {
        let (store, _dir) = sqlite_store().await;
        let keys = manager(&store, &Arc::new(MasterKey::generate(&OsRandom)), &[SigningAlg::Rs256]);
        let empty = keys.load(T0).await.unwrap();
        assert!(matches!(empty.sign_jwt(SigningAlg::Rs256, &claims(), "JWT"), Err(Error::NotFound(_))));
        assert_eq!(empty.jwks(), &json!({"keys": []}));
        keys.ensure_keys(T0).await.unwrap();
        let loaded = keys.load(T0).await.unwrap();
        assert!(matches!(loaded.sign_jwt(SigningAlg::EdDsa, &claims(), "JWT"), Err(Error::NotFound(_))));
        assert!(loaded.sign_jwt(SigningAlg::Rs256, &json!("text"), "JWT").is_err());
    }

    /// A verified token is remembered: the second check answers the same without the
    /// signature, a different `typ` or algorithm list is still refused, a token changed
    /// by one byte is checked in full, and the memory stays bounded.
    #[tokio::test]
    async fn verified_tokens_are_remembered_exactly_and_boundedly() {
        let (keys, _dir) = loaded().await;
        let token = keys.sign_jwt(SigningAlg::Es256, &claims(), "at+jwt").unwrap();
        let first = keys.verify_jwt(&token, "at+jwt", &[SigningAlg::Es256]).unwrap();
        assert_eq!(keys.verified.len(), 1);
        assert_eq!(keys.verify_jwt(&token, "at+jwt", &[SigningAlg::Es256]), Ok(first));
        assert_eq!(keys.verify_jwt(&token, "JWT", &[SigningAlg::Es256]), Err(JwtError::WrongType), "remembered as at+jwt only");
        assert_eq!(keys.verify_jwt(&token, "at+jwt", &[SigningAlg::Rs256]), Err(JwtError::AlgorithmNotAllowed));
        let mut tampered = token.into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(keys.verify_jwt(&tampered, "at+jwt", &ALL), Err(JwtError::BadSignature));
        assert_eq!(keys.verified.len(), 1, "refusals are not remembered");
        for i in 0..=VERIFIED_MAX {
            let mut c = claims();
            c["jti"] = json!(i);
            let t = keys.sign_jwt(SigningAlg::EdDsa, &c, "at+jwt").unwrap();
            keys.verify_jwt(&t, "at+jwt", &ALL).unwrap();
        }
        assert!(keys.verified.len() <= VERIFIED_MAX, "{}", keys.verified.len());
    }
}
