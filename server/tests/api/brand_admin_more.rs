//! Brand administration's parity with the command line (issue 16, item 7;
//! `docs/design/admin.md` "Brand administration"): every option of `foyer client
//! create` on "Register a client" and those of `foyer client update` on each client,
//! the logo of `foyer brand theme --logo` (a plain multipart post), and `foyer
//! loyalty-programme import-links` with its per-line report. As a browser without the
//! wasm posts them; each change is the core's audit row; another brand's slug or client
//! is 404 and changes nothing. Each runs on SQLite and PostgreSQL.

use identity::admin::audit::{AuditQuery, AuditQueryInput};
use identity::oidc::clients::ClientSpec;
use identity::principal::Principal;
use identity::staff::StaffRole;
use reqwest::header;
use serde_json::Value;

use crate::brand_admin::{audited, brand_admin};
use crate::staff::{Browser, signed_in_staff_as};
use crate::support::{Db, TestApp, both_backends};

both_backends!(
    a_brand_admin_registers_a_client_with_every_option,
    a_bad_option_is_refused_by_name_and_nothing_is_written,
    a_brand_admin_changes_a_clients_options,
    a_brand_admin_uploads_a_logo,
    bad_logos_are_refused_with_a_clear_message,
    an_operator_imports_loyalty_links_and_sees_the_report,
    another_brand_is_not_found_and_nothing_changes,
);

const PAGE: &str = "/admin/brands/air";

/// The path and query of a redirect to one of our pages.
fn local(location: Option<String>) -> String {
    let location = location.expect("a redirect");
    let at = location.find("/admin/").unwrap_or_else(|| panic!("not one of our pages: {location}"));
    assert!(at == 0 || location[..at].starts_with("http://localhost:"), "{location}");
    location[at..].to_owned()
}

