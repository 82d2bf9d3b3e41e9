//! Delegations between adults of one household (`docs/design/household.md`
//! "Delegations"): the expiry cap, who may delegate to whom, acting for someone (the
//! principal a delegate gets, re-read on every request), what a delegate never reaches,
//! and delegate actions in both customers' activity pages. The tokens are
//! `oidc::delegation`.

use identity::Error;
use identity::consent::catalogue::{NewPurpose, NewVersion};
use identity::consent::ledger::{Choice, Evidence};
use identity::consent::{Collection, Decision};
use identity::error::Refusal;
use identity::households::MAX_DELEGATION_MS;
use identity::i18n::Locale;
use identity::principal::{Permission, Principal};

use crate::oidc::rp;
use crate::support::{self, Db, TestApp, TestDb, both_backends, stderr, stdout};

both_backends!(
    delegation_expiry_capped,
    only_same_household_adults_delegate,
    revocation_stops_the_next_request,
    delegate_never_reaches_credentials,
    delegate_actions_in_both_activity_pages,
    cli_opts_a_client_in_and_out,
    acting_in_the_portal_follows_the_delegation,
    a_guardian_acts_through_the_same_principal,
);

const DAY_MS: i64 = 24 * 3_600_000;

pub(crate) fn me(id: &str) -> Principal {
    Principal::customer(id, "foyer:pwd")
}

pub(crate) fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// A confirmed customer called `given` (the suite's `customer` calls everyone Ann).
pub(crate) async fn named(app: &TestApp, email: &str, given: &str) -> identity::store::customers::CustomerRow {
    let registration = identity::accounts::register::Registration {
        email: email.into(),
        password: crate::accounts::secret(rp::PASSWORD),
        given_name: Some(given.into()),
        family_name: None,
        accept_terms: true,
    };
    let id = app.register_customer(registration, &crate::support::seed::seed_meta(1)).await;
    app.confirm_email(email).await;
    app.identity.store().customer_by_id(&id).await.unwrap().expect("registered")
}

/// A household owned by the first customer with the others as adult members; its id.
pub(crate) async fn household(app: &TestApp, owner: &str, adults: &[&str]) -> String {
    let id = app.identity.create_household(&me(owner), owner, "The Smiths").await.unwrap();
    let mut tx = app.identity.store().begin().await.unwrap();
    for adult in adults {
        identity::store::households::insert_member(&mut tx, &id, adult, "adult", app.identity.now()).await.unwrap();
    }
    tx.commit().await.unwrap();
    id
}

/// A grant by `principal` themself.
async fn try_grant(app: &TestApp, home: &str, principal: &str, delegate: &str, perms: &[&str], brand: Option<&str>, until: i64) -> Result<String, Error> {
    app.identity.grant_delegation(&me(principal), principal, home, delegate, &names(perms), brand, until).await
}

async fn renew(app: &TestApp, who: &str, id: &str, until: i64) -> Result<(), Error> {
    app.identity.renew_delegation(&me(who), who, id, until).await
}

/// `view_profile` + `manage_consents` from `principal` to `delegate` for 30 days.
async fn delegate(app: &TestApp, household: &str, principal: &str, delegate: &str) -> String {
    let until = app.identity.now() + 30 * DAY_MS;
    app.identity.grant_delegation(&me(principal), principal, household, delegate, &names(&["view_profile", "manage_consents"]), None, until).await.unwrap()
}

