//! Forms posted before the wasm arrives (`docs/design/platform.md` "Forms before the
//! wasm"): the browser asks for HTML, and every answer is a `303` to a page of ours —
//! the same page with its error and what was typed (never a password), or with
//! `__ok` after a success; `__page` never leads off the origin and never reaches the
//! server function.

use reqwest::header;

use crate::accounts::{Browser, PASSWORD, customer};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    a_refused_plain_post_returns_to_its_page_with_the_error_and_the_typed_address,
    a_plain_post_never_leaves_the_origin,
    a_plain_post_that_succeeds_in_place_says_so,
);

/// A script-less browser's form post: HTML wanted, same-origin, `Origin: null` (our
/// `Referrer-Policy: no-referrer`), no redirects followed.
pub(crate) async fn plain_post(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(std::time::Duration::from_secs(30)).build().unwrap();
    client
        .post(format!("{}/api/{endpoint}", app.address))
        .header(header::ACCEPT, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        .header(header::ORIGIN, "null")
        .header("sec-fetch-site", "same-origin")
        .form(form)
        .send()
        .await
        .unwrap()
}

pub(crate) fn location(response: &reqwest::Response) -> String {
    response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

pub(crate) fn sticky_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("foyer-form=") || c.starts_with("__Host-foyer-form="))
        .map(str::to_owned)
}

async fn a_refused_plain_post_returns_to_its_page_with_the_error_and_the_typed_address(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    customer(&app, "plain@example.com").await;

    let answer = plain_post(&app, "login", &[("email", "plain@example.com"), ("password", "not the password 1"), ("return_to", ""), ("__page", "/login?return_to=%2Faccount")]).await;
    assert_eq!(answer.status().as_u16(), 303, "a plain post always gets a See Other");
    let to = location(&answer);
    assert!(to.starts_with(&format!("{}/login?return_to=%2Faccount&__path=%2Fapi%2Flogin&__err=", app.public_url)), "{to}");
    let cookie = sticky_cookie(&answer).expect("the typed fields are kept for the page");
    assert!(cookie.contains("email=plain%40example.com") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Max-Age=60"), "{cookie}");
    assert!(!cookie.contains("password") && !cookie.contains("not+the+password"), "a password is never kept: {cookie}");

    // The page it leads to shows the error and the address, once.
    let pair = cookie.split(';').next().unwrap().to_owned();
    let path = to.trim_start_matches(&app.public_url).to_owned();
    let page = reqwest::Client::new().get(format!("{}{path}", app.address)).header(header::COOKIE, &pair).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let cleared = sticky_cookie(&page).expect("the page clears the cookie it read");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let html = page.text().await.unwrap();
    assert!(html.contains("Email or password is incorrect"), "the error is on the page");
    assert!(html.contains(r#"value="plain@example.com""#), "the typed address is back in its field");

    // The cookie belongs to its page: another page ignores it.
    let other = reqwest::Client::new().get(format!("{}/register", app.address)).header(header::COOKIE, &pair).send().await.unwrap();
    assert!(!other.text().await.unwrap().contains("plain@example.com"));
}

async fn a_plain_post_never_leaves_the_origin(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    customer(&app, "origin@example.com").await;
    for hostile in ["//evil.example/login", "/\\evil.example", "https://evil.example/", "/\t/evil.example", "evil.example"] {
        let answer = plain_post(&app, "login", &[("email", "origin@example.com"), ("password", "wrong password 12"), ("__page", hostile)]).await;
        let to = location(&answer);
        assert!(!to.contains("evil"), "{hostile:?} led to {to}");
        assert!(to.is_empty() || to.starts_with('/') && !to.starts_with("//") || to.starts_with(&app.public_url), "{hostile:?} led to {to}");
    }
    // `__page` is taken out of the body: the wasm's JSON call with it still works.
    let b = Browser::new(&app);
    let (status, body) = b.call("login", &[("email", "origin@example.com"), ("password", PASSWORD), ("__page", "/login")]).await;
    assert_eq!((status, body), (200, serde_json::json!("/account")));
}

async fn a_plain_post_that_succeeds_in_place_says_so(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let answer = plain_post(&app, "forgot_password", &[("email", "nobody@example.com"), ("__page", "/forgot-password")]).await;
    assert_eq!(answer.status().as_u16(), 303);
    assert_eq!(location(&answer), "/forgot-password?__ok=%2Fapi%2Fforgot_password");
    assert!(sticky_cookie(&answer).is_none(), "nothing is kept after a success");
}
