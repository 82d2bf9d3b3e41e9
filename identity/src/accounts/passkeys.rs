//! Passkeys (WebAuthn, with webauthn-rs). See `docs/design/authentication.md`.
//!
//! - The relying party is the host of the public URL; only that origin is accepted.
//! - Ceremony state never reaches the browser: the web layer keeps the
//!   [`CeremonyState`] in the server-side session and hands it back exactly once, so
//!   an answer to another session's challenge, or the same answer twice, fails.
//! - Every passkey requires user verification, so a passkey alone is a multi-factor
//!   sign-in (`amr` = `hwk`/`swk` + `user`).
//! - Credential ids are unique across accounts; a signature counter that goes
//!   backwards flags the passkey (a possible clone) and it is refused from then on.

use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder, WebauthnError,
};

use super::RequestMeta;
use super::login::{LoginError, SignedIn};
use super::register::{Registration, check_profile};
use super::throttle::{IP_FREE_FAILURES, ip_key};
use crate::audit::Actor;
use crate::email::FactorChange;
use crate::domain::{ParseError, Reason};
use crate::error::Refusal;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::store::Tx;
use crate::store::credentials::{self, NewPasskey, PasskeyRow};
use crate::{Error, Identity, Result, UnixMillis};

/// How long a ceremony may take between options and answer.
pub const CEREMONY_MS: i64 = 5 * 60_000;
/// Passkeys per account.
pub const MAX_PASSKEYS: i64 = 20;
const MAX_NAME: usize = 60;

/// What a ceremony is for; the answer is accepted only for the same purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ceremony {
    /// A signed-in customer adds a passkey.
    Add { customer_id: String },
    /// A new customer signs up with a passkey instead of a password.
    SignUp { customer_id: String, email: String, given_name: Option<String>, family_name: Option<String> },
    /// Passwordless sign-in with a discoverable credential.
    SignIn,
    /// The second step of a sign-in, or a step-up, for a known customer.
    Verify { customer_id: String },
}

/// Server-side state of one ceremony. Holds the challenge: keep it in the session,
/// never send it to the browser.
#[derive(Clone, Serialize, Deserialize)]
pub struct CeremonyState {
    pub ceremony: Ceremony,
    started_at: UnixMillis,
    state: serde_json::Value,
}

impl std::fmt::Debug for CeremonyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CeremonyState").field("ceremony", &self.ceremony).finish_non_exhaustive()
    }
}

/// The options to hand to `navigator.credentials` (JSON), and the state to keep.
#[derive(Debug)]
pub struct Challenge {
    pub options_json: String,
    pub state: CeremonyState,
}

/// A passkey as the account page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyInfo {
    pub id: String,
    pub name: String,
    /// The authenticator's model or provider, from its AAGUID, where we know it.
    pub model: Option<String>,
    pub created_at: UnixMillis,
    pub last_used_at: Option<UnixMillis>,
    /// Synced between devices by its provider (backup eligible).
    pub synced: bool,
    /// Refused since its signature counter went backwards.
    pub flagged: bool,
}

fn info_of(row: &PasskeyRow) -> PasskeyInfo {
    PasskeyInfo {
        id: row.id.clone(),
        name: row.name.clone(),
        model: row.aaguid.as_deref().and_then(model_of).map(str::to_owned),
        created_at: row.created_at,
        last_used_at: row.last_used_at,
        synced: row.backup_eligible,
        flagged: row.flagged_at.is_some(),
    }
}

