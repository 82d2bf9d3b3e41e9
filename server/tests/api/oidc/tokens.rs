//! Tokens after the code: refresh rotation and reuse detection, revocation (RFC 7009),
//! introspection (RFC 7662), client credentials, and signing-key rotation.

use identity::oidc::Activation;
use identity::oidc::clients::ClientSpec;
use openidconnect::{OAuth2TokenResponse as _, TokenIntrospectionResponse as _, TokenResponse as _};
use serde_json::json;

use super::rp::{self, Auth, Browser, LogoutReceiver, REDIRECT, Rp, assert_token_refused, jwt_parts};
use crate::support::{Db, both_backends};

both_backends!(
    oidcc_refresh_token_rotation_and_reuse_revokes_family,
    parallel_refresh_one_winner,
    a_lost_refresh_answer_is_retried_within_the_window,
    revocation_and_introspection,
    client_credentials_grant,
    oidcc_server_rotate_keys,
);

fn scopes_of(tokens: &rp::RpTokenResponse) -> Vec<String> {
    tokens.scopes().map(|s| s.iter().map(|s| s.to_string()).collect()).unwrap_or_default()
}

/// `oidcc_refresh_token` and `refresh_reuse_revokes_family`: each use rotates the
/// refresh token; a used one coming back revokes the grant, its tokens and logs the RP out.
async fn oidcc_refresh_token_rotation_and_reuse_revokes_family(db: Db) {
    let Some(app) = rp::spawn_without_worker(db).await else { return };
    let receiver = LogoutReceiver::start().await;
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT).backchannel_logout_uri(&receiver.url)).await;
    let other = Rp::register(&app, ClientSpec::new("air", "Air other").redirect_uri(REDIRECT)).await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let first = rp.sign_in(&browser, &["email"]).await;
    let rt1 = first.refresh();

    // Rotation: a new refresh token, a new access token, a new ID token for the same
    // sign-in (same sub, sid, auth_time) and without nonce (OIDC Core §12.2).
    let second = rp.refresh(&rt1).await.unwrap();
    let rt2 = second.refresh_token().cloned().expect("a rotated refresh token");
    assert_ne!(rt2.secret(), rt1.secret());
    assert_ne!(second.access_token().secret(), first.access.secret());
    assert_eq!(scopes_of(&second), ["openid", "email"]);
    let id2 = second.id_token().cloned().expect("a new ID token");
    let claims2 = rp.check_id_token(&id2, Some(second.access_token()), None).unwrap();
    assert_eq!(claims2.subject(), first.claims.subject());
    assert_eq!(claims2.additional_claims().sid, first.claims.additional_claims().sid);
    assert_eq!(claims2.auth_time(), first.claims.auth_time());
    rp.userinfo(second.access_token(), Some(&ann.id)).await.unwrap();

    // Another client (same brand) cannot use it; trying does not spend it.
    assert_eq!(other.refresh(&rt2).await.unwrap_err(), "invalid_grant");

    // A narrower scope is allowed; a wider one is invalid_scope and spends nothing.
    let third = rp.refresh_with_scopes(&rt2, &["openid"]).await.unwrap();
    assert_eq!(scopes_of(&third), ["openid"]);
    let rt3 = third.refresh_token().cloned().unwrap();
    assert_eq!(rp.refresh_with_scopes(&rt3, &["openid", "profile"]).await.unwrap_err(), "invalid_scope");
    let fourth = rp.refresh(&rt3).await.unwrap();
    assert_eq!(scopes_of(&fourth), ["openid", "email"], "the grant keeps its scopes");
    let rt4 = fourth.refresh_token().cloned().unwrap();
    assert_eq!(deliver_and_take(&app, &receiver).await.len(), 0, "nothing to log out yet");

    // Reuse of the first token: invalid_grant, and the whole family dies.
    assert_eq!(rp.refresh(&rt1).await.unwrap_err(), "invalid_grant");
    assert_eq!(rp.refresh(&rt4).await.unwrap_err(), "invalid_grant", "the newest refresh token is revoked too");
    assert_token_refused(&app, fourth.access_token().secret(), "access token of the reused grant").await;
    assert_token_refused(&app, first.access.secret(), "first access token of the reused grant").await;
    assert!(!rp.introspect(rt4.secret(), Some("refresh_token")).await.active());
    assert!(rp::audit_actions(&app).await.contains(&"oauth.refresh_reused".to_owned()));

    // …and the RP is logged out over the back channel (sub and the grant's sid).
    let tokens = deliver_and_take(&app, &receiver).await;
    assert_eq!(tokens.len(), 1, "one logout token");
    let claims = rp.verify_logout_token(&tokens[0]);
    assert_eq!(claims["sub"], ann.id.as_str());
    assert_eq!(claims["sid"], first.sid().as_str());

    // The Foyer session itself stays: a new grant works.
    let again = rp.sign_in(&browser, &["email"]).await;
    rp.refresh(&again.refresh()).await.unwrap();
}

