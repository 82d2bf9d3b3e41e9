//! Foyer as it runs scaled out: several `foyer serve` processes (the real binary) on one
//! PostgreSQL database behind a round-robin HTTP proxy written here, and the faults such
//! a deployment meets (a node killed with SIGKILL, PostgreSQL stopped, SQLite's disk full
//! or read-only). `docs/design/cluster.md` says what each scenario proves.
//!
//! - `nodes`: a code issued by A is redeemed at B, a session made at A works at B,
//!   revocations at A are honoured at B, a key rotation is published by every node, each
//!   outbox event is delivered once though every node runs a worker.
//! - `faults`: kill -9 during a login storm and a refresh run; PostgreSQL stopped and
//!   started again under a running node (a private PostgreSQL, never the shared one).
//! - `disk`: `FOYER_SQLITE_SYNCHRONOUS`, SQLite on a full and on a read-only disk.
//!
//! The nodes share the database and the master key (`FOYER_MASTER_KEY`), nothing else:
//! each has its own data directory, port and background work. Seeding goes through a
//! core opened in the test on the same database ([`Cluster::app`] is a [`TestApp`] whose
//! requests go through the proxy), so the helpers of the other modules (Rp, Browser,
//! `with_customer`) work unchanged; [`Cluster::node`] is the same view aimed at one node.
//!
//! PostgreSQL comes from the harness's `TestDb` (a fresh database; skipped with a loud
//! message when unreachable unless `FOYER_REQUIRE_POSTGRES=1`).

mod disk;
mod faults;
mod nodes;
mod private_pg;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use server::config::{Config, RawConfig};

use crate::support::{Db, TestApp, TestDb};

/// The master key every node of a test cluster shares (test-only).
pub const MASTER_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// The header the proxy adds to say which node answered (`a`, `b`, …).
pub const NODE_HEADER: &str = "x-test-node";

/// How long another node may go on honouring something revoked (issue 17: 1 s), plus
/// the time a request takes to reach it.
pub const REVOCATION_BOUND: Duration = Duration::from_millis(1_100);

// ---------------------------------------------------------------------------------
// One node: a `foyer serve` process
// ---------------------------------------------------------------------------------

/// A `foyer serve` process on its own port; killed (SIGKILL) when dropped.
pub struct Node {
    pub name: String,
    pub address: String,
    port: u16,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
}

/// A free local port (bound, then released for the child to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// What every node needs: the database, the public URL (the proxy's), the shared master
/// key, cheap hashing, fast outbox polling, limits far above what a test sends from
/// one address, and a refresh retry window (a client whose answer a killed node lost
/// retries its refresh: `faults`).
pub fn node_env(database_url: &str, public_url: &str, data_dir: &Path) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("FOYER_DATABASE_URL", database_url),
        ("FOYER_PUBLIC_URL", public_url),
        ("FOYER_MASTER_KEY", MASTER_KEY),
        ("FOYER_ARGON2_MEMORY_KIB", "64"),
        ("FOYER_ARGON2_ITERATIONS", "1"),
        ("FOYER_OUTBOX_POLL_MS", "50"),
        ("FOYER_DB_MAX_CONNECTIONS", "5"),
        ("FOYER_LOG_FORMAT", "json"),
        ("FOYER_LIMIT_BROWSER_PER_IP_PER_SECOND", "100000"),
        ("FOYER_LIMIT_BROWSER_PER_IP_BURST", "100000"),
        ("FOYER_LIMIT_API_PER_IP_PER_SECOND", "100000"),
        ("FOYER_LIMIT_API_PER_IP_BURST", "100000"),
        ("FOYER_LIMIT_TOKEN_PER_CLIENT_PER_SECOND", "100000"),
        ("FOYER_LIMIT_TOKEN_PER_CLIENT_BURST", "100000"),
        ("FOYER_REFRESH_RETRY_SECONDS", "30"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    env.push(("FOYER_DATA_DIR".into(), data_dir.join("data").display().to_string()));
    env.push(("FOYER_SITE_ROOT".into(), data_dir.join("site").display().to_string()));
    env
}

