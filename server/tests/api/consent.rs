//! The consent ledger (`docs/design/consent.md`), one test per line of its attacker table:
//! immutability on both engines, receipts that outlive token keys, the sign-in
//! interstitial, refusals, what each brand may read, withdrawal with its event, minors,
//! the CLI, and the privacy page's server functions and receipt download.

use identity::consent::catalogue::{NewPurpose, NewVersion};
use identity::consent::ledger::{Choice, Evidence};
use identity::consent::{Channel, Collection, Decision};
use identity::i18n::Locale;
use identity::oidc::clients::ClientSpec;
use identity::principal::Principal;
use serde_json::{Value, json};

use crate::oidc::rp::{self, Browser, REDIRECT, Rp, jwt_parts};
use crate::support::{Db, TestApp, TestDb, both_backends, foyer, stderr, stdout};

both_backends!(
    the_ledger_refuses_updates_and_deletes,
    a_receipt_verifies_after_token_keys_rotate,
    the_interstitial_appears_exactly_when_needed,
    refusing_a_required_purpose_is_access_denied,
    a_brand_sees_only_its_own_purposes,
    withdrawal_and_its_event_commit_together,
    a_minors_grant_stays_pending,
    bad_cli_input_changes_nothing,
    the_privacy_page_switches_and_receipts,
    registration_records_the_group_terms,
);

fn purpose(brand: Option<&str>, key: &str, required: bool, channels: &[&str]) -> NewPurpose {
    NewPurpose {
        brand: brand.map(str::to_owned),
        key: key.to_owned(),
        titles: vec![("en".into(), format!("Title of {key}")), ("de".into(), format!("Titel von {key}"))],
        descriptions: vec![("en".into(), format!("What {key} is for.")), ("de".into(), format!("Wofür {key} ist."))],
        legal_basis: "consent".into(),
        required,
        data_categories: vec!["contact".into()],
        retention: Some("P2Y".into()),
        channels: channels.iter().map(|c| (*c).to_owned()).collect(),
    }
}

/// Declares a purpose with version 1; returns its id.
pub(crate) async fn published(app: &TestApp, brand: Option<&str>, key: &str, required: bool, channels: &[&str]) -> String {
    let p = app.identity.create_purpose(&Principal::Operator, &purpose(brand, key, required, channels)).await.unwrap();
    publish(app, brand, key, false).await;
    p.id
}

async fn publish(app: &TestApp, brand: Option<&str>, key: &str, material: bool) -> i64 {
    let v = NewVersion { brand: brand.map(str::to_owned), key: key.to_owned(), body: Some(format!("The text of {key}.")), material, ..NewVersion::default() };
    app.identity.publish_purpose_version(&Principal::Operator, &v).await.unwrap().version
}

fn evidence() -> Evidence {
    Evidence { collection: Collection::Portal, request_id: Some("req-1".into()), user_agent: Some("Test/1.0".into()), language: Locale::En, ticket: None }
}

async fn decide(app: &TestApp, customer: &str, purpose_id: &str, channel: Option<Channel>, decision: Decision) -> Vec<identity::consent::ledger::Recorded> {
    let me = Principal::customer(customer, "foyer:pwd");
    let choice = Choice { purpose_id: purpose_id.to_owned(), channel, decision };
    app.identity.decide_purposes(&me, customer, &[choice], &evidence()).await.unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(app.identity.store().pool()).await.unwrap();
    n
}

async fn the_ledger_refuses_updates_and_deletes(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let news = published(&app, Some("air"), "news", false, &[]).await;
    let recorded = decide(&app, &ann.id, &news, None, Decision::Granted).await;
    assert_eq!(recorded.len(), 1);
    let pool = app.identity.store().pool();
    for statement in [
        "UPDATE consent_ledger SET decision = 'withdrawn'",
        "UPDATE consent_ledger SET at = at + 1",
        "UPDATE consent_ledger SET receipt_jws = 'forged'",
        // The erasure shape, but changing the decision too.
        "UPDATE consent_ledger SET customer_id = 'erased:x', actor = 'erased:x', request_id = NULL, user_agent = NULL, decision = 'refused'",
        // The erasure shape, but keeping the evidence.
        "UPDATE consent_ledger SET customer_id = 'erased:x', actor = 'erased:x'",
        "DELETE FROM consent_ledger",
        "UPDATE purpose_versions SET body = 'changed'",
        "DELETE FROM purpose_versions",
        "DELETE FROM receipt_keys",
    ] {
        let result = sqlx::query(statement).execute(pool).await;
        assert!(result.is_err(), "the database must refuse: {statement}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM consent_ledger WHERE decision = 'granted' AND receipt_jws <> 'forged'").await, 1);
    // Erasure's pseudonymisation is the one change allowed.
    sqlx::query("UPDATE consent_ledger SET customer_id = 'erased:abc', actor = 'erased:abc', request_id = NULL, user_agent = NULL")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(count(&app, "SELECT COUNT(*) FROM consent_ledger WHERE customer_id = 'erased:abc' AND decision = 'granted'").await, 1);
    // Once pseudonymised, it does not change again.
    assert!(sqlx::query("UPDATE consent_ledger SET customer_id = 'erased:other'").execute(pool).await.is_err());
}

