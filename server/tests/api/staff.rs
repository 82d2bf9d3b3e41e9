//! Staff sign-in (`docs/design/staff.md`, one test per line of its attack table): the
//! one-time enrolment link, `/admin/login` with password and code, throttling, and the
//! staff session kept apart from the customer's (`/admin` only, idle timeout, sign-out).

use std::sync::Arc;
use std::time::Duration;

use identity::accounts::mfa::code_at;
use identity::domain::Email;
use identity::staff::StaffRole;
use identity::FixedClock;
use reqwest::header;
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};

use crate::accounts::{PASSWORD, customer};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    enrolment_link_works_once_and_expires,
    sign_in_needs_password_and_code,
    wrong_codes_throttle,
    a_customer_cookie_never_opens_admin,
    a_staff_cookie_never_opens_account,
    sign_in_cycles_the_id,
    sign_out_ends_it_server_side,
    idle_timeout_ends_the_session,
    cross_site_posts_are_refused,
    brand_admin_stays_in_their_brands,
    role_change_applies_at_the_next_request,
    support_searches_customers_on_a_plain_page,
);

pub(crate) const STAFF_PASSWORD: &str = "quiet lantern orbit meadow 93";
const SIGN_IN_FAILED: &str = "Email, password or code is incorrect, or the account cannot sign in right now.";
const TOKEN_INVALID: &str = "This link or code is invalid or has expired.";
/// The staff cookie on the plain-http test server (`__Host-foyer-admin` needs https).
const STAFF_COOKIE: &str = "foyer-admin";

/// A browser with its own cookie jar that posts like the pages do (CSRF headers).
pub(crate) struct Browser {
    pub(crate) client: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
    pub(crate) address: String,
    origin: String,
}

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(Arc::clone(&jar))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
            // A request that never answers fails the test instead of hanging the suite.
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap();
        Self { client, jar, address: app.address.clone(), origin: app.public_url.clone() }
    }

    /// A browser that sends only `cookie` (name=value), as a thief would.
    fn with_cookie(app: &TestApp, cookie: &str) -> Self {
        let b = Self::new(app);
        b.jar.add_cookie_str(&format!("{cookie}; Path=/"), &b.address.parse().unwrap());
        b
    }

    /// POSTs a server function (`/admin/api/…` or `/api/…`); status and JSON body.
    pub(crate) async fn call(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.address))
            .header(header::ORIGIN, self.origin.as_str())
            .header("sec-fetch-site", "same-origin")
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("status {status}, not JSON ({e}): {text}")))
    }

    /// POSTs a form as a browser without the wasm does (HTML wanted, `__page` naming
    /// the page); the status and the `Location` it answers with.
    pub(crate) async fn post_plain(&self, path: &str, form: &[(&str, &str)]) -> (u16, Option<String>) {
        let r = self
            .client
            .post(format!("{}{path}", self.address))
            .header(header::ORIGIN, self.origin.as_str())
            .header("sec-fetch-site", "same-origin")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .form(form)
            .send()
            .await
            .unwrap();
        let location = r.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        (r.status().as_u16(), location)
    }

    /// A page as a browser asks for it (`Accept: text/html`: redirects are 302s).
    pub(crate) async fn get(&self, path: &str) -> (u16, Option<String>, String) {
        let r = self.client.get(format!("{}{path}", self.address)).header(header::ACCEPT, "text/html,application/xhtml+xml").send().await.unwrap();
        let status = r.status().as_u16();
        let location = r.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        (status, location, r.text().await.unwrap())
    }

    async fn admin_me(&self) -> Value {
        let (status, body) = self.call("/admin/api/me", &[]).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    pub(crate) async fn admin_login(&self, email: &str, password: &str, code: &str) -> (u16, Value) {
        self.call("/admin/api/login", &[("email", email), ("password", password), ("code", code)]).await
    }

    /// The value of cookie `name` this browser would send.
    fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore as _;
        let header = self.jar.cookies(&self.address.parse().unwrap())?;
        let prefix = format!("{name}=");
        header.to_str().ok()?.split("; ").find_map(|c| c.strip_prefix(&prefix).map(str::to_owned))
    }
}

