//! Brand profile attributes, progressive profiling and per-brand preferences
//! (`docs/design/consent.md` "Brand attributes", "Preferences"): each line of the design's
//! attacker table is a scenario here, on both engines.

use identity::branddata::AttributeSpec;
use identity::brand::BrandSlug;
use identity::oidc::clients::ClientSpec;
use identity::principal::Principal;
use reqwest::header;
use serde_json::{Value, json};

use crate::oidc::rp::{self, Browser, Callback, Rp, jwt_parts, userinfo_raw};
use crate::support::{Db, TestApp, TestDb, both_backends, foyer, stderr, stdout};

both_backends!(
    a_brands_tokens_carry_only_its_own_and_group_wide_attributes,
    invalid_values_are_refused_with_field_errors_and_nothing_is_written,
    html_in_a_value_stays_text,
    the_profile_form_appears_exactly_when_needed,
    bad_cli_input_changes_nothing,
    a_refused_plain_post_shows_its_errors_in_its_own_form,
);

const AIR: &str = "northwind-air";
const HOTELS: &str = "northwind-hotels";
const CB_AIR: &str = "http://127.0.0.1:9/air/cb";
const CB_HOTELS: &str = "http://127.0.0.1:9/hotels/cb";

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn spec(key: &str, kind: &str) -> AttributeSpec {
    AttributeSpec { key: key.into(), labels: strings(&[&format!("en={key} label"), &format!("de={key} Bezeichnung")]), kind: kind.into(), ..AttributeSpec::default() }
}

fn seat() -> AttributeSpec {
    AttributeSpec { choices: strings(&["aisle=en:Aisle,de:Gang", "window=en:Window,de:Fenster"]), required: true, ..spec("seat", "choice") }
}

/// Declares an attribute as the operator (`None`: the group's own).
async fn declare(app: &TestApp, brand: Option<&str>, spec: AttributeSpec) {
    let slug = brand.map(|b| BrandSlug::parse(b).unwrap());
    app.identity.declare_attribute(&Principal::Operator, slug.as_ref(), &spec).await.unwrap();
}

async fn topics(app: &TestApp, brand: &str, items: &[&str]) {
    app.identity.set_brand_topics(&Principal::Operator, &BrandSlug::parse(brand).unwrap(), &strings(items)).await.unwrap();
}

/// A client of `brand` allowed the brand-data scopes.
async fn client(app: &TestApp, brand: &str, redirect: &str) -> Rp {
    let mut spec = ClientSpec::new(brand, &format!("{brand} web")).redirect_uri(redirect);
    for scope in ["openid", "profile", "email", "attributes", "preferences"] {
        spec = spec.scope(scope);
    }
    Rp::register(app, spec).await
}

fn fields(body: &Value) -> Vec<String> {
    let mut list: Vec<String> = body["Fields"].as_array().map(|a| a.iter().filter_map(|f| f["field"].as_str().map(str::to_owned)).collect()).unwrap_or_default();
    list.sort();
    list
}

/// The page data as the page's server function reads it.
async fn page_data(browser: &Browser) -> Value {
    let (status, body) = browser.server_fn("brand_data", &[]).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn section<'a>(data: &'a Value, slug: &str) -> &'a Value {
    data["brands"].as_array().unwrap().iter().find(|b| b["slug"] == slug).unwrap_or_else(|| panic!("no section for {slug}: {data}"))
}

/// The stored value of `key` in a list of fields (`""` when none).
fn value_of(list: &Value, key: &str) -> String {
    list.as_array().unwrap().iter().find(|f| f["key"] == key).map(|f| f["value"].as_str().unwrap().to_owned()).unwrap_or_else(|| panic!("no field {key}: {list}"))
}

/// The claims of a completed sign-in's ID token.
fn id_claims(signed: &rp::SignedIn) -> Value {
    jwt_parts(signed.id_token.to_string().as_str()).1
}

/// Where a walk through Foyer stopped.
#[derive(Debug)]
enum Stop {
    Callback(Callback),
    Consent(String),
    Profile(String),
    Page(u16, String),
}