/// Verifies a receipt's JWS against the published receipt keys, as a brand would (the
/// `openidconnect` crate's JWK type, nothing of Foyer's).
async fn verify_with_published_keys(app: &TestApp, jws: &str) -> Result<Value, String> {
    use base64::Engine as _;
    use openidconnect::core::{CoreJsonWebKey, CoreJwsSigningAlgorithm};
    use openidconnect::{JsonWebKey as _, JsonWebKeyId};
    let (status, text) = app.get_text("/.well-known/consent-receipt-keys").await;
    assert_eq!(status, 200, "{text}");
    let set: Value = serde_json::from_str(&text).unwrap();
    let (header, claims) = jwt_parts(jws);
    assert_eq!(header["typ"], "consent-receipt+jwt");
    assert_eq!(header["alg"], "EdDSA");
    let kid = header["kid"].as_str().ok_or("no kid")?;
    let jwk = set["keys"].as_array().unwrap().iter().find(|k| k["kid"] == kid).ok_or("kid not published")?;
    assert!(jwk["valid_from"].is_i64(), "validity published: {jwk}");
    let key: CoreJsonWebKey = serde_json::from_value(jwk.clone()).map_err(|e| e.to_string())?;
    assert_eq!(key.key_id(), Some(&JsonWebKeyId::new(kid.to_owned())));
    let parts: Vec<&str> = jws.split('.').collect();
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[2]).map_err(|e| e.to_string())?;
    key.verify_signature(&CoreJwsSigningAlgorithm::EdDsa, format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature).map_err(|e| e.to_string())?;
    Ok(claims)
}