/// Creates a staff member as `foyer admin create` does; returns the link's token.
async fn create_staff(app: &TestApp, email: &str, name: Option<&str>) -> String {
    create_staff_as(app, email, name, StaffRole::Support).await
}

/// [`create_staff`] with a role.
async fn create_staff_as(app: &TestApp, email: &str, name: Option<&str>, role: StaffRole) -> String {
    let created = app
        .identity
        .create_staff_named(&identity::principal::Principal::Operator, &Email::parse(email).unwrap(), name, role, &app.public_url)
        .await
        .unwrap();
    let link = created.enrolment_link.expose_secret().to_owned();
    let prefix = format!("{}/admin/enrol?token=", app.public_url);
    link.strip_prefix(&prefix).unwrap_or_else(|| panic!("{link}")).to_owned()
}

/// Enrols from the link through the pages' server functions; returns the TOTP secret.
pub(crate) async fn enrol(app: &TestApp, token: &str) -> String {
    let b = Browser::new(app);
    let (status, view) = b.call("/admin/api/enrolment", &[("token", token)]).await;
    assert_eq!(status, 200, "{view}");
    let secret = view["secret"].as_str().unwrap().to_owned();
    let code = code_at(&secret, app.identity.now()).unwrap();
    let (status, next) = b.call("/admin/api/enrol", &[("token", token), ("password", STAFF_PASSWORD), ("code", code.as_str())]).await;
    assert_eq!((status, next), (200, json!("/admin/login")));
    secret
}

/// A staff member enrolled and signed in; the browser and the TOTP secret.
async fn signed_in_staff(app: &TestApp, email: &str) -> (Browser, String) {
    signed_in_staff_as(app, email, StaffRole::Support).await
}

/// A staff member of `role`, enrolled and signed in; the browser and the TOTP secret.
pub(crate) async fn signed_in_staff_as(app: &TestApp, email: &str, role: StaffRole) -> (Browser, String) {
    let token = create_staff_as(app, email, Some("Sam Support"), role).await;
    let secret = enrol(app, &token).await;
    let b = Browser::new(app);
    let code = next_code(app, &secret);
    assert_eq!(b.admin_login(email, STAFF_PASSWORD, &code).await, (200, json!("/admin")));
    (b, secret)
}

/// A code of the next time step: newer than the one enrolment used, still in the window.
pub(crate) fn next_code(app: &TestApp, secret: &str) -> String {
    code_at(secret, app.identity.now() + 30_000).unwrap()
}

/// `docs/design/admin.md`: the staff principal is read from the row on every request
/// (role and granted brands); a brand administrator changes their brands' settings and
/// no other brand's; before enrolment there is no principal at all.
async fn brand_admin_stays_in_their_brands(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    use identity::brand::BrandSlug;
    use identity::principal::Principal;
    let air = app.with_brand("air").await;
    app.with_brand("hotels").await;
    let email = Email::parse("ba@example.com").unwrap();
    let created = app.identity.create_staff_named(&Principal::Operator, &email, None, StaffRole::BrandAdmin, &app.public_url).await.unwrap();
    assert_eq!(app.identity.staff_principal(&created.row.id, None).await.unwrap(), None, "not enrolled: no principal");
    let token = created.enrolment_link.expose_secret().rsplit("token=").next().unwrap().to_owned();
    enrol(&app, &token).await;
    assert!(app.identity.grant_staff_brand(&Principal::Operator, "ba@example.com", "air").await.unwrap());
    let principal = app.identity.staff_principal(&created.row.id, None).await.unwrap().unwrap();
    assert_eq!(principal, Principal::Staff { id: created.row.id.clone(), role: StaffRole::BrandAdmin, ticket: None, brands: vec![air.id.clone()] });
    let colors = ["primary=#0b3d91".to_owned(), "on-primary=#ffffff".to_owned()];
    app.identity.set_brand_theme(&principal, &BrandSlug::parse("air").unwrap(), &colors, None).await.unwrap();
    let other = app.identity.set_brand_theme(&principal, &BrandSlug::parse("hotels").unwrap(), &colors, None).await;
    assert!(matches!(other, Err(identity::Error::Forbidden)), "{other:?}");
    let new_brand = app.identity.create_brand(&principal, &BrandSlug::parse("cars").unwrap(), "Cars").await;
    assert!(matches!(new_brand, Err(identity::Error::Forbidden)), "creating brands is the operator's: {new_brand:?}");
    let staff = app.identity.create_staff(&principal, &Email::parse("x@example.com").unwrap(), StaffRole::Operator, &app.public_url).await;
    assert!(matches!(staff, Err(identity::Error::Forbidden)), "no staff management: {staff:?}");
}

