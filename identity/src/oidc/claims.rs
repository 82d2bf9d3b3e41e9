//! Scopes, the claims they release (OIDC Core §5.4), the words the consent page uses for
//! them, and subject identifiers (`public`, or `pairwise` per brand, OIDC Core §8).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac as _};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256, Sha512};

use super::SigningAlg;
use super::clients::Client;
use crate::store::Tx;
use crate::store::customers::CustomerRow;
use crate::{Error, Identity, Result};

/// What each scope shares, in the customer's words (the consent page and Connected brands).
pub fn scope_description(scope: &str) -> &'static str {
    match scope {
        "openid" => "Know who you are (an account identifier)",
        "profile" => "Your name, birth date and language",
        "email" => "Your email address",
        "phone" => "Your phone number",
        "address" => "Your postal address",
        "offline_access" => "Stay connected when you are not using Foyer",
        _ => "Access on your behalf",
    }
}

/// The claims of `scopes` for `customer` (absent values omitted, never `null`).
pub fn claims_for(customer: &CustomerRow, scopes: &[String]) -> Map<String, Value> {
    let mut claims = Map::new();
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let mut put = |name: &str, value: Option<Value>| {
        if let Some(v) = value {
            claims.insert(name.to_owned(), v);
        }
    };
    let text = |v: &Option<String>| v.as_ref().filter(|s| !s.is_empty()).map(|s| Value::String(s.clone()));
    if has("profile") {
        let full = match (&customer.given_name, &customer.family_name) {
            (Some(g), Some(f)) => Some(format!("{g} {f}")),
            (Some(g), None) => Some(g.clone()),
            (None, Some(f)) => Some(f.clone()),
            (None, None) => None,
        };
        put("name", text(&customer.display_name.clone().or(full)));
        put("given_name", text(&customer.given_name));
        put("family_name", text(&customer.family_name));
        put("birthdate", text(&customer.birth_date));
        put("locale", text(&customer.preferred_language));
        put("updated_at", Some(json!(customer.updated_at / 1000)));
    }
    if has("email") {
        put("email", Some(Value::String(customer.email.clone())));
        put("email_verified", Some(Value::Bool(customer.email_verified == 1)));
    }
    if has("phone") && customer.phone.is_some() {
        put("phone_number", text(&customer.phone));
        put("phone_number_verified", Some(Value::Bool(false)));
    }
    if has("address") {
        let parts = [
            ("street_address", &customer.address_street),
            ("locality", &customer.address_locality),
            ("region", &customer.address_region),
            ("postal_code", &customer.address_postal_code),
            ("country", &customer.address_country),
        ];
        let mut address = Map::new();
        for (name, value) in parts {
            if let Some(v) = text(value) {
                address.insert(name.to_owned(), v);
            }
        }
        if !address.is_empty() {
            let formatted: Vec<&str> = parts.iter().filter_map(|(_, v)| v.as_deref()).filter(|s| !s.is_empty()).collect();
            address.insert("formatted".to_owned(), Value::String(formatted.join("\n")));
            put("address", Some(Value::Object(address)));
        }
    }
    claims
}

/// `at_hash` (OIDC Core §3.1.3.6): the left half of the alg's hash of the access token.
pub fn at_hash(alg: SigningAlg, access_token: &str) -> String {
    let digest: Vec<u8> = match alg {
        SigningAlg::EdDsa => Sha512::digest(access_token.as_bytes()).to_vec(),
        _ => Sha256::digest(access_token.as_bytes()).to_vec(),
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// The pairwise subject for a brand key: `base64url(HMAC-SHA256(key, "sub:" ‖ id))`.
pub fn pairwise_subject(brand_key: &[u8], customer_id: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(brand_key) else { return String::new() };
    mac.update(b"sub:");
    mac.update(customer_id.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

impl Identity {
    /// The `sub` this client sees for the customer.
    pub async fn subject_for(&self, client: &Client, customer_id: &str) -> Result<String> {
        if client.subject_type != "pairwise" {
            return Ok(customer_id.to_owned());
        }
        let sealed = self.store.brand_pairwise_key_sealed(&client.brand_id).await?;
        self.subject_with(client, customer_id, sealed)
    }

    /// As [`Identity::subject_for`], reading the brand key inside `tx`.
    pub(crate) async fn subject_for_tx(&self, tx: &mut Tx, client: &Client, customer_id: &str) -> Result<String> {
        if client.subject_type != "pairwise" {
            return Ok(customer_id.to_owned());
        }
        let sealed = crate::store::brands::pairwise_key_sealed_tx(tx, &client.brand_id).await?;
        self.subject_with(client, customer_id, sealed)
    }

    fn subject_with(&self, client: &Client, customer_id: &str, sealed: Option<String>) -> Result<String> {
        let sealed = sealed.ok_or(Error::Crypto("the brand has no pairwise key"))?;
        let key = self.master_key.open(&sealed, format!("pairwise:{}", client.brand_id).as_bytes())?;
        let key = secrecy::zeroize::Zeroizing::new(key);
        Ok(pairwise_subject(&key, customer_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_follow_scopes_and_omit_absent_values() {
        let c = CustomerRow {
            id: "c".into(),
            email: "ada@example.com".into(),
            email_verified: 1,
            given_name: Some("Ada".into()),
            family_name: Some("Lovelace".into()),
            address_locality: Some("London".into()),
            updated_at: 5_000,
            ..CustomerRow::default()
        };
        let none = claims_for(&c, &["openid".into()]);
        assert!(none.is_empty());
        let all = claims_for(&c, &["openid", "profile", "email", "phone", "address"].map(String::from));
        assert_eq!(all["name"], "Ada Lovelace");
        assert_eq!(all["email_verified"], true);
        assert_eq!(all["updated_at"], 5);
        assert_eq!(all["address"]["locality"], "London");
        assert!(!all.contains_key("phone_number") && !all.contains_key("birthdate"));
    }

    #[test]
    fn pairwise_subjects_differ_by_brand_and_are_stable() {
        let a = pairwise_subject(&[1; 32], "cust");
        assert_eq!(a, pairwise_subject(&[1; 32], "cust"));
        assert_ne!(a, pairwise_subject(&[2; 32], "cust"));
        assert_ne!(a, pairwise_subject(&[1; 32], "other"));
        assert_eq!(a.len(), 43);
    }

    #[test]
    fn at_hash_is_half_the_digest() {
        // OIDC Core example is RS256 over SHA-256: 16 bytes → 22 base64url characters.
        assert_eq!(at_hash(SigningAlg::Rs256, "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y").len(), 22);
        assert_eq!(at_hash(SigningAlg::EdDsa, "x").len(), 43);
    }
}