/// GETs `url` as `browser` and follows Foyer's own 303s until it leaves Foyer, reaches
/// the consent page or the profile form, or answers a page.
async fn walk(app: &TestApp, browser: &Browser, url: &str) -> Stop {
    let mut url = if let Some(rest) = url.strip_prefix(&app.public_url) { format!("{}{rest}", app.address) } else if url.starts_with('/') { format!("{}{url}", app.address) } else { url.to_owned() };
    for _ in 0..10 {
        let response = browser.http.get(&url).send().await.unwrap();
        if !response.status().is_redirection() {
            let status = response.status().as_u16();
            return Stop::Page(status, response.text().await.unwrap());
        }
        let location = response.headers()[header::LOCATION].to_str().unwrap().to_owned();
        let local = location.starts_with('/') || location.starts_with(&app.public_url) || location.starts_with(&app.address);
        if !local {
            return Stop::Callback(Callback::parse(&location));
        }
        let path = location.trim_start_matches(&app.public_url).trim_start_matches(&app.address).to_owned();
        let r = || url::Url::parse(&format!("http://x{path}")).unwrap().query_pairs().find(|(k, _)| k == "r").map(|(_, v)| v.into_owned()).unwrap();
        if path.starts_with("/oauth2/consent") {
            return Stop::Consent(r());
        }
        if path.starts_with("/oauth2/profile") {
            return Stop::Profile(r());
        }
        url = format!("{}{path}", app.address);
    }
    panic!("too many redirects");
}

/// Walks `url`, approving the consent page if it comes.
async fn walk_allowing(app: &TestApp, browser: &Browser, url: &str) -> Stop {
    match walk(app, browser, url).await {
        Stop::Consent(r) => {
            let (status, next) = browser.server_fn("consent_decide", &[("r", &r), ("allow", "true")]).await;
            assert_eq!(status, 200, "{next}");
            walk(app, browser, next.as_str().unwrap()).await
        }
        other => other,
    }
}

fn callback(stop: Stop) -> Callback {
    match stop {
        Stop::Callback(c) => c,
        Stop::Page(status, body) => panic!("expected the way back to the brand, got a page ({status}): {body}"),
        other => panic!("expected the way back to the brand, got {other:?}"),
    }
}

fn profile(stop: Stop) -> String {
    match stop {
        Stop::Profile(r) => r,
        Stop::Page(status, body) => panic!("expected the profile form, got a page ({status}): {body}"),
        other => panic!("expected the profile form, got {other:?}"),
    }
}

