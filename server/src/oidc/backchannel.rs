//! Back-channel logout delivery (Back-Channel Logout 1.0 §2.4–2.8): the outbox worker
//! builds and signs the logout token at each attempt and POSTs it to the client's
//! registered URI. No redirects followed, 5 s timeout, body ignored.

use std::time::Duration;

use identity::Identity;
use identity::jose::SigningAlg;
use identity::oidc::logout::BACKCHANNEL_EVENT;
use serde_json::json;

use super::keys::KeyRing;
use crate::mail::DeliveryError;

#[derive(Debug, Clone)]
pub struct Backchannel {
    identity: Identity,
    keys: KeyRing,
    http: reqwest::Client,
}

impl Backchannel {
    pub fn new(identity: Identity) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Self { keys: KeyRing::new(identity.clone()), identity, http }
    }

    /// Sends one logout token. 2xx: delivered; other 4xx: given up; 5xx, timeouts
    /// and connection failures: retried with the outbox backoff.
    pub async fn deliver(&self, client_id: &str, sub: &str, sid: Option<&str>, jti: &str) -> Result<(), DeliveryError> {
        let transient = |e: &dyn std::fmt::Display| DeliveryError::Transient(e.to_string());
        let client = self.identity.client_by_id(client_id).await.map_err(|e| transient(&e))?;
        let Some((client, uri)) = client.and_then(|c| c.backchannel_logout_uri.clone().map(|u| (c, u))) else {
            return Ok(()); // the client no longer takes logout tokens
        };
        let keys = self.keys.current().await.map_err(|e| transient(&e))?;
        let now = self.identity.now() / 1000;
        let mut claims = json!({
            "iss": self.identity.settings().public_url, "aud": client.id, "iat": now, "exp": now + 120, "jti": jti,
            "sub": sub, "events": { BACKCHANNEL_EVENT: {} },
        });
        if let Some(sid) = sid {
            claims["sid"] = json!(sid);
        }
        let alg = SigningAlg::parse(&client.id_token_alg).unwrap_or(SigningAlg::Rs256);
        let token = keys.sign_jwt(alg, &claims, "logout+jwt").map_err(|e| transient(&e))?;
        let response = self.http.post(&uri).form(&[("logout_token", token)]).send().await.map_err(|e| transient(&e.without_url()))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else if status.is_server_error() {
            Err(DeliveryError::Transient(format!("back-channel logout answered {status}")))
        } else {
            Err(DeliveryError::Permanent(format!("back-channel logout answered {status}")))
        }
    }
}
