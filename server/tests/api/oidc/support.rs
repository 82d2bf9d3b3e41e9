//! A support agent signing in at a brand for the customer (`docs/design/admin.md`
//! "Signing in at brands for the customer", RFC 8693 §4.1): only when the customer's
//! approval ticked `sign_in_at_brands`; tokens carry the agent in `act` (ID token,
//! access token, UserInfo, introspection), no refresh token, and die with the access;
//! the agent never consents or authenticates for the customer. Each line of the
//! attacker table is a test here; each runs on SQLite and PostgreSQL.

use std::time::Duration;

use identity::oidc::clients::ClientSpec;
use identity::staff::StaffRole;
use serde_json::{Value, json};

use super::rp::{self, Browser, Landing, REDIRECT, Rp, jwt_parts, post_form, userinfo_raw};
use crate::staff::Browser as StaffBrowser;
use crate::support::{Db, TestApp, both_backends};
use crate::support_access::{EMAIL, approve, ask, enter, grace_and_agent};

both_backends!(
    support_signs_in_at_brands_only_when_approved,
    support_tokens_carry_act_and_die_with_the_access,
    support_never_consents_or_authenticates_for_the_customer,
);

struct Desk {
    app: TestApp,
    rp: Rp,
    grace: String,
    agent: StaffBrowser,
    /// The customer's own browser (signed in; approved `openid email` at the brand).
    own: crate::accounts::Browser,
    staff_id: String,
}

/// Grace signed in at the brand's client herself once (approving `openid email`), and
/// the agent Sam asked for `permissions` on her account.
async fn desk(db: Db, permissions: &[&str]) -> Option<(Desk, String)> {
    let app = rp::spawn_with(TestApp::builder(db).with_clock().without_worker()).await?;
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    let (grace, own, agent) = grace_and_agent(&app).await;
    let hers = Browser::new(&app);
    hers.sign_in(EMAIL).await;
    let signed = rp.sign_in(&hers, &["email"]).await;
    assert_eq!(signed.sub(), grace);
    let access = ask(&app, &agent, &grace, permissions).await;
    let staff_id = app.identity.store().staff_by_email("sam@example.com").await.unwrap().expect("Sam").id;
    Some((Desk { app, rp, grace, agent, own, staff_id }, access))
}

impl Desk {
    /// The agent's browser, in Grace's portal under `access`.
    async fn enter(&self, access: &str) -> Browser {
        assert_eq!(enter(&self.agent, access).await, (303, Some("/account".to_owned())));
        Browser::with_client(&self.app, self.agent.client.clone())
    }

    async fn introspect(&self, token: &str) -> Value {
        post_form(&self.app, "/oauth2/introspect", self.rp.auth(), &[("token", token)]).await.body
    }
}

async fn support_signs_in_at_brands_only_when_approved(db: Db) {
    let Some((d, access)) = desk(db, &["view_profile", "sign_in_at_brands"]).await else { return };
    // Approved without the brand sign-in: the brand is told no, and nothing is issued.
    assert_eq!(approve(&d.own, &access, &["view_profile"], "30").await.0, 200);
    let agent = d.enter(&access).await;
    let start = d.rp.start(&["email"]);
    let callback = agent.visit(start.url.as_str()).await.callback();
    callback.assert_error(&d.rp, "access_denied", Some(start.state.secret()));
    assert!(callback.get("error_description").is_some_and(|t| t.contains("support")), "{}", callback.url);
    // Nothing was issued for the customer.
    let actions = rp::audit_actions(&d.app).await;
    assert!(!actions.iter().any(|a| a == "oauth.signed_in_by_support"), "{actions:?}");

    // A staff session alone (no support session in the portal) is no sign-in of anyone.
    let (kim, _) = crate::staff::signed_in_staff_as(&d.app, "kim@example.com", StaffRole::Support).await;
    let kims = Browser::with_client(&d.app, kim.client.clone());
    assert!(matches!(kims.visit(d.rp.start(&["email"]).url.as_str()).await, Landing::Login { .. }), "sent to the customer sign-in");

    // The customer ends that access; a new one with the brand sign-in ticked lets the agent in.
    assert_eq!(d.own.call("end_support_access", &[("access", &access)]).await.0, 200);
    d.app.advance(Duration::from_secs(1)); // the agent's list is newest first
    let access = ask(&d.app, &d.agent, &d.grace, &["view_profile", "sign_in_at_brands"]).await;
    assert_eq!(approve(&d.own, &access, &["view_profile", "sign_in_at_brands"], "30").await.0, 200);
    let agent = d.enter(&access).await;
    let start = d.rp.start(&["email"]);
    let callback = agent.visit(start.url.as_str()).await.callback();
    let signed = d.rp.finish(start, &callback).await;
    assert_eq!(signed.sub(), d.grace, "sub is the customer");
    let activity = d.app.identity.activity(&crate::delegation::me(&d.grace), &d.grace, 50).await.unwrap();
    let row = activity.iter().find(|r| r.action == "oauth.signed_in_by_support").expect("in the customer's activity");
    assert_eq!(row.actor, format!("staff:{}", d.staff_id), "{row:?}");
}

