//! The operator dashboard and where the metrics are served (issue 16, `docs/design/
//! admin.md` "Operator dashboard"): no public `/metrics`; `/admin/metrics` for a
//! signed-in operator only, or `GET /metrics` alone on the `FOYER_METRICS_ADDR`
//! listener; the dashboard's figures after sign-ins, refusals, a lock-out and refused
//! second steps made through the server functions (counts, not timings), as JSON and
//! as a plain page; a 403 page for every other role. Each runs on SQLite and PostgreSQL.

use identity::staff::StaffRole;
use reqwest::header;
use serde_json::{Value, json};

use crate::accounts::{self, PASSWORD, WRONG, customer};
use crate::staff::{Browser, signed_in_staff_as};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    public_metrics_are_gone_and_admin_metrics_are_for_operators,
    a_metrics_listener_serves_metrics_and_nothing_else,
    the_dashboard_counts_this_nodes_last_minute,
    only_operators_see_the_dashboard,
);

const METRICS_FORBIDDEN: &str = "Only operators may read the metrics.";
const DASHBOARD_FORBIDDEN: &str = "Only operators may see the operator dashboard.";

/// A signed-in staff browser of `role`.
async fn staff(app: &TestApp, role: StaffRole) -> Browser {
    let email = format!("{}@example.com", role.as_str().replace('_', "-"));
    signed_in_staff_as(app, &email, role).await.0
}

/// A GET with the browser's cookies: status, content type, body.
async fn fetch(b: &Browser, url: &str) -> (u16, String, String) {
    let r = b.client.get(url).send().await.unwrap();
    let status = r.status().as_u16();
    let kind = r.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, kind, r.text().await.unwrap())
}