impl Node {
    /// Starts `foyer serve` with `env` on a free port and waits until `/healthz` answers;
    /// `None` (with the reason printed) when the process exits first.
    pub async fn try_start(name: &str, env: Vec<(String, String)>, dir: &Path) -> Result<Self, String> {
        let port = free_port();
        let log = dir.join(format!("node-{name}.log"));
        let mut node = Self { name: name.to_owned(), address: format!("http://127.0.0.1:{port}"), port, env, log, child: None };
        node.spawn()?;
        node.wait_healthy().await?;
        Ok(node)
    }

    pub async fn start(name: &str, env: Vec<(String, String)>, dir: &Path) -> Self {
        Self::try_start(name, env, dir).await.unwrap_or_else(|e| panic!("node {name} did not start: {e}"))
    }

    fn spawn(&mut self) -> Result<(), String> {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).map_err(|e| e.to_string())?;
        let err = log.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_foyer"));
        cmd.arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("FOYER_ADDR", format!("127.0.0.1:{}", self.port))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        self.child = Some(cmd.spawn().map_err(|e| format!("cannot run foyer: {e}"))?);
        Ok(())
    }

    async fn wait_healthy(&mut self) -> Result<(), String> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().expect("client");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                return Err(format!("exited ({status}):\n{}", self.log_text()));
            }
            if let Ok(r) = http.get(format!("{}/healthz", self.address)).send().await
                && r.status() == 200
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("no /healthz within 60 s:\n{}", self.log_text()));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// What the process wrote (JSON log lines).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `kill -9`: no shutdown, no drain, whatever was in flight is cut.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM and wait: the graceful stop (`startup::shutdown_signal`).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
    }

    /// Starts the process again on the same port with the same settings.
    pub async fn restart(&mut self) {
        self.kill();
        self.spawn().expect("respawn");
        self.wait_healthy().await.unwrap_or_else(|e| panic!("node {} did not come back: {e}", self.name));
    }

    /// Whether the process is still running (it did not panic or exit).
    pub fn is_running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

// ---------------------------------------------------------------------------------
// The proxy: round robin per request
// ---------------------------------------------------------------------------------

#[derive(Clone, Default)]
struct ProxyState {
    backends: Arc<Mutex<Vec<(String, String)>>>,
    next: Arc<AtomicUsize>,
    pinned: Arc<Mutex<Option<usize>>>,
}

/// A load balancer as a deployment has one: each request goes to the next node; a node
/// that refuses the connection (down) is skipped, as `proxy_next_upstream error` does;
/// a connection cut mid-request answers 502, which the client may retry.
pub struct Proxy {
    pub address: String,
    pub public_url: String,
    state: ProxyState,
}

impl Proxy {
    pub async fn start() -> Self {
        let state = ProxyState::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
        let port = listener.local_addr().expect("addr").port();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0) // a fresh connection per request: a dead node is a refused connect
            .timeout(Duration::from_secs(30))
            .build()
            .expect("proxy client");
        let router = axum::Router::new().fallback(forward).with_state((state.clone(), http));
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self { address: format!("http://127.0.0.1:{port}"), public_url: format!("http://localhost:{port}"), state }
    }

    pub fn set_backends(&self, nodes: &[&Node]) {
        *self.state.backends.lock().unwrap() = nodes.iter().map(|n| (n.name.clone(), n.address.clone())).collect();
    }

    /// Sends every request to backend `i` (`None`: round robin again).
    pub fn pin(&self, i: Option<usize>) {
        *self.state.pinned.lock().unwrap() = i;
    }
}

const HOP_BY_HOP: [&str; 5] = ["connection", "keep-alive", "transfer-encoding", "content-length", "host"];

