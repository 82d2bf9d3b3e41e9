//! The test harness: `TestApp::builder(db)…spawn()` starts a real Foyer on a free port
//! over a fresh SQLite file or a fresh PostgreSQL database.
//!
//! PostgreSQL comes from `FOYER_TEST_POSTGRES_URL` (default: the local server as user
//! `postgres`). When it is unreachable the PostgreSQL half of each test is skipped with
//! a loud message — unless `FOYER_REQUIRE_POSTGRES=1` (CI), where it fails.

pub mod seed;
pub mod smtp;

use std::sync::Arc;

use identity::{Clock as _, FixedClock, Identity, SystemClock};
use server::config::{Config, RawConfig};
use server::startup::Application;
use sqlx::{Connection as _, Executor as _};
use tokio::sync::oneshot;

pub use smtp::{ReceivedMail, SmtpServer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Declares `mod name { sqlite(), postgres() }` for each `async fn name(db: Db)`.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name($crate::support::Db::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$name($crate::support::Db::Postgres).await }
        }
    )*};
}
pub(crate) use both_backends;

/// A fresh, empty database for one test; dropped (PostgreSQL) or deleted with its
/// directory (SQLite) when the value goes away.
pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
    pg_name: Option<(String, String)>,
}

const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn admin_pg_url() -> String {
    std::env::var("FOYER_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_PG.to_owned())
}

impl TestDb {
    /// `None` when PostgreSQL is wanted but unreachable and not required.
    pub async fn create(db: Db) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        match db {
            Db::Sqlite => Some(Self { url: format!("sqlite://{}/foyer.db", dir.path().display()), dir, pg_name: None }),
            Db::Postgres => {
                let admin = admin_pg_url();
                let mut conn = match sqlx::PgConnection::connect(&admin).await {
                    Ok(c) => c,
                    Err(e) => {
                        if std::env::var("FOYER_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                            panic!("PostgreSQL is required (FOYER_REQUIRE_POSTGRES=1) but unreachable: {e}");
                        }
                        eprintln!("\n!!!! SKIPPED on PostgreSQL: cannot connect to {admin} ({e}). Set FOYER_TEST_POSTGRES_URL. !!!!\n");
                        return None;
                    }
                };
                let name = format!("foyer_test_{}", uuid::Uuid::new_v4().simple());
                conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create test database");
                let mut url = url::Url::parse(&admin).expect("postgres url");
                url.set_path(&name);
                Some(Self { url: url.to_string(), dir, pg_name: Some((admin, name)) })
            }
        }
    }
}

impl TestDb {
    /// A database this value does not own (a private server's, a file on a test mount):
    /// nothing is dropped with it.
    pub fn existing(url: String) -> Self {
        Self { url, dir: tempfile::tempdir().expect("temp dir"), pg_name: None }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_name.take() {
            // Drop needs async work: do it on a short-lived runtime of its own.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
                rt.block_on(async move {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                        let _ = conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
                    }
                });
            })
            .join();
        }
    }
}

/// Settings every test app shares: cheap argon2, fast outbox polling, free port.
pub fn test_config(db: &TestDb) -> RawConfig {
    RawConfig {
        database_url: db.url.clone(),
        public_url: "http://localhost:0".into(),
        addr: "127.0.0.1:0".into(),
        data_dir: db.dir.path().join("data"),
        site_root: db.dir.path().join("site"),
        argon2_memory_kib: 64,
        argon2_iterations: 1,
        outbox_poll_ms: 50,
        ..RawConfig::default()
    }
}

pub struct TestAppBuilder {
    configure: Option<fn(&mut RawConfig)>,
    db: Db,
    dev: bool,
    smtp: bool,
    worker: bool,
    clock: Option<Arc<FixedClock>>,
    extra: axum::Router<server::http::AppState>,
}

impl TestAppBuilder {
    pub fn dev(mut self) -> Self {
        self.dev = true;
        self
    }
    /// Starts a local SMTP server and points Foyer at it.
    pub fn with_smtp(mut self) -> Self {
        self.smtp = true;
        self
    }
    /// No background outbox worker: the test drives deliveries itself.
    pub fn without_worker(mut self) -> Self {
        self.worker = false;
        self
    }
    /// Adjusts the settings before start (e.g. a tiny hashing queue).
    pub fn configure(mut self, f: fn(&mut RawConfig)) -> Self {
        self.configure = Some(f);
        self
    }
    /// A steerable clock for the whole server under test (core, session store, outbox
    /// worker, sweep): it starts at the real current time (so cookie expiry computed by
    /// tower-sessions stays coherent), stands still, and moves only by [`TestApp::advance`].
    pub fn with_clock(mut self) -> Self {
        self.clock = Some(Arc::new(FixedClock::at(SystemClock.now())));
        self
    }
    pub fn with_routes(mut self, extra: axum::Router<server::http::AppState>) -> Self {
        self.extra = extra;
        self
    }

