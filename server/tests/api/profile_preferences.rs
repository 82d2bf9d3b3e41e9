//! The customer's language and time zone: the profile accepts only the languages Foyer
//! ships and zones the zone database knows; saving them, and every sign-in, sets the
//! cookies the pages follow (`foyer-lang`, `foyer-tz`); brands receive them as the OIDC
//! `locale` and `zoneinfo` claims. Signed-out visitors of `/account/*` are sent to sign
//! in and come back.

use identity::domain::profile::ProfileForm;
use identity::oidc::clients::ClientSpec;
use reqwest::header;
use serde_json::{Value, json};

use crate::oidc::rp::{self, Browser, Landing, REDIRECT, Rp, jwt_parts};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    language_and_zone_are_checked_and_the_pages_follow_them,
    disconnecting_a_brand_asks_first_and_works_as_a_plain_post,
    every_sign_in_sets_the_profiles_language_and_zone,
    signed_out_account_pages_send_to_sign_in_and_back,
    brands_receive_locale_and_zoneinfo_claims,
);

/// `save_profile` as the page's wasm posts it: status, the `Set-Cookie` lines, the body.
async fn save(app: &TestApp, browser: &Browser, form: &[(&str, &str)]) -> (u16, Vec<String>, Value) {
    let response = browser
        .http
        .post(app.url("/api/save_profile"))
        .header(header::ORIGIN, app.public_url.as_str())
        .header("sec-fetch-site", "same-origin")
        .header(header::ACCEPT, "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let cookies = set_cookies(&response);
    (status, cookies, response.json().await.unwrap_or(Value::Null))
}

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response.headers().get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect()
}

fn cookie<'a>(lines: &'a [String], name: &str) -> Option<&'a str> {
    lines.iter().find(|l| l.starts_with(&format!("{name}="))).map(String::as_str)
}

/// A page as the browser gets it (HTML asked for), with this browser's cookies.
async fn page(app: &TestApp, browser: &Browser, path: &str) -> (u16, Option<String>, String) {
    let response = browser.http.get(app.url(path)).header(header::ACCEPT, "text/html").send().await.unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    (status, location, without_messages(&response.text().await.unwrap()))
}

/// The page without the browser's message map (`<script id="foyer-messages">`), which
/// holds every plain message of the locale: what is left is what the page shows.
fn without_messages(html: &str) -> String {
    let Some(start) = html.find("id=\"foyer-messages\"").and_then(|at| html[..at].rfind("<script")) else { return html.to_owned() };
    let end = html[start..].find("</script>").map_or(html.len(), |e| start + e + "</script>".len());
    format!("{}{}", &html[..start], &html[end..])
}

