//! The customer page `/account/loyalty` before (or without) the wasm: it renders for a
//! signed-in customer; linking, a wrong and the right mailed code, and unlinking are
//! plain form posts that come back to the page with the result or the error; a guardian
//! acting for their managed member sees and links the member's memberships; a signed-out
//! visitor is sent to sign in. Each runs on SQLite and PostgreSQL.

use identity::loyalty::brand_api::MemberReport;
use identity::principal::Principal;
use reqwest::header;

use crate::accounts::PASSWORD;
use crate::oidc::rp::Browser;
use crate::support::seed::text_after;
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    the_page_links_by_code_and_unlinks_without_the_wasm,
    a_guardian_links_for_the_managed_member_on_the_page,
    a_signed_out_visitor_is_sent_to_sign_in,
);

const NUMBER: &str = "1234567897";
const CHILD_NUMBER: &str = "3000000004";
const PAGE: &str = "/account/loyalty";
const CODE_SUBJECT: &str = "Your code to link your air rewards membership";

/// Brand `air`, an `email` programme `air`, and `NUMBER` with `email` on file.
async fn air(app: &TestApp, number: &str, email: &str) {
    app.with_brand("air").await;
    app.with_programme("air", "air", "email").await;
    app.with_member("air", number, MemberReport { status: "active".into(), tier: Some("Gold".into()), points: Some(12_000), email: Some(email.into()), verification_code: None })
        .await;
}

/// The page's HTML as the server renders it (without the hydration markers).
async fn html(app: &TestApp, browser: &Browser, path: &str) -> String {
    let page = browser.http.get(app.url(path)).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200, "{path}");
    page.text().await.unwrap().replace("<!>", "")
}

/// A script-less form post from the page; returns where the server sends the browser.
async fn plain_post(app: &TestApp, browser: &Browser, endpoint: &str, form: &[(&str, &str)]) -> String {
    let mut form = form.to_vec();
    form.push(("__page", PAGE));
    let answer = browser
        .http
        .post(app.url(&format!("/api/{endpoint}")))
        .header(header::ACCEPT, "text/html")
        .header(header::ORIGIN, "null")
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 303, "{endpoint}");
    let to = answer.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().trim_start_matches(&app.public_url).to_owned();
    assert!(to.starts_with(PAGE), "back to the page: {to}");
    to
}

