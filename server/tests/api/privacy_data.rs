//! "Your data" (issue 13 items 9 and 10, `docs/design/consent.md` "Export" and
//! "Deletion"): the single-use export link behind a step-up, an archive built from the
//! personal-data inventory that holds every listed table and no secret, the deletion
//! request with its grace period and the sign-in that offers to cancel, and the erasure
//! after which no table names the customer, brands told by back-channel logout.

use std::time::{Duration, Instant};

use identity::accounts::mfa::code_at;
use identity::domain::profile::ProfileForm;
use identity::oidc::clients::ClientSpec;
use identity::principal::Principal;
use identity::store::inventory::{Export, INVENTORY};
use identity::store::privacy::{export_lists, owner, rows_of};
use openidconnect::OAuth2TokenResponse as _;
use reqwest::header;
use serde_json::{Value, json};

use crate::accounts::PASSWORD;
use crate::oidc::rp::{self, Browser, LogoutReceiver, REDIRECT, Rp, assert_token_refused, jwt_parts};
use crate::passkeys::Device;
use crate::support::{Db, TestApp, TestAppBuilder, both_backends};

both_backends!(
    export_needs_step_up_and_the_link_works_once,
    export_holds_every_inventoried_table,
    an_export_holds_no_secrets,
    deletion_can_be_cancelled_by_signing_in,
    deletion_after_the_grace_period_erases_everything,
    after_erasure_nothing_names_the_customer,
    erasure_ends_grants_with_backchannel_logout,
);

const EXPORT_SUBJECT: &str = "A copy of your data was prepared";
const SCHEDULED_SUBJECT: &str = "Your account will be deleted";
const CANCELLED_SUBJECT: &str = "Your account will not be deleted";
const ERASED_SUBJECT: &str = "Your account was deleted";
const DAY: Duration = Duration::from_secs(86_400);

/// A Foyer on a steerable clock, mail to the test SMTP server (worker running).
async fn spawn(db: Db) -> Option<TestApp> {
    spawn_with(TestApp::builder(db).with_smtp().with_clock()).await
}

async fn spawn_with(builder: TestAppBuilder) -> Option<TestApp> {
    rp::spawn_with(builder).await
}