async fn delegation_expiry_capped(db: Db) {
    let Some(app) = rp::spawn_with(TestApp::builder(db).without_worker().with_clock()).await else { return };
    let ann = rp::customer(&app, "ann@example.com").await;
    let bob = named(&app, "bob@example.com", "Bob").await;
    let home = household(&app, &ann.id, &[&bob.id]).await;
    let now = app.identity.now();
    let view = ["view_profile"];
    let grant = |until: i64| try_grant(&app, &home, &ann.id, &bob.id, &view, None, until);
    assert!(matches!(grant(now + MAX_DELEGATION_MS + 1).await, Err(Error::Refused(Refusal::DelegationExpiry))), "more than a year");
    assert!(matches!(grant(now).await, Err(Error::Refused(Refusal::DelegationExpiry))), "already over");
    assert!(matches!(grant(now - DAY_MS).await, Err(Error::Refused(Refusal::DelegationExpiry))), "in the past");
    let id = grant(now + MAX_DELEGATION_MS).await.expect("exactly a year is allowed");
    assert!(matches!(grant(now + DAY_MS).await, Err(Error::Refused(Refusal::DelegationExists))), "one live delegation per pair");

    // Renewal: the principal's act, capped the same way; the delegate cannot renew.
    assert!(matches!(renew(&app, &ann.id, &id, now + MAX_DELEGATION_MS + DAY_MS).await, Err(Error::Refused(Refusal::DelegationExpiry))));
    assert!(matches!(renew(&app, &bob.id, &id, now + DAY_MS).await, Err(Error::NotFound(_))), "the delegate cannot extend it");
    renew(&app, &ann.id, &id, now + 2 * DAY_MS).await.unwrap();
    let listed = app.identity.delegations(&me(&ann.id), &ann.id).await.unwrap();
    assert_eq!(listed.given.len(), 1);
    assert_eq!(listed.given[0].expires_at, now + 2 * DAY_MS);
    assert_eq!(listed.given[0].permissions, ["view_profile"]);
    assert_eq!(listed.given[0].other_name, "Bob", "the delegate, by their own name");
    let received = app.identity.delegations(&me(&bob.id), &bob.id).await.unwrap();
    assert_eq!(received.received.len(), 1);
    assert_eq!(received.received[0].other_name, "Ann");

    // It expires by itself: after the expiry nobody acts under it.
    app.advance(std::time::Duration::from_millis(u64::try_from(2 * DAY_MS).unwrap()));
    assert!(matches!(app.identity.act_for(&bob.id, "foyer:pwd", &ann.id).await, Err(Error::Forbidden)));
    assert!(app.identity.delegations(&me(&ann.id), &ann.id).await.unwrap().given.is_empty());
    let actions = rp::audit_actions(&app).await;
    assert_eq!(actions.iter().filter(|a| *a == "delegation.granted").count(), 2, "on both customers");
    assert_eq!(actions.iter().filter(|a| *a == "delegation.renewed").count(), 2);
}

async fn only_same_household_adults_delegate(db: Db) {
    let Some(app) = rp::spawn_without_worker(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let bob = named(&app, "bob@example.com", "Bob").await;
    let eve = named(&app, "eve@example.com", "Eve").await;
    let home = household(&app, &ann.id, &[&bob.id]).await;
    let until = app.identity.now() + DAY_MS;
    let try_grant = |principal: &str, delegate: &str, perms: &'static [&'static str], brand: Option<&'static str>| {
        let (app, home) = (&app, &home);
        let (principal, delegate) = (principal.to_owned(), delegate.to_owned());
        async move { try_grant(app, home, &principal, &delegate, perms, brand, until).await }
    };
    assert!(matches!(try_grant(&ann.id, &eve.id, &["view_profile"], None).await, Err(Error::NotFound("member"))), "not in the household");
    assert!(matches!(try_grant(&eve.id, &ann.id, &["view_profile"], None).await, Err(Error::NotFound(_))), "a stranger delegates nothing here");
    assert!(matches!(try_grant(&ann.id, &ann.id, &["view_profile"], None).await, Err(Error::Forbidden)), "not to oneself");
    assert!(matches!(try_grant(&ann.id, &bob.id, &[], None).await, Err(Error::Invalid(_))), "at least one permission");
    assert!(matches!(try_grant(&ann.id, &bob.id, &["manage_credentials"], None).await, Err(Error::Invalid(_))), "never credentials");
    assert!(matches!(try_grant(&ann.id, &bob.id, &["view_profile", "view_profile"], None).await, Err(Error::Invalid(_))), "no duplicates");
    assert!(matches!(try_grant(&ann.id, &bob.id, &["act_at_brand"], None).await, Err(Error::Invalid(_))), "act_at_brand needs a brand");
    assert!(matches!(try_grant(&ann.id, &bob.id, &["act_at_brand"], Some("nowhere")).await, Err(Error::NotFound("brand"))));
    // Only the customer themself grants their rights: not a delegate of theirs.
    let as_bob = Principal::Delegate { actor: bob.id.clone(), subject: ann.id.clone(), grant: "x".into(), permissions: vec![Permission::ViewProfile] };
    assert!(matches!(app.identity.grant_delegation(&as_bob, &ann.id, &home, &bob.id, &names(&["view_profile"]), None, until).await, Err(Error::Forbidden)));
    assert!(rp::audit_actions(&app).await.iter().all(|a| a != "delegation.granted"), "nothing was granted");
    // The adult member may delegate to the owner too; at a brand with one.
    try_grant(&bob.id, &ann.id, &["act_at_brand", "view_profile"], Some("air")).await.unwrap();
    let options = app.identity.acting_options(&me(&ann.id), &ann.id).await.unwrap();
    assert_eq!(options.len(), 1);
    assert_eq!(options[0].customer_id, bob.id);
    assert_eq!(options[0].permissions, ["act_at_brand", "view_profile"]);
}