/// A `multipart/form-data` body as a browser sends a form with files: (name, file
/// name for a file, bytes).
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "----FoyerTestBoundary7d9e";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(format!("; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes()),
            None => body.extend_from_slice(b"\r\n\r\n"),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// Posts a multipart form as a browser without script does (`Origin: null` under our
/// no-referrer policy, same-origin); the status, `Location` and body.
async fn upload(b: &Browser, path: &str, parts: &[(&str, Option<&str>, &[u8])]) -> (u16, Option<String>, String) {
    upload_from(b, path, parts, "same-origin").await
}

async fn upload_from(b: &Browser, path: &str, parts: &[(&str, Option<&str>, &[u8])], site: &str) -> (u16, Option<String>, String) {
    let (content_type, body) = multipart(parts);
    let r = b
        .client
        .post(format!("{}{path}", b.address))
        .header(header::ORIGIN, "null")
        .header("sec-fetch-site", site)
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    (status, location, r.text().await.unwrap())
}

fn png(extra: usize) -> Vec<u8> {
    [b"\x89PNG\r\n\x1a\n".as_slice(), &vec![7u8; extra]].concat()
}

/// The full options of `foyer client create`, as the form posts them (plain).
fn every_option(name: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("slug", "air"),
        ("name", name),
        ("redirect_uris", "https://air.example/cb\nhttps://air.example/cb2"),
        ("kind", "confidential"),
        ("auth_method", "client_secret_post"),
        ("jwks", ""),
        ("post_logout_uris", "https://air.example/bye"),
        ("backchannel_logout_uri", "https://air.example/backchannel"),
        ("scopes", "openid email phone orders:read"),
        ("extra_grant", "client_credentials"),
        ("subject", "pairwise"),
        ("id_token_alg", "ES256"),
        ("access_lifetime", "5m"),
        ("id_lifetime", "15m"),
        ("refresh_lifetime", "7d"),
        ("rate_per_second", "20"),
        ("rate_burst", "40"),
        ("allow_delegation", "on"),
        ("__page", PAGE),
    ]
}

/// "Register a client" with every option of `foyer client create` set away from its
/// default: all stored as typed, the secret (for client_secret_post) on the page once,
/// one `client.created` row with the brand administrator as actor.
async fn a_brand_admin_registers_a_client_with_every_option(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    app.with_brand_named("air", "Northwind Air").await;
    let admin = brand_admin(&app, "ba@example.com", "air").await;

    let (_, _, html) = admin.get(PAGE).await;
    assert!(html.contains("<summary>More options</summary>") && html.contains("Token endpoint authentication"), "{html}");
    let (status, location) = admin.post_plain("/admin/api/brand-client-create", &every_option("Air back office")).await;
    assert_eq!(status, 303);
    let location = local(location);
    assert!(!location.contains("fcs_") && !location.contains("__err"), "{location}");
    let (_, _, html) = admin.get(&location).await;
    assert!(html.contains("fcs_"), "the secret is shown: {html}");

    let clients = app.identity.list_clients(None).await.unwrap();
    assert_eq!(clients.len(), 1);
    let c = &clients[0];
    assert_eq!((c.name.as_str(), c.kind.as_str(), c.auth_method.as_str()), ("Air back office", "confidential", "client_secret_post"));
    assert_eq!(c.redirect_uris, ["https://air.example/cb", "https://air.example/cb2"]);
    assert_eq!(c.post_logout_redirect_uris, ["https://air.example/bye"]);
    assert_eq!(c.backchannel_logout_uri.as_deref(), Some("https://air.example/backchannel"));
    assert_eq!(c.allowed_scopes, ["openid", "email", "phone", "orders:read"]);
    assert_eq!(c.grant_types, ["authorization_code", "refresh_token", "client_credentials"]);
    assert_eq!((c.subject_type.as_str(), c.id_token_alg.as_str()), ("pairwise", "ES256"));
    assert_eq!((c.access_token_ttl_s, c.id_token_ttl_s, c.refresh_token_ttl_s), (300, 900, 7 * 86_400));
    assert_eq!((c.token_rate.per_second, c.token_rate.burst), (Some(20), Some(40)));
    assert!(c.allow_delegation);
    // The page lists what it was registered with.
    for words in ["pairwise", "ES256", "access token 5m, ID token 15m, refresh token 7d", "20 a second, burst 40", "https://air.example/backchannel"] {
        assert!(html.contains(words), "{words}: {html}");
    }

    // A public client through the JSON call: no secret, the defaults where left blank.
    let form = [("slug", "air"), ("name", "Air app"), ("redirect_uris", "com.example.air:/cb"), ("kind", "public"), ("auth_method", ""), ("subject", ""), ("access_lifetime", "")];
    let (status, body) = admin.call("/admin/api/brand-client-create", &form).await;
    assert_eq!((status, &body), (200, &Value::Null), "{body}");
    let public = app.identity.list_clients(None).await.unwrap().into_iter().find(|c| c.name == "Air app").unwrap();
    assert_eq!((public.auth_method.as_str(), public.subject_type.as_str(), public.access_token_ttl_s), ("none", "public", 600));

    let actions = audited(&app, &format!("client:{}", c.id)).await;
    assert_eq!(actions, ["client.created"]);
    let input = AuditQueryInput { subject: format!("client:{}", c.id), ..AuditQueryInput::default() };
    let entries = app.identity.search_audit(&Principal::Operator, &AuditQuery::parse(&input).unwrap()).await.unwrap().entries;
    assert!(entries[0].actor.starts_with("staff:"), "the brand admin is the actor: {}", entries[0].actor);
}

/// Bad option values: each refused field named (JSON and on the page, with "More
/// options" open), and no client is written.
async fn a_bad_option_is_refused_by_name_and_nothing_is_written(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    app.with_brand("air").await;
    let admin = brand_admin(&app, "ba@example.com", "air").await;

    let mut form = every_option("Air web");
    form.retain(|(k, _)| *k != "__page");
    for (k, v) in &mut form {
        match *k {
            "access_lifetime" => *v = "2h",
            "id_token_alg" => *v = "HS256",
            "rate_burst" => *v = "lots",
            _ => {}
        }
    }
    let (status, body) = admin.call("/admin/api/brand-client-create", &form).await;
    assert_eq!(status, 400, "{body}");
    let text = body.to_string();
    for field in ["Access token lifetime", "ID token algorithm", "Token burst"] {
        assert!(text.contains(field), "{field} named: {body}");
    }
    assert!(!text.contains("Redirect URI"), "only the bad fields: {body}");

    // A public client cannot have client_credentials; private_key_jwt needs a JWKS.
    let (status, body) = admin
        .call("/admin/api/brand-client-create", &[("slug", "air"), ("name", "X"), ("redirect_uris", "com.example.air:/cb"), ("kind", "public"), ("extra_grant", "client_credentials")])
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("Grant"), "{body}");
    let (status, body) = admin
        .call("/admin/api/brand-client-create", &[("slug", "air"), ("name", "X"), ("redirect_uris", "https://air.example/cb"), ("kind", "confidential"), ("auth_method", "private_key_jwt")])
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("JWKS"), "{body}");

    // Without the wasm: the page names the field and opens "More options".
    let mut plain = every_option("Air web");
    for (k, v) in &mut plain {
        if *k == "refresh_lifetime" {
            *v = "400d";
        }
    }
    let (status, location) = admin.post_plain("/admin/api/brand-client-create", &plain).await;
    assert_eq!(status, 303);
    let (_, _, html) = admin.get(&local(location)).await;
    assert!(html.contains("Refresh token lifetime") && html.contains("between 1 hour and 365 days"), "{html}");
    assert!(html.contains("href=\"#new-client-refresh\""), "the summary links the field: {html}");
    assert!(html.contains("<details open class=\"more-options\">"), "More options is open: {html}");
    assert!(app.identity.list_clients(None).await.unwrap().is_empty(), "nothing written");
}

