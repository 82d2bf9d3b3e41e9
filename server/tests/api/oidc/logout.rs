//! Ending sign-ins: RP-initiated logout (its checks and its confirmation), and the
//! back-channel logout tokens every way of ending a sign-in sends, as an RP endpoint
//! receives them (signature against the JWKS, `typ`, `iss`, `aud`, `events`, `sid`);
//! and the grants a password reset or change ends, offline access included.

use identity::oidc::SigningAlg;
use identity::oidc::clients::ClientSpec;
use openidconnect::{ClientId, CsrfToken, LogoutRequest, OAuth2TokenResponse as _, PostLogoutRedirectUrl};
use serde_json::json;

use super::rp::{self, Browser, Landing, LogoutReceiver, POST_LOGOUT, REDIRECT, Rp, assert_refused_page, assert_token_refused, b64, jwt_parts};
use crate::accounts::{NEW_PASSWORD, PASSWORD, RESET_SUBJECT, link_token, mail_to};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    oidcc_rp_initiated_logout_with_backchannel,
    oidcc_rp_initiated_logout_bad_post_logout_redirect_uri,
    sign_out_disconnect_and_switch_send_backchannel_logout,
    expired_session_is_logged_out_by_the_sweep,
    password_reset_and_change_end_offline_grants,
);

/// The end-session URL as the crate builds it.
fn end_session_url(rp: &Rp, hint: &rp::RpIdToken, state: &str) -> String {
    LogoutRequest::from(rp.meta.additional_metadata().end_session_endpoint.clone())
        .set_id_token_hint(hint)
        .set_client_id(ClientId::new(rp.id.clone()))
        .set_post_logout_redirect_uri(PostLogoutRedirectUrl::new(POST_LOGOUT.to_owned()).unwrap())
        .set_state(CsrfToken::new(state.to_owned()))
        .http_get_url()
        .to_string()
}

