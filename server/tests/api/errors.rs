//! Where errors become responses, seen from outside (`app::error`'s table): a server
//! function answering the core's `NotFound` is a 404, and a passkey of another account is
//! "not found" too (nothing tells the caller it exists). No server function can answer
//! `Conflict` today (the one path, `passkey_add` of a credential already registered,
//! needs the same authenticator answer twice, which a challenge forbids); its 409 is
//! unit-tested in `app::error` (`fail_sets_the_status_on_the_response`).

use serde_json::json;

use crate::accounts::{Browser, PASSWORD, customer};
use crate::passkeys::{Device, add_passkey, list};
use crate::support::{Db, TestApp, both_backends};

both_backends!(a_passkey_that_is_not_there_is_a_404);

async fn a_passkey_that_is_not_there_is_a_404(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let (ann, bob) = ("ann@example.com", "bob@example.com");
    customer(&app, ann).await;
    customer(&app, bob).await;
    let a = Browser::new(&app);
    assert_eq!(a.login(ann, PASSWORD).await.0, 200);
    let missing = "00000000-0000-4000-8000-000000000000";

    let (status, body) = a.call("rename_passkey", &[("id", missing), ("name", "Laptop")]).await;
    assert_eq!((status, body), (404, json!({ "NotFound": "That passkey was not found. Please reload the page." })));
    let (status, body) = a.call("remove_passkey", &[("id", missing)]).await;
    assert_eq!((status, body), (404, json!({ "NotFound": "That passkey was not found. Please reload the page." })));

    // Bob's passkey, named from Ann's session: the same answer as one that never was.
    let b = Browser::new(&app);
    assert_eq!(b.login(bob, PASSWORD).await.0, 200);
    add_passkey(&app, &b, &mut Device::new(), "Bob's key").await;
    let bobs = list(&b).await[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = a.call("rename_passkey", &[("id", &bobs), ("name", "Mine now")]).await;
    assert_eq!((status, body), (404, json!({ "NotFound": "That passkey was not found. Please reload the page." })));
    let (status, body) = a.call("remove_passkey", &[("id", &bobs)]).await;
    assert_eq!((status, body), (404, json!({ "NotFound": "That passkey was not found. Please reload the page." })));
    assert_eq!(list(&b).await[0]["name"], "Bob's key", "untouched");

    // Signed out, the same call is a 401 before anything is looked up.
    let stranger = Browser::new(&app);
    assert_eq!(stranger.call("rename_passkey", &[("id", &bobs), ("name", "x")]).await.0, 401);
}
