//! The customer 360 page for support (issue 16, `docs/design/admin.md` "The 360 view"),
//! as a browser without the wasm sees it: the whole picture with the contact details
//! masked; a reveal posted as a plain form, refused without a reason, shown afterwards
//! to the agent who asked and to nobody else, for a minute; roles that may not look; the
//! support actions' forms (an agent's and a lead's) posted as plain forms. Each runs on
//! SQLite and PostgreSQL.

use std::time::Duration;

use identity::domain::profile::ProfileForm;
use identity::principal::Principal;
use identity::staff::StaffRole;

use crate::accounts::PASSWORD;
use crate::staff::signed_in_staff_as;
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    the_360_shows_the_whole_picture_masked,
    a_reveal_shows_the_value_to_its_agent_for_a_minute,
    roles_without_customer_records_see_none,
    support_actions_work_from_the_page,
);

const PHONE: &str = "+44 20 7946 0123";
/// The phone as stored (E.164), what a reveal shows.
const STORED_PHONE: &str = "+442079460123";

/// Ada, with a full profile.
async fn ada(app: &TestApp) -> String {
    let ada = app.with_customer("ada.king@example.com", PASSWORD).await;
    let form = ProfileForm {
        given_name: Some("Ada".into()),
        family_name: Some("King".into()),
        phone: Some(PHONE.into()),
        birth_date: Some("1985-12-10".into()),
        street: Some("12 St James's Square".into()),
        locality: Some("London".into()),
        postal_code: Some("SW1Y 4JH".into()),
        country: Some("GB".into()),
        ..Default::default()
    };
    app.identity.update_profile(&Principal::customer(&ada, "foyer:pwd"), &ada, &form).await.unwrap();
    ada
}

/// The path and query of a redirect to `page` (on this origin).
fn local(location: String, page: &str) -> String {
    let at = location.find(page).unwrap_or_else(|| panic!("not back to {page}: {location}"));
    assert!(location[..at].starts_with("http://localhost:") || at == 0, "{location}");
    location[at..].to_owned()
}

async fn the_360_shows_the_whole_picture_masked(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let ada = ada(&app).await;
    let (agent, _) = signed_in_staff_as(&app, "sam@example.com", StaffRole::Support).await;
    let (status, _, html) = agent.get(&format!("/admin/customers/{ada}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Ada King") && html.contains(&ada), "name and id: {html}");
    for heading in ["Contact details", "Sign-in methods", "Sessions and devices", "Brands used", "Consents", "Household and delegations", "Loyalty memberships", "Recent activity"] {
        assert!(html.contains(heading), "section {heading}");
    }
    assert!(html.contains("a\u{2022}\u{2022}\u{2022}@e\u{2022}\u{2022}\u{2022}.com"), "the address masked");
    assert!(html.contains("0123") && !html.contains("7946"), "the phone masked but for its last digits");
    for clear in ["ada.king@example.com", "1985", "St James", "SW1Y"] {
        assert!(!html.contains(clear), "{clear} is not shown before a reveal");
    }
    assert!(html.contains("GB"), "the country stays: it routes the call");
    assert!(html.contains("profile.updated"), "the recent activity lists the profile change: {html}");
    // The search result links here.
    let (_, _, found) = agent.get("/admin/customers?q=ada+king").await;
    assert!(found.contains(&format!("href=\"/admin/customers/{ada}\"")), "{found}");
}

