//! Brand administration for brand administrators and operators (issue 16,
//! `docs/design/admin.md` "Brand administration"): `/admin/brands` and
//! `/admin/brands/<slug>` as a browser without the wasm sees them, and their server
//! functions. A brand administrator of `air` changes air's details, theme (a low
//! contrast refused) and clients (created with a secret shown once, rotated with
//! overlap, redirect URIs, disabled), consent purposes, profile attributes and the
//! loyalty programme, and can neither see nor change `hotels`, its clients or anything
//! of it; an operator administers every brand; support gets 403.
//! Each runs on SQLite and PostgreSQL.

use identity::admin::audit::{AuditQuery, AuditQueryInput};
use identity::principal::Principal;
use identity::staff::StaffRole;
use serde_json::Value;

use crate::staff::{Browser, signed_in_staff_as};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    a_brand_admin_cannot_see_or_change_another_brand,
    a_brand_admin_runs_their_brand_on_plain_pages,
    operators_administer_every_brand_and_support_none,
    a_brand_admin_declares_and_publishes_purposes,
    a_brand_admin_declares_attributes,
    a_brand_admin_declares_a_loyalty_programme,
);

/// A brand administrator signed in, granted `brand`.
pub(crate) async fn brand_admin(app: &TestApp, email: &str, brand: &str) -> Browser {
    let (b, _) = signed_in_staff_as(app, email, StaffRole::BrandAdmin).await;
    assert!(app.identity.grant_staff_brand(&Principal::Operator, email, brand).await.unwrap());
    b
}

/// The audit actions recorded on `subject` (`brand:<id>`, `client:<id>`), newest first.
pub(crate) async fn audited(app: &TestApp, subject: &str) -> Vec<String> {
    let input = AuditQueryInput { subject: subject.to_owned(), ..AuditQueryInput::default() };
    let query = AuditQuery::parse(&input).unwrap();
    app.identity.search_audit(&Principal::Operator, &query).await.unwrap().entries.into_iter().map(|e| e.action).collect()
}

/// The path and query of a redirect to one of our pages.
fn local(location: String) -> String {
    let at = location.find("/admin/").unwrap_or_else(|| panic!("not one of our pages: {location}"));
    assert!(at == 0 || location[..at].starts_with("http://localhost:"), "{location}");
    location[at..].to_owned()
}

fn field(body: &Value) -> String {
    body.to_string()
}

/// The test the issue names: a brand admin cannot see or change another brand, its
/// clients or its customers' brand-specific data (no brand administration call reads
/// customers at all; every one is refused for hotels, by page and server function).
async fn a_brand_admin_cannot_see_or_change_another_brand(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    app.with_brand_named("air", "Northwind Air").await;
    app.with_brand_named("hotels", "Northwind Hotels").await;
    let hotels_client = app.with_client("hotels", "https://hotels.example/cb").await.client.id;
    let admin = brand_admin(&app, "ba@example.com", "air").await;

    let (status, _, list) = admin.get("/admin/brands").await;
    assert_eq!(status, 200, "{list}");
    assert!(list.contains("href=\"/admin/brands/air\"") && !list.contains("hotels") && !list.contains("Northwind Hotels"), "{list}");
    let (status, body) = admin.call("/admin/api/brands", &[]).await;
    assert_eq!((status, body.as_array().map(Vec::len)), (200, Some(1)), "{body}");

    let (status, _, page) = admin.get("/admin/brands/hotels").await;
    assert_eq!(status, 404, "{page}");
    assert!(page.contains("There is no brand here that you administer.") && !page.contains("Northwind Hotels") && !page.contains(&hotels_client), "{page}");
    let hotels = [
        ("/admin/api/brand", vec![("slug", "hotels")]),
        ("/admin/api/brand-details", vec![("slug", "hotels"), ("name", "Ours now"), ("website_url", ""), ("support_email", ""), ("support_url", ""), ("terms_url", ""), ("privacy_url", "")]),
        ("/admin/api/brand-theme", vec![("slug", "hotels"), ("primary", "#0b3d91"), ("on_primary", "#ffffff"), ("surface", ""), ("text", ""), ("accent", "")]),
        ("/admin/api/brand-client-create", vec![("slug", "hotels"), ("name", "Mine"), ("redirect_uris", "https://evil.example/cb"), ("kind", "confidential")]),
        ("/admin/api/brand-client-rotate", vec![("client", hotels_client.as_str()), ("keep_old", "0")]),
        ("/admin/api/brand-client-redirects", vec![("client", hotels_client.as_str()), ("redirect_uris", "https://evil.example/cb")]),
        ("/admin/api/brand-client-disable", vec![("client", hotels_client.as_str())]),
    ];
    for (path, form) in &hotels {
        let (status, body) = admin.call(path, form).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(!field(&body).contains("Northwind Hotels"), "{path}: {body}");
    }
    // Nothing of hotels changed.
    let h = app.identity.brand("hotels").await.unwrap().unwrap();
    assert_eq!((h.name.as_str(), h.theme.as_deref()), ("Northwind Hotels", None));
    let c = app.identity.client_by_id(&hotels_client).await.unwrap().unwrap();
    assert!(!c.is_disabled() && c.redirect_uris == ["https://hotels.example/cb"], "{c:?}");
    assert_eq!(app.identity.list_clients(None).await.unwrap().len(), 1, "no client registered for hotels");
    assert!(audited(&app, &format!("client:{hotels_client}")).await.iter().all(|a| a == "client.created"), "nothing audited but its creation");
    // Brand administration reads no customer: the 360 stays closed to them.
    let ada = app.with_customer("ada@example.com", crate::accounts::PASSWORD).await;
    let (status, _, html) = admin.get(&format!("/admin/customers/{ada}")).await;
    assert_eq!(status, 403, "{html}");
}

