//! Signing keys as relying parties and operators meet them: the JWKS endpoint, keys
//! made at first use, rotation that keeps the old key published, removal.

use serde_json::Value;

use crate::support::{self, Db, TestApp, both_backends};

both_backends!(jwks_serves_current_and_retired_keys);

/// Runs the CLI against the app's database: success, and stdout (errors: stderr).
fn foyer(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = support::foyer(&app.db, args, &[]);
    let ok = out.status.success();
    (ok, if ok { support::stdout(&out) } else { support::stderr(&out) })
}

async fn jwks(app: &TestApp) -> Value {
    let r = app.client.get(app.url("/oauth2/jwks")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "public, max-age=300");
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    r.json().await.unwrap()
}

fn kids(set: &Value) -> Vec<String> {
    set["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect()
}

async fn jwks_serves_current_and_retired_keys(db: Db) {
    let Some(app) = TestApp::builder(db).spawn().await else { return };
    let (ok, out) = foyer(&app, &["keys", "list", "--json"]);
    assert!(ok, "{out}");
    assert_eq!(out.trim(), "[]", "no keys before the first use");

    // First use: one key per algorithm, public parts only.
    let set = jwks(&app).await;
    let keys = set["keys"].as_array().unwrap();
    let mut algs: Vec<&str> = keys.iter().map(|k| k["alg"].as_str().unwrap()).collect();
    algs.sort_unstable();
    assert_eq!(algs, ["ES256", "EdDSA", "RS256"]);
    for k in keys {
        assert_eq!(k["use"], "sig");
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(k.get(private).is_none(), "no private member {private} in {k}");
        }
    }
    let first = kids(&set);

    // Rotation publishes new keys and keeps the old ones until their tokens expire.
    let (ok, out) = foyer(&app, &["keys", "rotate", "--now", "--json"]);
    assert!(ok, "{out}");
    let rotated: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(rotated["rotated"].as_array().unwrap().len(), 3);
    let (ok, out) = foyer(&app, &["keys", "list", "--json"]);
    assert!(ok, "{out}");
    let list: Vec<Value> = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(list.len(), 6);
    assert_eq!(list.iter().filter(|k| k["retires_at"].is_number()).count(), 3, "the old keys retire");
    app.keys.forget().await;
    let after = kids(&jwks(&app).await);
    assert_eq!(after.len(), 6);
    assert!(first.iter().all(|k| after.contains(k)), "retired keys stay in the JWKS");

    // Removal withdraws a key at once; unknown kids are a clear error.
    let (ok, out) = foyer(&app, &["keys", "remove", &first[0]]);
    assert!(ok, "{out}");
    app.keys.forget().await;
    assert!(!kids(&jwks(&app).await).contains(&first[0]));
    let (ok, out) = foyer(&app, &["keys", "remove", "no-such-kid"]);
    assert!(!ok);
    assert!(out.contains("no signing key no-such-kid"), "{out}");
    let (ok, out) = foyer(&app, &["keys", "rotate", "--alg", "HS256"]);
    assert!(!ok);
    assert!(out.contains("--alg"), "{out}");
}
