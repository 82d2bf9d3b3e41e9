//! Faults under load: a node killed with SIGKILL in the middle of a login storm and of a
//! refresh run, and PostgreSQL stopped under a running node.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use identity::oidc::clients::ClientSpec;

use super::private_pg::PrivatePg;
use super::{Cluster, eventually};
use crate::oidc::rp::{self, Answer, Browser, PASSWORD, REDIRECT, Rp};
use crate::support::TestDb;

/// What a client may see when the node serving it dies: the proxy's 502 (the
/// connection was cut) or a 503; never a 500 and never a half-done change.
fn retryable(status: u16) -> bool {
    matches!(status, 502 | 503)
}

async fn refresh_at(app: &crate::support::TestApp, rp: &Rp, token: &str) -> Answer {
    rp::post_form(app, "/oauth2/token", rp.auth(), &[("grant_type", "refresh_token"), ("refresh_token", token)]).await
}

/// Grants, codes, refresh and access tokens agree with each other: every redeemed code
/// has its grant, every grant has an access token, and a live grant has exactly one
/// unused refresh token (the rotation wrote both halves or neither).
async fn assert_grants_consistent(app: &crate::support::TestApp) {
    let pool = app.identity.store().pool();
    let count = |sql: &'static str| async move {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(pool).await.unwrap();
        n
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM authorization_codes c WHERE c.redeemed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM oauth_grants g WHERE g.id = c.grant_id)").await,
        0,
        "a redeemed code without its grant"
    );
    assert_eq!(count("SELECT COUNT(*) FROM oauth_grants g WHERE NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.grant_id = g.id)").await, 0, "a grant without an access token");
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM oauth_grants g WHERE g.revoked_at IS NULL AND \
             (SELECT COUNT(*) FROM refresh_tokens r WHERE r.grant_id = g.id AND r.used_at IS NULL) <> 1"
        )
        .await,
        0,
        "a live grant without exactly one usable refresh token"
    );
}