/// Air's administrator, without the wasm: details, theme with the contrast check, and
/// the clients (secret shown once on the page, never in the URL; rotation keeps the old
/// secret for the chosen time; redirect URIs; disable). Every change is audited.
async fn a_brand_admin_runs_their_brand_on_plain_pages(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let air = app.with_brand_named("air", "Northwind Air").await;
    let admin = brand_admin(&app, "ba@example.com", "air").await;
    let page = "/admin/brands/air";

    let (status, _, html) = admin.get(page).await;
    assert_eq!(status, 200, "{html}");
    for words in ["Northwind Air", "Details", "Theme", "Clients", "No client yet.", "A sample button", "/brands/air/theme.css"] {
        assert!(html.contains(words), "{words}: {html}");
    }

    // Details: a bad link refused by name, then saved.
    let details = |website: &'static str| {
        vec![("slug", "air"), ("name", "Northwind Airways"), ("website_url", website), ("support_email", "help@air.example"), ("support_url", ""), ("terms_url", ""), ("privacy_url", "https://air.example/privacy"), ("__page", page)]
    };
    let (status, location) = admin.post_plain("/admin/api/brand-details", &details("ftp://air.example")).await;
    assert_eq!(status, 303);
    let (_, _, html) = admin.get(&local(location.unwrap())).await;
    assert!(html.contains("Website URL"), "the bad field is named: {html}");
    assert_eq!(app.identity.brand("air").await.unwrap().unwrap().name, "Northwind Air", "nothing saved");
    let (status, location) = admin.post_plain("/admin/api/brand-details", &details("https://air.example")).await;
    assert_eq!(status, 303);
    let (_, _, html) = admin.get(&local(location.unwrap())).await;
    assert!(html.contains("Details saved.") && html.contains("Northwind Airways"), "{html}");
    let saved = app.identity.brand("air").await.unwrap().unwrap();
    assert_eq!((saved.website_url.as_deref(), saved.privacy_url.as_deref()), (Some("https://air.example"), Some("https://air.example/privacy")));

    // Theme: a pair below 4.5:1 refused with the ratio; a readable pair saved.
    let theme = |primary: &'static str, on: &'static str| vec![("slug", "air"), ("primary", primary), ("on_primary", on), ("surface", ""), ("text", ""), ("accent", ""), ("__page", page)];
    let (status, body) = admin.call("/admin/api/brand-theme", &theme("#777777", "#888888")[..6]).await;
    assert_eq!(status, 400, "{body}");
    assert!(field(&body).contains("at least 4.5:1"), "{body}");
    let (status, location) = admin.post_plain("/admin/api/brand-theme", &theme("#777777", "#888888")).await;
    assert_eq!(status, 303);
    let (_, _, html) = admin.get(&local(location.unwrap())).await;
    assert!(html.contains("at least 4.5:1"), "refused on the page too: {html}");
    assert_eq!(app.identity.brand("air").await.unwrap().unwrap().theme, None);
    let (status, location) = admin.post_plain("/admin/api/brand-theme", &theme("#0b3d91", "#ffffff")).await;
    assert_eq!(status, 303);
    let (_, _, html) = admin.get(&local(location.unwrap())).await;
    assert!(html.contains("Theme saved.") && html.contains("saved #0b3d91"), "{html}");

    // A client: the secret is on the page the post lands on, once, never in the URL.
    let (status, location) = admin
        .post_plain("/admin/api/brand-client-create", &[("slug", "air"), ("name", "Air web"), ("redirect_uris", "https://air.example/cb\n"), ("kind", "confidential"), ("__page", page)])
        .await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(!location.contains("fcs_"), "{location}");
    let (_, _, html) = admin.get(&local(location)).await;
    let at = html.find("fcs_").unwrap_or_else(|| panic!("the secret is shown: {html}"));
    let secret: String = html[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
    let client = app.identity.list_clients(None).await.unwrap().remove(0);
    assert!(app.identity.verify_client_secret(&client.id, &secret).await.unwrap().is_some(), "the secret shown works");
    assert!(html.contains("https://air.example/cb") && html.contains("authorization_code refresh_token"), "{html}");
    let (_, _, again) = admin.get(page).await;
    assert!(!again.contains("fcs_"), "shown once, never again");

    // Rotate with overlap: both work for a day.
    let (status, body) = admin.call("/admin/api/brand-client-rotate", &[("client", client.id.as_str()), ("keep_old", "24h")]).await;
    assert_eq!(status, 200, "{body}");
    let rotated = body["secret"].as_str().unwrap().to_owned();
    assert!(app.identity.verify_client_secret(&client.id, &secret).await.unwrap().is_some(), "the old secret keeps working");
    assert!(app.identity.verify_client_secret(&client.id, &rotated).await.unwrap().is_some());
    let (status, body) = admin.call("/admin/api/brand-client-rotate", &[("client", client.id.as_str()), ("keep_old", "30d")]).await;
    assert_eq!(status, 400, "at most 7 days: {body}");

    // Redirect URIs: a bad one refused by name; then replaced.
    let (status, body) = admin.call("/admin/api/brand-client-redirects", &[("client", client.id.as_str()), ("redirect_uris", "http://air.example/cb")]).await;
    assert_eq!(status, 400, "{body}");
    assert!(field(&body).contains("Redirect URI"), "{body}");
    let (status, location) = admin
        .post_plain("/admin/api/brand-client-redirects", &[("client", client.id.as_str()), ("redirect_uris", "https://air.example/a\r\nhttps://air.example/b"), ("__page", page)])
        .await;
    assert_eq!(status, 303);
    let (_, _, html) = admin.get(&local(location.unwrap())).await;
    assert!(html.contains("https://air.example/a") && html.contains("https://air.example/b"), "{html}");

    // A public client has no secret; disabling ends the client.
    let (status, body) = admin.call("/admin/api/brand-client-create", &[("slug", "air"), ("name", "Air app"), ("redirect_uris", "com.example.air:/cb"), ("kind", "public")]).await;
    assert_eq!((status, &body), (200, &Value::Null), "{body}");
    let (status, _) = admin.call("/admin/api/brand-client-disable", &[("client", client.id.as_str())]).await;
    assert_eq!(status, 200);
    assert!(app.identity.verify_client_secret(&client.id, &rotated).await.unwrap().is_none(), "disabled");
    let (_, _, html) = admin.get(page).await;
    assert!(html.contains("disabled") && html.contains("Air app"), "{html}");

    assert_eq!(audited(&app, &format!("brand:{}", air.id)).await, ["brand.theme_changed", "brand.updated", "brand.created"]);
    let client_actions = audited(&app, &format!("client:{}", client.id)).await;
    assert_eq!(client_actions, ["client.disabled", "client.updated", "client.secret_rotated", "client.created"]);
    let input = AuditQueryInput { subject: format!("client:{}", client.id), ..AuditQueryInput::default() };
    let entries = app.identity.search_audit(&Principal::Operator, &AuditQuery::parse(&input).unwrap()).await.unwrap().entries;
    assert!(entries[..3].iter().all(|e| e.actor.starts_with("staff:")), "the brand admin is the actor");
}

