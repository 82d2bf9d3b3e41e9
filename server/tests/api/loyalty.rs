//! Loyalty programmes and verified links (issue 15, `docs/design/loyalty.md`), through
//! the core the pages and the brand API call: each row of the design note's attacker
//! table — a number linked without proof, guessed codes, a number verified twice (also
//! at once), enumeration, a pre-account hijacker, brands reading each other's
//! memberships, the wrong principal, pooling by a non-owner — plus the guardian's link
//! for a managed member, unlinking, events, the audit trail, export and erasure. Each
//! runs on SQLite and PostgreSQL.

use identity::accounts::RequestMeta;
use identity::consent::catalogue::{NewPurpose, NewVersion};
use identity::consent::ledger::{Choice, Evidence};
use identity::consent::{Collection, Decision as ConsentDecision};
use identity::i18n::Locale;
use identity::loyalty::brand_api::MemberReport;
use identity::loyalty::link::LinkOutcome;
use identity::loyalty::programme::NewProgramme;
use identity::loyalty::{Decision, LinkStatus, MAX_CODE_ATTEMPTS, SHARING_PURPOSE};
use identity::oidc::clients::ClientSpec;
use identity::principal::Principal;
use identity::{Error, Refusal};

use crate::accounts::PASSWORD;
use crate::oidc::rp::{Browser, REDIRECT, Rp, jwt_parts};
use crate::support::seed::{seed_meta, text_after};
use crate::support::{Db, TestApp, TestDb, both_backends, foyer, stderr, stdout};

both_backends!(
    programmes_are_checked_before_anything_is_written,
    email_link_is_proven_by_the_code_at_the_address_on_file,
    pending_link_is_never_released,
    wrong_codes_are_throttled,
    wrong_card_codes_spend_the_code,
    number_verified_once,
    two_verifications_at_once_admit_one,
    unknown_numbers_count_as_failures,
    unconfirmed_account_cannot_link,
    loyalty_needs_the_right,
    guardian_links_for_managed_member,
    only_the_owner_decides_pooling,
    claim_needs_the_sharing_consent,
    brand_decisions,
    unlinking_is_audited_announced_and_exported,
    the_operator_declares_programmes_at_the_command_line,
);

const NUMBER: &str = "1234567897";
const OTHER_NUMBER: &str = "4000000002";
const CODE_SUBJECT: &str = "Your code to link your air rewards membership";

async fn spawn(db: Db) -> Option<TestApp> {
    TestApp::builder(db).with_clock().without_worker().spawn().await
}

fn me(id: &str) -> Principal {
    Principal::customer(id, "foyer:pwd")
}

fn meta() -> RequestMeta {
    seed_meta(9)
}

fn on_file(email: &str) -> MemberReport {
    MemberReport { status: "active".into(), tier: Some("Gold".into()), points: Some(12_000), email: Some(email.into()), verification_code: None }
}

/// Brand `air` with an `email` programme `air` whose card [`NUMBER`] has `card@example.com` on file.
async fn air(app: &TestApp) {
    app.with_brand("air").await;
    app.with_programme("air", "air", "email").await;
    app.with_member("air", NUMBER, on_file("card@example.com")).await;
}

/// Ada, whose card [`NUMBER`] is linked and proven by the mailed code; her id and the link's.
async fn ada_with_verified_card(app: &TestApp) -> (String, String) {
    let ada = app.with_customer("ada@example.com", PASSWORD).await;
    let (link, _) = app.identity.request_link(&me(&ada), &ada, "air", NUMBER, None, &meta()).await.unwrap();
    let code = mailed_code(app, "card@example.com").await;
    app.identity.confirm_link_code(&me(&ada), &ada, &link, &code).await.unwrap();
    (ada, link)
}

/// The code in the newest mail to `to`.
async fn mailed_code(app: &TestApp, to: &str) -> String {
    let text = app.mail_text(to, CODE_SUBJECT).await;
    text_after(&text, "enter this code: ").chars().take(6).collect()
}

