//! The HTTP platform: health, readiness, headers, request ids, pages, server functions
//! with CSRF refusal, and panic recovery (the metrics: `admin_dashboard`).

use axum::routing::get;
use reqwest::header;

use crate::support::{Db, TestApp, both_backends};

both_backends!(
    health_and_readiness,
    security_headers_on_pages_and_endpoints,
    request_ids_are_assigned_and_propagated,
    home_page_is_server_rendered_with_brands,
    unknown_pages_answer_404,
    server_function_round_trip_and_cross_site_refusal,
    a_panicking_handler_becomes_a_500_page,
    dev_mailbox_exists_only_in_dev_mode,
    the_development_clock_moves_forward_only_in_dev_mode,
    the_footer_links_the_groups_privacy_notice_and_terms,
);

async fn the_footer_links_the_groups_privacy_notice_and_terms(db: Db) {
    // Unset: no legal links, only help.
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let (status, html) = app.get_text("/help").await;
    assert_eq!(status, 200);
    // (Every message's words are in the page's message map: look in the footer.)
    let footer = html.split("<footer").nth(1).unwrap_or_default();
    assert!(footer.contains(r#"href="/help""#) && !footer.contains("Privacy notice") && !html.contains(r#"rel="privacy-policy""#), "{footer}");
    app.stop().await;

    let Some(app) = TestApp::builder(db)
        .configure(|c| {
            c.privacy_url = Some("https://www.northwind.example/privacy".into());
            c.terms_url = Some("https://www.northwind.example/terms".into());
        })
        .spawn()
        .await
    else {
        return;
    };
    let (status, html) = app.get_text("/login").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"<link rel="privacy-policy" href="https://www.northwind.example/privacy">"#), "for the browser: {html}");
    let footer = html.split("<footer").nth(1).unwrap_or_default();
    assert!(footer.contains(r#"<a href="https://www.northwind.example/privacy">Privacy notice"#), "in the footer: {footer}");
    assert!(footer.contains(r#"<a href="https://www.northwind.example/terms">Terms of use"#), "in the footer: {footer}");
}

async fn health_and_readiness(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    assert_eq!(app.get_text("/healthz").await, (200, "ok".to_owned()));
    assert_eq!(app.get_text("/readyz").await, (200, "ready".to_owned()));
    // With the database gone, the process is alive but not ready.
    app.identity.store().close().await;
    assert_eq!(app.get_text("/healthz").await.0, 200);
    assert_eq!(app.get_text("/readyz").await, (503, "database unavailable".to_owned()));
}

async fn security_headers_on_pages_and_endpoints(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    for path in ["/", "/healthz", "/no-such-page"] {
        let r = app.get(path).await;
        let h = r.headers();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer", "{path}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{path}");
        assert!(!h.contains_key(header::STRICT_TRANSPORT_SECURITY), "no HSTS on plain-http dev");
    }
    // The page's script nonce is in its CSP, and there is no inline script without it.
    let r = app.get("/").await;
    let csp = r.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    let html = r.text().await.unwrap();
    let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("nonce in CSP");
    assert!(nonce.len() >= 16);
    let tags: Vec<&str> = html.split("<script").skip(1).map(|rest| rest.split('>').next().unwrap_or("")).collect();
    assert!(!tags.is_empty(), "the page has its hydration script");
    for tag in tags {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "every script carries the nonce: <script{tag}>");
    }
    let again = app.get("/").await.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert_ne!(csp, again, "a fresh nonce per response");
}

async fn request_ids_are_assigned_and_propagated(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let r = app.get("/healthz").await;
    let id = r.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let r = app.client.get(app.url("/healthz")).header("x-request-id", "trace-from-proxy-1").send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "trace-from-proxy-1");
}

async fn home_page_is_server_rendered_with_brands(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, 200);
    // The text, not its markup: erased components mark text nodes for hydration (`<!>`).
    assert!(html.contains("<h1>Welcome"), "{html}");
    assert!(html.contains("No brands use this account yet"));
    let slug = identity::brand::BrandSlug::parse("northwind-air").unwrap();
    app.identity.create_brand(&identity::principal::Principal::Operator, &slug, "Northwind Air").await.unwrap();
    let (_, html) = app.get_text("/").await;
    assert!(html.contains("Northwind Air"), "brand listed without restart");
    assert!(html.contains("/pkg/foyer.js"), "hydration script referenced");
}

async fn unknown_pages_answer_404(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let (status, html) = app.get_text("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(html.contains("Page not found") && html.contains("Go to the home page"), "{html}");
}

async fn server_function_round_trip_and_cross_site_refusal(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let call = |origin: Option<&str>, site: Option<&str>| {
        let mut req = app.client.post(app.url("/api/list_brands")).header(header::ACCEPT, "application/json");
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        if let Some(s) = site {
            req = req.header("sec-fetch-site", s);
        }
        req.body("").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").send()
    };
    let ok = call(Some(&app.public_url), Some("same-origin")).await.unwrap();
    assert_eq!(ok.status(), 200);
    let brands: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(brands, serde_json::json!([]));
    // The service status is the operator view's: no staff session, no answer.
    let status = app.client.post(app.url("/admin/api/service_status")).header(header::ACCEPT, "application/json")
        .header(header::ORIGIN, &app.public_url).header("sec-fetch-site", "same-origin")
        .body("").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").send().await.unwrap();
    assert_ne!(status.status(), 200, "the service status needs a staff session");

    let refused = call(Some("https://evil.example"), Some("cross-site")).await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("cross-site request refused"));
    let refused = call(Some("https://evil.example"), None).await.unwrap();
    assert_eq!(refused.status(), 403, "foreign Origin without Fetch Metadata");
    let refused = call(None, Some("same-site")).await.unwrap();
    assert_eq!(refused.status(), 403, "a sibling subdomain is still another origin");
}

async fn a_panicking_handler_becomes_a_500_page(db: Db) {
    async fn boom() -> &'static str {
        panic!("deliberate test panic")
    }
    let extra = axum::Router::new().route("/test/panic", get(boom));
    let Some(app) = TestApp::builder(db).with_routes(extra).spawn().await else { return };
    let r = app.get("/test/panic").await;
    assert_eq!(r.status(), 500);
    assert!(r.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("frame-ancestors 'none'"));
    let body = r.text().await.unwrap();
    assert!(body.contains("Something went wrong") && !body.contains("deliberate"), "no internals shown");
    assert_eq!(app.get_text("/healthz").await.0, 200, "the process keeps serving");
    app.stop().await;
}

async fn dev_mailbox_exists_only_in_dev_mode(db: Db) {
    let Some(prod) = TestApp::builder(db).spawn().await else { return };
    assert_eq!(prod.get_text("/dev/mail").await.0, 404);
    let Some(dev) = TestApp::builder(db).dev().spawn().await else { return };
    let (status, html) = dev.get_text("/dev/mail").await;
    assert_eq!(status, 200);
    assert!(html.contains("Development mailbox") && html.contains("No mail yet"), "{html}");
}

async fn the_development_clock_moves_forward_only_in_dev_mode(db: Db) {
    let Some(prod) = TestApp::builder(db).spawn().await else { return };
    assert_eq!(prod.get("/dev/clock").await.status().as_u16(), 404);
    let refused = prod.client.post(prod.url("/dev/clock")).form(&[("days", "30")]).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 404, "production has no such route");
    prod.stop().await;

    let Some(app) = TestApp::builder(db).dev().spawn().await else { return };
    let before = app.identity.now();
    let moved: serde_json::Value = app.client.post(app.url("/dev/clock")).form(&[("days", "30")]).send().await.unwrap().json().await.unwrap();
    assert_eq!(moved["offset_days"], 30, "{moved}");
    assert!(app.identity.now() >= before + 30 * 86_400_000, "the core reads the same clock");
    for bad in ["0", "-5", "x", "3651", ""] {
        let r = app.client.post(app.url("/dev/clock")).form(&[("days", bad)]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 400, "{bad:?}");
    }
    let r = app.client.post(app.url("/dev/clock")).header(header::CONTENT_TYPE, "application/json").body("{}").send().await.unwrap();
    assert!(r.status().is_client_error(), "a wrong body is the client's fault: {}", r.status());
    assert_eq!(app.get("/dev/clock").await.status().as_u16(), 200);
}