fn logout_url(app: &TestApp, params: &[(&str, &str)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    format!("{}/oauth2/logout?{query}", app.public_url)
}

/// RP-initiated logout with a matching hint signs out at once, returns to the registered
/// URI with `state`, and every brand the sign-in reached gets a logout token.
async fn oidcc_rp_initiated_logout_with_backchannel(db: Db) {
    let Some(app) = rp::spawn_without_worker(db).await else { return };
    let (air_rp, hotels_rp) = (LogoutReceiver::start().await, LogoutReceiver::start().await);
    rp::brand(&app, "air", "Northwind Air").await;
    rp::brand(&app, "hotels", "Northwind Hotels").await;
    let air = Rp::register(
        &app,
        ClientSpec::new("air", "Air web").redirect_uri(REDIRECT).post_logout_uri(POST_LOGOUT).backchannel_logout_uri(&air_rp.url),
    )
    .await;
    let hotels = Rp::register(
        &app,
        ClientSpec::new("hotels", "Hotels web")
            .redirect_uri("http://127.0.0.1:9/hotels/cb")
            .backchannel_logout_uri(&hotels_rp.url)
            .id_token_alg("ES256")
            .subject_type("pairwise"),
    )
    .await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let at_air = air.sign_in(&browser, &["email"]).await;
    let at_hotels = hotels.sign_in(&browser, &["email"]).await;
    // One sign-in, but each client sees its own sid, and none sees Foyer's: brands that
    // use pairwise subjects cannot join their customers on it (issue 10).
    assert_ne!(at_air.sid(), at_hotels.sid(), "a sid per client");
    let (session_sid,): (String,) = sqlx::query_as("SELECT sid FROM sessions WHERE customer_id = $1").bind(&ann.id).fetch_one(app.identity.store().pool()).await.unwrap();
    assert!(at_air.sid() != session_sid && at_hotels.sid() != session_sid, "Foyer's own sid stays inside");
    rp::deliver_outbox(&app).await;
    assert!(air_rp.take().is_empty() && hotels_rp.take().is_empty());

    let back = browser.visit(&end_session_url(&air, &at_air.id_token, "bye-1")).await.callback();
    assert_eq!(back.url.as_str(), format!("{POST_LOGOUT}?state=bye-1"));
    assert_eq!(browser.me().await, None, "the Foyer session ended");
    let start = air.start_with(&["email"], &[("prompt", "none")]);
    browser.visit(start.url.as_str()).await.callback().assert_error(&air, "login_required", Some(start.state.secret()));

    // Each RP receives one logout token for this sign-in.
    rp::deliver_outbox(&app).await;
    let (to_air, to_hotels) = (air_rp.take(), hotels_rp.take());
    assert_eq!((to_air.len(), to_hotels.len()), (1, 1), "one token each");
    let claims = air.verify_logout_token(&to_air[0]);
    assert_eq!(claims["sub"], ann.id.as_str());
    assert_eq!(claims["sid"], at_air.sid().as_str(), "the sid of the ID token");
    let exp_minus_iat = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(exp_minus_iat, 120, "logout tokens live two minutes");
    let hotel_claims = hotels.verify_logout_token(&to_hotels[0]);
    assert_eq!(hotel_claims["sub"], at_hotels.sub().as_str(), "the pairwise subject Hotels knows");
    assert_eq!(hotel_claims["sid"], at_hotels.sid().as_str(), "the sid Hotels saw in its ID token");
    assert_ne!(claims["jti"], hotel_claims["jti"]);

    // The sign-in's grants ended with it.
    assert_eq!(air.refresh(&at_air.refresh()).await.unwrap_err(), "invalid_grant");
    assert_token_refused(&app, at_air.access.secret(), "Air after logout").await;
    assert_token_refused(&app, at_hotels.access.secret(), "Hotels after logout").await;

    // The same request again: nothing left to end, straight back, no more tokens.
    let back = browser.visit(&end_session_url(&air, &at_air.id_token, "bye-2")).await.callback();
    assert_eq!(back.url.as_str(), format!("{POST_LOGOUT}?state=bye-2"));
    rp::deliver_outbox(&app).await;
    assert!(air_rp.take().is_empty() && hotels_rp.take().is_empty());
}

/// `oidcc_rp_initiated_logout_bad_post_logout_redirect_uri` and the other refusals of
/// RP-initiated logout (never redirected), the confirmation without a matching hint, and
/// an expired hint (still accepted: OIDC RP-Initiated Logout §2).
async fn oidcc_rp_initiated_logout_bad_post_logout_redirect_uri(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let air = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT).post_logout_uri(POST_LOGOUT)).await;
    let air_app =
        Rp::register(&app, ClientSpec::new("air", "Air app").redirect_uri("http://127.0.0.1:9/app").post_logout_uri("http://127.0.0.1:9/app-bye")).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let signed = air.sign_in(&browser, &["email"]).await;
    let hint = signed.id_token.to_string();
    let (header, claims) = jwt_parts(&hint);
    let signature = hint.rsplit('.').next().unwrap().to_owned();
    let mut tampered = claims.clone();
    tampered["sub"] = json!("someone-else");
    let tampered = rp::with_parts(&header, &tampered, &signature);
    let mut none_header = header.clone();
    none_header["alg"] = json!("none");
    let unsigned = format!("{}.{}.", b64(&none_header), b64(&claims));

    let refused: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("post-logout URI with a trailing slash", vec![("id_token_hint", &hint), ("post_logout_redirect_uri", "http://127.0.0.1:9/signed-out/")]),
        ("post-logout URI with a query added", vec![("id_token_hint", &hint), ("post_logout_redirect_uri", "http://127.0.0.1:9/signed-out?x=1")]),
        ("post-logout URI elsewhere", vec![("id_token_hint", &hint), ("post_logout_redirect_uri", "http://attacker.example/")]),
        ("the login redirect URI", vec![("id_token_hint", &hint), ("post_logout_redirect_uri", REDIRECT)]),
        ("another client's post-logout URI", vec![("id_token_hint", &hint), ("post_logout_redirect_uri", "http://127.0.0.1:9/app-bye")]),
        ("post-logout URI without client", vec![("post_logout_redirect_uri", POST_LOGOUT)]),
        ("tampered hint", vec![("id_token_hint", &tampered), ("post_logout_redirect_uri", POST_LOGOUT)]),
        ("unsigned hint", vec![("id_token_hint", &unsigned), ("post_logout_redirect_uri", POST_LOGOUT)]),
        ("garbage hint", vec![("id_token_hint", "garbage")]),
        ("client_id not the hint's audience", vec![("id_token_hint", &hint), ("client_id", &air_app.id)]),
        ("unknown client", vec![("client_id", "7d1c2a55-0000-4000-8000-000000000000"), ("post_logout_redirect_uri", POST_LOGOUT)]),
        ("hint repeated", vec![("id_token_hint", &hint), ("id_token_hint", &hint)]),
    ];
    for (what, params) in &refused {
        assert_refused_page(browser.visit(&logout_url(&app, params)).await, what);
    }
    assert_eq!(browser.me().await.as_deref(), Some("ann@example.com"), "nothing was signed out");
    air.userinfo(&signed.access, None).await.unwrap();

    // Someone else's valid hint: a confirmation page, nothing ended yet.
    rp::customer(&app, "bob@example.com").await;
    let bob = Browser::new(&app);
    bob.sign_in("bob@example.com").await;
    let bobs = air.sign_in(&bob, &["email"]).await;
    let page = browser.visit(&logout_url(&app, &[("id_token_hint", &bobs.id_token.to_string()), ("post_logout_redirect_uri", POST_LOGOUT)])).await.page();
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("action=\"/oauth2/logout/confirm\""), "{}", page.text);
    assert_eq!(browser.me().await.as_deref(), Some("ann@example.com"));
    assert_eq!(bob.me().await.as_deref(), Some("bob@example.com"));

    // No hint: a confirmation page, nothing ended yet.
    let page = browser.visit(&logout_url(&app, &[("client_id", &air.id), ("post_logout_redirect_uri", POST_LOGOUT), ("state", "s1")])).await.page();
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("action=\"/oauth2/logout/confirm\""), "{}", page.text);
    assert_eq!(browser.me().await.as_deref(), Some("ann@example.com"));
    // POST answers 303 to the GET form.
    let response = browser.http.post(app.url("/oauth2/logout")).form(&[("client_id", air.id.as_str()), ("state", "s1")]).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert!(response.headers()["location"].to_str().unwrap().starts_with("/oauth2/logout?"));
    assert_eq!(browser.me().await.as_deref(), Some("ann@example.com"));

    // The confirmation must come from our own pages.
    let form = [("client_id", air.id.as_str()), ("post_logout_redirect_uri", POST_LOGOUT), ("state", "s1")];
    for origin in [None, Some("http://attacker.example")] {
        let mut request = browser.http.post(app.url("/oauth2/logout/confirm")).form(&form);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let answer = rp::Answer::of(request.send().await.unwrap()).await;
        assert_eq!(answer.status, 400, "{origin:?}: {}", answer.text);
        assert_eq!(browser.me().await.as_deref(), Some("ann@example.com"), "{origin:?}");
    }
    let response = browser.http.post(app.url("/oauth2/logout/confirm")).header("origin", app.public_url.as_str()).form(&form).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"].to_str().unwrap(), format!("{POST_LOGOUT}?state=s1"));
    assert_eq!(browser.me().await, None);
    assert_token_refused(&app, signed.access.secret(), "after the confirmed sign-out").await;

    // A hint of an earlier sign-in (same customer, another sid): confirm first.
    browser.sign_in("ann@example.com").await;
    let again = air.sign_in(&browser, &["email"]).await;
    assert_ne!(again.sid(), signed.sid());
    let page = browser.visit(&logout_url(&app, &[("id_token_hint", &hint), ("post_logout_redirect_uri", POST_LOGOUT)])).await.page();
    assert!(page.status == 200 && page.text.contains("action=\"/oauth2/logout/confirm\""), "{}", page.text);
    assert_eq!(browser.me().await.as_deref(), Some("ann@example.com"), "nothing ended yet");

    // An expired hint of ours is still a hint: a matching one signs out at once.
    let (_, mut old) = jwt_parts(&again.id_token.to_string());
    let now = old["iat"].as_i64().unwrap();
    old["iat"] = json!(now - 7_200);
    old["exp"] = json!(now - 3_600);
    let expired = rp::sign_with_server_key(&app, SigningAlg::Rs256, &old, "JWT").await;
    let url = logout_url(&app, &[("id_token_hint", &expired), ("post_logout_redirect_uri", POST_LOGOUT), ("state", "s2")]);
    let back = browser.visit(&url).await.callback();
    assert_eq!(back.url.as_str(), format!("{POST_LOGOUT}?state=s2"));
    assert_eq!(browser.me().await, None);

    // Signed out already: no confirmation, the plain "signed out" page.
    match browser.visit(&logout_url(&app, &[])).await {
        Landing::Page(page) => assert!(page.status == 200 && page.text.contains("You are signed out"), "{}", page.text),
        other => panic!("{other:?}"),
    }
}