fn fields(body: &Value) -> Vec<String> {
    body["Fields"].as_array().map(|a| a.iter().filter_map(|f| f["field"].as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

async fn language_and_zone_are_checked_and_the_pages_follow_them(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;

    // A language Foyer does not ship and a zone that does not exist: both named, nothing saved.
    let (status, cookies, body) = save(&app, &browser, &[("form[preferred_language]", "fr"), ("form[zoneinfo]", "Mars/Olympus")]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(fields(&body), ["Preferred language", "Time zone"], "{body}");
    assert!(cookie(&cookies, "foyer-lang").is_none() && cookie(&cookies, "foyer-tz").is_none(), "{cookies:?}");
    let (_, profile) = browser.server_fn("get_profile", &[]).await;
    assert_eq!((&profile["preferred_language"], &profile["zoneinfo"]), (&Value::Null, &Value::Null), "{profile}");
    for (language, zone) in [("de", "Europe/Berlin; Path=/"), ("de;q=1", "UTC"), ("de", "../../etc/passwd")] {
        let (status, _, body) = save(&app, &browser, &[("form[preferred_language]", language), ("form[zoneinfo]", zone)]).await;
        assert_eq!(status, 400, "{language} {zone}: {body}");
    }

    // A regional tag is stored as the shipped language; the zone by its database name.
    let form = [("form[given_name]", "Ann"), ("form[preferred_language]", "de-AT"), ("form[zoneinfo]", "Europe/Berlin")];
    let (status, cookies, changed) = save(&app, &browser, &form).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed, json!(["preferred_language", "zoneinfo"]));
    let (_, profile) = browser.server_fn("get_profile", &[]).await;
    assert_eq!((&profile["preferred_language"], &profile["zoneinfo"]), (&json!("de"), &json!("Europe/Berlin")), "{profile}");

    // The cookies the pages read: the language HttpOnly, the zone readable by the wasm.
    let lang = cookie(&cookies, "foyer-lang").unwrap_or_else(|| panic!("foyer-lang set: {cookies:?}"));
    assert!(lang.starts_with("foyer-lang=de;") && lang.contains("HttpOnly") && lang.contains("SameSite=Lax") && lang.contains("Path=/"), "{lang}");
    let tz = cookie(&cookies, "foyer-tz").unwrap_or_else(|| panic!("foyer-tz set: {cookies:?}"));
    assert!(tz.starts_with("foyer-tz=Europe%2FBerlin;") && !tz.contains("HttpOnly"), "{tz}");

    // The next page is German, with times in words, not ISO strings.
    let (status, _, html) = page(&app, &browser, "/account/devices").await;
    assert_eq!(status, 200);
    assert!(html.contains("<html lang=\"de\""), "the page's language");
    assert!(html.contains("Ihre Geräte") && html.contains("gerade eben"), "German words and times");
    assert!(!html.contains('⟦'), "no untranslated message");
    assert!(html.contains("+01:00\""), "the datetime attribute in the customer's zone");

    // Back to "as my browser is set": both cookies are cleared, the browser decides again.
    let (status, cookies, changed) = save(&app, &browser, &[("form[given_name]", "Ann"), ("form[preferred_language]", ""), ("form[zoneinfo]", "")]).await;
    assert_eq!((status, changed), (200, json!(["preferred_language", "zoneinfo"])));
    for name in ["foyer-lang", "foyer-tz"] {
        assert!(cookie(&cookies, name).is_some_and(|c| c.starts_with(&format!("{name}=;")) && c.contains("Max-Age=0")), "{name} cleared: {cookies:?}");
    }
    let (_, _, html) = page(&app, &browser, "/account/devices").await;
    assert!(html.contains("<html lang=\"en\"") && html.contains("Your devices"), "English again");
}

async fn every_sign_in_sets_the_profiles_language_and_zone(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    let ann = rp::customer(&app, "ann@example.com").await;
    let me = identity::principal::Principal::customer(&ann.id, "foyer:pwd");
    let form = ProfileForm { preferred_language: Some("de".into()), zoneinfo: Some("America/Argentina/Buenos_Aires".into()), ..ProfileForm::default() };
    app.identity.update_profile(&me, &ann.id, &form).await.unwrap();

    // A new browser (English by its Accept-Language) signs in: the answer sets both.
    let browser = Browser::new(&app);
    let response = browser
        .http
        .post(app.url("/api/login"))
        .header(header::ORIGIN, app.public_url.as_str())
        .header("sec-fetch-site", "same-origin")
        .header(header::ACCEPT, "application/json")
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
        .form(&[("email", "ann@example.com"), ("password", rp::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let cookies = set_cookies(&response);
    assert!(cookie(&cookies, "foyer-lang").is_some_and(|c| c.starts_with("foyer-lang=de;")), "{cookies:?}");
    assert!(cookie(&cookies, "foyer-tz").is_some_and(|c| c.starts_with("foyer-tz=America%2FArgentina%2FBuenos_Aires;")), "{cookies:?}");
    let (_, _, html) = page(&app, &browser, "/account/activity").await;
    assert!(html.contains("<html lang=\"de\"") && html.contains("Kontoaktivität"), "German after sign-in");
    assert!(html.contains("-03:00\""), "times in the profile's zone");

    // Without a language or zone in the profile, sign-in leaves the browser's choice alone.
    let bob = rp::customer(&app, "bob@example.com").await;
    assert!(bob.preferred_language.is_none());
    let other = Browser::new(&app);
    let response = other
        .http
        .post(app.url("/api/login"))
        .header(header::ORIGIN, app.public_url.as_str())
        .header("sec-fetch-site", "same-origin")
        .header(header::ACCEPT, "application/json")
        .form(&[("email", "bob@example.com"), ("password", rp::PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookies = set_cookies(&response);
    assert!(cookie(&cookies, "foyer-lang").is_none() && cookie(&cookies, "foyer-tz").is_none(), "{cookies:?}");
}

async fn signed_out_account_pages_send_to_sign_in_and_back(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    for (path, encoded) in [
        ("/account", "%2Faccount"),
        ("/account/devices", "%2Faccount%2Fdevices"),
        ("/account/activity", "%2Faccount%2Factivity"),
        ("/account/brands", "%2Faccount%2Fbrands"),
        ("/account/security", "%2Faccount%2Fsecurity"),
    ] {
        let (status, location, _) = page(&app, &browser, path).await;
        assert_eq!((status, location.as_deref()), (303, Some(format!("/login?return_to={encoded}").as_str())), "{path}");
    }
    // The sign-in page then leads back to the page.
    let Landing::Login { return_to } = browser.visit("/account/devices").await else { panic!("to the sign-in page") };
    assert_eq!(return_to, "/account/devices");
    let (status, next) = browser.server_fn("login", &[("email", "ann@example.com"), ("password", rp::PASSWORD), ("return_to", &return_to)]).await;
    assert_eq!((status, next), (200, json!("/account/devices")));
    let (status, _, html) = page(&app, &browser, "/account/devices").await;
    assert_eq!(status, 200);
    assert!(html.contains("Your devices") && html.contains("just now"), "signed in, in English");
    // Server functions still answer 401 (no redirect for the wasm to misread).
    browser.sign_out().await;
    assert_eq!(browser.server_fn("list_devices", &[]).await, (401, json!("SignInRequired")));
}

async fn brands_receive_locale_and_zoneinfo_claims(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    let ann = rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let (status, body) =
        browser.server_fn("save_profile", &[("form[given_name]", "Ann"), ("form[preferred_language]", "de"), ("form[zoneinfo]", "Europe/Vienna")]).await;
    assert_eq!(status, 200, "{body}");

    let start = rp.start(&["profile"]);
    let callback = browser.code_for(start.url.as_str()).await;
    let signed = rp.finish(start, &callback).await;
    let (_, id_token) = jwt_parts(signed.id_token.to_string().as_str());
    assert_eq!((&id_token["locale"], &id_token["zoneinfo"]), (&json!("de"), &json!("Europe/Vienna")), "{id_token}");
    let info = rp.userinfo(&signed.access, Some(&ann.id)).await.unwrap();
    assert_eq!((&info["locale"], &info["zoneinfo"]), (&json!("de"), &json!("Europe/Vienna")), "{info}");

    // Discovery lists the claim; without the profile scope neither is released.
    let http = rp::http();
    let doc: Value = http.get(app.url("/.well-known/openid-configuration")).send().await.unwrap().json().await.unwrap();
    assert!(doc["claims_supported"].as_array().unwrap().contains(&json!("zoneinfo")), "{doc}");
    let start = rp.start(&["email"]);
    let callback = browser.code_for(start.url.as_str()).await;
    let signed = rp.finish(start, &callback).await;
    let info = rp.userinfo(&signed.access, Some(&ann.id)).await.unwrap();
    assert!(info.get("locale").is_none() && info.get("zoneinfo").is_none(), "{info}");
}

async fn disconnecting_a_brand_asks_first_and_works_as_a_plain_post(db: Db) {
    let Some(app) = rp::spawn(db).await else { return };
    rp::brand(&app, "air", "Northwind Air").await;
    let rp = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    rp::customer(&app, "ann@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("ann@example.com").await;
    let start = rp.start(&["profile", "email"]);
    let callback = browser.code_for(start.url.as_str()).await;
    rp.finish(start, &callback).await;

    // Listed with readable times; "Disconnect" only asks.
    let (status, _, html) = page(&app, &browser, "/account/brands").await;
    assert_eq!(status, 200);
    assert!(html.contains("Northwind Air") && html.contains("Connected since") && html.contains("just now"), "the brand, since when");
    assert!(html.contains("Your email address") && !html.contains("Yes, disconnect"), "what it receives; nothing asked yet");
    let (_, _, html) = page(&app, &browser, "/account/brands?disconnect=air").await;
    assert!(html.contains("Disconnect Northwind Air?") && html.contains("Yes, disconnect Northwind Air"), "the confirmation");
    assert!(!rp::audit_actions(&app).await.iter().any(|a| a == "oauth.consent_revoked"), "nothing ended by asking");

    // The confirmation posted without the wasm: back to the page (not the question), done.
    let response = browser
        .http
        .post(app.url("/api/disconnect_brand"))
        .header(header::ORIGIN, app.public_url.as_str())
        .header("sec-fetch-site", "same-origin")
        .header(header::ACCEPT, "text/html")
        .form(&[("__page", "/account/brands"), ("slug", "air")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(location.starts_with("/account/brands?__ok="), "{location}");
    let (status, _, html) = page(&app, &browser, &location).await;
    assert_eq!(status, 200);
    assert!(html.contains("The brand was disconnected.") && html.contains("No brands are connected"), "the success state");
    assert!(rp::audit_actions(&app).await.iter().any(|a| a == "oauth.consent_revoked"));
}