async fn a_reveal_shows_the_value_to_its_agent_for_a_minute(db: Db) {
    let Some(app) = TestApp::builder(db).with_clock().spawn().await else { return };
    let ada = ada(&app).await;
    let page = format!("/admin/customers/{ada}");
    let (agent, _) = signed_in_staff_as(&app, "sam@example.com", StaffRole::Support).await;
    let (other, _) = signed_in_staff_as(&app, "kim@example.com", StaffRole::Support).await;

    // Without a reason: back to the page with the reason asked for; nothing recorded.
    let (status, location) = agent.post_plain("/admin/api/reveal", &[("customer", &ada), ("field", "phone"), ("reason", ""), ("ticket", "T-1042"), ("__page", &page)]).await;
    assert_eq!(status, 303);
    let back = local(location.unwrap(), &page);
    let (_, _, html) = agent.get(&back).await;
    assert!(html.contains("say why, in a few words"), "the reason is asked for: {html}");
    assert!(!html.contains(STORED_PHONE), "nothing revealed");
    let lead = Principal::Staff { id: "lead".into(), role: StaffRole::SupportLead, ticket: None, brands: vec![] };
    assert!(app.identity.reveal_counts(&lead, 0).await.unwrap().is_empty(), "a refused reveal is not counted");

    // With a reason and the ticket: the page shows the value to this agent.
    let (status, location) =
        agent.post_plain("/admin/api/reveal", &[("customer", &ada), ("field", "phone"), ("reason", "caller confirms their number"), ("ticket", "T-1042"), ("__page", &page)]).await;
    assert_eq!(status, 303);
    let back = local(location.unwrap(), &page);
    assert!(!back.contains("7946"), "never in the URL: {back}");
    let (_, _, html) = agent.get(&back).await;
    assert!(html.contains(STORED_PHONE), "revealed: {html}");
    assert!(!html.contains("ada.king@example.com") && !html.contains("SW1Y"), "only the field asked for");
    let (_, _, theirs) = other.get(&page).await;
    assert!(!theirs.contains(STORED_PHONE), "another agent still sees it masked");
    assert_eq!(app.identity.reveal_counts(&lead, 0).await.unwrap().len(), 1, "one reveal, counted");
    // A lead reads who reveals most, by name; an agent may not.
    let (lead_browser, _) = signed_in_staff_as(&app, "lee@example.com", StaffRole::SupportLead).await;
    let (status, _, stats) = lead_browser.get("/admin/reveals?days=30").await;
    assert_eq!(status, 200, "{stats}");
    assert!(stats.contains("Sam Support") && stats.contains("action=support.revealed&amp;actor=staff:"), "{stats}");
    let (status, _, refused) = agent.get("/admin/reveals").await;
    assert_eq!(status, 403, "{refused}");
    assert!(refused.contains("Reveal statistics are for support leads and operators."), "{refused}");

    // A minute later it is masked again, for the agent too.
    app.advance(Duration::from_secs(61));
    let (_, _, later) = agent.get(&page).await;
    assert!(!later.contains(STORED_PHONE) && later.contains("0123"), "masked again");
}

async fn roles_without_customer_records_see_none(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let ada = ada(&app).await;
    let page = format!("/admin/customers/{ada}");
    for (email, role) in [("ba@example.com", StaffRole::BrandAdmin), ("op@example.com", StaffRole::Operator)] {
        let (staff, _) = signed_in_staff_as(&app, email, role).await;
        let (status, _, html) = staff.get(&page).await;
        assert_eq!(status, 403, "{role:?}: {html}");
        assert!(html.contains("Your role does not include customer records.") && !html.contains("Ada King"), "{role:?}: {html}");
        let (status, body) = staff.call("/admin/api/reveal", &[("customer", &ada), ("field", "email"), ("reason", "just curious"), ("ticket", "T-1")]).await;
        assert_eq!(status, 403, "{role:?}: {body}");
    }
    let (agent, _) = signed_in_staff_as(&app, "sam@example.com", StaffRole::Support).await;
    let (status, _, html) = agent.get("/admin/customers/no-such-customer").await;
    assert_eq!(status, 404, "{html}");
    assert!(html.contains("There is no customer with this id"), "{html}");
    let (status, location, _) = crate::staff::Browser::new(&app).get(&page).await;
    assert_eq!((status, location.as_deref()), (302, Some("/admin/login")), "signed out");
}

