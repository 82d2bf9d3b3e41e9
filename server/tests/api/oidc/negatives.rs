//! What an attacker or a broken client tries (RFC 9700 §4): redirect URIs that are not
//! exactly registered, PKCE downgrades, code reuse and parallel redemption, codes for
//! another client, bad client authentication, unsupported response types and grants,
//! and forged, tampered or expired tokens at UserInfo.

use base64::Engine as _;
use identity::oidc::SigningAlg;
use identity::oidc::clients::ClientSpec;
use openidconnect::{PkceCodeChallenge, TokenIntrospectionResponse as _};
use serde_json::json;

use super::rp::{self, Answer, Auth, Browser, Landing, REDIRECT, Rp, assert_refused_page, assert_token_refused, b64, jwt_parts, now_s};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    oidcc_ensure_registered_redirect_uri,
    pkce_downgrades_refused,
    oidcc_codereuse,
    parallel_redemption_one_winner,
    code_bound_to_client_and_redirect_uri,
    client_authentication_failures,
    private_key_jwt_assertions,
    unsupported_response_types_and_grants,
    error_description_charset,
    bad_tokens_at_userinfo,
    browser_routes_are_rate_limited_per_ip,
    endpoints_want_a_form_body,
);

const REDIRECT_V2: &str = "http://127.0.0.1:9/cb?v=2";

/// A code for `rp` (PKCE S256) and its verifier; the browser is signed in.
async fn code(rp: &Rp, browser: &Browser) -> (String, String) {
    let start = rp.start(&["email"]);
    let verifier = start.verifier.secret().clone();
    let callback = browser.code_for(start.url.as_str()).await;
    (callback.code().to_owned(), verifier)
}

/// An authorization request of `client_id` with the usual parameters plus `extra`
/// (a parameter named in `extra` replaces the usual one; an empty value removes it).
fn authorize_url(app: &TestApp, client_id: &str, redirect_uri: &str, extra: &[(&str, &str)]) -> String {
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let mut params: Vec<(String, String)> = vec![
        ("response_type".into(), "code".into()),
        ("client_id".into(), client_id.into()),
        ("redirect_uri".into(), redirect_uri.into()),
        ("scope".into(), "openid email".into()),
        ("state".into(), "st-1".into()),
        ("code_challenge".into(), challenge.as_str().into()),
        ("code_challenge_method".into(), "S256".into()),
    ];
    for (k, v) in extra {
        params.retain(|(name, _)| name != k);
        if !v.is_empty() {
            params.push(((*k).into(), (*v).into()));
        }
    }
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    format!("{}/oauth2/authorize?{query}", app.public_url)
}

/// `oidcc_ensure_registered_redirect_uri`, `oidcc_redirect_uri_query_mismatch`,
/// `oidcc_redirect_uri_query_added`, `unknown_client_not_redirected`: anything but an
/// exact match (RFC 9700 §4.1) stays on our page, even for a signed-in customer who
/// approved the brand; the RFC 8252 loopback port exception is for public clients only.
async fn oidcc_ensure_registered_redirect_uri(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT).redirect_uri(REDIRECT_V2)).await;
    let spa = Rp::register(&app, ClientSpec::new("air", "Air SPA").redirect_uri("http://127.0.0.1/spa").public()).await;
    let disabled = Rp::register(&app, ClientSpec::new("air", "Air old").redirect_uri(REDIRECT)).await;
    app.identity.disable_client(&identity::principal::Principal::Operator, &disabled.id).await.unwrap();
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    rp.sign_in(&browser, &["email"]).await; // consent given: a wrong URI would get a code at once

    for bad in [
        "http://127.0.0.1:9/cb/",
        "http://127.0.0.1:9/cb?x=1",
        "http://127.0.0.1:9/cb?v=3",
        "http://127.0.0.1:9/cb?v=2&x=1",
        "http://127.0.0.1:9/CB",
        "http://127.0.0.1:9/cb/../cb",
        "http://127.0.0.1:9/cb%2F",
        "http://127.0.0.1:10/cb",
        "http://127.0.0.1/cb",
        "https://127.0.0.1:9/cb",
        "http://localhost:9/cb",
        "http://127.0.0.1:9/cb#frag",
        "http://user@127.0.0.1:9/cb",
        "http://attacker.example/cb",
        "http://127.0.0.1:9.attacker.example/cb",
    ] {
        assert_refused_page(browser.visit(&authorize_url(&app, &rp.id, bad, &[])).await, bad);
    }
    // Missing, empty or repeated redirect_uri; unknown, missing, repeated or disabled client.
    assert_refused_page(browser.visit(&authorize_url(&app, &rp.id, "", &[])).await, "no redirect_uri");
    let repeated = format!("{}&redirect_uri={}", authorize_url(&app, &rp.id, REDIRECT, &[]), url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>());
    assert_refused_page(browser.visit(&repeated).await, "redirect_uri repeated");
    assert_refused_page(browser.visit(&authorize_url(&app, "7d1c2a55-0000-4000-8000-000000000000", REDIRECT, &[])).await, "unknown client");
    assert_refused_page(browser.visit(&authorize_url(&app, "not-a-client", REDIRECT, &[])).await, "unknown client, not a UUID");
    assert_refused_page(browser.visit(&authorize_url(&app, "", REDIRECT, &[])).await, "no client_id");
    let repeated = format!("{}&client_id={}", authorize_url(&app, &rp.id, REDIRECT, &[]), rp.id);
    assert_refused_page(browser.visit(&repeated).await, "client_id repeated");
    assert_refused_page(browser.visit(&authorize_url(&app, &disabled.id, REDIRECT, &[])).await, "disabled client");
    // The page comes first even when everything else is wrong too.
    assert_refused_page(browser.visit(&authorize_url(&app, &rp.id, "http://attacker.example/cb", &[("response_type", "token")])).await, "bad type too");

    // Both registered URIs work exactly as typed.
    let callback = browser.visit(&authorize_url(&app, &rp.id, REDIRECT_V2, &[])).await.callback();
    assert!(callback.url.as_str().starts_with("http://127.0.0.1:9/cb?v=2&code="), "{}", callback.url);

    // RFC 8252 §7.3: a public client's loopback redirect may use any port, nothing else.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let loopback = "http://127.0.0.1:53124/spa";
    let url = authorize_url(&app, &spa.id, loopback, &[("code_challenge", challenge.as_str())]);
    let callback = browser.visit(&url).await.callback();
    assert!(callback.url.as_str().starts_with(&format!("{loopback}?")), "{}", callback.url);
    let answer = spa.redeem_raw(&app, callback.code(), Some(loopback), Some(verifier.secret())).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    for bad in ["http://127.0.0.1:53124/spa/x", "http://localhost:53124/spa", "http://127.0.0.1:53124/spa?x=1"] {
        assert_refused_page(browser.visit(&authorize_url(&app, &spa.id, bad, &[])).await, bad);
    }
}