/// A plain GET with `browser`'s cookies, no redirects followed.
async fn get(app: &TestApp, browser: &Browser, path: &str) -> reqwest::Response {
    browser.http.get(app.url(path)).send().await.unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

fn header_of(response: &reqwest::Response, name: header::HeaderName) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// `create_export` for `browser`: the download path.
async fn export_path(browser: &Browser) -> String {
    let (status, body) = browser.server_fn("create_export", &[]).await;
    assert_eq!(status, 200, "{body}");
    let path = body.as_str().expect("a path").to_owned();
    assert!(path.starts_with("/account/privacy/export?token="), "{path}");
    path
}

/// The customer and what names them, seeded in every way the inventory lists.
struct Seeded {
    id: String,
    email: String,
    given: String,
    family: String,
    phone: String,
    secret: String,
}

/// A customer with a profile, a session, a brand grant and consent, two-step
/// verification (app and recovery codes), a passkey, a remembered device and consent
/// decisions: a row in every table the export lists.
async fn seeded(app: &TestApp, email: &str, receiver: Option<&LogoutReceiver>) -> Seeded {
    rp::brand(app, "air", "Northwind Air").await;
    let mut spec = ClientSpec::new("air", "Air web").redirect_uri(REDIRECT);
    if let Some(r) = receiver {
        spec = spec.backchannel_logout_uri(&r.url);
    }
    let air = Rp::register(app, spec).await;
    let row = rp::customer(app, email).await;
    let me = Principal::customer(&row.id, "foyer:pwd");
    let form = ProfileForm {
        given_name: Some("Zephyrine".into()),
        family_name: Some("Quixlowe".into()),
        phone: Some("+44 20 7946 0958".into()),
        street: Some("12 Wharf Lane".into()),
        locality: Some("Bristol".into()),
        postal_code: Some("BS1 4RN".into()),
        country: Some("GB".into()),
        ..ProfileForm::default()
    };
    app.identity.update_profile(&me, &row.id, &form).await.expect("profile saved");
    let row = app.identity.store().customer_by_id(&row.id).await.unwrap().unwrap();

    let browser = Browser::new(app);
    browser.sign_in(email).await;
    air.sign_in(&browser, &["email", "profile"]).await;

    // Two-step verification: an authenticator app (and its recovery codes).
    let (status, setup) = browser.server_fn("start_totp", &[]).await;
    assert_eq!(status, 200, "{setup}");
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let code = code_at(&secret, app.identity.now()).unwrap();
    let (status, codes) = browser.server_fn("confirm_totp", &[("code", code.as_str())]).await;
    assert_eq!(status, 200, "{codes}");

    // A passkey.
    let (status, options) = browser.server_fn("passkey_add_options", &[]).await;
    assert_eq!(status, 200, "{options}");
    let options: Value = serde_json::from_str(options.as_str().unwrap()).unwrap();
    let answer = Device::new().register(&app.public_url, &options);
    let (status, body) = browser.server_fn("passkey_add", &[("name", "Work laptop"), ("response", &answer)]).await;
    assert_eq!(status, 200, "{body}");

    // A second browser signs in with the app's code and is remembered.
    let other = Browser::new(app);
    browser_sign_in_with_code(app, &other, email, &secret, 1).await;

    // Brand data: an attribute of Air with a value, and Air's preferences.
    let air_slug = identity::brand::BrandSlug::parse("air").unwrap();
    let seat = identity::branddata::AttributeSpec {
        key: "seat".into(),
        labels: vec!["en=Seat".into()],
        kind: "choice".into(),
        choices: vec!["aisle=en:Aisle".into(), "window=en:Window".into()],
        ..identity::branddata::AttributeSpec::default()
    };
    app.identity.declare_attribute(&Principal::Operator, Some(&air_slug), &seat).await.unwrap();
    let (status, body) = browser.server_fn("save_brand_data", &[("brand", "air"), ("values[seat]", "window"), ("frequency", "weekly")]).await;
    assert_eq!(status, 200, "{body}");

    seed_consent_decisions(app, &row.id, 1).await;
    Seeded {
        id: row.id,
        email: email.to_owned(),
        given: "Zephyrine".into(),
        family: "Quixlowe".into(),
        phone: row.phone.expect("a phone"),
        secret,
    }
}

/// Password, then the app's code `steps_ahead` steps ahead, remembering the device.
async fn browser_sign_in_with_code(app: &TestApp, browser: &Browser, email: &str, secret: &str, steps_ahead: i64) -> Value {
    let (status, next) = browser.server_fn("login", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(status, 200, "{next}");
    assert!(next.as_str().unwrap().starts_with("/login/second-factor"), "{next}");
    let code = code_at(secret, app.identity.now() + steps_ahead * 30_000).unwrap();
    let (status, next) = browser.server_fn("login_second_factor", &[("code", code.as_str()), ("remember", "on")]).await;
    assert_eq!(status, 200, "{next}");
    next
}

/// Consent decisions for the customer: `n` ledger records of a group purpose and the
/// state they project. Written as rows because the ledger's use cases come with the
/// consent branch (issue 13 items 1–3); replace with them once merged.
async fn seed_consent_decisions(app: &TestApp, customer_id: &str, n: usize) {
    let pool = app.identity.store().pool();
    let now = app.identity.now();
    sqlx::query(
        "INSERT INTO purposes (id, brand_id, key, legal_basis, required, data_categories, retention, channels, texts, created_at) \
         VALUES ('p-news', NULL, 'newsletter', 'consent', 0, '[\"contact\"]', NULL, '[\"email\"]', \
         '{\"en\":{\"title\":\"News\",\"description\":\"Our news\"}}', $1) ON CONFLICT DO NOTHING",
    )
    .bind(now)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO purpose_versions (purpose_id, version, body, effective_at, material, published_at) \
         VALUES ('p-news', 1, 'Send me news', $1, 1, $1) ON CONFLICT DO NOTHING",
    )
    .bind(now)
    .execute(pool)
    .await
    .unwrap();
    let mut tx = app.identity.store().begin().await.unwrap();
    for i in 0..n {
        sqlx::query(
            "INSERT INTO consent_ledger (receipt_id, customer_id, purpose_id, version, brand_id, decision, at, collection, actor, \
             request_id, user_agent, jurisdiction, receipt_jws) \
             VALUES ($1, $2, 'p-news', 1, NULL, $3, $4, 'portal', $5, $6, 'Mozilla/5.0 (X11; Linux x86_64)', 'GB', 'eyJhbGciOiJFZERTQSJ9.e30.c2ln')",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(customer_id)
        .bind(if i % 2 == 0 { "granted" } else { "withdrawn" })
        .bind(now + i64::try_from(i).unwrap())
        .bind(format!("customer:{customer_id}"))
        .bind(format!("req-{i}"))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO consent_state (customer_id, purpose_id, channel, version, decision, at, ledger_seq) VALUES ($1, 'p-news', '', 1, 'granted', $2, 1) \
         ON CONFLICT DO NOTHING",
    )
    .bind(customer_id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// The archive, through the core (as the download route gets it).
async fn archive_of(app: &TestApp, customer_id: &str) -> Value {
    let me = Principal::customer(customer_id, "foyer:mfa");
    let meta = crate::accounts::meta(7);
    let link = app.identity.create_export_link(&me, customer_id, &meta).await.unwrap();
    let archive = app.identity.download_export(&me, customer_id, &link.token).await.unwrap();
    serde_json::from_str(&archive.json).unwrap()
}

async fn export_needs_step_up_and_the_link_works_once(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let ann = rp::customer(&app, "ann@example.com").await;
    rp::customer(&app, "bob@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;

    // A sign-in six minutes old is not recent: the step-up is asked for.
    app.advance(Duration::from_secs(6 * 60));
    let (status, body) = browser.server_fn("create_export", &[]).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body, json!("ReauthRequired"), "{body}");
    let (status, body) = browser.server_fn("reauthenticate", &[("password", PASSWORD)]).await;
    assert_eq!(status, 200, "{body}");
    let path = export_path(&browser).await;

    // Another customer cannot use the link (and does not spend it); signed out neither.
    let bob = Browser::new(&app);
    bob.sign_in("bob@example.com").await;
    let refused = get(&app, &bob, &path).await;
    assert_eq!((refused.status().as_u16(), location(&refused)), (303, "/account/privacy/data?export=expired".to_owned()));
    let stranger = Browser::new(&app);
    let refused = get(&app, &stranger, &path).await;
    assert_eq!(refused.status().as_u16(), 303);
    assert_eq!(location(&refused), "/login?return_to=%2Faccount%2Fprivacy%2Fdata");

    // Ann downloads it: JSON, an attachment with the date, never cached.
    let download = get(&app, &browser, &path).await;
    assert_eq!(download.status().as_u16(), 200);
    let date: String = identity::clock::format_millis(app.identity.now()).chars().take(10).collect();
    assert_eq!(header_of(&download, header::CONTENT_TYPE), "application/json");
    assert_eq!(header_of(&download, header::CONTENT_DISPOSITION), format!("attachment; filename=\"foyer-export-{date}.json\""));
    assert_eq!(header_of(&download, header::CACHE_CONTROL), "no-store");
    let archive: Value = download.json().await.unwrap();
    assert_eq!(archive["format"], "foyer-export/1");
    assert_eq!(archive["customer_id"], ann.id.as_str());
    assert_eq!(archive["profile"]["email"], "ann@example.com");

    // Once only.
    let again = get(&app, &browser, &path).await;
    assert_eq!((again.status().as_u16(), location(&again)), (303, "/account/privacy/data?export=expired".to_owned()));

    // Fifteen minutes only (the session is stepped up again first: its five minutes are over).
    let (status, _) = browser.server_fn("reauthenticate", &[("password", PASSWORD)]).await;
    assert_eq!(status, 200);
    let late = export_path(&browser).await;
    app.advance(Duration::from_secs(15 * 60 + 1));
    let expired = get(&app, &browser, &late).await;
    assert_eq!((expired.status().as_u16(), location(&expired)), (303, "/account/privacy/data?export=expired".to_owned()));

    // Without the wasm the form post goes straight to the download.
    let (status, _) = browser.server_fn("reauthenticate", &[("password", PASSWORD)]).await;
    assert_eq!(status, 200);
    let plain = browser
        .http
        .post(app.url("/api/create_export"))
        .header(header::ACCEPT, "text/html")
        .header(header::ORIGIN, "null")
        .header("sec-fetch-site", "same-origin")
        .form(&[("__page", "/account/privacy/data")])
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status().as_u16(), 303);
    let to = location(&plain);
    assert!(to.starts_with("/account/privacy/export?token="), "{to}");
    assert_eq!(get(&app, &browser, &to).await.status().as_u16(), 200);

    // Each preparation is mailed (when, from which device) and audited.
    let mail = app.mail_text("ann@example.com", EXPORT_SUBJECT).await;
    assert!(mail.contains("Firefox on Linux"), "{mail}");
    let actions = rp::audit_actions(&app).await;
    assert_eq!(actions.iter().filter(|a| *a == "privacy.export_created").count(), 3, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| *a == "privacy.export_downloaded").count(), 2, "{actions:?}");
}

/// Every `List(..)` table of the inventory appears in the archive with the row seeded
/// for it: a table added to the inventory without a row here fails this test. Also the
/// export's speed with 1,000 ledger records (printed, not asserted).
async fn export_holds_every_inventoried_table(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let ann = seeded(&app, "ann@example.com", None).await;
    seed_consent_decisions(&app, &ann.id, 999).await;
    app.identity.create_household(&Principal::customer(&ann.id, "foyer:pwd"), &ann.id, "Ann's").await.unwrap();
    app.with_programme("air", "air-miles", "brand-api").await;
    let meta = crate::support::seed::seed_meta(4);
    app.identity.request_link(&Principal::customer(&ann.id, "foyer:pwd"), &ann.id, "air-miles", "1234567897", None, &meta).await.unwrap();
    // A requested deletion (a row only: the request itself would end the sessions and
    // forget the remembered devices, whose rows the archive must show too).
    sqlx::query("INSERT INTO deletion_requests (customer_id, requested_at, erase_at) VALUES ($1, $2, $3)")
        .bind(&ann.id)
        .bind(app.identity.now())
        .bind(app.identity.now() + 14 * 86_400_000)
        .execute(app.identity.store().pool())
        .await
        .unwrap();

    let started = Instant::now();
    let archive = archive_of(&app, &ann.id).await;
    eprintln!("export with 1,000 ledger records: {} ms ({:?})", started.elapsed().as_millis(), app.identity.store().backend());

    let mut missing = Vec::new();
    for (list, tables) in export_lists(INVENTORY) {
        for (table, columns) in tables {
            match archive["sections"][list][table].as_array() {
                Some(rows) if !rows.is_empty() => {
                    for column in columns {
                        assert!(rows[0].get(column).is_some(), "{list}.{table} lacks {column}: {}", rows[0]);
                    }
                }
                _ => missing.push(format!("{list}.{table}")),
            }
        }
    }
    assert!(missing.is_empty(), "the archive has no rows for {missing:?}");
    let profile_columns: Vec<&str> = INVENTORY.iter().filter(|e| e.table == "customers" && e.export == Export::Profile).map(|e| e.column).collect();
    for column in profile_columns {
        assert!(archive["profile"].get(column).is_some(), "profile lacks {column}");
    }
    assert_eq!(archive["profile"]["given_name"], "Zephyrine");
    assert_eq!(archive["profile"]["email"], "ann@example.com");
    // The 1,000 seeded decisions and the consent screen's Allow at Air.
    assert_eq!(archive["sections"]["consent_history"]["consent_ledger"].as_array().unwrap().len(), 1_001);
    assert_eq!(archive["sections"]["passkeys"]["passkeys"][0]["name"], "Work laptop");
    let activity = archive["sections"]["activity"]["audit_log"].as_array().unwrap();
    assert!(activity.iter().any(|a| a["action"] == "mfa.totp_enabled"), "{activity:?}");
    assert!(activity.iter().all(|a| a["at"].as_str().is_some_and(|t| t.ends_with('Z'))), "times are readable");
}

/// No secret, hash or sealed value reaches the archive: every column the inventory
/// marks `No(..)` is read for the customer and none of its values appears (besides the
/// customer's own id and what the profile shows in another form).
async fn an_export_holds_no_secrets(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let ann = seeded(&app, "ann@example.com", None).await;
    // A pending email change and a live export link: hashes of their own.
    let me = Principal::customer(&ann.id, "foyer:mfa");
    app.identity.request_email_change(&me, &ann.id, "ann.new@example.com").await.unwrap();
    app.identity.create_export_link(&me, &ann.id, &crate::accounts::meta(4)).await.unwrap();
    let archive = archive_of(&app, &ann.id).await;
    let text = archive.to_string();

    let mut tx = app.identity.store().begin().await.unwrap();
    let mut checked = 0;
    for entry in INVENTORY.iter().filter(|e| matches!(e.export, Export::No(_))) {
        let rows = rows_of(&mut tx, entry.table, &[entry.column], &owner(INVENTORY, entry.table), &ann.id).await.unwrap();
        for row in rows {
            let Some(value) = row[entry.column].as_str() else { continue };
            if value.len() < 16 || value == ann.id || value == ann.email || value.contains(&format!("customer:{}", ann.id)) {
                continue;
            }
            checked += 1;
            assert!(!text.contains(value), "{}.{} ({}) is in the archive", entry.table, entry.column, &value[..12]);
        }
    }
    tx.rollback().await.unwrap();
    assert!(checked >= 8, "hashes and sealed values were found to compare: {checked}");
    let password_hash = app.identity.store().customer_by_id(&ann.id).await.unwrap().unwrap().password_hash.unwrap();
    assert!(!text.contains(&password_hash) && !text.contains("$argon2"), "no password hash");
    assert!(!text.contains("\"v1."), "no sealed secret");
    assert!(!text.contains(&ann.secret), "no authenticator secret");
    assert!(archive["profile"].get("password_hash").is_none() && archive["profile"].get("email_normalized").is_none());
}

async fn deletion_can_be_cancelled_by_signing_in(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let ann = rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let laptop = Browser::new(&app);
    laptop.sign_in("ann@example.com").await;

    // The typed confirmation must be the account's address; a word is not enough.
    let (status, body) = browser.server_fn("request_deletion", &[("confirmation", "DELETE")]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["Fields"][0]["field"], "Confirmation", "{body}");
    assert_eq!(app.identity.store().deletion_of(&ann.id).await.unwrap(), None, "nothing scheduled");
    // An old sign-in must step up first.
    app.advance(Duration::from_secs(6 * 60));
    let (status, body) = browser.server_fn("request_deletion", &[("confirmation", "ann@example.com")]).await;
    assert_eq!((status, body), (403, json!("ReauthRequired")));
    assert_eq!(browser.server_fn("reauthenticate", &[("password", PASSWORD)]).await.0, 200);
    let requested_at = app.identity.now();
    let (status, next) = browser.server_fn("request_deletion", &[("confirmation", " Ann@Example.com ")]).await;
    assert_eq!(status, 200, "{next}");
    let erase_at = requested_at + 14 * 86_400_000;
    assert_eq!(next, json!(format!("/login/deletion?scheduled={erase_at}")));
    assert_eq!(app.identity.store().deletion_of(&ann.id).await.unwrap().map(|d| d.erase_at), Some(erase_at));
    // Every session ended, this one and the laptop's.
    assert_eq!(browser.me().await, None);
    assert_eq!(laptop.me().await, None);
    let mail = app.mail_text("ann@example.com", SCHEDULED_SUBJECT).await;
    assert!(mail.contains("/login"), "{mail}");
    let page = get(&app, &browser, &format!("/login/deletion?scheduled={erase_at}")).await;
    assert_eq!(page.status().as_u16(), 200);

    // Signing in with the password does not open the account: it offers to cancel.
    let (status, next) = browser.server_fn("login", &[("email", "ann@example.com"), ("password", PASSWORD)]).await;
    assert_eq!((status, next), (200, json!("/login/deletion")));
    assert_eq!(browser.me().await, None, "not signed in");
    let account = get(&app, &browser, "/account").await;
    assert_eq!(account.status().as_u16(), 303, "the account pages stay closed");
    let (status, held) = browser.server_fn("held_deletion", &[]).await;
    assert_eq!(status, 200, "{held}");
    assert_eq!(held["erase_at"], erase_at);
    let page = get(&app, &browser, "/login/deletion").await.text().await.unwrap();
    assert!(page.contains("action=\"/api/cancel_deletion\"") && page.contains("action=\"/api/leave_held_deletion\""), "both choices: {page}");

    // "Sign out" leaves it scheduled.
    assert_eq!(browser.server_fn("leave_held_deletion", &[]).await.0, 200);
    assert_eq!(browser.server_fn("held_deletion", &[]).await.1, Value::Null);
    assert!(app.identity.store().deletion_of(&ann.id).await.unwrap().is_some());

    // A mailed code signs in to the same choice; "Cancel deletion" keeps the account.
    assert_eq!(browser.server_fn("send_sign_in_code", &[("email", "ann@example.com")]).await.0, 200);
    let code = sign_in_code(&app, "ann@example.com").await;
    let (status, next) = browser.server_fn("login_with_code", &[("email", "ann@example.com"), ("code", code.as_str())]).await;
    assert_eq!((status, next), (200, json!("/login/deletion")));
    let (status, next) = browser.server_fn("cancel_deletion", &[]).await;
    assert_eq!((status, next), (200, json!("/account")));
    assert_eq!(browser.me().await.as_deref(), Some("ann@example.com"), "signed in now");
    assert_eq!(app.identity.store().deletion_of(&ann.id).await.unwrap(), None);
    app.mail_text("ann@example.com", CANCELLED_SUBJECT).await;

    // Without the wasm, the request is a plain post that lands on the date.
    let plain = browser
        .http
        .post(app.url("/api/request_deletion"))
        .header(header::ACCEPT, "text/html")
        .header(header::ORIGIN, "null")
        .header("sec-fetch-site", "same-origin")
        .form(&[("__page", "/account/privacy/data"), ("confirmation", "ann@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status().as_u16(), 303);
    assert!(location(&plain).starts_with("/login/deletion?scheduled="), "{}", location(&plain));
    assert!(app.identity.store().deletion_of(&ann.id).await.unwrap().is_some(), "scheduled again");
    // Cancelled again (through the core: the browser is signed out), then the grace
    // period passing changes nothing.
    let meta = crate::accounts::meta(6);
    assert!(app.identity.cancel_deletion(&Principal::customer(&ann.id, "foyer:pwd"), &ann.id, &meta).await.unwrap());
    app.advance(15 * DAY);
    server::maintenance::sweep(&app.identity).await.unwrap();
    assert!(app.identity.store().customer_by_id(&ann.id).await.unwrap().is_some());
    let actions = rp::audit_actions(&app).await;
    for action in ["privacy.deletion_requested", "privacy.deletion_cancelled"] {
        assert!(actions.contains(&action.to_owned()), "{action}: {actions:?}");
    }
}

/// The newest sign-in code mailed to `to`.
async fn sign_in_code(app: &TestApp, to: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(m) = app.smtp().received().iter().rev().find(|m| m.subject.starts_with("Your sign-in code: ") && m.to.iter().any(|t| t == to)) {
            return m.subject["Your sign-in code: ".len()..].to_owned();
        }
        assert!(Instant::now() < deadline, "no sign-in code for {to}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Requests the deletion of `ann` through the core, lets the grace period pass, sweeps.
async fn erase(app: &TestApp, ann: &Seeded) {
    let me = Principal::customer(&ann.id, "foyer:mfa");
    app.identity.request_deletion(&me, &ann.id, &ann.email, &crate::accounts::meta(5)).await.unwrap();
    app.advance(13 * DAY);
    server::maintenance::sweep(&app.identity).await.unwrap();
    assert!(app.identity.store().customer_by_id(&ann.id).await.unwrap().is_some(), "not before the grace period ends");
    app.advance(DAY + Duration::from_secs(60));
    server::maintenance::sweep(&app.identity).await.unwrap();
    assert!(app.identity.store().customer_by_id(&ann.id).await.unwrap().is_none(), "erased");
}

/// Waits until the worker has delivered everything queued.
async fn outbox_drained(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.identity.store().outbox_backlog().await.unwrap() > 0 {
        assert!(Instant::now() < deadline, "the outbox did not drain");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn deletion_after_the_grace_period_erases_everything(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let ann = seeded(&app, "ann@example.com", None).await;
    let bob = rp::customer(&app, "bob@example.com").await;
    // The consent screen's Allow and the seeded decision: every ledger row of hers.
    let (records,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM consent_ledger WHERE customer_id = $1").bind(&ann.id).fetch_one(app.identity.store().pool()).await.unwrap();
    assert!(records >= 2, "{records}");
    erase(&app, &ann).await;
    let pseudonym = app.identity.erasure_pseudonym(&ann.id);
    assert!(pseudonym.starts_with("erased:") && pseudonym.len() == 7 + 64, "{pseudonym}");

    // No row of any inventoried table is found for the customer any more.
    let mut tx = app.identity.store().begin().await.unwrap();
    for table in identity::store::privacy::tables(INVENTORY) {
        let column = INVENTORY.iter().find(|e| e.table == table).unwrap().column;
        let left = rows_of(&mut tx, table, &[column], &owner(INVENTORY, table), &ann.id).await.unwrap();
        assert!(left.is_empty(), "{table} still has {} rows of the customer", left.len());
    }
    tx.rollback().await.unwrap();
    // The ledger and the audit log keep their rows under the pseudonym, evidence cleared.
    let pool = app.identity.store().pool();
    let (ledger, actors, agents): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), SUM(CASE WHEN actor = $1 THEN 1 ELSE 0 END), SUM(CASE WHEN user_agent IS NULL AND request_id IS NULL THEN 1 ELSE 0 END) \
         FROM consent_ledger WHERE customer_id = $1",
    )
    .bind(&pseudonym)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!((ledger, actors, agents), (records, records, records), "every record kept, named by the pseudonym only");
    let (audit,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE actor = $1 OR subject = $1").bind(&pseudonym).fetch_one(pool).await.unwrap();
    assert!(audit > 5, "the audit log keeps the customer's events under the pseudonym: {audit}");
    let actions = rp::audit_actions(&app).await;
    assert!(actions.contains(&"privacy.erased".to_owned()), "{actions:?}");
    // Another customer is untouched; the old address no longer signs in.
    assert!(app.identity.store().customer_by_id(&bob.id).await.unwrap().is_some());
    let (status, _) = Browser::new(&app).server_fn("login", &[("email", "ann@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(status, 400);

    // The brands hear `customer.deleted` with the pseudonym only; a last mail confirms,
    // and once delivered its row no longer holds the address.
    let (event,): (String,) = sqlx::query_as("SELECT payload FROM outbox WHERE kind = 'customer.deleted'").fetch_one(pool).await.unwrap();
    assert_eq!(serde_json::from_str::<Value>(&event).unwrap(), json!({ "type": "customer_deleted", "pseudonym": pseudonym }));
    let mail = app.mail_text("ann@example.com", ERASED_SUBJECT).await;
    assert!(mail.contains("last message"), "{mail}");
    outbox_drained(&app).await;
    let (farewell,): (String,) = sqlx::query_as("SELECT payload FROM outbox WHERE kind = 'email.farewell'").fetch_one(pool).await.unwrap();
    assert_eq!(farewell, r#"{"type":"forgotten"}"#);
}

/// Every text column of every table (found by introspecting the schema, both engines)
/// is searched for the customer's address, names and phone after the erasure.
async fn after_erasure_nothing_names_the_customer(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let ann = seeded(&app, "ann@example.com", None).await;
    // Before: the search finds them (so an empty result below means something).
    let before = naming(&app, &ann).await;
    assert!(before.iter().any(|f| f.starts_with("customers.email")), "{before:?}");
    assert!(before.iter().any(|f| f.starts_with("customers.family_name")), "{before:?}");
    erase(&app, &ann).await;
    app.mail_text("ann@example.com", ERASED_SUBJECT).await;
    outbox_drained(&app).await;
    let after = naming(&app, &ann).await;
    assert!(after.is_empty(), "after erasure these still name the customer: {after:?}");
}

/// `table.column (value)` for every text cell holding the customer's email, given or
/// family name or phone (case-insensitive).
async fn naming(app: &TestApp, ann: &Seeded) -> Vec<String> {
    let pool = app.identity.store().pool();
    let columns: Vec<(String, String)> = match app.identity.store().backend() {
        identity::Backend::Sqlite => {
            sqlx::query_as(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' ORDER BY m.name, p.cid",
            )
            .fetch_all(pool)
            .await
            .unwrap()
        }
        identity::Backend::Postgres => {
            sqlx::query_as(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' \
                 AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb') ORDER BY table_name, ordinal_position",
            )
            .fetch_all(pool)
            .await
            .unwrap()
        }
    };
    assert!(columns.len() > 50, "introspection found the columns: {}", columns.len());
    let mut found = Vec::new();
    for (table, column) in columns {
        for (what, value) in [("email", &ann.email), ("given name", &ann.given), ("family name", &ann.family), ("phone", &ann.phone)] {
            let sql = format!("SELECT COUNT(*) FROM \"{table}\" WHERE LOWER(CAST(\"{column}\" AS TEXT)) LIKE $1");
            let (n,): (i64,) = sqlx::query_as(&sql).bind(format!("%{}%", value.to_lowercase())).fetch_one(pool).await.unwrap();
            if n > 0 {
                found.push(format!("{table}.{column} ({what}, {n} rows)"));
            }
        }
    }
    found
}

/// The deletion request ends every grant and tells the brand; a grant made afterwards
/// (a code issued before the request and redeemed after it, for offline access) is
/// ended by the erasure, again with a back-channel logout.
async fn erasure_ends_grants_with_backchannel_logout(db: Db) {
    let builder = TestApp::builder(db).without_worker().with_clock().configure(|raw| raw.deletion_grace_days = 1);
    let Some(app) = spawn_with(builder).await else { return };
    let receiver = LogoutReceiver::start().await;
    rp::brand(&app, "air", "Northwind Air").await;
    let air = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT).backchannel_logout_uri(&receiver.url)).await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let online = air.sign_in(&browser, &["email"]).await;
    // A code for offline access, issued now and redeemed only after the request.
    let late = air.start(&["offline_access"]);
    let late_code = browser.code_for(late.url.as_str()).await;
    rp::deliver_outbox(&app).await;
    assert!(receiver.take().is_empty());

    let (status, next) = browser.server_fn("request_deletion", &[("confirmation", "ann@example.com")]).await;
    assert_eq!(status, 200, "{next}");
    rp::deliver_outbox(&app).await;
    let tokens = receiver.take();
    assert!(!tokens.is_empty(), "the request logs the brand out");
    for token in &tokens {
        assert_eq!(air.verify_logout_token(token)["sub"], ann.id.as_str());
    }
    assert_eq!(air.refresh(&online.refresh()).await.unwrap_err(), "invalid_grant");
    assert_token_refused(&app, online.access.secret(), "after the deletion request").await;

    let kept = air.finish(late, &late_code).await;
    let refreshed = air.refresh(&kept.refresh()).await.expect("the late grant is alive until the erasure");
    let kept_refresh = refreshed.refresh_token().cloned().expect("a rotated refresh token");
    app.advance(DAY + Duration::from_secs(60));
    server::maintenance::sweep(&app.identity).await.unwrap();
    assert!(app.identity.store().customer_by_id(&ann.id).await.unwrap().is_none(), "erased");
    rp::deliver_outbox(&app).await;
    let tokens = receiver.take();
    assert_eq!(tokens.len(), 1, "the erasure logs the brand out of the late grant");
    // (Its `iat` is a day ahead of the real clock here, so the claims are read as they are.)
    let (_, claims) = jwt_parts(&tokens[0]);
    assert_eq!((claims["sub"].as_str(), claims.get("sid")), (Some(ann.id.as_str()), None), "{claims}");
    assert!(claims["events"].get(rp::BACKCHANNEL_EVENT).is_some(), "{claims}");
    assert_eq!(air.refresh(&kept_refresh).await.unwrap_err(), "invalid_grant");
}