async fn a_receipt_verifies_after_token_keys_rotate(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let news = published(&app, Some("air"), "news", false, &[]).await;
    let receipt_id = decide(&app, &ann.id, &news, None, Decision::Granted).await.remove(0).receipt_id;
    let me = Principal::customer(&ann.id, "foyer:pwd");
    let (payload, jws) = app.identity.consent_receipt(&me, &ann.id, &receipt_id).await.unwrap();

    // The Kantara 1.1 fields and the ISO/IEC TS 27560 additions.
    assert_eq!(payload["version"], "KI-CR-v1.1.0");
    assert_eq!(payload["consentReceiptID"], receipt_id.as_str());
    assert_eq!(payload["jurisdiction"], "EU");
    assert_eq!(payload["collectionMethod"], "portal");
    assert_eq!(payload["piiPrincipalId"], ann.id.as_str());
    assert_eq!(payload["piiControllers"][0]["piiController"], "Northwind Air");
    assert_eq!(payload["services"][0]["purposes"][0]["purpose"], "Title of news");
    assert_eq!(payload["services"][0]["purposes"][0]["termination"], "P2Y");
    assert_eq!((payload["decision"].as_str(), payload["purposeKey"].as_str(), payload["purposeVersion"].as_i64()), (Some("granted"), Some("news"), Some(1)));
    assert_eq!(payload["legalBasis"], "consent");
    assert!(!jws.contains("ann@example.com") && !payload.to_string().contains("ann@example.com"), "no email in a receipt");

    assert_eq!(verify_with_published_keys(&app, &jws).await.unwrap(), payload);

    // Token-signing keys rotate (at once) and the old ones are withdrawn: receipts do not care.
    let manager = app.keys.manager().unwrap();
    let old: Vec<String> = manager.list().await.unwrap().into_iter().map(|k| k.kid).collect();
    app.identity.rotate_signing_keys(&Principal::Operator, &manager, None, identity::jose::Activation::Now).await.unwrap();
    for kid in old {
        app.identity.remove_signing_key(&Principal::Operator, &manager, &kid).await.unwrap();
    }
    app.keys.forget().await;
    assert!(verify_with_published_keys(&app, &jws).await.is_ok(), "still verifies after the token keys rotated away");
    assert!(app.identity.verify_receipt(&jws).await.is_ok());

    // The receipt key itself rotates: the old one stays published, with its end.
    app.identity.rotate_receipt_key(&Principal::Operator).await.unwrap();
    let set: Value = serde_json::from_str(&app.get_text("/.well-known/consent-receipt-keys").await.1).unwrap();
    assert_eq!(set["keys"].as_array().unwrap().len(), 2, "{set}");
    assert_eq!(set["keys"].as_array().unwrap().iter().filter(|k| k["valid_until"].is_i64()).count(), 1, "{set}");
    assert!(verify_with_published_keys(&app, &jws).await.is_ok(), "an old receipt verifies with its retired key");
    let later = decide(&app, &ann.id, &news, None, Decision::Withdrawn).await.remove(0).receipt_id;
    let (_, later_jws) = app.identity.consent_receipt(&me, &ann.id, &later).await.unwrap();
    assert_ne!(jwt_parts(&later_jws).0["kid"], jwt_parts(&jws).0["kid"], "new receipts use the new key");
    assert!(verify_with_published_keys(&app, &later_jws).await.is_ok());

    // One changed byte anywhere fails.
    let parts: Vec<&str> = jws.split('.').collect();
    let mut payload_bytes = parts[1].as_bytes().to_vec();
    payload_bytes[10] = if payload_bytes[10] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{}.{}.{}", parts[0], String::from_utf8(payload_bytes).unwrap(), parts[2]);
    assert!(verify_with_published_keys(&app, &tampered).await.is_err());
    assert!(app.identity.verify_receipt(&tampered).await.is_err());
    let mut sig = parts[2].as_bytes().to_vec();
    sig[5] = if sig[5] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{}.{}.{}", parts[0], parts[1], String::from_utf8(sig).unwrap());
    assert!(verify_with_published_keys(&app, &tampered).await.is_err());
}

/// An air client asking for `consents` too.
async fn air_rp(app: &TestApp) -> Rp {
    Rp::register(app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT).scope("openid profile email consents")).await
}

/// Starts a flow and walks it until it leaves Foyer or asks for consent.
async fn walk(rp: &Rp, browser: &Browser, extra: &[(&str, &str)]) -> rp::Landing {
    let start = rp.start_with(&["email", "consents"], extra);
    browser.visit(start.url.as_str()).await
}

async fn ledger_decisions(app: &TestApp, customer: &str) -> Vec<(Option<String>, Option<String>, String)> {
    let rows: Vec<(Option<String>, Option<String>, String)> = sqlx::query_as(
        "SELECT p.key, l.scopes, l.decision FROM consent_ledger l LEFT JOIN purposes p ON p.id = l.purpose_id WHERE l.customer_id = $1 ORDER BY l.seq",
    )
    .bind(customer)
    .fetch_all(app.identity.store().pool())
    .await
    .unwrap();
    rows
}