/// Authenticator models by AAGUID (a few well-known providers and keys).
const MODELS: &[(&str, &str)] = &[
    ("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4", "Google Password Manager"),
    ("adce0002-35bc-c60a-648b-0b25f1f05503", "Chrome on Mac"),
    ("b5397666-4885-aa6b-cebf-e52262a439a2", "Chromium Browser"),
    ("fbfc3007-154e-4ecc-8c0b-6e020557d7bd", "Apple Passwords (iCloud Keychain)"),
    ("dd4ec289-e01d-41c9-bb89-70fa845d4bf2", "iCloud Keychain (Managed)"),
    ("08987058-cadc-4b81-b6e1-30de50dcbe96", "Windows Hello"),
    ("9ddd1817-af5a-4672-a2b9-3e3dd95000a9", "Windows Hello"),
    ("6028b017-b1d4-4c02-b4b3-afcdafc96bb2", "Windows Hello"),
    ("bada5566-a7aa-401f-bd96-45619a55120d", "1Password"),
    ("d548826e-79b4-db40-a3d8-11116f7e8349", "Bitwarden"),
    ("531126d6-e717-415c-9320-3d9aa6981239", "Dashlane"),
    ("53414d53-554e-4700-0000-000000000000", "Samsung Pass"),
    ("cb69481e-8ff7-4039-93ec-0a2729a154a8", "YubiKey 5 Series"),
    ("ee882879-721c-4913-9775-3dfcce97072a", "YubiKey 5 Series with NFC"),
];

pub fn model_of(aaguid: &str) -> Option<&'static str> {
    MODELS.iter().find(|(id, _)| *id == aaguid).map(|(_, name)| *name)
}

/// The AAGUID in a registration's attestation object, if it is not all zeros.
fn aaguid_of(attestation_object: &[u8]) -> Option<String> {
    let value: serde_cbor_2::Value = serde_cbor_2::from_slice(attestation_object).ok()?;
    let serde_cbor_2::Value::Map(map) = value else { return None };
    let auth_data = map.iter().find_map(|(k, v)| match (k, v) {
        (serde_cbor_2::Value::Text(k), serde_cbor_2::Value::Bytes(b)) if k == "authData" => Some(b),
        _ => None,
    })?;
    // rpIdHash (32) | flags (1) | signCount (4) | AAGUID (16) when AT (0x40) is set.
    let flags = *auth_data.get(32)?;
    let raw: [u8; 16] = auth_data.get(37..53)?.try_into().ok()?;
    (flags & 0x40 != 0 && raw != [0; 16]).then(|| Uuid::from_bytes(raw).to_string())
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A ceremony answer that cannot be accepted. Said plainly, without details that
/// would help an attacker.
fn refused() -> Error {
    Error::Refused(Refusal::PasskeyNotVerified)
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(ParseError::Invalid { field: "Name", reason: Reason::PasskeyName }.into());
    }
    Ok(name.to_owned())
}

fn internal(e: WebauthnError) -> Error {
    Error::Internal(format!("webauthn: {e}"))
}

impl Identity {
    /// The relying party: Foyer's public host and origin.
    fn webauthn(&self) -> Result<Webauthn> {
        let origin = Url::parse(&self.settings.public_url).map_err(|e| Error::Internal(format!("public url: {e}")))?;
        let rp_id = origin.host_str().ok_or_else(|| Error::Internal("public url has no host".into()))?.to_owned();
        WebauthnBuilder::new(&rp_id, &origin).and_then(|b| b.rp_name("Foyer").build()).map_err(internal)
    }

    fn challenge(&self, ceremony: Ceremony, options: &impl Serialize, state: &impl Serialize) -> Result<Challenge> {
        Ok(Challenge {
            options_json: serde_json::to_string(options)?,
            state: CeremonyState { ceremony, started_at: self.clock.now(), state: serde_json::to_value(state)? },
        })
    }

    /// Checks the state is for `expected` and fresh, and returns webauthn-rs's part.
    fn state_for<T: for<'de> Deserialize<'de>>(&self, state: &CeremonyState, expected: &Ceremony) -> Result<T> {
        let fresh = self.clock.now() - state.started_at <= CEREMONY_MS;
        if &state.ceremony != expected || !fresh {
            return Err(refused());
        }
        serde_json::from_value(state.state.clone()).map_err(|_| refused())
    }

    async fn passkey_rows(&self, customer_id: &str) -> Result<Vec<PasskeyRow>> {
        self.store.passkeys_of_customer(customer_id).await
    }