async fn forward(State((state, http)): State<(ProxyState, reqwest::Client)>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 16 << 20).await else { return StatusCode::BAD_REQUEST.into_response() };
    let backends = state.backends.lock().unwrap().clone();
    let pinned = *state.pinned.lock().unwrap();
    let first = pinned.unwrap_or_else(|| state.next.fetch_add(1, Ordering::Relaxed));
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let tries = if pinned.is_some() { 1 } else { backends.len() };
    for i in 0..tries {
        let (name, base) = &backends[(first + i) % backends.len()];
        let mut out = http.request(parts.method.clone(), format!("{base}{path}")).body(body.clone());
        for (k, v) in &parts.headers {
            if !HOP_BY_HOP.contains(&k.as_str()) {
                out = out.header(k, v);
            }
        }
        match out.send().await {
            Ok(answer) => {
                let status = answer.status();
                let headers = answer.headers().clone();
                let Ok(bytes) = answer.bytes().await else {
                    return (StatusCode::BAD_GATEWAY, "the node's answer was cut").into_response();
                };
                let mut response = Response::new(Body::from(bytes));
                *response.status_mut() = status;
                for (k, v) in &headers {
                    if !HOP_BY_HOP.contains(&k.as_str()) {
                        response.headers_mut().append(k, v.clone());
                    }
                }
                if let Ok(v) = HeaderValue::from_str(name) {
                    response.headers_mut().insert(HeaderName::from_static(NODE_HEADER), v);
                }
                return response;
            }
            Err(e) if e.is_connect() => continue, // down: nothing was sent, the next node takes it
            Err(_) => return (StatusCode::BAD_GATEWAY, "the node went away during the request").into_response(),
        }
    }
    (StatusCode::BAD_GATEWAY, "no node answers").into_response()
}

// ---------------------------------------------------------------------------------
// The cluster
// ---------------------------------------------------------------------------------

/// Nodes on one database behind a [`Proxy`], and a core opened in the test for seeding.
pub struct Cluster {
    /// The deployment as clients see it: requests go through the proxy.
    pub app: TestApp,
    pub nodes: Vec<Node>,
    pub proxy: Proxy,
    /// The nodes' data directories and logs.
    _dir: tempfile::TempDir,
}

impl Cluster {
    /// `n` nodes on a fresh PostgreSQL database; `None` when PostgreSQL is unreachable
    /// and not required.
    pub async fn start(n: usize) -> Option<Self> {
        let db = TestDb::create(Db::Postgres).await?;
        Some(Self::start_on(db, n).await)
    }

    /// `n` nodes on `db` (PostgreSQL, or one SQLite file for a single node). The schema
    /// and the signing keys (the fixture RS256 key: RSA generation is slow in debug
    /// builds) are made before any node starts.
    pub async fn start_on(db: TestDb, n: usize) -> Self {
        let proxy = Proxy::start().await;
        let app = seeding_app(db, &proxy).await;
        crate::oidc::rp::install_fixture_keys(&app).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let mut nodes = Vec::new();
        for i in 0..n {
            let name = ((b'a' + u8::try_from(i).expect("few nodes")) as char).to_string();
            let env = node_env(&app.db.url, &proxy.public_url, &dir.path().join(&name));
            nodes.push(Node::start(&name, env, dir.path()).await);
        }
        proxy.set_backends(&nodes.iter().collect::<Vec<_>>());
        Self { app, nodes, proxy, _dir: dir }
    }

    /// The deployment seen at node `i` only (requests bypass the proxy).
    pub fn node(&self, i: usize) -> TestApp {
        self.app.at(&self.nodes[i].address)
    }
}

/// The test's own core on the cluster's database (migrated here), behind the proxy's
/// address and public URL.
async fn seeding_app(db: TestDb, proxy: &Proxy) -> TestApp {
    let mut raw: RawConfig = crate::support::test_config(&db);
    raw.public_url = proxy.public_url.clone();
    raw.master_key = Some(MASTER_KEY.to_owned().into());
    raw.db_max_connections = 5;
    let config = Config::check(raw).expect("cluster config");
    let services = server::startup::Services::open(&config).await.expect("open the cluster's database");
    TestApp::remote(proxy.address.clone(), proxy.public_url.clone(), services.identity, db)
}

/// Polls `refused` until it says the revoked thing is refused; fails if an attempt that
/// *started* later than [`REVOCATION_BOUND`] after `since` was still accepted. (Today
/// every node reads the database per request, so the first attempt is refused.)
pub async fn refused_within_bound<F, Fut>(since: Instant, what: &str, mut refused: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    loop {
        let sent = Instant::now();
        if refused().await {
            return;
        }
        assert!(sent.duration_since(since) <= REVOCATION_BOUND, "{what}: still accepted by another node {:?} after the revocation", sent.duration_since(since));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls `check` until it holds, for at most `limit` (a wait for something to happen,
/// never a measure of speed).
pub async fn eventually<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