/// Every other way a sign-in ends tells the brands: the account's sign-out, "Disconnect"
/// in Connected brands (sub only, `consent_revocation_sends_backchannel_logout`), and
/// another customer signing in on the same browser. Offline grants outlive the session.
async fn sign_out_disconnect_and_switch_send_backchannel_logout(db: Db) {
    let Some(app) = rp::spawn_without_worker(db).await else { return };
    let receiver = LogoutReceiver::start().await;
    rp::brand(&app, "air", "Northwind Air").await;
    let air = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT).backchannel_logout_uri(&receiver.url)).await;
    let offline = Rp::register(&app, ClientSpec::new("air", "Air offline").redirect_uri("http://127.0.0.1:9/offline")).await;
    let ann = rp::customer(&app, "ann@example.com").await;
    rp::customer(&app, "bob@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let first = air.sign_in(&browser, &["email"]).await;
    let kept = offline.sign_in(&browser, &["offline_access"]).await;
    let offline_scopes: Vec<String> = kept.tokens.scopes().unwrap().iter().map(|s| s.to_string()).collect();
    assert!(offline_scopes.contains(&"offline_access".to_owned()), "{offline_scopes:?}");
    rp::deliver_outbox(&app).await;
    assert!(receiver.take().is_empty());

    // Sign-out in the account (server function).
    browser.sign_out().await;
    rp::deliver_outbox(&app).await;
    let tokens = receiver.take();
    assert_eq!(tokens.len(), 1);
    let claims = air.verify_logout_token(&tokens[0]);
    assert_eq!((claims["sub"].as_str(), claims["sid"].as_str()), (Some(ann.id.as_str()), Some(first.sid().as_str())));
    assert_eq!(air.refresh(&first.refresh()).await.unwrap_err(), "invalid_grant");
    assert_token_refused(&app, first.access.secret(), "after sign-out").await;
    // The offline grant survives the session (OIDC Core §11).
    let refreshed = offline.refresh(&kept.refresh()).await.unwrap();
    let offline_refresh = refreshed.refresh_token().cloned().unwrap();

    // A new sign-in (new sid; consent remembered), then "Disconnect" the brand.
    browser.sign_in("ann@example.com").await;
    let second = air.sign_in(&browser, &["email"]).await;
    assert_ne!(second.sid(), first.sid(), "a new sign-in has a new sid");
    let (status, body) = browser.server_fn("disconnect_brand", &[("slug", "air")]).await;
    assert_eq!(status, 200, "{body}");
    rp::deliver_outbox(&app).await;
    let tokens = receiver.take();
    assert_eq!(tokens.len(), 1);
    let claims = air.verify_logout_token(&tokens[0]);
    assert_eq!(claims["sub"], ann.id.as_str());
    assert!(claims.get("sid").is_none(), "every session of the customer at that RP: {claims}");
    assert_token_refused(&app, second.access.secret(), "after disconnect").await;
    assert_eq!(air.refresh(&second.refresh()).await.unwrap_err(), "invalid_grant");
    assert_eq!(offline.refresh(&offline_refresh).await.unwrap_err(), "invalid_grant", "disconnect ends offline grants too");
    assert_eq!(browser.me().await.as_deref(), Some("ann@example.com"), "the Foyer session stays");
    // The brand must ask again.
    let start = air.start(&["email"]);
    let r = browser.visit(start.url.as_str()).await.consent();
    let callback = browser.decide(&r, true).await.callback();
    let third = air.finish(start, &callback).await;
    assert_eq!(third.sid(), second.sid());

    // Bob signs in on Ann's browser: Ann's sign-in ends, and Air hears of it.
    browser.sign_in("bob@example.com").await;
    assert_eq!(browser.me().await.as_deref(), Some("bob@example.com"));
    rp::deliver_outbox(&app).await;
    let tokens = receiver.take();
    assert_eq!(tokens.len(), 1);
    let claims = air.verify_logout_token(&tokens[0]);
    assert_eq!((claims["sub"].as_str(), claims["sid"].as_str()), (Some(ann.id.as_str()), Some(second.sid().as_str())));
    assert_eq!(air.refresh(&third.refresh()).await.unwrap_err(), "invalid_grant");

    let actions = rp::audit_actions(&app).await;
    assert!(actions.contains(&"oauth.logout".to_owned()) && actions.contains(&"oauth.consent_revoked".to_owned()), "{actions:?}");
}

