//! `private_key_jwt` client authentication (OIDC Core §9, RFC 7523 §3): a JWS signed by a
//! key in the client's registered JWKS, for us, short-lived and used once.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::clients::Client;
use crate::principal::{authorize, Action, Principal, Subject};
use crate::{Identity, Result};

/// `client_assertion_type` for a JWT assertion.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// An assertion may live at most this long (`exp - iat`), in seconds.
const MAX_LIFETIME_S: i64 = 300;

fn algorithm(name: &str) -> Option<Algorithm> {
    match name {
        "RS256" => Some(Algorithm::RS256),
        "PS256" => Some(Algorithm::PS256),
        "ES256" => Some(Algorithm::ES256),
        "EdDSA" => Some(Algorithm::EdDSA),
        _ => None, // `none` and HS* are never accepted
    }
}

/// The header and claims of an assertion whose signature verified with a key of
/// `jwks`, or `None`.
fn verify_signature(jwks: &str, assertion: &str) -> Option<Value> {
    let mut parts = assertion.split('.');
    let header = parts.next()?;
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    let alg = algorithm(header.get("alg")?.as_str()?)?;
    let kid = header.get("kid").and_then(Value::as_str);
    let set: Value = serde_json::from_str(jwks).ok()?;
    for key in set.get("keys")?.as_array()? {
        if kid.is_some_and(|kid| key.get("kid").and_then(Value::as_str) != Some(kid)) {
            continue;
        }
        let kty = key.get("kty").and_then(Value::as_str).unwrap_or_default();
        let fits = match alg {
            Algorithm::RS256 | Algorithm::PS256 => kty == "RSA",
            Algorithm::ES256 => kty == "EC",
            Algorithm::EdDSA => kty == "OKP",
            _ => false,
        };
        if !fits || key.get("alg").and_then(Value::as_str).is_some_and(|a| algorithm(a) != Some(alg)) {
            continue;
        }
        let Ok(jwk) = serde_json::from_value::<Jwk>(key.clone()) else { continue };
        let Ok(decoding) = DecodingKey::from_jwk(&jwk) else { continue };
        let mut validation = Validation::new(alg);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_aud = false;
        if let Ok(data) = jsonwebtoken::decode::<Value>(assertion, &decoding, &validation) {
            return Some(data.claims);
        }
    }
    None
}

/// The audience of an assertion names us and nobody else: the issuer as a string or as a
/// one-element array. Not the token endpoint, and not a list that also names another
/// party (an assertion made for several audiences can be replayed here by any of them:
/// the 2025 `private_key_jwt` audience-injection guidance).
pub fn audience_is_issuer(aud: Option<&Value>, issuer: &str) -> bool {
    match aud {
        Some(Value::String(a)) => a == issuer,
        Some(Value::Array(list)) => matches!(list.as_slice(), [Value::String(a)] if a == issuer),
        _ => false,
    }
}

impl Identity {
    /// Checks a client assertion: signature by the client's JWKS, `iss = sub =
    /// client_id`, `aud` exactly the issuer (see [`audience_is_issuer`]), `exp` in the
    /// future and at most five minutes after `iat`, and a `jti` never seen before (recorded).
    /// The caller is still anonymous: the assertion is what proves it is the client.
    pub async fn verify_client_assertion(&self, principal: &Principal, client: &Client, assertion: &str) -> Result<bool> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Client(&client.id))?;
        let Some(jwks) = client.jwks.as_deref().filter(|_| client.auth_method == "private_key_jwt" && !client.is_disabled()) else { return Ok(false) };
        let Some(claims) = verify_signature(jwks, assertion) else { return Ok(false) };
        let now_s = self.clock.now() / 1000;
        let text = |name: &str| claims.get(name).and_then(Value::as_str);
        let audience = audience_is_issuer(claims.get("aud"), &self.settings.public_url);
        let exp = claims.get("exp").and_then(Value::as_i64);
        let iat = claims.get("iat").and_then(Value::as_i64).or_else(|| exp.map(|e| e - MAX_LIFETIME_S));
        let timely = matches!((exp, iat), (Some(exp), Some(iat)) if exp > now_s - 60 && iat <= now_s + 60 && exp - iat <= MAX_LIFETIME_S);
        let Some(jti) = text("jti").filter(|j| !j.is_empty() && j.len() <= 200) else { return Ok(false) };
        if text("iss") != Some(client.id.as_str()) || text("sub") != Some(client.id.as_str()) || !audience || !timely {
            return Ok(false);
        }
        let mut tx = self.store.begin().await?;
        let fresh = crate::store::clients::note_assertion_jti(&mut tx, &client.id, jti, exp.unwrap_or(now_s).saturating_add(60).saturating_mul(1000)).await?;
        tx.commit().await?;
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audience_is_the_issuer_alone() {
        use serde_json::json;
        let issuer = "https://id.example.com";
        let ok = |aud: Value| audience_is_issuer(Some(&aud), issuer);
        assert!(ok(json!(issuer)));
        assert!(ok(json!([issuer])));
        assert!(!ok(json!([issuer, "https://evil.example"])), "a list naming another party");
        assert!(!ok(json!(["https://evil.example", issuer])));
        assert!(!ok(json!("https://id.example.com/oauth2/token")), "the token endpoint");
        assert!(!ok(json!(["https://id.example.com/oauth2/token"])));
        assert!(!ok(json!("https://id.example.com/")), "compared exactly");
        assert!(!ok(json!([])) && !ok(json!(42)) && !audience_is_issuer(None, issuer));
    }

    #[test]
    fn none_and_hmac_are_never_accepted() {
        assert_eq!(algorithm("none"), None);
        assert_eq!(algorithm("HS256"), None);
        assert_eq!(algorithm("RS256"), Some(Algorithm::RS256));
        // An unsigned assertion never verifies, whatever the JWKS.
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        let body = URL_SAFE_NO_PAD.encode(br#"{"iss":"c"}"#);
        assert_eq!(verify_signature(r#"{"keys":[]}"#, &format!("{header}.{body}.")), None);
    }
}