/// The same refresh token sent several times at once (the tokens are signed before
/// the write, `docs/design/peaks.md` "Token path"): exactly one rotation wins, every other
/// answer is `invalid_grant` (never a server error), and the losers count as reuse, so
/// the grant dies with what the winner got. A burst larger than the pool (10) last.
async fn parallel_refresh_one_winner(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    for (round, burst) in [2, 8, 25].into_iter().enumerate() {
        let signed = rp.sign_in(&browser, &["email"]).await;
        let token = signed.refresh();
        let form = [("grant_type", "refresh_token"), ("refresh_token", token.secret().as_str())];
        let answers = futures::future::join_all((0..burst).map(|_| rp::post_form(&app, "/oauth2/token", rp.auth(), &form))).await;
        let outcomes: Vec<(u16, String)> = answers.iter().map(|a| (a.status, a.body["error"].as_str().unwrap_or("-").to_owned())).collect();
        let winners: Vec<&rp::Answer> = answers.iter().filter(|a| a.status == 200).collect();
        assert_eq!(winners.len(), 1, "round {round}: exactly one rotation: {outcomes:?}");
        for loser in answers.iter().filter(|a| a.status != 200) {
            assert_eq!((loser.status, loser.body["error"].as_str()), (400, Some("invalid_grant")), "round {round}: {outcomes:?}");
        }
        let access = winners[0].body["access_token"].as_str().unwrap();
        let rotated = winners[0].body["refresh_token"].as_str().unwrap();
        assert_token_refused(&app, access, "the winner's access token after the reuse").await;
        assert_token_refused(&app, signed.access.secret(), "the first access token after the reuse").await;
        assert_eq!(rp.refresh(&openidconnect::RefreshToken::new(rotated.to_owned())).await.unwrap_err(), "invalid_grant", "round {round}");
    }
    assert!(rp::audit_actions(&app).await.contains(&"oauth.refresh_reused".to_owned()));
}

/// `FOYER_REFRESH_RETRY_SECONDS` set (`docs/design/oidc.md` "Retrying a refresh whose
/// answer was lost"): a refresh whose answer the client never read is retried with the
/// same token and answered; the token the lost answer carried is set aside, and using it
/// is reuse. However many copies of one token arrive at once, at most one refresh token
/// of the grant stays usable: a window never makes two chains.
async fn a_lost_refresh_answer_is_retried_within_the_window(db: Db) {
    let Some(app) = rp::spawn_with(crate::support::TestApp::builder(db).configure(|c| c.refresh_retry_seconds = 30)).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    let other = Rp::register(&app, ClientSpec::new("air", "Air other").redirect_uri(REDIRECT)).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let first = rp.sign_in(&browser, &["email"]).await;
    let lost = rp.refresh(&first.refresh()).await.unwrap();
    // Another client presenting the spent token gets nothing and ends nothing.
    assert_eq!(other.refresh(&first.refresh()).await.unwrap_err(), "invalid_grant");
    let retried = rp.refresh(&first.refresh()).await.expect("the retry is answered");
    let (lost_rt, retried_rt) = (lost.refresh_token().cloned().unwrap(), retried.refresh_token().cloned().unwrap());
    assert_ne!(lost_rt.secret(), retried_rt.secret());
    rp.check_id_token(retried.id_token().expect("an ID token, as for any refresh"), Some(retried.access_token()), None).unwrap();
    assert!(rp.introspect(retried_rt.secret(), Some("refresh_token")).await.active(), "the retry's refresh token is live");
    assert!(!rp.introspect(lost_rt.secret(), Some("refresh_token")).await.active(), "the lost answer's is set aside");
    assert!(rp::audit_actions(&app).await.contains(&"oauth.refresh_retried".to_owned()));
    // The set-aside token comes back (a thief's copy, or the answer arrived after all).
    assert_eq!(rp.refresh(&lost_rt).await.unwrap_err(), "invalid_grant");
    assert_token_refused(&app, retried.access_token().secret(), "the retry's access token after the reuse").await;
    assert_eq!(rp.refresh(&retried_rt).await.unwrap_err(), "invalid_grant", "the whole grant ended");

    // Many copies at once: whatever interleaving, never two usable refresh tokens.
    for burst in [2, 8] {
        let signed = rp.sign_in(&browser, &["email"]).await;
        let token = signed.refresh();
        let form = [("grant_type", "refresh_token"), ("refresh_token", token.secret().as_str())];
        let answers = futures::future::join_all((0..burst).map(|_| rp::post_form(&app, "/oauth2/token", rp.auth(), &form))).await;
        let outcomes: Vec<(u16, String)> = answers.iter().map(|a| (a.status, a.body["error"].as_str().unwrap_or("-").to_owned())).collect();
        assert!(answers.iter().any(|a| a.status == 200), "burst {burst}: one rotation at least: {outcomes:?}");
        let mut usable = 0;
        for answer in &answers {
            if answer.status == 200 {
                usable += usize::from(rp.introspect(answer.body["refresh_token"].as_str().unwrap(), Some("refresh_token")).await.active());
            } else {
                assert_eq!((answer.status, answer.body["error"].as_str()), (400, Some("invalid_grant")), "burst {burst}: {outcomes:?}");
            }
        }
        assert!(usable <= 1, "burst {burst}: {usable} usable refresh tokens of one grant: {outcomes:?}");
    }
}