    pub async fn spawn(self) -> Option<TestApp> {
        let db = TestDb::create(self.db).await?;
        let smtp = if self.smtp { Some(SmtpServer::start().await) } else { None };
        let mut raw = test_config(&db);
        raw.dev = self.dev;
        raw.outbox_worker = self.worker;
        raw.smtp_url = smtp.as_ref().map(|s| s.url().into());
        if let Some(f) = self.configure {
            f(&mut raw);
        }
        let config = Config::check(raw).expect("test config is valid");
        let app = match &self.clock {
            Some(clock) => Application::build_with_clock(config, self.extra, clock.clone()).await,
            None => Application::build_with(config, self.extra).await,
        }
        .expect("application starts");
        let port = app.port();
        let metrics_address = app.metrics_port().map(|p| format!("http://127.0.0.1:{p}"));
        let identity = app.context().identity.clone();
        let keys = app.keys().clone();
        let public_url = app.public_url().to_owned();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        Some(TestApp {
            address: format!("http://127.0.0.1:{port}"),
            metrics_address,
            public_url,
            client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(std::time::Duration::from_secs(30)).build().expect("client"),
            identity,
            keys,
            smtp,
            db,
            clock: self.clock,
            worker: self.worker,
            stop: Some(stop),
            handle: Some(handle),
        })
    }
}

pub struct TestApp {
    /// Where to send requests.
    pub address: String,
    /// The metrics listener (`FOYER_METRICS_ADDR`), when configured.
    pub metrics_address: Option<String>,
    /// The configured public URL (`http://localhost:PORT`): the origin pages trust.
    pub public_url: String,
    pub client: reqwest::Client,
    pub identity: Identity,
    /// The signing key ring of the running server (tests make it reload).
    pub keys: server::oidc::keys::KeyRing,
    pub smtp: Option<SmtpServer>,
    pub db: TestDb,
    /// The server's clock when built `with_clock()`.
    clock: Option<Arc<FixedClock>>,
    /// Whether the background outbox worker runs.
    worker: bool,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    pub fn builder(db: Db) -> TestAppBuilder {
        TestAppBuilder { configure: None, db, dev: false, smtp: false, worker: true, clock: None, extra: axum::Router::new() }
    }

    /// A view of a Foyer that runs elsewhere (the `foyer` processes of `cluster`):
    /// requests go to `address`, seeding goes through `identity` (the same database),
    /// and its mail is read from the development mailbox the nodes' workers fill.
    pub fn remote(address: String, public_url: String, identity: Identity, db: TestDb) -> Self {
        let keys = server::oidc::keys::KeyRing::new(identity.clone());
        TestApp {
            address,
            metrics_address: None,
            public_url,
            client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(std::time::Duration::from_secs(30)).build().expect("client"),
            identity,
            keys,
            smtp: None,
            db,
            clock: None,
            worker: true,
            stop: None,
            handle: None,
        }
    }

    /// The same server seen at another address (one node of a cluster); it does not own
    /// the database (dropping it drops nothing).
    pub fn at(&self, address: &str) -> Self {
        let db = TestDb { url: self.db.url.clone(), dir: tempfile::tempdir().expect("temp dir"), pg_name: None };
        Self::remote(address.to_owned(), self.public_url.clone(), self.identity.clone(), db)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.text().await.expect("body"))
    }

    pub fn smtp(&self) -> &SmtpServer {
        self.smtp.as_ref().expect("app built with_smtp()")
    }

    /// Moves the clock the running server reads (built `with_clock()`) forward by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        let clock = self.clock.as_ref().expect("app built with_clock()");
        clock.advance(i64::try_from(by.as_millis()).expect("a duration in range"));
    }

    /// The same core with a frozen clock, for tests that control time.
    pub fn identity_at(&self, clock: Arc<FixedClock>) -> Identity {
        self.identity.with_clock(clock)
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.expect("server task").expect("server stopped cleanly");
        }
    }
}

/// Runs the `foyer` binary against `db` with cheap hashing and a clean environment.
pub fn foyer(db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_foyer"));
    cmd.args(args)
        .current_dir(db.dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("FOYER_DATABASE_URL", &db.url)
        .env("FOYER_DATA_DIR", db.dir.path().join("data"))
        .env("FOYER_ARGON2_MEMORY_KIB", "64")
        .env("FOYER_ARGON2_ITERATIONS", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run foyer")
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
