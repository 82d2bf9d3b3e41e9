//! Two `foyer serve` processes on one PostgreSQL database: what one node does, the
//! other honours.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use identity::oidc::clients::ClientSpec;
use serde_json::Value;

use super::{Cluster, NODE_HEADER, eventually, refused_within_bound};
use crate::oidc::rp::{self, Browser, LogoutReceiver, REDIRECT, Rp, jwt_parts};

/// A code issued at A is redeemed at B; a session made at A works at B; what A revokes
/// (an access token, a refresh token by RFC 7009; a browser session by signing out) is
/// refused at B within the bound; the proxy spreads requests over both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_node_a_issues_or_revokes_node_b_honours() {
    let Some(c) = Cluster::start(2).await else { return };
    let (a, b) = (c.node(0), c.node(1));
    rp::brand(&c.app, "air", "Northwind Air").await;
    let rp = Rp::register(&c.app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    rp::customer(&c.app, "ann@example.com").await;

    // The proxy alternates: consecutive requests reach both nodes.
    let mut seen = HashSet::new();
    for _ in 0..4 {
        let r = c.app.get("/healthz").await;
        seen.insert(r.headers()[NODE_HEADER].to_str().unwrap().to_owned());
    }
    assert_eq!(seen.len(), 2, "round robin over both nodes: {seen:?}");

    // A browser session made at A works at B.
    let at_a = Browser::new(&a);
    at_a.sign_in("ann@example.com").await;
    let at_b = at_a.at(&b);
    assert_eq!(at_b.me().await.as_deref(), Some("ann@example.com"), "the session made at A, at B");

    // A code issued at A (the whole authorization at A) is redeemed at B.
    let start = rp.start(&["email"]);
    let callback = at_a.code_for(start.url.as_str()).await;
    let answer = rp.redeem_raw(&b, callback.code(), Some(&rp.redirect), Some(start.verifier.secret())).await;
    assert_eq!(answer.status, 200, "the code from A, redeemed at B: {}", answer.text);
    let access = answer.body["access_token"].as_str().unwrap().to_owned();
    assert!(answer.body["refresh_token"].is_string(), "{}", answer.text);
    assert_eq!(rp::userinfo_raw(&a, &access).await.status, 200, "B's token at A");
    // The same code again at A: single use across nodes (and the replay revokes the grant).
    let again = rp.redeem_raw(&a, callback.code(), Some(&rp.redirect), Some(start.verifier.secret())).await;
    again.assert_oauth_error(400, "invalid_grant");
    let revoked_by_replay = Instant::now();
    refused_within_bound(revoked_by_replay, "a token of a replayed code's grant", || async { rp::userinfo_raw(&b, &access).await.status == 401 }).await;

    // RFC 7009 at A: the access token is refused at B.
    let signed = rp.sign_in(&at_a, &["email"]).await;
    assert_eq!(rp::userinfo_raw(&b, signed.access.secret()).await.status, 200);
    rp.revoke(&a, signed.access.secret(), "access_token").await;
    let revoked = Instant::now();
    refused_within_bound(revoked, "an access token revoked at A", || async { rp::userinfo_raw(&b, signed.access.secret()).await.status == 401 }).await;

    // RFC 7009 at A: the refresh token (and its grant) is refused at B.
    let refresh = signed.refresh();
    rp.revoke(&a, refresh.secret(), "refresh_token").await;
    let revoked = Instant::now();
    refused_within_bound(revoked, "a refresh token revoked at A", || async {
        let answer = rp::post_form(&b, "/oauth2/token", rp.auth(), &[("grant_type", "refresh_token"), ("refresh_token", refresh.secret())]).await;
        answer.status == 400 && answer.body["error"] == "invalid_grant"
    })
    .await;

    // Signing out at A ends the session at B.
    let live = rp.sign_in(&at_a, &["email"]).await;
    at_a.sign_out().await;
    let signed_out = Instant::now();
    refused_within_bound(signed_out, "a session signed out at A", || async { at_b.me().await.is_none() }).await;
    // The brand's tokens of that sign-in end with it (one grant lifecycle).
    refused_within_bound(signed_out, "a token of a session signed out at A", || async { rp::userinfo_raw(&b, live.access.secret()).await.status == 401 }).await;
}