/// `foyer client update` on the page: the token rate and burst, delegated tokens; only
/// what differs is changed, one `client.updated` row a change; nothing changed and a bad
/// rate are refused and write nothing.
async fn a_brand_admin_changes_a_clients_options(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    app.with_brand("air").await;
    let client = app.with_client("air", "https://air.example/cb").await.client.id;
    let admin = brand_admin(&app, "ba@example.com", "air").await;
    let rows = || async { audited(&app, &format!("client:{client}")).await };
    assert_eq!(rows().await, ["client.created"]);

    let (_, _, html) = admin.get(PAGE).await;
    assert!(html.contains(&format!("id=\"rate-{client}\"")) && html.contains("Save options"), "{html}");

    // The rate, without the wasm.
    let form = |rate: &'static str, burst: &'static str, delegation: bool| {
        let mut f = vec![("client", client.as_str()), ("rate_per_second", rate), ("rate_burst", burst), ("__page", PAGE)];
        if delegation {
            f.push(("allow_delegation", "on"));
        }
        f
    };
    let (status, location) = admin.post_plain("/admin/api/brand-client-update", &form("50", "", false)).await;
    assert_eq!(status, 303);
    let (_, _, html) = admin.get(&local(location)).await;
    assert!(html.contains("Client options saved.") && html.contains("50 a second"), "{html}");
    let c = app.identity.client_by_id(&client).await.unwrap().unwrap();
    assert_eq!((c.token_rate.per_second, c.token_rate.burst, c.allow_delegation), (Some(50), None, false));
    assert_eq!(rows().await, ["client.updated", "client.created"], "one row");

    // Delegation on, the rate as saved: one more row.
    let mut f = form("50", "", true);
    f.retain(|(k, _)| *k != "__page");
    let (status, body) = admin.call("/admin/api/brand-client-update", &f).await;
    assert_eq!(status, 200, "{body}");
    let c = app.identity.client_by_id(&client).await.unwrap().unwrap();
    assert_eq!((c.token_rate.per_second, c.allow_delegation), (Some(50), true));
    assert_eq!(rows().await.len(), 3);

    // Nothing changed: refused, nothing written.
    let (status, body) = admin.call("/admin/api/brand-client-update", &f).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("Nothing to change"), "{body}");
    // A bad rate and burst: both named, nothing written (not even the delegation).
    let bad = [("client", client.as_str()), ("rate_per_second", "0"), ("rate_burst", "lots")];
    let (status, body) = admin.call("/admin/api/brand-client-update", &bad).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("Token rate") && body.to_string().contains("Token burst"), "{body}");
    let c = app.identity.client_by_id(&client).await.unwrap().unwrap();
    assert_eq!((c.token_rate.per_second, c.allow_delegation), (Some(50), true), "unchanged");
    assert_eq!(rows().await.len(), 3, "no row for a refusal");

    // Back to the server's setting and delegation off: the two changes, a row each.
    let (status, body) = admin.call("/admin/api/brand-client-update", &[("client", client.as_str()), ("rate_per_second", ""), ("rate_burst", "")]).await;
    assert_eq!(status, 200, "{body}");
    let c = app.identity.client_by_id(&client).await.unwrap().unwrap();
    assert_eq!((c.token_rate.per_second, c.allow_delegation), (None, false));
    assert_eq!(rows().await.len(), 5);
}

