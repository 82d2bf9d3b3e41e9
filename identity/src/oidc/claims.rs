//! Scopes, the claims they release (OIDC Core §5.4), the words the consent page uses for
//! them, subject identifiers (`public`, or `pairwise` per brand, OIDC Core §8), and the
//! per-client `sid` each client sees for a sign-in.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac as _};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256, Sha512};

use crate::jose::SigningAlg;
use super::clients::Client;
use crate::store::AnyConnection;
use crate::store::customers::CustomerRow;
use crate::{Error, Identity, Result};

/// What each scope shares, in the customer's words (the consent page and Connected brands).
pub fn scope_description(scope: &str) -> &'static str {
    match scope {
        "openid" => "Know who you are (an account identifier)",
        "profile" => "Your name, birth date, language and time zone",
        "email" => "Your email address",
        "phone" => "Your phone number",
        "address" => "Your postal address",
        "offline_access" => "Stay connected when you are not using Foyer",
        "consents" => "Your consent choices for this brand",
        "attributes" => "The details you gave this brand, and those shared across the group",
        "preferences" => "Your language, contact frequency and topics for this brand",
        "household" => "Your household: your role and how many members it has (names only of members who agreed)",
        "loyalty" => "Your verified loyalty memberships of this brand (and of the group's other brands, if you agreed)",
        _ => "Access on your behalf",
    }
}

/// The scopes whose claims depend on the client's brand ([`Identity::brand_claims`]).
pub const BRAND_SCOPES: [&str; 5] = ["consents", "attributes", "preferences", "household", "loyalty"];

