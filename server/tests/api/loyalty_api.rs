//! The brand back-end API of loyalty programmes (`/api/v1/loyalty/…`, issue 15,
//! `docs/design/loyalty.md` "Brand back-end API") over HTTP, with tokens a brand's back
//! end gets from `POST /oauth2/token` (`client_credentials`): who may call it, that a
//! brand never reaches another brand's programme, that every bad request is a 4xx
//! problem document that changes nothing, decisions, paging, the member report feeding
//! the `email` method; and the operator's import of links (`foyer loyalty-programme
//! import-links`). Each runs on SQLite and PostgreSQL.

use std::time::Duration;

use identity::loyalty::brand_api::MemberReport;
use identity::loyalty::link::LinkOutcome;
use identity::loyalty::LinkStatus;
use identity::oidc::clients::ClientSpec;
use identity::principal::Principal;
use identity::store::loyalty::MemberRow;
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::accounts::PASSWORD;
use crate::oidc::rp::{Answer, Auth, Browser, REDIRECT, Rp, post_form};
use crate::support::seed::{seed_meta, text_after};
use crate::support::{Db, TestApp, both_backends, foyer, stderr, stdout};

both_backends!(
    api_needs_the_scope,
    api_never_crosses_brands,
    bad_api_requests_change_nothing,
    brand_decisions,
    links_page_through,
    member_report_feeds_email_verification,
    import_links_refuses_bad_lines_and_is_safe_to_rerun,
);

const NUMBER: &str = "1234567897";
const OTHER_NUMBER: &str = "1000000008";
const PROBLEM: &str = "application/problem+json";

async fn spawn(db: Db) -> Option<TestApp> {
    TestApp::builder(db).with_clock().without_worker().spawn().await
}

fn me(id: &str) -> Principal {
    Principal::customer(id, "foyer:pwd")
}

/// A confidential client of `brand` with the `client_credentials` grant and `scope`:
/// its id and secret.
async fn back_end(app: &TestApp, brand: &str, scope: &str) -> (String, String) {
    let spec = ClientSpec::new(brand, "Back end").redirect_uri(REDIRECT).scope(&format!("openid {scope}")).grant("client_credentials");
    let client = app.with_client_spec(spec).await;
    (client.client.id, client.secret.expect("a confidential client").expose_secret().to_owned())
}

/// A token as a brand's back end gets it: `POST /oauth2/token`, `client_credentials`.
async fn token(app: &TestApp, (id, secret): &(String, String), scope: &str) -> String {
    let answer = post_form(app, "/oauth2/token", Auth::Basic(id, secret), &[("grant_type", "client_credentials"), ("scope", scope)]).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body["access_token"].as_str().expect("an access token").to_owned()
}

/// A brand's token with `loyalty:manage`.
async fn brand_token(app: &TestApp, brand: &str) -> String {
    let client = back_end(app, brand, "loyalty:manage").await;
    token(app, &client, "loyalty:manage").await
}

