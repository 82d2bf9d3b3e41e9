//! The authorization code flow as an RP library drives it: discovery, PKCE, the ID token
//! and its claims, UserInfo, SSO across brands with per-brand consent, pairwise subjects
//! and ES256, prompts, `max_age`, `id_token_hint`, and the form_post response mode.

use identity::oidc::clients::ClientSpec;
use openidconnect::OAuth2TokenResponse as _;
use serde_json::{Value, json};

use super::rp::{self, Browser, Callback, Landing, REDIRECT, Rp, b64, jwt_parts};
use crate::support::{Db, both_backends};

both_backends!(
    oidcc_server,
    sso_across_brands_with_pairwise_es256,
    oidcc_prompts_and_max_age,
    oidcc_id_token_hint,
    userinfo_cors_for_public_clients,
);

/// `oidcc_server` with `oidcc_discovery_endpoint_verification`,
/// `oidcc_ensure_request_without_nonce_succeeds_for_code_flow` and `oidcc_formpost_basic`.
async fn oidcc_server(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };

    // Discovery: the same document at both well-known paths, cacheable, exact issuer.
    let (status, text) = app.get_text("/.well-known/openid-configuration").await;
    assert_eq!(status, 200, "{text}");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let (_, other) = app.get_text("/.well-known/oauth-authorization-server").await;
    assert_eq!(serde_json::from_str::<Value>(&other).unwrap(), doc);
    let response = app.get("/.well-known/openid-configuration").await;
    assert_eq!(response.headers()["cache-control"], "public, max-age=300");
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    assert_eq!(doc["issuer"], app.public_url.as_str());
    assert!(!app.public_url.ends_with('/'));
    assert_eq!(doc["authorization_endpoint"], format!("{}/oauth2/authorize", app.public_url));
    assert_eq!(doc["response_types_supported"], json!(["code"]));
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(doc["grant_types_supported"], json!(["authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange"]));
    assert_eq!(doc["request_uri_parameter_supported"], false, "its default is true, so it must be explicit");
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    assert_eq!(doc["backchannel_logout_supported"], true);
    assert_eq!(doc["backchannel_logout_session_supported"], true);
    assert!(doc.get("registration_endpoint").is_none());
    assert!(!doc["introspection_endpoint_auth_methods_supported"].as_array().unwrap().contains(&json!("none")));

    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    assert!(rp.meta.additional_metadata().authorization_response_iss_parameter_supported);
    let ann = rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);

    // Not signed in: the flow goes to the sign-in page and comes back to the request.
    let start = rp.start(&["email", "profile"]);
    let return_to = browser.visit(start.url.as_str()).await.login();
    assert!(return_to.starts_with("/oauth2/continue?r="), "{return_to}");
    // First visit to the brand: the consent page, then the code.
    let r = browser.sign_in_and_return("ann@example.com", &return_to).await.consent();
    let callback = browser.decide(&r, true).await.callback();
    assert!(callback.url.as_str().starts_with(&format!("{REDIRECT}?")), "{}", callback.url);
    let first = rp.finish(start, &callback).await;

    // The ID token: verified by the crate (RS256, iss, aud, exp, iat, nonce) and at_hash.
    let claims = &first.claims;
    assert_eq!(first.sub(), ann.id);
    assert_eq!(claims.email().map(|e| e.as_str()), Some("ann@example.com"));
    assert_eq!(claims.email_verified(), Some(true));
    assert_eq!(claims.given_name().and_then(|n| n.get(None)).map(|n| n.as_str()), Some("Ann"));
    assert!(claims.auth_time().is_some(), "auth_time is always present");
    assert_eq!(claims.auth_context_ref().map(|a| a.as_str()), Some("foyer:pwd"));
    assert!(claims.auth_method_refs().is_some_and(|amr| amr.iter().any(|m| m.as_str() == "pwd")));
    assert!(!first.sid().is_empty());
    let (header, raw) = jwt_parts(first.id_token.to_string().as_str());
    assert_eq!((header["alg"].as_str(), header["typ"].as_str()), (Some("RS256"), Some("JWT")));
    assert!(header["kid"].is_string());
    assert_eq!(raw["aud"], json!(rp.id), "a single audience, no azp");
    // Times are NumericDate seconds: iat about now, the client's 10 minutes, auth_time
    // at the sign-in (sanity bounds, not timing).
    let iat = raw["iat"].as_i64().unwrap();
    assert!((iat - rp::now_s()).abs() < 3_600, "{raw}");
    assert_eq!(raw["exp"].as_i64().unwrap() - iat, 600, "{raw}");
    let auth_time = raw["auth_time"].as_i64().unwrap();
    assert!(auth_time <= iat && iat - auth_time < 3_600, "{raw}");
    assert!(raw.get("azp").is_none());

    // The token response (RFC 6749 §5.1).
    let scopes: Vec<String> = first.tokens.scopes().unwrap().iter().map(|s| s.to_string()).collect();
    assert_eq!(scopes, ["openid", "email", "profile"]);
    assert_eq!(first.tokens.expires_in().map(|d| d.as_secs()), Some(600));
    assert!(first.refresh().secret().starts_with("frt_"));

    // The access token is an RFC 9068 JWT for the brand's APIs, ES256 by default
    // (FOYER_ACCESS_TOKEN_ALG; `docs/design/peaks.md` "Token path").
    let (header, at) = jwt_parts(first.access.secret());
    assert_eq!((header["alg"].as_str(), header["typ"].as_str()), (Some("ES256"), Some("at+jwt")));
    assert_eq!(at["aud"], "urn:foyer:brand:air");
    assert_eq!(at["client_id"], rp.id.as_str());
    assert_eq!(at["sub"], ann.id.as_str());
    assert_eq!(at["iss"], app.public_url.as_str());
    assert!(at["jti"].is_string());
    assert_eq!(at["exp"].as_i64().unwrap() - at["iat"].as_i64().unwrap(), 600);
    assert_eq!(at["auth_time"], raw["auth_time"]);
    assert_eq!(at["scope"], "openid email profile");

    // UserInfo: sub plus the granted scopes' claims, nothing null.
    let info = rp.userinfo(&first.access, Some(&ann.id)).await.unwrap();
    assert_eq!(info["sub"], ann.id.as_str());
    assert_eq!(info["email"], "ann@example.com");
    assert_eq!(info["given_name"], "Ann");
    assert!(info.as_object().unwrap().values().all(|v| !v.is_null()), "{info}");
    assert!(info.get("address").is_none() && info.get("phone_number").is_none(), "{info}");
    let updated_at = info["updated_at"].as_i64().expect("updated_at with profile");
    assert!((updated_at - rp::now_s()).abs() < 3_600, "updated_at in seconds: {info}");
    let raw_info = rp::userinfo_raw(&app, first.access.secret()).await;
    assert_eq!(raw_info.header("cache-control"), Some("no-store"));

    // SSO: a second request goes straight back with a code (consent is remembered), in
    // the same sign-in (same sid).
    let second = rp.sign_in(&browser, &["email"]).await;
    assert_eq!(second.sid(), first.sid());
    assert_eq!(second.sub(), ann.id);

    // No nonce: the code flow does not need one, and the ID token then has none.
    let (challenge, verifier) = openidconnect::PkceCodeChallenge::new_random_sha256();
    let url = rp.raw_authorize_url(&[
        ("response_type", "code"),
        ("client_id", &rp.id),
        ("redirect_uri", REDIRECT),
        ("scope", "openid"),
        ("state", "no-nonce"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]);
    let callback = browser.visit(&url).await.callback();
    assert_eq!(callback.get("state"), Some("no-nonce"));
    let answer = rp.redeem_raw(&app, callback.code(), Some(REDIRECT), Some(verifier.secret())).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert_eq!(answer.body["token_type"], "Bearer");
    assert_eq!(answer.body["scope"], "openid");
    assert!(answer.body.get("refresh_token").is_some());
    let (_, id_claims) = jwt_parts(answer.body["id_token"].as_str().unwrap());
    assert!(id_claims.get("nonce").is_none(), "{id_claims}");
    let id_token: rp::RpIdToken = serde_json::from_value(answer.body["id_token"].clone()).unwrap();
    rp.check_id_token(&id_token, None, None).unwrap();

    // form_post: an auto-submitting form to the redirect URI, with its own CSP.
    let start = rp.start_with(&[], &[("response_mode", "form_post")]);
    let page = browser.visit(start.url.as_str()).await.page();
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let csp = page.header("content-security-policy").unwrap_or_default().to_owned();
    assert!(csp.contains("form-action http://127.0.0.1:9") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(page.text.contains(&format!("action=\"{REDIRECT}\"")), "{}", page.text);
    let field = |name: &str| hidden_input(&page.text, name).unwrap_or_else(|| panic!("no {name} in {}", page.text));
    let mut url = url::Url::parse(REDIRECT).unwrap();
    url.query_pairs_mut().append_pair("code", &field("code")).append_pair("state", &field("state")).append_pair("iss", &field("iss"));
    let posted = Callback::parse(url.as_str());
    let third = rp.finish(start, &posted).await;
    assert_eq!(third.sid(), first.sid());
}

/// The value of `<input type="hidden" name="NAME" value="…">` (HTML-unescaped).
fn hidden_input(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = start + html[start..].find('"')?;
    Some(html[start..end].replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
}

/// One sign-in serves every brand; a new brand shows its consent page only. A pairwise
/// ES256 client of another brand sees another `sub`, and cannot introspect the first
/// brand's tokens (nor the reverse).
async fn sso_across_brands_with_pairwise_es256(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    rp::brand(&app, "hotels", "Northwind Hotels").await;
    let air = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    let hotels = Rp::register(
        &app,
        ClientSpec::new("hotels", "Hotels web")
            .redirect_uri("http://127.0.0.1:9/hotels/cb")
            .auth_method("client_secret_post")
            .id_token_alg("ES256")
            .subject_type("pairwise"),
    )
    .await;
    let hotels_app = Rp::register(
        &app,
        ClientSpec::new("hotels", "Hotels app").redirect_uri("http://127.0.0.1:9/hotels/app").subject_type("pairwise"),
    )
    .await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;

    let at_air = air.sign_in(&browser, &["email"]).await;
    assert_eq!(at_air.sub(), ann.id);

    // Hotels: no sign-in page, only Hotels' consent.
    let start = hotels.start(&["email"]);
    let r = browser.visit(start.url.as_str()).await.consent();
    let callback = browser.decide(&r, true).await.callback();
    let at_hotels = hotels.finish(start, &callback).await;
    let (header, _) = jwt_parts(&at_hotels.id_token.to_string());
    assert_eq!(header["alg"], "ES256");
    assert_ne!(at_hotels.sid(), at_air.sid(), "one Foyer sign-in, but each client sees its own sid (issue 10)");
    let pairwise = at_hotels.sub();
    assert_ne!(pairwise, ann.id, "a pairwise subject is not the customer id");
    assert_eq!(pairwise.len(), 43, "base64url of an HMAC-SHA256: {pairwise}");
    let info = hotels.userinfo(&at_hotels.access, Some(&pairwise)).await.unwrap();
    assert_eq!(info["sub"], pairwise.as_str());
    let (_, at) = jwt_parts(at_hotels.access.secret());
    assert_eq!(at["sub"], pairwise.as_str(), "the access token names the same subject");

    // Another pairwise client of the same brand: the same sector, the same sub, and the
    // brand's consent already covers it.
    let at_hotels_app = hotels_app.sign_in(&browser, &["email"]).await;
    assert_eq!(at_hotels_app.sub(), pairwise);

    // RS256-only verification (the crate's default) refuses the ES256 token: the alg is
    // really the client's.
    let rs256_only = hotels.client.id_token_verifier();
    assert!(at_hotels.id_token.claims(&rs256_only, &openidconnect::Nonce::new("x".into())).is_err());

    // Introspection is limited to the caller's brand.
    let own = hotels.introspect(at_hotels.access.secret(), None).await;
    assert!(openidconnect::TokenIntrospectionResponse::active(&own));
    assert_eq!(openidconnect::TokenIntrospectionResponse::sub(&own), Some(pairwise.as_str()));
    let sibling = hotels_app.introspect(at_hotels.access.secret(), None).await;
    assert!(openidconnect::TokenIntrospectionResponse::active(&sibling), "a client of the same brand may introspect");
    for (caller, token) in [(&air, at_hotels.access.secret()), (&hotels, at_air.access.secret()), (&air, at_hotels.refresh().secret())] {
        let raw = rp::post_form(&app, "/oauth2/introspect", caller.auth(), &[("token", token)]).await;
        assert_eq!((raw.status, &raw.body), (200, &json!({ "active": false })), "another brand's token: {}", raw.text);
    }
}

/// `oidcc_prompt_none_not_logged_in`, `prompt_none_consent_required`,
/// `oidcc_prompt_none_logged_in`, `oidcc_prompt_login`, `prompt=consent`,
/// `prompt=select_account`, `oidcc_max_age_10000`, `max_age` refusals, and
/// `unverified_account_refused`.
async fn oidcc_prompts_and_max_age(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);

    // Signed out, prompt=none: login_required, with state and iss, and no sign-in page.
    let start = rp.start_with(&[], &[("prompt", "none")]);
    let callback = browser.visit(start.url.as_str()).await.callback();
    callback.assert_error(&rp, "login_required", Some(start.state.secret()));

    // Signed in but the brand never approved: consent_required.
    browser.sign_in("ann@example.com").await;
    let start = rp.start_with(&["email"], &[("prompt", "none")]);
    browser.visit(start.url.as_str()).await.callback().assert_error(&rp, "consent_required", Some(start.state.secret()));

    // Deny on the consent page: access_denied.
    let start = rp.start(&["email"]);
    let r = browser.visit(start.url.as_str()).await.consent();
    browser.decide(&r, false).await.callback().assert_error(&rp, "access_denied", Some(start.state.secret()));

    // After Allow, prompt=none answers with a code.
    let first = rp.sign_in(&browser, &["email"]).await;
    let start = rp.start_with(&["email"], &[("prompt", "none")]);
    let callback = browser.visit(start.url.as_str()).await.callback();
    let silent = rp.finish(start, &callback).await;
    assert_eq!(silent.sid(), first.sid());

    // More scopes than approved with prompt=none: consent_required again.
    let start = rp.start_with(&["email", "profile"], &[("prompt", "none")]);
    browser.visit(start.url.as_str()).await.callback().assert_error(&rp, "consent_required", Some(start.state.secret()));

    // prompt=consent shows the page although everything is approved; Allow finishes.
    let start = rp.start_with(&["email"], &[("prompt", "consent")]);
    let r = browser.visit(start.url.as_str()).await.consent();
    // The handle is bound to this customer and sign-in: another browser cannot answer it.
    rp::customer(&app, "mallory@example.com").await;
    let mallory = Browser::new(&app);
    mallory.sign_in("mallory@example.com").await;
    let (status, body) = mallory.server_fn("consent_decide", &[("r", &r), ("allow", "true")]).await;
    assert_ne!(status, 200, "{body}");
    let callback = browser.decide(&r, true).await.callback();
    rp.finish(start, &callback).await;

    // prompt=login: sign in again, and come back with a code (no loop), same sign-in.
    let start = rp.start_with(&["email"], &[("prompt", "login")]);
    let return_to = browser.visit(start.url.as_str()).await.login();
    let callback = browser.sign_in_and_return("ann@example.com", &return_to).await.callback();
    let again = rp.finish(start, &callback).await;
    assert_eq!(again.sid(), first.sid(), "re-authenticating the same customer keeps the sign-in");
    assert!(again.claims.auth_time() >= first.claims.auth_time());

    // max_age that the session meets: no sign-in page.
    let start = rp.start_with(&["email"], &[("max_age", "10000")]);
    let callback = browser.visit(start.url.as_str()).await.callback();
    rp.finish(start, &callback).await;

    // select_account: the page ("Continue as …") before the code, then the code.
    let start = rp.start_with(&["email"], &[("prompt", "select_account")]);
    let r = browser.visit(start.url.as_str()).await.consent();
    let callback = browser.decide(&r, true).await.callback();
    assert_eq!(rp.finish(start, &callback).await.sid(), first.sid());

    // An unconfirmed email address: never a code (prompt=none: interaction_required),
    // until the address is confirmed; then the same request resumes.
    let unverified = rp::unverified_customer(&app, "una@example.com").await;
    let una = Browser::new(&app);
    una.sign_in("una@example.com").await;
    let start = rp.start_with(&["email"], &[("prompt", "none")]);
    una.visit(start.url.as_str()).await.callback().assert_error(&rp, "interaction_required", Some(start.state.secret()));
    let start = rp.start(&["email"]);
    let r = una.visit(start.url.as_str()).await.consent();
    let again_r = una.decide(&r, true).await.consent();
    assert_eq!(again_r, r, "still waiting for the confirmation");
    app.confirm_email("una@example.com").await;
    let callback = una.visit(&format!("/oauth2/continue?r={r}")).await.callback();
    assert_eq!(rp.finish(start, &callback).await.sub(), unverified.id);

    // Malformed prompt and max_age values are the client's errors.
    for (name, value) in [("max_age", "-1"), ("max_age", "1.5"), ("max_age", "soon"), ("prompt", "none login"), ("prompt", "sometimes")] {
        let start = rp.start_with(&[], &[(name, value)]);
        browser.visit(start.url.as_str()).await.callback().assert_error(&rp, "invalid_request", Some(start.state.secret()));
    }
}

/// `oidcc_id_token_hint` and `alg_none_hint_refused`: a hint we issued for this client
/// and this customer goes through silently; anything else is refused or asks for sign-in.
async fn oidcc_id_token_hint(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let air = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    let air_app = Rp::register(&app, ClientSpec::new("air", "Air app").redirect_uri("http://127.0.0.1:9/app")).await;
    rp::customer(&app, "ann@example.com").await;
    rp::customer(&app, "bob@example.com").await;
    let ann = Browser::new(&app);
    ann.sign_in("ann@example.com").await;
    let first = air.sign_in(&ann, &["email"]).await;
    let hint = first.id_token.to_string();

    // The customer's own hint: straight back with a code, even with prompt=none.
    let start = air.start_with(&["email"], &[("id_token_hint", &hint), ("prompt", "none")]);
    let callback = ann.visit(start.url.as_str()).await.callback();
    air.finish(start, &callback).await;

    // Hints that are not ours for this client: invalid_request, redirected with state.
    let (header, claims) = jwt_parts(&hint);
    let signature = hint.rsplit('.').next().unwrap().to_owned();
    let mut unsigned_header = header.clone();
    unsigned_header["alg"] = json!("none");
    let mut other_claims = claims.clone();
    other_claims["sub"] = json!("someone-else");
    let at_app = air_app.sign_in(&ann, &["email"]).await;
    let bad_hints = [
        ("alg none", format!("{}.{}.", b64(&unsigned_header), b64(&claims))),
        ("tampered claims", rp::with_parts(&header, &other_claims, &signature)),
        ("not a JWT", "not-a-jwt".to_owned()),
        ("another client's ID token", at_app.id_token.to_string()),
    ];
    for (what, bad) in &bad_hints {
        let start = air.start_with(&["email"], &[("id_token_hint", bad)]);
        match ann.visit(start.url.as_str()).await {
            Landing::Callback(c) => c.assert_error(&air, "invalid_request", Some(start.state.secret())),
            other => panic!("{what}: {other:?}"),
        }
    }

    // Someone else's valid hint for this client: sign-in is needed (prompt=none:
    // login_required), never a code for the wrong person.
    let bob = Browser::new(&app);
    bob.sign_in("bob@example.com").await;
    let bobs = air.sign_in(&bob, &["email"]).await;
    let start = air.start_with(&["email"], &[("id_token_hint", &bobs.id_token.to_string()), ("prompt", "none")]);
    ann.visit(start.url.as_str()).await.callback().assert_error(&air, "login_required", Some(start.state.secret()));
    let start = air.start_with(&["email"], &[("id_token_hint", &bobs.id_token.to_string())]);
    ann.visit(start.url.as_str()).await.login();
}

/// Design "UserInfo": CORS is allowed for the origins of public clients' redirect URIs
/// (a browser-based RP calls UserInfo itself), and for no other origin.
async fn userinfo_cors_for_public_clients(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let spa = Rp::register(&app, ClientSpec::new("air", "Air SPA").redirect_uri("https://spa.example/cb").public()).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let signed = spa.sign_in(&browser, &["email"]).await;
    let url = app.url("/oauth2/userinfo");
    let http = rp::http();
    let allowed = |r: &reqwest::Response| r.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()).map(str::to_owned);

    // Other origins (a confidential client's, anyone's) get no CORS grant.
    for origin in ["https://evil.example", "http://127.0.0.1:9"] {
        let response = http.get(&url).bearer_auth(signed.access.secret()).header("origin", origin).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(allowed(&response), None, "{origin}");
    }

    // The SPA's origin: the answer is readable by its script…
    let response = http.get(&url).bearer_auth(signed.access.secret()).header("origin", "https://spa.example").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(allowed(&response).as_deref(), Some("https://spa.example"), "{:?}", response.headers());
    // …and the preflight for a request with `Authorization` succeeds.
    let preflight = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "https://spa.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "preflight: {}", preflight.status());
    assert_eq!(allowed(&preflight).as_deref(), Some("https://spa.example"));
    let headers = preflight.headers().get("access-control-allow-headers").and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    assert!(headers.contains("authorization") || headers == "*", "{headers}");
}
