//! Pre-account hijack: someone registers an address they do not own. Until the
//! address is confirmed the account's factors are provisional — nothing can be added
//! to it — and the owner's proof of the address (a password reset, or the confirmation
//! from a browser other than the one that created the account) removes what the
//! registrant left: passkeys, sessions, remembered devices, pending email changes, and
//! on a confirmation from another browser the password set at sign-up.
//! Confirming in the creating browser keeps everything (no false positive).

use serde_json::{Value, json};

use crate::accounts::{Browser, LOGIN_FAILED, NEW_PASSWORD, PASSWORD, RESET_SUBJECT, TOKEN_INVALID, link_token, mail_to};
use crate::passkeys::{Device, add_passkey, options, sign_in_with};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    nothing_can_be_added_before_the_address_is_confirmed,
    a_reset_by_the_owner_removes_a_password_registrant,
    a_reset_by_the_owner_removes_a_passkey_registrant,
    confirming_in_another_browser_removes_a_passkey_registrant,
    confirming_in_another_browser_removes_a_password_registrant,
    confirming_without_wasm_shows_the_result_page,
    confirming_in_the_creating_browser_keeps_the_account,
);

const VERIFY_SUBJECT: &str = "Confirm your email address";
const CLEARED_SUBJECT: &str = "We removed what was set up before your address was confirmed";
const CONFIRM_FIRST: &str = "Confirm your email address first";

/// Registers `email` with [`PASSWORD`] from `b` (which gets the device cookie).
async fn register(b: &Browser, email: &str) {
    let (status, body) = b.call("register", &[("email", email), ("password", PASSWORD), ("accept_terms", "on")]).await;
    assert_eq!(status, 200, "{body}");
}

/// Signs up for `email` with a passkey from `b`; returns the new account's id.
async fn sign_up_with_passkey(app: &TestApp, b: &Browser, device: &mut Device, email: &str) -> String {
    let opts = options(b, "passkey_sign_up_options", &[("email", email), ("accept_terms", "on")]).await;
    let answer = device.register(&app.public_url, &opts);
    let (status, body) = b.call("passkey_sign_up", &[("response", &answer)]).await;
    assert_eq!(status, 200, "{body}");
    app.identity.store().customer_by_email(email).await.unwrap().expect("created").id
}

/// The confirmation link's token from the newest verification mail to `email`.
async fn confirmation_token(app: &TestApp, email: &str) -> String {
    link_token(app, &mail_to(app, email, VERIFY_SUBJECT).await, "/verify")
}

/// The owner's "Forgot password" and reset to [`NEW_PASSWORD`], in their own browser.
async fn owner_resets(app: &TestApp, email: &str) -> Browser {
    let owner = Browser::new(app);
    assert_eq!(owner.call("forgot_password", &[("email", email)]).await.0, 200);
    let token = link_token(app, &mail_to(app, email, RESET_SUBJECT).await, "/reset-password");
    let (status, body) = owner.call("reset_password", &[("token", token.as_str()), ("password", NEW_PASSWORD)]).await;
    assert_eq!(status, 200, "an unconfirmed account's reset asks for no second factor: {body}");
    owner
}

/// Refused with the clear message, not a 500 or a generic answer.
fn assert_confirm_first((status, body): (u16, Value), what: &str) {
    assert_eq!(status, 400, "{what}: {body}");
    assert!(body.to_string().contains(CONFIRM_FIRST), "{what}: {body}");
}

/// The audit details of the account's `action` events, oldest first.
async fn audited(app: &TestApp, customer_id: &str, action: &str) -> Vec<Value> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT detail FROM audit_log WHERE subject = $1 AND action = $2 ORDER BY id")
        .bind(format!("customer:{customer_id}"))
        .bind(action)
        .fetch_all(app.identity.store().pool())
        .await
        .unwrap();
    rows.into_iter().map(|(d,)| serde_json::from_str(&d).unwrap()).collect()
}

/// The `account.provisional_cleared` events of the account.
async fn cleared(app: &TestApp, customer_id: &str) -> Vec<Value> {
    audited(app, customer_id, "account.provisional_cleared").await
}

