//! Delegated tokens (`docs/design/household.md` "Tokens", RFC 8693 §4.1): a delegate who
//! picks "on behalf of" on the consent screen of a client that opted in gets tokens with
//! the principal as `sub` and themself in `act` — in the ID token, the access token,
//! UserInfo and introspection; no refresh token; they die with the delegation. Clients
//! that did not opt in never get one. The token-exchange grant (RFC 8693 §2) works only
//! when a live delegation covers the brand, and never drops `act`.

use identity::oidc::clients::ClientSpec;
use identity::principal::Principal;
use openidconnect::OAuth2TokenResponse as _;
use serde_json::Value;

use super::rp::{self, Browser, REDIRECT, Rp, jwt_parts, post_form, userinfo_raw};
use crate::delegation::{household, me, names};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    delegated_tokens_carry_act_everywhere,
    delegated_token_refused_without_opt_in,
    delegated_tokens_die_with_the_delegation,
    token_exchange_needs_a_live_delegation,
    exchange_never_drops_act,
    removal_ends_delegations_and_grants,
);

const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";
const ID: &str = "urn:ietf:params:oauth:token-type:id_token";
const DAY_MS: i64 = 24 * 3_600_000;

struct Family {
    app: TestApp,
    rp: Rp,
    ann: String,
    bob: String,
    home: String,
}

/// Ann (principal) and Bob (delegate) in one household; Ann has signed in at the
/// brand's client once herself (so she approved `openid email` for the brand).
async fn family(db: Db, spec: fn(ClientSpec) -> ClientSpec) -> Option<(Family, Browser)> {
    let app = rp::spawn_without_worker(db).await?;
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, spec(ClientSpec::new("air", "Air web").redirect_uri(REDIRECT))).await;
    let ann = rp::customer(&app, "ann@example.com").await.id;
    let bob = crate::delegation::named(&app, "bob@example.com", "Bob").await.id;
    let home = household(&app, &ann, &[&bob]).await;
    let anns = Browser::new(&app);
    anns.sign_in("ann@example.com").await;
    rp.sign_in(&anns, &["email"]).await;
    Some((Family { app, rp, ann, bob, home }, anns))
}

impl Family {
    async fn delegate_at_air(&self) -> String {
        let until = self.app.identity.now() + 30 * DAY_MS;
        self.app.identity.grant_delegation(&me(&self.ann), &self.ann, &self.home, &self.bob, &names(&["act_at_brand"]), Some("air"), until).await.unwrap()
    }

    async fn bob(&self) -> Browser {
        let browser = Browser::new(&self.app);
        browser.sign_in("bob@example.com").await;
        browser
    }

    /// Bob signs in at the client choosing "on behalf of Ann" on the consent screen.
    async fn bob_for_ann(&self, browser: &Browser, delegation: &str) -> rp::SignedIn {
        let start = self.rp.start(&["email"]);
        let r = browser.visit(start.url.as_str()).await.consent();
        let (status, view) = browser.server_fn("consent_details", &[("r", &r)]).await;
        assert_eq!(status, 200, "{view}");
        let offered: Vec<&str> = view["acting"].as_array().unwrap().iter().map(|o| o["delegation_id"].as_str().unwrap()).collect();
        assert_eq!(offered, [delegation], "the chooser offers Ann: {view}");
        assert_eq!(view["acting"][0]["name"], "Ann", "it says for whom");
        let (status, next) = browser.server_fn("consent_act", &[("r", &r), ("delegation", delegation)]).await;
        assert_eq!(status, 200, "{next}");
        let callback = browser.visit(next.as_str().unwrap()).await.callback();
        self.rp.finish(start, &callback).await
    }

    async fn exchange(&self, rp: &Rp, form: &[(&str, &str)]) -> rp::Answer {
        let mut all = vec![("grant_type", EXCHANGE)];
        all.extend_from_slice(form);
        post_form(&self.app, "/oauth2/token", rp.auth(), &all).await
    }