/// `docs/design/admin.md` "The 360 view and reveals": the support actions' forms on the
/// page, posted as a browser without the wasm does (`__page`): each comes back to the
/// page with its status line; a refused one with its error by field. An agent sees the
/// agents' forms only (the server refuses the rest anyway); a lead also locks and resets
/// two-step verification.
async fn support_actions_work_from_the_page(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let ada = ada(&app).await;
    crate::consent::published(&app, None, "news", false, &[]).await;
    app.with_brand_named("air", "Northwind Air").await;
    app.with_programme("air", "desk", "support").await;
    let me = Principal::customer(&ada, "foyer:pwd");
    app.identity.request_link(&me, &ada, "desk", "1234567897", None, &crate::support::seed::seed_meta(3)).await.unwrap();
    let page = format!("/admin/customers/{ada}?ticket=T-1042");
    let (agent, _) = signed_in_staff_as(&app, "sam@example.com", StaffRole::Support).await;

    let (status, _, html) = agent.get(&page).await;
    assert_eq!(status, 200, "{html}");
    let html = markup(&html);
    let actions = html.find("Support actions").expect("the section");
    assert!(html.find("Contact details").unwrap() < actions && actions < html.find("Sign-in methods").unwrap(), "after the contact details");
    for shown in [
        "Send a password-reset link",
        "Send the reset link",
        "Sign out everywhere",
        "Correct a profile field",
        "<label for=\"act-correct-field\">Field to correct</label>",
        "<option value=\"family_name\">Family name</option>",
        "<label for=\"act-correct-value\">New value</label>",
        "Correct the field",
        "Record a consent given by phone",
        "<option value=\"\">The group</option>",
        "<option value=\"news\">Title of news (not decided yet)</option>",
        "<legend>The customer's answer</legend>",
        "Verify a loyalty membership",
        "desk rewards (Northwind Air)",
        "Record the decision",
    ] {
        assert!(html.contains(shown), "{shown}");
    }
    assert!(html.contains("id=\"act-reset-ticket\"") && html.contains("value=\"T-1042\""), "the ticket comes from ?ticket=");
    assert!(!html.contains("Resend the confirmation"), "the address is confirmed already");
    for lead_only in ["Lock the account", "Unlock the account", "Reset two-step verification", "Identity check"] {
        assert!(!html.contains(lead_only), "an agent gets no lead's form: {lead_only}");
    }

    // The reset link: back to the page, which says it was sent.
    let ticket = [("ticket", "T-1042"), ("reason", "caller cannot sign in"), ("__page", page.as_str())];
    let form = |extra: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, &str)> = vec![("customer", ada.as_str())];
        f.extend_from_slice(extra);
        f.extend_from_slice(&ticket);
        f
    };
    let (status, location) = agent.post_plain("/admin/api/send-reset", &form(&[])).await;
    assert_eq!(status, 303);
    let back = local(location.unwrap(), &format!("/admin/customers/{ada}"));
    assert!(back.contains("ticket=T-1042") && back.contains("__ok="), "{back}");
    let html = markup(&agent.get(&back).await.2);
    assert!(html.contains("Sent: the customer has been mailed a reset link."), "{html}");
    assert!(!html.contains("Corrected:"), "only the act that worked says so");

    // A refused correction: the error by its field, nothing changed.
    let (status, location) = agent.post_plain("/admin/api/correct-profile", &form(&[("field", "phone"), ("value", "12345")])).await;
    assert_eq!(status, 303);
    let html = markup(&agent.get(&local(location.unwrap(), "/admin/customers/")).await.2);
    assert!(html.contains("href=\"#act-correct-value\""), "the summary links to the value: {html}");
    assert!(html.contains("Ada King") && !html.contains("Corrected:"));

    // A correction: the page says so and shows the new name.
    let (status, location) = agent.post_plain("/admin/api/correct-profile", &form(&[("field", "given_name"), ("value", "Augusta")])).await;
    assert_eq!(status, 303);
    let html = markup(&agent.get(&local(location.unwrap(), "/admin/customers/")).await.2);
    assert!(html.contains("Corrected: the customer has been told which detail changed."), "{html}");
    assert!(html.contains("<h1>Augusta King</h1>"), "the corrected name: {html}");

    // A consent by phone without the customer's answer is refused by name.
    let (status, location) = agent.post_plain("/admin/api/phone-consent", &form(&[("brand", ""), ("purpose", "news")])).await;
    assert_eq!(status, 303);
    let html = markup(&agent.get(&local(location.unwrap(), "/admin/customers/")).await.2);
    assert!(html.contains("href=\"#act-consent-grant\"") && html.contains("choose the customer's answer"), "{html}");

    // The agent's lock is refused by the server too; the lead's works from the page.
    let (status, _) = agent.call("/admin/api/lock", &[("customer", &ada), ("ticket", "T-1042"), ("reason", "caller reports fraud")]).await;
    assert_eq!(status, 403);
    let (lead, _) = signed_in_staff_as(&app, "lea@example.com", StaffRole::SupportLead).await;
    let html = markup(&lead.get(&page).await.2);
    for shown in ["Lock or unlock the account", "Not locked.", "Lock the account", "Reset two-step verification", "nothing to reset"] {
        assert!(html.contains(shown), "a lead sees {shown}: {html}");
    }
    let (status, location) = lead.post_plain("/admin/api/lock", &form(&[])).await;
    assert_eq!(status, 303);
    let html = markup(&lead.get(&local(location.unwrap(), "/admin/customers/")).await.2);
    assert!(html.contains("Locked by support: only a support lead unlocks it.") && html.contains("Locked: every session and grant has ended"), "{html}");
    assert!(html.contains("Unlock the account") && !html.contains("Lock the account"), "{html}");
    let row = app.identity.store().customer_by_id(&ada).await.unwrap().unwrap();
    assert_eq!((row.locked_at.is_some(), row.lock_kind.as_deref()), (true, Some("support")));
}

/// The page's markup without the renderer's hydration markers (`<!>`), as a reader
/// would take it apart.
fn markup(html: &str) -> String {
    html.replace("<!>", "").replace("<!--<() />-->", "")
}