/// Both demo-like brands, a customer signed in at both (connected), the values set.
async fn a_brands_tokens_carry_only_its_own_and_group_wide_attributes(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, AIR, "Northwind Air").await;
    rp::brand(&app, HOTELS, "Northwind Hotels").await;
    declare(&app, Some(AIR), seat()).await;
    declare(&app, Some(AIR), spec("meal", "text")).await;
    declare(&app, Some(HOTELS), AttributeSpec { choices: strings(&["soft=en:Soft", "firm=en:Firm"]), ..spec("pillow", "choice") }).await;
    declare(&app, Some(HOTELS), AttributeSpec { group_wide: true, ..spec("member_no", "text") }).await;
    declare(&app, None, AttributeSpec { integer: true, ..spec("shoe_size", "number") }).await;
    topics(&app, AIR, &["deals=en:Deals,de:Angebote", "news=en:News"]).await;
    topics(&app, HOTELS, &["wellness=en:Wellness"]).await;
    let air = client(&app, AIR, CB_AIR).await;
    let hotels = client(&app, HOTELS, CB_HOTELS).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    air.sign_in(&browser, &["attributes", "preferences"]).await;
    hotels.sign_in(&browser, &["attributes", "preferences"]).await;

    let (status, body) = browser
        .server_fn("save_brand_data", &[("brand", AIR), ("values[seat]", "window"), ("values[meal]", "Vegetarian"), ("language", "de"), ("frequency", "weekly"), ("topics[deals]", "on")])
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = browser.server_fn("save_brand_data", &[("brand", HOTELS), ("values[pillow]", "firm"), ("language", ""), ("frequency", "never")]).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = browser.server_fn("save_brand_data", &[("brand", ""), ("values[member_no]", "HX-77"), ("values[shoe_size]", "42")]).await;
    assert_eq!(status, 200, "{body}");

    let at_air = air.sign_in(&browser, &["attributes", "preferences"]).await;
    let claims = id_claims(&at_air);
    assert_eq!(claims["attributes"], json!({ "seat": "window", "meal": "Vegetarian", "member_no": "HX-77", "shoe_size": 42 }), "{claims}");
    assert_eq!(claims["preferences"], json!({ "language": "de", "frequency": "weekly", "topics": ["deals"] }), "{claims}");
    let info = userinfo_raw(&app, at_air.access.secret()).await;
    assert_eq!((info.status, &info.body["attributes"], &info.body["preferences"]), (200, &claims["attributes"], &claims["preferences"]), "{}", info.text);

    let at_hotels = hotels.sign_in(&browser, &["attributes", "preferences"]).await;
    let claims = id_claims(&at_hotels);
    assert_eq!(claims["attributes"], json!({ "pillow": "firm", "member_no": "HX-77", "shoe_size": 42 }), "no seat, no meal: {claims}");
    assert_eq!(claims["preferences"], json!({ "frequency": "never", "topics": [] }), "Hotels' own preferences only: {claims}");
    let info = userinfo_raw(&app, at_hotels.access.secret()).await;
    assert_eq!(info.body["attributes"], claims["attributes"], "{}", info.text);

    // Without the scopes there are no such claims; a topic the brand withdraws goes too.
    let plain = air.sign_in(&browser, &["profile"]).await;
    let claims = id_claims(&plain);
    assert!(claims.get("attributes").is_none() && claims.get("preferences").is_none(), "{claims}");
    topics(&app, AIR, &["news=en:News"]).await;
    let again = air.sign_in(&browser, &["preferences"]).await;
    assert_eq!(id_claims(&again)["preferences"]["topics"], json!([]), "a withdrawn topic is not released");

    // Discovery names the scopes and the claims.
    let (_, doc) = app.get_text("/.well-known/openid-configuration").await;
    let doc: Value = serde_json::from_str(&doc).unwrap();
    for name in ["attributes", "preferences"] {
        assert!(doc["scopes_supported"].as_array().unwrap().contains(&json!(name)), "{doc}");
        assert!(doc["claims_supported"].as_array().unwrap().contains(&json!(name)), "{doc}");
    }
}