/// A rotation made while the nodes run (the CLI, as an operator on A's machine would) is
/// published by B, and no node signs with the new keys before every node can publish
/// them: `foyer keys rotate` pre-publishes for an hour, so RPs that fetch the JWKS from
/// any node know the keys before a token carries them (`server::oidc::keys`). Both the
/// ID token's key (RS256) and the access token's (ES256) are checked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_rotation_is_published_by_the_other_node_before_it_signs() {
    let Some(c) = Cluster::start(2).await else { return };
    let (a, b) = (c.node(0), c.node(1));
    rp::brand(&c.app, "air", "Northwind Air").await;
    c.proxy.pin(Some(0)); // discovery and the JWKS from A only
    let rp = Rp::register(&c.app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    rp::customer(&c.app, "ann@example.com").await;
    let browser = Browser::new(&a);
    browser.sign_in("ann@example.com").await;
    let before = rp.sign_in(&browser, &["email"]).await;
    let kid = |token: &str| jwt_parts(token).0["kid"].as_str().unwrap().to_owned();
    let old_kids = [kid(before.access.secret()), kid(&before.id_token.to_string())];
    c.proxy.pin(None);

    let out = crate::support::foyer(&c.app.db, &["keys", "rotate", "--json"], &[("FOYER_MASTER_KEY", super::MASTER_KEY)]);
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    let rotated: Value = serde_json::from_str(crate::support::stdout(&out).trim()).unwrap();
    let new_kids: Vec<String> = rotated["rotated"].as_array().expect("the new kids").iter().map(|k| k.as_str().unwrap().to_owned()).collect();
    assert_eq!(new_kids.len(), 3, "one per algorithm: {rotated}");

    // B publishes the new keys (and the old ones, still signing).
    let jwks: Value = b.get("/oauth2/jwks").await.json().await.unwrap();
    let published: Vec<&str> = jwks["keys"].as_array().unwrap().iter().filter_map(|k| k["kid"].as_str()).collect();
    for k in new_kids.iter().chain(&old_kids) {
        assert!(published.contains(&k.as_str()), "B publishes old and new, {k} missing: {published:?}");
    }
    // Neither node signs with them yet: a sign-in at B is still signed with the old keys.
    let at_b = browser.at(&b);
    let code_at_b = rp.start(&["email"]);
    let callback = at_b.code_for(code_at_b.url.as_str()).await;
    let answer = rp.redeem_raw(&b, callback.code(), Some(&rp.redirect), Some(code_at_b.verifier.secret())).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let signed_with = [kid(answer.body["access_token"].as_str().unwrap()), kid(answer.body["id_token"].as_str().unwrap())];
    assert_eq!(signed_with, old_kids, "the pre-published keys do not sign yet (access token, ID token)");
    // What A signed before the rotation still verifies at B.
    assert_eq!(rp::userinfo_raw(&b, before.access.secret()).await.status, 200);
}