async fn call(app: &TestApp, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
    let mut request = app.client.request(method, app.url(&format!("/api/v1{path}")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    Answer::of(request.send().await.unwrap()).await
}

async fn get(app: &TestApp, path: &str, token: &str) -> Answer {
    call(app, reqwest::Method::GET, path, Some(token), None).await
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> Answer {
    call(app, reqwest::Method::POST, path, Some(token), Some(body)).await
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> Answer {
    call(app, reqwest::Method::PUT, path, Some(token), Some(body)).await
}

/// Asserts an RFC 9457 answer: status, `type`, the media type, `no-store`.
#[track_caller]
fn assert_problem(answer: &Answer, status: u16, kind: &str, what: &str) {
    assert_eq!((answer.status, answer.body["type"].as_str()), (status, Some(format!("urn:foyer:problem:{kind}").as_str())), "{what}: {}", answer.text);
    assert_eq!(answer.body["status"], status, "{what}");
    assert!(answer.body["title"].as_str().is_some_and(|t| !t.is_empty()), "{what}");
    assert_eq!(answer.header("content-type"), Some(PROBLEM), "{what}");
    assert_eq!(answer.header("cache-control"), Some("no-store"), "{what}");
}

/// Brand `air` with a `brand-api` programme `air`, and Ada's pending link to [`NUMBER`].
async fn air_with_pending_link(app: &TestApp) -> (String, String) {
    app.with_brand("air").await;
    app.with_programme("air", "air", "brand-api").await;
    let ada = app.with_customer("ada@example.com", PASSWORD).await;
    let (link, outcome) = app.identity.request_link(&me(&ada), &ada, "air", NUMBER, None, &seed_meta(9)).await.unwrap();
    assert_eq!(outcome, LinkOutcome::Pending);
    (ada, link)
}

async fn member_row(app: &TestApp, programme: &str, number: &str) -> Option<MemberRow> {
    let programme_id = app.identity.programmes(None).await.unwrap().into_iter().find(|p| p.slug == programme).unwrap().id;
    let mut conn = app.identity.store().pool().acquire().await.unwrap();
    identity::store::loyalty::member(&mut conn, &programme_id, number).await.unwrap()
}

fn report(tier: &str) -> MemberReport {
    MemberReport { status: "active".into(), tier: Some(tier.into()), points: Some(100), email: None, verification_code: None }
}

async fn api_needs_the_scope(db: Db) {
    let Some(app) = spawn(db).await else { return };
    air_with_pending_link(&app).await;
    let path = "/loyalty/air/links?status=pending";

    let none = call(&app, reqwest::Method::GET, path, None, None).await;
    assert_problem(&none, 401, "unauthenticated", "no token");
    assert_eq!(none.header("www-authenticate"), Some("Bearer"), "RFC 6750 §3: no error code without a token");
    for junk in ["not-a-token", "eyJhbGciOiJub25lIn0.e30."] {
        let answer = get(&app, path, junk).await;
        assert_problem(&answer, 401, "unauthenticated", junk);
        assert_eq!(answer.header("www-authenticate"), Some("Bearer error=\"invalid_token\""));
    }
    let basic = app.client.get(app.url(&format!("/api/v1{path}"))).basic_auth("a", Some("b")).send().await.unwrap();
    assert_problem(&Answer::of(basic).await, 401, "unauthenticated", "Basic is not a bearer token");

    // A customer's access token, of a confidential and of a public client.
    let web = Rp::register(&app, ClientSpec::new("air", "Air web").redirect_uri(REDIRECT)).await;
    let app_client = Rp::register(&app, ClientSpec::new("air", "Air app").redirect_uri(REDIRECT).public()).await;
    let browser = Browser::new(&app);
    browser.sign_in("ada@example.com").await;
    for rp in [&web, &app_client] {
        let signed = rp.sign_in(&browser, &[]).await;
        let answer = get(&app, path, signed.access.secret()).await;
        assert_problem(&answer, 401, "unauthenticated", "a customer's token");
        assert_eq!(answer.header("www-authenticate"), Some("Bearer error=\"invalid_token\""));
    }

    // The brand's own back end without the scope.
    let orders = back_end(&app, "air", "orders:read").await;
    let without = token(&app, &orders, "orders:read").await;
    for answer in [
        get(&app, path, &without).await,
        post(&app, "/loyalty/air/links/x/decision", &without, json!({"decision": "confirm"})).await,
        put(&app, &format!("/loyalty/air/members/{NUMBER}"), &without, json!({"status": "active"})).await,
    ] {
        assert_problem(&answer, 403, "forbidden", "no loyalty:manage");
        assert_eq!(answer.header("www-authenticate"), Some("Bearer error=\"insufficient_scope\", scope=\"loyalty:manage\""));
    }
    // A client that may ask for the scope but did not.
    let manager = back_end(&app, "air", "loyalty:manage").await;
    assert_problem(&get(&app, path, &token(&app, &manager, "").await).await, 403, "forbidden", "the scope not asked for");

    // With the scope: the page; revoked: 401 again.
    let with = token(&app, &manager, "loyalty:manage").await;
    let page = get(&app, path, &with).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.header("content-type"), Some("application/json"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.body["links"].as_array().map(Vec::len), Some(1));
    let revoked = post_form(&app, "/oauth2/revoke", Auth::Basic(&manager.0, &manager.1), &[("token", &with)]).await;
    assert_eq!(revoked.status, 200);
    assert_problem(&get(&app, path, &with).await, 401, "unauthenticated", "a revoked token");
}

async fn api_never_crosses_brands(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let (ada, link) = air_with_pending_link(&app).await;
    app.with_member("air", NUMBER, report("Gold")).await;
    app.with_brand("hotels").await;
    app.with_programme("hotels", "stays", "brand-api").await;
    let hotels = brand_token(&app, "hotels").await;
    let before = member_row(&app, "air", NUMBER).await;
    app.advance(Duration::from_secs(60));

    let answers = [
        get(&app, "/loyalty/air/links?status=pending", &hotels).await,
        get(&app, "/loyalty/air/links?status=verified", &hotels).await,
        post(&app, &format!("/loyalty/air/links/{link}/decision"), &hotels, json!({"decision": "confirm"})).await,
        post(&app, &format!("/loyalty/air/links/{link}/decision"), &hotels, json!({"decision": "reject"})).await,
        put(&app, &format!("/loyalty/air/members/{NUMBER}"), &hotels, json!({"status": "closed", "tier": "Blue", "points": 0})).await,
    ];
    let unknown = get(&app, "/loyalty/nowhere/links?status=pending", &hotels).await;
    assert_problem(&unknown, 404, "not-found", "an unknown programme");
    for answer in &answers {
        assert_problem(answer, 404, "not-found", "another brand's programme");
        assert_eq!(answer.body["detail"], unknown.body["detail"], "answered exactly like an unknown programme");
        assert!(!answer.text.contains(NUMBER), "{}", answer.text);
    }
    // Its own programme's path with air's link: not there either.
    let own_path = post(&app, &format!("/loyalty/stays/links/{link}/decision"), &hotels, json!({"decision": "confirm"})).await;
    assert_problem(&own_path, 404, "not-found", "air's link under hotels' programme");

    let links = app.identity.loyalty_links(&me(&ada), &ada).await.unwrap();
    assert_eq!((links.len(), links[0].status), (1, LinkStatus::Pending), "the link is untouched");
    assert_eq!(member_row(&app, "air", NUMBER).await, before, "the member is untouched");
    let air = brand_token(&app, "air").await;
    let own = get(&app, "/loyalty/air/links?status=pending", &air).await;
    assert_eq!(own.body["links"][0]["id"], link.as_str(), "air still sees its pending link");
    assert_eq!(get(&app, "/loyalty/stays/links?status=pending", &air).await.status, 404, "and not hotels' programme");
}

async fn bad_api_requests_change_nothing(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let (ada, link) = air_with_pending_link(&app).await;
    app.with_member("air", NUMBER, report("Gold")).await;
    let air = brand_token(&app, "air").await;
    let before = member_row(&app, "air", NUMBER).await;
    let brand_subject = format!("brand:{}", app.identity.programmes(None).await.unwrap()[0].brand_id);
    let trail = app.identity.store().audit_trail(&brand_subject).await.unwrap();
    assert!(trail.iter().any(|a| a.action == "loyalty.member_reported"), "a report is audited on the brand: {trail:?}");
    let audit_before = trail.len();
    app.advance(Duration::from_secs(60));
    let member = format!("/loyalty/air/members/{NUMBER}");
    let good = json!({"status": "active", "tier": "Gold", "points": 100});

    let json_cases: Vec<(reqwest::Method, String, Value, u16, &str, &str)> = vec![
        (reqwest::Method::PUT, format!("/loyalty/nowhere/members/{NUMBER}"), good.clone(), 404, "not-found", "unknown programme"),
        (reqwest::Method::PUT, "/loyalty/air/members/12345".into(), good.clone(), 400, "invalid-input", "malformed number"),
        (reqwest::Method::PUT, "/loyalty/air/members/1234567890".into(), good.clone(), 400, "invalid-input", "Luhn failure"),
        (reqwest::Method::PUT, member.clone(), json!({"status": "active", "tier": "Platinum"}), 400, "invalid-input", "unknown tier"),
        (reqwest::Method::PUT, member.clone(), json!({"status": "active", "points": -5}), 400, "invalid-input", "negative points"),
        (reqwest::Method::PUT, member.clone(), json!({"status": "active", "email": "not-an-address"}), 400, "invalid-input", "bad email"),
        (reqwest::Method::PUT, member.clone(), json!({"status": "lapsed"}), 400, "invalid-input", "unknown status"),
        (reqwest::Method::PUT, member.clone(), json!({"status": "active", "colour": "red"}), 400, "bad-request", "unknown field"),
        (reqwest::Method::PUT, member.clone(), json!({"status": "active", "points": "many"}), 400, "bad-request", "mistyped field"),
        (reqwest::Method::PUT, member.clone(), json!({"tier": "Gold"}), 400, "bad-request", "missing field"),
        (reqwest::Method::POST, format!("/loyalty/air/links/{link}/decision"), json!({"decision": "maybe"}), 400, "invalid-input", "unknown decision"),
        (reqwest::Method::POST, format!("/loyalty/air/links/{link}/decision"), json!({"decision": "confirm", "why": "x"}), 400, "bad-request", "unknown field"),
        (reqwest::Method::POST, format!("/loyalty/air/links/{link}/decision"), json!({"decision": "reject", "reason": "x".repeat(501)}), 400, "invalid-input", "long reason"),
        (reqwest::Method::POST, "/loyalty/air/links/no-such-link/decision".into(), json!({"decision": "confirm"}), 404, "not-found", "unknown link"),
    ];
    for (method, path, body, status, kind, what) in json_cases {
        assert_problem(&call(&app, method, &path, Some(&air), Some(body)).await, status, kind, what);
    }
    let invalid = put(&app, &member, &air, json!({"status": "active", "tier": "Platinum", "points": -1})).await;
    let fields: Vec<&str> = invalid.body["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["tier", "points"], "each refused field is named: {}", invalid.text);

    for query in ["status=bogus", "status=pending&limit=0", "status=pending&limit=201", "status=pending&after=junk", "status=pending&after=1.x'--"] {
        assert_problem(&get(&app, &format!("/loyalty/air/links?{query}"), &air).await, 400, "invalid-input", query);
    }
    for query in ["status=pending&limit=abc", "status=pending&colour=red", "limit=10", ""] {
        assert_problem(&get(&app, &format!("/loyalty/air/links?{query}"), &air).await, 400, "bad-request", query);
    }

    // Bodies that are not JSON, too large, or absent.
    let raw = |method: reqwest::Method, path: &str| app.client.request(method, app.url(&format!("/api/v1{path}"))).bearer_auth(&air);
    let text = raw(reqwest::Method::PUT, &member).header("content-type", "text/plain").body(good.to_string()).send().await.unwrap();
    assert_problem(&Answer::of(text).await, 415, "unsupported-media-type", "text/plain");
    let form = raw(reqwest::Method::PUT, &member).form(&[("status", "active")]).send().await.unwrap();
    assert_problem(&Answer::of(form).await, 415, "unsupported-media-type", "a form");
    let empty = raw(reqwest::Method::PUT, &member).send().await.unwrap();
    assert_problem(&Answer::of(empty).await, 415, "unsupported-media-type", "no body");
    for broken in ["{\"status\":", "", "[1,2]", "\u{feff}{}"] {
        let answer = raw(reqwest::Method::PUT, &member).header("content-type", "application/json").body(broken).send().await.unwrap();
        assert_problem(&Answer::of(answer).await, 400, "bad-request", broken);
    }
    let invalid_utf8 = raw(reqwest::Method::PUT, &member).header("content-type", "application/json").body(vec![b'{', b'"', 0xff, b'"', b'}']).send().await.unwrap();
    assert_problem(&Answer::of(invalid_utf8).await, 400, "bad-request", "invalid UTF-8");
    let big = json!({"status": "active", "tier": "Gold", "email": format!("{}@example.com", "a".repeat(17 * 1024))});
    assert_problem(&put(&app, &member, &air, big.clone()).await, 413, "payload-too-large", "declared 17 KiB");
    let streamed = chunked_put(&app, &format!("/api/v1{member}"), &air, big.to_string().as_bytes()).await;
    assert!(streamed.starts_with("HTTP/1.1 413") && streamed.contains(PROBLEM), "a streamed 17 KiB body: {streamed}");

    // Routes: unknown under /api/v1 and a wrong method are problems; server functions at
    // /api/<name> still answer as server functions.
    assert_problem(&get(&app, "/loyalty/air/nothing", &air).await, 404, "not-found", "unknown route");
    assert_problem(&get(&app, "", &air).await, 404, "not-found", "the prefix itself");
    assert_problem(&call(&app, reqwest::Method::DELETE, "/loyalty/air/links", Some(&air), None).await, 405, "method-not-allowed", "DELETE");
    let browser = Browser::new(&app);
    browser.sign_in("ada@example.com").await;
    assert_eq!(browser.me().await.as_deref(), Some("ada@example.com"), "/api/me is still the server function");

    // Nothing changed.
    assert_eq!(member_row(&app, "air", NUMBER).await, before, "the member row is untouched");
    let links = app.identity.loyalty_links(&me(&ada), &ada).await.unwrap();
    assert_eq!((links.len(), links[0].status), (1, LinkStatus::Pending), "the link is untouched");
    assert_eq!(app.identity.store().audit_trail(&brand_subject).await.unwrap().len(), audit_before, "nothing audited");
    assert_eq!(member_row(&app, "air", "1234567890").await, None);
}

/// A PUT whose body comes in chunks without a `Content-Length`; the raw answer.
async fn chunked_put(app: &TestApp, path: &str, token: &str, body: &[u8]) -> String {
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "PUT {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.chunks(1024) {
        // The server may answer and close before the whole body is sent.
        if stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await.is_err()
            || stream.write_all(chunk).await.is_err()
            || stream.write_all(b"\r\n").await.is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

async fn brand_decisions(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let (ada, link) = air_with_pending_link(&app).await;
    let air = brand_token(&app, "air").await;
    app.advance(Duration::from_secs(5));

    let confirmed = post(&app, &format!("/loyalty/air/links/{link}/decision"), &air, json!({"decision": "confirm"})).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    assert_eq!(confirmed.header("cache-control"), Some("no-store"));
    assert_eq!((confirmed.body["id"].as_str(), confirmed.body["status"].as_str(), confirmed.body["number"].as_str()), (Some(link.as_str()), Some("verified"), Some(NUMBER)));
    assert_eq!(confirmed.body["sub"], ada.as_str(), "the client's public subject");
    let (requested, decided) = (confirmed.body["requested_at"].as_str().unwrap(), confirmed.body["decided_at"].as_str().unwrap());
    assert!(requested.ends_with('Z') && decided.ends_with('Z') && decided > requested, "RFC 3339 UTC: {requested} {decided}");
    assert_eq!(app.identity.loyalty_links(&me(&ada), &ada).await.unwrap()[0].status, LinkStatus::Verified);
    app.mail_text("ada@example.com", "Your air rewards membership is linked").await;
    assert!(app.identity.store().outbox_kinds().await.unwrap().iter().any(|k| k == "loyalty.linked"));
    let verified = get(&app, "/loyalty/air/links?status=verified", &air).await;
    assert_eq!(verified.body["links"][0]["id"], link.as_str());
    assert_eq!(get(&app, "/loyalty/air/links?status=pending", &air).await.body["links"], json!([]));

    let again = post(&app, &format!("/loyalty/air/links/{link}/decision"), &air, json!({"decision": "confirm"})).await;
    assert_problem(&again, 409, "conflict", "confirming twice");

    let rejected = post(&app, &format!("/loyalty/air/links/{link}/decision"), &air, json!({"decision": "reject", "reason": "card reported stolen"})).await;
    assert_eq!((rejected.status, rejected.body["status"].as_str()), (200, Some("rejected")), "{}", rejected.text);
    app.mail_text("ada@example.com", "Your air rewards membership was not linked").await;
    assert!(app.identity.store().outbox_kinds().await.unwrap().iter().any(|k| k == "loyalty.rejected"));
    assert_eq!(app.identity.loyalty_links(&me(&ada), &ada).await.unwrap()[0].status, LinkStatus::Rejected);

    // Another programme's link, through this programme's path.
    app.with_programme("air", "air-cargo", "brand-api").await;
    let bob = app.with_customer("bob@example.com", PASSWORD).await;
    let (cargo_link, _) = app.identity.request_link(&me(&bob), &bob, "air-cargo", OTHER_NUMBER, None, &seed_meta(9)).await.unwrap();
    let across = post(&app, &format!("/loyalty/air/links/{cargo_link}/decision"), &air, json!({"decision": "confirm"})).await;
    assert_problem(&across, 404, "not-found", "a link of another programme");
    assert_eq!(app.identity.loyalty_links(&me(&bob), &bob).await.unwrap()[0].status, LinkStatus::Pending);
}

async fn links_page_through(db: Db) {
    let Some(app) = spawn(db).await else { return };
    app.with_brand("air").await;
    app.with_programme("air", "air", "brand-api").await;
    let numbers = ["1234567897", "1000000008", "2000000006", "3000000004", "4000000002"];
    let mut expected = Vec::new();
    for (i, number) in numbers.iter().enumerate() {
        let customer = app.with_customer(&format!("c{i}@example.com"), PASSWORD).await;
        let (link, _) = app.identity.request_link(&me(&customer), &customer, "air", number, None, &seed_meta(9)).await.unwrap();
        expected.push(link);
        app.advance(Duration::from_secs(1));
    }
    let air = brand_token(&app, "air").await;
    let mut seen = Vec::new();
    let mut path = "/loyalty/air/links?status=pending&limit=2".to_owned();
    for page in 1.. {
        let answer = get(&app, &path, &air).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let links = answer.body["links"].as_array().unwrap();
        assert!(links.len() <= 2, "page {page}");
        seen.extend(links.iter().map(|l| l["id"].as_str().unwrap().to_owned()));
        match answer.body["next"].as_str() {
            Some(next) => path = format!("/loyalty/air/links?status=pending&limit=2&after={next}"),
            None => {
                assert_eq!(page, 3, "5 links, 2 a page");
                break;
            }
        }
    }
    assert_eq!(seen, expected, "every link once, in request order");
    let all = get(&app, "/loyalty/air/links?status=pending", &air).await;
    assert_eq!((all.body["links"].as_array().map(Vec::len), all.body["next"].clone()), (Some(5), Value::Null), "the default page holds them all");
}

async fn member_report_feeds_email_verification(db: Db) {
    let Some(app) = spawn(db).await else { return };
    app.with_brand("air").await;
    app.with_programme("air", "air", "email").await;
    let air = brand_token(&app, "air").await;
    let reported = put(
        &app,
        &format!("/loyalty/air/members/{}", "12345-67897"),
        &air,
        json!({"status": "active", "tier": "Silver", "points": 4200, "email": "card@example.com", "verification_code": "AB-12"}),
    )
    .await;
    assert_eq!(reported.status, 200, "{}", reported.text);
    assert_eq!(reported.header("cache-control"), Some("no-store"));
    let body = &reported.body;
    assert_eq!((body["number"].as_str(), body["tier"].as_str(), body["points"].as_i64()), (Some(NUMBER), Some("Silver"), Some(4200)), "{body}");
    assert_eq!((body["has_email"].as_bool(), body["has_code"].as_bool(), body["linked"].as_bool()), (Some(true), Some(true), Some(false)));
    assert!(!reported.text.contains("card@example.com") && !reported.text.contains("AB-12"), "never echoed: {}", reported.text);

    let ada = app.with_customer("ada@example.com", PASSWORD).await;
    let (link, outcome) = app.identity.request_link(&me(&ada), &ada, "air", NUMBER, None, &seed_meta(9)).await.unwrap();
    assert_eq!(outcome, LinkOutcome::CodeSent);
    let text = app.mail_text("card@example.com", "Your code to link your air rewards membership").await;
    let code: String = text_after(&text, "enter this code: ").chars().take(6).collect();
    app.identity.confirm_link_code(&me(&ada), &ada, &link, &code).await.unwrap();
    assert_eq!(app.identity.loyalty_links(&me(&ada), &ada).await.unwrap()[0].status, LinkStatus::Verified);

    let again = put(&app, &format!("/loyalty/air/members/{NUMBER}"), &air, json!({"status": "suspended"})).await;
    assert_eq!((again.body["linked"].as_bool(), again.body["status"].as_str(), again.body["has_email"].as_bool()), (Some(true), Some("suspended"), Some(false)), "{}", again.text);
}

async fn import_links_refuses_bad_lines_and_is_safe_to_rerun(db: Db) {
    let Some(app) = spawn(db).await else { return };
    app.with_brand("air").await;
    app.with_programme("air", "air", "brand-api").await;
    let ada = app.with_customer("ada@example.com", PASSWORD).await;
    let bob = app.with_customer("bob@example.com", PASSWORD).await;
    app.with_unconfirmed_customer("carol@example.com", PASSWORD).await;
    let dave = app.with_customer("dave@example.com", PASSWORD).await;
    let erin = app.with_customer("erin@example.com", PASSWORD).await;
    let fay = app.with_customer("fay@example.com", PASSWORD).await;
    let (dave_link, _) = app.identity.request_link(&me(&dave), &dave, "air", "3000000004", None, &seed_meta(9)).await.unwrap();
    app.identity.decide_link(&Principal::Operator, "air", &dave_link, identity::loyalty::Decision::Confirm, None).await.unwrap();
    let line = |email: &str, number: &str, status: &str| json!({"email": email, "number": number, "status": status}).to_string();
    let lines = [
        line("ada@example.com", "1234 5678 97", "verified"),
        line("bob@example.com", "1000000008", "pending"),
        "not json".to_owned(),
        line("nobody@example.com", "2000000006", "verified"),
        line("carol@example.com", "2000000006", "verified"),
        line("erin@example.com", "1234567890", "verified"),
        line("erin@example.com", "1234567897", "pending"),
        line("fay@example.com", "3000000004", "verified"),
        line("ADA@example.com", "4000000002", "verified"),
        line("dave@example.com", "5000000009", "verified"),
        line("erin@example.com", "5000000009", "gold"),
    ];
    let file = app.db.dir.path().join("links.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let file = file.to_str().unwrap();
    let args = ["loyalty-programme", "import-links", "--programme", "air", file];

    let out = foyer(&app.db, &args, &[]);
    assert!(!out.status.success(), "bad lines: exit 1");
    let text = stdout(&out);
    for (n, why) in [
        (3, "not a valid record"),
        (4, "no customer"),
        (5, "not confirmed"),
        (6, "Member number"),
        (7, "email repeats line 6"),
        (8, "verified for another customer"),
        (9, "email repeats line 1"),
        (10, "another membership"),
        (11, "status"),
    ] {
        assert!(text.lines().any(|l| l.starts_with(&format!("line {n}: ")) && l.contains(why)), "line {n} ({why}): {text}");
    }
    assert!(text.contains("Imported 2, already present 0, bad lines 9."), "{text}");
    assert!(!text.contains("@example.com"), "no address printed: {text}");
    let ada_links = app.identity.loyalty_links(&me(&ada), &ada).await.unwrap();
    assert_eq!((ada_links.len(), ada_links[0].status), (1, LinkStatus::Verified));
    assert_eq!(app.identity.loyalty_links(&me(&bob), &bob).await.unwrap()[0].status, LinkStatus::Pending);
    assert!(app.identity.loyalty_links(&me(&erin), &erin).await.unwrap().is_empty());
    assert!(app.identity.loyalty_links(&me(&fay), &fay).await.unwrap().is_empty());
    let trail = app.identity.store().audit_trail(&format!("customer:{ada}")).await.unwrap();
    assert!(trail.iter().any(|a| a.action == "loyalty.linked" && a.detail.contains("\"imported\":true") && !a.detail.contains(NUMBER)), "{trail:?}");
    let kinds = app.identity.store().outbox_kinds().await.unwrap();
    assert!(kinds.iter().any(|k| k == "loyalty.linked") && kinds.iter().any(|k| k == "loyalty.link_requested"), "{kinds:?}");
    // A verified import is released like a link proven in Foyer: the brand's API lists it.
    let air = brand_token(&app, "air").await;
    let verified = get(&app, "/loyalty/air/links?status=verified", &air).await;
    assert_eq!(verified.body["links"].as_array().map(Vec::len), Some(2), "dave's and ada's: {}", verified.text);

    // Re-running is safe: the two are already present, nothing is doubled.
    let again = foyer(&app.db, &args, &[]);
    assert!(stdout(&again).contains("Imported 0, already present 2, bad lines 9."), "{}", stdout(&again));
    assert_eq!(app.identity.loyalty_links(&me(&ada), &ada).await.unwrap().len(), 1);
    let pending = get(&app, "/loyalty/air/links?status=pending", &air).await;
    assert_eq!(pending.body["links"].as_array().map(Vec::len), Some(1), "{}", pending.text);

    // An unknown programme writes nothing.
    let unknown = foyer(&app.db, &["loyalty-programme", "import-links", "--programme", "nowhere", file], &[]);
    assert!(!unknown.status.success() && stderr(&unknown).contains("not found"), "{}", stderr(&unknown));
}