    pub async fn passkeys_of(&self, principal: &Principal, customer_id: &str) -> Result<Vec<PasskeyInfo>> {
        authorize(principal, Action::ViewAccount, Subject::Customer(customer_id))?;
        Ok(self.passkey_rows(customer_id).await?.iter().map(info_of).collect())
    }

    /// Creation options for a new discoverable passkey with user verification.
    fn registration_options(&self, user_id: &str, email: &str, display: &str, exclude: Vec<Vec<u8>>) -> Result<(serde_json::Value, PasskeyRegistration)> {
        let user = Uuid::parse_str(user_id).map_err(|e| Error::Internal(format!("customer id: {e}")))?;
        let (options, state) = self.webauthn()?.start_passkey_registration(user, email, display, Some(exclude)).map_err(internal)?;
        // Discoverable ("resident") credentials make sign-in without an email possible.
        // webauthn-rs asks for none and does not export the type to change it.
        let mut options = serde_json::to_value(options)?;
        if let Some(selection) = options.pointer_mut("/publicKey/authenticatorSelection").and_then(serde_json::Value::as_object_mut) {
            selection.insert("residentKey".into(), "required".into());
            selection.insert("requireResidentKey".into(), true.into());
        }
        Ok((options, state))
    }

    /// Starts adding a passkey to a signed-in customer's account (once the address is
    /// confirmed: `provisional`).
    pub async fn passkey_add_options(&self, principal: &Principal, customer_id: &str) -> Result<Challenge> {
        authorize(principal, Action::ManageCredentials, Subject::Customer(customer_id))?;
        let c = self.store.customer_by_id(customer_id).await?.ok_or(Error::NotFound("account"))?;
        super::provisional::may_add_factor(c.email_verified)?;
        let rows = self.passkey_rows(customer_id).await?;
        if i64::try_from(rows.len()).unwrap_or(i64::MAX) >= MAX_PASSKEYS {
            return Err(Error::Refused(Refusal::TooManyPasskeys(MAX_PASSKEYS)));
        }
        let exclude = rows.iter().filter_map(|r| serde_json::from_str::<Passkey>(&r.passkey).ok()).map(|p| p.cred_id().clone()).collect();
        let display = c.display_name.clone().or_else(|| c.given_name.clone()).unwrap_or_else(|| c.email.clone());
        let (options, state) = self.registration_options(&c.id, &c.email, &display, exclude)?;
        self.challenge(Ceremony::Add { customer_id: c.id }, &options, &state)
    }

    /// Finishes adding a passkey. Returns it, and the recovery codes to show once when
    /// this passkey turned two-step verification on.
    pub async fn passkey_add(&self, principal: &Principal, customer_id: &str, state: &CeremonyState, response_json: &str, name: &str) -> Result<(PasskeyInfo, Vec<String>)> {
        authorize(principal, Action::ManageCredentials, Subject::Customer(customer_id))?;
        let name = check_name(name)?;
        let registration: PasskeyRegistration = self.state_for(state, &Ceremony::Add { customer_id: customer_id.to_owned() })?;
        let response: RegisterPublicKeyCredential = serde_json::from_str(response_json).map_err(|_| refused())?;
        let passkey = self.webauthn()?.finish_passkey_registration(&response, &registration).map_err(|_| refused())?;
        let aaguid = aaguid_of(response.response.attestation_object.as_ref());
        let now = self.clock.now();
        // Recovery codes come with the passkey that turns two-step verification on.
        let turns_on = { let f = self.second_factors(customer_id).await?; f.password && !f.any() };
        let mut tx = self.store.begin().await?;
        self.require_confirmed_tx(&mut tx, customer_id).await?;
        let info = self.insert_passkey(&mut tx, customer_id, &name, &passkey, aaguid, now).await?;
        let codes = if turns_on { self.replace_recovery_codes(&mut tx, customer_id, now).await? } else { Vec::new() };
        self.audit_customer(&mut tx, principal.actor(), customer_id, "passkey.added", serde_json::json!({ "passkey": info.id }), now)
            .await?;
        self.mail_factor_change(&mut tx, customer_id, FactorChange::PasskeyAdded(&name), now).await?;
        tx.commit().await?;
        Ok((info, codes))
    }

