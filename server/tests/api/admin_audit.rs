//! The audit log for support leads and operators (issue 16, `docs/design/admin.md` "Audit
//! log"): search by actor, subject, action family and time with paging, who may, the CSV
//! export (formula cells defused, RFC 4180 quoting, audited once), retention (old rows
//! go, proof is pseudonymised, new rows stay, the database still refuses anything
//! else), and the plain-HTML page. Each runs on SQLite and PostgreSQL.

use std::sync::Arc;

use identity::admin::audit::{AuditEntry, AuditQuery, AuditQueryInput};
use identity::admin::overview::MaskedField;
use identity::audit::{Actor, AuditEvent};
use identity::domain::Email;
use identity::principal::Principal;
use identity::staff::StaffRole;
use identity::{Error, FixedClock, Identity};
use reqwest::header;
use secrecy::ExposeSecret as _;
use serde_json::json;

use crate::accounts::PASSWORD;
use crate::staff::{Browser, STAFF_PASSWORD, enrol, next_code};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    search_by_actor_subject_action_and_time_with_paging,
    only_leads_and_operators_read_the_log,
    csv_export_escapes_formulas_and_is_audited_once,
    retention_deletes_old_rows_and_pseudonymises_proof,
    a_lead_reads_the_log_on_a_plain_page,
);

const DAY: i64 = 86_400_000;

async fn spawn(db: Db) -> Option<TestApp> {
    TestApp::builder(db).without_worker().spawn().await
}

fn staff(id: &str, role: StaffRole) -> Principal {
    Principal::Staff { id: id.into(), role, ticket: None, brands: vec![] }
}

fn lead() -> Principal {
    staff("lead1", StaffRole::SupportLead)
}

fn agent(id: &str) -> Principal {
    staff(id, StaffRole::Support)
}

fn query(f: impl FnOnce(&mut AuditQueryInput)) -> AuditQuery {
    let mut input = AuditQueryInput::default();
    f(&mut input);
    AuditQuery::parse(&input).unwrap()
}

/// The core as it was `days_ago` days before the app's clock.
fn at_days_ago(app: &TestApp, now: i64, days_ago: i64) -> Identity {
    app.identity_at(Arc::new(FixedClock::at(now - days_ago * DAY)))
}

/// `YYYY-MM-DD` of an instant (UTC).
fn day(at: i64) -> String {
    identity::clock::format_millis(at).chars().take(10).collect()
}

/// Every entry matching `q`, page after page, newest first.
async fn all_pages(identity: &Identity, q: &AuditQuery) -> (Vec<AuditEntry>, usize) {
    let mut q = q.clone();
    let mut entries = Vec::new();
    let mut pages = 0;
    loop {
        let page = identity.search_audit(&lead(), &q).await.unwrap();
        pages += 1;
        assert!(page.entries.len() <= q.limit, "a page holds at most its limit");
        entries.extend(page.entries);
        match page.next {
            // The same filter, from the opaque cursor on.
            Some(next) => q.cursor = query(|i| i.cursor = next).cursor,
            None => return (entries, pages),
        }
    }
}

/// Writes one row through the core's own `audit::record` (what every use case calls),
/// for text no use case lets through (a reason starting with a tab) or proof rows of a
/// chosen age.
async fn plant(identity: &Identity, actor: Actor, subject: Option<String>, action: &str, reason: Option<&str>) {
    let mut tx = identity.store().begin().await.unwrap();
    identity::audit::record(&mut tx, &AuditEvent { at: identity.now(), actor, subject, action, reason, detail: json!({ "planted": true }) }).await.unwrap();
    tx.commit().await.unwrap();
}

