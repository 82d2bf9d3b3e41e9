//! Customer accounts over HTTP: registration and verification, sign-in and its uniform
//! failures, throttling and lock-out, recovery, sessions and devices, email changes,
//! and a bounded password hasher under a flood.
//!
//! Each simulated browser is a [`Browser`]: its own cookie jar, and the same-origin
//! headers a real browser sends with a server-function POST. Mail arrives through the
//! outbox worker at the in-process SMTP server; links and codes are read from it.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use identity::accounts::RequestMeta;
use identity::accounts::login::LoginError;
use identity::accounts::register::Registration;
use identity::accounts::throttle::{IP_FREE_FAILURES, account_key, ip_key};
use identity::password::{HashSettings, Hasher};
use identity::store::customers::CustomerRow;
use identity::OsRandom;
use reqwest::cookie::{CookieStore as _, Jar};
use reqwest::header;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::support::smtp::ReceivedMail;
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    register_verify_sign_in_edit_profile_sign_out,
    registering_a_taken_address_looks_the_same,
    login_failures_are_indistinguishable,
    lock_out_after_repeated_failures_and_unlock_by_mail,
    throttling_answers_429_and_ignores_forged_forwarding,
    password_reset_by_mailed_link,
    session_id_changes_at_sign_in_and_dies_at_sign_out,
    session_cookie_attributes,
    cross_site_sign_in_is_refused,
    devices_list_and_end_other_sessions,
    change_email_confirm_by_code_and_undo,
    a_sign_in_from_a_new_browser_is_mailed_once_and_ends_the_failures,
);

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

/// Strong enough for the policy (zxcvbn ≥ 3) and free of the test names and addresses.
pub(crate) const PASSWORD: &str = "correct horse battery staple 42";
pub(crate) const NEW_PASSWORD: &str = "violet tractor umbrella quiz 77";
pub(crate) const WRONG: &str = "definitely not the password";

/// The session cookie on the plain-http test server (`__Host-foyer` needs https).
const SESSION_PREFIX: &str = "foyer=";

const FIREFOX_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

/// The one answer for every refused sign-in.
pub(crate) const LOGIN_FAILED: &str = "Email or password is incorrect, or the account cannot sign in right now.";
pub(crate) const TOKEN_INVALID: &str = "This link or code is invalid or has expired.";

/// Subjects, as in `identity/src/email.rs`.
const VERIFY_SUBJECT: &str = "Confirm your email address";
const ATTEMPT_SUBJECT: &str = "Someone tried to create an account with your address";
pub(crate) const LOCKED_SUBJECT: &str = "Your account was locked";
pub(crate) const RESET_SUBJECT: &str = "Reset your password";
const PASSWORD_CHANGED_SUBJECT: &str = "Your password was changed";
const CONFIRM_CHANGE_SUBJECT: &str = "Confirm your new email address";
const EMAIL_CHANGED_SUBJECT: &str = "Your email address was changed";
const NEW_SIGN_IN_SUBJECT: &str = "New sign-in to your account";

/// A browser: its own cookie jar, and the headers of a same-origin `fetch`.
pub(crate) struct Browser {
    client: reqwest::Client,
    jar: Arc<Jar>,
    address: String,
    origin: String,
}

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Self {
        Self::with_agent(app, FIREFOX_LINUX)
    }

    fn with_agent(app: &TestApp, user_agent: &str) -> Self {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(Arc::clone(&jar))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(user_agent.to_owned())
            // A request that never answers fails the test instead of hanging the suite.
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap();
        Self { client, jar, address: app.address.clone(), origin: app.public_url.clone() }
    }

    /// A server-function POST with the CSRF headers, ready for more headers.
    fn request(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}/api/{endpoint}", self.address))
            .header(header::ORIGIN, self.origin.as_str())
            .header("sec-fetch-site", "same-origin")
            .header(header::ACCEPT, "application/json")
            .form(form)
    }

    pub(crate) async fn post(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.request(endpoint, form).send().await.unwrap()
    }

    /// Status and body bytes, for comparing answers exactly.
    async fn raw(&self, endpoint: &str, form: &[(&str, &str)]) -> (u16, Vec<u8>) {
        let response = self.post(endpoint, form).await;
        (response.status().as_u16(), response.bytes().await.unwrap().to_vec())
    }

    /// Status and JSON body.
    pub(crate) async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> (u16, Value) {
        json_of(self.post(endpoint, form).await).await
    }

    /// A page as this browser gets it: status and HTML.
    pub(crate) async fn page(&self, path: &str) -> (u16, String) {
        let response = self.client.get(format!("{}{path}", self.address)).header(header::ACCEPT, "text/html").send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    pub(crate) async fn login(&self, email: &str, password: &str) -> (u16, Value) {
        self.call("login", &[("email", email), ("password", password)]).await
    }

    /// `me`: `null` when signed out.
    pub(crate) async fn me(&self) -> Value {
        let (status, body) = self.call("me", &[]).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// The session cookie this browser would send now.
    fn session_cookie(&self) -> Option<String> {
        let url = reqwest::Url::parse(&self.address).unwrap();
        let cookies = self.jar.cookies(&url)?;
        cookies.to_str().ok()?.split(';').map(str::trim).find_map(|c| c.strip_prefix(SESSION_PREFIX)).map(str::to_owned)
    }
}

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("status {status}, body not JSON ({e}): {text}"));
    (status, body)
}

