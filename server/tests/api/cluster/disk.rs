//! SQLite's durability setting, and SQLite on a disk that fills up or turns read-only:
//! clear answers (503 or a one-line start-up error, never a panic or a 500) and a file
//! that `PRAGMA integrity_check` still calls ok afterwards.
//!
//! The disks are small tmpfs mounts (tests run as root here); where mounting is not
//! allowed the test is skipped with the reason printed.

use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use sqlx::Connection as _;

use super::{Cluster, Node, eventually, node_env};
use crate::oidc::rp::{self, Browser, PASSWORD};
use crate::support::{self, Db, TestApp, TestDb};

/// A tmpfs of `size` mounted on a fresh directory; unmounted when dropped.
struct Mount {
    dir: tempfile::TempDir,
}

impl Mount {
    fn tmpfs(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(dir.path()).output();
        match out {
            Ok(o) if o.status.success() => Some(Self { dir }),
            Ok(o) => {
                eprintln!("\n!!!! SKIPPED: cannot mount a tmpfs here ({}) !!!!\n", String::from_utf8_lossy(&o.stderr).trim());
                None
            }
            Err(e) => {
                eprintln!("\n!!!! SKIPPED: cannot run mount ({e}) !!!!\n");
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount(&self, mode: &str) {
        let status = Command::new("mount").args(["-o", &format!("remount,{mode}")]).arg(self.dir.path()).status().expect("mount");
        assert!(status.success(), "remount {mode}");
    }

    fn sqlite_url(&self) -> String {
        format!("sqlite://{}/foyer.db", self.path().display())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

/// The last lines the node logged (what it said went wrong).
fn log_tail(node: &Node) -> String {
    let log = node.log_text();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(12)..].join("\n")
}

async fn integrity(url: &str) -> String {
    let mut conn = sqlx::SqliteConnection::connect(url).await.expect("open the SQLite file");
    let (verdict,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&mut conn).await.expect("integrity_check");
    verdict
}

async fn synchronous(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("PRAGMA synchronous").fetch_one(app.identity.store().pool()).await.unwrap();
    n
}

/// `FOYER_SQLITE_SYNCHRONOUS` reaches the connections (NORMAL = 1 by default, FULL = 2),
/// and a value that is neither is a one-line error naming the setting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_synchronous_is_normal_or_full_as_configured() {
    let Some(normal) = TestApp::builder(Db::Sqlite).spawn().await else { return };
    assert_eq!(synchronous(&normal).await, 1, "NORMAL by default");
    let Some(full) = TestApp::builder(Db::Sqlite).configure(|raw| raw.sqlite_synchronous = "full".into()).spawn().await else { return };
    assert_eq!(synchronous(&full).await, 2, "FULL when asked");
    let out = support::foyer(&normal.db, &["migrate"], &[("FOYER_SQLITE_SYNCHRONOUS", "off")]);
    assert!(!out.status.success());
    let err = support::stderr(&out);
    assert!(err.contains("FOYER_SQLITE_SYNCHRONOUS") && err.contains("normal") && err.contains("full"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A full disk under a running node: writes answer 503 (a sign-in is refused, not half
/// made), the process lives on, and once space is back sign-ins work again; the file is
/// intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_on_a_full_disk_answers_503_and_stays_intact() {
    let Some(mount) = Mount::tmpfs("6m") else { return };
    let url = mount.sqlite_url();
    let mut c = Cluster::start_on(TestDb::existing(url.clone()), 1).await;
    rp::customer(&c.app, "ann@example.com").await;
    let browser = Browser::new(&c.app);
    browser.sign_in("ann@example.com").await;

    // Fill the disk.
    let filler = mount.path().join("filler");
    {
        let mut f = std::fs::File::create(&filler).expect("filler");
        for size in [1 << 16, 512] {
            let chunk = vec![0u8; size];
            while f.write_all(&chunk).is_ok() {}
        }
        let _ = f.sync_all();
    }
    // New sessions grow the file until a write cannot be made: every answer is a
    // success or a 503 (say so and retry), and a 503 comes.
    let mut refused = 0;
    for _ in 0..400 {
        let (status, body) = Browser::new(&c.app).server_fn("login", &[("email", "ann@example.com"), ("password", PASSWORD)]).await;
        assert!(status == 200 || status == 503, "sign-in on a full disk: {status} {body}\n{}", log_tail(&c.nodes[0]));
        if status == 503 {
            refused += 1;
            if refused >= 3 {
                break;
            }
        }
    }
    assert!(refused > 0, "a full disk never refused a write");
    assert!(c.nodes[0].is_running(), "the node survives a full disk:\n{}", c.nodes[0].log_text());
    assert_eq!(c.app.get("/healthz").await.status(), 200);

    std::fs::remove_file(&filler).expect("free the disk");
    eventually(Duration::from_secs(10), "sign-in once space is back", || async {
        Browser::new(&c.app).server_fn("login", &[("email", "ann@example.com"), ("password", PASSWORD)]).await.0 == 200
    })
    .await;
    assert_eq!(browser.me().await.as_deref(), Some("ann@example.com"), "the session from before the disk filled");
    c.nodes[0].stop();
    c.app.identity.store().close().await;
    assert!(c.nodes[0].log_text().lines().all(|l| !l.contains("panicked")), "no panic");
    assert_eq!(integrity(&url).await, "ok");
}

/// A read-only disk: a node either refuses to start with one line naming
/// `FOYER_DATABASE_URL`, or serves and refuses writes with 503; no panic, and the file is
/// intact once the disk is writable again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_on_a_read_only_disk_is_a_clear_error() {
    let Some(mount) = Mount::tmpfs("16m") else { return };
    let url = mount.sqlite_url();
    {
        let mut c = Cluster::start_on(TestDb::existing(url.clone()), 1).await;
        rp::customer(&c.app, "ann@example.com").await;
        c.nodes[0].stop();
        c.app.identity.store().close().await;
    }
    mount.remount("ro");
    let logs = tempfile::tempdir().expect("temp dir");
    let env = node_env(&url, "http://localhost:0", logs.path());
    match Node::try_start("ro", env, logs.path()).await {
        Err(log) => {
            eprintln!("read-only disk: the node refused to start: {}", log.lines().rev().find(|l| l.contains("FOYER_DATABASE_URL")).unwrap_or_default());
            assert!(!log.contains("panicked"), "{log}");
            assert!(log.contains("FOYER_DATABASE_URL"), "the start-up error names the setting: {log}");
            assert!(!log.contains("pool timed out"), "the start-up error names the cause, not the pool's timeout: {log}");
        }
        Ok(mut node) => {
            eprintln!("read-only disk: the node serves and refuses writes");
            let origin = node.address.replace("127.0.0.1", "localhost");
            let answer = reqwest::Client::new()
                .post(format!("{}/api/login", node.address))
                .header("origin", origin)
                .header("sec-fetch-site", "same-origin")
                .header("accept", "application/json")
                .form(&[("email", "ann@example.com"), ("password", PASSWORD)])
                .send()
                .await
                .unwrap();
            let status = answer.status().as_u16();
            assert_eq!(status, 503, "a sign-in on a read-only disk: {}", answer.text().await.unwrap_or_default());
            assert!(node.is_running(), "{}", node.log_text());
            node.stop();
            assert!(!node.log_text().contains("panicked"), "{}", node.log_text());
        }
    }
    mount.remount("rw");
    assert_eq!(integrity(&url).await, "ok");
}