async fn nothing_can_be_added_before_the_address_is_confirmed(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "new@example.com";
    let b = Browser::new(&app);
    register(&b, email).await;
    assert_eq!(b.login(email, PASSWORD).await, (200, json!("/account")));
    assert_eq!(b.me().await["email_verified"], false);

    assert_confirm_first(b.call("start_totp", &[]).await, "an authenticator app");
    assert_confirm_first(b.call("confirm_totp", &[("code", "123456")]).await, "turning an authenticator app on");
    assert_confirm_first(b.call("passkey_add_options", &[]).await, "a passkey");
    assert_confirm_first(b.call("regenerate_recovery_codes", &[]).await, "recovery codes");
    let (_, status) = b.call("mfa_status", &[]).await;
    assert_eq!(status, json!({ "totp": false, "passkeys": 0, "recovery_codes_left": 0, "password": true }));

    // Confirmed in this browser (the one that registered): the session stays, and
    // factors can be added from now on.
    let token = confirmation_token(&app, email).await;
    let (status, body) = b.call("verify_email_link", &[("token", token.as_str())]).await;
    assert_eq!((status, body), (200, json!({ "password_removed": false })));
    assert_eq!(b.me().await["email_verified"], true, "still signed in");
    assert!(mail_subjects(&app, email).iter().all(|s| s != CLEARED_SUBJECT), "nothing to tell");
    // The password chosen at sign-up still signs in.
    b.call("logout", &[]).await;
    assert_eq!(b.login(email, PASSWORD).await, (200, json!("/account")), "the password stays");
    let (status, body) = b.call("start_totp", &[]).await;
    assert_eq!(status, 200, "{body}");
    let added = add_passkey(&app, &b, &mut Device::new(), "Laptop").await;
    assert_eq!(added["recovery_codes"].as_array().unwrap().len(), 10);
}

async fn a_reset_by_the_owner_removes_a_password_registrant(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "owner@example.com";
    let attacker = Browser::new(&app);
    register(&attacker, email).await;
    assert_eq!(attacker.login(email, PASSWORD).await, (200, json!("/account")));
    assert_confirm_first(attacker.call("start_totp", &[]).await, "the registrant's authenticator app");
    assert_confirm_first(attacker.call("passkey_add_options", &[]).await, "the registrant's passkey");
    // An email change to the registrant's own address, waiting for its confirmation.
    let (status, body) = attacker.call("change_email", &[("new_email", "attacker@example.net")]).await;
    assert_eq!(status, 200, "{body}");
    let change = link_token(&app, &mail_to(&app, "attacker@example.net", "Confirm your new email address").await, "/account/confirm-email");
    let id = app.identity.store().customer_by_email(email).await.unwrap().expect("registered").id;

    let owner = owner_resets(&app, email).await;

    assert_eq!(attacker.me().await, Value::Null, "the registrant's session is dead");
    assert_eq!(attacker.login(email, PASSWORD).await, (400, json!({ "Message": LOGIN_FAILED })), "the registrant's password is gone");
    let (status, body) = attacker.call("confirm_email_change", &[("token", change.as_str())]).await;
    assert_eq!((status, body), (400, json!({ "Message": TOKEN_INVALID })), "the pending email change died with the reset");
    assert_eq!(app.identity.store().customer_by_id(&id).await.unwrap().unwrap().email, email);
    assert_eq!(owner.login(email, NEW_PASSWORD).await, (200, json!("/account")));

    let mail = mail_to(&app, email, CLEARED_SUBJECT).await;
    assert!(mail.text.contains("reset before its email address was confirmed"), "{}", mail.text);
    assert!(mail.text.contains("1 signed-in session") && mail.text.contains("1 pending change of the email address"), "{}", mail.text);
    let audit = cleared(&app, &id).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!((audit[0]["reason"].as_str(), audit[0]["sessions"].as_u64()), (Some("password_reset"), Some(1)));
}

async fn a_reset_by_the_owner_removes_a_passkey_registrant(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "owner@example.com";
    let attacker = Browser::new(&app);
    let mut device = Device::new();
    let id = sign_up_with_passkey(&app, &attacker, &mut device, email).await;
    assert_eq!(sign_in_with(&app, &attacker, &mut device, 0, &id).await, (200, json!("/account")));
    assert_confirm_first(attacker.call("passkey_add_options", &[]).await, "a second passkey");

    let owner = owner_resets(&app, email).await;

    assert_eq!(attacker.me().await, Value::Null, "the registrant's session is dead");
    let (status, body) = sign_in_with(&app, &attacker, &mut device, 0, &id).await;
    assert_eq!(status, 400, "the registrant's passkey no longer signs in: {body}");
    assert_eq!(app.identity.second_factors_of(&identity::principal::Principal::customer(&id, "foyer:pwd"), &id).await.unwrap().passkeys, 0);
    assert_eq!(owner.login(email, NEW_PASSWORD).await, (200, json!("/account")), "the owner's password is the only way in");
    let mail = mail_to(&app, email, CLEARED_SUBJECT).await;
    assert!(mail.text.contains("1 passkey"), "{}", mail.text);
}