async fn the_interstitial_appears_exactly_when_needed(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = air_rp(&app).await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;

    // No purpose yet: consent for the scopes only, then straight through.
    let r = walk(&rp, &browser, &[]).await.consent();
    browser.decide(&r, true).await.callback();
    assert!(matches!(walk(&rp, &browser, &[]).await, rp::Landing::Callback(_)), "nothing to ask");

    // A required purpose declared but not yet published: still nothing to ask.
    app.identity.create_purpose(&Principal::Operator, &purpose(Some("air"), "rules", true, &[])).await.unwrap();
    assert!(matches!(walk(&rp, &browser, &[]).await, rp::Landing::Callback(_)), "unpublished purposes ask nothing");
    // Published: the interstitial, and prompt=none gets consent_required.
    publish(&app, Some("air"), "rules", false).await;
    let offered = published(&app, Some("air"), "offers", false, &["email"]).await;
    let start = rp.start_with(&["email", "consents"], &[("prompt", "none")]);
    let callback = browser.visit(start.url.as_str()).await.callback();
    callback.assert_error(&rp, "consent_required", Some(start.state.secret()));
    let r = walk(&rp, &browser, &[]).await.consent();
    let (status, page) = browser.server_fn("consent_details", &[("r", &r)]).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["required_purposes"].as_array().map(Vec::len), Some(1), "{page}");
    assert_eq!(page["required_purposes"][0]["key"], "rules");
    assert_eq!(page["optional_purposes"][0]["key"], "offers", "optional ones are offered with it: {page}");
    assert_eq!(page["new_scopes"], json!([]), "the scopes were approved before");
    // Allow with the optional one ticked (the form's `optional[0]`).
    let (status, next) = browser.server_fn("consent_decide", &[("r", &r), ("allow", "true"), ("optional[0]", &offered)]).await;
    assert_eq!(status, 200, "{next}");
    browser.visit(next.as_str().unwrap()).await.callback();
    let decisions = ledger_decisions(&app, &ann.id).await;
    assert_eq!(decisions.iter().filter(|(k, _, d)| k.as_deref() == Some("rules") && d == "granted").count(), 1, "{decisions:?}");
    assert_eq!(decisions.iter().filter(|(k, _, d)| k.as_deref() == Some("offers") && d == "granted").count(), 1, "channel email: {decisions:?}");
    assert!(decisions.iter().any(|(_, s, d)| s.as_deref().is_some_and(|s| s.contains("email")) && d == "granted"), "the scope approval is a record: {decisions:?}");

    // Decided: no interstitial; a wording fix (not material) does not bring it back.
    assert!(matches!(walk(&rp, &browser, &[]).await, rp::Landing::Callback(_)));
    publish(&app, Some("air"), "rules", false).await;
    assert!(matches!(walk(&rp, &browser, &[]).await, rp::Landing::Callback(_)), "a non-material version asks nothing");
    // A material version does, once; the optional purpose already decided is not offered again.
    publish(&app, Some("air"), "rules", true).await;
    let r = walk(&rp, &browser, &[]).await.consent();
    let (_, page) = browser.server_fn("consent_details", &[("r", &r)]).await;
    assert_eq!(page["required_purposes"][0]["changed"], true, "{page}");
    assert_eq!(page["required_purposes"][0]["version"], 3);
    assert_eq!(page["optional_purposes"], json!([]), "{page}");
    browser.decide(&r, true).await.callback();
    assert!(matches!(walk(&rp, &browser, &[]).await, rp::Landing::Callback(_)));
    // A group-wide required purpose asks at every brand.
    published(&app, None, "terms", true, &[]).await;
    let r = walk(&rp, &browser, &[]).await.consent();
    let (_, page) = browser.server_fn("consent_details", &[("r", &r)]).await;
    assert_eq!(page["required_purposes"][0]["key"], "terms", "{page}");
    assert_eq!(page["required_purposes"][0]["brand"], Value::Null);
}

async fn refusing_a_required_purpose_is_access_denied(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = air_rp(&app).await;
    let ann = rp::customer(&app, "ann@example.com").await;
    published(&app, Some("air"), "rules", true, &[]).await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let start = rp.start_with(&["email", "consents"], &[]);
    let r = browser.visit(start.url.as_str()).await.consent();
    let callback = browser.decide(&r, false).await.callback();
    callback.assert_error(&rp, "access_denied", Some(start.state.secret()));
    let decisions = ledger_decisions(&app, &ann.id).await;
    assert!(decisions.contains(&(Some("rules".into()), None, "refused".into())), "{decisions:?}");
    // Asked again next time: a refusal is not a decision that lets the brand in.
    assert!(matches!(walk(&rp, &browser, &[]).await, rp::Landing::Consent { .. }));
}