/// `/admin/customers` before any wasm: the GET form's results, masked, for a signed-in
/// agent; signed out, the page sends you to sign in; a customer's cookie opens nothing.
async fn support_searches_customers_on_a_plain_page(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let ada = app.with_customer("ada.king@example.com", PASSWORD).await;
    let form = identity::domain::profile::ProfileForm { given_name: Some("Ada".into()), family_name: Some("King".into()), ..Default::default() };
    app.identity.update_profile(&identity::principal::Principal::customer(&ada, "foyer:pwd"), &ada, &form).await.unwrap();
    let (agent, _) = signed_in_staff(&app, "sam@example.com").await;
    let (status, _, html) = agent.get("/admin/customers?q=ada+king").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Ada King") && html.contains(&ada), "the customer is found: {html}");
    assert!(html.contains("a\u{2022}\u{2022}\u{2022}@e\u{2022}\u{2022}\u{2022}.com"), "the address masked");
    assert!(!html.contains("ada.king@example.com"), "never the address in clear");
    let (status, _, html) = agent.get("/admin/customers?q=a").await;
    assert_eq!(status, 400, "one letter is refused with a reason: {html}");
    assert!(html.contains("at least 2 characters"), "{html}");
    let (status, location, _) = Browser::new(&app).get("/admin/customers?q=ada").await;
    assert_eq!((status, location.as_deref()), (302, Some("/admin/login")), "signed out");
}

async fn enrolment_link_works_once_and_expires(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let token = create_staff(&app, "agent@example.com", None).await;
    // The welcome mail says the account exists; the link is only in the terminal.
    let mail = app.smtp().wait_for(1, Duration::from_secs(10)).await;
    assert!(!mail[0].raw.contains(&token) && !mail[0].raw.contains("/admin/enrol"), "{}", mail[0].text);

    let b = Browser::new(&app);
    let (status, page, body) = b.get(&format!("/admin/enrol?token={token}")).await;
    assert_eq!((status, page), (200, None));
    assert!(body.contains("agent@example.com") && body.contains("totp-secret"), "the page shows the app's key");
    let (_, first) = b.call("/admin/api/enrolment", &[("token", token.as_str())]).await;
    let (_, again) = b.call("/admin/api/enrolment", &[("token", token.as_str())]).await;
    assert_eq!(first["secret"], again["secret"], "one secret until enrolment completes");
    let secret = first["secret"].as_str().unwrap();
    let code = code_at(secret, app.identity.now()).unwrap();

    // The customers' password policy; a wrong code; neither spends the link.
    let (status, weak) = b.call("/admin/api/enrol", &[("token", &token), ("password", "password"), ("code", &code)]).await;
    assert_eq!(status, 400, "{weak}");
    assert!(weak.to_string().contains("Password"), "{weak}");
    let (status, wrong) = b.call("/admin/api/enrol", &[("token", &token), ("password", STAFF_PASSWORD), ("code", "000000")]).await;
    assert_eq!(status, 400, "{wrong}");
    let ok = b.call("/admin/api/enrol", &[("token", &token), ("password", STAFF_PASSWORD), ("code", &code)]).await;
    assert_eq!(ok, (200, json!("/admin/login")));

    // Spent: neither the page nor the form works a second time.
    let second = b.call("/admin/api/enrol", &[("token", &token), ("password", STAFF_PASSWORD), ("code", &next_code(&app, secret))]).await;
    assert_eq!(second, (400, json!({ "Message": TOKEN_INVALID })));
    assert_eq!(b.call("/admin/api/enrolment", &[("token", &token)]).await.0, 400);

    // A link made 25 hours ago has expired.
    let past = app.identity_at(Arc::new(FixedClock::at(app.identity.now() - 25 * 3_600_000)));
    let old = past.create_staff(&identity::principal::Principal::Operator, &Email::parse("late@example.com").unwrap(), StaffRole::Operator, &app.public_url).await.unwrap();
    let old_token = old.enrolment_link.expose_secret().rsplit('=').next().unwrap().to_owned();
    assert_eq!(b.call("/admin/api/enrolment", &[("token", &old_token)]).await, (400, json!({ "Message": TOKEN_INVALID })));
    assert_eq!(b.call("/admin/api/enrol", &[("token", &old_token), ("password", STAFF_PASSWORD), ("code", "123456")]).await.0, 400);
    // An unenrolled account cannot sign in at all.
    assert_eq!(b.admin_login("late@example.com", STAFF_PASSWORD, "123456").await, (400, json!({ "Message": SIGN_IN_FAILED })));
}