async fn confirming_in_another_browser_removes_a_passkey_registrant(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "owner@example.com";
    let attacker = Browser::new(&app);
    let mut device = Device::new();
    let id = sign_up_with_passkey(&app, &attacker, &mut device, email).await;
    assert_eq!(sign_in_with(&app, &attacker, &mut device, 0, &id).await, (200, json!("/account")));
    assert_eq!(attacker.me().await["email"], email);

    // The owner finds the confirmation mail and presses the button in their own browser.
    let owner = Browser::new(&app);
    let token = confirmation_token(&app, email).await;
    let (status, body) = owner.call("verify_email_link", &[("token", token.as_str())]).await;
    assert_eq!(status, 200, "{body}");
    assert!(app.identity.store().customer_by_id(&id).await.unwrap().unwrap().email_verified);

    assert_eq!(attacker.me().await, Value::Null, "the registrant's session is dead");
    let (status, body) = sign_in_with(&app, &attacker, &mut device, 0, &id).await;
    assert_eq!(status, 400, "the registrant's passkey is not adopted: {body}");
    assert_eq!(attacker.me().await, Value::Null);
    assert_eq!(app.identity.second_factors_of(&identity::principal::Principal::customer(&id, "foyer:pwd"), &id).await.unwrap().passkeys, 0);
    let mail = mail_to(&app, email, CLEARED_SUBJECT).await;
    assert!(mail.text.contains("different browser") && mail.text.contains("1 passkey") && mail.text.contains("1 signed-in session"), "{}", mail.text);
    let audit = cleared(&app, &id).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!((audit[0]["reason"].as_str(), audit[0]["passkeys"].as_u64()), (Some("confirmed_in_other_browser"), Some(1)));
    assert_eq!(audited(&app, &id, "customer.email_verified").await, vec![json!({ "how": "confirmed_in_other_browser" })]);

    // The owner's mailbox is the way in (then a password or a passkey of their own).
    assert_eq!(owner.call("send_sign_in_code", &[("email", email)]).await.0, 200);
    let subject = mail_to_prefix(&app, email, "Your sign-in code: ").await;
    let code = subject.trim_start_matches("Your sign-in code: ");
    assert_eq!(owner.call("login_with_code", &[("email", email), ("code", code)]).await, (200, json!("/account")));
}

async fn confirming_in_the_creating_browser_keeps_the_account(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "noor@example.com";
    let b = Browser::new(&app);
    let mut device = Device::new();
    let id = sign_up_with_passkey(&app, &b, &mut device, email).await;
    assert_eq!(sign_in_with(&app, &b, &mut device, 0, &id).await, (200, json!("/account")));

    let token = confirmation_token(&app, email).await;
    assert_eq!(b.call("verify_email_link", &[("token", token.as_str())]).await.0, 200);
    assert_eq!(b.me().await["email_verified"], true, "the session stays");
    assert_eq!(app.identity.second_factors_of(&identity::principal::Principal::customer(&id, "foyer:pwd"), &id).await.unwrap().passkeys, 1, "the sign-up's passkey stays");
    b.call("logout", &[]).await;
    assert_eq!(sign_in_with(&app, &b, &mut device, 0, &id).await, (200, json!("/account")), "and signs in");
    assert!(cleared(&app, &id).await.is_empty(), "nothing was cleared");
    assert_eq!(audited(&app, &id, "customer.email_verified").await, vec![json!({ "how": "confirmed_in_creating_browser" })]);
}

