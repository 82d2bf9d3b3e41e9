//! The harness itself: the seeding helpers make what they say through the use cases,
//! and the steerable clock is the one the running server reads.

use std::time::Duration;

use identity::staff::StaffRole;
use secrecy::ExposeSecret as _;

use crate::accounts::{Browser, PASSWORD};
use crate::support::{Db, TestApp, both_backends};

both_backends!(seeding_helpers_make_what_they_say, advancing_the_clock_moves_the_server);

async fn seeding_helpers_make_what_they_say(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let id = app.with_customer("ann@example.com", PASSWORD).await;
    let ann = app.identity.store().customer_by_id(&id).await.unwrap().unwrap();
    assert!(ann.email_verified && ann.password_hash.is_some(), "confirmed, password kept");
    let b = Browser::new(&app);
    assert_eq!(b.login("ann@example.com", PASSWORD).await.0, 200);
    let me = b.me().await;
    assert_eq!((me["email"].as_str(), me["email_verified"].as_bool()), (Some("ann@example.com"), Some(true)), "{me}");

    let una = app.with_unconfirmed_customer("una@example.com", PASSWORD).await;
    assert!(!app.identity.store().customer_by_id(&una).await.unwrap().unwrap().email_verified);

    let brand = app.with_brand("air").await;
    assert_eq!(brand.slug, "air");
    let client = app.with_client("air", "http://127.0.0.1:9/cb").await;
    assert_eq!(client.client.brand_slug, "air");
    assert_eq!(client.client.redirect_uris, ["http://127.0.0.1:9/cb"]);
    assert!(client.secret.as_ref().is_some_and(|s| !s.expose_secret().is_empty()), "a confidential client");

    let (staff_id, link) = app.with_staff(StaffRole::Support).await;
    let token = link.split("token=").nth(1).expect("a token in the enrolment link");
    let enrolment = app.identity.staff_enrolment(token).await.unwrap();
    let member = app.identity.store().staff_by_email(&enrolment.email).await.unwrap().unwrap();
    assert_eq!((member.id, member.role.as_str(), member.enrolled_at), (staff_id, "support", None));
}

async fn advancing_the_clock_moves_the_server(db: Db) {
    let Some(app) = TestApp::builder(db).with_clock().spawn().await else { return };
    let start = app.identity.now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(app.identity.now(), start, "the clock stands still");
    app.with_customer("ann@example.com", PASSWORD).await;
    let b = Browser::new(&app);
    assert_eq!(b.login("ann@example.com", PASSWORD).await.0, 200);
    assert_ne!(b.me().await, serde_json::Value::Null, "signed in");
    app.advance(Duration::from_secs(31 * 60));
    assert_eq!(app.identity.now(), start + 31 * 60_000);
    assert_eq!(b.me().await, serde_json::Value::Null, "the server saw 31 idle minutes: the session is over");
}
