//! Inline JWKS for `private_key_jwt` clients: which public keys a client may register.

use crate::Result;
use crate::domain::ParseError;

const MAX_JWKS_LEN: usize = 64 * 1024;

/// Checks an inline JWKS for `private_key_jwt`: public signing keys only (RSA ≥ 2048 bits,
/// P-256, Ed25519), each with a unique `kid`; `oct` and private members refused.
/// Returns the set as compact JSON.
pub fn check_jwks(text: &str) -> Result<String, ParseError> {
    use base64::Engine as _;
    const FIELD: &str = "JWKS";
    let bad = |reason| ParseError::Malformed { field: FIELD, reason };
    if text.len() > MAX_JWKS_LEN {
        return Err(ParseError::TooLong { field: FIELD, max: MAX_JWKS_LEN });
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| bad("it is not JSON"))?;
    let keys = value.get("keys").and_then(|k| k.as_array()).ok_or(bad("it needs a \"keys\" array"))?;
    if keys.is_empty() || keys.len() > 20 {
        return Err(bad("it must hold 1 to 20 keys"));
    }
    let b64 = |key: &serde_json::Value, member: &str| {
        key.get(member)
            .and_then(|v| v.as_str())
            .and_then(|s| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).ok())
            .ok_or(bad("a key member is missing or not base64url"))
    };
    let mut kids: Vec<&str> = Vec::new();
    for key in keys {
        let kid = key.get("kid").and_then(|k| k.as_str()).filter(|k| !k.is_empty() && k.len() <= 200);
        let kid = kid.ok_or(bad("every key needs a kid"))?;
        if kids.contains(&kid) {
            return Err(bad("two keys have the same kid"));
        }
        kids.push(kid);
        if ["d", "p", "q", "dp", "dq", "qi", "oth", "k"].iter().any(|m| key.get(m).is_some()) {
            return Err(bad("it contains private key material; register public keys only"));
        }
        if key.get("use").is_some_and(|u| u != "sig") {
            return Err(bad("keys must be for signing (use: sig)"));
        }
        match key.get("kty").and_then(|k| k.as_str()) {
            Some("RSA") => {
                let n = b64(key, "n")?;
                let bits = n.iter().skip_while(|b| **b == 0).count() * 8;
                if bits < 2048 || b64(key, "e")?.is_empty() {
                    return Err(bad("RSA keys must have at least 2048 bits"));
                }
            }
            Some("EC") => {
                let (x, y) = (b64(key, "x")?, b64(key, "y")?);
                let mut point = vec![4u8];
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                if key.get("crv").is_none_or(|c| c != "P-256") || x.len() != 32 || y.len() != 32 {
                    return Err(bad("EC keys must be on P-256"));
                }
                if p256::PublicKey::from_sec1_bytes(&point).is_err() {
                    return Err(bad("an EC key is not a point on P-256"));
                }
            }
            Some("OKP") => {
                let x: [u8; 32] = b64(key, "x")?.try_into().map_err(|_| bad("OKP keys must be Ed25519"))?;
                if key.get("crv").is_none_or(|c| c != "Ed25519") || ed25519_dalek::VerifyingKey::from_bytes(&x).is_err() {
                    return Err(bad("OKP keys must be Ed25519"));
                }
            }
            Some("oct") => return Err(bad("symmetric (oct) keys are refused")),
            _ => return Err(bad("use RSA, EC (P-256) or OKP (Ed25519) keys")),
        }
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oidc::clients::test_support::{b64, ed25519_jwks};

    #[test]
    fn jwks_rules() {
        assert!(check_jwks(&ed25519_jwks("k1")).is_ok());
        let x = b64(ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]).verifying_key().as_bytes());
        let refused = [
            serde_json::json!({ "keys": [] }),
            serde_json::json!({ "nokeys": 1 }),
            serde_json::json!({ "keys": [{ "kty": "oct", "kid": "s", "k": "c2VjcmV0" }] }),
            serde_json::json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": x }] }),
            serde_json::json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "kid": "a", "x": x, "d": x }] }),
            serde_json::json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "kid": "a", "x": x }, { "kty": "OKP", "crv": "Ed25519", "kid": "a", "x": x }] }),
            serde_json::json!({ "keys": [{ "kty": "OKP", "crv": "X25519", "kid": "a", "x": x }] }),
            serde_json::json!({ "keys": [{ "kty": "RSA", "kid": "r", "n": b64(&[0xff; 128]), "e": "AQAB" }] }),
            serde_json::json!({ "keys": [{ "kty": "EC", "crv": "P-256", "kid": "e", "x": b64(&[1; 32]), "y": b64(&[2; 32]) }] }),
        ];
        for jwks in refused {
            assert!(check_jwks(&jwks.to_string()).is_err(), "{jwks}");
        }
        let rsa = serde_json::json!({ "keys": [{ "kty": "RSA", "kid": "r", "n": b64(&[0xff; 256]), "e": "AQAB" }] });
        assert!(check_jwks(&rsa.to_string()).is_ok());
        assert!(check_jwks("not json").is_err());
    }
}