async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).bind(bind).fetch_one(app.identity.store().pool()).await.unwrap();
    n
}

async fn programmes_are_checked_before_anything_is_written(db: Db) {
    let Some(app) = spawn(db).await else { return };
    app.with_brand("air").await;
    let bad = NewProgramme {
        brand: "air".into(),
        slug: Some("Not A Slug".into()),
        name: " ".into(),
        number_pattern: "[0-9".into(),
        tiers: vec!["Gold".into(), "Gold".into()],
        verification: "carrier-pigeon".into(),
        ..NewProgramme::default()
    };
    let refused = app.identity.create_programme(&Principal::Operator, &bad).await;
    let Err(Error::Fields(fields)) = refused else { panic!("{refused:?}") };
    assert_eq!(fields.len(), 5, "slug, name, pattern, tiers and method, each named: {fields:?}");
    let unknown = NewProgramme { brand: "nowhere".into(), name: "X".into(), number_pattern: "[0-9]+".into(), verification: "email".into(), ..NewProgramme::default() };
    assert!(matches!(app.identity.create_programme(&Principal::Operator, &unknown).await, Err(Error::Invalid(_))));
    let customer = app.with_customer("ada@example.com", PASSWORD).await;
    let good = NewProgramme { brand: "air".into(), name: "Skyward".into(), number_pattern: "[0-9]+".into(), verification: "email".into(), ..NewProgramme::default() };
    assert!(matches!(app.identity.create_programme(&me(&customer), &good).await, Err(Error::Forbidden)), "a customer declares nothing");
    assert!(app.identity.programmes(None).await.unwrap().is_empty(), "nothing half-written");
    let created = app.identity.create_programme(&Principal::Operator, &good).await.unwrap();
    assert_eq!((created.slug.as_str(), created.brand_slug.as_str()), ("air", "air"), "the brand's slug by default");
    assert!(matches!(app.identity.create_programme(&Principal::Operator, &good).await, Err(Error::Conflict(_))), "slugs are unique");
}

async fn email_link_is_proven_by_the_code_at_the_address_on_file(db: Db) {
    let Some(app) = spawn(db).await else { return };
    air(&app).await;
    let ada = app.with_customer("ada@example.com", PASSWORD).await;
    let malformed = app.identity.request_link(&me(&ada), &ada, "air", "1234567890", None, &meta()).await;
    assert!(matches!(malformed, Err(Error::Fields(_))), "Luhn: {malformed:?}");
    let (link, outcome) = app.identity.request_link(&me(&ada), &ada, "air", " 12345-67897 ", None, &meta()).await.unwrap();
    assert_eq!(outcome, LinkOutcome::CodeSent);
    let code = mailed_code(&app, "card@example.com").await;
    let pending = app.identity.loyalty_links(&me(&ada), &ada).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!((pending[0].status, pending[0].number_masked.as_str()), (LinkStatus::Pending, "\u{2022}\u{2022}\u{2022}\u{2022}7897"));
    assert!(pending[0].code_expires_at.is_some() && pending[0].tier.is_none(), "the brand's figures only once verified");
    assert!(
        matches!(app.identity.request_link(&me(&ada), &ada, "air", NUMBER, None, &meta()).await, Err(Error::Refused(Refusal::LoyaltyAlreadyLinked))),
        "one live link per programme"
    );
    app.identity.confirm_link_code(&me(&ada), &ada, &link, &code).await.unwrap();
    let verified = app.identity.loyalty_links(&me(&ada), &ada).await.unwrap();
    assert_eq!((verified[0].status, verified[0].tier.as_deref(), verified[0].points), (LinkStatus::Verified, Some("Gold"), Some(12_000)));
    assert!(matches!(app.identity.confirm_link_code(&me(&ada), &ada, &link, &code).await, Err(Error::TokenInvalid)), "used once");
}