async fn a_brand_sees_only_its_own_purposes(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    rp::brand(&app, "hotels", "Northwind Hotels").await;
    let rp = air_rp(&app).await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let air = published(&app, Some("air"), "air-news", false, &["email", "sms"]).await;
    let hotels = published(&app, Some("hotels"), "hotel-news", false, &[]).await;
    let group = published(&app, None, "group-survey", false, &[]).await;
    decide(&app, &ann.id, &air, Some(Channel::Email), Decision::Granted).await;
    decide(&app, &ann.id, &hotels, None, Decision::Granted).await;
    decide(&app, &ann.id, &group, None, Decision::Granted).await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let signed_in = rp.sign_in(&browser, &["email", "consents"]).await;
    let (_, claims) = jwt_parts(&signed_in.id_token.to_string());
    let keys: Vec<&str> = claims["consents"].as_array().unwrap().iter().map(|c| c["purpose"].as_str().unwrap()).collect();
    assert_eq!(keys, ["group-survey", "air-news"], "the group's and its own, never Hotels': {claims}");
    let air_entry = claims["consents"].as_array().unwrap().iter().find(|c| c["purpose"] == "air-news").unwrap();
    assert_eq!(air_entry["scope"], "brand");
    assert_eq!(air_entry["state"], "granted", "a channel on: the purpose is on");
    assert_eq!(air_entry["channels"], json!({"email": "granted"}));
    let userinfo = rp::userinfo_raw(&app, signed_in.access.secret()).await;
    assert_eq!(userinfo.status, 200, "{}", userinfo.text);
    assert_eq!(userinfo.body["consents"], claims["consents"], "UserInfo says the same");
    // Without the scope, no claim.
    let (_, plain) = jwt_parts(&rp.sign_in(&browser, &["email"]).await.id_token.to_string());
    assert!(plain.get("consents").is_none(), "{plain}");
}

/// Makes the outbox refuse `consent.withdrawn` rows (a failure in the middle of the
/// decision's transaction), or lets it accept them again.
async fn break_withdrawal_events(app: &TestApp, broken: bool) {
    let pool = app.identity.store().pool();
    let statements: &[&str] = match (app.identity.store().backend(), broken) {
        (identity::Backend::Sqlite, true) => &["CREATE TRIGGER test_no_withdrawal BEFORE INSERT ON outbox WHEN NEW.kind = 'consent.withdrawn' \
             BEGIN SELECT RAISE(ABORT, 'test: outbox refuses'); END"],
        (identity::Backend::Sqlite, false) => &["DROP TRIGGER test_no_withdrawal"],
        (identity::Backend::Postgres, true) => &[
            "CREATE FUNCTION test_no_withdrawal() RETURNS trigger AS $$ BEGIN IF NEW.kind = 'consent.withdrawn' THEN \
             RAISE EXCEPTION 'test: outbox refuses'; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql",
            "CREATE TRIGGER test_no_withdrawal BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION test_no_withdrawal()",
        ],
        (identity::Backend::Postgres, false) => &["DROP TRIGGER test_no_withdrawal ON outbox"],
    };
    for s in statements {
        sqlx::query(s).execute(pool).await.unwrap();
    }
}

async fn withdrawal_and_its_event_commit_together(db: Db) {
    let Some(app) = rp::spawn_without_worker(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let news = published(&app, Some("air"), "news", false, &[]).await;
    decide(&app, &ann.id, &news, None, Decision::Granted).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE kind = 'consent.granted'").await, 1);

    // The event cannot be written: the withdrawal fails whole — no record, state unchanged.
    break_withdrawal_events(&app, true).await;
    let me = Principal::customer(&ann.id, "foyer:pwd");
    let choice = Choice { purpose_id: news.clone(), channel: None, decision: Decision::Withdrawn };
    assert!(app.identity.decide_purposes(&me, &ann.id, &[choice.clone()], &evidence()).await.is_err());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM consent_ledger WHERE decision = 'withdrawn'").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM consent_state WHERE decision = 'granted'").await, 1);
    break_withdrawal_events(&app, false).await;

    // Then it works, with exactly one event carrying ids and the receipt, no personal data.
    let done = app.identity.decide_purposes(&me, &ann.id, &[choice], &evidence()).await.unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM consent_ledger WHERE decision = 'withdrawn'").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM consent_state WHERE decision = 'withdrawn'").await, 1);
    let (payload,): (String,) = sqlx::query_as("SELECT payload FROM outbox WHERE kind = 'consent.withdrawn'").fetch_one(app.identity.store().pool()).await.unwrap();
    let event: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!((event["purpose"].as_str(), event["brand"].as_str(), event["receipt_id"].as_str()), (Some("news"), Some("air"), Some(done[0].receipt_id.as_str())));
    assert!(!payload.contains("ann@example.com"));
    // Withdrawing again records nothing (nothing changed).
    assert!(decide(&app, &ann.id, &news, None, Decision::Withdrawn).await.is_empty());
    assert!(rp::audit_actions(&app).await.contains(&"consent.withdrawn".to_owned()));
}