async fn revocation_stops_the_next_request(db: Db) {
    let Some(app) = rp::spawn_without_worker(db).await else { return };
    let ann = rp::customer(&app, "ann@example.com").await;
    let bob = named(&app, "bob@example.com", "Bob").await;
    let home = household(&app, &ann.id, &[&bob.id]).await;
    let id = delegate(&app, &home, &ann.id, &bob.id).await;

    let acting = app.identity.act_for(&bob.id, "foyer:pwd", &ann.id).await.unwrap();
    let Principal::Delegate { actor, subject, grant, permissions } = &acting else { panic!("a delegate: {acting:?}") };
    assert_eq!((actor.as_str(), subject.as_str(), grant.as_str()), (bob.id.as_str(), ann.id.as_str(), id.as_str()));
    assert_eq!(permissions, &[Permission::ViewProfile, Permission::ManageConsents]);
    assert_eq!(app.identity.profile(&acting, &ann.id).await.unwrap().given_name.as_deref(), Some("Ann"), "the principal's profile");
    assert!(matches!(app.identity.act_for(&ann.id, "foyer:pwd", &bob.id).await, Err(Error::Forbidden)), "a delegation goes one way");

    // The principal revokes; the very next request made while acting is refused.
    app.identity.revoke_delegation(&me(&ann.id), &ann.id, &id).await.unwrap();
    assert!(matches!(app.identity.act_for(&bob.id, "foyer:pwd", &ann.id).await, Err(Error::Forbidden)));
    assert!(matches!(app.identity.revoke_delegation(&me(&ann.id), &ann.id, &id).await, Err(Error::NotFound(_))), "revoked once");

    // The delegate may decline one; a third party may not touch it.
    let eve = named(&app, "eve@example.com", "Eve").await;
    let second = delegate(&app, &home, &ann.id, &bob.id).await;
    assert!(matches!(app.identity.revoke_delegation(&me(&eve.id), &eve.id, &second).await, Err(Error::NotFound(_))));
    app.identity.revoke_delegation(&me(&bob.id), &bob.id, &second).await.unwrap();
    assert!(app.identity.act_for(&bob.id, "foyer:pwd", &ann.id).await.is_err());
    let trail = app.identity.store().audit_trail(&format!("customer:{}", ann.id)).await.unwrap();
    assert!(trail.iter().any(|r| r.action == "delegation.revoked" && r.detail.contains("\"declined\"")), "{trail:?}");

    // Leaving the household revokes what is left.
    let third = delegate(&app, &home, &ann.id, &bob.id).await;
    app.identity.leave_household(&me(&bob.id), &bob.id, &home).await.unwrap();
    assert!(app.identity.act_for(&bob.id, "foyer:pwd", &ann.id).await.is_err(), "{third} ended with the membership");
}