/// kill -9 of node A during a login storm, then during a refresh run: every answer a
/// client got 200 for holds at B afterwards, every failure is one a client may retry,
/// retries succeed, and the grants in the database are whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_mid_storm_loses_nothing_it_confirmed() {
    let Some(mut c) = Cluster::start(2).await else { return };
    rp::brand(&c.app, "air", "Northwind Air").await;
    let rp = Arc::new(Rp::register(&c.app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await);
    const PEOPLE: usize = 48;
    let emails: Vec<String> = (0..PEOPLE).map(|i| format!("storm{i}@example.com")).collect();
    futures::future::join_all(emails.iter().map(|e| rp::customer(&c.app, e))).await;

    // The login storm: everyone at once through the proxy; A dies after a few answers.
    let answered = Arc::new(AtomicUsize::new(0));
    let storm: Vec<_> = emails
        .iter()
        .map(|email| {
            let browser = Browser::new(&c.app);
            let (email, answered) = (email.clone(), Arc::clone(&answered));
            tokio::spawn(async move {
                let (status, _) = browser.server_fn("login", &[("email", email.as_str()), ("password", PASSWORD)]).await;
                answered.fetch_add(1, Ordering::SeqCst);
                (browser, email, status)
            })
        })
        .collect();
    eventually(Duration::from_secs(60), "the first answers of the storm", || {
        let n = answered.load(Ordering::SeqCst);
        async move { n >= PEOPLE / 6 }
    })
    .await;
    c.nodes[0].kill();
    let results: Vec<(Browser, String, u16)> = futures::future::join_all(storm).await.into_iter().map(Result::unwrap).collect();
    let b = c.node(1);
    let failed = results.iter().filter(|(_, _, s)| *s != 200).count();
    eprintln!("login storm: {} answered 200, {failed} cut by the kill", PEOPLE - failed);
    for (browser, email, status) in &results {
        assert!(*status == 200 || retryable(*status), "{email}: {status} is not an answer a client can retry");
        if *status != 200 {
            // The retry goes through the proxy to the surviving node.
            let (again, body) = browser.server_fn("login", &[("email", email.as_str()), ("password", PASSWORD)]).await;
            assert_eq!(again, 200, "{email}: the retry succeeds: {body}");
        }
        assert_eq!(browser.at(&b).me().await.as_deref(), Some(email.as_str()), "{email}'s session, confirmed, lives at B");
    }

    // The refresh run: chains of rotations through the proxy; A (back again) dies again.
    c.nodes[0].restart().await;
    let mut chains = Vec::new();
    for (browser, _, _) in results.iter().take(16) {
        chains.push(rp.sign_in(browser, &["email"]).await);
    }
    let refreshed = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let runs: Vec<_> = chains
        .iter()
        .map(|signed| {
            let (app, rp, refreshed, stop) = (c.app.at(&c.app.address), Arc::clone(&rp), Arc::clone(&refreshed), Arc::clone(&stop));
            let (mut refresh, mut access) = (signed.refresh().secret().clone(), signed.access.secret().clone());
            tokio::spawn(async move {
                let mut cut = None;
                while !stop.load(Ordering::SeqCst) {
                    let mut answer = refresh_at(&app, &rp, &refresh).await;
                    if answer.status != 200 {
                        // Cut by the kill: retried at once with the same token, as a
                        // client does. A may have committed the rotation before it
                        // died; the nodes' retry window (30 s) takes the retry.
                        cut = Some(answer.status);
                        for _ in 0..50 {
                            if !retryable(answer.status) {
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            answer = refresh_at(&app, &rp, &refresh).await;
                        }
                        assert_eq!(answer.status, 200, "the retry of a refresh cut by the kill: {}", answer.text);
                    }
                    refresh = answer.body["refresh_token"].as_str().unwrap().to_owned();
                    access = answer.body["access_token"].as_str().unwrap().to_owned();
                    refreshed.fetch_add(1, Ordering::SeqCst);
                }
                (refresh, access, cut)
            })
        })
        .collect();
    eventually(Duration::from_secs(60), "the refresh run under way", || {
        let n = refreshed.load(Ordering::SeqCst);
        async move { n >= 40 }
    })
    .await;
    c.nodes[0].kill();
    let after_kill = refreshed.load(Ordering::SeqCst);
    eventually(Duration::from_secs(60), "refreshes after the kill", || {
        let n = refreshed.load(Ordering::SeqCst);
        async move { n >= after_kill + 40 }
    })
    .await;
    stop.store(true, Ordering::SeqCst);
    let ends: Vec<(String, String, Option<u16>)> = futures::future::join_all(runs).await.into_iter().map(Result::unwrap).collect();
    let mut cut = 0;
    for (refresh, access, failure) in &ends {
        if let Some(status) = failure {
            cut += 1;
            assert!(retryable(*status), "a refresh cut by the kill answered {status}");
        }
        // Everything this chain was told last, after a retry or not, is usable at B.
        assert_eq!(rp::userinfo_raw(&b, access).await.status, 200, "the last access token answered 200");
        let answer = refresh_at(&b, &rp, refresh).await;
        assert_eq!(answer.status, 200, "the last refresh token answered 200: {}", answer.text);
    }
    // A retry whose token A had spent before dying is audited as one.
    let retried = rp::audit_actions(&c.app).await.iter().filter(|a| *a == "oauth.refresh_retried").count();
    eprintln!("refresh run: {} chains, {cut} cut by the kill and retried, {retried} of them committed by the dead node", ends.len());
    assert!(retried <= cut, "only cut refreshes were retried");
    assert_grants_consistent(&c.app).await;
}

/// PostgreSQL stopped under a running node: `/readyz` says 503, requests fail closed
/// (503, nothing pretends to have been saved) and everything works again when it is
/// back, without restarting the node. A private PostgreSQL, never the shared one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_and_back_fails_closed_and_recovers() {
    let Some(mut pg) = PrivatePg::start() else { return };
    let c = Cluster::start_on(TestDb::existing(pg.url()), 1).await;
    rp::brand(&c.app, "air", "Northwind Air").await;
    let rp = Rp::register(&c.app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    rp::customer(&c.app, "ann@example.com").await;
    let browser = Browser::new(&c.app);
    browser.sign_in("ann@example.com").await;
    let signed = rp.sign_in(&browser, &["email"]).await;
    assert_eq!(c.app.get("/readyz").await.status(), 200);

    pg.stop();
    eventually(Duration::from_secs(15), "/readyz answering 503", || async { c.app.get("/readyz").await.status() == 503 }).await;
    // A sign-in (server function) and a sign-in page's session: 503, never 500 or 200.
    let newcomer = Browser::new(&c.app);
    let (status, body) = newcomer.server_fn("login", &[("email", "ann@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(status, 503, "sign-in without the database: {body}");
    let (status, body) = browser.server_fn("me", &[]).await;
    assert_eq!(status, 503, "a signed-in page without the database: {body}");
    // The brand's calls fail closed: nothing issued, nothing accepted.
    let answer = refresh_at(&c.app, &rp, signed.refresh().secret()).await;
    assert_eq!((answer.status, answer.body["error"].as_str()), (503, Some("temporarily_unavailable")), "a refresh without the database: {}", answer.text);
    assert!(answer.header("retry-after").is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n >= 1)), "the client may retry: {:?}", answer.headers);
    let answer = rp::userinfo_raw(&c.app, signed.access.secret()).await;
    assert_eq!(answer.status, 503, "UserInfo without the database fails closed, retryably: {}", answer.text);
    assert!(c.nodes[0].log_text().lines().all(|l| !l.contains("panicked")), "no panic");

    pg.restart();
    eventually(Duration::from_secs(30), "/readyz back to 200", || async { c.app.get("/readyz").await.status() == 200 }).await;
    let (status, body) = newcomer.server_fn("login", &[("email", "ann@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(status, 200, "sign-in once the database is back: {body}");
    assert_eq!(browser.me().await.as_deref(), Some("ann@example.com"), "the session made before the outage");
    let answer = refresh_at(&c.app, &rp, signed.refresh().secret()).await;
    assert_eq!(answer.status, 200, "the refresh token refused during the outage still works: {}", answer.text);
    assert_grants_consistent(&c.app).await;
}