/// A PNG logo: saved, served by the brand's logo route as uploaded, shown in the preview;
/// then an SVG replaces it. One `brand.theme_changed` row an upload.
async fn a_brand_admin_uploads_a_logo(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let air = app.with_brand_named("air", "Northwind Air").await;
    let admin = brand_admin(&app, "ba@example.com", "air").await;
    let (_, _, html) = admin.get(PAGE).await;
    assert!(html.contains("No logo yet.") && html.contains("enctype=\"multipart/form-data\"") && html.contains("action=\"/admin/brands/air/logo\""), "{html}");

    let logo = png(2_000);
    let (status, location, _) = upload(&admin, "/admin/brands/air/logo", &[("logo", Some("air.png"), &logo)]).await;
    assert_eq!(status, 303);
    let location = local(location);
    assert!(location.starts_with("/admin/brands/air?__ok="), "{location}");
    let (_, _, html) = admin.get(&location).await;
    assert!(html.contains("Logo saved.") && html.contains("src=\"/brands/air/logo?v="), "{html}");

    let served = reqwest::get(format!("{}/brands/air/logo", app.address)).await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()[header::CONTENT_TYPE], "image/png");
    assert!(served.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("sandbox"));
    assert_eq!(served.bytes().await.unwrap().as_ref(), logo.as_slice(), "served as uploaded");

    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"10\" height=\"10\" fill=\"#0b3d91\"/></svg>";
    let (status, location, _) = upload(&admin, "/admin/brands/air/logo", &[("logo", Some("air.svg"), svg)]).await;
    assert_eq!((status, local(location).contains("__ok=")), (303, true));
    let served = reqwest::get(format!("{}/brands/air/logo", app.address)).await.unwrap();
    assert_eq!(served.headers()[header::CONTENT_TYPE], "image/svg+xml");
    assert_eq!(served.bytes().await.unwrap().as_ref(), svg.as_slice());

    assert_eq!(audited(&app, &format!("brand:{}", air.id)).await, ["brand.theme_changed", "brand.theme_changed", "brand.created"]);
    // Posted from another site: refused before anything is read.
    let (status, _, _) = upload_from(&admin, "/admin/brands/air/logo", &[("logo", Some("x.png"), &png(10))], "cross-site").await;
    assert_eq!(status, 403);
    // Signed out: to the sign-in, nothing saved.
    let (status, location, _) = upload(&Browser::new(&app), "/admin/brands/air/logo", &[("logo", Some("x.png"), &png(10))]).await;
    assert_eq!((status, location.as_deref()), (303, Some("/admin/login")));
    assert_eq!(audited(&app, &format!("brand:{}", air.id)).await.len(), 3, "nothing more");
}