/// An operator administers every brand; support agents and leads none.
async fn operators_administer_every_brand_and_support_none(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    app.with_brand("air").await;
    app.with_brand_named("hotels", "Northwind Hotels").await;
    let hotels_client = app.with_client("hotels", "https://hotels.example/cb").await.client.id;
    let (operator, _) = signed_in_staff_as(&app, "op@example.com", StaffRole::Operator).await;
    let (_, _, list) = operator.get("/admin/brands").await;
    assert!(list.contains("/admin/brands/air") && list.contains("/admin/brands/hotels"), "{list}");
    let (status, _, html) = operator.get("/admin/brands/hotels").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&hotels_client), "{html}");
    let (status, body) = operator.call("/admin/api/brand-client-redirects", &[("client", hotels_client.as_str()), ("redirect_uris", "https://hotels.example/new")]).await;
    assert_eq!(status, 200, "{body}");
    let (_, _, shell) = operator.get("/admin").await;
    assert!(shell.contains("href=\"/admin/brands\""), "the shell links the brands: {shell}");

    for (email, role) in [("sam@example.com", StaffRole::Support), ("lee@example.com", StaffRole::SupportLead)] {
        let (staff, _) = signed_in_staff_as(&app, email, role).await;
        let (status, _, html) = staff.get("/admin/brands/air").await;
        assert_eq!(status, 403, "{role:?}: {html}");
        assert!(html.contains("Your role does not include brand administration."), "{html}");
        let (status, _, _) = staff.get("/admin/brands").await;
        assert_eq!(status, 403, "{role:?}");
        let (status, body) = staff.call("/admin/api/brand-client-disable", &[("client", hotels_client.as_str())]).await;
        assert_eq!(status, 403, "{role:?}: {body}");
        let (_, _, shell) = staff.get("/admin").await;
        assert!(!shell.contains("href=\"/admin/brands\""), "{role:?}: no link");
    }
    let (status, location, _) = Browser::new(&app).get("/admin/brands/air").await;
    assert_eq!((status, location.as_deref()), (302, Some("/admin/login")), "signed out");
}