/// A session that times out (idle or absolute) ends like a sign-out: the maintenance
/// sweep deletes it, revokes its online grants and sends the brand a logout token.
async fn expired_session_is_logged_out_by_the_sweep(db: Db) {
    // Sessions idle out after a minute here; the access tokens (10 minutes) outlive that,
    // so their refusal below is the revocation, not their own expiry.
    let builder = TestApp::builder(db).without_worker().with_clock().configure(|raw| raw.session_idle_minutes = 1);
    let Some(app) = rp::spawn_with(builder).await else { return };
    let receiver = LogoutReceiver::start().await;
    rp::brand(&app, "air", "Northwind Air").await;
    let air = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT).backchannel_logout_uri(&receiver.url)).await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let signed = air.sign_in(&browser, &["email"]).await;
    rp::deliver_outbox(&app).await;
    assert!(receiver.take().is_empty());

    server::maintenance::sweep(&app.identity).await.unwrap();
    rp::deliver_outbox(&app).await;
    assert!(receiver.take().is_empty(), "a live session is left alone");

    app.advance(std::time::Duration::from_secs(5 * 60));
    server::maintenance::sweep(&app.identity).await.unwrap();
    rp::deliver_outbox(&app).await;
    let tokens = receiver.take();
    assert_eq!(tokens.len(), 1);
    let claims = air.verify_logout_token(&tokens[0]);
    assert_eq!((claims["sub"].as_str(), claims["sid"].as_str()), (Some(ann.id.as_str()), Some(signed.sid().as_str())));
    assert_eq!(air.refresh(&signed.refresh()).await.unwrap_err(), "invalid_grant");
    assert_token_refused(&app, signed.access.secret(), "after the session expired").await;
    assert_eq!(browser.me().await, None, "the session is gone");
}