/// Too large (just over 100 KiB, and far over), not an image, an SVG with script, no
/// file: each refused with a sentence that says why, on the page; the saved logo stays.
async fn bad_logos_are_refused_with_a_clear_message(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let air = app.with_brand("air").await;
    let admin = brand_admin(&app, "ba@example.com", "air").await;
    let first = png(100);
    let (status, _, _) = upload(&admin, "/admin/brands/air/logo", &[("logo", Some("air.png"), &first)]).await;
    assert_eq!(status, 303);

    let just_over = png(100 * 1024);
    let far_over = png(3 * 1024 * 1024);
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
    let script = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>".to_vec();
    let handler = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><rect width=\"1\" height=\"1\"/></svg>".to_vec();
    let cases: [(&str, &[u8], &str); 6] = [
        ("just over 100 KiB", &just_over, "at most 100 KiB"),
        ("3 MiB", &far_over, "at most 100 KiB"),
        ("a GIF", &gif, "use a PNG or SVG file"),
        ("an SVG with a script element", &script, "must not contain script"),
        ("an SVG with an event attribute", &handler, "must not contain script"),
        ("no file", b"", "Logo is required."),
    ];
    for (what, bytes, words) in cases {
        let (status, location, _) = upload(&admin, "/admin/brands/air/logo", &[("logo", Some("logo"), bytes)]).await;
        assert_eq!(status, 303, "{what}");
        let location = local(location);
        assert!(location.contains("__err=") && !location.contains("__ok"), "{what}: {location}");
        let (_, _, html) = admin.get(&location).await;
        assert!(html.contains(words) && html.contains("error-summary"), "{what}: {words}: {html}");
        assert!(html.contains("id=\"field-logo-error\""), "{what}: the message is under the input: {html}");
    }
    let served = reqwest::get(format!("{}/brands/air/logo", app.address)).await.unwrap();
    assert_eq!(served.bytes().await.unwrap().as_ref(), first.as_slice(), "the saved logo stays");
    assert_eq!(audited(&app, &format!("brand:{}", air.id)).await, ["brand.theme_changed", "brand.created"], "only the first upload");
}

/// `foyer loyalty-programme import-links` on the page, for an operator: a file, then the
/// same lines pasted; the report names each bad line by number, shows once; re-running
/// counts "already present". A brand administrator is shown a sentence, not the form,
/// and the core refuses their post.
async fn an_operator_imports_loyalty_links_and_sees_the_report(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    app.with_brand("air").await;
    app.with_programme("air", "skyward", "email").await;
    let ada = app.with_customer("ada@example.com", crate::accounts::PASSWORD).await;
    app.with_unconfirmed_customer("bob@example.com", crate::accounts::PASSWORD).await;
    let (operator, _) = signed_in_staff_as(&app, "op@example.com", StaffRole::Operator).await;

    let (_, _, html) = operator.get(PAGE).await;
    assert!(html.contains("Import memberships") && html.contains("action=\"/admin/brands/air/loyalty-import\""), "{html}");
    let file = "{\"email\": \"ada@example.com\", \"number\": \"1234567897\", \"status\": \"verified\"}\n\
                not json\n\
                {\"email\": \"bob@example.com\", \"number\": \"2000000006\", \"status\": \"pending\"}\n\
                {\"email\": \"nobody@example.com\", \"number\": \"3000000004\", \"status\": \"pending\"}\n\
                \n\
                {\"email\": \"cy@example.com\", \"number\": \"123\", \"status\": \"verified\"}\n";
    let (status, location, body) = upload(&operator, "/admin/brands/air/loyalty-import", &[("programme", None, b"skyward"), ("file", Some("links.jsonl"), file.as_bytes())]).await;
    assert_eq!(status, 303, "{body}");
    let location = local(location);
    assert_eq!(location, "/admin/brands/air#h-loyalty");
    let (_, _, html) = operator.get(&location).await;
    assert!(html.contains("Imported 1, already present 0, bad lines 4."), "{html}");
    let rows = [(2, "not a valid record"), (3, "the customer has not confirmed their email address"), (4, "no customer has this email address"), (6, "Member number is not valid")];
    for (line, words) in rows {
        assert!(html.contains(&format!("<tr><td>{line}<!></td><td>{words}")), "line {line}: {html}");
    }
    assert!(["bob@example.com", "nobody@example.com", "cy@example.com"].iter().all(|a| !html.contains(a)), "no address echoed: {html}");
    let links = app.identity.loyalty_links(&Principal::customer(&ada, "foyer:pwd"), &ada).await.unwrap();
    assert_eq!((links.len(), links[0].status.as_str()), (1, "verified"));
    assert_eq!(audited(&app, &format!("customer:{ada}")).await.iter().filter(|a| *a == "loyalty.linked").count(), 1, "one row a link");
    let (_, _, again) = operator.get(PAGE).await;
    assert!(!again.contains("Imported 1"), "the report shows once");

    // The same line pasted: already present, nothing new.
    let (status, _, _) = upload(&operator, "/admin/brands/air/loyalty-import", &[("programme", None, b"skyward"), ("file", Some(""), b""), ("lines", None, file.lines().next().unwrap().as_bytes())]).await;
    assert_eq!(status, 303);
    let (_, _, html) = operator.get(PAGE).await;
    assert!(html.contains("Imported 0, already present 1, bad lines 0."), "{html}");
    // Nothing to import: said, nothing run.
    let (status, _, _) = upload(&operator, "/admin/brands/air/loyalty-import", &[("programme", None, b"skyward"), ("lines", None, b"  \n")]).await;
    assert_eq!(status, 303);
    let (_, _, html) = operator.get(PAGE).await;
    assert!(html.contains("Nothing was imported") && html.contains("Choose a file or paste the lines"), "{html}");

    // A brand administrator: a sentence instead of the form; the core refuses the post.
    let admin = brand_admin(&app, "ba@example.com", "air").await;
    let (_, _, html) = admin.get(PAGE).await;
    assert!(html.contains("is for an operator") && !html.contains("action=\"/admin/brands/air/loyalty-import\""), "{html}");
    let line = "{\"email\": \"ada@example.com\", \"number\": \"4000000002\", \"status\": \"pending\"}";
    let (status, _, body) = upload(&admin, "/admin/brands/air/loyalty-import", &[("programme", None, b"skyward"), ("lines", None, line.as_bytes())]).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(app.identity.loyalty_links(&Principal::customer(&ada, "foyer:pwd"), &ada).await.unwrap().len(), 1, "nothing linked");
}