async fn sign_in_needs_password_and_code(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let email = "sam@example.com";
    let token = create_staff(&app, email, Some("Sam Support")).await;
    let secret = enrol(&app, &token).await;
    let code = next_code(&app, &secret);
    let b = Browser::new(&app);
    let failed = (400, json!({ "Message": SIGN_IN_FAILED }));
    assert_eq!(b.admin_login(email, "wrong password entirely", &code).await, failed, "the code alone");
    assert_eq!(b.admin_login(email, STAFF_PASSWORD, "").await, failed, "the password alone");
    assert_eq!(b.admin_login(email, STAFF_PASSWORD, "000000").await, failed, "a wrong code");
    assert_eq!(b.admin_login("nobody@example.com", STAFF_PASSWORD, &code).await, failed, "an unknown address");
    assert_eq!(b.admin_me().await, Value::Null);
    // Customers' sign-in knows nothing of staff.
    assert_eq!(b.call("/api/login", &[("email", email), ("password", STAFF_PASSWORD)]).await.0, 400);

    assert_eq!(b.admin_login(email, STAFF_PASSWORD, &code).await, (200, json!("/admin")));
    assert_eq!(b.admin_me().await, json!({ "name": "Sam Support", "email": email, "role": "support", "brands": false }));
    let (status, _, shell) = b.get("/admin").await;
    assert_eq!(status, 200);
    assert!(shell.contains("Sam Support") && shell.contains("support") && shell.contains("Sign out"), "{shell}");
    // The same code again, in another browser, is a replay.
    assert_eq!(Browser::new(&app).admin_login(email, STAFF_PASSWORD, &code).await, failed);

    let actions = audit_actions(&app).await;
    for action in ["staff.created", "staff.enrolled", "staff.signed_in", "staff.sign_in_failed"] {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT action FROM audit_log").fetch_all(app.identity.store().pool()).await.unwrap();
    rows.into_iter().map(|(a,)| a).collect()
}

async fn wrong_codes_throttle(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let email = "guess@example.com";
    let token = create_staff(&app, email, None).await;
    let secret = enrol(&app, &token).await;
    let b = Browser::new(&app);
    // The password is right every time: it clears nothing. Five free failures, then
    // delays of 1 s, 2 s, 4 s …: wait each one out and keep guessing, eight in all.
    let mut failures = 0;
    let mut blocked = 0;
    while failures < 8 {
        let (status, body) = b.admin_login(email, STAFF_PASSWORD, &format!("00000{failures}")).await;
        match status {
            400 => failures += 1,
            429 => {
                assert!(failures > 5, "blocked only after the free failures: {body}");
                blocked += 1;
                tokio::time::sleep(Duration::from_millis(1_100)).await;
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert!(blocked > 0, "guessing was slowed down");
    // Blocked now (4 s after the eighth failure), even with the right code.
    let r = b
        .client
        .post(format!("{}/admin/api/login", b.address))
        .header(header::ORIGIN, b.origin.as_str())
        .header(header::ACCEPT, "application/json")
        .form(&[("email", email), ("password", STAFF_PASSWORD), ("code", next_code(&app, &secret).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429, "blocked, even with the right code");
    assert!(r.headers().contains_key(header::RETRY_AFTER));
    assert_eq!(b.admin_me().await, Value::Null);
    // The customers' counters are apart: the same address is not throttled there.
    let counters: Vec<(String,)> = sqlx::query_as("SELECT key FROM throttle").fetch_all(app.identity.store().pool()).await.unwrap();
    assert!(counters.iter().all(|(k,)| k.starts_with("staff:")), "{counters:?}");
}

async fn a_customer_cookie_never_opens_admin(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    customer(&app, "ann@example.com").await;
    let b = Browser::new(&app);
    assert_eq!(b.call("/api/login", &[("email", "ann@example.com"), ("password", PASSWORD)]).await.0, 200);
    assert_eq!(b.call("/api/me", &[]).await.1["email"], "ann@example.com", "signed in as a customer");
    let (status, location, _) = b.get("/admin").await;
    assert_eq!((status, location.as_deref()), (302, Some("/admin/login")), "never the shell");
    assert_eq!(b.admin_me().await, Value::Null);
    assert_eq!(b.call("/admin/api/logout", &[]).await.0, 200);
    assert_eq!(b.call("/api/me", &[]).await.1["email"], "ann@example.com", "the admin side cannot end it either");
    // The customer's cookie under its staff name means nothing either.
    let stolen = b.cookie("foyer").unwrap();
    let thief = Browser::with_cookie(&app, &format!("{STAFF_COOKIE}={stolen}"));
    assert_eq!(thief.get("/admin").await.0, 302);
}

async fn a_staff_cookie_never_opens_account(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let (b, _) = signed_in_staff(&app, "sam@example.com").await;
    assert_eq!(b.call("/api/me", &[]).await, (200, Value::Null), "not a customer");
    assert_eq!(b.call("/api/get_profile", &[]).await.0, 401);
    let (status, location, account) = b.get("/account").await;
    assert_eq!((status, location.as_deref()), (303, Some("/login?return_to=%2Faccount")), "sent to sign in, as anyone not signed in");
    assert!(!account.contains("sam@example.com"), "the anonymous answer: {account}");
    let stolen = b.cookie(STAFF_COOKIE).unwrap();
    let thief = Browser::with_cookie(&app, &format!("foyer={stolen}"));
    assert_eq!(thief.call("/api/me", &[]).await, (200, Value::Null));
}

async fn sign_in_cycles_the_id(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let (b, _) = signed_in_staff(&app, "sam@example.com").await;
    let before = b.cookie(STAFF_COOKIE).unwrap();
    // Another sign-in in the same browser (a second account, so no code is replayed).
    let token = create_staff(&app, "kim@example.com", None).await;
    let secret = enrol(&app, &token).await;
    assert_eq!(b.admin_login("kim@example.com", STAFF_PASSWORD, &next_code(&app, &secret)).await.0, 200);
    let after = b.cookie(STAFF_COOKIE).unwrap();
    assert_ne!(before, after, "a new id at sign-in");
    assert_eq!(Browser::with_cookie(&app, &format!("{STAFF_COOKIE}={before}")).admin_me().await, Value::Null, "the old id names nothing");
    assert_eq!(b.admin_me().await["email"], "kim@example.com", "nothing of the earlier sign-in is kept");
    // An id planted before sign-in (one the store never issued) is not adopted.
    let planted = "AAAAAAAAAAAAAAAAAAAAAA";
    let victim = Browser::with_cookie(&app, &format!("{STAFF_COOKIE}={planted}"));
    assert_eq!(victim.admin_me().await, Value::Null);
    let token = create_staff(&app, "lee@example.com", None).await;
    let secret = enrol(&app, &token).await;
    assert_eq!(victim.admin_login("lee@example.com", STAFF_PASSWORD, &next_code(&app, &secret)).await.0, 200);
    assert_ne!(victim.cookie(STAFF_COOKIE).as_deref(), Some(planted));
    assert_eq!(Browser::with_cookie(&app, &format!("{STAFF_COOKIE}={planted}")).admin_me().await, Value::Null);
}

async fn sign_out_ends_it_server_side(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let (b, _) = signed_in_staff(&app, "sam@example.com").await;
    let cookie = b.cookie(STAFF_COOKIE).unwrap();
    assert_eq!(b.call("/admin/api/logout", &[]).await, (200, Value::Null));
    let (status, location, _) = b.get("/admin").await;
    assert_eq!((status, location.as_deref()), (302, Some("/admin/login")));
    let replay = Browser::with_cookie(&app, &format!("{STAFF_COOKIE}={cookie}"));
    assert_eq!(replay.admin_me().await, Value::Null, "the copied cookie is dead on the server");
    assert!(audit_actions(&app).await.iter().any(|a| a == "staff.signed_out"));
}

/// One minute (`FOYER_ADMIN_IDLE_MINUTES=1`, the smallest): the test waits it out, as
/// the server under test runs on the system clock.
async fn idle_timeout_ends_the_session(db: Db) {
    let Some(app) = TestApp::builder(db).with_clock().configure(|c| c.admin_idle_minutes = 1).spawn().await else { return };
    let (b, _) = signed_in_staff(&app, "sam@example.com").await;
    app.advance(Duration::from_secs(40));
    assert_eq!(b.admin_me().await["email"], "sam@example.com", "a request moves the deadline");
    app.advance(Duration::from_secs(40));
    assert_eq!(b.admin_me().await["email"], "sam@example.com", "still within a minute of the last request");
    app.advance(Duration::from_secs(62));
    assert_eq!(b.admin_me().await, Value::Null, "idle for over a minute: ended");
    let (status, location, _) = b.get("/admin").await;
    assert_eq!((status, location.as_deref()), (302, Some("/admin/login")));
}

async fn cross_site_posts_are_refused(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let (b, _) = signed_in_staff(&app, "sam@example.com").await;
    let r = b
        .client
        .post(format!("{}/admin/api/logout", b.address))
        .header(header::ORIGIN, "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(b.admin_me().await["email"], "sam@example.com", "still signed in");
    let set_cookie = b.client.post(format!("{}/admin/api/me", b.address)).header(header::ORIGIN, b.origin.as_str()).send().await.unwrap();
    let cookie = set_cookie.headers().get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find(|c| c.starts_with(STAFF_COOKIE)).map(str::to_owned);
    let cookie = cookie.expect("the staff cookie is refreshed on every request");
    assert!(cookie.contains("SameSite=Strict") && cookie.contains("HttpOnly") && cookie.contains("Path=/"), "{cookie}");
}

/// `docs/design/admin.md`: the role lives in the `staff` row and is read on every
/// request; a changed role applies at the next request, a disabled staff member is
/// signed out at once and cannot sign in again.
async fn role_change_applies_at_the_next_request(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    app.with_customer("ada@example.com", PASSWORD).await;
    let (agent, secret) = signed_in_staff(&app, "sam@example.com").await;
    let search = || agent.call("/admin/api/search", &[("q", "ada")]);
    assert_eq!(search().await.0, 200, "an agent searches");
    app.identity.set_staff_role(&identity::principal::Principal::Operator, "sam@example.com", StaffRole::BrandAdmin).await.unwrap();
    assert_eq!(search().await.0, 403, "a brand administrator does not: the same session, the next request");
    app.identity.set_staff_role(&identity::principal::Principal::Operator, "sam@example.com", StaffRole::Support).await.unwrap();
    assert_eq!(search().await.0, 200, "back");
    assert!(app.identity.disable_staff(&identity::principal::Principal::Operator, "sam@example.com").await.unwrap());
    assert_eq!(search().await.0, 401, "disabled: signed out at once");
    assert_eq!(agent.admin_me().await, Value::Null);
    let again = Browser::new(&app);
    assert_eq!(again.admin_login("sam@example.com", STAFF_PASSWORD, &next_code(&app, &secret)).await, (400, json!({ "Message": SIGN_IN_FAILED })), "cannot sign in again");
    // Only the operator changes roles.
    let agent_principal = identity::principal::Principal::Staff { id: "x".into(), role: StaffRole::SupportLead, ticket: None, brands: vec![] };
    assert!(matches!(app.identity.set_staff_role(&agent_principal, "sam@example.com", StaffRole::Operator).await, Err(identity::Error::Forbidden)));
}