async fn pending_link_is_never_released(db: Db) {
    let Some(app) = spawn(db).await else { return };
    app.with_brand("air").await;
    app.with_programme("air", "air", "brand-api").await;
    let air = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT).scope("openid loyalty")).await;
    let ada = app.with_customer("ada@example.com", PASSWORD).await;
    let (link, outcome) = app.identity.request_link(&me(&ada), &ada, "air", NUMBER, None, &meta()).await.unwrap();
    assert_eq!(outcome, LinkOutcome::Pending);
    let browser = Browser::new(&app);
    browser.sign_in("ada@example.com").await;
    let claims = jwt_parts(&air.sign_in(&browser, &["loyalty"]).await.id_token.to_string()).1;
    assert!(claims.get("loyalty").is_none(), "a pending number is typed, not proven: {claims}");
    app.identity.decide_link(&Principal::Operator, "air", &link, Decision::Confirm, None).await.unwrap();
    app.with_member("air", NUMBER, on_file("card@example.com")).await;
    let claims = jwt_parts(&air.sign_in(&browser, &["loyalty"]).await.id_token.to_string()).1;
    let loyalty = &claims["loyalty"][0];
    assert_eq!((loyalty["programme"].as_str(), loyalty["number"].as_str(), loyalty["tier"].as_str()), (Some("air"), Some(NUMBER), Some("Gold")), "{claims}");
    assert_eq!(loyalty["points"], 12_000);
    assert!(!claims.to_string().contains("card@example.com"), "the address on file is never released");
}

async fn wrong_codes_are_throttled(db: Db) {
    let Some(app) = spawn(db).await else { return };
    air(&app).await;
    let mallory = app.with_customer("mallory@example.com", PASSWORD).await;
    let (link, _) = app.identity.request_link(&me(&mallory), &mallory, "air", NUMBER, None, &meta()).await.unwrap();
    let code = mailed_code(&app, "card@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..MAX_CODE_ATTEMPTS {
        assert!(matches!(app.identity.confirm_link_code(&me(&mallory), &mallory, &link, wrong).await, Err(Error::TokenInvalid)));
    }
    let spent = app.identity.confirm_link_code(&me(&mallory), &mallory, &link, &code).await;
    assert!(matches!(spent, Err(Error::TokenInvalid | Error::Throttled { .. })), "the right code after five wrong ones is spent: {spent:?}");
    // Sequences: cancel and start again, repeatedly — the customer's budget does not reset.
    let mut throttled = false;
    for _ in 0..3 {
        app.identity.unlink(&me(&mallory), &mallory, &link).await.ok();
        let next = app.identity.request_link(&me(&mallory), &mallory, "air", NUMBER, None, &meta()).await;
        let Ok((again, _)) = next else {
            throttled = matches!(next, Err(Error::Throttled { .. }));
            break;
        };
        if let Err(Error::Throttled { .. }) = app.identity.confirm_link_code(&me(&mallory), &mallory, &again, wrong).await {
            throttled = true;
            break;
        }
    }
    assert!(throttled, "wrong codes count on the customer, whatever link they are for");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM loyalty_links WHERE status = 'verified' AND customer_id = $1", &mallory).await, 0);
}

