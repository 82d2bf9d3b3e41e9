//! The `foyer` binary as an operator meets it: one clear line for bad settings, JSON
//! output for scripts, import reports with line numbers.

use crate::support::{Db, TestDb, both_backends, foyer, stderr, stdout};

both_backends!(admin_create_prints_the_enrolment_link_once, users_import_reports_bad_lines, brand_commands, brand_admins_are_granted_brands);

#[tokio::test]
async fn bad_configuration_stops_with_one_line_naming_the_setting() {
    let db = TestDb::create(Db::Sqlite).await.unwrap();
    let cases = [
        ("FOYER_DATABASE_URL", "mysql://localhost/foyer"),
        ("FOYER_DATABASE_URL", "sqlite:///proc/no-such-dir/foyer.db"),
        ("FOYER_DATABASE_URL", "postgres://postgres@127.0.0.1:1/none"),
        ("FOYER_SMTP_URL", "not-a-url"),
        ("FOYER_PUBLIC_URL", "ftp://id.example.com"),
        ("FOYER_ADDR", "everywhere"),
        ("FOYER_ARGON2_MEMORY_KIB", "lots"),
        // Rate limits are settings too (issue 10), checked like the rest.
        ("FOYER_LIMIT_TOKEN_PER_CLIENT_PER_SECOND", "0"),
        ("FOYER_LIMIT_BROWSER_PER_IP_BURST", "many"),
        ("FOYER_LIMIT_CLIENT_AUTH_FAILURES_PER_IP", "-1"),
    ];
    for (key, value) in cases {
        let out = foyer(&db, &["migrate"], &[(key, value)]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{key}={value}: {err}");
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{key}={value}: one line, got:\n{err}");
        assert!(lines[0].starts_with(&format!("error: {key}")), "{key}={value}: {err}");
        assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
    }
}

/// Container and CI environments pass empty strings for settings they leave out: each
/// of these would stop the start if it were read as a value ("" is no SMTP URL, no
/// number, no boolean, no log format, no public URL).
#[tokio::test]
async fn empty_variables_count_as_unset() {
    let db = TestDb::create(Db::Sqlite).await.unwrap();
    let empty = [
        "FOYER_SMTP_URL",
        "FOYER_PUBLIC_URL",
        "FOYER_ADDR",
        "FOYER_DEV",
        "FOYER_MAIL_FROM",
        "FOYER_SESSION_IDLE_MINUTES",
        "FOYER_LOCKOUT_THRESHOLD",
        "FOYER_MASTER_KEY",
        "FOYER_PASSWORD_PEPPER",
        "FOYER_LOG_FORMAT",
        "FOYER_OUTBOX_WORKER",
        "LEPTOS_SITE_ROOT",
    ];
    let env: Vec<(&str, &str)> = empty.iter().map(|k| (*k, "")).chain([("FOYER_TRUSTED_PROXIES", "  ")]).collect();
    let out = foyer(&db, &["migrate", "--json"], &env);
    assert!(out.status.success(), "empty variables are defaults: {}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["migrated"], true);
    // An empty value does not hide a real one of another setting.
    let bad = foyer(&db, &["migrate"], &[("FOYER_SMTP_URL", ""), ("FOYER_LOG_FORMAT", "xml")]);
    assert!(stderr(&bad).starts_with("error: FOYER_LOG_FORMAT"), "{}", stderr(&bad));
}

#[tokio::test]
async fn help_lists_the_commands() {
    let db = TestDb::create(Db::Sqlite).await.unwrap();
    let out = stdout(&foyer(&db, &["--help"], &[]));
    for cmd in ["serve", "demo", "migrate", "admin", "users", "brand", "mail"] {
        assert!(out.contains(cmd), "{cmd} missing from:\n{out}");
    }
}

async fn admin_create_prints_the_enrolment_link_once(db: Db) {
    let Some(db) = TestDb::create(db).await else { return };
    let out = foyer(&db, &["admin", "create", "--email", "Ops@Example.com", "--role", "operator", "--json"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["role"], "operator");
    assert!(v.get("password").is_none(), "no password is made: {v}");
    let link = v["enrolment_link"].as_str().unwrap();
    let token = link.strip_prefix("http://localhost:3000/admin/enrol?token=").unwrap();
    assert_eq!(token.len(), 43, "256 bits, base64url");
    assert!(!stderr(&out).contains(token), "the link is not logged");

    let again = foyer(&db, &["admin", "create", "--email", "ops@example.com"], &[]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));

    let bad = foyer(&db, &["admin", "create", "--email", "nobody"], &[]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).starts_with("error: Email is not valid"), "{}", stderr(&bad));
}

/// `docs/design/admin.md`: a brand administrator holds the brands granted to them, checked
/// before the account is made; other roles hold none.
async fn brand_admins_are_granted_brands(db: Db) {
    let Some(db) = TestDb::create(db).await else { return };
    for slug in ["air", "hotels"] {
        assert!(foyer(&db, &["brand", "create", "--slug", slug, "--name", slug], &[]).status.success());
    }
    let unknown = foyer(&db, &["admin", "create", "--email", "ba@example.com", "--role", "brand_admin", "--brand", "nowhere"], &[]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).lines().any(|l| l.starts_with("error: No brand has the slug \"nowhere\"")), "{}", stderr(&unknown));
    let wrong_role = foyer(&db, &["admin", "create", "--email", "ba@example.com", "--role", "support", "--brand", "air"], &[]);
    assert!(stderr(&wrong_role).lines().any(|l| l.starts_with("error: --brand: only a brand_admin")), "{}", stderr(&wrong_role));
    let out = foyer(&db, &["admin", "create", "--email", "ba@example.com", "--role", "brand_admin", "--brand", "air", "--json"], &[]);
    assert!(out.status.success(), "nothing was half-made before: {}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!((v["role"].as_str(), v["brands"].clone()), (Some("brand_admin"), serde_json::json!(["air"])));
    let granted = foyer(&db, &["admin", "grant-brand", "--email", "ba@example.com", "--brand", "hotels", "--json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&granted)).unwrap();
    assert_eq!(v["granted"], true);
    let twice = foyer(&db, &["admin", "grant-brand", "--email", "ba@example.com", "--brand", "hotels", "--json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&twice)).unwrap();
    assert_eq!(v["granted"], false, "granting twice changes nothing");
    assert!(foyer(&db, &["admin", "create", "--email", "agent@example.com"], &[]).status.success());
    let not_admin = foyer(&db, &["admin", "grant-brand", "--email", "agent@example.com", "--brand", "air"], &[]);
    assert!(stderr(&not_admin).lines().any(|l| l.contains("only a brand_admin is granted brands")), "{}", stderr(&not_admin));

    // A role changes; someone who left is disabled; bad input says what is wrong.
    let changed = foyer(&db, &["admin", "set-role", "--email", "ba@example.com", "--role", "support_lead", "--json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&changed)).unwrap_or_else(|_| panic!("{}", stderr(&changed)));
    assert_eq!((v["role"].as_str(), v["previous"].as_str()), (Some("support_lead"), Some("brand_admin")));
    let regrant = foyer(&db, &["admin", "grant-brand", "--email", "ba@example.com", "--brand", "air"], &[]);
    assert!(stderr(&regrant).contains("only a brand_admin is granted brands"), "the brands went with the role: {}", stderr(&regrant));
    let bad_role = foyer(&db, &["admin", "set-role", "--email", "ba@example.com", "--role", "admin"], &[]);
    assert_eq!(bad_role.status.code(), Some(2), "{}", stderr(&bad_role));
    let nobody = foyer(&db, &["admin", "disable", "--email", "nobody@example.com"], &[]);
    assert_eq!(nobody.status.code(), Some(1));
    assert!(stderr(&nobody).contains("staff account"), "{}", stderr(&nobody));
    for expected in [true, false] {
        let off = foyer(&db, &["admin", "disable", "--email", "agent@example.com", "--json"], &[]);
        let v: serde_json::Value = serde_json::from_str(&stdout(&off)).unwrap_or_else(|_| panic!("{}", stderr(&off)));
        assert_eq!(v["changed"], expected, "disabling twice changes nothing the second time");
    }
}

async fn users_import_reports_bad_lines(db: Db) {
    let Some(db) = TestDb::create(db).await else { return };
    let file = db.dir.path().join("users.jsonl");
    std::fs::write(&file, "{\"email\":\"a@example.com\"}\n{\"email\":\"nope\"}\n{\"email\":\"b@example.com\",\"verified\":true}\n").unwrap();
    let path = file.to_str().unwrap();

    let strict = foyer(&db, &["users", "import", path, "--all-or-nothing"], &[]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(stdout(&strict).contains("line 2: Email is not valid"), "{}", stdout(&strict));
    assert!(stdout(&strict).contains("Nothing imported"));

    let out = foyer(&db, &["users", "import", path, "--json"], &[]);
    assert_eq!(out.status.code(), Some(1), "bad lines make a non-zero exit");
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(report["imported"], 2);
    assert_eq!(report["errors"][0]["line"], 2);

    let rerun = foyer(&db, &["users", "import", path], &[]);
    assert!(stdout(&rerun).contains("Imported 0, already present 2, bad lines 1."), "{}", stdout(&rerun));

    let missing = foyer(&db, &["users", "import", "/no/such/file.jsonl"], &[]);
    assert!(stderr(&missing).starts_with("error: cannot open /no/such/file.jsonl"), "{}", stderr(&missing));
}

async fn brand_commands(db: Db) {
    let Some(db) = TestDb::create(db).await else { return };
    let out = foyer(&db, &["brand", "create", "--slug", "northwind-air", "--name", "Northwind Air"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bad = foyer(&db, &["brand", "create", "--slug", "Bad Slug", "--name", "X"], &[]);
    assert!(stderr(&bad).starts_with("error: Brand slug is not valid"), "{}", stderr(&bad));
    let list = foyer(&db, &["brand", "list", "--json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&list)).unwrap();
    assert_eq!(v["brands"][0]["name"], "Northwind Air");
    assert_eq!(v["brands"].as_array().unwrap().len(), 1);
}
