//! Passkeys through the pages' server functions, with webauthn-authenticator-rs's
//! software authenticator: adding, passwordless sign-in, second step, sign-up without
//! a password, the last way to sign in, and the answers that must be refused.
//!
//! `SoftPasskey` keeps no resident credentials and cannot do user verification; it is
//! built to claim UV (`SoftPasskey::new(true)`), and for discoverable sign-in the test
//! does what a resident-key authenticator does itself: it picks its own credential and
//! returns the account's user handle. Real discoverable credentials are exercised in
//! Chromium's virtual authenticator (`end2end/tests/passkeys.test.mjs`).

use serde_json::{Value, json};
use url::Url;
use webauthn_authenticator_rs::WebauthnAuthenticator as _;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, PublicKeyCredential, RequestChallengeResponse};

use crate::accounts::{Browser, PASSWORD, customer, link_token, mail_to};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    add_a_passkey_then_sign_in_with_it_alone_or_as_second_step,
    answers_that_must_be_refused,
    sign_up_without_a_password_and_keep_a_way_in,
);

const FACTOR_SUBJECT: &str = "A change to how you sign in";

/// A person's authenticator: the software passkey and the credential ids it holds.
pub(crate) struct Device {
    soft: SoftPasskey,
    held: Vec<Vec<u8>>,
}

impl Device {
    pub(crate) fn new() -> Self {
        Self { soft: SoftPasskey::new(true), held: Vec::new() }
    }

    /// Registers a credential. SoftPasskey refuses to be asked for a resident key, so
    /// the request is lowered for it; it then plays the resident key's part in `assert`.
    pub(crate) fn register(&mut self, origin: &str, options: &Value) -> String {
        let mut options = options.clone();
        options["publicKey"]["authenticatorSelection"]["residentKey"] = json!("discouraged");
        options["publicKey"]["authenticatorSelection"]["requireResidentKey"] = json!(false);
        let options: CreationChallengeResponse = serde_json::from_value(options).unwrap();
        let answer = self.soft.do_registration(Url::parse(origin).unwrap(), options).expect("the authenticator registers");
        self.held.push(answer.raw_id.to_vec());
        serde_json::to_string(&answer).unwrap()
    }