async fn a_minors_grant_stays_pending(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = air_rp(&app).await;
    let kid = rp::customer(&app, "kid@example.com").await;
    let me = Principal::customer(&kid.id, "foyer:pwd");
    let mut form = app.identity.profile(&me, &kid.id).await.unwrap();
    let year = identity::clock::format_millis(app.identity.now())[..4].parse::<i32>().unwrap() - 12;
    form.birth_date = Some(format!("{year}-01-15"));
    app.identity.update_profile(&me, &kid.id, &form).await.unwrap();
    let news = published(&app, Some("air"), "news", false, &[]).await;
    let rules = app.identity.create_purpose(&Principal::Operator, &NewPurpose { legal_basis: "contract".into(), ..purpose(Some("air"), "rules", true, &[]) }).await.unwrap();
    publish(&app, Some("air"), "rules", false).await;
    let recorded = decide(&app, &kid.id, &news, None, Decision::Granted).await;
    assert_eq!(recorded[0].decision, Decision::Pending, "a 12-year-old's consent waits for a guardian");
    let contract = decide(&app, &kid.id, &rules.id, None, Decision::Granted).await;
    assert_eq!(contract[0].decision, Decision::Granted, "a contract is not consent");
    let browser = Browser::new(&app);
    browser.sign_in("kid@example.com").await;
    let signed_in = rp.sign_in(&browser, &["email", "consents"]).await;
    let (_, claims) = jwt_parts(&signed_in.id_token.to_string());
    let news_claim = claims["consents"].as_array().unwrap().iter().find(|c| c["purpose"] == "news").unwrap();
    assert_eq!(news_claim["state"], "pending", "never reported as granted: {claims}");
}