async fn wrong_card_codes_spend_the_code(db: Db) {
    let Some(app) = spawn(db).await else { return };
    app.with_brand("air").await;
    app.with_programme("air", "air", "code").await;
    app.with_member("air", NUMBER, MemberReport { status: "active".into(), verification_code: Some("K7-2Q9X".into()), ..MemberReport::default() }).await;
    let ada = app.with_customer("ada@example.com", PASSWORD).await;
    let missing = app.identity.request_link(&me(&ada), &ada, "air", NUMBER, None, &meta()).await;
    assert!(matches!(missing, Err(Error::Fields(_))), "the card's code is asked for: {missing:?}");
    for _ in 0..MAX_CODE_ATTEMPTS {
        let wrong = app.identity.request_link(&me(&ada), &ada, "air", NUMBER, Some("AAAA-0000"), &meta()).await;
        assert!(matches!(wrong, Err(Error::TokenInvalid | Error::Throttled { .. })), "{wrong:?}");
        app.advance(std::time::Duration::from_secs(20 * 60));
    }
    let spent = app.identity.request_link(&me(&ada), &ada, "air", NUMBER, Some("k7-2q9x"), &meta()).await;
    assert!(matches!(spent, Err(Error::TokenInvalid)), "five wrong codes spend the card's code: {spent:?}");
    assert!(app.identity.loyalty_links(&me(&ada), &ada).await.unwrap().is_empty(), "nothing linked");
    app.with_member("air", NUMBER, MemberReport { status: "active".into(), verification_code: Some("NEW-CODE".into()), ..MemberReport::default() }).await;
    let (_, outcome) = app.identity.request_link(&me(&ada), &ada, "air", NUMBER, Some("new-code"), &meta()).await.unwrap();
    assert_eq!(outcome, LinkOutcome::Verified, "a new code from the brand, typed in any case, proves it at once");
    let reused = app.with_customer("bob@example.com", PASSWORD).await;
    let again = app.identity.request_link(&me(&reused), &reused, "air", NUMBER, Some("NEW-CODE"), &meta()).await;
    assert!(matches!(again, Err(Error::Refused(Refusal::LoyaltyNumberTaken))), "{again:?}");
}

async fn number_verified_once(db: Db) {
    let Some(app) = spawn(db).await else { return };
    air(&app).await;
    ada_with_verified_card(&app).await;
    let mallory = app.with_customer("mallory@example.com", PASSWORD).await;
    let taken = app.identity.request_link(&me(&mallory), &mallory, "air", NUMBER, None, &meta()).await;
    assert!(matches!(taken, Err(Error::Refused(Refusal::LoyaltyNumberTaken))), "{taken:?}");
    let told = app.mail_text("ada@example.com", "Someone tried to link your air rewards membership").await;
    assert!(told.contains("7897") && !told.contains(NUMBER), "the holder is told, with the last four digits only: {told}");
    assert!(app.identity.loyalty_links(&me(&mallory), &mallory).await.unwrap().is_empty(), "no code went out, nothing pending");
}

async fn two_verifications_at_once_admit_one(db: Db) {
    let Some(app) = spawn(db).await else { return };
    app.with_brand("air").await;
    app.with_programme("air", "air", "brand-api").await;
    let mut links = Vec::new();
    for i in 0..6 {
        let email = format!("c{i}@example.com");
        let id = app.with_customer(&email, PASSWORD).await;
        let (link, _) = app.identity.request_link(&me(&id), &id, "air", NUMBER, None, &meta()).await.unwrap();
        links.push(link);
    }
    let decisions = links.iter().map(|link| {
        let identity = app.identity.clone();
        let link = link.clone();
        tokio::spawn(async move { identity.decide_link(&Principal::Operator, "air", &link, Decision::Confirm, None).await })
    });
    let results: Vec<_> = futures::future::join_all(decisions).await.into_iter().map(Result::unwrap).collect();
    let admitted = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(admitted, 1, "{results:?}");
    assert!(results.iter().all(|r| r.is_ok() || matches!(r, Err(Error::Refused(Refusal::LoyaltyNumberTaken) | Error::Conflict(_) | Error::Busy { .. }))), "{results:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM loyalty_links WHERE status = 'verified' AND number = $1", NUMBER).await, 1);
}