/// Consent purposes on the brand page: air's administrator declares one and publishes
/// its first version without the wasm; hotels' purposes are neither shown nor changed.
async fn a_brand_admin_declares_and_publishes_purposes(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    app.with_brand("air").await;
    app.with_brand("hotels").await;
    let admin = brand_admin(&app, "ba@example.com", "air").await;
    let page = "/admin/brands/air";
    let declare = |categories: &'static str| {
        vec![("slug", "air"), ("key", "newsletter"), ("title", "Newsletter"), ("description", "Offers by mail."), ("legal_basis", "consent"), ("categories", categories), ("__page", page)]
    };
    let (status, location) = admin.post_plain("/admin/api/brand-purpose-create", &declare(" ")).await;
    assert_eq!(status, 303);
    let (_, _, html) = admin.get(&local(location.unwrap())).await;
    assert!(html.contains("name at least one category") && html.contains("No purpose yet."), "refused, named: {html}");
    let (status, location) = admin.post_plain("/admin/api/brand-purpose-create", &declare("contact, purchase history")).await;
    assert_eq!(status, 303);
    let (_, _, html) = admin.get(&local(location.unwrap())).await;
    assert!(html.contains("Purpose declared") && html.contains("newsletter") && html.contains("none published"), "{html}");
    let (status, location) = admin
        .post_plain("/admin/api/brand-purpose-publish", &[("slug", "air"), ("key", "newsletter"), ("text", "We send offers by mail."), ("__page", page)])
        .await;
    assert_eq!(status, 303);
    let (_, _, html) = admin.get(&local(location.unwrap())).await;
    assert!(html.contains("Version published.") && html.contains("version 1"), "{html}");
    let list = app.identity.list_purposes(&Principal::Operator, Some("air")).await.unwrap();
    assert_eq!((list.len(), list[0].versions.len()), (1, 1));

    let (status, body) = admin.call("/admin/api/brand-purposes", &[("slug", "hotels")]).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = admin
        .call("/admin/api/brand-purpose-create", &[("slug", "hotels"), ("key", "x"), ("title", "X"), ("description", "X."), ("legal_basis", "consent"), ("categories", "contact")])
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = admin.call("/admin/api/brand-purpose-publish", &[("slug", "hotels"), ("key", "newsletter"), ("text", "Ours.")]).await;
    assert_eq!(status, 404, "{body}");
    assert!(app.identity.list_purposes(&Principal::Operator, Some("hotels")).await.unwrap().is_empty());
}