/// The id in the first `name="link_id" value="…"` of the page.
fn link_id(page: &str) -> String {
    text_after(page, r#"name="link_id" value=""#)
}

async fn mailed_code(app: &TestApp, to: &str) -> String {
    text_after(&app.mail_text(to, CODE_SUBJECT).await, "enter this code: ").chars().take(6).collect()
}

async fn the_page_links_by_code_and_unlinks_without_the_wasm(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    app.with_customer("lena@example.com", PASSWORD).await;
    air(&app, NUMBER, "card@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("lena@example.com").await;

    let page = html(&app, &browser, PAGE).await;
    for shown in ["Loyalty memberships", "No membership is linked yet.", r#"<label for="field-loyalty-number">Member number</label>"#, "air rewards (air)", "Only for programmes that print a code on the card."] {
        assert!(page.contains(shown), "{shown:?} on the page");
    }
    assert!(page.contains(r#"href="/account/loyalty" aria-current="page""#), "the account navigation names the page");

    // Link: the code goes to the address on file, and the page asks for it.
    let to = plain_post(&app, &browser, "link_loyalty", &[("programme", "air"), ("number", "1234 5678 97"), ("card_code", "")]).await;
    assert_eq!(to, "/account/loyalty?linked=code-sent");
    let page = html(&app, &browser, &to).await;
    assert!(page.contains("We sent a code to the address the programme has on file"), "the result is said");
    assert!(page.contains("Pending") && page.contains("Code from the email") && page.contains("\u{2022}\u{2022}\u{2022}\u{2022}7897"), "the pending link with its code form");
    assert!(!page.contains(NUMBER), "the number is masked");
    let id = link_id(&page);

    // A bad number is refused beside its field, and nothing is written.
    let to = plain_post(&app, &browser, "link_loyalty", &[("programme", "air"), ("number", "1234567890"), ("card_code", "")]).await;
    assert!(to.contains("__err="), "{to}");
    assert!(html(&app, &browser, &to).await.contains("Member number is not valid: check the number on your card"));

    // A wrong code: the error on the page, still pending.
    let to = plain_post(&app, &browser, "confirm_loyalty_code", &[("link_id", &id), ("code", "000000")]).await;
    assert!(to.contains("__err="), "{to}");
    let page = html(&app, &browser, &to).await;
    assert!(page.contains("This link or code is invalid or has expired.") && page.contains("Pending"), "the wrong code is refused");

    // The right code: verified, with the tier and balance as reported.
    let code = mailed_code(&app, "card@example.com").await;
    let to = plain_post(&app, &browser, "confirm_loyalty_code", &[("link_id", &id), ("code", &code)]).await;
    let page = html(&app, &browser, &to).await;
    for shown in ["Verified: the membership is linked.", "Verified", "Tier: Gold", "Balance: 12000 points", "As reported by the programme", "Unlink air rewards"] {
        assert!(page.contains(shown), "{shown:?} after the code");
    }
    assert!(!page.contains("Code from the email"), "no code form once verified");

    // Unlink: one click, and it is gone.
    let to = plain_post(&app, &browser, "unlink_loyalty", &[("link_id", &id)]).await;
    let page = html(&app, &browser, &to).await;
    assert!(page.contains("Unlinked.") && page.contains("No membership is linked yet.") && !page.contains("Unlink air rewards"), "{to}");
    let customer = app.identity.store().customer_by_email("lena@example.com").await.unwrap().unwrap().id;
    assert!(app.identity.loyalty_links(&Principal::customer(&customer, "foyer:pwd"), &customer).await.unwrap().is_empty());

    // In German too.
    let german = browser.http.get(app.url(PAGE)).header(header::ACCEPT, "text/html").header(header::ACCEPT_LANGUAGE, "de").send().await.unwrap().text().await.unwrap();
    assert!(german.contains("Treue-Mitgliedschaften") && german.contains("Mitgliedsnummer"), "the page speaks German");
}

async fn a_guardian_links_for_the_managed_member_on_the_page(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    let olga = app.with_customer("olga@example.com", PASSWORD).await;
    let me = Principal::customer(&olga, "foyer:pwd");
    let household = app.identity.create_household(&me, &olga, "The Kings").await.unwrap();
    let mia = app.identity.create_managed_member(&me, &olga, &household, "Mia", Some("King"), "2018-03-04").await.unwrap();
    air(&app, CHILD_NUMBER, "olga@example.com").await;
    let browser = Browser::new(&app);
    browser.sign_in("olga@example.com").await;
    let (status, body) = browser.server_fn("act_for", &[("customer", &mia)]).await;
    assert_eq!(status, 200, "{body}");

    let to = plain_post(&app, &browser, "link_loyalty", &[("programme", "air"), ("number", CHILD_NUMBER)]).await;
    let page = html(&app, &browser, &to).await;
    assert!(page.contains("\u{2022}\u{2022}\u{2022}\u{2022}0004") && page.contains("Code from the email"), "the member's pending link");
    let code = mailed_code(&app, "olga@example.com").await;
    let to = plain_post(&app, &browser, "confirm_loyalty_code", &[("link_id", &link_id(&page)), ("code", &code)]).await;
    assert!(html(&app, &browser, &to).await.contains("Tier: Gold"), "verified for Mia");

    // The link is Mia's, recorded as made by Olga; Olga's own page has none.
    let guardian = app.identity.guardian_principal(&olga, &mia).await.unwrap().unwrap();
    let links = app.identity.loyalty_links(&guardian, &mia).await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].status, identity::loyalty::LinkStatus::Verified);
    let (linked_by,): (Option<String>,) = sqlx::query_as("SELECT linked_by FROM loyalty_links WHERE customer_id = $1").bind(&mia).fetch_one(app.identity.store().pool()).await.unwrap();
    assert_eq!(linked_by.as_deref(), Some(olga.as_str()));
    assert!(app.identity.loyalty_links(&me, &olga).await.unwrap().is_empty());
}

async fn a_signed_out_visitor_is_sent_to_sign_in(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answer = client.get(app.url(PAGE)).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 303);
    assert_eq!(answer.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()), Some("/login?return_to=%2Faccount%2Floyalty"));
}