/// RFC 9700 §4.8 / RFC 7636: only S256; a stored challenge needs its verifier, no
/// challenge means no verifier; public clients must use PKCE.
/// (`pkce_plain_refused`, `verifier_without_challenge_refused`, `public_client_needs_pkce`,
/// `oidcc_ensure_request_with_valid_pkce_succeeds`.)
async fn pkce_downgrades_refused(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    let spa = Rp::register(&app, ClientSpec::new("air", "Air SPA").redirect_uri("http://127.0.0.1/spa").public()).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    rp.sign_in(&browser, &["email"]).await;

    // At the authorization endpoint: redirected invalid_request, with state and iss.
    for (what, extra) in [
        ("plain", vec![("code_challenge_method", "plain")]),
        ("s256 in lower case", vec![("code_challenge_method", "s256")]),
        ("method without challenge", vec![("code_challenge", "")]),
        ("challenge without method (plain by default)", vec![("code_challenge_method", "")]),
        ("short challenge", vec![("code_challenge", "abc")]),
        ("challenge not base64url", vec![("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM")]),
    ] {
        let callback = browser.visit(&authorize_url(&app, &rp.id, REDIRECT, &extra)).await;
        match callback {
            Landing::Callback(c) => c.assert_error(&rp, "invalid_request", Some("st-1")),
            other => panic!("{what}: {other:?}"),
        }
    }
    let no_pkce = [("code_challenge", ""), ("code_challenge_method", "")];
    browser
        .visit(&authorize_url(&app, &spa.id, "http://127.0.0.1/spa", &no_pkce))
        .await
        .callback()
        .assert_error(&spa, "invalid_request", Some("st-1"));

    // At the token endpoint: missing, wrong, malformed, or the challenge itself as verifier.
    let start = rp.start(&["email"]);
    let verifier = start.verifier.secret().clone();
    let challenge_sent = start.url.query_pairs().find(|(k, _)| k == "code_challenge").unwrap().1.into_owned();
    let callback = browser.code_for(start.url.as_str()).await;
    let code = callback.code();
    let (_, other_verifier) = PkceCodeChallenge::new_random_sha256();
    for (what, v) in [
        ("no verifier", None),
        ("another verifier", Some(other_verifier.secret().as_str())),
        ("the challenge as verifier (plain downgrade)", Some(challenge_sent.as_str())),
        ("malformed verifier", Some("short")),
    ] {
        let answer = rp.redeem_raw(&app, code, Some(REDIRECT), v).await;
        assert_eq!(answer.body["error"], "invalid_grant", "{what}: {}", answer.text);
        answer.assert_oauth_error(400, "invalid_grant");
    }
    // The design rolls a failed check back: the code stays for the right verifier.
    let answer = rp.redeem_raw(&app, code, Some(REDIRECT), Some(&verifier)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    // No challenge at authorize: a verifier at the token endpoint is refused.
    let callback = browser.visit(&authorize_url(&app, &rp.id, REDIRECT, &no_pkce)).await.callback();
    let code = callback.code();
    rp.redeem_raw(&app, code, Some(REDIRECT), Some(&verifier)).await.assert_oauth_error(400, "invalid_grant");
    let answer = rp.redeem_raw(&app, code, Some(REDIRECT), None).await;
    assert_eq!(answer.status, 200, "a confidential client may skip PKCE: {}", answer.text);

    // A public client with PKCE through the crate (client_id only, no secret).
    let spa_signed = spa.sign_in(&browser, &["email"]).await;
    spa.userinfo(&spa_signed.access, None).await.unwrap();
    let (code, _) = self::code(&spa, &browser).await;
    spa.redeem_raw(&app, &code, Some("http://127.0.0.1/spa"), None).await.assert_oauth_error(400, "invalid_grant");
}

/// `oidcc_codereuse`: a second redemption fails and revokes what the first issued.
async fn oidcc_codereuse(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let start = rp.start(&["email"]);
    let verifier = start.verifier.secret().clone();
    let callback = browser.code_for(start.url.as_str()).await;
    let signed = rp.finish(start, &callback).await;
    rp.userinfo(&signed.access, Some(&ann.id)).await.unwrap();

    rp.redeem_raw(&app, callback.code(), Some(REDIRECT), Some(&verifier)).await.assert_oauth_error(400, "invalid_grant");
    assert_token_refused(&app, signed.access.secret(), "access token of a replayed code").await;
    assert_eq!(rp.refresh(&signed.refresh()).await.unwrap_err(), "invalid_grant");
    assert!(!rp.introspect(signed.access.secret(), None).await.active());
    assert!(rp::audit_actions(&app).await.contains(&"oauth.code_replayed".to_owned()));
    // A third try is still refused (and harmless).
    rp.redeem_raw(&app, callback.code(), Some(REDIRECT), Some(&verifier)).await.assert_oauth_error(400, "invalid_grant");
}

/// `parallel_redemption_one_winner`: ten simultaneous redemptions of one code, exactly
/// one succeeds and the other nine are `invalid_grant` (never a server error); the
/// replays then revoke what the winner got. A few rounds, since a race is a race, and a
/// last burst larger than the connection pool (10), which must change nothing.
async fn parallel_redemption_one_winner(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    for (round, burst) in [10, 10, 10, 25].into_iter().enumerate() {
        let (code, verifier) = code(&rp, &browser).await;
        let answers: Vec<Answer> = futures::future::join_all((0..burst).map(|_| rp.redeem_raw(&app, &code, Some(REDIRECT), Some(&verifier)))).await;
        let outcomes: Vec<(u16, String)> = answers.iter().map(|a| (a.status, a.body["error"].as_str().unwrap_or("-").to_owned())).collect();
        let winners: Vec<&Answer> = answers.iter().filter(|a| a.status == 200).collect();
        assert_eq!(winners.len(), 1, "round {round}: exactly one success: {outcomes:?}");
        for loser in answers.iter().filter(|a| a.status != 200) {
            assert_eq!((loser.status, loser.body["error"].as_str()), (400, Some("invalid_grant")), "round {round}: {outcomes:?}");
        }
        let access = winners[0].body["access_token"].as_str().unwrap();
        let refresh = winners[0].body["refresh_token"].as_str().unwrap();
        assert_token_refused(&app, access, "the winner's access token after replays").await;
        assert_eq!(rp.refresh(&openidconnect::RefreshToken::new(refresh.to_owned())).await.unwrap_err(), "invalid_grant");
    }
}

/// RFC 9700 §4.5: a code works only for its client and its redirect URI.
async fn code_bound_to_client_and_redirect_uri(db: Db) {
    let Some(app) = rp::spawn_with(TestApp::builder(db).with_clock()).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    rp::brand(&app, "hotels", "Northwind Hotels").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT).redirect_uri(REDIRECT_V2)).await;
    let sibling = Rp::register(&app, ClientSpec::new("air", "Air other").redirect_uri(REDIRECT)).await;
    let hotels = Rp::register(&app, ClientSpec::new("hotels", "Hotels web").redirect_uri(REDIRECT).auth_method("client_secret_post")).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let (code, verifier) = code(&rp, &browser).await;

    sibling.redeem_raw(&app, &code, Some(REDIRECT), Some(&verifier)).await.assert_oauth_error(400, "invalid_grant");
    hotels.redeem_raw(&app, &code, Some(REDIRECT), Some(&verifier)).await.assert_oauth_error(400, "invalid_grant");
    rp.redeem_raw(&app, &code, Some(REDIRECT_V2), Some(&verifier)).await.assert_oauth_error(400, "invalid_grant");
    rp.redeem_raw(&app, &code, Some("http://127.0.0.1:9/cb/"), Some(&verifier)).await.assert_oauth_error(400, "invalid_grant");
    rp.redeem_raw(&app, &code, None, Some(&verifier)).await.assert_oauth_error(400, "invalid_request");
    rp.redeem_raw(&app, "not-a-code", Some(REDIRECT), Some(&verifier)).await.assert_oauth_error(400, "invalid_grant");
    // The mismatches did not spend it (the design rolls them back): its own client can.
    let answer = rp.redeem_raw(&app, &code, Some(REDIRECT), Some(&verifier)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let access = answer.body["access_token"].as_str().unwrap().to_owned();

    // A code past its 60 s is refused, and (not being a replay) revokes nothing.
    let (late, late_verifier) = self::code(&rp, &browser).await;
    app.advance(std::time::Duration::from_millis(u64::try_from(identity::oidc::flow::CODE_TTL_MS).unwrap() + 1_000));
    rp.redeem_raw(&app, &late, Some(REDIRECT), Some(&late_verifier)).await.assert_oauth_error(400, "invalid_grant");
    assert_eq!(rp::userinfo_raw(&app, &access).await.status, 200);

    // A request handle past its 15 minutes: "took too long", never a code.
    let start = rp.start(&["email", "profile"]);
    let r = browser.visit(start.url.as_str()).await.consent();
    app.advance(std::time::Duration::from_millis(u64::try_from(identity::oidc::flow::REQUEST_TTL_MS).unwrap() + 1_000));
    let (status, body) = browser.server_fn("consent_decide", &[("r", &r), ("allow", "true")]).await;
    assert_ne!(status, 200, "{body}");
    let page = browser.visit(&format!("/oauth2/continue?r={r}")).await.page();
    assert_eq!(page.status, 400, "{}", page.text);
    assert!(page.text.contains("took too long"), "{}", page.text);
}