/// Another brand's slug or client: 404 on every new form, and nothing changes.
async fn another_brand_is_not_found_and_nothing_changes(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    app.with_brand("air").await;
    let hotels = app.with_brand("hotels").await;
    app.with_programme("hotels", "stays", "email").await;
    let hotels_client = app.with_client_spec(ClientSpec::new("hotels", "Hotels web").redirect_uri("https://hotels.example/cb")).await.client.id;
    let admin = brand_admin(&app, "ba@example.com", "air").await;

    let (status, body) = admin.call("/admin/api/brand-client-update", &[("client", hotels_client.as_str()), ("rate_per_second", "5"), ("rate_burst", ""), ("allow_delegation", "on")]).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = admin.call("/admin/api/brand-client-update", &[("client", "no-such-client"), ("rate_per_second", "5"), ("rate_burst", "")]).await;
    assert_eq!(status, 404, "{body}");
    let mine = [("slug", "hotels"), ("name", "Mine"), ("redirect_uris", "https://evil.example/cb"), ("kind", "confidential"), ("rate_per_second", "5"), ("allow_delegation", "on")];
    let (status, body) = admin.call("/admin/api/brand-client-create", &mine).await;
    assert_eq!(status, 404, "{body}");
    let (status, _, body) = upload(&admin, "/admin/brands/hotels/logo", &[("logo", Some("x.png"), &png(10))]).await;
    assert_eq!(status, 404, "{body}");
    let (status, _, body) = upload(&admin, "/admin/brands/hotels/loyalty-import", &[("programme", None, b"stays"), ("lines", None, b"{}")]).await;
    assert_eq!(status, 404, "{body}");
    // Hotels' programme through air's page: not air's, so not found either.
    let (operator, _) = signed_in_staff_as(&app, "op@example.com", StaffRole::Operator).await;
    let (status, _, body) = upload(&operator, "/admin/brands/air/loyalty-import", &[("programme", None, b"stays"), ("lines", None, b"{}")]).await;
    assert_eq!(status, 404, "{body}");

    let c = app.identity.client_by_id(&hotels_client).await.unwrap().unwrap();
    assert_eq!((c.token_rate.per_second, c.allow_delegation), (None, false));
    assert_eq!(app.identity.list_clients(None).await.unwrap().len(), 1, "no client registered");
    let h = app.identity.brand("hotels").await.unwrap().unwrap();
    assert_eq!(h.logo_type, None);
    assert_eq!(audited(&app, &format!("client:{hotels_client}")).await, ["client.created"]);
    assert_eq!(audited(&app, &format!("brand:{}", hotels.id)).await, ["loyalty.programme_created", "brand.created"], "no logo");
}
