//! The customer 360 page for support (issue 16, `docs/design/admin.md` "The 360 view"),
//! as a browser without the wasm sees it: the whole picture with the contact details
//! masked; a reveal posted as a plain form, refused without a reason, shown afterwards
//! to the agent who asked and to nobody else, for a minute; roles that may not look.
//! Each runs on SQLite and PostgreSQL.

use std::time::Duration;

use identity::domain::profile::ProfileForm;
use identity::principal::Principal;
use identity::staff::StaffRole;

use crate::accounts::PASSWORD;
use crate::staff::signed_in_staff_as;
use crate::support::{Db, TestApp, both_backends};

both_backends!(the_360_shows_the_whole_picture_masked, a_reveal_shows_the_value_to_its_agent_for_a_minute, roles_without_customer_records_see_none,);

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