/// `foyer keys rotate --now` (a suspected leak) while both nodes serve refreshes: every
/// token either node issues carries a `kid` that the other node's JWKS, fetched right
/// after, publishes (the new keys activate two seconds after the rotation and every node
/// compares its keys with the database's every second); within seconds both nodes sign
/// with the new keys; and `foyer keys remove` of the old keys makes both nodes refuse
/// what those keys signed within the bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_immediate_rotation_is_published_everywhere_before_any_node_signs() {
    let Some(c) = Cluster::start(2).await else { return };
    let nodes = [c.node(0), c.node(1)];
    rp::brand(&c.app, "air", "Northwind Air").await;
    let rp = Rp::register(&c.app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    rp::customer(&c.app, "ann@example.com").await;
    let browser = Browser::new(&nodes[0]);
    browser.sign_in("ann@example.com").await;
    let signed = rp.sign_in(&browser, &["email"]).await;
    let kid = |token: &str| jwt_parts(token).0["kid"].as_str().unwrap().to_owned();
    let old_kids = [kid(signed.access.secret()), kid(&signed.id_token.to_string())];
    let published = |jwks: &Value| -> Vec<String> { jwks["keys"].as_array().unwrap().iter().filter_map(|k| k["kid"].as_str().map(str::to_owned)).collect() };
    let refresh = |at: usize, token: String| {
        let (app, rp) = (&nodes[at], &rp);
        async move {
            let answer = rp::post_form(app, "/oauth2/token", rp.auth(), &[("grant_type", "refresh_token"), ("refresh_token", token.as_str())]).await;
            assert_eq!(answer.status, 200, "a refresh at node {at}: {}", answer.text);
            answer
        }
    };
    // Both nodes have loaded their keys and sign with the old ones.
    let mut token = signed.refresh().secret().clone();
    for at in [0, 1] {
        let answer = refresh(at, token).await;
        assert_eq!([kid(answer.body["access_token"].as_str().unwrap()), kid(answer.body["id_token"].as_str().unwrap())], old_kids);
        token = answer.body["refresh_token"].as_str().unwrap().to_owned();
    }

    let out = crate::support::foyer(&c.app.db, &["keys", "rotate", "--now", "--json"], &[("FOYER_MASTER_KEY", super::MASTER_KEY)]);
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    let rotated: Value = serde_json::from_str(crate::support::stdout(&out).trim()).unwrap();
    let new_kids: Vec<String> = rotated["rotated"].as_array().expect("the new kids").iter().map(|k| k.as_str().unwrap().to_owned()).collect();

    // Refreshes alternate between the nodes; each answer's keys must be published by the
    // other node at once, before and after the new keys start signing.
    let mut signs_new = [false, false];
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut i = 0;
    while !(signs_new[0] && signs_new[1]) {
        assert!(Instant::now() < deadline, "both nodes sign with the new keys within seconds: {signs_new:?}");
        let (here, there) = (i % 2, (i + 1) % 2);
        let answer = refresh(here, token).await;
        token = answer.body["refresh_token"].as_str().unwrap().to_owned();
        let kids = [kid(answer.body["access_token"].as_str().unwrap()), kid(answer.body["id_token"].as_str().unwrap())];
        let jwks: Value = nodes[there].get("/oauth2/jwks").await.json().await.unwrap();
        let other = published(&jwks);
        for k in &kids {
            assert!(other.contains(k), "node {here} signed with {k}, which node {there} does not publish: {other:?}");
        }
        if kids.iter().all(|k| new_kids.contains(k)) {
            signs_new[here] = true;
        }
        i += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The old keys withdrawn (the leak's second step): what they signed is refused by both.
    for old in &old_kids {
        let out = crate::support::foyer(&c.app.db, &["keys", "remove", old], &[("FOYER_MASTER_KEY", super::MASTER_KEY)]);
        assert!(out.status.success(), "{}", crate::support::stderr(&out));
        let removed = Instant::now();
        for (at, node) in nodes.iter().enumerate() {
            refused_within_bound(removed, &format!("withdrawn key {old} still published by node {at}"), || async {
                let jwks: Value = node.get("/oauth2/jwks").await.json().await.unwrap();
                !published(&jwks).contains(old)
            })
            .await;
        }
    }
    for (at, node) in nodes.iter().enumerate() {
        assert_eq!(rp::userinfo_raw(node, signed.access.secret()).await.status, 401, "node {at} refuses an access token of a withdrawn key");
    }
}

/// Each outbox event is delivered once per endpoint though both nodes run a worker:
/// back-channel logout tokens to a real HTTP receiver (one per sign-out, no duplicate
/// `jti`), and one confirmation mail per sign-up in the mailbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_outbox_event_is_delivered_once_with_two_workers() {
    let Some(c) = Cluster::start(2).await else { return };
    let receiver = LogoutReceiver::start().await;
    rp::brand(&c.app, "air", "Northwind Air").await;
    let rp = Rp::register(&c.app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT).backchannel_logout_uri(&receiver.url)).await;
    const PEOPLE: usize = 8;
    let emails: Vec<String> = (0..PEOPLE).map(|i| format!("person{i}@example.com")).collect();
    futures::future::join_all(emails.iter().map(|e| rp::customer(&c.app, e))).await;
    // Each signs in to the brand and signs out, through the proxy (either node).
    let browsers: Vec<Browser> = emails.iter().map(|_| Browser::new(&c.app)).collect();
    for (browser, email) in browsers.iter().zip(&emails) {
        browser.sign_in(email).await;
        rp.sign_in(browser, &["email"]).await;
    }
    futures::future::join_all(browsers.iter().map(Browser::sign_out)).await;

    let mut tokens: Vec<String> = Vec::new();
    eventually(Duration::from_secs(30), "a logout token per sign-out", || {
        tokens.extend(receiver.take());
        let n = tokens.len();
        async move { n >= PEOPLE }
    })
    .await;
    // Both workers keep polling (every 50 ms) meanwhile: a row handed to both would
    // arrive twice about now.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    tokens.extend(receiver.take());
    let jtis: HashSet<String> = tokens.iter().map(|t| jwt_parts(t).1["jti"].as_str().unwrap().to_owned()).collect();
    assert_eq!(tokens.len(), PEOPLE, "one logout token per sign-out, no duplicates");
    assert_eq!(jtis.len(), PEOPLE);

    let mail = c.app.identity.store().mailbox_recent(500).await.unwrap();
    for email in &emails {
        let confirmations = mail.iter().filter(|m| &m.to_addr == email && m.subject == crate::support::seed::VERIFY_SUBJECT).count();
        assert_eq!(confirmations, 1, "one confirmation mail to {email}");
    }
}