    async fn introspect(&self, token: &str) -> Value {
        post_form(&self.app, "/oauth2/introspect", self.rp.auth(), &[("token", token)]).await.body
    }
}

async fn delegated_tokens_carry_act_everywhere(db: Db) {
    let Some((f, _)) = family(db, ClientSpec::allow_delegation).await else { return };
    let id = f.delegate_at_air().await;
    let bob = f.bob().await;
    let signed = f.bob_for_ann(&bob, &id).await;

    let act = serde_json::json!({ "sub": f.bob });
    assert_eq!(signed.sub(), f.ann, "sub is the principal");
    assert_eq!(jwt_parts(signed.id_token.to_string().as_str()).1["act"], act, "ID token");
    let (_, access) = jwt_parts(signed.access.secret());
    assert_eq!((access["sub"].as_str(), &access["act"]), (Some(f.ann.as_str()), &act), "access token");
    let info = userinfo_raw(&f.app, signed.access.secret()).await;
    assert_eq!(info.status, 200, "{}", info.text);
    assert_eq!((info.body["sub"].as_str(), &info.body["act"]), (Some(f.ann.as_str()), &act), "UserInfo");
    assert_eq!(info.body["email"], "ann@example.com", "the principal's approved claims");
    let seen = f.introspect(signed.access.secret()).await;
    assert_eq!((seen["active"].as_bool(), &seen["act"]), (Some(true), &act), "introspection: {seen}");
    assert!(signed.refresh.is_none(), "no refresh token for a delegated grant");
    assert!(signed.tokens.scopes().is_some_and(|s| s.iter().all(|s| s.as_str() != "offline_access")));
    // Both see it in their activity.
    let anns = f.app.identity.activity(&me(&f.ann), &f.ann, 50).await.unwrap();
    assert!(anns.iter().any(|r| r.action == "oauth.signed_in_on_behalf" && r.actor == format!("customer:{}", f.bob)), "{anns:?}");
    let bobs = f.app.identity.activity(&me(&f.bob), &f.bob, 50).await.unwrap();
    assert!(bobs.iter().any(|r| r.action == "oauth.signed_in_on_behalf"), "{bobs:?}");

    // Choosing "as myself" signs Bob in as Bob, without act.
    let start = f.rp.start(&["email"]);
    let r = bob.visit(start.url.as_str()).await.consent();
    let (status, next) = bob.server_fn("consent_act", &[("r", &r)]).await;
    assert_eq!(status, 200, "{next}");
    let callback = bob.code_for(next.as_str().unwrap()).await;
    let own = f.rp.finish(start, &callback).await;
    assert_eq!(own.sub(), f.bob);
    assert!(jwt_parts(own.access.secret()).1.get("act").is_none());

    // "Use another account" after choosing "on behalf of Ann": the next customer is
    // asked afresh, never signed in under Bob's answer.
    let start = f.rp.start(&["email"]);
    let r = bob.visit(start.url.as_str()).await.consent();
    let (status, _) = bob.server_fn("consent_act", &[("r", &r), ("delegation", &id)]).await;
    assert_eq!(status, 200);
    let (status, next) = bob.server_fn("switch_account", &[("r", &r)]).await;
    assert_eq!(status, 200, "{next}");
    let carol = crate::delegation::named(&f.app, "carol@example.com", "Carol").await;
    let landing = bob.sign_in_and_return("carol@example.com", &format!("/oauth2/continue?r={r}")).await;
    let callback = match landing {
        rp::Landing::Consent { r } => bob.decide(&r, true).await.callback(),
        other => other.callback(),
    };
    let hers = f.rp.finish(start, &callback).await;
    assert_eq!(hers.sub(), carol.id, "Carol signs in as herself");
    assert!(jwt_parts(hers.access.secret()).1.get("act").is_none());
}