/// What a Prometheus text body must hold: the request counter by route template, the
/// sign-in, lock-out and second-step counters from zero, the gauges.
fn assert_metrics_body(body: &str) {
    assert!(body.contains(r#"foyer_http_requests_total{method="GET",route="/healthz",status="200"} 2"#), "by route template:\n{body}");
    assert!(body.contains("foyer_http_request_duration_seconds_bucket{"), "{body}");
    for line in [
        r#"foyer_login_attempts_total{outcome="success"} 0"#,
        "foyer_password_hash_queue_depth 0",
        "foyer_outbox_backlog ",
        "foyer_outbox_dead_letters 0",
        "foyer_account_lockouts_total 0",
        r#"foyer_second_factor_failures_total{method="code"} 0"#,
        r#"foyer_second_factor_failures_total{method="recovery_code"} 0"#,
        r#"foyer_second_factor_failures_total{method="passkey"} 0"#,
        r#"foyer_outbox_deliveries_total{result="failed"} 0"#,
    ] {
        assert!(body.contains(line), "missing {line}:\n{body}");
    }
    assert!(body.trim_end().ends_with("# EOF"));
}

async fn public_metrics_are_gone_and_admin_metrics_are_for_operators(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    app.get("/healthz").await;
    app.get("/healthz").await;
    assert_eq!(app.get("/metrics").await.status(), 404, "no public /metrics");

    let signed_out = Browser::new(&app);
    let (status, _, body) = fetch(&signed_out, &app.url("/admin/metrics")).await;
    assert_eq!(status, 401, "a scraper without a session: {body}");
    assert!(body.contains("/admin/login") && !body.contains("foyer_"), "{body}");

    for role in [StaffRole::Support, StaffRole::SupportLead, StaffRole::BrandAdmin] {
        let b = staff(&app, role).await;
        let (status, _, body) = fetch(&b, &app.url("/admin/metrics")).await;
        assert_eq!((status, body.as_str()), (403, METRICS_FORBIDDEN), "{role:?}");
    }

    let operator = staff(&app, StaffRole::Operator).await;
    let (status, kind, body) = fetch(&operator, &app.url("/admin/metrics")).await;
    assert_eq!(status, 200, "{body}");
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    assert_metrics_body(&body);
}

async fn a_metrics_listener_serves_metrics_and_nothing_else(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().configure(|raw| raw.metrics_addr = "127.0.0.1:0".into()).spawn().await else { return };
    let listener = app.metrics_address.clone().expect("FOYER_METRICS_ADDR is listening");
    app.get("/healthz").await;
    app.get("/healthz").await;

    let anyone = reqwest::Client::new();
    let r = anyone.get(format!("{listener}/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200, "no sign-in on the metrics listener");
    assert!(r.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/openmetrics-text"));
    assert_metrics_body(&r.text().await.unwrap());
    for path in ["/", "/healthz", "/admin", "/admin/metrics", "/login", "/api/me"] {
        assert_eq!(anyone.get(format!("{listener}{path}")).send().await.unwrap().status(), 404, "{path} is not the metrics listener's");
    }
    assert_eq!(anyone.post(format!("{listener}/metrics")).send().await.unwrap().status(), 405, "GET only");

    // The public listener has no metrics at all, for an operator neither.
    assert_eq!(app.get("/metrics").await.status(), 404);
    let operator = staff(&app, StaffRole::Operator).await;
    let (status, _, body) = fetch(&operator, &app.url("/admin/metrics")).await;
    assert_eq!(status, 404, "served on FOYER_METRICS_ADDR only: {body}");
    assert!(!body.contains("foyer_login_attempts"));
}

/// The dashboard's JSON for `b` (an operator).
async fn dashboard(b: &Browser) -> Value {
    let (status, body) = b.call("/admin/api/dashboard", &[]).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn the_dashboard_counts_this_nodes_last_minute(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().configure(|raw| raw.lockout_threshold = 3).spawn().await else { return };
    let operator = staff(&app, StaffRole::Operator).await;
    let before = dashboard(&operator).await;
    assert_eq!(before["windows"][0]["figures"], json!({ "sign_ins": 0, "refused": 0, "failure_rate": "", "lockouts": 0, "second_factor_failures": 0, "by_method": [0, 0, 0, 0] }));
    assert_eq!(before["methods"], json!(["code", "recovery_code", "passkey", "other"]));

    // Ada signs in from two browsers.
    customer(&app, "ada@example.com").await;
    for _ in 0..2 {
        assert_eq!(accounts::Browser::new(&app).login("ada@example.com", PASSWORD).await.0, 200);
    }
    // Bob's password is guessed three times: refused thrice, locked at the third.
    customer(&app, "bob@example.com").await;
    let guesser = accounts::Browser::new(&app);
    for _ in 0..3 {
        assert_eq!(guesser.login("bob@example.com", WRONG).await.0, 400);
    }
    // Carol turns on the authenticator app (signing in once), then signs in again: a
    // wrong code, a wrong recovery code, then the right code.
    customer(&app, "carol@example.com").await;
    let carol = accounts::Browser::new(&app);
    let (secret, _) = crate::mfa::enrol(&app, &carol, "carol@example.com").await;
    carol.call("logout", &[]).await;
    assert_eq!(carol.login("carol@example.com", PASSWORD).await.0, 200);
    assert_eq!(carol.call("login_second_factor", &[("code", "123456")]).await.0, 400);
    assert_eq!(carol.call("login_second_factor", &[("code", "abcde-fghjk")]).await.0, 400);
    let code = crate::mfa::next_code(&app, &secret, 1);
    assert_eq!(carol.call("login_second_factor", &[("code", code.as_str())]).await.0, 200);

    // Four sign-ins (Ada twice, Carol twice), five refusals (Bob's three, Carol's two
    // codes), one lock-out, two refused second steps: one code, one recovery code.
    let expected = json!({ "sign_ins": 4, "refused": 5, "failure_rate": "55.6 %", "lockouts": 1, "second_factor_failures": 2, "by_method": [1, 1, 0, 0] });
    let d = dashboard(&operator).await;
    let windows: Vec<(i64, &Value)> = d["windows"].as_array().unwrap().iter().map(|w| (w["minutes"].as_i64().unwrap(), &w["figures"])).collect();
    assert_eq!(windows, [(1, &expected), (15, &expected), (60, &expected)], "{d}");
    // Minute by minute: 15 rows, the newest under way; together they hold the same.
    let minutes = d["minutes"].as_array().unwrap();
    assert_eq!(minutes.len(), 15);
    assert_eq!(minutes[0]["partial"], true);
    assert!(minutes[1..].iter().all(|m| m["partial"] == false));
    let sum = |key: &str| minutes.iter().map(|m| m["figures"][key].as_u64().unwrap()).sum::<u64>();
    assert_eq!((sum("sign_ins"), sum("refused"), sum("lockouts"), sum("second_factor_failures")), (4, 5, 1, 2));
    assert_eq!(d["dead_letters"], 0);
    assert!(d["outbox_backlog"].as_i64().unwrap() >= 0);

    // The same counters /metrics exposes.
    let (_, _, metrics) = fetch(&operator, &app.url("/admin/metrics")).await;
    for line in [
        r#"foyer_login_attempts_total{outcome="success"} 4"#,
        r#"foyer_login_attempts_total{outcome="failure"} 5"#,
        "foyer_account_lockouts_total 1",
        r#"foyer_second_factor_failures_total{method="code"} 1"#,
        r#"foyer_second_factor_failures_total{method="recovery_code"} 1"#,
    ] {
        assert!(metrics.contains(line), "missing {line}:\n{metrics}");
    }

    // The page, before any wasm: tables with captions, this node's figures said plainly
    // (the renderer puts hydration markers `<!>` after each text).
    let (status, _, html) = operator.get("/admin/dashboard").await;
    assert_eq!(status, 200, "{html}");
    for text in [
        "<caption>Sign-ins on this node<",
        "<caption>Second-step failures on this node, by method<",
        "<caption>This node, minute by minute, the last 15 minutes (UTC)<",
        "<caption>Outbox (the database",
        "Sign-in figures are this node",
        "Last minute",
        "Last 15 minutes",
        "55.6 %",
        "(so far)",
    ] {
        assert!(html.contains(text), "{text:?} in:\n{html}");
    }
    let row = html.split("id=\"window-1\"").nth(1).and_then(|r| r.split("</tr>").next()).unwrap_or_default();
    for cell in ["class=\"sign-ins\">4<", "class=\"refused\">5<", "class=\"lockouts\">1<", "class=\"second-step\">2<"] {
        assert!(row.contains(cell), "{cell} in the last minute's row: {row}");
    }
    // The staff home links it for operators.
    assert!(operator.get("/admin").await.2.contains("href=\"/admin/dashboard\""));
}

async fn only_operators_see_the_dashboard(db: Db) {
    let Some(app) = TestApp::builder(db).without_worker().spawn().await else { return };
    for role in [StaffRole::Support, StaffRole::SupportLead, StaffRole::BrandAdmin] {
        let b = staff(&app, role).await;
        let (status, _, html) = b.get("/admin/dashboard").await;
        assert_eq!(status, 403, "{role:?}: {html}");
        assert!(html.contains(DASHBOARD_FORBIDDEN), "{html}");
        assert!(!html.contains("<caption>"), "no figures shown");
        let (status, body) = b.call("/admin/api/dashboard", &[]).await;
        assert_eq!(status, 403, "{role:?}: {body}");
        assert!(!b.get("/admin").await.2.contains("href=\"/admin/dashboard\""), "{role:?}: no link on the staff home");
    }
    let (status, location, _) = Browser::new(&app).get("/admin/dashboard").await;
    assert_eq!((status, location.as_deref()), (302, Some("/admin/login")), "signed out");
    assert_eq!(Browser::new(&app).call("/admin/api/dashboard", &[]).await.0, 401);
}