/// A POST with a hand-made `Authorization` header.
async fn post_authorized(app: &TestApp, authorization: &str, form: &[(&str, &str)]) -> Answer {
    let response = rp::http().post(app.url("/oauth2/token")).header("authorization", authorization).form(form).send().await.unwrap();
    Answer::of(response).await
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")))
}

/// A POST with a hand-made `Authorization` header, "from" `ip` (the test server trusts
/// `X-Forwarded-For` from 127.0.0.1, as behind a reverse proxy).
async fn post_authorized_from(app: &TestApp, ip: &str, authorization: &str, form: &[(&str, &str)]) -> Answer {
    let request = rp::http().post(app.url("/oauth2/token")).header("authorization", authorization).header("x-forwarded-for", ip).form(form);
    Answer::of(request.send().await.unwrap()).await
}

/// The per-address budget of failed client authentications in `client_authentication_failures`.
const IP_BUDGET: i64 = 25;

/// RFC 6749 §2.3 / OIDC Core §9: exactly one method, the registered one; failures are
/// 401 `invalid_client` (with a Basic challenge when Basic was tried).
/// (`basic_auth_is_urldecoded` included.) Failures count per (client, address) and per
/// address, so nobody can lock a client out from elsewhere (issue 10).
async fn client_authentication_failures(db: Db) {
    // The clock stands still: a block, once started, lasts while the test looks at it.
    let builder = TestApp::builder(db).with_clock().configure(|raw| {
        raw.trusted_proxies = "127.0.0.1".into();
        raw.limit_client_auth_failures_per_ip = IP_BUDGET;
    });
    let Some(app) = rp::spawn_with(builder).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let web = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    let post = Rp::register(&app, ClientSpec::new("air", "Air post").redirect_uri(REDIRECT).auth_method("client_secret_post")).await;
    let doomed = Rp::register(&app, ClientSpec::new("air", "Air old").redirect_uri(REDIRECT)).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let doomed_tokens = doomed.sign_in(&browser, &["email"]).await;
    let (web_secret, post_secret) = (web.secret.clone().unwrap(), post.secret.clone().unwrap());
    // A bogus code: authentication passes → 400 invalid_grant; fails → 401 invalid_client.
    let form = [("grant_type", "authorization_code"), ("code", "bogus"), ("redirect_uri", REDIRECT)];
    let passes = |a: &Answer, what: &str| assert_eq!((a.status, a.body["error"].as_str()), (400, Some("invalid_grant")), "{what}: {}", a.text);
    let refused = |a: &Answer, what: &str, basic_tried: bool| {
        a.assert_oauth_error(401, "invalid_client");
        let challenge = a.header("www-authenticate");
        assert_eq!(challenge.is_some_and(|c| c.starts_with("Basic")), basic_tried, "{what}: {challenge:?}");
    };

    passes(&post_authorized(&app, &basic(&web.id, &web_secret), &form).await, "right Basic");
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
    let encoded = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    passes(&post_authorized(&app, &basic(&encoded(&web.id), &encoded(&web_secret)), &form).await, "urlencoded Basic");
    refused(&post_authorized(&app, &basic(&web.id, "fcs_wrong"), &form).await, "wrong secret", true);
    refused(&post_authorized(&app, &basic(&web.id, &post_secret), &form).await, "another client's secret", true);
    refused(&post_authorized(&app, &basic("7d1c2a55-0000-4000-8000-000000000000", &web_secret), &form).await, "unknown client", true);
    refused(&post_authorized(&app, "Basic !!!not-base64", &form).await, "malformed Basic", true);
    refused(&post_authorized(&app, &basic(&post.id, &post_secret), &form).await, "Basic for a client_secret_post client", true);
    refused(&rp::post_form(&app, "/oauth2/token", Auth::Post(&web.id, &web_secret), &form).await, "body secret for a Basic client", false);
    passes(&rp::post_form(&app, "/oauth2/token", Auth::Post(&post.id, &post_secret), &form).await, "client_secret_post");
    refused(&rp::post_form(&app, "/oauth2/token", Auth::Id(&web.id), &form).await, "confidential client without secret", false);
    refused(&rp::post_form(&app, "/oauth2/token", Auth::None, &form).await, "no authentication", false);
    let mut with_other_id = form.to_vec();
    with_other_id.push(("client_id", &post.id));
    refused(&post_authorized(&app, &basic(&web.id, &web_secret), &with_other_id).await, "Basic and another client_id", true);
    // Two methods at once: invalid_request.
    let mut two = form.to_vec();
    two.push(("client_secret", &web_secret));
    post_authorized(&app, &basic(&web.id, &web_secret), &two).await.assert_oauth_error(400, "invalid_request");

    // A rotated secret: the old one dies at once (default), the new one works.
    let rotated = app.identity.rotate_client_secret(&identity::principal::Principal::Operator, &doomed.id, None).await.unwrap();
    let doomed_secret = doomed.secret.clone().unwrap();
    refused(&post_authorized(&app, &basic(&doomed.id, &doomed_secret), &form).await, "old secret", true);
    use secrecy::ExposeSecret as _;
    passes(&post_authorized(&app, &basic(&doomed.id, rotated.secret.expose_secret()), &form).await, "new secret");
    // A disabled client: the same failure.
    app.identity.disable_client(&identity::principal::Principal::Operator, &doomed.id).await.unwrap();
    refused(&post_authorized(&app, &basic(&doomed.id, rotated.secret.expose_secret()), &form).await, "disabled client", true);
    // …and what it held is revoked.
    assert_token_refused(&app, doomed_tokens.access.secret(), "a disabled client's access token").await;
    let doomed_refresh = doomed_tokens.refresh();
    let refresh = [("grant_type", "refresh_token"), ("refresh_token", doomed_refresh.secret().as_str())];
    refused(&post_authorized(&app, &basic(&doomed.id, rotated.secret.expose_secret()), &refresh).await, "disabled client refreshing", true);
    assert_eq!(app.identity.live_refresh_token(doomed_tokens.refresh().secret()).await.unwrap().map(|g| g.id), None, "the grant is revoked");

    // The throttle (issue 10): ten free failures per (client, address), then 429 with
    // Retry-After even for the right secret, from that address only. Client ids are public:
    // eleven bad secrets from address A must not lock the client out at address B.
    let locked = Rp::register(&app, ClientSpec::new("air", "Air locked").redirect_uri(REDIRECT).grant("client_credentials")).await;
    let locked_secret = locked.secret.clone().unwrap();
    let (a, b, c) = ("203.0.113.7", "198.51.100.20", "192.0.2.33");
    for i in 0..11 {
        refused(&post_authorized_from(&app, a, &basic(&locked.id, "fcs_wrong"), &form).await, &format!("failure {i} from A"), true);
    }
    let pair_key = format!("client:{}:{a}", identity::sha256_hex(locked.id.as_bytes()));
    let state = app.identity.store().throttle_get(&pair_key).await.unwrap().expect("failures are counted per (client, address)");
    assert_eq!(state.failures, 11);
    assert!(state.blocked_until.is_some(), "the eleventh failure starts the delays");
    let credentials = [("grant_type", "client_credentials")];
    let answer = post_authorized_from(&app, a, &basic(&locked.id, &locked_secret), &credentials).await;
    assert_eq!(answer.status, 429, "address A is throttled for this client: {}", answer.text);
    assert!(answer.header("retry-after").and_then(|v| v.parse::<u64>().ok()).is_some_and(|s| s > 0), "{:?}", answer.headers);
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    let answer = post_authorized_from(&app, b, &basic(&locked.id, &locked_secret), &credentials).await;
    assert_eq!(answer.status, 200, "the right secret from address B still works: {}", answer.text);
    passes(&post_authorized_from(&app, a, &basic(&web.id, &web_secret), &form).await, "another client from address A");

    // Unknown client ids count against the address alone: no row of their own. Past the
    // address's budget, every client is refused from there (and only from there).
    let client_rows = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM throttle WHERE key LIKE 'client:%'").fetch_one(app.identity.store().pool()).await.unwrap();
        n
    };
    let before = client_rows().await;
    for i in 0..IP_BUDGET {
        let random = uuid::Uuid::new_v4().to_string();
        refused(&post_authorized_from(&app, c, &basic(&random, "fcs_guess"), &form).await, &format!("unknown id {i}"), true);
    }
    assert_eq!(client_rows().await, before, "unknown client ids write no throttle row of their own");
    let ip_key = format!("client-ip:{c}");
    assert_eq!(app.identity.store().throttle_get(&ip_key).await.unwrap().map(|s| (s.failures, s.blocked_until.is_some())), Some((IP_BUDGET, false)));
    refused(&post_authorized_from(&app, c, &basic("7d1c2a55-0000-4000-8000-000000000001", "fcs_guess"), &form).await, "one past the budget", true);
    let answer = post_authorized_from(&app, c, &basic(&web.id, &web_secret), &form).await;
    assert_eq!(answer.status, 429, "address C is throttled for every client: {}", answer.text);
    passes(&post_authorized_from(&app, b, &basic(&web.id, &web_secret), &form).await, "the same client elsewhere");
}