/// Whether `scopes` ask for any claim that depends on the client's brand.
pub fn wants_brand_claims(scopes: &[String]) -> bool {
    scopes.iter().any(|s| BRAND_SCOPES.contains(&s.as_str()))
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
        put("zoneinfo", text(&customer.zoneinfo));
        put("updated_at", Some(json!(customer.updated_at / 1000)));
    }
    if has("email") {
        put("email", Some(Value::String(customer.email.clone())));
        put("email_verified", Some(Value::Bool(customer.email_verified)));
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

/// The `sid` one client sees for a sign-in:
/// `base64url(HMAC-SHA256(brand key, "sid:" ‖ sid ‖ 0x00 ‖ client_id))`. The same sign-in
/// gives every client its own value, so brands cannot join their customers on it (the
/// point of pairwise subjects); Foyer maps it back by computing it again for the client
/// that presents it.
pub fn client_sid(brand_key: &[u8], sid: &str, client_id: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(brand_key) else { return String::new() };
    mac.update(b"sid:");
    mac.update(sid.as_bytes());
    mac.update(&[0]);
    mac.update(client_id.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

impl Identity {
    /// The claims that depend on the client's brand, for the scopes granted: `attributes`
    /// and `preferences` (brand data, read on `conn`: the token endpoint's transaction)
    /// and `consents` (the consent ledger). Never another brand's. The one place both the
    /// ID token and UserInfo get them.
    pub(crate) async fn brand_claims(&self, conn: &mut AnyConnection, customer_id: &str, brand_id: &str, scopes: &[String]) -> Result<Map<String, Value>> {
        if !wants_brand_claims(scopes) {
            return Ok(Map::new());
        }
        let mut claims = crate::branddata::claims::claims(conn, customer_id, brand_id, scopes).await?;
        if scopes.iter().any(|s| s == "consents") {
            claims.insert("consents".into(), self.consents_claim(customer_id, brand_id).await?);
        }
        if scopes.iter().any(|s| s == "household") {
            if let Some(household) = self.household_claim(conn, customer_id, brand_id).await? {
                claims.insert("household".into(), household);
            }
        }
        if scopes.iter().any(|s| s == "loyalty") {
            if let Some(loyalty) = self.loyalty_claim(conn, customer_id, brand_id).await? {
                claims.insert("loyalty".into(), loyalty);
            }
        }
        Ok(claims)
    }

    /// The `sid` this client sees for the sign-in `sid` (see [`client_sid`]).
    pub async fn sid_for(&self, client: &Client, sid: &str) -> Result<String> {
        let sealed = self.store.brand_pairwise_key_sealed(&client.brand_id).await?;
        Ok(client_sid(&self.brand_key(client, sealed)?, sid, &client.id))
    }

    /// The `sub` and (for a sign-in `sid`) the `sid` this client sees, inside `tx`,
    /// opening the brand key at most once.
    pub(crate) async fn subject_and_sid_tx(&self, tx: &mut AnyConnection, client: &Client, customer_id: &str, sid: Option<&str>) -> Result<(String, Option<String>)> {
        if client.subject_type != "pairwise" && sid.is_none() {
            return Ok((customer_id.to_owned(), None));
        }
        let sealed = self.store.brand_pairwise_key_sealed_on(tx, &client.brand_id).await?;
        let key = self.brand_key(client, sealed)?;
        let sub = if client.subject_type == "pairwise" { pairwise_subject(&key, customer_id) } else { customer_id.to_owned() };
        Ok((sub, sid.map(|sid| client_sid(&key, sid, &client.id))))
    }

    /// The `sub`s this client sees for several customers, opening the brand key once.
    pub(crate) async fn subjects_for(&self, client: &Client, customer_ids: &[&str]) -> Result<Vec<String>> {
        if client.subject_type != "pairwise" {
            return Ok(customer_ids.iter().map(|id| (*id).to_owned()).collect());
        }
        let sealed = self.store.brand_pairwise_key_sealed(&client.brand_id).await?;
        let key = self.brand_key(client, sealed)?;
        Ok(customer_ids.iter().map(|id| pairwise_subject(&key, id)).collect())
    }

    /// The `sub` this client sees for the customer.
    pub async fn subject_for(&self, client: &Client, customer_id: &str) -> Result<String> {
        if client.subject_type != "pairwise" {
            return Ok(customer_id.to_owned());
        }
        let sealed = self.store.brand_pairwise_key_sealed(&client.brand_id).await?;
        self.subject_with(client, customer_id, sealed)
    }

    fn subject_with(&self, client: &Client, customer_id: &str, sealed: Option<String>) -> Result<String> {
        Ok(pairwise_subject(&self.brand_key(client, sealed)?, customer_id))
    }

    /// The client's brand key (pairwise subjects and per-client `sid`s), unsealed.
    fn brand_key(&self, client: &Client, sealed: Option<String>) -> Result<secrecy::zeroize::Zeroizing<Vec<u8>>> {
        let sealed = sealed.ok_or(Error::Crypto("the brand has no pairwise key"))?;
        let key = self.master_key.open(&sealed, format!("pairwise:{}", client.brand_id).as_bytes())?;
        Ok(secrecy::zeroize::Zeroizing::new(key))
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
            email_verified: true,
            given_name: Some("Ada".into()),
            family_name: Some("Lovelace".into()),
            address_locality: Some("London".into()),
            preferred_language: Some("de".into()),
            zoneinfo: Some("Europe/Berlin".into()),
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
        assert_eq!((&all["locale"], &all["zoneinfo"]), (&json!("de"), &json!("Europe/Berlin")), "OIDC Core §5.1 profile claims");
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
    fn each_client_sees_its_own_sid() {
        let a = client_sid(&[1; 32], "sign-in", "air-web");
        assert_eq!(a, client_sid(&[1; 32], "sign-in", "air-web"), "stable for the client");
        assert_ne!(a, client_sid(&[1; 32], "sign-in", "air-app"), "another client of the brand");
        assert_ne!(a, client_sid(&[2; 32], "sign-in", "air-web"), "another brand's key");
        assert_ne!(a, client_sid(&[1; 32], "other", "air-web"), "another sign-in");
        assert_ne!(client_sid(&[1; 32], "ab", "c"), client_sid(&[1; 32], "a", "bc"), "the parts are separated");
        assert!(!a.contains("sign-in") && a.len() == 43);
    }

    #[test]
    fn at_hash_is_half_the_digest() {
        // OIDC Core example is RS256 over SHA-256: 16 bytes → 22 base64url characters.
        assert_eq!(at_hash(SigningAlg::Rs256, "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y").len(), 22);
        assert_eq!(at_hash(SigningAlg::EdDsa, "x").len(), 43);
    }
}