async fn confirming_in_another_browser_removes_a_password_registrant(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "owner@example.com";
    let attacker = Browser::new(&app);
    register(&attacker, email).await;
    assert_eq!(attacker.login(email, PASSWORD).await, (200, json!("/account")));
    // A reset link issued before the confirmation (for the current password version).
    assert_eq!(attacker.call("forgot_password", &[("email", email)]).await.0, 200);
    let old_reset = link_token(&app, &mail_to(&app, email, RESET_SUBJECT).await, "/reset-password");
    let id = app.identity.store().customer_by_email(email).await.unwrap().expect("registered").id;

    // The owner confirms from the mail in their own browser (another cookie jar).
    let owner = Browser::new(&app);
    let token = confirmation_token(&app, email).await;
    let (status, body) = owner.call("verify_email_link", &[("token", token.as_str())]).await;
    assert_eq!((status, body), (200, json!({ "password_removed": true })), "the page is told to say so");
    let row = app.identity.store().customer_by_id(&id).await.unwrap().unwrap();
    assert_eq!((row.email_verified, row.password_hash.is_some()), (true, false));

    assert_eq!(attacker.me().await, Value::Null, "the registrant's session is dead");
    assert_eq!(attacker.login(email, PASSWORD).await, (400, json!({ "Message": LOGIN_FAILED })), "the registrant's password is gone");
    let (status, body) = attacker.call("reset_password", &[("token", old_reset.as_str()), ("password", "Registrant-takes-it-back-42")]).await;
    assert_eq!((status, body), (400, json!({ "Message": TOKEN_INVALID })), "a reset link of the old password version died");

    let mail = mail_to(&app, email, CLEARED_SUBJECT).await;
    for text in [
        "Your email address is confirmed.",
        "different browser from the one that created the account",
        "the password set at sign-up was removed for safety",
        "Set a password",
        "/forgot-password",
        "Sign in with a code by email",
        "/login/code",
    ] {
        assert!(mail.text.contains(text), "{text:?} in {}", mail.text);
    }
    let audit = cleared(&app, &id).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!((audit[0]["reason"].as_str(), audit[0]["password"].as_bool()), (Some("confirmed_in_other_browser"), Some(true)));

    // No password, no passkey: the mailed code gets the owner in.
    assert_eq!(owner.call("send_sign_in_code", &[("email", email)]).await.0, 200);
    let subject = mail_to_prefix(&app, email, "Your sign-in code: ").await;
    let code = subject.trim_start_matches("Your sign-in code: ");
    assert_eq!(owner.call("login_with_code", &[("email", email), ("code", code)]).await, (200, json!("/account")));
    owner.call("logout", &[]).await;
    // And a reset of the confirmed account sets a password as usual (the newest link:
    // wait for it, an older one is in the mailbox too).
    let before = mail_subjects(&app, email).iter().filter(|s| *s == RESET_SUBJECT).count();
    assert_eq!(owner.call("forgot_password", &[("email", email)]).await.0, 200);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while mail_subjects(&app, email).iter().filter(|s| *s == RESET_SUBJECT).count() == before {
        assert!(std::time::Instant::now() < deadline, "no new reset mail");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let fresh = link_token(&app, &mail_to(&app, email, RESET_SUBJECT).await, "/reset-password");
    let (status, body) = owner.call("reset_password", &[("token", fresh.as_str()), ("password", NEW_PASSWORD)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(owner.login(email, NEW_PASSWORD).await, (200, json!("/account")));
    assert_eq!(attacker.login(email, PASSWORD).await, (400, json!({ "Message": LOGIN_FAILED })));
}

/// The confirmation page works as plain HTML: the form post is sent to a page that
/// says what happened.
async fn confirming_without_wasm_shows_the_result_page(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "owner@example.com";
    register(&Browser::new(&app), email).await;
    let token = confirmation_token(&app, email).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = http
        .post(format!("{}/api/verify_email_link", app.address))
        .header("origin", app.public_url.as_str())
        .header("sec-fetch-site", "same-origin")
        .header("referer", format!("{}/verify?token={token}", app.public_url))
        .header("accept", "text/html,application/xhtml+xml")
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 302);
    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(location.as_deref(), Some("/verify?confirmed=password-removed"));
    let page = http.get(format!("{}/verify?confirmed=password-removed", app.address)).send().await.unwrap().text().await.unwrap();
    for text in [
        "Your email address is confirmed.",
        "the password set at sign-up was removed for safety",
        "href=\"/forgot-password\"",
        "Set a password",
        "href=\"/login/code\"",
        "Sign in with a code by email",
    ] {
        assert!(page.contains(text), "{text:?} in the page");
    }
    // (The words are in the page's message catalogue; the button is not rendered.)
    assert!(!page.contains(">Confirm my email</button>"), "no button to press again");
}

/// The subjects of every mail to `to` so far.
fn mail_subjects(app: &TestApp, to: &str) -> Vec<String> {
    app.smtp().received().iter().filter(|m| m.to.iter().any(|t| t == to)).map(|m| m.subject.clone()).collect()
}

/// The subject of the newest mail to `to` starting with `prefix`, waiting up to 10 s.
async fn mail_to_prefix(app: &TestApp, to: &str, prefix: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let found = app.smtp().received().iter().rev().find(|m| m.to.iter().any(|t| t == to) && m.subject.starts_with(prefix)).map(|m| m.subject.clone());
        if let Some(subject) = found {
            return subject;
        }
        assert!(std::time::Instant::now() < deadline, "no mail {prefix:?} to {to}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
