//! Ticket-scoped support access (issue 16, `docs/design/admin.md` "Ticket-scoped
//! access"), one test per line of its attacker table: an agent asks, only the customer
//! approves (recently authenticated), the agent enters the customer's portal through a
//! one-time link, acts within what was approved and is seen doing it, and the access
//! ends on time or when the customer ends it. Each runs on SQLite and PostgreSQL.

use std::time::Duration;

use identity::staff::StaffRole;
use serde_json::Value;

use crate::accounts::{Browser as CustomerBrowser, PASSWORD};
use crate::staff::{Browser as StaffBrowser, signed_in_staff_as};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    no_portal_without_an_approved_ticket,
    only_the_customer_approves,
    ticket_access_expires_and_ends,
    ticket_access_never_reaches_credentials,
    ticket_actions_in_the_customers_activity,
);

pub(crate) const EMAIL: &str = "grace@example.com";

/// Grace, signed in in her own browser; the agent, signed in at /admin; Grace's id.
pub(crate) async fn grace_and_agent(app: &TestApp) -> (String, CustomerBrowser, StaffBrowser) {
    let grace = app.with_customer(EMAIL, PASSWORD).await;
    let browser = CustomerBrowser::new(app);
    assert_eq!(browser.login(EMAIL, PASSWORD).await.0, 200);
    let (agent, _) = signed_in_staff_as(app, "sam@example.com", StaffRole::Support).await;
    (grace, browser, agent)
}

/// The agent asks for `permissions` on ticket T-2001; the request's id.
pub(crate) async fn ask(app: &TestApp, agent: &StaffBrowser, customer: &str, permissions: &[&str]) -> String {
    let mut pairs: Vec<(String, String)> = vec![
        ("customer".into(), customer.into()),
        ("ticket".into(), "T-2001".into()),
        ("reason".into(), "help with the name on the account".into()),
    ];
    pairs.extend(permissions.iter().map(|p| (format!("permissions[{p}]"), "on".to_owned())));
    let form: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = agent.call("/admin/api/request-access", &form).await;
    assert_eq!(status, 200, "{body}");
    let (status, list) = agent.call("/admin/api/accesses", &[("customer", customer)]).await;
    assert_eq!(status, 200, "{list}");
    let _ = app;
    list[0]["id"].as_str().unwrap().to_owned()
}