/// An RP's Ed25519 keys for `private_key_jwt` (PKCS#8).
const RP_KEY_1: &str = include_str!("fixtures/ed25519-rp-key-1.pem");
const RP_KEY_2: &str = include_str!("fixtures/ed25519-rp-key-2.pem");

/// A `private_key_jwt` client trusting `jwks`.
async fn jwt_client(app: &TestApp, jwks: &str, name: &str) -> Rp {
    Rp::register(app, ClientSpec::new("air", name).redirect_uri(REDIRECT).auth_method("private_key_jwt").jwks(jwks)).await
}

/// OIDC Core §9 `private_key_jwt` (RFC 7523): an assertion signed by a key of the
/// client's registered JWKS, for us, short-lived, used once; never `none` or HMAC.
/// (`hs256_assertion_refused`, `assertion_jti_replay_refused`.) Each refused case uses a
/// client of its own, so the failed-authentication throttle never answers instead.
async fn private_key_jwt_assertions(db: Db) {
    use openidconnect::PrivateSigningKey as _;
    use openidconnect::core::{CoreEdDsaPrivateSigningKey, CoreJwsSigningAlgorithm};

    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let key = CoreEdDsaPrivateSigningKey::from_ed25519_pem(RP_KEY_1, Some(openidconnect::JsonWebKeyId::new("rp-1".into()))).unwrap();
    let stranger = CoreEdDsaPrivateSigningKey::from_ed25519_pem(RP_KEY_2, Some(openidconnect::JsonWebKeyId::new("rp-1".into()))).unwrap();
    let jwks = json!({ "keys": [key.as_verification_key()] }).to_string();
    let rp = jwt_client(&app, &jwks, "Air jwt").await;
    let web = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    let token_endpoint = format!("{}/oauth2/token", app.public_url);
    let issuer = app.public_url.clone();
    let claims = |id: &str| {
        json!({ "iss": id, "sub": id, "aud": issuer, "iat": now_s(), "exp": now_s() + 60, "jti": uuid::Uuid::new_v4().to_string() })
    };
    let header = json!({ "alg": "EdDSA", "kid": "rp-1", "typ": "JWT" });
    let sign = |signer: &CoreEdDsaPrivateSigningKey, header: &serde_json::Value, claims: &serde_json::Value| {
        let input = format!("{}.{}", b64(header), b64(claims));
        let signature = signer.sign(&CoreJwsSigningAlgorithm::EdDsa, input.as_bytes()).unwrap();
        format!("{input}.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signature))
    };
    const TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    let present = |assertion: String, client_id: Option<String>, assertion_type: &'static str| {
        let app = &app;
        async move {
            let mut form = vec![("grant_type", "authorization_code".to_owned()), ("code", "bogus".to_owned()), ("redirect_uri", REDIRECT.to_owned())];
            form.extend([("client_assertion_type", assertion_type.to_owned()), ("client_assertion", assertion)]);
            if let Some(id) = client_id {
                form.push(("client_id", id));
            }
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            rp::post_form(app, "/oauth2/token", Auth::None, &pairs).await
        }
    };
    let passes = |a: &Answer, what: &str| assert_eq!((a.status, a.body["error"].as_str()), (400, Some("invalid_grant")), "{what}: {}", a.text);
    let refused = |a: &Answer, what: &str| {
        assert_eq!(a.status, 401, "{what}: {}", a.text);
        a.assert_oauth_error(401, "invalid_client");
    };

    // A full code exchange authenticated by an assertion.
    let browser = Browser::new(&app);
    rp::customer(&app, "ann@example.com").await;
    browser.sign_in("ann@example.com").await;
    let (code, verifier) = code(&rp, &browser).await;
    let first = sign(&key, &header, &claims(&rp.id));
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier.as_str()),
        ("client_id", rp.id.as_str()),
        ("client_assertion_type", TYPE),
        ("client_assertion", first.as_str()),
    ];
    let answer = rp::post_form(&app, "/oauth2/token", Auth::None, &form).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    // The same assertion again: its jti was used.
    refused(&present(first, Some(rp.id.clone()), TYPE).await, "replayed jti");

    // What passes: client_id optional (iss names the client), aud the issuer as a string
    // or as a one-element list.
    passes(&present(sign(&key, &header, &claims(&rp.id)), None, TYPE).await, "no client_id");
    passes(&present(sign(&key, &header, &claims(&rp.id)), Some(rp.id.clone()), TYPE).await, "aud = issuer");
    let mut listed = claims(&rp.id);
    listed["aud"] = json!([app.public_url]);
    passes(&present(sign(&key, &header, &listed), Some(rp.id.clone()), TYPE).await, "aud = [issuer]");

    // What fails: claims… (the audience is the issuer alone: not the token endpoint, not a
    // list that also names another party, which could replay the assertion here)
    let cases: [(&str, &str, serde_json::Value); 10] = [
        ("aud elsewhere", "aud", json!("https://elsewhere.example/token")),
        ("aud [issuer, evil]", "aud", json!([app.public_url, "https://evil"])),
        ("aud the token endpoint", "aud", json!(token_endpoint)),
        ("aud [token endpoint]", "aud", json!([token_endpoint])),
        ("iss another client", "iss", json!(web.id)),
        ("sub another client", "sub", json!(web.id)),
        ("expired", "exp", json!(now_s() - 300)),
        ("lives longer than 5 minutes", "exp", json!(now_s() + 3_600)),
        ("no exp", "exp", serde_json::Value::Null),
        ("no jti", "jti", serde_json::Value::Null),
    ];
    for (what, name, value) in cases {
        let client = jwt_client(&app, &jwks, what).await;
        let mut c = claims(&client.id);
        if value.is_null() {
            c.as_object_mut().unwrap().remove(name);
        } else {
            c[name] = value;
        }
        refused(&present(sign(&key, &header, &c), Some(client.id.clone()), TYPE).await, what);
    }
    // …keys and algorithms…
    let client = jwt_client(&app, &jwks, "stranger").await;
    refused(&present(sign(&stranger, &header, &claims(&client.id)), Some(client.id.clone()), TYPE).await, "another key with the same kid");
    let client = jwt_client(&app, &jwks, "unknown kid").await;
    let mut other_kid = header.clone();
    other_kid["kid"] = json!("rp-2");
    refused(&present(sign(&key, &other_kid, &claims(&client.id)), Some(client.id.clone()), TYPE).await, "unknown kid");
    let client = jwt_client(&app, &jwks, "none").await;
    let none = format!("{}.{}.", b64(&json!({ "alg": "none", "kid": "rp-1" })), b64(&claims(&client.id)));
    refused(&present(none, Some(client.id.clone()), TYPE).await, "alg none");
    let client = jwt_client(&app, &jwks, "hmac").await;
    let input = format!("{}.{}", b64(&json!({ "alg": "HS256", "kid": "rp-1" })), b64(&claims(&client.id)));
    let mac = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rp::hmac_sha256(jwks.as_bytes(), input.as_bytes()));
    refused(&present(format!("{input}.{mac}"), Some(client.id.clone()), TYPE).await, "HS256 keyed with the JWKS");
    // …and the request around the assertion.
    let client = jwt_client(&app, &jwks, "type").await;
    let saml = "urn:ietf:params:oauth:client-assertion-type:saml2-bearer";
    refused(&present(sign(&key, &header, &claims(&client.id)), Some(client.id.clone()), saml).await, "wrong assertion type");
    let client = jwt_client(&app, &jwks, "mixed").await;
    refused(&present(sign(&key, &header, &claims(&client.id)), Some(web.id.clone()), TYPE).await, "client_id of another client");
    let client = jwt_client(&app, &jwks, "bare").await;
    let bare = [("grant_type", "authorization_code"), ("code", "bogus"), ("redirect_uri", REDIRECT)];
    refused(&rp::post_form(&app, "/oauth2/token", Auth::Id(&client.id), &bare).await, "client_id alone");
    let mut two = vec![("grant_type", "authorization_code".to_owned()), ("code", "bogus".to_owned()), ("redirect_uri", REDIRECT.to_owned())];
    two.extend([
        ("client_assertion_type", TYPE.to_owned()),
        ("client_assertion", sign(&key, &header, &claims(&rp.id))),
        ("client_secret", "fcs_x".to_owned()),
        ("client_id", rp.id.clone()),
    ]);
    let pairs: Vec<(&str, &str)> = two.iter().map(|(k, v)| (*k, v.as_str())).collect();
    rp::post_form(&app, "/oauth2/token", Auth::None, &pairs).await.assert_oauth_error(400, "invalid_request");
    // The client still authenticates (none of the refusals counted against it).
    passes(&present(sign(&key, &header, &claims(&rp.id)), Some(rp.id.clone()), TYPE).await, "after all that");
}