async fn deliver_and_take(app: &crate::support::TestApp, receiver: &LogoutReceiver) -> Vec<String> {
    rp::deliver_outbox(app).await;
    receiver.take()
}

/// RFC 7009 and RFC 7662 as a client library calls them.
async fn revocation_and_introspection(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    let other = Rp::register(&app, ClientSpec::new("air", "Air other").redirect_uri(REDIRECT)).await;
    let spa = Rp::register(&app, ClientSpec::new("air", "Air SPA").redirect_uri("http://127.0.0.1/spa").public()).await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let signed = rp.sign_in(&browser, &["email"]).await;

    // A live access token: every RFC 7662 member.
    let info = rp.introspect(signed.access.secret(), None).await;
    assert!(info.active());
    assert_eq!(info.client_id().map(|c| c.as_str()), Some(rp.id.as_str()));
    assert_eq!(info.sub(), Some(ann.id.as_str()));
    assert_eq!(info.scopes().map(|s| s.iter().map(|s| s.to_string()).collect::<Vec<_>>()), Some(vec!["openid".to_owned(), "email".to_owned()]));
    assert_eq!(info.token_type(), Some(&openidconnect::core::CoreTokenType::Bearer));
    assert_eq!(info.iss(), Some(app.public_url.as_str()));
    assert_eq!(info.aud(), Some(&vec!["urn:foyer:brand:air".to_owned()]));
    assert!(info.jti().is_some());
    assert!(info.exp().unwrap() > info.iat().unwrap());
    // A refresh token (with its hint): active, no token_type.
    let raw = rp::post_form(&app, "/oauth2/introspect", rp.auth(), &[("token", signed.refresh().secret()), ("token_type_hint", "refresh_token")]).await;
    assert_eq!((raw.status, raw.body["active"].as_bool()), (200, Some(true)), "{}", raw.text);
    assert_eq!(raw.body["client_id"], rp.id.as_str());
    assert!(raw.body.get("token_type").is_none(), "{}", raw.text);
    assert_eq!(raw.header("cache-control"), Some("no-store"));
    // Anything else: exactly {"active": false}.
    let raw = rp::post_form(&app, "/oauth2/introspect", rp.auth(), &[("token", "frt_nothing-like-ours")]).await;
    assert_eq!((raw.status, &raw.body), (200, &json!({ "active": false })));
    // Introspection is for confidential clients that authenticate.
    for auth in [Auth::Id(&spa.id), Auth::None, Auth::Basic(&rp.id, "fcs_wrong")] {
        let raw = rp::post_form(&app, "/oauth2/introspect", auth, &[("token", signed.access.secret())]).await;
        raw.assert_oauth_error(401, "invalid_client");
    }

    // Revoking the access token: that jti dies, the grant lives on.
    rp.revoke(&app, signed.access.secret(), "access_token").await;
    assert_token_refused(&app, signed.access.secret(), "revoked access token").await;
    assert!(!rp.introspect(signed.access.secret(), None).await.active());
    let refreshed = rp.refresh(&signed.refresh()).await.unwrap();
    let rt2 = refreshed.refresh_token().cloned().unwrap();
    rp.userinfo(refreshed.access_token(), Some(&ann.id)).await.unwrap();

    // Revoking the refresh token: the grant and its access tokens die.
    rp.revoke(&app, rt2.secret(), "refresh_token").await;
    assert_eq!(rp.refresh(&rt2).await.unwrap_err(), "invalid_grant");
    assert_token_refused(&app, refreshed.access_token().secret(), "access token of a revoked grant").await;

    // Unknown or already revoked: 200 all the same (RFC 7009 §2.2).
    for token in ["nonsense", rt2.secret().as_str(), signed.access.secret().as_str()] {
        let raw = rp::post_form(&app, "/oauth2/revoke", rp.auth(), &[("token", token)]).await;
        assert_eq!(raw.status, 200, "{token}: {}", raw.text);
    }

    // Another client's tokens: 200, and nothing happens.
    let live = rp.sign_in(&browser, &["email"]).await;
    for token in [live.access.secret(), live.refresh().secret()] {
        let raw = rp::post_form(&app, "/oauth2/revoke", other.auth(), &[("token", token)]).await;
        assert_eq!(raw.status, 200, "{}", raw.text);
    }
    rp.userinfo(&live.access, Some(&ann.id)).await.unwrap();
    let still = rp.refresh(&live.refresh()).await.unwrap();

    // Bad client credentials are still refused.
    let raw = rp::post_form(&app, "/oauth2/revoke", Auth::Basic(&rp.id, "fcs_wrong"), &[("token", still.access_token().secret())]).await;
    raw.assert_oauth_error(401, "invalid_client");
    rp.userinfo(still.access_token(), Some(&ann.id)).await.unwrap();

    // A public client revokes its own tokens by client_id (PKCE flow through the crate).
    let spa_signed = spa.sign_in(&browser, &["email"]).await;
    spa.revoke(&app, spa_signed.access.secret(), "refresh_token").await; // a wrong hint is only a hint
    assert_token_refused(&app, spa_signed.access.secret(), "public client's revoked token").await;
}