async fn delegated_token_refused_without_opt_in(db: Db) {
    let Some((f, _)) = family(db, |spec| spec).await else { return };
    let id = f.delegate_at_air().await;
    let bob = f.bob().await;
    // No chooser: Bob signs in as himself.
    let start = f.rp.start(&["email"]);
    let r = bob.visit(start.url.as_str()).await.consent();
    let (status, view) = bob.server_fn("consent_details", &[("r", &r)]).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["acting"], serde_json::json!([]), "no chooser for a client that did not opt in");
    let (status, _) = bob.server_fn("consent_act", &[("r", &r), ("delegation", &id)]).await;
    assert_eq!(status, 403, "choosing anyway is refused");
    let callback = bob.decide(&r, true).await.callback();
    let own = f.rp.finish(start, &callback).await;
    assert_eq!(own.sub(), f.bob);
    assert!(jwt_parts(own.access.secret()).1.get("act").is_none());

    // A delegated code issued while the client allowed it is refused once it opted out.
    f.app.identity.set_client_allow_delegation(&Principal::Operator, &f.rp.id, true).await.unwrap();
    let start = f.rp.start(&["email"]);
    let r = bob.visit(start.url.as_str()).await.consent();
    let (status, next) = bob.server_fn("consent_act", &[("r", &r), ("delegation", &id)]).await;
    assert_eq!(status, 200, "{next}");
    let callback = bob.visit(next.as_str().unwrap()).await.callback();
    f.app.identity.set_client_allow_delegation(&Principal::Operator, &f.rp.id, false).await.unwrap();
    let answer = f.rp.redeem_raw(&f.app, callback.code(), Some(REDIRECT), Some(start.verifier.secret())).await;
    answer.assert_oauth_error(400, "unauthorized_client");
    // Nor may it exchange tokens.
    let ann_token = f.app.identity.now().to_string();
    f.exchange(&f.rp, &[("subject_token", &ann_token), ("subject_token_type", ACCESS), ("actor_token", &ann_token), ("actor_token_type", ACCESS)])
        .await
        .assert_oauth_error(400, "unauthorized_client");
}

async fn delegated_tokens_die_with_the_delegation(db: Db) {
    let Some((f, _)) = family(db, ClientSpec::allow_delegation).await else { return };
    let id = f.delegate_at_air().await;
    let bob = f.bob().await;
    let signed = f.bob_for_ann(&bob, &id).await;
    assert_eq!(f.introspect(signed.access.secret()).await["active"], true);

    f.app.identity.revoke_delegation(&me(&f.ann), &f.ann, &id).await.unwrap();
    assert_eq!(f.introspect(signed.access.secret()).await, serde_json::json!({ "active": false }), "introspection");
    rp::assert_token_refused(&f.app, signed.access.secret(), "UserInfo after revocation").await;
    assert!(signed.refresh.is_none(), "no refresh token to try");
    let trail = f.app.identity.store().audit_trail(&format!("customer:{}", f.ann)).await.unwrap();
    let revoked = trail.iter().find(|r| r.action == "delegation.revoked").expect("audited");
    assert!(revoked.detail.contains("\"grants_ended\":1"), "{}", revoked.detail);
    // The chooser no longer offers Ann; a stale choice is refused.
    let start = f.rp.start(&["email"]);
    let r = bob.visit(start.url.as_str()).await.consent();
    let (_, view) = bob.server_fn("consent_details", &[("r", &r)]).await;
    assert_eq!(view["acting"], serde_json::json!([]));
    let (status, _) = bob.server_fn("consent_act", &[("r", &r), ("delegation", &id)]).await;
    assert_eq!(status, 403);
}

/// Ann's own access token and ID token at the client, and Bob's own access token.
async fn own_tokens(f: &Family, anns: &Browser) -> (String, String, String) {
    let ann = f.rp.sign_in(anns, &["email"]).await;
    let bob = Browser::new(&f.app);
    bob.sign_in("bob@example.com").await;
    let own = f.rp.sign_in(&bob, &["email"]).await;
    (ann.access.secret().clone(), ann.id_token.to_string(), own.access.secret().clone())
}