async fn support_tokens_carry_act_and_die_with_the_access(db: Db) {
    let Some((d, access)) = desk(db, &["view_profile", "sign_in_at_brands"]).await else { return };
    assert_eq!(approve(&d.own, &access, &["view_profile", "sign_in_at_brands"], "15").await.0, 200);
    let agent = d.enter(&access).await;
    // offline_access is asked for and never issued in this mode.
    let start = d.rp.start(&["email", "offline_access"]);
    let callback = agent.visit(start.url.as_str()).await.callback();
    let signed = d.rp.finish(start, &callback).await;

    let act = json!({ "sub": format!("support:{}", d.staff_id) });
    let (_, id_claims) = jwt_parts(signed.id_token.to_string().as_str());
    assert_eq!((id_claims["sub"].as_str(), &id_claims["act"]), (Some(d.grace.as_str()), &act), "ID token: {id_claims}");
    assert_eq!(id_claims["acr"], "foyer:support", "{id_claims}");
    assert_eq!(id_claims["amr"], json!(["support"]), "{id_claims}");
    let (_, access_claims) = jwt_parts(signed.access.secret());
    assert_eq!((access_claims["sub"].as_str(), &access_claims["act"]), (Some(d.grace.as_str()), &act), "access token");
    assert!(access_claims["scope"].as_str().is_some_and(|s| !s.contains("offline_access")), "{access_claims}");
    assert!(signed.refresh.is_none(), "no refresh token in this mode");
    let info = userinfo_raw(&d.app, signed.access.secret()).await;
    assert_eq!(info.status, 200, "{}", info.text);
    assert_eq!((info.body["email"].as_str(), &info.body["act"]), (Some(EMAIL), &act), "UserInfo: the customer's claims, the agent in act");
    let seen = d.introspect(signed.access.secret()).await;
    assert_eq!((seen["active"].as_bool(), &seen["act"]), (Some(true), &act), "introspection: {seen}");
    // Such a token cannot be exchanged into one that drops or changes act.
    let exchange = post_form(&d.app, "/oauth2/token", d.rp.auth(), &[
        ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
        ("subject_token", signed.access.secret()),
        ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
        ("actor_token", signed.access.secret()),
        ("actor_token_type", "urn:ietf:params:oauth:token-type:access_token"),
    ])
    .await;
    assert!(exchange.status == 400, "{}", exchange.text);

    // The customer ends the access: refused at once, everywhere it is checked.
    assert_eq!(d.own.call("end_support_access", &[("access", &access)]).await.0, 200);
    assert_eq!(d.introspect(signed.access.secret()).await, json!({ "active": false }), "introspection");
    rp::assert_token_refused(&d.app, signed.access.secret(), "UserInfo after the access ended").await;
    let trail = d.app.identity.store().audit_trail(&format!("customer:{}", d.grace)).await.unwrap();
    let ended = trail.iter().find(|r| r.action == "support.access_ended").expect("audited");
    assert!(ended.detail.contains("\"grants_ended\":1"), "{}", ended.detail);

    // A second access that simply runs out: its tokens stop with it, and a code issued
    // before the end cannot be redeemed after it.
    d.app.advance(Duration::from_secs(1)); // the agent's list is newest first
    let access = ask(&d.app, &d.agent, &d.grace, &["view_profile", "sign_in_at_brands"]).await;
    assert_eq!(d.own.login(EMAIL, crate::accounts::PASSWORD).await.0, 200);
    assert_eq!(approve(&d.own, &access, &["view_profile", "sign_in_at_brands"], "15").await.0, 200);
    let agent = d.enter(&access).await;
    let signed = d.rp.sign_in(&agent, &["email"]).await;
    let start = d.rp.start(&["email"]);
    let late = agent.visit(start.url.as_str()).await.callback();
    assert_eq!(userinfo_raw(&d.app, signed.access.secret()).await.status, 200);
    d.app.advance(Duration::from_secs(15 * 60 + 1));
    rp::assert_token_refused(&d.app, signed.access.secret(), "UserInfo after the access expired").await;
    assert_eq!(d.introspect(signed.access.secret()).await, json!({ "active": false }));
    let answer = d.rp.redeem_raw(&d.app, late.code(), Some(REDIRECT), Some(start.verifier.secret())).await;
    answer.assert_oauth_error(400, "invalid_grant");
}

async fn support_never_consents_or_authenticates_for_the_customer(db: Db) {
    let Some((d, access)) = desk(db, &["view_profile", "sign_in_at_brands"]).await else { return };
    assert_eq!(approve(&d.own, &access, &["view_profile", "sign_in_at_brands"], "60").await.0, 200);
    let agent = d.enter(&access).await;
    let before = rp::audit_actions(&d.app).await;
    let refused = |scopes: &'static [&'static str], extra: &'static [(&'static str, &'static str)], error: &'static str| {
        let (d, agent) = (&d, &agent);
        async move {
            let start = d.rp.start_with(scopes, extra);
            let callback = agent.visit(start.url.as_str()).await.callback();
            callback.assert_error(&d.rp, error, Some(start.state.secret()));
        }
    };
    // A scope the customer never approved for the brand: only the customer decides.
    refused(&["email", "profile"], &[], "consent_required").await;
    // Asking for a decision or a fresh authentication of the customer.
    refused(&["email"], &[("prompt", "consent")], "consent_required").await;
    refused(&["email"], &[("prompt", "select_account")], "consent_required").await;
    refused(&["email"], &[("prompt", "login")], "login_required").await;
    d.app.advance(Duration::from_secs(120));
    refused(&["email"], &[("max_age", "60")], "login_required").await;
    // A required purpose the customer has not decided.
    crate::consent::published(&d.app, Some("air"), "terms", true, &[]).await;
    refused(&["email"], &[], "consent_required").await;
    // Nothing was issued, and nothing decided or recorded for her meanwhile: the only
    // new rows are the purpose's own.
    let actions = rp::audit_actions(&d.app).await;
    assert_eq!(actions[..before.len()], before[..]);
    assert_eq!(actions[before.len()..], ["purpose.created", "purpose.version_published"], "{actions:?}");
}
