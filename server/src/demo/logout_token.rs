//! The checks a demo site makes on a back-channel logout token (Back-Channel Logout 1.0
//! §2.4, §2.6): a compact JWS with `typ: logout+jwt`, the client's ID-token alg and a
//! `kid` found in the provider's JWKS; claims `iss`, `aud`, `iat` (recent), `exp`, `jti`,
//! `sub` and/or `sid`, the back-channel `events` member, and never `nonce`. Whether the
//! `jti` was seen before is the site's business (it keeps the ids).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreJsonWebKeySet, CoreJwsSigningAlgorithm};
use openidconnect::{JsonWebKey as _, SignatureVerificationError};
use serde_json::Value;

/// The `events` member that makes a JWT a logout token.
pub(crate) const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// How old an `iat` may be.
const MAX_AGE_S: i64 = 5 * 60;
/// Clock difference tolerated between Foyer and the site.
const LEEWAY_S: i64 = 60;

/// Why a logout token was refused. The text is safe to send back (no token content).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum LogoutTokenError {
    #[error("malformed logout token: {0}")]
    Malformed(&'static str),
    #[error("no key in the provider's JWKS has this kid")]
    UnknownKey,
    #[error("bad signature")]
    BadSignature,
    #[error("bad claim: {0}")]
    Claim(&'static str),
    #[error("this logout token was already used")]
    Replayed,
    #[error("the provider's keys cannot be fetched right now")]
    Unavailable,
}

/// A logout token split and decoded, its signature not yet checked.
#[derive(Debug)]
pub(crate) struct ParsedToken {
    pub kid: String,
    pub alg: CoreJwsSigningAlgorithm,
    signing_input: String,
    signature: Vec<u8>,
    pub claims: Value,
}

/// What a valid logout token says to end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogoutClaims {
    pub sub: Option<String>,
    pub sid: Option<String>,
    pub jti: String,
    pub exp: i64,
}

fn decode_json(part: &str, what: &'static str) -> Result<Value, LogoutTokenError> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| LogoutTokenError::Malformed(what))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| LogoutTokenError::Malformed(what))?;
    if value.is_object() { Ok(value) } else { Err(LogoutTokenError::Malformed(what)) }
}

/// Splits the compact JWS and checks its header: `typ` is `logout+jwt`, `alg` is the
/// client's (so `none` and `HS*` never pass), a `kid`, no `crit`.
pub(crate) fn parse(token: &str, expected_alg: &CoreJwsSigningAlgorithm) -> Result<ParsedToken, LogoutTokenError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return Err(LogoutTokenError::Malformed("not a compact JWS of three parts"));
    };
    let head = decode_json(header, "header")?;
    let typ = head.get("typ").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
    if typ != "logout+jwt" && typ != "application/logout+jwt" {
        return Err(LogoutTokenError::Malformed("typ is not logout+jwt"));
    }
    if head.get("crit").is_some() {
        return Err(LogoutTokenError::Malformed("crit is not supported"));
    }
    let alg: CoreJwsSigningAlgorithm = head
        .get("alg")
        .cloned()
        .and_then(|a| serde_json::from_value(a).ok())
        .ok_or(LogoutTokenError::Malformed("alg missing or unknown"))?;
    if &alg != expected_alg {
        return Err(LogoutTokenError::Malformed("alg is not the client's ID token alg"));
    }
    let kid = head.get("kid").and_then(Value::as_str).ok_or(LogoutTokenError::Malformed("kid missing"))?.to_owned();
    let claims = decode_json(payload, "payload")?;
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| LogoutTokenError::Malformed("signature"))?;
    Ok(ParsedToken { kid, alg, signing_input: format!("{header}.{payload}"), signature, claims })
}

