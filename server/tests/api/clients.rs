//! The brand and client registry as an operator drives it: `foyer brand …` and
//! `foyer client …` on the command line, checked against the core over the same database.

use std::process::Output;
use std::sync::Arc;

use identity::{FixedClock, Identity};
use serde_json::Value;
use server::config::Config;
use server::startup::Services;

use crate::support::{self, Db, TestApp, TestDb, both_backends, stderr, stdout, test_config};

both_backends!(
    confidential_client_secret_shown_once_rotated_and_disabled,
    public_client_has_no_secret,
    bad_input_is_refused_and_nothing_written,
    brand_details_and_theme,
    a_client_with_its_own_token_rate_is_limited_alone,
);

fn foyer(db: &TestDb, args: &[&str]) -> Output {
    support::foyer(db, args, &[])
}

fn foyer_env(db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> Output {
    support::foyer(db, args, env)
}

/// Runs a command that must succeed with `--json` and returns its object.
fn ok_json(db: &TestDb, args: &[&str]) -> Value {
    let out = foyer(db, &[args, &["--json"]].concat());
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_str(stdout(&out).trim()).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", stdout(&out)))
}

/// Runs a command that must fail and returns its one-line error (stderr may also hold
/// start-up log lines, e.g. the warning that no SMTP server is configured).
fn fails(db: &TestDb, args: &[&str]) -> String {
    let out = foyer(db, args);
    assert_eq!(out.status.code(), Some(1), "{args:?} should fail: {}", stdout(&out));
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "{args:?}: one error line in {err}");
    errors[0].to_owned()
}

/// The core over the same database the CLI used.
async fn core(db: &TestDb) -> Identity {
    let config = Config::check(test_config(db)).unwrap();
    Services::open(&config).await.unwrap().identity
}