async fn token_exchange_needs_a_live_delegation(db: Db) {
    let Some((f, anns)) = family(db, |s| s.allow_delegation()).await else { return };
    let (ann_access, ann_id, bob_access) = own_tokens(&f, &anns).await;
    let ask = |subject: &str, kind: &str| {
        let (subject, kind, actor, f) = (subject.to_owned(), kind.to_owned(), bob_access.clone(), &f);
        async move {
            f.exchange(&f.rp, &[("subject_token", &subject), ("subject_token_type", &kind), ("actor_token", &actor), ("actor_token_type", ACCESS)]).await
        }
    };
    ask(&ann_access, ACCESS).await.assert_oauth_error(400, "invalid_request");
    ask(&ann_id, ID).await.assert_oauth_error(400, "invalid_request");

    let id = f.delegate_at_air().await;
    for (subject, kind) in [(&ann_access, ACCESS), (&ann_id, ID)] {
        let answer = ask(subject, kind).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.body["issued_token_type"], ACCESS);
        assert!(answer.body.get("refresh_token").is_none());
        let token = answer.body["access_token"].as_str().unwrap();
        let (_, claims) = jwt_parts(token);
        assert_eq!((claims["sub"].as_str(), claims["act"]["sub"].as_str()), (Some(f.ann.as_str()), Some(f.bob.as_str())), "{claims}");
        assert_eq!(f.introspect(token).await["act"]["sub"], f.bob.as_str());
    }
    // Bad input is refused plainly.
    ask("not-a-token", ACCESS).await.assert_oauth_error(400, "invalid_request");
    ask(&ann_access, "urn:ietf:params:oauth:token-type:saml2").await.assert_oauth_error(400, "invalid_request");
    f.exchange(&f.rp, &[("subject_token", &ann_access), ("subject_token_type", ACCESS)]).await.assert_oauth_error(400, "invalid_request");
    // Swapped roles: Bob never delegated to Ann.
    f.exchange(&f.rp, &[("subject_token", &bob_access), ("subject_token_type", ACCESS), ("actor_token", &ann_access), ("actor_token_type", ACCESS)])
        .await
        .assert_oauth_error(400, "invalid_request");
    // Another client of the brand cannot exchange a token issued to this one.
    let other = Rp::register(&f.app, ClientSpec::new("air", "Air other").redirect_uri(REDIRECT).allow_delegation()).await;
    f.exchange(&other, &[("subject_token", &ann_access), ("subject_token_type", ACCESS), ("actor_token", &bob_access), ("actor_token_type", ACCESS)])
        .await
        .assert_oauth_error(400, "invalid_request");

    // Revoked: the exchange stops, and the exchanged token dies.
    let answer = ask(&ann_access, ACCESS).await;
    let exchanged = answer.body["access_token"].as_str().unwrap().to_owned();
    f.app.identity.revoke_delegation(&me(&f.ann), &f.ann, &id).await.unwrap();
    assert_eq!(f.introspect(&exchanged).await, serde_json::json!({ "active": false }));
    ask(&ann_access, ACCESS).await.assert_oauth_error(400, "invalid_request");
}