/// `oidcc_response_type_missing`, `iss_in_error_responses`, unsupported response types,
/// request objects and grants.
async fn unsupported_response_types_and_grants(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    rp.sign_in(&browser, &["email"]).await;

    let error_for = |extra: Vec<(&'static str, String)>| {
        let extra: Vec<(&str, String)> = extra;
        let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
        authorize_url(&app, &rp.id, REDIRECT, &pairs)
    };
    for response_type in ["token", "id_token", "code id_token", "code token", "id_token token", "code id_token token", "none", "CODE"] {
        let url = error_for(vec![("response_type", response_type.to_owned())]);
        browser.visit(&url).await.callback().assert_error(&rp, "unsupported_response_type", Some("st-1"));
    }
    for (what, extra, error) in [
        ("response_type missing", vec![("response_type", String::new())], "invalid_request"),
        ("request object", vec![("request", "eyJhbGciOiJub25lIn0.e30.".to_owned())], "request_not_supported"),
        ("request_uri", vec![("request_uri", "https://attacker.example/r".to_owned())], "request_uri_not_supported"),
        ("registration", vec![("registration", "{}".to_owned())], "registration_not_supported"),
        ("scope not allowed", vec![("scope", "openid phone".to_owned())], "invalid_scope"),
        ("API scope", vec![("scope", "openid orders:read".to_owned())], "invalid_scope"),
        ("response_mode fragment", vec![("response_mode", "fragment".to_owned())], "invalid_request"),
        ("nonce too long", vec![("nonce", "n".repeat(513))], "invalid_request"),
    ] {
        match browser.visit(&error_for(extra)).await {
            Landing::Callback(c) => c.assert_error(&rp, error, Some("st-1")),
            other => panic!("{what}: {other:?}"),
        }
    }
    // A repeated or oversized state is not echoed.
    let repeated = format!("{}&state=st-2", error_for(vec![]));
    browser.visit(&repeated).await.callback().assert_error(&rp, "invalid_request", None);
    browser.visit(&error_for(vec![("state", "s".repeat(1025))])).await.callback().assert_error(&rp, "invalid_request", None);
    let repeated = format!("{}&nonce=a&nonce=b", error_for(vec![]));
    browser.visit(&repeated).await.callback().assert_error(&rp, "invalid_request", Some("st-1"));

    // POST authorize: 303 to the GET form with the same parameters.
    let url = url::Url::parse(&error_for(vec![])).unwrap();
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let response = browser.http.post(app.url("/oauth2/authorize")).form(&pairs).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let back: Vec<(String, String)> = url::Url::parse(&format!("http://x{location}")).unwrap().query_pairs().into_owned().collect();
    assert!(location.starts_with("/oauth2/authorize?"), "{location}");
    assert_eq!(back, pairs);

    // The token endpoint.
    for grant in ["password", "implicit", "urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:jwt-bearer"] {
        let answer = rp::post_form(&app, "/oauth2/token", rp.auth(), &[("grant_type", grant), ("username", "ann@example.com"), ("password", rp::PASSWORD)]).await;
        answer.assert_oauth_error(400, "unsupported_grant_type");
    }
    // Token exchange exists, for delegates of clients that opted in (oidc::delegation).
    rp::post_form(&app, "/oauth2/token", rp.auth(), &[("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"), ("subject_token", "x")])
        .await
        .assert_oauth_error(400, "unauthorized_client");
    rp::post_form(&app, "/oauth2/token", rp.auth(), &[("code", "x")]).await.assert_oauth_error(400, "invalid_request");
    rp::post_form(&app, "/oauth2/token", rp.auth(), &[("grant_type", "authorization_code"), ("grant_type", "refresh_token"), ("code", "x")])
        .await
        .assert_oauth_error(400, "invalid_request");
    rp::post_form(&app, "/oauth2/token", rp.auth(), &[("grant_type", "authorization_code"), ("redirect_uri", REDIRECT)])
        .await
        .assert_oauth_error(400, "invalid_request");
    rp::post_form(&app, "/oauth2/token", rp.auth(), &[("grant_type", "refresh_token")]).await.assert_oauth_error(400, "invalid_request");
    rp::post_form(&app, "/oauth2/token", rp.auth(), &[("grant_type", "client_credentials")]).await.assert_oauth_error(400, "unauthorized_client");
    let response = rp::http().get(app.url("/oauth2/token")).send().await.unwrap();
    assert_eq!(response.status(), 405);
}