async fn search_by_actor_subject_action_and_time_with_paging(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let now = app.identity.now();
    let ada = app.with_customer("ada@example.com", PASSWORD).await;
    let bob = app.with_customer("bob@example.com", PASSWORD).await;
    for days_ago in [10, 5, 0] {
        at_days_ago(&app, now, days_ago).reveal_field(&agent("s1"), &ada, MaskedField::Email, "caller confirms identity", "T-1").await.unwrap();
    }
    app.identity.reveal_field(&agent("s9"), &bob, MaskedField::Email, "caller lost access", "T-2").await.unwrap();

    let by_actor = app.identity.search_audit(&lead(), &query(|i| i.actor = "staff:s1".into())).await.unwrap();
    assert_eq!(by_actor.entries.len(), 3, "{by_actor:?}");
    assert!(by_actor.entries.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    assert!(by_actor.entries.iter().all(|e| e.actor == "staff:s1" && e.action == "support.revealed"));
    assert_eq!(by_actor.entries[0].reason.as_deref(), Some("caller confirms identity"));
    assert_eq!(by_actor.next, None);

    // A bare customer id is the customer's label, in any case.
    let about_ada = app.identity.search_audit(&lead(), &query(|i| i.subject = ada.to_uppercase())).await.unwrap();
    assert!(about_ada.entries.iter().all(|e| e.subject.as_deref() == Some(&format!("customer:{ada}"))));
    assert!(about_ada.entries.iter().any(|e| e.action == "customer.registered"), "{about_ada:?}");
    assert_eq!(about_ada.entries.iter().filter(|e| e.action == "support.revealed").count(), 3);

    let family = app.identity.search_audit(&lead(), &query(|i| i.action = "support.".into())).await.unwrap();
    assert_eq!(family.entries.len(), 4, "a family by its prefix");
    let exact = app.identity.search_audit(&lead(), &query(|i| i.action = "support.revealed".into())).await.unwrap();
    assert_eq!(exact.entries, family.entries);
    assert!(app.identity.search_audit(&lead(), &query(|i| i.action = "support".into())).await.unwrap().entries.is_empty(), "exact means exact");
    let customers = app.identity.search_audit(&lead(), &query(|i| i.action = "customer.*".into())).await.unwrap();
    assert!(!customers.entries.is_empty() && customers.entries.iter().all(|e| e.action.starts_with("customer.")), "{customers:?}");

    // Whole UTC days: from six days ago to yesterday holds only the reveal of five days ago.
    let window = query(|i| {
        i.action = "support.".into();
        i.from = day(now - 6 * DAY);
        i.to = day(now - DAY);
    });
    let found = app.identity.search_audit(&lead(), &window).await.unwrap();
    assert_eq!(found.entries.iter().map(|e| e.at).collect::<Vec<_>>(), vec![now - 5 * DAY]);
    let since = app.identity.search_audit(&lead(), &query(|i| {
        i.action = "support.".into();
        i.from = day(now - 6 * DAY);
    }))
    .await
    .unwrap();
    assert_eq!(since.entries.len(), 3, "from alone");

    // Pages of two: every entry once, in order, and the last page says so.
    let paged = query(|i| {
        i.action = "support.".into();
        i.limit = "2".into();
    });
    let first = app.identity.search_audit(&lead(), &paged).await.unwrap();
    assert_eq!(first.entries.len(), 2);
    assert!(first.next.is_some());
    let (all, pages) = all_pages(&app.identity, &paged).await;
    assert_eq!(pages, 2);
    assert_eq!(all, family.entries, "the pages together are the whole result");

    // Bad input is named, never a failure of ours.
    let bad = AuditQuery::parse(&AuditQueryInput { from: "2026-12-02".into(), to: "2026-12-01".into(), limit: "500".into(), ..AuditQueryInput::default() });
    let Err(Error::Fields(fields)) = bad else { panic!("{bad:?}") };
    assert_eq!(fields.iter().map(|f| f.field()).collect::<Vec<_>>(), ["Limit", "To"]);
}

async fn only_leads_and_operators_read_the_log(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let ada = app.with_customer("ada@example.com", PASSWORD).await;
    let q = AuditQuery::default();
    for p in [
        agent("s1"),
        staff("s3", StaffRole::BrandAdmin),
        Principal::customer(&ada, "foyer:mfa"),
        Principal::Anonymous,
        Principal::System,
        Principal::Machine { client: "rp".into(), brand: "b".into(), scopes: vec![] },
    ] {
        assert!(matches!(app.identity.search_audit(&p, &q).await, Err(Error::Forbidden)), "{:?}", p.kind());
        assert!(matches!(app.identity.export_audit_csv(&p, &q).await, Err(Error::Forbidden)), "{:?}", p.kind());
    }
    let exported = app.identity.search_audit(&lead(), &query(|i| i.action = "audit.exported".into())).await.unwrap();
    assert!(exported.entries.is_empty(), "a refused export writes nothing");
    for p in [lead(), staff("op1", StaffRole::Operator), Principal::Operator] {
        let page = app.identity.search_audit(&p, &q).await.unwrap();
        assert!(!page.entries.is_empty(), "{:?}", p.kind());
    }
}

async fn csv_export_escapes_formulas_and_is_audited_once(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let ada = app.with_customer("ada@example.com", PASSWORD).await;
    // Through a use case: a reveal's reason is the agent's free text.
    app.identity.reveal_field(&agent("s1"), &ada, MaskedField::Email, "=HYPERLINK(\"http://evil.example\",\"x\")", "T-1").await.unwrap();
    let subject = Some(format!("customer:{ada}"));
    for reason in ["+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\tcmd", "a, \"b\"\nc"] {
        plant(&app.identity, Actor::Staff("s1".into()), subject.clone(), "support.noted", Some(reason)).await;
    }
    let csv = app.identity.export_audit_csv(&lead(), &query(|i| {
        i.actor = "staff:s1".into();
        i.action = "support.".into();
    }))
    .await
    .unwrap();
    assert_eq!((csv.rows, csv.truncated), (6, false));
    let text = csv.text;
    assert!(text.starts_with("id,at_utc,actor,subject,action,reason,detail\r\n"), "{text}");
    for cell in [
        ",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",",
        ",'+cmd|' /C calc'!A0,",
        ",'-2+3,",
        ",'@SUM(1+1),",
        ",'\tcmd,",
        ",\"a, \"\"b\"\"\nc\",",
        ",\"{\"\"planted\"\":true}\"\r\n",
    ] {
        assert!(text.contains(cell), "{cell:?} in:\n{text}");
    }
    for line in text.split("\r\n").skip(1).filter(|l| !l.is_empty()) {
        assert!(!line.starts_with(['=', '+', '-', '@', '\t']), "{line:?}");
        assert!(line.contains(&format!(",staff:s1,customer:{ada},support.")), "{line:?}");
    }
    // Newest first, as the page.
    let ids: Vec<i64> = text.split("\r\n").skip(1).filter_map(|l| l.split(',').next()?.parse().ok()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");

    let exported = app.identity.search_audit(&lead(), &query(|i| i.action = "audit.exported".into())).await.unwrap();
    assert_eq!(exported.entries.len(), 1, "exactly one row per export");
    let row = &exported.entries[0];
    assert_eq!((row.actor.as_str(), row.subject.as_deref()), ("staff:lead1", None));
    let detail: serde_json::Value = serde_json::from_str(&row.detail).unwrap();
    assert_eq!(detail, json!({ "filter": { "actor": "staff:s1", "subject": null, "action": "support.*", "from": null, "before": null }, "rows": 6, "truncated": false }));
}

async fn retention_deletes_old_rows_and_pseudonymises_proof(db: Db) {
    let Some(app) = spawn(db).await else { return };
    let now = app.identity.now();
    let ada = app.with_customer("ada@example.com", PASSWORD).await;
    let bob = app.with_customer("bob@example.com", PASSWORD).await;
    let ada_label = format!("customer:{ada}");
    let bob_label = format!("customer:{bob}");
    // Proof of the same age as the sign-up rows: a consent given by Ada, one Bob gave for
    // her as her delegate, one an agent recorded by phone, and her data export.
    plant(&app.identity, Actor::Customer(ada.clone()), Some(ada_label.clone()), "consent.granted", None).await;
    plant(&app.identity, Actor::Customer(bob.clone()), Some(ada_label.clone()), "consent.withdrawn", None).await;
    plant(&app.identity, Actor::Staff("s1".into()), Some(ada_label.clone()), "consent.granted", Some("T-9")).await;
    plant(&app.identity, Actor::Customer(ada.clone()), Some(ada_label.clone()), "privacy.export_created", None).await;
    let old_plain = app.identity.search_audit(&lead(), &query(|i| i.subject = ada_label.clone())).await.unwrap().entries.len() - 4;
    assert!(old_plain >= 2, "sign-up and confirmation");

    // Unset, nothing goes, however old.
    let much_later = at_days_ago(&app, now, -400);
    assert_eq!(much_later.apply_audit_retention(&Principal::System).await.unwrap(), identity::audit::Retention::default());

    // 31 days later, with a 30-day retention, one new row besides.
    let later = at_days_ago(&app, now, -31).with_settings(identity::Settings { audit_retention_days: Some(30), ..app.identity.settings().clone() });
    later.reveal_field(&agent("s1"), &ada, MaskedField::Email, "caller confirms identity", "T-3").await.unwrap();
    assert!(matches!(later.apply_audit_retention(&agent("s1")).await, Err(Error::Forbidden)), "the platform's own work");
    let done = later.apply_audit_retention(&Principal::System).await.unwrap();
    assert_eq!(done.pseudonymised, 4);
    assert!(done.deleted >= u64::try_from(old_plain).unwrap(), "{done:?}");

    let about_ada = later.search_audit(&lead(), &query(|i| i.subject = ada_label.clone())).await.unwrap().entries;
    assert_eq!(about_ada.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["support.revealed"], "only the new row names her");
    assert!(later.search_audit(&lead(), &query(|i| i.actor = bob_label.clone())).await.unwrap().entries.is_empty(), "nor Bob");
    let pseudonym = later.erasure_pseudonym(&ada);
    let proof = later.search_audit(&lead(), &query(|i| i.subject = pseudonym.clone())).await.unwrap().entries;
    let mut kept: Vec<(String, String)> = proof.iter().map(|e| (e.actor.clone(), e.action.clone())).collect();
    kept.sort();
    let mut expected = vec![
        (pseudonym.clone(), "consent.granted".to_owned()),
        (later.erasure_pseudonym(&bob), "consent.withdrawn".to_owned()),
        ("staff:s1".to_owned(), "consent.granted".to_owned()),
        (pseudonym.clone(), "privacy.export_created".to_owned()),
    ];
    expected.sort();
    assert_eq!(kept, expected, "proof stays under the pseudonyms erasure would give");
    assert!(proof.iter().any(|e| e.reason.as_deref() == Some("T-9")), "nothing else of the row changes");

    let record = later.search_audit(&lead(), &query(|i| i.action = "audit.retention_applied".into())).await.unwrap().entries;
    assert_eq!(record.len(), 1);
    assert_eq!(record[0].actor, "system");
    let detail: serde_json::Value = serde_json::from_str(&record[0].detail).unwrap();
    assert_eq!(detail["pseudonymised"], 4);
    assert_eq!(detail["deleted"], json!(done.deleted));
    assert_eq!(detail["retention_days"], 30);

    assert_eq!(later.apply_audit_retention(&Principal::System).await.unwrap(), identity::audit::Retention::default(), "nothing left");
    assert_eq!(later.search_audit(&lead(), &query(|i| i.action = "audit.retention_applied".into())).await.unwrap().entries.len(), 1, "and nothing to record");

    // The sweep runs it: a row from before the cutoff goes with the next sweep.
    plant(&at_days_ago(&app, now, 9), Actor::System, None, "test.old", None).await;
    later.sweep(&Principal::System).await.unwrap();
    assert!(later.search_audit(&lead(), &query(|i| i.action = "test.old".into())).await.unwrap().entries.is_empty());

    // Outside the gate, the database still refuses every delete and every other update,
    // and a gate left open cannot be committed.
    let pool = app.identity.store().pool();
    let new_id = about_ada[0].id;
    assert!(sqlx::query("DELETE FROM audit_log").execute(pool).await.is_err(), "a plain delete");
    assert!(sqlx::query("DELETE FROM audit_log WHERE action = 'consent.granted'").execute(pool).await.is_err());
    assert!(sqlx::query("UPDATE audit_log SET reason = 'rewritten' WHERE id = $1").bind(new_id).execute(pool).await.is_err(), "an update");
    let mut tx = app.identity.store().begin().await.unwrap();
    sqlx::query("UPDATE audit_retention_gate SET cutoff = $1, open = 2 WHERE id = 1").bind(now + DAY).execute(&mut *tx).await.unwrap();
    assert!(tx.commit().await.is_err(), "an open gate");
    assert!(sqlx::query("DELETE FROM audit_log WHERE id = $1").bind(new_id).execute(pool).await.is_err(), "still closed");
    assert_eq!(later.search_audit(&lead(), &query(|i| i.subject = ada_label.clone())).await.unwrap().entries.len(), 1);
}

/// A staff member with `role`, enrolled and signed in: the browser and their id.
async fn signed_in(app: &TestApp, role: StaffRole) -> (Browser, String) {
    let email = format!("{}@example.com", role.as_str().replace('_', "-"));
    let created = app.identity.create_staff_named(&Principal::Operator, &Email::parse(&email).unwrap(), Some("Lee"), role, &app.public_url).await.unwrap();
    let token = created.enrolment_link.expose_secret().rsplit("token=").next().unwrap().to_owned();
    let secret = enrol(app, &token).await;
    let b = Browser::new(app);
    assert_eq!(b.admin_login(&email, STAFF_PASSWORD, &next_code(app, &secret)).await, (200, json!("/admin")));
    (b, created.row.id)
}

/// `/admin/audit` before any wasm: the GET form's results for a signed-in lead, a clear
/// 403 for an agent and a brand administrator, sign-in for nobody; the CSV download's
/// headers and its one audit row.
async fn a_lead_reads_the_log_on_a_plain_page(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let ada = app.with_customer("ada@example.com", PASSWORD).await;
    app.identity.reveal_field(&agent("s1"), &ada, MaskedField::Email, "=cmd, from the page test", "T-77").await.unwrap();
    let (lead_browser, lead_id) = signed_in(&app, StaffRole::SupportLead).await;

    let (status, _, html) = lead_browser.get("/admin/audit?action=support.").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("=cmd, from the page test") && html.contains("staff:s1") && html.contains(&format!("customer:{ada}")), "{html}");
    assert!(html.contains("<label for=\"audit-actor\"") && html.contains("type=\"date\""), "labelled inputs, date pickers");
    assert!(html.contains("/admin/audit/export?action=support."), "the export keeps the filter");
    let (status, _, html) = lead_browser.get("/admin/audit?from=someday").await;
    assert_eq!(status, 400, "a bad date is named: {html}");
    assert!(html.contains("From is not valid"), "{html}");

    let response = lead_browser.client.get(format!("{}/admin/audit/export?action=support.", lead_browser.address)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let h = response.headers().clone();
    assert_eq!(h[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = h[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(disposition.starts_with("attachment; filename=\"foyer-audit-") && disposition.ends_with(".csv\""), "{disposition}");
    assert_eq!(h[header::CACHE_CONTROL], "no-store");
    let body = response.text().await.unwrap();
    assert!(body.starts_with("id,at_utc,actor,subject,action,reason,detail\r\n") && body.contains(",\"'=cmd, from the page test\","), "{body}");
    let exported = app.identity.search_audit(&lead(), &query(|i| i.action = "audit.exported".into())).await.unwrap().entries;
    assert_eq!(exported.len(), 1);
    assert_eq!(exported[0].actor, format!("staff:{lead_id}"));

    for role in [StaffRole::Support, StaffRole::BrandAdmin] {
        let (b, _) = signed_in(&app, role).await;
        let (status, _, html) = b.get("/admin/audit").await;
        assert_eq!(status, 403, "{role:?}: {html}");
        assert!(html.contains("Only support leads and operators may search and export the audit log."), "{html}");
        assert!(!html.contains("staff:s1"), "no entry shown");
        let response = b.client.get(format!("{}/admin/audit/export", b.address)).send().await.unwrap();
        assert_eq!(response.status(), 403, "{role:?}");
        assert!(response.text().await.unwrap().contains("Only support leads and operators"));
    }
    assert_eq!(app.identity.search_audit(&lead(), &query(|i| i.action = "audit.exported".into())).await.unwrap().entries.len(), 1, "refused exports write nothing");

    let (status, location, _) = Browser::new(&app).get("/admin/audit?action=support.").await;
    assert_eq!((status, location.as_deref()), (302, Some("/admin/login")), "signed out");
    let response = Browser::new(&app).client.get(format!("{}/admin/audit/export", app.address)).send().await.unwrap();
    assert_eq!((response.status().as_u16(), response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok())), (303, Some("/admin/login")));
}