/// The whole `Set-Cookie` line of the session cookie, if the response sets it.
fn session_set_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|line| line.starts_with(SESSION_PREFIX))
        .map(str::to_owned)
}

/// The value in `foyer=VALUE; …`.
fn cookie_value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap_or("");
    pair.strip_prefix(SESSION_PREFIX).unwrap_or("").to_owned()
}

/// `me` as a fresh client that replays a session cookie value by hand.
async fn me_with_cookie(app: &TestApp, value: &str) -> Value {
    let response = app
        .client
        .post(app.url("/api/me"))
        .header(header::ORIGIN, app.public_url.as_str())
        .header("sec-fetch-site", "same-origin")
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, format!("{SESSION_PREFIX}{value}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The field names of a `{"Fields": [...]}` error.
fn error_fields(body: &Value) -> Vec<String> {
    body["Fields"]
        .as_array()
        .unwrap_or_else(|| panic!("not a Fields error: {body}"))
        .iter()
        .map(|f| f["field"].as_str().unwrap_or("").to_owned())
        .collect()
}

pub(crate) fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

/// Request metadata from a documentation address (192.0.2.0/24), one per `last`.
pub(crate) fn meta(last: u8) -> RequestMeta {
    RequestMeta::new(IpAddr::from([192, 0, 2, last]), None)
}

/// A verified customer with [`PASSWORD`], created through the core.
pub(crate) async fn customer(app: &TestApp, email: &str) -> CustomerRow {
    let registration =
        Registration { email: email.into(), password: secret(PASSWORD), given_name: Some("Ann".into()), family_name: None, accept_terms: true };
    let id = app.register_customer(registration, &crate::support::seed::seed_meta(1)).await;
    app.confirm_email(email).await;
    app.identity.store().customer_by_id(&id).await.unwrap().expect("still there")
}

async fn reload(app: &TestApp, row: &CustomerRow) -> CustomerRow {
    app.identity.store().customer_by_id(&row.id).await.unwrap().expect("customer exists")
}

/// The newest mail to `to` with `subject`, waiting up to 10 s for it.
pub(crate) async fn mail_to(app: &TestApp, to: &str, subject: &str) -> ReceivedMail {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mails = app.smtp().received();
        if let Some(mail) = mails.iter().rev().find(|m| m.subject == subject && m.to.iter().any(|t| t == to)) {
            return mail.clone();
        }
        if Instant::now() > deadline {
            let seen: Vec<(&str, &[String])> = mails.iter().map(|m| (m.subject.as_str(), m.to.as_slice())).collect();
            panic!("no mail {subject:?} to {to} within 10 s; received: {seen:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn mails_to(app: &TestApp, to: &str, subject: &str) -> usize {
    app.smtp().received().iter().filter(|m| m.subject == subject && m.to.iter().any(|t| t == to)).count()
}

/// What follows `marker` in the mail text, up to the first character that cannot be
/// part of a base64url token or a code.
fn text_after(mail: &ReceivedMail, marker: &str) -> String {
    let start = mail.text.find(marker).unwrap_or_else(|| panic!("no {marker:?} in {:?}:\n{}", mail.subject, mail.text)) + marker.len();
    mail.text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// The token of the link `<public url><path>?token=…` in the mail.
pub(crate) fn link_token(app: &TestApp, mail: &ReceivedMail, path: &str) -> String {
    let token = text_after(mail, &format!("{}{path}?token=", app.public_url));
    assert!(token.len() >= 32, "a 256-bit token in {path}: {token:?}");
    token
}

/// The 6-digit code in "Or enter this code: 123456."
fn mail_code(mail: &ReceivedMail) -> String {
    let code = text_after(mail, "Or enter this code: ");
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "a 6-digit code: {code:?}");
    code
}

/// `VmHWM` (peak resident) and `VmRSS` of this process, for printing.
fn memory_figures() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------

async fn register_verify_sign_in_edit_profile_sign_out(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "ann@example.com";
    let b = Browser::new(&app);
    let (status, body) = b
        .call("register", &[
            ("email", email),
            ("password", PASSWORD),
            ("given_name", "Ann"),
            ("family_name", "Lee"),
            ("accept_terms", "on"),
        ])
        .await;
    assert_eq!(status, 200, "{body}");
    let row = app.identity.store().customer_by_email(email).await.unwrap().expect("account created");
    assert!(!row.email_verified, "unverified until the link is used");

    let mail = mail_to(&app, email, VERIFY_SUBJECT).await;
    mail_code(&mail);
    let token = link_token(&app, &mail, "/verify");
    let (status, body) = b.call("verify_email_link", &[("token", token.as_str())]).await;
    assert_eq!(status, 200, "{body}");
    assert!(reload(&app, &row).await.email_verified);

    let (status, body) = b.call("login", &[("email", email), ("password", PASSWORD), ("return_to", "/account/profile")]).await;
    assert_eq!((status, body), (200, json!("/account/profile")));
    assert_eq!(b.me().await, json!({ "email": email, "name": "Ann", "email_verified": true, "acr": "foyer:pwd" }));

    // An invalid phone is refused with a message for that field, and nothing is saved.
    let (status, body) = b.call("save_profile", &[("form[given_name]", "Ann"), ("form[family_name]", "Lee"), ("form[phone]", "12345")]).await;
    assert_eq!(status, 400, "{body}");
    assert!(error_fields(&body).contains(&"Phone".to_owned()), "{body}");
    let (_, profile) = b.call("get_profile", &[]).await;
    assert_eq!(profile["phone"], Value::Null, "{profile}");

    let (status, changed) = b
        .call("save_profile", &[
            ("form[given_name]", "Ann"),
            ("form[family_name]", "Lee"),
            ("form[preferred_language]", "en-GB"),
            ("form[phone]", "+44 20 7946 0958"),
            ("form[country]", "gb"),
        ])
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed, json!(["preferred_language", "phone", "country"]));
    let (status, profile) = b.call("get_profile", &[]).await;
    assert_eq!(status, 200, "{profile}");
    assert_eq!(profile["given_name"], "Ann");
    assert_eq!(profile["family_name"], "Lee");
    assert_eq!(profile["preferred_language"], "en", "stored as the shipped locale");
    assert_eq!(profile["phone"], "+442079460958", "stored in E.164");
    assert_eq!(profile["country"], "GB");

    let (status, body) = b.call("logout", &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(b.me().await, Value::Null);
    assert_eq!(b.call("get_profile", &[]).await, (401, json!("SignInRequired")));
}

async fn registering_a_taken_address_looks_the_same(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "dup@example.com";
    let b = Browser::new(&app);
    let fresh = b.raw("register", &[("email", email), ("password", PASSWORD), ("given_name", "Ann"), ("accept_terms", "on")]).await;
    assert_eq!(fresh.0, 200, "{}", String::from_utf8_lossy(&fresh.1));
    let again = b.raw("register", &[("email", email), ("password", NEW_PASSWORD), ("given_name", "Bea"), ("accept_terms", "on")]).await;
    assert_eq!(again, fresh, "a taken address gets the very same answer");

    let attempt = mail_to(&app, email, ATTEMPT_SUBJECT).await;
    assert!(!attempt.text.contains("token="), "no link that could take the account: {}", attempt.text);
    mail_to(&app, email, VERIFY_SUBJECT).await;
    assert_eq!(mails_to(&app, email, VERIFY_SUBJECT), 1, "one verification mail, for the first registration only");

    assert_eq!(app.identity.store().count_customers().await.unwrap(), 1, "no second account");
    let row = app.identity.store().customer_by_email(email).await.unwrap().unwrap();
    assert_eq!(row.given_name.as_deref(), Some("Ann"), "the existing account is untouched");
    let hash = row.password_hash.unwrap();
    assert!(app.identity.hasher().verify(secret(PASSWORD), hash.clone()).await.unwrap().matches);
    assert!(!app.identity.hasher().verify(secret(NEW_PASSWORD), hash).await.unwrap().matches);
}

async fn login_failures_are_indistinguishable(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    customer(&app, "known@example.com").await;
    let locked = customer(&app, "locked@example.com").await;
    // Locked the way accounts get locked: failed sign-ins up to the threshold (one here).
    let strict = app.identity.with_settings(identity::Settings { lockout_threshold: 1, ..app.identity.settings().clone() });
    let guess = strict.login(&identity::principal::Principal::Anonymous, "locked@example.com", secret(WRONG), None, &meta(3)).await;
    assert!(matches!(guess, Err(LoginError::Failed)), "{guess:?}");
    assert!(reload(&app, &locked).await.locked_at.is_some(), "locked");

    let b = Browser::new(&app);
    let unknown = b.raw("login", &[("email", "nobody@example.com"), ("password", PASSWORD)]).await;
    let wrong = b.raw("login", &[("email", "known@example.com"), ("password", WRONG)]).await;
    let locked_out = b.raw("login", &[("email", "locked@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(b.session_cookie(), None, "no session for a failure");

    assert_eq!(unknown.0, 400);
    let body: Value = serde_json::from_slice(&unknown.1).unwrap();
    assert_eq!(body, json!({ "Message": LOGIN_FAILED }));
    assert_eq!(wrong, unknown, "wrong password answers like an unknown email");
    assert_eq!(locked_out, unknown, "a locked account answers like an unknown email");
}

async fn lock_out_after_repeated_failures_and_unlock_by_mail(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "lockout@example.com";
    let row = customer(&app, email).await;
    let threshold = u8::try_from(app.identity.settings().lockout_threshold).unwrap();
    assert_eq!(threshold, 20, "the default threshold");
    let acct = account_key(&row.email_normalized);

    // Each guess from another address, with the per-account delay cleared in between,
    // so only the lock-out rule is at work.
    for i in 1..=threshold {
        app.identity.store().throttle_clear(&acct).await.unwrap();
        let from = RequestMeta::new(IpAddr::from([10, 1, 0, i]), None);
        let outcome = app.identity.login(&identity::principal::Principal::Anonymous, email, secret(WRONG), None, &from).await;
        assert!(matches!(outcome, Err(LoginError::Failed)), "attempt {i}");
        let current = reload(&app, &row).await;
        assert_eq!(current.locked_at.is_some(), i == threshold, "locked exactly at the threshold (attempt {i})");
    }
    assert_eq!(reload(&app, &row).await.failed_logins, i64::from(threshold));

    let mail = mail_to(&app, email, LOCKED_SUBJECT).await;
    let token = link_token(&app, &mail, "/unlock");

    // The right password does not open a locked account, and says nothing about why.
    let b = Browser::new(&app);
    assert_eq!(b.login(email, PASSWORD).await, (400, json!({ "Message": LOGIN_FAILED })));
    assert_eq!(b.me().await, Value::Null);

    let (status, body) = b.call("unlock_account", &[("token", token.as_str())]).await;
    assert_eq!(status, 200, "{body}");
    let unlocked = reload(&app, &row).await;
    assert_eq!((unlocked.locked_at, unlocked.failed_logins), (None, 0));

    assert_eq!(b.login(email, PASSWORD).await, (200, json!("/account")));
    assert_eq!(b.me().await["email"], email);

    // The link works once.
    assert_eq!(b.call("unlock_account", &[("token", token.as_str())]).await, (400, json!({ "Message": TOKEN_INVALID })));
}

async fn throttling_answers_429_and_ignores_forged_forwarding(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let email = "throttled@example.com";
    let row = customer(&app, email).await;
    let b = Browser::new(&app);

    // Five failures in the window are free; the sixth is still judged and starts the
    // first delay (1 s).
    for attempt in 1..=6 {
        assert_eq!(b.login(email, WRONG).await, (400, json!({ "Message": LOGIN_FAILED })), "attempt {attempt}");
    }
    // Four more failures recorded through the core stretch the delay to 16 s, so a slow
    // machine cannot outwait it between two requests.
    let acct = account_key(&row.email_normalized);
    let now = app.identity.now();
    for _ in 0..4 {
        app.identity.store().throttle_fail(&acct, now, app.identity.settings().free_failures).await.unwrap();
    }

    let r = b.post("login", &[("email", email), ("password", WRONG)]).await;
    assert_eq!(r.status(), 429);
    let retry_after: i64 = r.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=16).contains(&retry_after), "Retry-After: {retry_after}");
    assert_eq!(json_of(r).await, (429, json!({ "Throttled": retry_after })));

    // While throttled even the right password is not tried.
    assert_eq!(b.login(email, PASSWORD).await.0, 429);
    assert_eq!(b.me().await, Value::Null);
    // A forged X-Forwarded-For (no trusted proxies are configured) changes nothing.
    let forged = b.request("login", &[("email", email), ("password", PASSWORD)]).header("x-forwarded-for", "203.0.113.9").send().await.unwrap();
    assert_eq!(forged.status(), 429);

    // The per-IP limit: unknown addresses each have their own account counter, so only
    // the client address (127.0.0.1 for every test request) can block them. 6 failures
    // are counted already; 30 are free, so at least 25 more are judged before a 429.
    let mut judged = 0;
    let mut blocked = false;
    for i in 0..80 {
        let (status, body) = b.login(&format!("stranger{i}@example.com"), WRONG).await;
        match status {
            400 => judged += 1,
            429 => {
                blocked = true;
                break;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(blocked, "the IP limit never answered 429");
    assert!(judged >= 25, "only {judged} attempts before the IP limit; 30 are free");
    let loopback = ip_key(IpAddr::from([127, 0, 0, 1]));
    let state = app.identity.store().throttle_get(&loopback).await.unwrap().expect("the server counted 127.0.0.1");
    assert!(state.failures > IP_FREE_FAILURES, "{state:?}");

    // Stretch the IP delay too, then forge the header with a fresh address: still 429,
    // and nothing was ever counted for the forged address.
    let now = app.identity.now();
    for _ in 0..4 {
        app.identity.store().throttle_fail(&loopback, now, IP_FREE_FAILURES).await.unwrap();
    }
    let forged = b
        .request("login", &[("email", "someone.new@example.com"), ("password", WRONG)])
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 429, "X-Forwarded-For from an untrusted peer is ignored");
    let forged_ip = ip_key(IpAddr::from([203, 0, 113, 9]));
    assert!(app.identity.store().throttle_get(&forged_ip).await.unwrap().is_none());
}

async fn password_reset_by_mailed_link(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "reset@example.com";
    customer(&app, email).await;

    // A browser signed in before the reset.
    let earlier = Browser::with_agent(&app, CHROME_WINDOWS);
    assert_eq!(earlier.login(email, PASSWORD).await.0, 200);
    assert_eq!(earlier.me().await["email"], email);

    // "Forgot password" answers alike for unknown and known addresses.
    let b = Browser::new(&app);
    let unknown = b.raw("forgot_password", &[("email", "ghost@example.com")]).await;
    let known = b.raw("forgot_password", &[("email", email)]).await;
    assert_eq!(known.0, 200, "{}", String::from_utf8_lossy(&known.1));
    assert_eq!(unknown, known);
    let mail = mail_to(&app, email, RESET_SUBJECT).await;
    let token = link_token(&app, &mail, "/reset-password");
    assert!(app.smtp().received().iter().all(|m| !m.to.iter().any(|t| t == "ghost@example.com")), "no mail to an unknown address");

    // A weak password is refused by field, and does not spend the link.
    let (status, body) = b.call("reset_password", &[("token", token.as_str()), ("password", "password1")]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_fields(&body), vec!["New password".to_owned()], "{body}");

    let (status, body) = b.call("reset_password", &[("token", token.as_str()), ("password", NEW_PASSWORD)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        b.call("reset_password", &[("token", token.as_str()), ("password", "another fine passphrase 9")]).await,
        (400, json!({ "Message": TOKEN_INVALID })),
        "the link works once"
    );
    mail_to(&app, email, PASSWORD_CHANGED_SUBJECT).await;

    assert_eq!(earlier.me().await, Value::Null, "sessions from before the reset are ended");
    assert_eq!(b.me().await, Value::Null, "a reset does not sign anyone in");
    assert_eq!(b.login(email, PASSWORD).await, (400, json!({ "Message": LOGIN_FAILED })));
    assert_eq!(b.login(email, NEW_PASSWORD).await, (200, json!("/account")));
}

async fn session_id_changes_at_sign_in_and_dies_at_sign_out(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let email = "session@example.com";
    customer(&app, email).await;
    let b = Browser::new(&app);
    assert_eq!(b.session_cookie(), None);

    let first = b.post("login", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(first.status(), 200);
    let first = cookie_value(&session_set_cookie(&first).expect("sign-in sets the session cookie"));
    assert!(!first.is_empty());
    assert_eq!(b.session_cookie().as_deref(), Some(first.as_str()));

    // Signing in again over a live session gives it a new id; the old one is gone.
    let before = b.session_cookie().unwrap();
    let second = b.post("login", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(second.status(), 200);
    let second = cookie_value(&session_set_cookie(&second).expect("a new id at sign-in"));
    assert_ne!(second, before, "the session id is cycled at sign-in");
    assert_eq!(me_with_cookie(&app, &first).await, Value::Null, "the pre-sign-in id is dead");
    assert_eq!(me_with_cookie(&app, &second).await["email"], email, "replaying a live cookie works");

    let (status, body) = b.call("logout", &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(b.me().await, Value::Null);
    assert_eq!(me_with_cookie(&app, &second).await, Value::Null, "the id is dead after sign-out, not just forgotten");
}

async fn session_cookie_attributes(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let email = "cookie@example.com";
    customer(&app, email).await;
    let r = Browser::new(&app).post("login", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), 200);
    let line = session_set_cookie(&r).expect("the session cookie is set");
    let attributes: Vec<&str> = line.split(';').map(str::trim).collect();
    assert!(attributes[0].starts_with(SESSION_PREFIX) && attributes[0].len() > SESSION_PREFIX.len(), "{line}");
    for wanted in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(attributes.contains(&wanted), "{wanted} missing: {line}");
    }
    assert!(!attributes.iter().any(|a| a.to_ascii_lowercase().starts_with("domain")), "host-only, no Domain: {line}");
    // The test server runs on plain http (`http://localhost:PORT`), where the cookie is
    // `foyer` without `Secure`; on https it is `__Host-foyer` with `Secure`.
    assert!(!attributes.iter().any(|a| a.eq_ignore_ascii_case("secure")), "no Secure on plain-http dev: {line}");

    // A stored session costs well under 1 KB, and the cookie value is not what is stored.
    let value = cookie_value(&line);
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT id_hash, data FROM sessions").fetch_all(app.identity.store().pool()).await.unwrap();
    assert_eq!(rows.len(), 1);
    let (id_hash, data) = &rows[0];
    assert!(id_hash.len() + data.len() < 512, "session row is {} bytes: {data}", id_hash.len() + data.len());
    assert!(!id_hash.contains(&value) && !data.contains(&value), "the cookie value is never stored");
}

async fn cross_site_sign_in_is_refused(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let email = "csrf@example.com";
    let row = customer(&app, email).await;
    let form = [("email", email), ("password", PASSWORD)];
    let cross_site = |origin: &'static str, site: Option<&'static str>| {
        let mut request = app.client.post(app.url("/api/login")).header(header::ORIGIN, origin).header(header::ACCEPT, "application/json");
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        request.form(&form).send()
    };

    let refused = cross_site("https://evil.example", Some("cross-site")).await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(session_set_cookie(&refused).is_none());
    assert!(refused.text().await.unwrap().contains("cross-site request refused"));
    let refused = cross_site("https://evil.example", None).await.unwrap();
    assert_eq!(refused.status(), 403, "a foreign Origin without Fetch Metadata");

    let activity = app.identity.store().activity_of(&row.id, 100).await.unwrap();
    assert!(!activity.iter().any(|a| a.action.starts_with("login.")), "the refused requests never reached sign-in");
    // The same credentials from our own origin work.
    assert_eq!(Browser::new(&app).login(email, PASSWORD).await, (200, json!("/account")));
}

async fn devices_list_and_end_other_sessions(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let email = "devices@example.com";
    customer(&app, email).await;
    let a = Browser::with_agent(&app, FIREFOX_LINUX);
    let b = Browser::with_agent(&app, CHROME_WINDOWS);
    assert_eq!(a.login(email, PASSWORD).await.0, 200);
    assert_eq!(b.login(email, PASSWORD).await.0, 200);

    let (status, devices) = a.call("list_devices", &[]).await;
    assert_eq!(status, 200, "{devices}");
    let devices = devices.as_array().unwrap().clone();
    assert_eq!(devices.len(), 2, "{devices:?}");
    let current: Vec<&Value> = devices.iter().filter(|d| d["current"] == json!(true)).collect();
    assert_eq!(current.len(), 1, "exactly one is this device: {devices:?}");
    assert_eq!(current[0]["device"], "Firefox on Linux");

    assert_eq!(a.call("end_other_devices", &[]).await, (200, json!(1)));
    assert_eq!(b.me().await, Value::Null, "the other device is signed out");
    assert_eq!(b.call("list_devices", &[]).await, (401, json!("SignInRequired")));
    assert_eq!(a.me().await["email"], email, "this device stays signed in");
    let (_, devices) = a.call("list_devices", &[]).await;
    assert_eq!(devices.as_array().unwrap().len(), 1, "{devices}");

    let (status, activity) = a.call("activity", &[]).await;
    assert_eq!(status, 200, "{activity}");
    let what: Vec<&str> = activity.as_array().unwrap().iter().filter_map(|e| e["what"].as_str()).collect();
    assert!(what.iter().filter(|w| w.starts_with("Signed in")).count() >= 2, "{what:?}");
    assert!(what.contains(&"Signed out all other devices"), "{what:?}");
}

async fn change_email_confirm_by_code_and_undo(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let (old, new) = ("old@example.com", "new@example.com");
    let row = customer(&app, old).await;
    let a = Browser::new(&app);
    assert_eq!(a.login(old, PASSWORD).await.0, 200);

    // Just signed in, so the authentication is recent enough.
    let (status, body) = a.call("change_email", &[("new_email", new)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(reload(&app, &row).await.email, old, "nothing changes before confirmation");
    let code = mail_code(&mail_to(&app, new, CONFIRM_CHANGE_SUBJECT).await);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(a.call("confirm_email_change", &[("code", wrong)]).await, (400, json!({ "Message": TOKEN_INVALID })));
    let (status, body) = a.call("confirm_email_change", &[("code", code.as_str())]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(reload(&app, &row).await.email, new);
    assert_eq!(a.me().await["email"], new);

    // The old address is told, and can take the account back.
    let undo = link_token(&app, &mail_to(&app, old, EMAIL_CHANGED_SUBJECT).await, "/account/undo-email");
    let owner = Browser::new(&app);
    let (status, body) = owner.call("undo_email_change", &[("token", undo.as_str())]).await;
    assert_eq!(status, 200, "{body}");
    let restored = reload(&app, &row).await;
    assert_eq!((restored.email.as_str(), restored.email_verified), (old, true));
    assert_eq!(a.me().await, Value::Null, "undo ends every session");
    assert_eq!(owner.call("undo_email_change", &[("token", undo.as_str())]).await, (400, json!({ "Message": TOKEN_INVALID })));
    assert_eq!(owner.login(old, PASSWORD).await.0, 200);
}

/// A flood of wrong passwords against a hasher with OWASP-sized argon2id (19 MiB) is
/// admitted up to its queue and refused beyond it, so memory stays bounded.
#[tokio::test(flavor = "multi_thread")]
async fn thousand_concurrent_wrong_passwords_stay_bounded() {
    const ATTEMPTS: usize = 1_000;
    const MAX_CONCURRENT: usize = 2;
    const MAX_QUEUE: usize = 64;
    let hasher = Hasher::new(&HashSettings {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
        pepper: None,
        max_concurrent: MAX_CONCURRENT,
        max_queue: MAX_QUEUE,
        ..HashSettings::default()
    })
    .unwrap();
    let stored = hasher.hash(secret(PASSWORD), &OsRandom).await.unwrap();
    let memory_before = memory_figures();
    let started = Instant::now();

    // Samples the admitted depth while the flood runs.
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (hasher, done) = (hasher.clone(), Arc::clone(&done));
        tokio::spawn(async move {
            let mut peak = 0;
            while !done.load(Ordering::SeqCst) {
                peak = peak.max(hasher.queue_depth());
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            peak
        })
    };

    let tasks: Vec<_> = (0..ATTEMPTS)
        .map(|i| {
            let (hasher, stored) = (hasher.clone(), stored.clone());
            tokio::spawn(async move { hasher.verify_or_dummy(secret(&format!("wrong guess number {i}")), Some(stored), &OsRandom).await })
        })
        .collect();
    let (mut ran, mut busy) = (0_usize, 0_usize);
    for task in tasks {
        match task.await.unwrap() {
            Ok(verified) => {
                assert!(!verified.matches);
                ran += 1;
            }
            Err(identity::Error::Busy { .. }) => busy += 1,
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    done.store(true, Ordering::SeqCst);
    let peak = sampler.await.unwrap();
    let elapsed = started.elapsed();
    println!(
        "{ATTEMPTS} concurrent wrong passwords: {ran} verified, {busy} refused as busy, peak queue {peak}, in {elapsed:?}; \
         memory before [{memory_before}], after [{}]",
        memory_figures()
    );

    assert_eq!(ran + busy, ATTEMPTS, "every attempt completed");
    assert!(ran >= 1, "some attempts were verified");
    // At most MAX_QUEUE are admitted at once; while the flood arrives only a couple of
    // hashes can finish and free a place.
    assert!(busy >= ATTEMPTS - MAX_QUEUE - MAX_CONCURRENT, "only {busy} refused");
    // A refused caller counts itself for an instant before it leaves: allow one per worker thread.
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    assert!(peak <= MAX_QUEUE + workers, "queue depth peaked at {peak}");
    assert_eq!(hasher.queue_depth(), 0, "the queue drains");
}

/// 1,000 concurrent wrong-password sign-ins over HTTP against real argon2id cost and a
/// small hashing queue: every answer is a refusal (400), a throttle (429) or "busy"
/// (503) — never a 500 — and the server keeps serving. Figures are printed, not judged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_concurrent_sign_ins_over_http_get_429_or_503() {
    let Some(app) = TestApp::builder(Db::Sqlite)
        .configure(|raw| {
            raw.argon2_memory_kib = 19_456;
            raw.argon2_iterations = 2;
            raw.hash_max_queue = 8;
        })
        .spawn()
        .await
    else {
        return;
    };
    let before = memory_figures();
    let started = std::time::Instant::now();
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let request = client
                .post(app.url("/api/login"))
                .header(header::ORIGIN, app.public_url.clone())
                .header("sec-fetch-site", "same-origin")
                .header(header::ACCEPT, "application/json")
                .form(&[("email", format!("nobody{i}@example.com")), ("password", "wrong password here".to_owned())]);
            tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    let mut counts = std::collections::BTreeMap::<u16, usize>::new();
    for task in tasks {
        let status = task.await.unwrap().expect("every request is answered");
        *counts.entry(status).or_default() += 1;
    }
    println!("1,000 concurrent sign-ins: {counts:?} in {:?}; memory before: {before}; after: {}", started.elapsed(), memory_figures());
    assert!(counts.keys().all(|s| matches!(s, 400 | 429 | 503)), "only refusals, throttles and busy: {counts:?}");
    assert!(counts.get(&503).copied().unwrap_or(0) > 0, "the bounded queue turned some away: {counts:?}");
    assert_eq!(app.get_text("/healthz").await.0, 200, "still serving");
    assert_eq!(app.identity.hasher().queue_depth(), 0, "no hashing left behind");
}


/// The `new_device` of each `login.succeeded` row of the customer, oldest first.
async fn sign_ins_new_device(app: &TestApp, customer_id: &str) -> Vec<bool> {
    let mut rows = app.identity.store().activity_of(customer_id, 100).await.unwrap();
    rows.reverse();
    rows.iter()
        .filter(|r| r.action == "login.succeeded")
        .map(|r| serde_json::from_str::<Value>(&r.detail).unwrap()["new_device"].as_bool().expect("new_device in the detail"))
        .collect()
}

/// New-device notices queued in the outbox for `to` (whether delivered yet or not).
async fn notices_queued(app: &TestApp, to: &str) -> i64 {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT payload FROM outbox WHERE kind = 'email'").fetch_all(app.identity.store().pool()).await.unwrap();
    let count = rows
        .iter()
        .map(|(payload,)| serde_json::from_str::<Value>(payload).unwrap())
        .filter(|p| p["to"] == to && p["subject"] == NEW_SIGN_IN_SUBJECT)
        .count();
    i64::try_from(count).unwrap()
}

/// The completed sign-in's bookkeeping, written in one round trip
/// (`Store::record_sign_in`): a browser seen for the first time is mailed about once,
/// and only then; the audit row says which it was; the failure count and the address's
/// throttle end; a scheduled deletion is read with it.
async fn a_sign_in_from_a_new_browser_is_mailed_once_and_ends_the_failures(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "newdevice@example.com";
    let row = customer(&app, email).await;
    let anonymous = identity::principal::Principal::Anonymous;

    // Two failures first: counted against the account and the address.
    let b = Browser::new(&app);
    for _ in 0..2 {
        assert_eq!(b.login(email, WRONG).await, (400, json!({ "Message": LOGIN_FAILED })));
    }
    assert_eq!(reload(&app, &row).await.failed_logins, 2);
    let acct = account_key(&row.email_normalized);
    assert!(app.identity.store().throttle_get(&acct).await.unwrap().is_some(), "the address's failures are counted");

    // A new browser: signed in, mailed, and the failures end.
    assert_eq!(b.login(email, PASSWORD).await, (200, json!("/account")));
    let mail = mail_to(&app, email, NEW_SIGN_IN_SUBJECT).await;
    assert!(mail.text.contains("Firefox"), "the mail names the browser: {}", mail.text);
    assert_eq!(reload(&app, &row).await.failed_logins, 0);
    assert!(app.identity.store().throttle_get(&acct).await.unwrap().is_none(), "the address's throttle ends");
    assert_eq!(sign_ins_new_device(&app, &row.id).await, vec![true]);

    // The same browser again (its device cookie): no notice.
    assert_eq!(b.call("logout", &[]).await.0, 200);
    assert_eq!(b.login(email, PASSWORD).await, (200, json!("/account")));
    assert_eq!(sign_ins_new_device(&app, &row.id).await, vec![true, false]);
    assert_eq!(notices_queued(&app, email).await, 1, "a known browser is not mailed about");

    // Another browser: mailed again.
    let other = Browser::with_agent(&app, CHROME_WINDOWS);
    assert_eq!(other.login(email, PASSWORD).await, (200, json!("/account")));
    assert_eq!(sign_ins_new_device(&app, &row.id).await, vec![true, false, true]);
    assert_eq!(notices_queued(&app, email).await, 2);

    // One new browser signing in twice at once: one of the two is new, one notice.
    let device = "d".repeat(43);
    let (from_a, from_b) = (meta(7), meta(8));
    let (first, second) = tokio::join!(
        app.identity.login(&anonymous, email, secret(PASSWORD), Some(&device), &from_a),
        app.identity.login(&anonymous, email, secret(PASSWORD), Some(&device), &from_b),
    );
    use identity::accounts::login::LoginStep;
    let (Ok(LoginStep::SignedIn(first)), Ok(LoginStep::SignedIn(second))) = (first, second) else { panic!("both signed in") };
    assert_eq!((first.erase_at, second.erase_at), (None, None), "no deletion scheduled");
    assert_eq!(sign_ins_new_device(&app, &row.id).await[3..].iter().filter(|n| **n).count(), 1, "exactly one of the two was new");
    assert_eq!(notices_queued(&app, email).await, 3);

    // A scheduled deletion comes back with the sign-in's write.
    let me = identity::principal::Principal::customer(&row.id, "foyer:pwd");
    let erase_at = app.identity.request_deletion(&me, &row.id, email, &meta(9)).await.unwrap();
    let Ok(LoginStep::SignedIn(signed)) = app.identity.login(&anonymous, email, secret(PASSWORD), Some(&device), &meta(9)).await else {
        panic!("signed in")
    };
    assert_eq!(signed.erase_at, Some(erase_at));
}