    async fn insert_passkey(&self, tx: &mut Tx, customer_id: &str, name: &str, passkey: &Passkey, aaguid: Option<String>, now: UnixMillis) -> Result<PasskeyInfo> {
        let row = PasskeyRow {
            id: self.new_id(),
            customer_id: customer_id.to_owned(),
            name: name.to_owned(),
            passkey: serde_json::to_string(passkey)?,
            aaguid,
            backup_eligible: false,
            created_at: now,
            last_used_at: None,
            flagged_at: None,
        };
        // The credential id is unique across accounts: a second registration of one
        // credential (to any account) is refused.
        let credential_id = b64url(passkey.cred_id());
        let new = NewPasskey {
            id: &row.id,
            customer_id,
            credential_id: &credential_id,
            name,
            passkey: &row.passkey,
            aaguid: row.aaguid.as_deref(),
            created_at: now,
        };
        if !credentials::passkey_insert(tx, &new).await? {
            return Err(Error::Conflict("passkey"));
        }
        Ok(info_of(&row))
    }

    /// Starts a sign-up with a passkey: the same checks as a password sign-up.
    pub async fn passkey_sign_up_options(&self, principal: &Principal, input: &Registration, meta: &RequestMeta) -> Result<Challenge> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        let checked = check_profile(input, Vec::new())?;
        self.store.throttle_check(&[&ip_key(meta.ip)], self.clock.now()).await?;
        let customer_id = self.new_id();
        let display = checked.given_name.as_ref().map_or_else(|| checked.email.as_str().to_owned(), |n| n.as_str().to_owned());
        let (options, state) = self.registration_options(&customer_id, checked.email.as_str(), &display, Vec::new())?;
        let ceremony = Ceremony::SignUp {
            customer_id,
            email: checked.email.as_str().to_owned(),
            given_name: checked.given_name.map(|n| n.as_str().to_owned()),
            family_name: checked.family_name.map(|n| n.as_str().to_owned()),
        };
        self.challenge(ceremony, &options, &state)
    }

    /// Finishes a passkey sign-up. Answers the same whether the address was new (the
    /// account is created with the passkey and a verification mail) or not (the owner
    /// is told someone tried; the passkey is not kept).
    pub async fn passkey_sign_up(&self, principal: &Principal, state: &CeremonyState, response_json: &str, meta: &RequestMeta) -> Result<()> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        let Ceremony::SignUp { customer_id, email, given_name, family_name } = &state.ceremony else { return Err(refused()) };
        let registration: PasskeyRegistration = self.state_for(state, &state.ceremony)?;
        let response: RegisterPublicKeyCredential = serde_json::from_str(response_json).map_err(|_| refused())?;
        let passkey = self.webauthn()?.finish_passkey_registration(&response, &registration).map_err(|_| refused())?;
        let aaguid = aaguid_of(response.response.attestation_object.as_ref());
        let email = crate::domain::Email::parse(email)?;
        let now = self.clock.now();
        let row = crate::store::customers::CustomerRow {
            id: customer_id.clone(),
            email: email.as_str().to_owned(),
            email_normalized: email.normalized().to_owned(),
            given_name: given_name.clone(),
            family_name: family_name.clone(),
            password_hash: None,
            email_verified: false,
            created_at: now,
            updated_at: now,
            terms_accepted_at: Some(now),
            ..Default::default()
        };
        let name = aaguid.as_deref().and_then(model_of).unwrap_or("Passkey").to_owned();
        let terms = self.prepare_registration_terms(&row.id, meta).await?;
        let mut tx = self.store.begin().await?;
        if self.create_or_notify(&mut tx, &row, meta, now).await? {
            self.record_creating_browser(&mut tx, &row.id, meta).await?;
            self.write_records(&mut tx, &terms).await?;
            self.insert_passkey(&mut tx, &row.id, &name, &passkey, aaguid, now).await?;
            self.audit_customer(&mut tx, Actor::Customer(row.id.clone()), &row.id, "passkey.added", serde_json::json!({ "sign_up": true }), now)
                .await?;
        }
        tx.commit().await?;
        self.store.throttle_fail(&ip_key(meta.ip), now, IP_FREE_FAILURES).await?;
        Ok(())
    }

    /// Options for passwordless sign-in: no account named, the browser offers the
    /// passkeys it holds for us (also used for autofill, "conditional mediation").
    pub async fn passkey_sign_in_options(&self, principal: &Principal, meta: &RequestMeta) -> Result<Challenge> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        self.store.throttle_check(&[&ip_key(meta.ip)], self.clock.now()).await?;
        let (options, state) = self.webauthn()?.start_discoverable_authentication().map_err(internal)?;
        self.challenge(Ceremony::SignIn, &options, &state)
    }

    /// Finishes a passwordless sign-in. Every refusal is the same `Failed`.
    pub async fn passkey_sign_in(&self, principal: &Principal, state: &CeremonyState, response_json: &str, device_id: Option<&str>, meta: &RequestMeta) -> Result<SignedIn, LoginError> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Platform)?;
        let now = self.clock.now();
        let ip = ip_key(meta.ip);
        self.store.throttle_check(&[&ip], now).await?;
        match self.passkey_sign_in_checked(state, response_json).await {
            Ok((row, amr)) => {
                let c = self.store.customer_by_id(&row.customer_id).await?.ok_or(LoginError::Failed)?;
                if c.locked_at.is_some() {
                    return Err(LoginError::Failed);
                }
                Ok(self.finish_sign_in(c, device_id, meta, amr, None).await?)
            }
            // The database failing or overloaded is not the visitor's failure: no count.
            Err(e @ (Error::Store(_) | Error::Busy { .. })) => Err(e.into()),
            Err(_) => {
                self.store.throttle_fail(&ip, now, IP_FREE_FAILURES).await?;
                Err(LoginError::Failed)
            }
        }
    }

    async fn passkey_sign_in_checked(&self, state: &CeremonyState, response_json: &str) -> Result<(PasskeyRow, Vec<&'static str>)> {
        let auth: DiscoverableAuthentication = self.state_for(state, &Ceremony::SignIn)?;
        let response: PublicKeyCredential = serde_json::from_str(response_json).map_err(|_| refused())?;
        let webauthn = self.webauthn()?;
        let (user, credential_id) = webauthn.identify_discoverable_authentication(&response).map_err(|_| refused())?;
        let row = self.passkey_by_credential(credential_id).await?.ok_or_else(refused)?;
        // The user handle the authenticator returned must be the owner of the credential.
        if row.customer_id != user.to_string() {
            return Err(refused());
        }
        let mut passkey = usable(&row)?;
        let result = webauthn.finish_discoverable_authentication_v2(&response, auth, &passkey);
        let amr = self.passkey_used(&row, &mut passkey, result).await?;
        Ok((row, amr))
    }

    /// Options to verify a known customer's passkey (second step or step-up).
    pub async fn passkey_verify_options(&self, principal: &Principal, customer_id: &str) -> Result<Challenge> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Customer(customer_id))?;
        let passkeys: Vec<Passkey> = self
            .passkey_rows(customer_id)
            .await?
            .iter()
            .filter(|r| r.flagged_at.is_none())
            .filter_map(|r| serde_json::from_str(&r.passkey).ok())
            .collect();
        if passkeys.is_empty() {
            return Err(Error::NotFound("passkey"));
        }
        let (options, state) = self.webauthn()?.start_passkey_authentication(&passkeys).map_err(internal)?;
        self.challenge(Ceremony::Verify { customer_id: customer_id.to_owned() }, &options, &state)
    }

    /// Verifies a known customer's passkey. Returns the `amr` it proves.
    pub(crate) async fn passkey_verify(&self, customer_id: &str, state: &CeremonyState, response_json: &str) -> Result<Vec<&'static str>> {
        let auth: PasskeyAuthentication = self.state_for(state, &Ceremony::Verify { customer_id: customer_id.to_owned() })?;
        let response: PublicKeyCredential = serde_json::from_str(response_json).map_err(|_| refused())?;
        let row = self.passkey_by_credential(response.get_credential_id()).await?.ok_or_else(refused)?;
        if row.customer_id != customer_id {
            return Err(refused());
        }
        let mut passkey = usable(&row)?;
        let result = self.webauthn()?.finish_passkey_authentication(&response, &auth);
        self.passkey_used(&row, &mut passkey, result).await
    }

    async fn passkey_by_credential(&self, credential_id: &[u8]) -> Result<Option<PasskeyRow>> {
        self.store.passkey_by_credential(&b64url(credential_id)).await
    }

    /// Records the outcome of an assertion: counter and last use on success; a flag,
    /// an audit entry and a mail when the counter shows a possible clone.
    async fn passkey_used(
        &self,
        row: &PasskeyRow,
        passkey: &mut Passkey,
        result: std::result::Result<webauthn_rs::prelude::AuthenticationResult, WebauthnError>,
    ) -> Result<Vec<&'static str>> {
        let now = self.clock.now();
        match result {
            Ok(outcome) => {
                passkey.update_credential(&outcome);
                self.store.passkey_used(&row.id, &serde_json::to_string(passkey)?, outcome.backup_eligible(), now).await?;
                // Synced passkeys are software-held by their provider; others hardware.
                Ok(vec![if outcome.backup_eligible() { "swk" } else { "hwk" }, "user"])
            }
            Err(WebauthnError::CredentialPossibleCompromise) => {
                let mut tx = self.store.begin().await?;
                credentials::passkey_flag(&mut tx, &row.id, now).await?;
                let detail = serde_json::json!({ "passkey": row.id, "reason": "counter_regressed" });
                self.audit_customer(&mut tx, Actor::System, &row.customer_id, "passkey.flagged", detail, now).await?;
                self.mail_factor_change(&mut tx, &row.customer_id, FactorChange::PasskeyFlagged(&row.name), now).await?;
                tx.commit().await?;
                Err(refused())
            }
            Err(_) => Err(refused()),
        }
    }

    /// Completes a sign-in whose first step passed (`first`: its `amr`) with a passkey.
    pub async fn complete_second_factor_passkey(
        &self,
        principal: &Principal,
        customer_id: &str,
        first: &[&'static str],
        state: &CeremonyState,
        response_json: &str,
        device_id: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<SignedIn, LoginError> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Customer(customer_id))?;
        let c = self.store.customer_by_id(customer_id).await?.ok_or(LoginError::Failed)?;
        if c.locked_at.is_some() {
            return Err(LoginError::Failed);
        }
        let proved = self.passkey_verify(customer_id, state, response_json).await.map_err(|e| match e {
            e @ (Error::Store(_) | Error::Busy { .. }) => LoginError::Other(e),
            _ => {
                // A refused passkey step: counted by kind for this node's figures.
                self.counters.count_second_factor_failure(crate::metrics::FactorMethod::Passkey);
                LoginError::Failed
            }
        })?;
        let mut amr = first.to_vec();
        amr.extend(proved);
        amr.push("mfa");
        Ok(self.finish_sign_in(c, device_id, meta, amr, None).await?)
    }

    /// Step-up with a passkey: the strongest factor an account can have (the answer's
    /// `amr` lifts the session to `foyer:passkey`).
    pub async fn reauthenticate_passkey(&self, principal: &Principal, customer_id: &str, state: &CeremonyState, response_json: &str) -> Result<super::login::StepUp> {
        authorize(principal, Action::SignUpOrSignIn, Subject::Customer(customer_id))?;
        let amr = self.passkey_verify(customer_id, state, response_json).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        self.audit_customer(&mut tx, principal.actor(), customer_id, "customer.reauthenticated", serde_json::json!({ "method": "passkey" }), now)
            .await?;
        tx.commit().await?;
        Ok(super::login::StepUp { at: now, amr })
    }

    pub async fn rename_passkey(&self, principal: &Principal, customer_id: &str, passkey_id: &str, name: &str) -> Result<()> {
        authorize(principal, Action::ManageCredentials, Subject::Customer(customer_id))?;
        let name = check_name(name)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !credentials::passkey_rename(&mut tx, customer_id, passkey_id, &name).await? {
            return Err(Error::NotFound("passkey"));
        }
        self.audit_customer(&mut tx, principal.actor(), customer_id, "passkey.renamed", serde_json::json!({ "passkey": passkey_id }), now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a passkey (the caller checked a recent strong authentication). The last
    /// way to sign in cannot be removed.
    pub async fn remove_passkey(&self, principal: &Principal, customer_id: &str, passkey_id: &str) -> Result<()> {
        authorize(principal, Action::ManageCredentials, Subject::Customer(customer_id))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let c = crate::store::customers::by_id_tx(&mut tx, customer_id).await?.ok_or(Error::NotFound("account"))?;
        let rows = credentials::passkey_summaries(&mut tx, customer_id).await?;
        let Some((_, name, _)) = rows.iter().find(|(id, _, _)| id == passkey_id) else { return Err(Error::NotFound("passkey")) };
        let others_usable = rows.iter().any(|(id, _, flagged)| id != passkey_id && flagged.is_none());
        if c.password_hash.is_none() && !others_usable {
            return Err(Error::Refused(Refusal::LastPasskey));
        }
        let name = name.clone();
        credentials::passkey_delete(&mut tx, customer_id, passkey_id).await?;
        self.drop_unused_recovery_codes(&mut tx, customer_id).await?;
        self.audit_customer(&mut tx, principal.actor(), customer_id, "passkey.removed", serde_json::json!({ "passkey": passkey_id }), now)
            .await?;
        self.mail_factor_change(&mut tx, customer_id, FactorChange::PasskeyRemoved(&name), now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The stored passkey, unless it was flagged.
fn usable(row: &PasskeyRow) -> Result<Passkey> {
    if row.flagged_at.is_some() {
        return Err(refused());
    }
    serde_json::from_str(&row.passkey).map_err(|e| Error::Internal(format!("stored passkey: {e}")))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn known_models_and_zero_aaguid() {
        assert_eq!(model_of("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"), Some("Google Password Manager"));
        assert_eq!(model_of("00000000-0000-0000-0000-000000000000"), None);
        // An attestation object whose authData has AT set and a zero AAGUID.
        let mut auth_data = vec![0u8; 55];
        auth_data[32] = 0x45;
        let mut map = BTreeMap::new();
        map.insert(serde_cbor_2::Value::Text("fmt".into()), serde_cbor_2::Value::Text("none".into()));
        map.insert(serde_cbor_2::Value::Text("authData".into()), serde_cbor_2::Value::Bytes(auth_data.clone()));
        let zero = serde_cbor_2::to_vec(&serde_cbor_2::Value::Map(map.clone())).unwrap_or_default();
        assert_eq!(aaguid_of(&zero), None);
        auth_data[37..53].copy_from_slice(&[0xea, 0x9b, 0x8d, 0x66, 0x4d, 0x01, 0x1d, 0x21, 0x3c, 0xe4, 0xb6, 0xb4, 0x8c, 0xb5, 0x75, 0xd4]);
        map.insert(serde_cbor_2::Value::Text("authData".into()), serde_cbor_2::Value::Bytes(auth_data));
        let google = serde_cbor_2::to_vec(&serde_cbor_2::Value::Map(map)).unwrap_or_default();
        assert_eq!(aaguid_of(&google).as_deref(), Some("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"));
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("  ").is_err());
        assert!(check_name(&"x".repeat(61)).is_err());
        assert!(check_name("Laptop\u{0}").is_err());
        assert_eq!(check_name(" My phone ").ok().as_deref(), Some("My phone"));
    }
}
