//! The browser bundle as `./dev.sh` lays it out (content-hashed names, `hash.txt`,
//! `.br`/`.gz` siblings): linked by the pages, sent by content negotiation, cached for
//! a year by name while the pages themselves are never stored; and the strength
//! meter's server function (zxcvbn stays on the server); the sign-in pages' own bundle;
//! the pages' messages for the browser as a file of their own, hashed, compressed and
//! cached the same way.
//! Static files do not touch the database: SQLite only.

use reqwest::header;
use server::config::RawConfig;

use crate::support::{Db, TestApp};

const HASH: &str = "DrVpW0bf2D3kdvdyVUBzYw";
const WASM: &[u8] = b"\0asm\x01\0\0\0plain";
const WASM_BR: &[u8] = b"brotli bytes";
const WASM_GZ: &[u8] = b"gzip bytes";

/// A site as `tools/site.mjs finish` leaves it, in the test's own site root.
fn bundle(raw: &mut RawConfig) {
    let pkg = raw.site_root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let write = |name: String, body: &[u8]| std::fs::write(pkg.join(name), body).unwrap();
    write(format!("foyer.{HASH}.wasm"), WASM);
    write(format!("foyer.{HASH}.wasm.br"), WASM_BR);
    write(format!("foyer.{HASH}.wasm.gz"), WASM_GZ);
    write(format!("foyer.{HASH}.js"), b"export default function () {}");
    write(format!("foyer.{HASH}.css"), b"body {}");
    write("foyer.css".to_owned(), b"body {}");
    std::fs::write(raw.site_root.join("hash.txt"), format!("js: {HASH}\nwasm: {HASH}\ncss: {HASH}\n")).unwrap();
}

async fn get(app: &TestApp, path: &str, accept_encoding: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(e) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, e);
    }
    request.send().await.unwrap()
}