async fn bad_cli_input_changes_nothing(db: Db) {
    let Some(db) = TestDb::create(db).await else { return };
    assert!(foyer(&db, &["brand", "create", "--slug", "air", "--name", "Northwind Air"], &[]).status.success());
    let create = |extra: &[&str]| {
        let mut args = vec!["purpose", "create", "--key", "news", "--title", "en=News", "--description", "en=Offers by mail", "--category", "contact"];
        args.extend_from_slice(extra);
        foyer(&db, &args, &[])
    };
    let one_line = |out: &std::process::Output, expected: &str| {
        let err = stderr(out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        // Log lines (the mailbox warning at start) aside, one line says what is wrong.
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty() && !l.contains(" WARN") && !l.contains(" INFO")).collect();
        assert_eq!(lines.len(), 1, "one line: {err}");
        assert!(lines[0].starts_with("error: ") && lines[0].contains(expected), "expected {expected:?} in {err}");
        assert!(!err.contains("panicked"), "{err}");
    };
    one_line(&create(&["--brand", "nowhere", "--basis", "consent"]), "No brand has the slug");
    one_line(&create(&["--brand", "air", "--basis", "because"]), "Legal basis");
    one_line(&create(&["--basis", "consent"]), "--brand SLUG");
    let ok = create(&["--brand", "air", "--basis", "consent", "--json"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let created: Value = serde_json::from_str(&stdout(&ok)).unwrap();
    assert_eq!(created["key"], "news");
    one_line(&create(&["--brand", "air", "--basis", "consent"]), "already exists");
    let publish = |extra: &[&str]| {
        let mut args = vec!["purpose", "publish-version", "--brand", "air", "--key", "news"];
        args.extend_from_slice(extra);
        foyer(&db, &args, &[])
    };
    one_line(&publish(&[]), "either the text");
    one_line(&publish(&["--url", "https://air.example/news", "--sha256", "abc"]), "64 hexadecimal");
    one_line(&publish(&["--text", "v1", "--effective", "2001-01-01T00:00:00Z"]), "in the past");
    assert!(publish(&["--text", "The first text."]).status.success());
    one_line(&publish(&["--version", "1", "--text", "Edited."]), "Version 1 of \"news\" is published and cannot change; publish version 2");
    one_line(&publish(&["--version", "5", "--text", "Skipping."]), "next version");
    let list = foyer(&db, &["purpose", "list", "--brand", "air", "--json"], &[]);
    let v: Value = serde_json::from_str(&stdout(&list)).unwrap();
    assert_eq!(v["purposes"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v["purposes"][0]["versions"].as_array().map(Vec::len), Some(1), "nothing half-written: {v}");
    assert_eq!(v["purposes"][0]["versions"][0]["text"], "The first text.");
}

async fn the_privacy_page_switches_and_receipts(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    rp::brand(&app, "hotels", "Northwind Hotels").await;
    let rp = air_rp(&app).await;
    rp::customer(&app, "ann@example.com").await;
    rp::customer(&app, "bob@example.com").await;
    let news = published(&app, Some("air"), "news", false, &["email", "sms"]).await;
    published(&app, Some("hotels"), "hotel-news", false, &[]).await;
    published(&app, None, "terms", true, &[]).await;
    let ann = Browser::new(&app);
    ann.sign_in("ann@example.com").await;
    // Connected to Air (accepting the group's terms on the way): Air's and the group's show, not Hotels'.
    rp.sign_in(&ann, &["email"]).await;
    let (status, page) = ann.server_fn("privacy_overview", &[]).await;
    assert_eq!(status, 200, "{page}");
    let owners: Vec<Value> = page["controllers"].as_array().unwrap().iter().map(|c| c["brand"].clone()).collect();
    assert_eq!(owners, [Value::Null, json!("Northwind Air")], "{page}");
    assert_eq!(page["controllers"][0]["purposes"][0]["whole"]["state"]["decision"], "granted", "terms accepted at sign-in");
    let air_news = &page["controllers"][1]["purposes"][0];
    assert_eq!(air_news["channels"].as_array().map(Vec::len), Some(2), "{air_news}");
    // One switch on, then off: one click each.
    let (status, body) = ann.server_fn("set_consent", &[("purpose", &news), ("channel", "sms"), ("grant", "true")]).await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = ann.server_fn("privacy_overview", &[]).await;
    let air_news = &page["controllers"][1]["purposes"][0];
    assert_eq!(air_news["channels"][1]["on"], true, "{air_news}");
    assert_eq!(air_news["whole"]["on"], true);
    let (status, _) = ann.server_fn("set_consent", &[("purpose", &news), ("channel", "sms"), ("grant", "false")]).await;
    assert_eq!(status, 200);
    let (_, page) = ann.server_fn("privacy_overview", &[]).await;
    assert_eq!(page["controllers"][1]["purposes"][0]["whole"]["on"], false);
    let bad = ann.server_fn("set_consent", &[("purpose", &news), ("channel", "fax"), ("grant", "true")]).await;
    assert!(bad.0 >= 400 && bad.0 < 500, "{bad:?}");
    // The history, newest first, each with a receipt to download as a JSON file.
    let history = page["history"].as_array().unwrap();
    assert_eq!(history[0]["decision"], "withdrawn", "{page}");
    let receipt_id = history[0]["receipt_id"].as_str().unwrap();
    let response = ann.http.get(app.url(&format!("/account/privacy/receipts/{receipt_id}"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"consent-receipt-"));
    assert_eq!(response.headers()["cache-control"], "no-store");
    let file: Value = response.json().await.unwrap();
    assert_eq!(file["receipt"]["consentReceiptID"], receipt_id);
    assert!(verify_with_published_keys(&app, file["jws"].as_str().unwrap()).await.is_ok());
    // Someone else's receipt, or nobody's session: nothing.
    let bob = Browser::new(&app);
    bob.sign_in("bob@example.com").await;
    let other = bob.http.get(app.url(&format!("/account/privacy/receipts/{receipt_id}"))).send().await.unwrap();
    assert_eq!(other.status(), 404);
    let anonymous = Browser::new(&app).http.get(app.url(&format!("/account/privacy/receipts/{receipt_id}"))).send().await.unwrap();
    assert_eq!(anonymous.status(), 303, "to sign-in");
    let junk = ann.http.get(app.url("/account/privacy/receipts/..%2F..%2Fetc")).send().await.unwrap();
    assert_eq!(junk.status(), 404);
    // The page renders for a signed-in customer.
    let html = ann.http.get(app.url("/account/privacy")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Title of news") && html.contains("Northwind Air"), "the page lists the purposes");
}

async fn registration_records_the_group_terms(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    published(&app, None, "terms", true, &[]).await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let decisions = ledger_decisions(&app, &ann.id).await;
    assert_eq!(decisions, [(Some("terms".to_owned()), None, "granted".to_owned())]);
    let (collection,): (String,) = sqlx::query_as("SELECT collection FROM consent_ledger WHERE customer_id = $1").bind(&ann.id).fetch_one(app.identity.store().pool()).await.unwrap();
    assert_eq!(collection, "registration");
    let terms = app.identity.registration_terms(Locale::De).await.unwrap();
    assert_eq!(terms, [("Titel von terms".to_owned(), 1, None)]);
}