/// The customer approves `permissions` for `minutes`.
pub(crate) async fn approve(browser: &CustomerBrowser, access: &str, permissions: &[&str], minutes: &str) -> (u16, Value) {
    let mut form = vec![("access".to_owned(), access.to_owned()), ("minutes".to_owned(), minutes.to_owned())];
    for p in permissions {
        form.push((format!("permissions[{p}]"), "on".to_owned()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.call("approve_support_access", &form).await
}

/// The agent opens the customer's portal: the entry's path, followed once.
pub(crate) async fn enter(agent: &StaffBrowser, access: &str) -> (u16, Option<String>) {
    let (status, path) = agent.call("/admin/api/enter-portal", &[("access", access)]).await;
    assert_eq!(status, 200, "{path}");
    let path = path.as_str().unwrap().to_owned();
    assert!(path.starts_with("/support/enter?token="), "{path}");
    let (status, location, _) = agent.get(&path).await;
    (status, location)
}

/// The links of the account navigation (`<nav … class="account-nav">`) in a page.
fn nav_links(page: &str) -> Vec<String> {
    let Some(start) = page.find("class=\"account-nav\"") else { return Vec::new() };
    let nav = &page[start..start + page[start..].find("</nav>").unwrap_or(0)];
    nav.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_owned).collect()
}

async fn no_portal_without_an_approved_ticket(db: Db) {
    let Some(app) = TestApp::builder(db).with_smtp().spawn().await else { return };
    let (grace, _, agent) = grace_and_agent(&app).await;
    let access = ask(&app, &agent, &grace, &["manage_profile"]).await;
    let mail = crate::accounts::mail_to(&app, EMAIL, "Support asks to look at your account (ticket T-2001)").await;
    assert!(mail.text.contains("help with the name on the account") && mail.text.contains("/account/support-access"), "{}", mail.text);
    assert!(!mail.text.contains("token="), "the mail carries no way in: the customer signs in to decide");

    // Not approved yet: no way in, and the agent's browser has no customer session.
    let (status, body) = agent.call("/admin/api/enter-portal", &[("access", &access)]).await;
    assert_eq!(status, 403, "{body}");
    let (status, location, _) = agent.get("/support/enter?token=made-up-token").await;
    assert_eq!((status, location.as_deref()), (303, Some("/admin/customers?entry=expired")), "a made-up entry leads nowhere");
    let (status, location, _) = agent.get("/account").await;
    assert_eq!(status, 303, "the portal asks the agent to sign in: {location:?}");
    // A second request while one is open is refused; another agent's request is theirs.
    let again = agent.call("/admin/api/request-access", &[("customer", &grace), ("ticket", "T-2002"), ("reason", "asking a second time"), ("permissions[view_profile]", "on")]).await;
    assert_eq!(again.0, 409, "{}", again.1);
    let (other, _) = signed_in_staff_as(&app, "kim@example.com", StaffRole::Support).await;
    assert_eq!(other.call("/admin/api/enter-portal", &[("access", &access)]).await.0, 404, "a colleague cannot use it");
    // A brand administrator cannot ask at all.
    let (ba, _) = signed_in_staff_as(&app, "ba@example.com", StaffRole::BrandAdmin).await;
    let refused = ba.call("/admin/api/request-access", &[("customer", &grace), ("ticket", "T-1"), ("reason", "just looking around"), ("permissions[view_profile]", "on")]).await;
    assert_eq!(refused.0, 403, "{}", refused.1);
}

async fn only_the_customer_approves(db: Db) {
    let Some(app) = TestApp::builder(db).with_clock().spawn().await else { return };
    let (grace, browser, agent) = grace_and_agent(&app).await;
    let access = ask(&app, &agent, &grace, &["manage_profile"]).await;

    // The agent cannot approve their own request: they have no customer session.
    let (status, body) = agent.call("/api/approve_support_access", &[("access", &access), ("minutes", "60"), ("permissions[manage_profile]", "on")]).await;
    assert_eq!(status, 401, "{body}");
    // Another customer cannot either.
    app.with_customer("mallory@example.com", PASSWORD).await;
    let mallory = CustomerBrowser::new(&app);
    assert_eq!(mallory.login("mallory@example.com", PASSWORD).await.0, 200);
    assert_eq!(approve(&mallory, &access, &["manage_profile"], "60").await.0, 404, "another customer's request is not found");
    // Longer than an hour, or more than was asked: refused, with a reason.
    let (status, body) = approve(&browser, &access, &["manage_profile"], "120").await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = approve(&browser, &access, &["manage_loyalty"], "30").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("only what support asked for"), "{body}");
    // Signed in six minutes ago: confirm it's you first.
    app.advance(Duration::from_secs(6 * 60));
    let (status, body) = approve(&browser, &access, &["manage_profile"], "30").await;
    assert_eq!(status, 403, "a recent authentication is asked for: {body}");
    assert_eq!(body, serde_json::json!("ReauthRequired"), "{body}");
    assert_eq!(browser.call("reauthenticate", &[("password", PASSWORD)]).await.0, 200);
    let (status, body) = approve(&browser, &access, &["manage_profile"], "30").await;
    assert_eq!(status, 200, "{body}");
    // Decided once.
    assert_eq!(browser.call("refuse_support_access", &[("access", &access)]).await.0, 409);
}

async fn ticket_access_expires_and_ends(db: Db) {
    let Some(app) = TestApp::builder(db).with_clock().spawn().await else { return };
    let (grace, browser, agent) = grace_and_agent(&app).await;
    let access = ask(&app, &agent, &grace, &["manage_profile"]).await;
    assert_eq!(approve(&browser, &access, &["manage_profile"], "15").await.0, 200);

    assert_eq!(enter(&agent, &access).await, (303, Some("/account".to_owned())));
    let (status, _, page) = agent.get("/account").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Support agent Sam Support for ticket T-2001, until"), "the banner: {page}");
    // The account navigation offers the agent only what the approval opens (the profile
    // here); the customer's own navigation lists every page.
    assert_eq!(nav_links(&page), ["/account"], "{page}");
    let (_, own) = browser.page("/account").await;
    assert!(nav_links(&own).len() > 5 && nav_links(&own).contains(&"/account/security".to_owned()), "{own}");
    // The entry link works once.
    let (status, path) = agent.call("/admin/api/enter-portal", &[("access", &access)]).await;
    assert_eq!(status, 200);
    let path = path.as_str().unwrap().to_owned();
    let fresh = StaffBrowser::new(&app);
    assert_eq!(fresh.get(&path).await.1.as_deref(), Some("/account"));
    assert_eq!(fresh.get(&path).await.1.as_deref(), Some("/admin/customers?entry=expired"), "spent");

    // Fifteen minutes later: refused at the next request, the banner gone.
    app.advance(Duration::from_secs(15 * 60 + 1));
    let (status, body) = agent.call("/api/get_profile", &[]).await;
    assert_eq!(status, 403, "expired: {body}");
    let (status, _, page) = agent.get("/account").await;
    assert!(status == 303 || !page.contains("Support agent Sam Support"), "no support session any more ({status})");

    // A new approval (to a colleague: Sam's staff session has idled out meanwhile), ended
    // by the customer: the agent's next request is refused.
    let (kim, _) = signed_in_staff_as(&app, "kim@example.com", StaffRole::Support).await;
    let access = ask(&app, &kim, &grace, &["manage_profile"]).await;
    assert_eq!(browser.login(EMAIL, PASSWORD).await.0, 200);
    assert_eq!(approve(&browser, &access, &["manage_profile"], "60").await.0, 200);
    assert_eq!(enter(&kim, &access).await.0, 303);
    assert_eq!(kim.call("/api/get_profile", &[]).await.0, 200);
    assert_eq!(browser.call("end_support_access", &[("access", &access)]).await.0, 200);
    assert_eq!(kim.call("/api/get_profile", &[]).await.0, 403, "ended: refused at once");
    let (_, list) = browser.call("support_requests", &[]).await;
    assert!(list.as_array().unwrap().iter().all(|r| r["state"] != "live"), "{list}");
}

async fn ticket_access_never_reaches_credentials(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let (grace, browser, agent) = grace_and_agent(&app).await;
    let every = ["view_profile", "manage_profile", "manage_consents", "manage_loyalty"];
    let access = ask(&app, &agent, &grace, &every).await;
    assert_eq!(approve(&browser, &access, &every, "60").await.0, 200);
    assert_eq!(enter(&agent, &access).await.0, 303);
    assert_eq!(agent.call("/api/get_profile", &[]).await.0, 200, "what was approved works");
    for (endpoint, form) in [
        ("/api/change_password", vec![("current", PASSWORD), ("new", "another long passphrase 7"), ("sign_out_apps", "on")]),
        ("/api/start_totp", vec![]),
        ("/api/change_email", vec![("new_email", "agent@example.com")]),
        ("/api/create_export", vec![]),
        ("/api/request_deletion", vec![("confirmation", EMAIL)]),
        ("/api/end_other_devices", vec![]),
        ("/api/list_devices", vec![]),
        ("/api/support_requests", vec![]),
        ("/api/approve_support_access", vec![("access", access.as_str()), ("minutes", "60"), ("permissions[manage_profile]", "on")]),
    ] {
        let (status, body) = agent.call(endpoint, &form).await;
        assert!(status == 403 || status == 400, "{endpoint} is closed to support ({status}): {body}");
        assert_ne!(status, 200, "{endpoint}");
    }
    // The customer's own session is untouched.
    assert_eq!(browser.me().await["email"], EMAIL);
}

async fn ticket_actions_in_the_customers_activity(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let (grace, browser, agent) = grace_and_agent(&app).await;
    let access = ask(&app, &agent, &grace, &["manage_profile"]).await;
    assert_eq!(approve(&browser, &access, &["manage_profile"], "30").await.0, 200);
    assert_eq!(enter(&agent, &access).await.0, 303);
    let (status, body) = agent.call("/api/save_profile", &[("form[given_name]", "Grace"), ("form[family_name]", "Hopper")]).await;
    assert_eq!(status, 200, "{body}");

    // Grace sees who did it, for which ticket; the audit row names the agent.
    let (status, activity) = browser.call("activity", &[]).await;
    assert_eq!(status, 200, "{activity}");
    let text = activity.to_string();
    assert!(text.contains("T-2001"), "the ticket in her activity: {text}");
    let rows = app.identity.store().audit_trail(&format!("customer:{grace}")).await.unwrap();
    let update = rows.iter().find(|r| r.action == "profile.updated").expect("the change is audited");
    assert!(update.actor.starts_with("staff:"), "{update:?}");
    assert!(update.detail.contains("\"ticket\":\"T-2001\"") && update.detail.contains(&access), "{update:?}");
    for action in ["support.access_requested", "support.access_approved", "support.access_entered"] {
        assert_eq!(rows.iter().filter(|r| r.action == action).count(), 1, "{action}");
    }
    // Leaving ends the access.
    assert_eq!(agent.call("/api/logout", &[]).await.0, 200);
    let (_, list) = browser.call("support_requests", &[]).await;
    assert_eq!(list[0]["state"], "ended", "{list}");
    let rows = app.identity.store().audit_trail(&format!("customer:{grace}")).await.unwrap();
    assert_eq!(rows.iter().filter(|r| r.action == "support.access_ended").count(), 1);
}