fn header_of(r: &reqwest::Response, name: header::HeaderName) -> Option<String> {
    r.headers().get(name).map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashed_bundle_is_precompressed_and_immutable() {
    let Some(app) = TestApp::builder(Db::Sqlite).configure(bundle).spawn().await else { return };
    let wasm = format!("/pkg/foyer.{HASH}.wasm");

    for (accept, encoding, body) in
        [(Some("gzip, deflate, br, zstd"), Some("br"), WASM_BR), (Some("gzip"), Some("gzip"), WASM_GZ), (None, None, WASM)]
    {
        let r = get(&app, &wasm, accept).await;
        assert_eq!(r.status(), 200, "{accept:?}");
        assert_eq!(header_of(&r, header::CONTENT_ENCODING).as_deref(), encoding, "{accept:?}");
        assert_eq!(header_of(&r, header::CONTENT_TYPE).as_deref(), Some("application/wasm"), "{accept:?}");
        assert_eq!(header_of(&r, header::CACHE_CONTROL).as_deref(), Some("public, max-age=31536000, immutable"), "{accept:?}");
        assert_eq!(header_of(&r, header::VARY).as_deref(), Some("accept-encoding"), "{accept:?}");
        assert_eq!(r.bytes().await.unwrap().as_ref(), body, "{accept:?}");
    }

    // A name without a content hash may change under the same URL: always revalidated.
    let plain = get(&app, "/pkg/foyer.css", Some("br")).await;
    assert_eq!(plain.status(), 200);
    assert_eq!(header_of(&plain, header::CACHE_CONTROL).as_deref(), Some("no-cache"));
    let missing = get(&app, "/pkg/foyer.AAAAAAAAAAAAAAAAAAAAAA.wasm", Some("br")).await;
    assert_eq!(missing.status(), 404);
    assert_eq!(header_of(&missing, header::CACHE_CONTROL), None, "a 404 is not cached for a year");

    // The pages link the hashed names and are never stored.
    for path in ["/login", "/register", "/no-such-page"] {
        let r = get(&app, path, Some("br")).await;
        assert_eq!(header_of(&r, header::CACHE_CONTROL).as_deref(), Some("no-store"), "{path}");
        let html = r.text().await.unwrap();
        for link in [format!("/pkg/foyer.{HASH}.js"), format!("/pkg/foyer.{HASH}.wasm"), format!("/pkg/foyer.{HASH}.css")] {
            assert!(html.contains(&link), "{path} does not link {link}:\n{html}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_pages_link_their_own_bundle() {
    const SIGN_IN: &str = "SgnInAbcdefghijklmnop_";
    let with_sign_in = |raw: &mut RawConfig| {
        bundle(raw);
        let pkg = raw.site_root.join("pkg");
        std::fs::write(pkg.join(format!("foyer-sign-in.{SIGN_IN}.js")), b"export default function () {}").unwrap();
        std::fs::write(pkg.join(format!("foyer-sign-in.{SIGN_IN}.wasm")), WASM).unwrap();
        std::fs::write(pkg.join(format!("foyer-sign-in.{SIGN_IN}.wasm.br")), WASM_BR).unwrap();
        std::fs::write(raw.site_root.join("hash.sign-in.txt"), format!("js: {SIGN_IN}\nwasm: {SIGN_IN}\n")).unwrap();
    };
    let Some(app) = TestApp::builder(Db::Sqlite).configure(with_sign_in).spawn().await else { return };

    for path in ["/login", "/login/second-factor", "/login/code", "/login?email=ann%40example.com"] {
        let html = get(&app, path, None).await.text().await.unwrap();
        for link in [format!("/pkg/foyer-sign-in.{SIGN_IN}.js"), format!("/pkg/foyer-sign-in.{SIGN_IN}.wasm"), format!("/pkg/foyer.{HASH}.css")] {
            assert!(html.contains(&link), "{path} does not link {link}:\n{html}");
        }
        assert!(!html.contains(&format!("/pkg/foyer.{HASH}.wasm")), "{path} links the full bundle too");
    }
    // Every other page, including the other pages under /login, gets every page's bundle.
    for path in ["/register", "/help", "/login/deletion", "/login/", "/no-such-page"] {
        let html = get(&app, path, None).await.text().await.unwrap();
        assert!(html.contains(&format!("/pkg/foyer.{HASH}.wasm")), "{path}:\n{html}");
        assert!(!html.contains("foyer-sign-in"), "{path} links the sign-in bundle");
    }

    let wasm = get(&app, &format!("/pkg/foyer-sign-in.{SIGN_IN}.wasm"), Some("br")).await;
    assert_eq!(header_of(&wasm, header::CONTENT_ENCODING).as_deref(), Some("br"));
    assert_eq!(header_of(&wasm, header::CACHE_CONTROL).as_deref(), Some("public, max-age=31536000, immutable"));
}

const OTHER: &str = "OtherAbcdefghijklmnop_";

/// Adds bundle `name` (hash list `list`) to the site.
fn fake_bundle(raw: &mut RawConfig, name: &str, list: &str) {
    bundle(raw);
    let pkg = raw.site_root.join("pkg");
    std::fs::write(pkg.join(format!("{name}.{OTHER}.js")), b"export default function () {}").unwrap();
    std::fs::write(pkg.join(format!("{name}.{OTHER}.wasm")), WASM).unwrap();
    std::fs::write(pkg.join(format!("{name}.{OTHER}.wasm.br")), WASM_BR).unwrap();
    std::fs::write(raw.site_root.join(list), format!("js: {OTHER}\nwasm: {OTHER}\n")).unwrap();
}

/// On a site `configure`d with bundle `name`: `owned` pages link it (and not the full
/// one), `others` link the full bundle and never it.
async fn pages_link_bundle(configure: fn(&mut RawConfig), name: &str, owned: &[&str], others: &[&str]) {
    const HASHED: &str = OTHER;
    let Some(app) = TestApp::builder(Db::Sqlite).configure(configure).spawn().await else { return };
    for path in owned {
        let html = get(&app, path, None).await.text().await.unwrap();
        for link in [format!("/pkg/{name}.{HASHED}.js"), format!("/pkg/{name}.{HASHED}.wasm"), format!("/pkg/foyer.{HASH}.css")] {
            assert!(html.contains(&link), "{path} does not link {link}:\n{html}");
        }
        assert!(!html.contains(&format!("/pkg/foyer.{HASH}.wasm")), "{path} links the full bundle too");
    }
    for path in others {
        let html = get(&app, path, None).await.text().await.unwrap();
        assert!(html.contains(&format!("/pkg/foyer.{HASH}.wasm")), "{path}:\n{html}");
        assert!(!html.contains(name), "{path} links {name}");
    }
    let wasm = get(&app, &format!("/pkg/{name}.{HASHED}.wasm"), Some("br")).await;
    assert_eq!(header_of(&wasm, header::CONTENT_ENCODING).as_deref(), Some("br"));
    assert_eq!(header_of(&wasm, header::CACHE_CONTROL).as_deref(), Some("public, max-age=31536000, immutable"));
}

/// Every page under /admin, the staff not-found page too, gets the staff bundle; a
/// customer never downloads it, not even from a path that merely starts like it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_pages_link_their_own_bundle() {
    pages_link_bundle(|raw| fake_bundle(raw, "foyer-staff", "hash.staff.txt"), "foyer-staff", &["/admin", "/admin/login", "/admin/customers?q=ada", "/admin/no-such-page"], &[
        "/login",
        "/account",
        "/administration",
        "/no-such-page",
    ])
    .await;
}

/// The customer's data pages (privacy, data, household, loyalty) get the data bundle;
/// the other account pages and the pages below them that do not exist do not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_pages_link_their_own_bundle() {
    pages_link_bundle(|raw| fake_bundle(raw, "foyer-data", "hash.data.txt"), "foyer-data", &["/login/deletion", "/account/household/join?token=x"], &[
        "/login",
        "/register",
        "/account/household/nothing-here",
        "/no-such-page",
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_hash_list_pages_link_the_plain_names() {
    let Some(app) = TestApp::builder(Db::Sqlite).spawn().await else { return };
    let html = get(&app, "/login", None).await.text().await.unwrap();
    for link in ["/pkg/foyer.js", "/pkg/foyer.wasm", "/pkg/foyer.css"] {
        assert!(html.contains(link), "{link}:\n{html}");
    }
}

/// The `href` of the page's messages preload (`<link id="foyer-messages" …>`).
fn messages_href(html: &str) -> String {
    let at = html.find("id=\"foyer-messages\"").unwrap_or_else(|| panic!("no messages link:\n{html}"));
    let start = html[..at].rfind("<link").unwrap();
    let tag = &html[start..start + html[start..].find('>').unwrap()];
    assert!(tag.contains("rel=\"preload\"") && tag.contains("as=\"fetch\"") && tag.contains("crossorigin"), "{tag}");
    let href = tag.split("href=\"").nth(1).unwrap();
    href[..href.find('"').unwrap()].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_messages_are_a_hashed_compressed_file_not_inline() {
    let Some(app) = TestApp::builder(Db::Sqlite).spawn().await else { return };
    let login = get(&app, "/login", None).await.text().await.unwrap();
    let href = messages_href(&login);
    assert!(href.starts_with("/i18n/en.") && href.ends_with(".json"), "{href}");
    assert!(!login.contains("\"shell-skip-to-content\""), "the message map is still in the page");

    let plain = get(&app, &href, None).await;
    assert_eq!(plain.status(), 200);
    assert_eq!(header_of(&plain, header::CONTENT_TYPE).as_deref(), Some("application/json"));
    assert_eq!(header_of(&plain, header::CACHE_CONTROL).as_deref(), Some("public, max-age=31536000, immutable"));
    assert_eq!(header_of(&plain, header::CONTENT_ENCODING), None);
    let json = plain.bytes().await.unwrap();
    let map: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(map["shell-skip-to-content"], "Skip to content", "{map}");

    // Compressed once, sent to whoever accepts it; the same JSON inside.
    let br = get(&app, &href, Some("gzip, deflate, br, zstd")).await;
    assert_eq!(header_of(&br, header::CONTENT_ENCODING).as_deref(), Some("br"));
    assert_eq!(header_of(&br, header::VARY).as_deref(), Some("accept-encoding"));
    let packed = br.bytes().await.unwrap();
    assert!(packed.len() * 3 < json.len(), "brotli {} of {} bytes", packed.len(), json.len());
    let mut unpacked = Vec::new();
    brotli::BrotliDecompress(&mut packed.as_ref(), &mut unpacked).unwrap();
    assert_eq!(unpacked, json.as_ref());
    let gz = get(&app, &href, Some("gzip")).await;
    assert_eq!(header_of(&gz, header::CONTENT_ENCODING).as_deref(), Some("gzip"));
    let mut unpacked = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz.bytes().await.unwrap().as_ref()), &mut unpacked).unwrap();
    assert_eq!(unpacked, json.as_ref());

    // Each language its own file, named after its own content.
    let german = app.client.get(app.url("/login")).header(header::ACCEPT_LANGUAGE, "de").send().await.unwrap().text().await.unwrap();
    let german_href = messages_href(&german);
    assert!(german_href.starts_with("/i18n/de.") && german_href != href, "{german_href}");
    let german_map: serde_json::Value = get(&app, &german_href, None).await.json().await.unwrap();
    assert_eq!(german_map["shell-skip-to-content"], "Zum Inhalt springen", "{german_map}");

    // A page from another build names another hash: it gets this build's words, not kept.
    let stale = get(&app, "/i18n/en.AAAAAAAAAAAAAAAAAAAAAA.json", None).await;
    assert_eq!(stale.status(), 200);
    assert_eq!(header_of(&stale, header::CACHE_CONTROL).as_deref(), Some("no-cache"));
    assert_eq!(stale.bytes().await.unwrap(), json);
    for unknown in ["/i18n/fr.AAAAAAAAAAAAAAAAAAAAAA.json", "/i18n/", "/i18n/..%2F..%2Fetc%2Fpasswd"] {
        assert_eq!(get(&app, unknown, None).await.status(), 404, "{unknown}");
    }
}

async fn assess(app: &TestApp, body: serde_json::Value) -> (u16, serde_json::Value) {
    let r = app
        .client
        .post(app.url("/api/assess_password"))
        .header(header::ORIGIN, &app.public_url)
        .header(header::ACCEPT, "application/json")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_strength_meter_gets_the_servers_verdict() {
    let Some(app) = TestApp::builder(Db::Sqlite).spawn().await else { return };
    let (status, weak) = assess(&app, serde_json::json!({ "password": "password123", "personal": [] })).await;
    assert_eq!(status, 200, "{weak}");
    assert!(weak["problem"].is_string() && weak["score"].as_u64() < Some(3), "a common password is refused with a reason: {weak}");

    let personal = serde_json::json!(["ann.lee@example.com", "Annabelle", "Lee"]);
    let (_, named) = assess(&app, serde_json::json!({ "password": "annabelle-gardens-77", "personal": personal })).await;
    assert_eq!(named["problem"], "Don't use your name or email address in your password.", "{named}");

    let (_, strong) = assess(&app, serde_json::json!({ "password": "correct horse battery staple", "personal": [] })).await;
    assert_eq!(strong["problem"], serde_json::Value::Null, "{strong}");
    assert!(strong["score"].as_u64() >= Some(3), "{strong}");

    // Bounded input: more personal fields than the form has, or oversized ones, are refused.
    let (status, _) = assess(&app, serde_json::json!({ "password": "x", "personal": ["a", "b", "c", "d"] })).await;
    assert_eq!(status, 400);
    let (status, _) = assess(&app, serde_json::json!({ "password": "x", "personal": ["a".repeat(321)] })).await;
    assert_eq!(status, 400);

    // Per client address: a script hammering it is slowed down, a typist never is.
    let mut statuses = Vec::new();
    for _ in 0..130 {
        statuses.push(assess(&app, serde_json::json!({ "password": "abc", "personal": [] })).await.0);
    }
    assert!(statuses.iter().take(100).all(|s| *s == 200), "{statuses:?}");
    assert!(statuses.contains(&429), "never limited: {statuses:?}");
}