    /// Signs the challenge with the credential at `index`. For discoverable requests
    /// (no allow list) it names the credential and returns `user_handle`, as a
    /// resident-key authenticator would.
    pub(crate) fn assert(&mut self, origin: &str, options: &Value, index: usize, user_handle: Option<&str>) -> PublicKeyCredential {
        let mut options = options.clone();
        if options["publicKey"]["allowCredentials"].as_array().is_none_or(Vec::is_empty) {
            let id = b64url(&self.held[index]);
            options["publicKey"]["allowCredentials"] = json!([{ "type": "public-key", "id": id }]);
        }
        let options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
        let mut answer = self.soft.do_authentication(Url::parse(origin).unwrap(), options).expect("the authenticator signs");
        if let Some(handle) = user_handle {
            let uuid = uuid::Uuid::parse_str(handle).unwrap();
            answer.response.user_handle = Some(uuid.as_bytes().to_vec().into());
        }
        answer
    }
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn text(answer: &PublicKeyCredential) -> String {
    serde_json::to_string(answer).unwrap()
}

/// The options a `…_options` call answered (a JSON document in a JSON string).
pub(crate) async fn options(b: &Browser, endpoint: &str, form: &[(&str, &str)]) -> Value {
    let (status, body) = b.call(endpoint, form).await;
    assert_eq!(status, 200, "{endpoint}: {body}");
    serde_json::from_str(body.as_str().expect("options as text")).unwrap()
}

/// Adds a passkey named `name` to the signed-in customer of `b`; returns the answer.
pub(crate) async fn add_passkey(app: &TestApp, b: &Browser, device: &mut Device, name: &str) -> Value {
    let opts = options(b, "passkey_add_options", &[]).await;
    let selection = &opts["publicKey"]["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required", "discoverable, for sign-in without an email");
    assert_eq!(selection["userVerification"], "required");
    assert_eq!(opts["publicKey"]["rp"]["id"], "localhost");
    let answer = device.register(&app.public_url, &opts);
    let (status, body) = b.call("passkey_add", &[("name", name), ("response", &answer)]).await;
    assert_eq!(status, 200, "{body}");
    body
}

pub(crate) async fn list(b: &Browser) -> Vec<Value> {
    let (status, body) = b.call("list_passkeys", &[]).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

/// Passwordless sign-in with `device`'s credential `index`, claiming `user_handle`.
pub(crate) async fn sign_in_with(app: &TestApp, b: &Browser, device: &mut Device, index: usize, user_handle: &str) -> (u16, Value) {
    let opts = options(b, "passkey_sign_in_options", &[]).await;
    assert_eq!(opts["publicKey"]["allowCredentials"], json!([]), "discoverable: the browser offers what it holds");
    assert_eq!(opts["publicKey"]["userVerification"], "required");
    let answer = device.assert(&app.public_url, &opts, index, Some(user_handle));
    b.call("passkey_sign_in", &[("response", &text(&answer))]).await
}

async fn last_login_amr(app: &TestApp, customer_id: &str) -> Value {
    let (detail,): (String,) = sqlx::query_as(
        "SELECT detail FROM audit_log WHERE subject = $1 AND action = 'login.succeeded' ORDER BY at DESC, id DESC LIMIT 1",
    )
    .bind(format!("customer:{customer_id}"))
    .fetch_one(app.identity.store().pool())
    .await
    .unwrap();
    serde_json::from_str::<Value>(&detail).unwrap()["amr"].clone()
}

async fn add_a_passkey_then_sign_in_with_it_alone_or_as_second_step(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "passkey@example.com";
    let row = customer(&app, email).await;
    let b = Browser::new(&app);
    assert_eq!(b.login(email, PASSWORD).await.0, 200);
    let mut device = Device::new();

    assert_eq!(b.call("passkey_add", &[("name", "x"), ("response", "{}")]).await.0, 400, "no ceremony in progress");
    let added = add_passkey(&app, &b, &mut device, "Work laptop").await;
    assert_eq!(added["recovery_codes"].as_array().unwrap().len(), 10, "the first second factor comes with recovery codes");
    let mail = mail_to(&app, email, FACTOR_SUBJECT).await;
    assert!(mail.text.contains("Work laptop"), "{}", mail.text);
    let keys = list(&b).await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["name"], "Work laptop");
    assert_eq!(keys[0]["last_used"], Value::Null);
    assert_eq!(keys[0]["flagged"], false);
    let (status, body) = b.call("rename_passkey", &[("id", keys[0]["id"].as_str().unwrap()), ("name", "  ")]).await;
    assert_eq!(status, 400, "an empty name is refused: {body}");
    let (status, _) = b.call("rename_passkey", &[("id", keys[0]["id"].as_str().unwrap()), ("name", "Laptop")]).await;
    assert_eq!(status, 200);
    assert_eq!(list(&b).await[0]["name"], "Laptop");
    b.call("logout", &[]).await;

    // Passwordless: the passkey alone signs in, and the session says how.
    let (status, next) = sign_in_with(&app, &b, &mut device, 0, &row.id).await;
    assert_eq!((status, next.clone()), (200, json!("/account")), "{next}");
    assert_eq!(b.me().await["email"], email);
    assert_eq!(b.me().await["acr"], "foyer:passkey");
    let amr = last_login_amr(&app, &row.id).await;
    assert!(amr == json!(["hwk", "user"]) || amr == json!(["swk", "user"]), "passkey with user verification: {amr}");
    assert_ne!(list(&b).await[0]["last_used"], Value::Null);
    let (_, activity) = b.call("activity", &[]).await;
    for line in ["Passkey added", "Passkey renamed", "Signed in with a passkey"] {
        assert!(activity.to_string().contains(line), "{line:?} in the activity: {activity}");
    }
    b.call("logout", &[]).await;

    // With a passkey, a password alone no longer signs in: the passkey is the second step.
    let (status, next) = b.login(email, PASSWORD).await;
    assert_eq!((status, next), (200, json!("/login/second-factor?return_to=/account")));
    assert_eq!(b.me().await, Value::Null);
    let (_, steps) = b.call("second_factor_methods", &[]).await;
    assert_eq!(steps, json!({ "totp": false, "passkey": true, "email_code": true }));
    let opts = options(&b, "passkey_second_factor_options", &[]).await;
    let allowed = opts["publicKey"]["allowCredentials"].as_array().unwrap();
    assert_eq!(allowed.len(), 1, "the account's own passkeys: {opts}");
    let answer = device.assert(&app.public_url, &opts, 0, None);
    let (status, next) = b.call("passkey_second_factor", &[("response", &text(&answer))]).await;
    assert_eq!((status, next), (200, json!("/account")));
    let amr = last_login_amr(&app, &row.id).await;
    assert_eq!(amr[0], "pwd");
    assert_eq!(amr.as_array().unwrap().last().unwrap(), "mfa", "{amr}");
    assert_eq!(b.me().await["acr"], "foyer:mfa");

    // Step-up with the passkey, then the passkey can be removed (the password remains).
    let opts = options(&b, "passkey_step_up_options", &[]).await;
    let answer = device.assert(&app.public_url, &opts, 0, None);
    assert_eq!(b.call("passkey_step_up", &[("response", &text(&answer))]).await.0, 200);
    let id = list(&b).await[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = b.call("remove_passkey", &[("id", &id)]).await;
    assert_eq!(status, 200, "{body}");
    assert!(list(&b).await.is_empty());
    let (_, mfa) = b.call("mfa_status", &[]).await;
    assert_eq!(mfa, json!({ "totp": false, "passkeys": 0, "recovery_codes_left": 0, "password": true }), "no second factor left, no codes");
}

async fn answers_that_must_be_refused(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let (ann, bob) = ("ann@example.com", "bob@example.com");
    let (ann_row, bob_row) = (customer(&app, ann).await, customer(&app, bob).await);
    let (mut ann_device, mut bob_device) = (Device::new(), Device::new());
    let a = Browser::new(&app);
    assert_eq!(a.login(ann, PASSWORD).await.0, 200);
    add_passkey(&app, &a, &mut ann_device, "Ann's phone").await;
    let b = Browser::new(&app);
    assert_eq!(b.login(bob, PASSWORD).await.0, 200);
    add_passkey(&app, &b, &mut bob_device, "Bob's key").await;
    // A credential the authenticator made but Foyer never stored (its ceremony was not finished).
    let mut stranger = Device::new();
    let opts = options(&b, "passkey_add_options", &[]).await;
    stranger.register(&app.public_url, &opts);
    a.call("logout", &[]).await;
    b.call("logout", &[]).await;

    // An answer to another session's challenge.
    let x = Browser::new(&app);
    let y = Browser::new(&app);
    let x_opts = options(&x, "passkey_sign_in_options", &[]).await;
    options(&y, "passkey_sign_in_options", &[]).await;
    let answer = ann_device.assert(&app.public_url, &x_opts, 0, Some(&ann_row.id));
    let (status, body) = y.call("passkey_sign_in", &[("response", &text(&answer))]).await;
    assert_eq!(status, 400, "another session's challenge: {body}");
    assert_eq!(y.me().await, Value::Null);

    // The same answer where it belongs works once; the state is gone after it.
    let (status, _) = x.call("passkey_sign_in", &[("response", &text(&answer))]).await;
    assert_eq!(status, 200);
    x.call("logout", &[]).await;
    let (status, body) = x.call("passkey_sign_in", &[("response", &text(&answer))]).await;
    assert_eq!(status, 400, "a replayed assertion without a ceremony: {body}");
    options(&x, "passkey_sign_in_options", &[]).await;
    let (status, body) = x.call("passkey_sign_in", &[("response", &text(&answer))]).await;
    assert_eq!(status, 400, "a replayed assertion against a new challenge: {body}");
    assert_eq!(x.me().await, Value::Null);

    // A wrong origin (another port of the same host).
    let opts = options(&x, "passkey_sign_in_options", &[]).await;
    let answer = ann_device.assert("http://localhost:1", &opts, 0, Some(&ann_row.id));
    assert_eq!(x.call("passkey_sign_in", &[("response", &text(&answer))]).await.0, 400, "wrong origin");

    // An unknown credential.
    let opts = options(&x, "passkey_sign_in_options", &[]).await;
    let answer = stranger.assert(&app.public_url, &opts, 0, Some(&bob_row.id));
    assert_eq!(x.call("passkey_sign_in", &[("response", &text(&answer))]).await.0, 400, "unknown credential");

    // Ann's credential claiming Bob's account (user handle), and as Bob's second step.
    let opts = options(&x, "passkey_sign_in_options", &[]).await;
    let answer = ann_device.assert(&app.public_url, &opts, 0, Some(&bob_row.id));
    assert_eq!(x.call("passkey_sign_in", &[("response", &text(&answer))]).await.0, 400, "another account's credential");
    assert_eq!(x.login(bob, PASSWORD).await.0, 200);
    let opts = options(&x, "passkey_second_factor_options", &[]).await;
    let mut forged = opts.clone();
    forged["publicKey"]["allowCredentials"] = json!([]);
    let answer = ann_device.assert(&app.public_url, &forged, 0, None);
    assert_eq!(x.call("passkey_second_factor", &[("response", &text(&answer))]).await.0, 400, "Ann's passkey is not Bob's second step");
    assert_eq!(x.me().await, Value::Null);
    // Garbage is a clear refusal, not a 500.
    options(&x, "passkey_second_factor_options", &[]).await;
    assert_eq!(x.call("passkey_second_factor", &[("response", "not json")]).await.0, 400);

    // A signature counter that goes backwards: the passkey is flagged and refused.
    let (stored,): (String,) = sqlx::query_as("SELECT passkey FROM passkeys WHERE customer_id = $1")
        .bind(&ann_row.id)
        .fetch_one(app.identity.store().pool())
        .await
        .unwrap();
    let mut stored: Value = serde_json::from_str(&stored).unwrap();
    stored["cred"]["counter"] = json!(1_000_000);
    // A raw write on purpose: a stored counter ahead of the authenticator's is what a
    // cloned authenticator leaves behind, and no use case writes one.
    sqlx::query("UPDATE passkeys SET passkey = $1 WHERE customer_id = $2")
        .bind(stored.to_string())
        .bind(&ann_row.id)
        .execute(app.identity.store().pool())
        .await
        .unwrap();
    let z = Browser::new(&app);
    let (status, body) = sign_in_with(&app, &z, &mut ann_device, 0, &ann_row.id).await;
    assert_eq!(status, 400, "counter went backwards: {body}");
    let (flagged,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM passkeys WHERE customer_id = $1 AND flagged_at IS NOT NULL")
        .bind(&ann_row.id)
        .fetch_one(app.identity.store().pool())
        .await
        .unwrap();
    assert_eq!(flagged, 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !app.smtp().received().iter().any(|m| m.subject == FACTOR_SUBJECT && m.to.iter().any(|t| t == ann) && m.text.contains("copied")) {
        assert!(std::time::Instant::now() < deadline, "Ann is told her passkey was blocked");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (status, _) = sign_in_with(&app, &z, &mut ann_device, 0, &ann_row.id).await;
    assert_eq!(status, 400, "a flagged passkey stays refused");
    assert_eq!(z.me().await, Value::Null);
}

async fn sign_up_without_a_password_and_keep_a_way_in(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "nopassword@example.com";
    let b = Browser::new(&app);
    let (status, body) = b.call("passkey_sign_up_options", &[("email", email)]).await;
    assert_eq!(status, 400, "the same checks as a password sign-up: {body}");
    assert!(body.to_string().contains("accept the terms"), "{body}");

    let mut device = Device::new();
    let opts = options(&b, "passkey_sign_up_options", &[("email", email), ("given_name", "Noor"), ("accept_terms", "on")]).await;
    let user_handle = {
        use base64::Engine as _;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(opts["publicKey"]["user"]["id"].as_str().unwrap()).unwrap();
        uuid::Uuid::from_slice(&raw).unwrap().to_string()
    };
    let answer = device.register(&app.public_url, &opts);
    let (status, body) = b.call("passkey_sign_up", &[("response", &answer)]).await;
    assert_eq!(status, 200, "{body}");
    let confirm = mail_to(&app, email, "Confirm your email address").await;
    let row = app.identity.store().customer_by_email(email).await.unwrap().expect("created");
    assert_eq!(row.id, user_handle);
    assert!(row.password_hash.is_none(), "no password at all");
    assert_eq!(b.me().await, Value::Null, "the answer does not sign in (same as for a taken address)");

    let (status, next) = sign_in_with(&app, &b, &mut device, 0, &row.id).await;
    assert_eq!((status, next), (200, json!("/account")));
    let keys = list(&b).await;
    assert_eq!(keys.len(), 1);
    let first = keys[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = b.call("remove_passkey", &[("id", &first)]).await;
    assert_eq!(status, 400, "the last way to sign in cannot be removed: {body}");
    assert!(body.to_string().contains("only way to sign in"), "{body}");
    // A second passkey waits for the address (`provisional`); confirmed in this browser,
    // the account keeps the passkey it was created with.
    let token = link_token(&app, &confirm, "/verify");
    assert_eq!(b.call("verify_email_link", &[("token", token.as_str())]).await.0, 200);
    assert_eq!(list(&b).await.len(), 1);
    add_passkey(&app, &b, &mut device, "Backup key").await;
    assert_eq!(b.call("remove_passkey", &[("id", &first)]).await.0, 200, "with another passkey it can go");
    assert_eq!(list(&b).await.len(), 1);
    b.call("logout", &[]).await;
    let (status, _) = sign_in_with(&app, &b, &mut device, 1, &row.id).await;
    assert_eq!(status, 200, "the remaining passkey signs in");
    b.call("logout", &[]).await;

    // Lost passkey: the mailbox is a passkey-only account's way back in.
    assert_eq!(b.call("send_sign_in_code", &[("email", email)]).await.0, 200);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let code = loop {
        let subject = app.smtp().received().iter().rev().find(|m| m.to.iter().any(|t| t == email)).map(|m| m.subject.clone());
        if let Some(code) = subject.as_deref().and_then(|s| s.strip_prefix("Your sign-in code: ")) {
            break code.to_owned();
        }
        assert!(std::time::Instant::now() < deadline, "no sign-in code mail");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let (status, next) = b.call("login_with_code", &[("email", email), ("code", &code)]).await;
    assert_eq!((status, next), (200, json!("/account")), "no second step for a passkey-only account");
    b.call("logout", &[]).await;

    // A taken address: the same answer, the owner is told, nothing is attached.
    let owner = "taken@example.com";
    let owner_row = customer(&app, owner).await;
    let mut intruder = Device::new();
    let opts = options(&b, "passkey_sign_up_options", &[("email", owner), ("accept_terms", "on")]).await;
    let answer = intruder.register(&app.public_url, &opts);
    let (status, body) = b.call("passkey_sign_up", &[("response", &answer)]).await;
    assert_eq!((status, body), (200, Value::Null));
    mail_to(&app, owner, "Someone tried to create an account with your address").await;
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM passkeys WHERE customer_id = $1").bind(&owner_row.id).fetch_one(app.identity.store().pool()).await.unwrap();
    assert_eq!(count, 0);
}