/// `client_credentials`: an access token for the client itself, API scopes only.
async fn client_credentials_grant(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let batch = Rp::register(
        &app,
        ClientSpec::new("air", "Air batch").redirect_uri(REDIRECT).scope("openid").scope("orders:read orders:write").grant("client_credentials"),
    )
    .await;
    let web = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;

    let issued = batch.client_credentials(&["orders:read"]).await.unwrap();
    assert_eq!(scopes_of(&issued), ["orders:read"]);
    assert!(issued.refresh_token().is_none(), "no refresh token for client_credentials");
    assert!(issued.id_token().is_none(), "no ID token for client_credentials");
    let (header, claims) = jwt_parts(issued.access_token().secret());
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(claims["sub"], batch.id.as_str());
    assert_eq!(claims["client_id"], batch.id.as_str());
    assert_eq!(claims["aud"], "urn:foyer:brand:air");
    assert_eq!(claims["scope"], "orders:read");
    assert!(claims.get("auth_time").is_none(), "{claims}");

    let info = batch.introspect(issued.access_token().secret(), None).await;
    assert!(info.active());
    assert_eq!(info.sub(), Some(batch.id.as_str()));

    // Not a customer's token: UserInfo answers insufficient_scope.
    let answer = rp::userinfo_raw(&app, issued.access_token().secret()).await;
    assert_eq!(answer.status, 403, "{}", answer.text);
    assert!(answer.header("www-authenticate").unwrap_or_default().contains(r#"error="insufficient_scope""#));

    // Only the client's API scopes, only for clients with the grant, only authenticated.
    assert_eq!(batch.client_credentials(&["openid"]).await.unwrap_err(), "invalid_scope");
    assert_eq!(batch.client_credentials(&["orders:delete"]).await.unwrap_err(), "invalid_scope");
    assert_eq!(web.client_credentials(&[]).await.unwrap_err(), "unauthorized_client");
    let raw = rp::post_form(&app, "/oauth2/token", Auth::Basic(&batch.id, "fcs_wrong"), &[("grant_type", "client_credentials")]).await;
    raw.assert_oauth_error(401, "invalid_client");
    assert!(raw.header("www-authenticate").unwrap_or_default().starts_with("Basic"), "{:?}", raw.headers);

    // Revocable like any access token.
    batch.revoke(&app, issued.access_token().secret(), "access_token").await;
    assert!(!batch.introspect(issued.access_token().secret(), None).await.active());
}

/// `oidcc_server_rotate_keys`: after a rotation the JWKS holds old and new keys, tokens
/// signed by the old key stay valid, new tokens use the new key; a removed key's tokens
/// die with it.
async fn oidcc_server_rotate_keys(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let mut rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    let mut ed = Rp::register(&app, ClientSpec::new("air", "Air EdDSA").redirect_uri("http://127.0.0.1:9/ed").id_token_alg("EdDSA")).await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let old = rp.sign_in(&browser, &["email"]).await;
    let old_ed = ed.sign_in(&browser, &["email"]).await;
    let kid = |token: &str| jwt_parts(token).0["kid"].as_str().unwrap().to_owned();
    let old_rs_kid = kid(&old.id_token.to_string());
    // Access tokens are ES256 by default (FOYER_ACCESS_TOKEN_ALG), ID tokens RS256.
    let old_at_kid = kid(old.access.secret());
    assert_eq!(jwt_parts(old.access.secret()).0["alg"], "ES256");
    assert_ne!(old_at_kid, old_rs_kid);
    let old_ed_kid = kid(&old_ed.id_token.to_string());
    assert_eq!(jwt_parts(&old_ed.id_token.to_string()).0["alg"], "EdDSA");

    // Rotate now (`foyer keys rotate --now`), as an operator on another node would.
    let manager = app.keys.manager().unwrap();
    let created = manager.rotate(app.identity.now(), None, Activation::Now).await.unwrap();
    assert_eq!(created.len(), 3);
    app.keys.forget().await;
    rp.rediscover(&app).await;
    ed.rediscover(&app).await;
    let kids: Vec<String> = rp.meta.jwks().keys().iter().filter_map(|k| openidconnect::JsonWebKey::key_id(k).map(|id| id.to_string())).collect();
    assert!(kids.contains(&old_rs_kid) && kids.contains(&old_ed_kid) && kids.contains(&old_at_kid), "retired keys stay published: {kids:?}");
    assert!(created.iter().all(|k| kids.contains(k)), "{kids:?}");

    // Old tokens: the ID tokens verify against the new JWKS, the access token works.
    rp.check_id_token(&old.id_token, Some(&old.access), Some(&old.nonce)).unwrap();
    ed.check_id_token(&old_ed.id_token, Some(&old_ed.access), Some(&old_ed.nonce)).unwrap();
    rp.userinfo(&old.access, Some(&ann.id)).await.unwrap();
    assert!(rp.introspect(old.access.secret(), None).await.active());

    // New tokens: signed by the new keys once the lead has passed (`--now` activates two
    // seconds later, when every node publishes them; the node reloads at the activation).
    tokio::time::sleep(std::time::Duration::from_millis(identity::jose::IMMEDIATE_LEAD_MS.unsigned_abs())).await;
    let new = rp.sign_in(&browser, &["email"]).await;
    let new_rs_kid = kid(&new.id_token.to_string());
    assert_ne!(new_rs_kid, old_rs_kid);
    assert!(created.contains(&new_rs_kid));
    let new_at_kid = kid(new.access.secret());
    assert!(new_at_kid != old_at_kid && created.contains(&new_at_kid), "access tokens use the new ES256 key");
    let new_ed = ed.sign_in(&browser, &["email"]).await;
    assert!(created.contains(&kid(&new_ed.id_token.to_string())));
    let refreshed = rp.refresh(&old.refresh()).await.unwrap();
    assert_eq!(kid(refreshed.access_token().secret()), new_at_kid, "a refresh after rotation signs with the new key");
    let refreshed_id = refreshed.id_token().expect("an ID token on refresh").to_string();
    assert_eq!(kid(&refreshed_id), new_rs_kid);

    // Withdrawing the old keys (a leak): what they signed stops working at once.
    assert!(manager.expire(app.identity.now(), &old_at_kid).await.unwrap());
    assert!(manager.expire(app.identity.now(), &old_rs_kid).await.unwrap());
    app.keys.forget().await;
    let second = rp.sign_in(&browser, &["email"]).await;
    assert_token_refused(&app, old.access.secret(), "signed by a removed key").await;
    rp.userinfo(&second.access, Some(&ann.id)).await.unwrap();
    rp.rediscover(&app).await;
    assert!(rp.check_id_token(&old.id_token, None, Some(&old.nonce)).is_err(), "the removed key left the JWKS");
}