async fn invalid_values_are_refused_with_field_errors_and_nothing_is_written(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, AIR, "Northwind Air").await;
    rp::brand(&app, HOTELS, "Northwind Hotels").await;
    declare(&app, Some(AIR), seat()).await;
    declare(&app, Some(AIR), AttributeSpec { min: Some("0".into()), max: Some("10000".into()), integer: true, ..spec("budget", "number") }).await;
    declare(&app, Some(AIR), AttributeSpec { max_length: Some("20".into()), ..spec("nick", "text") }).await;
    declare(&app, Some(AIR), AttributeSpec { min: Some("2000-01-01".into()), ..spec("since", "date") }).await;
    declare(&app, Some(AIR), AttributeSpec { pattern: Some("[A-Z]{2}[0-9]{4}".into()), ..spec("code", "text") }).await;
    declare(&app, Some(HOTELS), spec("pillow", "text")).await;
    topics(&app, AIR, &["deals=en:Deals"]).await;
    let air = client(&app, AIR, CB_AIR).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    air.sign_in(&browser, &["attributes"]).await;

    let good = [("brand", AIR), ("values[seat]", "aisle"), ("values[budget]", "500"), ("values[nick]", "Ann"), ("values[since]", "2010-05-01"), ("values[code]", "AB1234"), ("language", "en"), ("frequency", "monthly"), ("topics[deals]", "on")];
    let (status, body) = browser.server_fn("save_brand_data", &good).await;
    assert_eq!(status, 200, "{body}");
    let before = page_data(&browser).await;

    // Everything wrong at once: each refusal names its field, nothing is written.
    let huge = "x".repeat(20_000);
    let bad = [
        ("brand", AIR),
        ("values[seat]", "cockpit"),
        ("values[budget]", "12.5"),
        ("values[nick]", huge.as_str()),
        ("values[since]", "2023-02-30"),
        ("values[code]", "ab12"),
        ("values[pillow]", "soft"),
        ("language", "fr"),
        ("frequency", "hourly"),
        ("topics[casino]", "on"),
    ];
    let (status, body) = browser.server_fn("save_brand_data", &bad).await;
    assert_eq!(status, 400, "{body}");
    let air_field = |f: &str| format!("{AIR}:{f}");
    let mut expected: Vec<String> =
        ["attribute.budget", "attribute.code", "attribute.nick", "attribute.pillow", "attribute.seat", "attribute.since", "frequency", "language", "topics"].into_iter().map(air_field).collect();
    expected.sort();
    assert_eq!(fields(&body), expected, "{body}");
    let messages = body["Fields"].as_array().unwrap();
    let message = |field: &str| messages.iter().find(|f| f["field"] == air_field(field)).unwrap()["message"].as_str().unwrap().to_owned();
    assert_eq!(message("attribute.seat"), "seat label: choose one of the options offered.");
    assert_eq!(message("attribute.nick"), "nick label is too long (at most 20 characters).");
    assert_eq!(message("attribute.budget"), "budget label must be a whole number.");
    assert!(!body.to_string().contains(&huge[..1000]), "the huge value is not echoed");
    assert_eq!(page_data(&browser).await, before, "nothing was written");

    // A required value cannot be removed; an optional one can.
    let (status, body) = browser.server_fn("save_brand_data", &[("brand", AIR), ("values[seat]", "")]).await;
    assert_eq!((status, fields(&body)), (400, vec![air_field("attribute.seat")]), "{body}");
    let (status, body) = browser.server_fn("save_brand_data", &[("brand", AIR), ("values[nick]", "")]).await;
    assert_eq!(status, 200, "{body}");
    let after = page_data(&browser).await;
    assert_eq!(value_of(&section(&after, AIR)["attributes"], "nick"), "");
    assert_eq!(value_of(&section(&after, AIR)["attributes"], "seat"), "aisle", "the rest is as it was");

    // A brand the customer does not use, and another brand's attribute through the group form.
    let (status, body) = browser.server_fn("save_brand_data", &[("brand", HOTELS), ("values[pillow]", "soft")]).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = browser.server_fn("save_brand_data", &[("brand", ""), ("values[seat]", "window")]).await;
    assert_eq!((status, fields(&body)), (400, vec!["group:attribute.seat".to_owned()]), "{body}");
    assert!(section(&page_data(&browser).await, AIR).is_object());
    assert!(page_data(&browser).await["brands"].as_array().unwrap().iter().all(|b| b["slug"] != HOTELS), "nothing made Hotels a brand of hers");

    // Signed out: nothing at all.
    browser.sign_out().await;
    let (status, _) = browser.server_fn("save_brand_data", &good).await;
    assert_eq!(status, 401);
}

async fn html_in_a_value_stays_text(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, AIR, "Northwind Air").await;
    declare(&app, Some(AIR), spec("nick", "text")).await;
    let air = client(&app, AIR, CB_AIR).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    air.sign_in(&browser, &["attributes"]).await;
    let script = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let (status, body) = browser.server_fn("save_brand_data", &[("brand", AIR), ("values[nick]", script)]).await;
    assert_eq!(status, 200, "{body}");

    // The page shows it as text: the markup never reaches the document as markup.
    let response = browser.http.get(app.url("/account/privacy/preferences")).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("nick label"), "the attribute is on the page");
    assert!(!html.contains("<script>alert(1)") && !html.contains("<img src=x"), "escaped, never markup");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("&lt;script>alert(1)&lt;/script>"), "the value is there, escaped");

    // The brand receives exactly what was typed, as a JSON string.
    let signed = air.sign_in(&browser, &["attributes"]).await;
    assert_eq!(id_claims(&signed)["attributes"]["nick"], script);
}