/// Profile attributes on the brand page: air's administrator declares a choice
/// attribute without the wasm (a bad key refused by name first); hotels' are neither
/// shown nor changed.
async fn a_brand_admin_declares_attributes(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    app.with_brand("air").await;
    app.with_brand("hotels").await;
    let admin = brand_admin(&app, "ba@example.com", "air").await;
    let page = "/admin/brands/air";
    let declare = |key: &'static str| {
        vec![("slug", "air"), ("key", key), ("label", "Seat"), ("kind", "choice"), ("choices", "aisle=Aisle\nwindow=Window"), ("required", "on"), ("__page", page)]
    };
    let (status, location) = admin.post_plain("/admin/api/brand-attribute-create", &declare("Bad Key")).await;
    assert_eq!(status, 303);
    let (_, _, html) = admin.get(&local(location.unwrap())).await;
    assert!(html.contains("No attribute yet.") && html.contains("error-summary"), "refused: {html}");
    let (status, location) = admin.post_plain("/admin/api/brand-attribute-create", &declare("seat")).await;
    assert_eq!(status, 303);
    let (_, _, html) = admin.get(&local(location.unwrap())).await;
    assert!(html.contains("Attribute declared.") && html.contains("aisle, window") && html.contains("required"), "{html}");
    let slug = identity::brand::BrandSlug::parse("air").unwrap();
    let declared = app.identity.declared_attributes(&Principal::Operator, Some(&slug)).await.unwrap();
    assert_eq!((declared.len(), declared[0].label("en"), declared[0].group_wide), (1, "Seat", false));

    let (status, body) = admin.call("/admin/api/brand-attributes", &[("slug", "hotels")]).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = admin
        .call("/admin/api/brand-attribute-create", &[("slug", "hotels"), ("key", "seat"), ("label", "Seat"), ("kind", "text"), ("choices", "")])
        .await;
    assert_eq!(status, 404, "{body}");
    let hotels = identity::brand::BrandSlug::parse("hotels").unwrap();
    assert!(app.identity.declared_attributes(&Principal::Operator, Some(&hotels)).await.unwrap().is_empty());
}

/// The loyalty programme on the brand page: air's administrator declares one without the
/// wasm (a bad number format refused by name first); hotels gets none.
async fn a_brand_admin_declares_a_loyalty_programme(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    app.with_brand("air").await;
    app.with_brand("hotels").await;
    let admin = brand_admin(&app, "ba@example.com", "air").await;
    let page = "/admin/brands/air";
    let declare = |pattern: &'static str| {
        vec![
            ("slug", "air"),
            ("programme", "skyward"),
            ("name", "Skyward Miles"),
            ("number_pattern", pattern),
            ("tiers", "Blue, Silver, Gold"),
            ("verification", "email"),
            ("__page", page),
        ]
    };
    let (status, location) = admin.post_plain("/admin/api/brand-programme-create", &declare("[0-9")).await;
    assert_eq!(status, 303);
    let (_, _, html) = admin.get(&local(location.unwrap())).await;
    assert!(html.contains("No programme yet.") && html.contains("error-summary"), "refused: {html}");
    let (status, location) = admin.post_plain("/admin/api/brand-programme-create", &declare("[0-9]{10}")).await;
    assert_eq!(status, 303);
    let (_, _, html) = admin.get(&local(location.unwrap())).await;
    assert!(html.contains("Programme declared.") && html.contains("Skyward Miles") && html.contains("Blue, Silver, Gold"), "{html}");
    assert_eq!(app.identity.programmes(Some("air")).await.unwrap().len(), 1);

    let (status, body) = admin.call("/admin/api/brand-programmes", &[("slug", "hotels")]).await;
    assert_eq!(status, 404, "{body}");
    let form = [("slug", "hotels"), ("programme", "stays"), ("name", "Stays"), ("number_pattern", "[0-9]{8}"), ("tiers", ""), ("verification", "email")];
    let (status, body) = admin.call("/admin/api/brand-programme-create", &form).await;
    assert_eq!(status, 404, "{body}");
    assert!(app.identity.programmes(Some("hotels")).await.unwrap().is_empty());
}