fn brand(db: &TestDb) {
    let out = foyer(db, &["brand", "create", "--slug", "northwind-air", "--name", "Northwind Air"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The CLI is another process: a running node (here the test's `Identity`) sees its
/// change to a client once its cached row is older than the bound
/// (`docs/design/peaks.md` "Caches"); a change through the node itself applies at once.
async fn other_process_changed_a_client() {
    tokio::time::sleep(std::time::Duration::from_millis(u64::try_from(identity::oidc::clients::CLIENT_CACHE_MS).unwrap() + 50)).await;
}

async fn audit_actions(identity: &Identity) -> Vec<String> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT action FROM audit_log ORDER BY id").fetch_all(identity.store().pool()).await.unwrap();
    rows.into_iter().map(|(a,)| a).collect()
}

async fn confidential_client_secret_shown_once_rotated_and_disabled(db: Db) {
    let Some(db) = TestDb::create(db).await else { return };
    brand(&db);
    let v = ok_json(&db, &[
        "client", "create", "--brand", "northwind-air", "--name", "Air web",
        "--redirect-uri", "https://air.example.com/callback",
        "--redirect-uri", "https://air.example.com/callback?v=2",
        "--post-logout-uri", "https://air.example.com/",
        "--backchannel-logout-uri", "https://air.example.com/backchannel-logout",
    ]);
    let id = v["client_id"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let secret = v["client_secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("fcs_") && secret.len() == 47, "{secret}");
    assert_eq!(v["brand"], "northwind-air");
    assert_eq!(v["name"], "Air web");
    assert_eq!(v["kind"], "confidential");
    assert_eq!(v["auth_method"], "client_secret_basic");
    assert_eq!(v["redirect_uris"], serde_json::json!(["https://air.example.com/callback", "https://air.example.com/callback?v=2"]));
    assert_eq!(v["post_logout_redirect_uris"], serde_json::json!(["https://air.example.com/"]));
    assert_eq!(v["backchannel_logout_uri"], "https://air.example.com/backchannel-logout");
    assert_eq!(v["scopes"], serde_json::json!(["openid", "profile", "email", "offline_access"]));
    assert_eq!(v["grant_types"], serde_json::json!(["authorization_code", "refresh_token"]));
    assert_eq!((v["subject_type"].as_str(), v["id_token_alg"].as_str()), (Some("public"), Some("RS256")));
    assert_eq!((v["access_token_ttl_s"].as_i64(), v["refresh_token_ttl_s"].as_i64()), (Some(600), Some(2_592_000)));
    assert_eq!(v["disabled"], false);

    // Text output: the secret once, with the warning.
    let text = foyer(&db, &[
        "client", "create", "--brand", "northwind-air", "--name", "Air batch", "--redirect-uri", "https://air.example.com/cb",
        "--auth-method", "client_secret_post", "--scope", "openid email", "--id-token-alg", "ES256", "--subject", "pairwise",
        "--access-token-ttl", "5m",
    ]);
    assert!(text.status.success(), "{}", stderr(&text));
    let printed = stdout(&text);
    assert!(printed.starts_with("Created confidential client "), "{printed}");
    assert_eq!(printed.matches("Client secret (shown once, not stored): fcs_").count(), 1, "{printed}");
    assert!(!stderr(&text).contains("fcs_"), "secrets are not logged");

    // Only a hash is stored; the secret verifies, a wrong one does not.
    let identity = core(&db).await;
    let stored: (String,) =
        sqlx::query_as("SELECT secret_hash FROM oauth_clients WHERE id = $1").bind(&id).fetch_one(identity.store().pool()).await.unwrap();
    assert_eq!(stored.0, identity::sha256_hex(secret.as_bytes()));
    assert!(identity.verify_client_secret(&id, &secret).await.unwrap().is_some());
    assert!(identity.verify_client_secret(&id, "fcs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await.unwrap().is_none());
    assert!(identity.verify_client_secret(&id, "").await.unwrap().is_none());

    // The list never shows secrets.
    let list = foyer(&db, &["client", "list", "--brand", "northwind-air", "--json"]);
    assert!(!stdout(&list).contains(&secret) && !stdout(&list).contains(&stored.0));
    let listed: Value = serde_json::from_str(stdout(&list).trim()).unwrap();
    assert_eq!(listed["clients"].as_array().unwrap().len(), 2);
    let batch = &listed["clients"][1];
    assert_eq!((batch["auth_method"].as_str(), batch["subject_type"].as_str()), (Some("client_secret_post"), Some("pairwise")));
    assert_eq!((batch["id_token_alg"].as_str(), batch["access_token_ttl_s"].as_i64()), (Some("ES256"), Some(300)));
    assert_eq!(batch["scopes"], serde_json::json!(["openid", "email"]));
    assert!(batch.get("client_secret").is_none());

    // Rotation: the old secret dies at once by default.
    let rotated = ok_json(&db, &["client", "rotate-secret", &id]);
    let second = rotated["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(second, secret);
    assert_eq!(rotated["previous_secret_valid_until"], Value::Null);
    other_process_changed_a_client().await;
    assert!(identity.verify_client_secret(&id, &secret).await.unwrap().is_none(), "old secret refused");
    assert!(identity.verify_client_secret(&id, &second).await.unwrap().is_some());

    // … or lives on for a grace period.
    let kept = ok_json(&db, &["client", "rotate-secret", &id, "--keep-old-for", "1h"]);
    let third = kept["client_secret"].as_str().unwrap().to_owned();
    let until = kept["previous_secret_valid_until"].as_i64().unwrap();
    other_process_changed_a_client().await;
    assert!(identity.verify_client_secret(&id, &second).await.unwrap().is_some(), "within the grace period");
    assert!(identity.verify_client_secret(&id, &third).await.unwrap().is_some());
    let later = identity.with_clock(Arc::new(FixedClock::at(until + 1)));
    assert!(later.verify_client_secret(&id, &second).await.unwrap().is_none(), "grace period over");
    assert!(later.verify_client_secret(&id, &third).await.unwrap().is_some());
    assert!(fails(&db, &["client", "rotate-secret", &id, "--keep-old-for", "30d"]).contains("Keep old for"));
    assert!(fails(&db, &["client", "rotate-secret", &id, "--keep-old-for", "soon"]).contains("Keep old for"));
    assert!(fails(&db, &["client", "rotate-secret", "00000000-0000-4000-8000-000000000000"]).contains("Client was not found"));

    // Disabling: secrets stop working, the list says so, nothing more can be rotated.
    let text = foyer(&db, &["client", "disable", &id]);
    assert!(stdout(&text).starts_with(&format!("Disabled client {id} (Air web).")), "{}", stderr(&text));
    other_process_changed_a_client().await;
    assert!(identity.verify_client_secret(&id, &third).await.unwrap().is_none());
    let listed = stdout(&foyer(&db, &["client", "list"]));
    assert!(listed.lines().any(|l| l.starts_with(&id) && l.ends_with("\tdisabled")), "{listed}");
    assert!(fails(&db, &["client", "rotate-secret", &id]).contains("disabled"));
    assert!(foyer(&db, &["client", "disable", &id]).status.success(), "disabling twice is harmless");

    let actions = audit_actions(&identity).await;
    let count = |a: &str| actions.iter().filter(|x| *x == a).count();
    assert_eq!((count("client.created"), count("client.secret_rotated"), count("client.disabled")), (2, 2, 1), "{actions:?}");
    let details: Vec<(String, String)> = sqlx::query_as("SELECT actor, detail FROM audit_log WHERE action LIKE 'client.%'")
        .fetch_all(identity.store().pool())
        .await
        .unwrap();
    assert!(details.iter().all(|(actor, d)| actor == "cli" && !d.contains("fcs_")), "{details:?}");
}

async fn public_client_has_no_secret(db: Db) {
    let Some(db) = TestDb::create(db).await else { return };
    brand(&db);
    let v = ok_json(&db, &[
        "client", "create", "--brand", "northwind-air", "--name", "Air app", "--public",
        "--redirect-uri", "com.northwind.air:/oauth2redirect",
        "--redirect-uri", "http://127.0.0.1/callback",
        "--post-logout-uri", "http://[::1]/signed-out",
    ]);
    assert_eq!((v["kind"].as_str(), v["auth_method"].as_str()), (Some("public"), Some("none")));
    assert_eq!(v["client_secret"], Value::Null);
    let id = v["client_id"].as_str().unwrap().to_owned();

    let identity = core(&db).await;
    let client = identity.client_by_id(&id).await.unwrap().unwrap();
    assert!(client.requires_pkce());
    assert!(identity.verify_client_secret(&id, "").await.unwrap().is_none(), "public clients never pass a secret check");

    let text = stdout(&foyer(&db, &[
        "client", "create", "--brand", "northwind-air", "--name", "Air SPA", "--public", "--redirect-uri", "https://app.air.example.com/cb",
    ]));
    assert!(text.starts_with("Created public client ") && !text.contains("secret"), "{text}");
    assert!(fails(&db, &["client", "rotate-secret", &id]).contains("does not use a secret"));
    assert!(fails(&db, &[
        "client", "create", "--brand", "northwind-air", "--name", "X", "--public", "--redirect-uri", "https://a.example.com/cb",
        "--grant", "client_credentials",
    ])
    .contains("client_credentials"));
}

async fn bad_input_is_refused_and_nothing_written(db: Db) {
    let Some(db) = TestDb::create(db).await else { return };
    brand(&db);
    fn create<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        [&["client", "create", "--brand", "northwind-air", "--name", "Air web"][..], extra].concat()
    }

    // Unknown brand: a clear error naming the slug, exit 1.
    let err = fails(&db, &["client", "create", "--brand", "nowhere", "--name", "X", "--redirect-uri", "https://x.example.com/cb"]);
    assert_eq!(err.trim(), "error: No brand has the slug \"nowhere\".");
    assert!(fails(&db, &["client", "list", "--brand", "nowhere"]).contains("No brand has the slug"));

    // Each invalid redirect URI is named, with the reason.
    let cases = [
        ("/callback", "absolute URI"),
        ("https://air.example.com/cb#top", "fragment"),
        ("https://*.example.com/cb", "wildcards"),
        ("http://air.example.com/cb", "https"),
        ("https://me:pw@air.example.com/cb", "user name or password"),
        ("com.northwind.air:/cb", "public clients only"),
        ("http://127.0.0.1:3001/cb", "public clients or in development"),
    ];
    for (uri, why) in cases {
        let err = fails(&db, &create(&["--redirect-uri", uri]));
        assert!(err.starts_with(&format!("error: Redirect URI {uri:?} is not valid")), "{uri}: {err}");
        assert!(err.contains(why), "{uri}: expected {why:?}: {err}");
    }
    // Several bad fields: all named in one line.
    let err = fails(&db, &create(&[
        "--redirect-uri", "https://air.example.com/cb", "--post-logout-uri", "https://air.example.com/#x",
        "--scope", "profile", "--id-token-alg", "none", "--refresh-token-ttl", "10m",
    ]));
    for field in ["Post-logout redirect URI", "Scope is not valid: openid is required", "ID token algorithm", "Refresh token lifetime"] {
        assert!(err.contains(field), "{field}: {err}");
    }
    assert!(fails(&db, &create(&["--redirect-uri", "https://a.example.com/cb", "--backchannel-logout-uri", "http://a.example.com/bc"]))
        .contains("Back-channel logout URI"));
    assert!(fails(&db, &create(&["--redirect-uri", "https://a.example.com/cb", "--auth-method", "private_key_jwt"]))
        .contains("JWKS is required"));
    assert!(fails(&db, &create(&["--redirect-uri", "https://a.example.com/cb", "--jwks", "/no/such/jwks.json"]))
        .contains("cannot open /no/such/jwks.json"));

    // Nothing was written: no client rows, no client audit events.
    let listed = stdout(&foyer(&db, &["client", "list"]));
    assert_eq!(listed.trim(), "No clients.");
    let identity = core(&db).await;
    assert!(identity.list_clients(None).await.unwrap().is_empty());
    assert!(!audit_actions(&identity).await.iter().any(|a| a.starts_with("client.")));

    // In development, confidential clients may use http on loopback (the demo sites do).
    let out = foyer_env(&db, &create(&[
        "--redirect-uri", "http://127.0.0.1:3001/cb", "--backchannel-logout-uri", "http://127.0.0.1:3001/backchannel-logout",
    ]), &[("FOYER_DEV", "true")]);
    assert!(out.status.success(), "{}", stderr(&out));

    let help = stdout(&foyer(&db, &["--help"]));
    assert!(help.contains("client"), "{help}");
}

async fn brand_details_and_theme(db: Db) {
    let Some(db) = TestDb::create(db).await else { return };
    let v = ok_json(&db, &[
        "brand", "create", "--slug", "northwind-hotels", "--name", "Northwind Hotels",
        "--website", "https://hotels.example.com", "--support-email", "help@hotels.example.com",
        "--support-url", "https://hotels.example.com/help", "--terms-url", "https://hotels.example.com/terms",
        "--privacy-url", "https://hotels.example.com/privacy",
    ]);
    assert_eq!(v["slug"], "northwind-hotels");
    assert_eq!(v["website_url"], "https://hotels.example.com");
    assert_eq!(v["support_email"], "help@hotels.example.com");
    assert_eq!(v["privacy_url"], "https://hotels.example.com/privacy");
    assert_eq!(v["theme"], serde_json::json!({}));
    assert_eq!(v["logo_type"], Value::Null);

    let err = fails(&db, &["brand", "create", "--slug", "bad", "--name", "Bad", "--website", "http://bad.example.com", "--support-email", "x"]);
    assert!(err.contains("Website URL") && err.contains("Support email"), "{err}");
    let identity = core(&db).await;
    assert_eq!(identity.store().list_brands().await.unwrap().len(), 1, "nothing half-written");
    assert!(identity.store().brand_pairwise_key_sealed(v["id"].as_str().unwrap()).await.unwrap().is_some(), "pairwise key");

    let logo = db.dir.path().join("logo.svg");
    std::fs::write(&logo, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"/>").unwrap();
    let out = foyer(&db, &[
        "brand", "theme", "--slug", "northwind-hotels", "--color", "primary=#1A4D8F", "--color", "on-primary=#ffffff",
        "--logo", logo.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("primary: #1a4d8f"), "{}", stdout(&out));

    // Low contrast is refused and leaves the theme as it was.
    let err = fails(&db, &["brand", "theme", "--slug", "northwind-hotels", "--color", "on-primary=#2a5d9f"]);
    assert!(err.contains("primary and on-primary have contrast"), "{err}");
    assert!(fails(&db, &["brand", "theme", "--slug", "northwind-hotels", "--color", "surface=#ffffff"]).contains("set together"));
    assert!(fails(&db, &["brand", "theme", "--slug", "northwind-hotels", "--color", "border=#000000"]).contains("Color name"));
    assert!(fails(&db, &["brand", "theme", "--slug", "nowhere", "--color", "accent=#000000"]).contains("No brand has the slug"));
    let gif = db.dir.path().join("logo.gif");
    std::fs::write(&gif, b"GIF89a").unwrap();
    assert!(fails(&db, &["brand", "theme", "--slug", "northwind-hotels", "--logo", gif.to_str().unwrap()]).contains("PNG or SVG"));

    let list = ok_json(&db, &["brand", "list"]);
    let b = &list["brands"][0];
    assert_eq!(b["theme"], serde_json::json!({ "primary": "#1a4d8f", "on-primary": "#ffffff" }));
    assert_eq!(b["logo_type"], "image/svg+xml");
    let (bytes, kind) = identity.store().brand_logo("northwind-hotels").await.unwrap().unwrap();
    assert_eq!((bytes, kind.as_str()), (std::fs::read(&logo).unwrap(), "image/svg+xml"));
}

/// `foyer client create|update --token-rate N --token-burst N` (issue 10): a client's own
/// token-endpoint limit, applied by the running server once its cached row is older than
/// `CLIENT_CACHE_MS` (1 s); other
/// clients keep the server's (generous) default. Bad values are named in one line.
async fn a_client_with_its_own_token_rate_is_limited_alone(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let db = &app.db;
    brand(db);
    let create = |name: &str, extra: &[&str]| {
        let args = [&["client", "create", "--brand", "northwind-air", "--name", name, "--redirect-uri", "https://air.example.com/cb", "--grant", "client_credentials"][..], extra].concat();
        let v = ok_json(db, &args);
        (v["client_id"].as_str().unwrap().to_owned(), v["client_secret"].as_str().unwrap().to_owned(), v)
    };
    let (slow, slow_secret, v) = create("Air batch", &["--token-rate", "1", "--token-burst", "2"]);
    assert_eq!((v["token_rate_per_second"].as_u64(), v["token_burst"].as_u64()), (Some(1), Some(2)));
    let (busy, busy_secret, v) = create("Air web", &[]);
    assert_eq!((v["token_rate_per_second"].clone(), v["token_burst"].clone()), (Value::Null, Value::Null), "the server's setting");
    let http = reqwest::Client::new();
    let token = |id: &str, secret: &str| {
        let request = http.post(app.url("/oauth2/token")).basic_auth(id, Some(secret)).form(&[("grant_type", "client_credentials")]);
        async move { request.send().await.unwrap() }
    };

    // The first token request makes the signing keys (slow in debug builds): not on the
    // limited client's clock.
    assert_eq!(token(&busy, &busy_secret).await.status(), 200);
    for i in 0..2 {
        assert_eq!(token(&slow, &slow_secret).await.status(), 200, "request {i} within the client's burst of 2");
    }
    let refused = token(&slow, &slow_secret).await;
    assert_eq!(refused.status(), 429, "past the client's own burst");
    let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait >= 1, "Retry-After {wait}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    for i in 0..20 {
        assert_eq!(token(&busy, &busy_secret).await.status(), 200, "another client is unaffected ({i})");
    }

    // Raised while the server runs: the next request gets the new bucket.
    let out = foyer(db, &["client", "update", &slow, "--token-rate", "1000", "--token-burst", "default"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("token rate 1000/s, burst default"), "{}", stdout(&out));
    other_process_changed_a_client().await;
    // Ten at once: far past the old burst of 2 (one refilled during the wait).
    for i in 0..10 {
        assert_eq!(token(&slow, &slow_secret).await.status(), 200, "the new rate applies after the cache bound ({i})");
    }
    let v = ok_json(db, &["client", "update", &slow, "--token-rate", "default"]);
    assert_eq!((v["token_rate_per_second"].clone(), v["token_burst"].clone()), (Value::Null, Value::Null));
    let listed = stdout(&foyer(db, &["client", "list"]));
    assert!(!listed.contains("token rate"), "back to the server's setting: {listed}");
    assert!(audit_actions(&app.identity).await.contains(&"client.updated".to_owned()));

    // Clear errors, nothing changed.
    let rate_err = "use a whole number from 1 to 1000000, or default for the server's setting";
    assert_eq!(fails(db, &["client", "update", &slow, "--token-rate", "0"]), format!("error: Token rate is not valid: {rate_err}"));
    let both = fails(db, &["client", "update", &slow, "--token-rate", "lots", "--token-burst", "1.5"]);
    assert!(both.contains(&format!("Token rate is not valid: {rate_err}")) && both.contains("Token burst is not valid"), "{both}");
    assert!(fails(db, &["client", "update", &slow]).starts_with("error: nothing to update: give --token-rate N and/or --token-burst N"));
    assert_eq!(fails(db, &["client", "update", "7d1c2a55-0000-4000-8000-000000000000", "--token-rate", "5"]), "error: Client was not found");
    let err = fails(db, &["client", "create", "--brand", "northwind-air", "--name", "X", "--redirect-uri", "https://x.example.com/cb", "--token-rate", "2000000"]);
    assert_eq!(err, format!("error: Token rate is not valid: {rate_err}"));
    let v = ok_json(db, &["client", "list"]);
    assert_eq!(v["clients"].as_array().unwrap().len(), 2, "nothing was created");
    assert!(v["clients"].as_array().unwrap().iter().all(|c| c["token_rate_per_second"].is_null()));
    app.stop().await;
}