async fn the_profile_form_appears_exactly_when_needed(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, AIR, "Northwind Air").await;
    rp::brand(&app, HOTELS, "Northwind Hotels").await;
    declare(&app, Some(AIR), AttributeSpec { ask_at_sign_in: true, ..seat() }).await;
    declare(&app, Some(AIR), spec("meal", "text")).await;
    declare(&app, Some(HOTELS), AttributeSpec { choices: strings(&["soft=en:Soft"]), ..spec("pillow", "choice") }).await;
    let air = client(&app, AIR, CB_AIR).await;
    let hotels = client(&app, HOTELS, CB_HOTELS).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;

    // First sign-in at Air: consent, then the short form with the one missing detail.
    let start = air.start(&["attributes"]);
    let r = profile(walk_allowing(&app, &browser, start.url.as_str()).await);
    let (status, view) = browser.server_fn("profile_details", &[("r", &r)]).await;
    assert_eq!(status, 200, "{view}");
    let keys: Vec<&str> = view["fields"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["seat"], "only the required, ask-at-sign-in one: {view}");
    let (status, page) = app_page(&app, &browser, &format!("/oauth2/profile?r={r}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Skip for now") && page.contains("Save and continue") && page.contains("Aisle"), "{page}");

    // A refused value: the form stays, nothing written, the request still waits.
    let (status, body) = browser.server_fn("profile_save", &[("r", &r), ("values[seat]", "cockpit")]).await;
    assert_eq!((status, fields(&body)), (400, vec!["attribute.seat".to_owned()]), "{body}");
    let (status, body) = browser.server_fn("profile_save", &[("r", &r)]).await;
    assert_eq!((status, fields(&body)), (400, vec!["attribute.seat".to_owned()]), "an empty answer is not an answer: {body}");
    assert_eq!(profile(walk(&app, &browser, &format!("/oauth2/continue?r={r}")).await), r, "still asked in this request");

    // "Skip for now": the flow goes on and this sign-in is not asked again.
    let (status, next) = browser.server_fn("profile_skip", &[("r", &r)]).await;
    assert_eq!(status, 200, "{next}");
    let back = callback(walk(&app, &browser, next.as_str().unwrap()).await);
    let signed = air.finish(start, &back).await;
    assert!(id_claims(&signed)["attributes"].get("seat").is_none());
    let (status, _) = browser.server_fn("profile_skip", &[("r", &r)]).await;
    assert_eq!(status, 400, "a finished request takes no second answer");

    // The next sign-in asks again (at most once each); this time she answers.
    let start = air.start(&["attributes"]);
    let r = profile(walk(&app, &browser, start.url.as_str()).await);
    let (status, next) = browser.server_fn("profile_save", &[("r", &r), ("values[seat]", "window")]).await;
    assert_eq!(status, 200, "{next}");
    let back = callback(walk(&app, &browser, next.as_str().unwrap()).await);
    assert_eq!(id_claims(&air.finish(start, &back).await)["attributes"]["seat"], "window");

    // Answered: never asked again. Hotels asks nothing required: no form there either.
    callback(walk(&app, &browser, air.start(&["attributes"]).url.as_str()).await);
    callback(walk_allowing(&app, &browser, hotels.start(&["attributes"]).url.as_str()).await);

    // prompt=none never shows the form: Bob, who never answered, goes straight back.
    rp::customer(&app, "bob@example.com").await;
    let bob = Browser::new(&app);
    bob.sign_in("bob@example.com").await;
    let r = profile(walk_allowing(&app, &bob, air.start(&["attributes"]).url.as_str()).await);
    assert!(!r.is_empty());
    let silent = air.start_with(&["attributes"], &[("prompt", "none")]);
    let back = callback(walk(&app, &bob, silent.url.as_str()).await);
    assert!(back.get("code").is_some(), "a code, no form, no error: {}", back.url);
    assert!(id_claims(&air.finish(silent, &back).await)["attributes"].get("seat").is_none());

    // A short form: a brand with many required details gets three asked per sign-in.
    for key in ["a1", "a2", "a3", "a4"] {
        declare(&app, Some(HOTELS), AttributeSpec { required: true, ask_at_sign_in: true, ..spec(key, "text") }).await;
    }
    let r = profile(walk(&app, &browser, hotels.start(&["attributes"]).url.as_str()).await);
    let (_, view) = browser.server_fn("profile_details", &[("r", &r)]).await;
    assert_eq!(view["fields"].as_array().unwrap().len(), 3, "{view}");

    let actions = rp::audit_actions(&app).await;
    assert!(actions.contains(&"brand_data.profile_skipped".to_owned()) && actions.contains(&"brand_data.profile_answered".to_owned()), "{actions:?}");
}