/// The next logout token the receiver gets (the outbox worker delivers it).
async fn next_logout_token(receiver: &LogoutReceiver) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(token) = receiver.take().pop() {
            return token;
        }
        assert!(std::time::Instant::now() < deadline, "no back-channel logout token within 10 s");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Offline grants have no sign-in (`sid`), so ending sessions leaves them. A password
/// reset ends every grant of the customer and tells each client (`sub` only); a
/// password change does too when "Sign out of connected brands and apps too" is ticked
/// (the page ticks it), and leaves them when it is not.
async fn password_reset_and_change_end_offline_grants(db: Db) {
    let Some(app) = rp::spawn_with(TestApp::builder(db).with_smtp()).await else { return };
    let receiver = LogoutReceiver::start().await;
    rp::brand(&app, "air", "Northwind Air").await;
    let air = Rp::register(&app, ClientSpec::new("air", "Air app").redirect_uri(REDIRECT).backchannel_logout_uri(&receiver.url)).await;
    let email = "ann@example.com";
    let ann = rp::customer(&app, email).await;
    let browser = Browser::new(&app);
    browser.sign_in(email).await;
    let first = air.sign_in(&browser, &["offline_access"]).await;
    let kept = air.refresh(&first.refresh()).await.unwrap().refresh_token().cloned().unwrap();

    // Changed with the box ticked: the app's offline access ends, the app is told.
    let change = [("current_password", PASSWORD), ("new_password", NEW_PASSWORD), ("sign_out_apps", "on")];
    let (status, body) = browser.server_fn("change_password", &change).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(air.refresh(&kept).await.unwrap_err(), "invalid_grant");
    let claims = air.verify_logout_token(&next_logout_token(&receiver).await);
    assert_eq!(claims["sub"], ann.id.as_str());
    assert!(claims.get("sid").is_none(), "every session of the customer at the app: {claims}");
    assert_eq!(browser.me().await.as_deref(), Some(email), "this Foyer session stays");

    // Unticked: the app keeps its offline access.
    let second = air.sign_in(&browser, &["offline_access"]).await;
    let (status, body) = browser.server_fn("change_password", &[("current_password", NEW_PASSWORD), ("new_password", PASSWORD)]).await;
    assert_eq!(status, 200, "{body}");
    let kept = air.refresh(&second.refresh()).await.expect("an unticked change leaves offline grants").refresh_token().cloned().unwrap();

    // A reset ends every grant, whatever the change did.
    let (status, _) = Browser::new(&app).server_fn("forgot_password", &[("email", email)]).await;
    assert_eq!(status, 200);
    let token = link_token(&app, &mail_to(&app, email, RESET_SUBJECT).await, "/reset-password");
    let (status, body) = Browser::new(&app).server_fn("reset_password", &[("token", token.as_str()), ("password", NEW_PASSWORD)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(air.refresh(&kept).await.unwrap_err(), "invalid_grant", "a reset ends offline grants");
    let claims = air.verify_logout_token(&next_logout_token(&receiver).await);
    assert_eq!(claims["sub"], ann.id.as_str());
    let actions = rp::audit_actions(&app).await;
    assert!(actions.contains(&"password.reset".to_owned()), "{actions:?}");
}