async fn delegate_never_reaches_credentials(db: Db) {
    let Some(app) = rp::spawn_without_worker(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let bob = named(&app, "bob@example.com", "Bob").await;
    let home = household(&app, &ann.id, &[&bob.id]).await;
    let every = names(&["view_profile", "manage_consents", "manage_loyalty", "act_at_brand"]);
    app.identity.grant_delegation(&me(&ann.id), &ann.id, &home, &bob.id, &every, Some("air"), app.identity.now() + DAY_MS).await.unwrap();
    let acting = app.identity.act_for(&bob.id, "foyer:mfa", &ann.id).await.unwrap();
    let forbidden = |r: Result<(), Error>, what: &str| assert!(matches!(r, Err(Error::Forbidden)), "{what}: {r:?}");
    forbidden(app.identity.start_totp(&acting, &ann.id).await.map(drop), "credentials (TOTP)");
    forbidden(app.identity.end_other_sessions(&acting, &ann.id, "x").await.map(drop), "sessions");
    forbidden(app.identity.activity(&acting, &ann.id, 10).await.map(drop), "the security pages (activity)");
    forbidden(app.identity.create_export_link(&acting, &ann.id, &crate::support::seed::seed_meta(3)).await.map(drop), "export");
    forbidden(app.identity.households(&acting, &ann.id).await.map(drop), "the household");
    forbidden(app.identity.delegations(&acting, &ann.id).await.map(drop), "the delegations");
    forbidden(
        app.identity.grant_delegation(&acting, &ann.id, &home, &bob.id, &names(&["view_profile"]), None, app.identity.now() + DAY_MS).await.map(drop),
        "granting onwards",
    );
    // …and what it may do, it may do only for its principal.
    assert!(app.identity.profile(&acting, &ann.id).await.is_ok());
    forbidden(app.identity.profile(&acting, &bob.id).await.map(drop), "the delegate's own account, as delegate");
}

async fn delegate_actions_in_both_activity_pages(db: Db) {
    let Some(app) = rp::spawn_without_worker(db).await else { return };
    let ann = rp::customer(&app, "ann@example.com").await;
    let bob = named(&app, "bob@example.com", "Bob").await;
    let home = household(&app, &ann.id, &[&bob.id]).await;
    let id = delegate(&app, &home, &ann.id, &bob.id).await;
    let purpose = NewPurpose {
        brand: None,
        key: "news".into(),
        titles: vec![("en".into(), "News".into()), ("de".into(), "Neuigkeiten".into())],
        descriptions: vec![("en".into(), "Our news.".into()), ("de".into(), "Unsere Neuigkeiten.".into())],
        legal_basis: "consent".into(),
        required: false,
        data_categories: vec!["contact".into()],
        retention: Some("P2Y".into()),
        channels: vec![],
    };
    let purpose = app.identity.create_purpose(&Principal::Operator, &purpose).await.unwrap();
    let version = NewVersion { brand: None, key: "news".into(), body: Some("The news.".into()), material: false, ..NewVersion::default() };
    app.identity.publish_purpose_version(&Principal::Operator, &version).await.unwrap();

    let acting = app.identity.act_for(&bob.id, "foyer:pwd", &ann.id).await.unwrap();
    let evidence = Evidence { collection: Collection::Portal, request_id: None, user_agent: None, language: Locale::En, ticket: None };
    let choice = Choice { purpose_id: purpose.id.clone(), channel: None, decision: Decision::Granted };
    app.identity.decide_purposes(&acting, &ann.id, &[choice], &evidence).await.unwrap();

    // The principal's page: the row names the delegate as actor, with the grant.
    let anns = app.identity.activity(&me(&ann.id), &ann.id, 50).await.unwrap();
    let row = anns.iter().find(|r| r.action.starts_with("consent.")).unwrap_or_else(|| panic!("{anns:?}"));
    assert_eq!(row.actor, format!("customer:{}", bob.id));
    assert_eq!(row.subject.as_deref(), Some(format!("customer:{}", ann.id).as_str()));
    let detail: serde_json::Value = serde_json::from_str(&row.detail).unwrap();
    assert_eq!(detail["on_behalf"], true);
    assert_eq!(detail["grant"], id.as_str());
    // The delegate's page shows the same row (actor: them, subject: the principal).
    let bobs = app.identity.activity(&me(&bob.id), &bob.id, 50).await.unwrap();
    assert!(bobs.iter().any(|r| r.action == row.action && r.subject == row.subject && r.actor == row.actor), "{bobs:?}");
    // …but not the principal's own actions that were not on anyone's behalf.
    assert!(bobs.iter().all(|r| r.subject.as_deref() == Some(format!("customer:{}", bob.id).as_str()) || r.detail.contains("\"on_behalf\":true")));
}

/// `foyer client create … --allow-delegation` and `foyer client update <id>
/// --allow-delegation yes|no`; anything else is refused and changes nothing.
async fn cli_opts_a_client_in_and_out(db: Db) {
    let Some(db) = TestDb::create(db).await else { return };
    let run = |args: &[&str]| support::foyer(&db, args, &[]);
    let json = |args: &[&str]| {
        let out = run(&[args, &["--json"]].concat());
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_str::<serde_json::Value>(stdout(&out).trim()).unwrap()
    };
    assert!(run(&["brand", "create", "--slug", "northwind-air", "--name", "Northwind Air"]).status.success());
    let plain = json(&["client", "create", "--brand", "northwind-air", "--name", "Air web", "--redirect-uri", "https://air.example.com/cb"]);
    assert_eq!(plain["allow_delegation"], false, "off unless asked");
    let opted = json(&["client", "create", "--brand", "northwind-air", "--name", "Air agents", "--redirect-uri", "https://air.example.com/cb", "--allow-delegation"]);
    assert_eq!(opted["allow_delegation"], true);
    let id = opted["client_id"].as_str().unwrap().to_owned();
    let off = json(&["client", "update", &id, "--allow-delegation", "no"]);
    assert_eq!(off["allow_delegation"], false);
    let on = json(&["client", "update", &id, "--allow-delegation", "yes"]);
    assert_eq!(on["allow_delegation"], true);
    let bad = run(&["client", "update", &id, "--allow-delegation", "maybe"]);
    assert_eq!(bad.status.code(), Some(1), "{}", stdout(&bad));
    assert!(stderr(&bad).contains("yes or no"), "{}", stderr(&bad));
    let listed = json(&["client", "list", "--brand", "northwind-air"]);
    let agents = listed["clients"].as_array().unwrap().iter().find(|c| c["client_id"] == id.as_str()).cloned().unwrap();
    assert_eq!(agents["allow_delegation"], true, "unchanged by the refused update");
}

/// The portal's plumbing: "Act for Ann" makes the profile and privacy pages Ann's, while
/// devices stay Bob's own; the header says so; revoking stops the very next request and
/// the session falls back to Bob's own account; "Back to my account" works as a plain
/// form post too.
async fn acting_in_the_portal_follows_the_delegation(db: Db) {
    let Some(app) = rp::spawn_without_worker(db).await else { return };
    let ann = named(&app, "ann@example.com", "Ann").await;
    let bob = named(&app, "bob@example.com", "Bob").await;
    let eve = named(&app, "eve@example.com", "Eve").await;
    let home = household(&app, &ann.id, &[&bob.id]).await;
    let id = delegate(&app, &home, &ann.id, &bob.id).await;
    let browser = rp::Browser::new(&app);
    browser.sign_in("bob@example.com").await;
    let given = |body: &serde_json::Value| body["given_name"].as_str().map(str::to_owned);

    let (status, profile) = browser.server_fn("get_profile", &[]).await;
    assert_eq!((status, given(&profile).as_deref()), (200, Some("Bob")), "{profile}");
    let (status, body) = browser.server_fn("act_for", &[("customer", &eve.id)]).await;
    assert_eq!(status, 403, "nobody lets Bob act for Eve: {body}");
    let (status, next) = browser.server_fn("act_for", &[("customer", &ann.id)]).await;
    assert_eq!((status, next.as_str()), (200, Some("/account/profile")), "{next}");
    let (status, profile) = browser.server_fn("get_profile", &[]).await;
    assert_eq!((status, given(&profile).as_deref()), (200, Some("Ann")), "the profile page is Ann's now: {profile}");
    let (status, devices) = browser.server_fn("list_devices", &[]).await;
    assert_eq!(status, 200, "{devices}");
    assert_eq!(devices.as_array().map(Vec::len), Some(1), "devices stay Bob's own (Ann has no session): {devices}");
    let (_, banner) = browser.server_fn("acting_status", &[]).await;
    assert_eq!(banner["name"], "Ann");
    let page = browser.http.get(app.url("/account/profile")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("You are acting for Ann"), "the header says so");
    assert!(page.contains("Back to my account"));
    let page = browser.http.get(app.url("/account/household")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Permissions between members") && page.contains("Act for Ann") && page.contains("From Ann"), "the section");

    // Ann revokes: Bob's very next request is refused, and the one after is his own.
    app.identity.revoke_delegation(&me(&ann.id), &ann.id, &id).await.unwrap();
    let (status, _) = browser.server_fn("get_profile", &[]).await;
    assert_eq!(status, 403, "the next request stops");
    let (status, profile) = browser.server_fn("get_profile", &[]).await;
    assert_eq!((status, given(&profile).as_deref()), (200, Some("Bob")), "{profile}");
    let (_, banner) = browser.server_fn("acting_status", &[]).await;
    assert!(banner.is_null(), "{banner}");

    // "Back to my account", as a plain form post without the wasm.
    delegate(&app, &home, &ann.id, &bob.id).await;
    let (status, _) = browser.server_fn("act_for", &[("customer", &ann.id)]).await;
    assert_eq!(status, 200);
    let back = browser
        .http
        .post(app.url("/api/stop_acting"))
        .header(reqwest::header::ACCEPT, "text/html")
        .header(reqwest::header::ORIGIN, "null")
        .header("sec-fetch-site", "same-origin")
        .form(&[("__page", "/account/profile")])
        .send()
        .await
        .unwrap();
    assert_eq!(back.status().as_u16(), 303);
    let (_, profile) = browser.server_fn("get_profile", &[]).await;
    assert_eq!(given(&profile).as_deref(), Some("Bob"));
}

/// A live guardianship gives the guardian permission set through the same principal
/// (`grant = guardian:<id>`); once it ends, so does acting.
async fn a_guardian_acts_through_the_same_principal(db: Db) {
    let Some(app) = rp::spawn_without_worker(db).await else { return };
    let ann = named(&app, "ann@example.com", "Ann").await;
    let kid = named(&app, "kid@example.com", "Kid").await;
    let now = app.identity.now();
    let mut tx = app.identity.store().begin().await.unwrap();
    identity::store::households::insert_guardianship(&mut tx, "g-1", &kid.id, &ann.id, now).await.unwrap();
    tx.commit().await.unwrap();
    let acting = app.identity.act_for(&ann.id, "foyer:pwd", &kid.id).await.unwrap();
    let Principal::Delegate { grant, permissions, .. } = &acting else { panic!("{acting:?}") };
    assert_eq!(grant, "guardian:g-1");
    assert_eq!(permissions, &Permission::GUARDIAN.to_vec());
    let options = app.identity.acting_options(&me(&ann.id), &ann.id).await.unwrap();
    assert_eq!((options.len(), options[0].name.as_str()), (1, "Kid"));
    assert!(matches!(app.identity.act_for(&kid.id, "foyer:pwd", &ann.id).await, Err(Error::Forbidden)), "not the other way round");
    let mut tx = app.identity.store().begin().await.unwrap();
    identity::store::households::end_guardianships(&mut tx, &ann.id, None, "test", now).await.unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(app.identity.act_for(&ann.id, "foyer:pwd", &kid.id).await, Err(Error::Forbidden)));
}