/// A page as a browser gets it.
async fn app_page(app: &TestApp, browser: &Browser, path: &str) -> (u16, String) {
    let response = browser.http.get(app.url(path)).header(header::ACCEPT, "text/html").send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn bad_cli_input_changes_nothing(db: Db) {
    let Some(db) = TestDb::create(db).await else { return };
    let ok = |out: &std::process::Output| assert!(out.status.success(), "{}", stderr(out));
    ok(&foyer(&db, &["brand", "create", "--slug", AIR, "--name", "Northwind Air"], &[]));
    let created = foyer(
        &db,
        &["attribute", "create", "--brand", AIR, "--key", "seat", "--label", "en=Seat", "--label", "de=Sitzplatz", "--type", "choice", "--choice", "aisle=en:Aisle,de:Gang", "--choice", "window=en:Window", "--required", "--ask-at-sign-in", "--json"],
        &[],
    );
    ok(&created);
    let v: Value = serde_json::from_str(stdout(&created).trim()).unwrap();
    assert_eq!((v["key"].as_str(), v["type"].as_str(), v["required"].as_bool(), v["ask_at_sign_in"].as_bool()), (Some("seat"), Some("choice"), Some(true), Some(true)), "{v}");
    assert_eq!(v["choices"][0]["labels"]["de"], "Gang");
    let listed = |args: &[&str]| {
        let out = foyer(&db, args, &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        v["attributes"].as_array().unwrap().len()
    };
    assert_eq!(listed(&["attribute", "list", "--brand", AIR, "--json"]), 1);

    let base = |key: &'static str| vec!["attribute", "create", "--brand", AIR, "--key", key, "--label", "en=X", "--type", "text"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (base("email"), "standard claim"),
        (base("seat"), "taken"),
        (vec!["attribute", "create", "--brand", "no-such-brand", "--key", "x", "--label", "en=X", "--type", "text"], "No brand has the slug"),
        (vec!["attribute", "create", "--brand", AIR, "--key", "x", "--label", "de=X", "--type", "text"], "English is required"),
        (vec!["attribute", "create", "--brand", AIR, "--key", "x", "--label", "en=X", "--type", "colour"], "use text, number, date or choice"),
        (vec!["attribute", "create", "--brand", AIR, "--key", "x", "--label", "en=X", "--type", "choice", "--choice", "Bad Value=en:X"], "Choice value"),
        (vec!["attribute", "create", "--brand", AIR, "--key", "x", "--label", "en=X", "--type", "text", "--ask-at-sign-in"], "needs --required"),
        (vec!["attribute", "create", "--brand", AIR, "--key", "x", "--label", "en=X", "--type", "text", "--pattern", "(unclosed"], "regular expression"),
        (vec!["attribute", "create", "--brand", AIR, "--key", "x", "--label", "en=X", "--type", "number", "--min", "9", "--max", "1"], "--min is above --max"),
        (vec!["attribute", "create", "--group", "--key", "seat", "--label", "en=X", "--type", "text"], "taken"),
        (vec!["attribute", "topics", "--brand", AIR, "--topic", "deals=en:Deals", "--topic", "deals=en:Again"], "given twice"),
        (vec!["attribute", "topics", "--brand", AIR, "--topic", "deals=fr:Offres"], "not shipped"),
    ];
    for (args, says) in cases {
        let out = foyer(&db, &args, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        // One error line (start-up logs, if any, are not errors).
        let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
        assert_eq!(lines.len(), 1, "{args:?}: one error line, got:\n{err}");
        assert!(lines[0].contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert_eq!(listed(&["attribute", "list", "--brand", AIR, "--json"]), 1, "nothing was written for the brand");
    assert_eq!(listed(&["attribute", "list", "--group", "--json"]), 0, "nor for the group");
    let topics = foyer(&db, &["attribute", "topics", "--brand", AIR, "--json"], &[]);
    let v: Value = serde_json::from_str(stdout(&topics).trim()).unwrap();
    assert_eq!(v["topics"], json!([]), "no topics were half-set");

    // The good forms work.
    ok(&foyer(&db, &["attribute", "topics", "--brand", AIR, "--topic", "deals=en:Deals,de:Angebote"], &[]));
    ok(&foyer(&db, &["attribute", "create", "--group", "--key", "member_no", "--label", "en=Member number", "--type", "text", "--max-length", "12"], &[]));
    assert_eq!(listed(&["attribute", "list", "--group", "--json"]), 1);
    let text = stdout(&foyer(&db, &["attribute", "list", "--brand", AIR], &[]));
    assert!(text.contains("seat") && text.contains("required, ask at sign-in"), "{text}");
}

/// Without the wasm: a refused post of one brand's form comes back to the page with the
/// errors and what was typed in that form only (two brands both ask for a `nick`).
async fn a_refused_plain_post_shows_its_errors_in_its_own_form(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, AIR, "Northwind Air").await;
    rp::brand(&app, HOTELS, "Northwind Hotels").await;
    declare(&app, Some(AIR), AttributeSpec { max_length: Some("5".into()), ..spec("nick", "text") }).await;
    declare(&app, Some(HOTELS), spec("nick", "text")).await;
    let air = client(&app, AIR, CB_AIR).await;
    let hotels = client(&app, HOTELS, CB_HOTELS).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    air.sign_in(&browser, &["attributes"]).await;
    hotels.sign_in(&browser, &["attributes"]).await;
    let (status, body) = browser.server_fn("save_brand_data", &[("brand", HOTELS), ("values[nick]", "Hanna")]).await;
    assert_eq!(status, 200, "{body}");

    let page = "/account/privacy/preferences";
    let response = browser
        .http
        .post(app.url("/api/save_brand_data"))
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::ORIGIN, "null")
        .header("sec-fetch-site", "same-origin")
        .form(&[("__page", page), ("brand", AIR), ("values[nick]", "Annabelle"), ("language", ""), ("frequency", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()[header::LOCATION].to_str().unwrap().trim_start_matches(&app.public_url).to_owned();
    assert!(location.starts_with(&format!("{page}?")) && location.contains("__err="), "{location}");
    let (status, html) = app_page(&app, &browser, &location).await;
    assert_eq!(status, 200);
    let at = html.find("aria-labelledby=\"brand-northwind-hotels\"").expect("Hotels' section");
    let (air_part, hotels_part) = html.split_at(at);
    let error = "nick label is too long (at most 5 characters).";
    assert!(air_part.contains(error) && air_part.contains("value=\"Annabelle\""), "Air's form has its error and what was typed");
    assert!(!hotels_part.contains(error) && hotels_part.contains("value=\"Hanna\"") && !hotels_part.contains("Annabelle"), "Hotels' form is untouched");
    let data = page_data(&browser).await;
    assert_eq!(value_of(&section(&data, AIR)["attributes"], "nick"), "", "nothing was written");
}