async fn exchange_never_drops_act(db: Db) {
    let Some((f, anns)) = family(db, |s| s.allow_delegation()).await else { return };
    let carol = crate::delegation::named(&f.app, "carol@example.com", "Carol").await.id;
    let mut tx = f.app.identity.store().begin().await.unwrap();
    identity::store::households::insert_member(&mut tx, &f.home, &carol, "adult", f.app.identity.now()).await.unwrap();
    tx.commit().await.unwrap();
    let (_, _, bob_access) = own_tokens(&f, &anns).await;
    let carols = Browser::new(&f.app);
    carols.sign_in("carol@example.com").await;
    let carol_access = f.rp.sign_in(&carols, &["email"]).await.access.secret().clone();
    let id = f.delegate_at_air().await;
    let until = f.app.identity.now() + DAY_MS;
    f.app.identity.grant_delegation(&me(&f.ann), &f.ann, &f.home, &carol, &names(&["act_at_brand"]), Some("air"), until).await.unwrap();

    // Bob's delegated token (from the chooser) as the subject token.
    let bob = f.bob().await;
    let delegated = f.bob_for_ann(&bob, &id).await;
    let subject = delegated.access.secret().clone();
    let id_token = delegated.id_token.to_string();
    // Without an actor token: refused (there is no way to a token without act).
    f.exchange(&f.rp, &[("subject_token", &subject), ("subject_token_type", ACCESS)]).await.assert_oauth_error(400, "invalid_request");
    // With another actor (Carol, whom Ann also delegated to): refused, act cannot change.
    for (token, kind) in [(&subject, ACCESS), (&id_token, ID)] {
        f.exchange(&f.rp, &[("subject_token", token), ("subject_token_type", kind), ("actor_token", &carol_access), ("actor_token_type", ACCESS)])
            .await
            .assert_oauth_error(400, "invalid_request");
    }
    // A delegated token is no actor token either.
    f.exchange(&f.rp, &[("subject_token", &subject), ("subject_token_type", ACCESS), ("actor_token", &subject), ("actor_token_type", ACCESS)])
        .await
        .assert_oauth_error(400, "invalid_request");
    // With the same actor: the same act comes out.
    let answer = f.exchange(&f.rp, &[("subject_token", &subject), ("subject_token_type", ACCESS), ("actor_token", &bob_access), ("actor_token_type", ACCESS)]).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let (_, claims) = jwt_parts(answer.body["access_token"].as_str().unwrap());
    assert_eq!((claims["sub"].as_str(), claims["act"]["sub"].as_str()), (Some(f.ann.as_str()), Some(f.bob.as_str())));
    // And a narrower scope only.
    let wider = f.exchange(&f.rp, &[("subject_token", &subject), ("subject_token_type", ACCESS), ("actor_token", &bob_access), ("actor_token_type", ACCESS), ("scope", "openid phone")]).await;
    wider.assert_oauth_error(400, "invalid_scope");
}

/// The owner removes the delegate from the household: the delegation ends, and so does
/// the grant issued under it (its token is refused at once), with `delegation.revoked`
/// announced; the same when the delegate leaves by themself.
async fn removal_ends_delegations_and_grants(db: Db) {
    let Some((f, _)) = family(db, ClientSpec::allow_delegation).await else { return };
    let id = f.delegate_at_air().await;
    let bob = f.bob().await;
    let signed = f.bob_for_ann(&bob, &id).await;
    assert_eq!(f.introspect(signed.access.secret()).await["active"], true);

    f.app.identity.remove_household_member(&me(&f.ann), &f.ann, &f.home, &f.bob).await.unwrap();
    assert_eq!(f.introspect(signed.access.secret()).await, serde_json::json!({ "active": false }), "introspection after removal");
    rp::assert_token_refused(&f.app, signed.access.secret(), "UserInfo after removal").await;
    let kinds = f.app.identity.store().outbox_kinds().await.unwrap();
    assert!(kinds.iter().any(|k| k == "delegation.revoked") && kinds.iter().any(|k| k == "household.member_removed"), "{kinds:?}");
    let (_, view) = {
        let start = f.rp.start(&["email"]);
        let r = bob.visit(start.url.as_str()).await.consent();
        bob.server_fn("consent_details", &[("r", &r)]).await
    };
    assert_eq!(view["acting"], serde_json::json!([]), "no chooser any more");
    assert!(f.app.identity.households(&me(&f.bob), &f.bob).await.unwrap().is_empty());
}