/// RFC 6749 §4.1.2.1: `error_description` keeps to `%x20-21 / %x23-5B / %x5D-7E`
/// whatever the request sent (an unknown scope is named in the description).
async fn error_description_charset(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    let browser = Browser::new(&app);
    for scope in ["openid \"quoted\"", "openid back\\slash", "openid caf\u{e9}", "openid tab\there"] {
        let url = authorize_url(&app, &rp.id, REDIRECT, &[("scope", scope)]);
        match browser.visit(&url).await {
            Landing::Callback(c) => c.assert_error(&rp, "invalid_scope", Some("st-1")),
            other => panic!("{scope}: {other:?}"),
        }
    }
}

/// RFC 6750 and the design's "anything we accept": tampered, unsigned, HMAC-forged,
/// expired, mistyped or misaddressed tokens are all 401 `invalid_token` at UserInfo.
/// (`oidcc_idtoken_unsigned` and `oidcc_idtoken_signature` from the provider's side.)
async fn bad_tokens_at_userinfo(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let signed = rp.sign_in(&browser, &["email"]).await;
    let good = signed.access.secret().clone();
    let url = app.url("/oauth2/userinfo");
    let http = rp::http();

    // No token: a bare challenge (RFC 6750 §3.1: no error code).
    let answer = Answer::of(http.get(&url).send().await.unwrap()).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.header("www-authenticate"), Some(r#"Bearer realm="foyer""#));
    let answer = Answer::of(http.get(format!("{url}?access_token={good}")).send().await.unwrap()).await;
    assert_eq!((answer.status, answer.header("www-authenticate")), (401, Some(r#"Bearer realm="foyer""#)), "never from the query");
    let answer = Answer::of(http.get(&url).header("authorization", "Bearer ").send().await.unwrap()).await;
    assert_eq!(answer.status, 401);

    // The good token, every way it may come.
    assert_eq!(rp::userinfo_raw(&app, &good).await.body["sub"], ann.id.as_str());
    let answer = Answer::of(http.get(&url).header("authorization", format!("bearer {good}")).send().await.unwrap()).await;
    assert_eq!(answer.status, 200, "the scheme is case-insensitive");
    let answer = Answer::of(http.post(&url).bearer_auth(&good).form(&[("x", "y")]).send().await.unwrap()).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let answer = Answer::of(http.post(&url).form(&[("access_token", good.as_str())]).send().await.unwrap()).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let answer = Answer::of(http.post(&url).bearer_auth(&good).form(&[("access_token", good.as_str())]).send().await.unwrap()).await;
    assert_eq!(answer.status, 400, "one way only: {}", answer.text);

    // The harness can make tokens the server accepts: the same claims, signed by its key.
    let (header, claims) = jwt_parts(&good);
    let signature = good.rsplit('.').next().unwrap().to_owned();
    let resigned = rp::sign_with_server_key(&app, SigningAlg::Es256, &claims, "at+jwt").await;
    assert_eq!(rp::userinfo_raw(&app, &resigned).await.status, 200, "control: a faithful re-signature is accepted");

    let mut forged: Vec<(&str, String)> = Vec::new();
    let mut other_sub = claims.clone();
    other_sub["sub"] = json!("someone-else");
    forged.push(("payload changed, signature kept", rp::with_parts(&header, &other_sub, &signature)));
    let mut wider = claims.clone();
    wider["scope"] = json!("openid email profile address");
    forged.push(("scope widened, signature kept", rp::with_parts(&header, &wider, &signature)));
    let mut sig = signature.clone().into_bytes();
    let middle = sig.len() / 2;
    sig[middle] = if sig[middle] == b'A' { b'B' } else { b'A' };
    forged.push(("signature changed", rp::with_parts(&header, &claims, &String::from_utf8(sig).unwrap())));
    forged.push(("alg none", format!("{}.{}.", b64(&json!({ "alg": "none", "typ": "at+jwt" })), b64(&claims))));
    let mut none_with_kid = header.clone();
    none_with_kid["alg"] = json!("none");
    forged.push(("alg none with our kid", format!("{}.{}.", b64(&none_with_kid), b64(&claims))));
    forged.push(("alg none, signature kept", format!("{}.{}.{signature}", b64(&none_with_kid), b64(&claims))));
    // alg confusion: HS256 keyed with the published public key of the token's kid.
    let jwks = app.get_text("/oauth2/jwks").await.1;
    let jwks: serde_json::Value = serde_json::from_str(&jwks).unwrap();
    let our_jwk = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == header["kid"]).unwrap().to_string();
    let mut hs_header = header.clone();
    hs_header["alg"] = json!("HS256");
    let input = format!("{}.{}", b64(&hs_header), b64(&claims));
    let mac = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rp::hmac_sha256(our_jwk.as_bytes(), input.as_bytes()));
    forged.push(("HS256 keyed with the public JWK", format!("{input}.{mac}")));
    // Signed by our key but wrong in substance.
    let now = app.identity.now() / 1000;
    let mut expired = claims.clone();
    expired["iat"] = json!(now - 3_600);
    expired["exp"] = json!(now - 3_000);
    forged.push(("expired (jti still live)", rp::sign_with_server_key(&app, SigningAlg::Es256, &expired, "at+jwt").await));
    forged.push(("typ JWT instead of at+jwt", rp::sign_with_server_key(&app, SigningAlg::Es256, &claims, "JWT").await));
    let mut other_iss = claims.clone();
    other_iss["iss"] = json!("https://attacker.example");
    forged.push(("another issuer", rp::sign_with_server_key(&app, SigningAlg::Es256, &other_iss, "at+jwt").await));
    let mut other_aud = claims.clone();
    other_aud["aud"] = json!("urn:foyer:brand:hotels");
    forged.push(("another audience", rp::sign_with_server_key(&app, SigningAlg::Es256, &other_aud, "at+jwt").await));
    let mut unknown_jti = claims.clone();
    unknown_jti["jti"] = json!("00000000-0000-4000-8000-000000000000");
    forged.push(("unknown jti", rp::sign_with_server_key(&app, SigningAlg::Es256, &unknown_jti, "at+jwt").await));
    forged.push(("RS256 instead of ES256 (our own RSA key)", rp::sign_with_server_key(&app, SigningAlg::Rs256, &claims, "at+jwt").await));
    forged.push(("EdDSA instead of ES256 (our own Ed25519 key)", rp::sign_with_server_key(&app, SigningAlg::EdDsa, &claims, "at+jwt").await));
    forged.push(("the ID token", signed.id_token.to_string()));
    forged.push(("the refresh token", signed.refresh().secret().clone()));
    forged.push(("two parts", format!("{}.{}", b64(&header), b64(&claims))));
    forged.push(("four parts", format!("{good}.x")));
    forged.push(("garbage", "not-a-token".to_owned()));
    for (what, token) in &forged {
        assert_token_refused(&app, token, what).await;
    }

    // None of it changed anything for the real token.
    rp.userinfo(&signed.access, Some(&ann.id)).await.unwrap();
}

/// The browser routes' limit per client IP (here a burst of 60 at 1 a second), then 429
/// with `Retry-After` on our page; the token endpoint, keyed by client, is not affected.
async fn browser_routes_are_rate_limited_per_ip(db: Db) {
    // A low limit set the way an operator would (FOYER_LIMIT_BROWSER_PER_IP_*).
    let builder = TestApp::builder(db).configure(|raw| {
        raw.limit_browser_per_ip_per_second = 1;
        raw.limit_browser_per_ip_burst = 60;
    });
    let Some(app) = rp::spawn_with(builder).await else { return };
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let url = app.url("/oauth2/authorize?client_id=nobody&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb");
    let mut statuses = Vec::new();
    for _ in 0..61 {
        statuses.push(http.get(&url).send().await.unwrap().status().as_u16());
    }
    assert!(statuses[..60].iter().all(|s| *s == 400), "the first 60 are answered: {statuses:?}");
    let limited = http.get(&url).send().await.unwrap();
    assert_eq!(limited.status(), 429);
    let wait: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    let discovery = http.get(app.url("/.well-known/openid-configuration")).send().await.unwrap();
    assert_eq!(discovery.status(), 200, "other routes are not limited by the browser quota");
}

/// A JSON body (or none) at the token, introspection and revocation endpoints is
/// `invalid_request` in RFC 6749's JSON; UserInfo takes a bare POST with the header.
async fn endpoints_want_a_form_body(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    let http = reqwest::Client::new();
    for path in ["/oauth2/token", "/oauth2/introspect", "/oauth2/revoke"] {
        let response = http.post(app.url(path)).json(&json!({ "grant_type": "client_credentials" })).send().await.unwrap();
        assert_eq!(response.status(), 400, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request", "{path}: {body}");
    }
    let bare = http.post(app.url("/oauth2/userinfo")).header("authorization", "Bearer not-a-token").send().await.unwrap();
    assert_eq!(bare.status(), 401, "a bare POST is read for its header");
    assert!(bare.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
}