/// Verifies the signature with the one key of the JWKS that has the token's `kid`.
pub(crate) fn verify_signature(jwks: &CoreJsonWebKeySet, token: &ParsedToken) -> Result<(), LogoutTokenError> {
    let mut keys = jwks.keys().iter().filter(|k| k.key_id().is_some_and(|id| id.as_str() == token.kid));
    let (Some(key), None) = (keys.next(), keys.next()) else { return Err(LogoutTokenError::UnknownKey) };
    match key.verify_signature(&token.alg, token.signing_input.as_bytes(), &token.signature) {
        Ok(()) => Ok(()),
        Err(SignatureVerificationError::NoMatchingKey) => Err(LogoutTokenError::UnknownKey),
        Err(_) => Err(LogoutTokenError::BadSignature),
    }
}

fn string_claim(claims: &Value, name: &str) -> Option<String> {
    claims.get(name).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn audience_has(claims: &Value, client_id: &str) -> bool {
    match claims.get("aud") {
        Some(Value::String(aud)) => aud == client_id,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    }
}

/// The claim checks of §2.6 step 3–5 (`now` in seconds since the epoch).
pub(crate) fn check_claims(claims: &Value, issuer: &str, client_id: &str, now: i64) -> Result<LogoutClaims, LogoutTokenError> {
    if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
        return Err(LogoutTokenError::Claim("iss"));
    }
    if !audience_has(claims, client_id) {
        return Err(LogoutTokenError::Claim("aud"));
    }
    let iat = claims.get("iat").and_then(Value::as_i64).ok_or(LogoutTokenError::Claim("iat"))?;
    if iat > now + LEEWAY_S || iat < now - MAX_AGE_S {
        return Err(LogoutTokenError::Claim("iat"));
    }
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or(LogoutTokenError::Claim("exp"))?;
    if exp + LEEWAY_S <= now {
        return Err(LogoutTokenError::Claim("exp"));
    }
    let is_logout = claims.get("events").and_then(|e| e.get(BACKCHANNEL_EVENT)).is_some_and(Value::is_object);
    if !is_logout {
        return Err(LogoutTokenError::Claim("events"));
    }
    if claims.get("nonce").is_some() {
        return Err(LogoutTokenError::Claim("nonce"));
    }
    let jti = string_claim(claims, "jti").ok_or(LogoutTokenError::Claim("jti"))?;
    let (sub, sid) = (string_claim(claims, "sub"), string_claim(claims, "sid"));
    if sub.is_none() && sid.is_none() {
        return Err(LogoutTokenError::Claim("sub or sid"));
    }
    Ok(LogoutClaims { sub, sid, jti, exp })
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use serde_json::json;

    use super::*;

    const ISS: &str = "http://localhost:3000";
    const NOW: i64 = 1_800_000_000;

    fn claims() -> Value {
        json!({
            "iss": ISS, "aud": "client-1", "iat": NOW - 5, "exp": NOW + 115, "jti": "j-1",
            "sub": "user-1", "sid": "sid-1", "events": { BACKCHANNEL_EVENT: {} },
        })
    }

    fn without(name: &str) -> Value {
        let mut c = claims();
        c.as_object_mut().unwrap().remove(name);
        c
    }

    fn with(name: &str, value: Value) -> Value {
        let mut c = claims();
        c[name] = value;
        c
    }

    fn refused(c: &Value) -> LogoutTokenError {
        check_claims(c, ISS, "client-1", NOW).unwrap_err()
    }

    #[test]
    fn a_good_token_names_the_session() {
        let ok = check_claims(&claims(), ISS, "client-1", NOW).unwrap();
        assert_eq!(ok, LogoutClaims { sub: Some("user-1".into()), sid: Some("sid-1".into()), jti: "j-1".into(), exp: NOW + 115 });
        let array_aud = with("aud", json!(["other", "client-1"]));
        assert!(check_claims(&array_aud, ISS, "client-1", NOW).is_ok());
        let sub_only = without("sid");
        assert_eq!(check_claims(&sub_only, ISS, "client-1", NOW).unwrap().sid, None);
    }

    #[test]
    fn wrong_issuer_or_audience_is_refused() {
        assert_eq!(refused(&with("iss", json!("http://localhost:3000/"))), LogoutTokenError::Claim("iss"));
        assert_eq!(refused(&with("aud", json!("client-2"))), LogoutTokenError::Claim("aud"));
        assert_eq!(refused(&without("aud")), LogoutTokenError::Claim("aud"));
    }

    #[test]
    fn stale_future_or_expired_tokens_are_refused() {
        assert_eq!(refused(&with("iat", json!(NOW - MAX_AGE_S - 1))), LogoutTokenError::Claim("iat"));
        assert_eq!(refused(&with("iat", json!(NOW + LEEWAY_S + 1))), LogoutTokenError::Claim("iat"));
        assert_eq!(refused(&with("exp", json!(NOW - LEEWAY_S))), LogoutTokenError::Claim("exp"));
        assert_eq!(refused(&without("exp")), LogoutTokenError::Claim("exp"));
    }

    #[test]
    fn only_logout_events_without_nonce_pass() {
        assert_eq!(refused(&without("events")), LogoutTokenError::Claim("events"));
        assert_eq!(refused(&with("events", json!({ "other": {} }))), LogoutTokenError::Claim("events"));
        assert_eq!(refused(&with("events", json!({ BACKCHANNEL_EVENT: true }))), LogoutTokenError::Claim("events"));
        assert_eq!(refused(&with("nonce", json!("n"))), LogoutTokenError::Claim("nonce"));
    }

    #[test]
    fn a_token_must_name_someone_and_have_a_jti() {
        let mut c = claims();
        c.as_object_mut().unwrap().remove("sub");
        c.as_object_mut().unwrap().remove("sid");
        assert_eq!(refused(&c), LogoutTokenError::Claim("sub or sid"));
        assert_eq!(refused(&without("jti")), LogoutTokenError::Claim("jti"));
        assert_eq!(refused(&with("jti", json!(""))), LogoutTokenError::Claim("jti"));
    }

    fn token(header: Value) -> String {
        let enc = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
        format!("{}.{}.{}", enc(&header), enc(&claims()), URL_SAFE_NO_PAD.encode([1u8, 2, 3]))
    }

    #[test]
    fn the_header_must_be_a_logout_jwt_of_the_client_alg() {
        let rs256 = CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256;
        let good = parse(&token(json!({ "typ": "logout+jwt", "alg": "RS256", "kid": "k1" })), &rs256).unwrap();
        assert_eq!(good.kid, "k1");
        assert_eq!(good.claims["jti"], "j-1");
        for header in [
            json!({ "typ": "JWT", "alg": "RS256", "kid": "k1" }),
            json!({ "alg": "RS256", "kid": "k1" }),
            json!({ "typ": "logout+jwt", "alg": "ES256", "kid": "k1" }),
            json!({ "typ": "logout+jwt", "alg": "none", "kid": "k1" }),
            json!({ "typ": "logout+jwt", "alg": "HS256", "kid": "k1" }),
            json!({ "typ": "logout+jwt", "alg": "RS256" }),
            json!({ "typ": "logout+jwt", "alg": "RS256", "kid": "k1", "crit": ["exp"] }),
        ] {
            assert!(matches!(parse(&token(header.clone()), &rs256), Err(LogoutTokenError::Malformed(_))), "{header}");
        }
        assert!(parse("a.b", &rs256).is_err());
        assert!(parse("a.b.c.d", &rs256).is_err());
    }

    #[test]
    fn an_unknown_kid_is_reported_as_such() {
        let rs256 = CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256;
        let parsed = parse(&token(json!({ "typ": "logout+jwt", "alg": "RS256", "kid": "k1" })), &rs256).unwrap();
        assert_eq!(verify_signature(&CoreJsonWebKeySet::new(Vec::new()), &parsed), Err(LogoutTokenError::UnknownKey));
    }
}