async fn unknown_numbers_count_as_failures(db: Db) {
    let Some(app) = spawn(db).await else { return };
    air(&app).await;
    let prober = app.with_customer("prober@example.com", PASSWORD).await;
    let numbers = ["1000000008", "2000000006", "3000000004", "4000000002", "5000000009", "6000000007", "7000000005"];
    let mut throttled = false;
    for n in numbers {
        match app.identity.request_link(&me(&prober), &prober, "air", n, None, &meta()).await {
            Err(Error::Refused(Refusal::LoyaltyNotVerifiable)) => {}
            Err(Error::Throttled { .. }) => {
                throttled = true;
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(throttled, "probing numbers is slowed like guessing codes");
    assert!(app.identity.loyalty_links(&me(&prober), &prober).await.unwrap().is_empty());
}

async fn unconfirmed_account_cannot_link(db: Db) {
    let Some(app) = spawn(db).await else { return };
    air(&app).await;
    let hijacker = app.with_unconfirmed_customer("victim@example.com", PASSWORD).await;
    let refused = app.identity.request_link(&me(&hijacker), &hijacker, "air", NUMBER, None, &meta()).await;
    assert!(matches!(refused, Err(Error::Refused(Refusal::ConfirmEmailFirst))), "{refused:?}");
    assert_eq!(app.identity.store().outbox_kinds().await.unwrap().iter().filter(|k| k.starts_with("loyalty.")).count(), 0);
}

async fn loyalty_needs_the_right(db: Db) {
    let Some(app) = spawn(db).await else { return };
    air(&app).await;
    let ada = app.with_customer("ada@example.com", PASSWORD).await;
    let (link, _) = app.identity.request_link(&me(&ada), &ada, "air", NUMBER, None, &meta()).await.unwrap();
    let eve = app.with_customer("eve@example.com", PASSWORD).await;
    assert!(matches!(app.identity.loyalty_links(&me(&eve), &ada).await, Err(Error::Forbidden)));
    assert!(matches!(app.identity.unlink(&me(&eve), &ada, &link).await, Err(Error::Forbidden)));
    assert!(matches!(app.identity.unlink(&me(&eve), &eve, &link).await, Err(Error::NotFound(_))), "another's link looks like none");
    assert!(matches!(app.identity.request_link(&me(&eve), &ada, "air", OTHER_NUMBER, None, &meta()).await, Err(Error::Forbidden)));
    let viewer = Principal::Delegate { actor: eve.clone(), subject: ada.clone(), grant: "d".into(), permissions: vec![identity::households::Permission::ViewProfile] };
    assert!(matches!(app.identity.loyalty_links(&viewer, &ada).await, Err(Error::Forbidden)), "view_profile is not manage_loyalty");
    let brand_client = Principal::Machine { client: "x".into(), brand: "air".into(), scopes: vec!["loyalty:manage".into()] };
    assert!(matches!(app.identity.loyalty_links(&brand_client, &ada).await, Err(Error::Forbidden)), "brands never read a customer's page");
    assert_eq!(app.identity.loyalty_links(&me(&ada), &ada).await.unwrap().len(), 1, "still there");
}

async fn guardian_links_for_managed_member(db: Db) {
    let Some(app) = spawn(db).await else { return };
    air(&app).await;
    let olga = app.with_customer("olga@example.com", PASSWORD).await;
    let household = app.identity.create_household(&me(&olga), &olga, "The Kings").await.unwrap();
    let mia = app.identity.create_managed_member(&me(&olga), &olga, &household, "Mia", Some("King"), "2016-04-01").await.unwrap();
    let guardian = app.identity.act_for(&olga, "foyer:pwd", &mia).await.unwrap();
    let (link, _) = app.identity.request_link(&guardian, &mia, "air", NUMBER, None, &meta()).await.unwrap();
    let code = mailed_code(&app, "card@example.com").await;
    app.identity.confirm_link_code(&guardian, &mia, &link, &code).await.unwrap();
    let theirs = app.identity.loyalty_links(&guardian, &mia).await.unwrap();
    assert_eq!((theirs.len(), theirs[0].status), (1, LinkStatus::Verified));
    assert!(app.identity.loyalty_links(&me(&olga), &olga).await.unwrap().is_empty(), "the child's card, not the guardian's");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM loyalty_links WHERE customer_id = $1 AND linked_by IS NOT NULL", &mia).await, 1, "who linked it is kept");
    let activity = app.identity.store().audit_trail(&format!("customer:{mia}")).await.unwrap();
    assert!(activity.iter().any(|a| a.action == "loyalty.linked" && a.actor.contains(&olga)), "{activity:?}");
}

async fn only_the_owner_decides_pooling(db: Db) {
    let Some(app) = spawn(db).await else { return };
    app.with_brand("air").await;
    app.with_programme("air", "air", "brand-api").await;
    let olga = app.with_customer("olga@example.com", PASSWORD).await;
    let household = app.identity.create_household(&me(&olga), &olga, "The Kings").await.unwrap();
    let mia = app.identity.create_managed_member(&me(&olga), &olga, &household, "Mia", Some("King"), "2016-04-01").await.unwrap();
    let guardian = app.identity.act_for(&olga, "foyer:pwd", &mia).await.unwrap();
    let (own, _) = app.identity.request_link(&me(&olga), &olga, "air", NUMBER, None, &meta()).await.unwrap();
    let (child, _) = app.identity.request_link(&guardian, &mia, "air", OTHER_NUMBER, None, &meta()).await.unwrap();
    let early = app.identity.set_pooled(&me(&olga), &olga, &household, &child, true).await;
    assert!(matches!(early, Err(Error::Refused(Refusal::LoyaltyNoPooling))), "pending links do not pool: {early:?}");
    for link in [&own, &child] {
        app.identity.decide_link(&Principal::Operator, "air", link, Decision::Confirm, None).await.unwrap();
    }
    let stranger = app.with_customer("sam@example.com", PASSWORD).await;
    assert!(app.identity.set_pooled(&me(&stranger), &stranger, &household, &child, true).await.is_err(), "not a member");
    assert!(app.identity.loyalty_pools(&me(&stranger), &stranger).await.unwrap().is_empty());
    for link in [&own, &child] {
        app.identity.set_pooled(&me(&olga), &olga, &household, link, true).await.unwrap();
    }
    let pools = app.identity.loyalty_pools(&me(&olga), &olga).await.unwrap();
    assert_eq!(pools.len(), 1);
    assert!(pools[0].members.iter().all(|m| m.pooled) && pools[0].members.len() == 2, "{pools:?}");
    let air = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT).scope("openid loyalty")).await;
    let browser = Browser::new(&app);
    browser.sign_in("olga@example.com").await;
    let claims = jwt_parts(&air.sign_in(&browser, &["loyalty"]).await.id_token.to_string()).1;
    assert_eq!(claims["loyalty"][0]["pool"]["members"], 2, "{claims}");
    assert!(!claims.to_string().contains(&household), "the household's own id is never released");
    app.identity.set_pooled(&me(&olga), &olga, &household, &child, false).await.unwrap();
    assert_eq!(count(&app, "SELECT COUNT(*) FROM loyalty_links WHERE pooled = 1 AND customer_id = $1", &mia).await, 0);
}

async fn sharing_purpose(app: &TestApp, brand: &str) -> String {
    let spec = NewPurpose {
        brand: Some(brand.into()),
        key: SHARING_PURPOSE.into(),
        titles: vec![("en".into(), "See my other loyalty memberships".into()), ("de".into(), "Meine anderen Mitgliedschaften sehen".into())],
        descriptions: vec![("en".into(), "Tier and status of your memberships with the group's other brands.".into()), ("de".into(), "Stufe und Status.".into())],
        legal_basis: "consent".into(),
        required: false,
        data_categories: vec!["loyalty".into()],
        retention: None,
        channels: vec![],
    };
    let purpose = app.identity.create_purpose(&Principal::Operator, &spec).await.unwrap();
    let version = NewVersion { brand: Some(brand.into()), key: spec.key.clone(), body: Some("Your other memberships, to us.".into()), ..NewVersion::default() };
    app.identity.publish_purpose_version(&Principal::Operator, &version).await.unwrap();
    purpose.id
}

async fn claim_needs_the_sharing_consent(db: Db) {
    let Some(app) = spawn(db).await else { return };
    air(&app).await;
    app.with_brand("hotels").await;
    let purpose = sharing_purpose(&app, "hotels").await;
    let (ada, _) = ada_with_verified_card(&app).await;
    let hotels = Rp::register(&app, ClientSpec::new("hotels", "Hotels web").redirect_uri(REDIRECT).scope("openid loyalty")).await;
    let browser = Browser::new(&app);
    browser.sign_in("ada@example.com").await;
    let before = jwt_parts(&hotels.sign_in(&browser, &["loyalty"]).await.id_token.to_string()).1;
    assert!(before.get("loyalty").is_none(), "brand B never receives brand A's membership without the consent record: {before}");
    let evidence = Evidence { collection: Collection::Portal, request_id: None, user_agent: None, language: Locale::En, ticket: None };
    let choice = Choice { purpose_id: purpose, channel: None, decision: ConsentDecision::Granted };
    app.identity.decide_purposes(&me(&ada), &ada, &[choice.clone()], &evidence).await.unwrap();
    let after = jwt_parts(&hotels.sign_in(&browser, &["loyalty"]).await.id_token.to_string()).1;
    let shared = &after["loyalty"][0];
    assert_eq!((shared["programme"].as_str(), shared["number_last4"].as_str(), shared["tier"].as_str()), (Some("air"), Some("7897"), Some("Gold")), "{after}");
    assert!(shared.get("number").is_none() && shared.get("points").is_none(), "minimised: {after}");
    let withdrawn = Choice { decision: ConsentDecision::Withdrawn, ..choice };
    app.identity.decide_purposes(&me(&ada), &ada, &[withdrawn], &evidence).await.unwrap();
    let again = jwt_parts(&hotels.sign_in(&browser, &["loyalty"]).await.id_token.to_string()).1;
    assert!(again.get("loyalty").is_none(), "withdrawing stops it: {again}");
}

async fn brand_decisions(db: Db) {
    let Some(app) = spawn(db).await else { return };
    app.with_brand("air").await;
    app.with_programme("air", "air", "support").await;
    let ada = app.with_customer("ada@example.com", PASSWORD).await;
    let (link, outcome) = app.identity.request_link(&me(&ada), &ada, "air", NUMBER, None, &meta()).await.unwrap();
    assert_eq!(outcome, LinkOutcome::Pending);
    let decided = app.identity.decide_link(&Principal::Operator, "air", &link, Decision::Confirm, None).await.unwrap();
    assert_eq!(decided.status, LinkStatus::Verified);
    assert!(matches!(app.identity.decide_link(&Principal::Operator, "air", &link, Decision::Confirm, None).await, Err(Error::Conflict(_))));
    app.mail_text("ada@example.com", "Your air rewards membership is linked").await;
    let rejected = app.identity.decide_link(&Principal::Operator, "air", &link, Decision::Reject, Some("card reported stolen")).await.unwrap();
    assert_eq!(rejected.status, LinkStatus::Rejected);
    app.mail_text("ada@example.com", "Your air rewards membership was not linked").await;
    let shown = app.identity.loyalty_links(&me(&ada), &ada).await.unwrap();
    assert_eq!(shown[0].status, LinkStatus::Rejected, "the customer sees why it is gone");
    let kinds = app.identity.store().outbox_kinds().await.unwrap();
    for kind in ["loyalty.link_requested", "loyalty.linked", "loyalty.rejected"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    // A fresh link after a rejection is allowed.
    app.identity.request_link(&me(&ada), &ada, "air", NUMBER, None, &meta()).await.unwrap();
}

async fn unlinking_is_audited_announced_and_exported(db: Db) {
    let Some(app) = spawn(db).await else { return };
    air(&app).await;
    let (ada, link) = ada_with_verified_card(&app).await;
    let archive = identity_export(&app, &ada).await;
    let exported = archive["sections"]["loyalty"]["loyalty_links"].to_string();
    assert!(exported.contains(NUMBER) && exported.contains("verified"), "{exported}");
    assert!(!exported.contains("code_hash"), "never the code's hash");
    app.identity.unlink(&me(&ada), &ada, &link).await.unwrap();
    assert!(app.identity.loyalty_links(&me(&ada), &ada).await.unwrap().is_empty());
    assert!(matches!(app.identity.unlink(&me(&ada), &ada, &link).await, Err(Error::NotFound(_))), "once");
    let activity = app.identity.store().audit_trail(&format!("customer:{ada}")).await.unwrap();
    for action in ["loyalty.link_requested", "loyalty.linked", "loyalty.unlinked"] {
        assert!(activity.iter().any(|a| a.action == action), "{action}");
    }
    assert!(!activity.iter().any(|a| a.detail.contains(NUMBER)), "the audit log keeps the last four digits only");
    assert!(app.identity.store().outbox_kinds().await.unwrap().iter().any(|k| k == "loyalty.unlinked"));
    // The holder unlinked: someone else may now prove the number.
    let bob = app.with_customer("bob@example.com", PASSWORD).await;
    let (_, outcome) = app.identity.request_link(&me(&bob), &bob, "air", NUMBER, None, &meta()).await.unwrap();
    assert_eq!(outcome, LinkOutcome::CodeSent);
}

async fn the_operator_declares_programmes_at_the_command_line(db: Db) {
    let Some(db) = TestDb::create(db).await else { return };
    assert!(foyer(&db, &["brand", "create", "--slug", "air", "--name", "Northwind Air"], &[]).status.success());
    let args = [
        "loyalty-programme", "create", "--brand", "air", "--slug", "skyward", "--name", "Skyward Miles", "--number-pattern", "[0-9]{10}", "--luhn",
        "--tier", "Blue", "--tier", "Gold", "--verification", "email", "--pooling", "--json",
    ];
    let out = foyer(&db, &args, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!((v["slug"].as_str(), v["verification"].as_str(), v["pooling"].as_bool()), (Some("skyward"), Some("email"), Some(true)), "{v}");
    assert_eq!(v["tiers"], serde_json::json!(["Blue", "Gold"]));
    for (bad, says) in [
        (vec!["--number-pattern", "[0-9", "--verification", "email"], "Number pattern is not valid"),
        (vec!["--number-pattern", "[0-9]+", "--verification", "pigeon"], "Verification is not valid"),
    ] {
        let mut args = vec!["loyalty-programme", "create", "--brand", "air", "--slug", "other", "--name", "Other"];
        args.extend(bad);
        let out = foyer(&db, &args, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
        assert!(errors.len() == 1 && errors[0].contains(says), "one line naming the field: {err}");
    }
    let again = foyer(&db, &args, &[]);
    assert!(stderr(&again).lines().any(|l| l.starts_with("error: A loyalty programme with this slug already exists")), "{}", stderr(&again));
    let list = foyer(&db, &["loyalty-programme", "list", "--json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&list)).unwrap();
    assert_eq!(v["programmes"].as_array().map(Vec::len), Some(1), "the refused ones wrote nothing: {v}");
    let text = stdout(&foyer(&db, &["loyalty-programme", "list", "--brand", "air"], &[]));
    assert!(text.contains("skyward\tair\temail\tSkyward Miles\tpooling"), "{text}");
}

async fn identity_export(app: &TestApp, customer: &str) -> serde_json::Value {
    let link = app.identity.create_export_link(&me(customer), customer, &meta()).await.unwrap();
    let archive = app.identity.download_export(&me(customer), customer, &link.token).await.unwrap();
    serde_json::from_str(&archive.json).unwrap()
}
