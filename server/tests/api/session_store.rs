//! Ended sessions stay ended: a request that loaded a session before sign-out elsewhere,
//! "sign out other devices" or a password reset ended it cannot write it back when it
//! finishes (the session store's `save` only updates; rows are born in `create`).
//!
//! The request in flight is played by the session store itself: load the record as the
//! session layer does at the start of a request, end the session over HTTP, then save
//! the loaded record as the layer does at the end.

use reqwest::header;
use serde_json::{Value, json};
use server::http::session_store::FoyerSessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::SessionStore as _;

use crate::accounts::{Browser, NEW_PASSWORD, PASSWORD, RESET_SUBJECT, customer, link_token, mail_to};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    a_session_ended_by_sign_out_elsewhere_is_not_written_back,
    a_session_ended_by_a_password_reset_is_not_written_back,
    a_new_session_is_still_created,
);

/// The session cookie (`foyer=…` on the plain-http test server) a response sets.
fn session_id_set_by(response: &reqwest::Response) -> Id {
    let value = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|line| line.strip_prefix("foyer="))
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("no session cookie set: {:?}", response.headers()));
    value.parse().unwrap()
}

/// Signs `browser` in with [`PASSWORD`] and returns its session id.
async fn sign_in(browser: &Browser, email: &str) -> Id {
    let response = browser.post("login", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), 200);
    session_id_set_by(&response)
}

/// What the session layer holds mid-request: the signed-in record, as loaded.
async fn load_signed_in(store: &FoyerSessionStore, id: &Id) -> Record {
    let record = store.load(id).await.unwrap().expect("the session is live");
    assert!(record.data.contains_key(app::auth::CUSTOMER), "signed in: {:?}", record.data.keys());
    record
}

async fn a_session_ended_by_sign_out_elsewhere_is_not_written_back(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let email = "inflight@example.com";
    customer(&app, email).await;
    let store = FoyerSessionStore::new(app.identity.clone());
    let stolen = Browser::new(&app);
    let owner = Browser::new(&app);
    let stolen_id = sign_in(&stolen, email).await;
    sign_in(&owner, email).await;

    // A request on the stolen cookie starts (and, say, stores ceremony state)…
    let mut in_flight = load_signed_in(&store, &stolen_id).await;
    in_flight.data.insert("ceremony".into(), json!("state"));
    // …the owner signs out every other device meanwhile…
    assert_eq!(owner.call("end_other_devices", &[]).await, (200, json!(1)));
    // …and the request ends by saving what it loaded.
    store.save(&in_flight).await.unwrap();

    assert!(store.load(&stolen_id).await.unwrap().is_none(), "the ended session stays ended");
    assert_eq!(stolen.me().await, Value::Null, "the stolen cookie signs nobody in");
    assert_eq!(owner.me().await["email"], email, "the owner's own session lives on");
}

async fn a_session_ended_by_a_password_reset_is_not_written_back(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let email = "inflight-reset@example.com";
    customer(&app, email).await;
    let store = FoyerSessionStore::new(app.identity.clone());
    let stolen = Browser::new(&app);
    let stolen_id = sign_in(&stolen, email).await;

    let in_flight = load_signed_in(&store, &stolen_id).await;
    let owner = Browser::new(&app);
    assert_eq!(owner.call("forgot_password", &[("email", email)]).await.0, 200);
    let token = link_token(&app, &mail_to(&app, email, RESET_SUBJECT).await, "/reset-password");
    let (status, body) = owner.call("reset_password", &[("token", token.as_str()), ("password", NEW_PASSWORD)]).await;
    assert_eq!(status, 200, "{body}");
    store.save(&in_flight).await.unwrap();

    assert!(store.load(&stolen_id).await.unwrap().is_none(), "the reset's end of the session holds");
    assert_eq!(stolen.me().await, Value::Null);
    let signed_in: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE customer_id IS NOT NULL")
        .fetch_one(app.identity.store().pool())
        .await
        .unwrap();
    assert_eq!(signed_in.0, 0, "no signed-in session of the customer is left");
}

/// Sessions are still born: anonymous ceremony state (before sign-in) is created and read
/// back, and sign-in (a new id) lives on after it.
async fn a_new_session_is_still_created(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let email = "fresh@example.com";
    customer(&app, email).await;
    let store = FoyerSessionStore::new(app.identity.clone());

    let mut record = Record { id: Id::default(), data: Default::default(), expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1) };
    record.data.insert("ceremony".into(), json!("state"));
    store.create(&mut record).await.unwrap();
    let loaded = store.load(&record.id).await.unwrap().expect("created");
    assert_eq!(loaded.data.get("ceremony"), Some(&json!("state")));
    record.data.insert("ceremony".into(), json!("changed"));
    store.save(&record).await.unwrap();
    assert_eq!(store.load(&record.id).await.unwrap().expect("still there").data.get("ceremony"), Some(&json!("changed")));

    // Over HTTP: an anonymous session from the passkey ceremony, then a sign-in.
    let browser = Browser::new(&app);
    let options = browser.post("passkey_sign_in_options", &[]).await;
    assert_eq!(options.status(), 200);
    let anonymous = session_id_set_by(&options);
    assert!(store.load(&anonymous).await.unwrap().is_some(), "the ceremony state is stored");
    let signed = sign_in(&browser, email).await;
    assert_ne!(signed, anonymous, "sign-in moves to a new id");
    assert_eq!(browser.me().await["email"], email);
}
