//! The side-by-side section's servers, each its own process so they are measured alike:
//! - Foyer: seeded in this process (`Server::start_at` over the database, the same
//!   seeding as the classic section, then clients, refresh chains and access tokens), then
//!   stopped; `foyer serve` (`CARGO_BIN_EXE_foyer`, the binary of this build) serves the
//!   same database with the same issuer, master key and signing keys;
//! - the peer: `node bench/peer/server.mjs` (it seeds itself and prints one JSON line);
//! - the hello-world: this benchmark's own executable again with `FOYER_BENCH_HELLO=1`
//!   (an axum server answering `GET /` with a small JSON object).
//!
//! Every child is killed when its [`Child`] is dropped.

use std::io::{BufRead as _, BufReader};
use std::path::{Path as FsPath, PathBuf};
use std::process::{ChildStdout, Command, Stdio};
use std::sync::Mutex;

use super::*;
use crate::load::*;

pub(crate) const HELLO_VAR: &str = "FOYER_BENCH_HELLO";

/// How long a `foyer serve` child is left alone before its idle memory is read, and
/// after a scenario before "after" is: its start-up (or the scenario's) garbage given
/// back as an allocator does in that time.
pub(crate) const SETTLE: Duration = Duration::from_secs(2);

/// A child process, killed on drop.
pub(crate) struct Child {
    process: std::process::Child,
    /// Kept open: the child may write more and must not meet a closed pipe.
    _stdout: Option<BufReader<ChildStdout>>,
}

impl Child {
    pub(crate) fn pid(&self) -> u32 {
        self.process.id()
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// In the hello-world child (`FOYER_BENCH_HELLO=1`): prints the port, serves until killed,
/// and never returns. Elsewhere: returns at once.
pub(crate) fn hello_main() {
    if std::env::var_os(HELLO_VAR).is_none() {
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(cores).enable_all().build().expect("tokio runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("hello-world listens");
        println!("{}", listener.local_addr().expect("address").port());
        let app = axum::Router::new()
            .route("/", axum::routing::get(|| async { ([(header::CONTENT_TYPE, "application/json")], "{\"hello\":\"world\"}") }));
        axum::serve(listener, app).await.expect("hello-world serves");
    });
    std::process::exit(0);
}

/// Reads stdout lines until one starts with `{` or a digit (what the child prints when
/// ready); `None` if the child closes stdout first or takes more than 60 s.
async fn ready_line(process: &mut std::process::Child) -> Option<(String, BufReader<ChildStdout>)> {
    let stdout = process.stdout.take()?;
    let reading = tokio::task::spawn_blocking(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            if line.starts_with('{') || line.starts_with(|c: char| c.is_ascii_digit()) {
                return Some((line.trim().to_owned(), reader));
            }
        }
    });
    tokio::time::timeout(Duration::from_secs(60), reading).await.ok()?.ok()?
}

pub(crate) async fn start_hello() -> (Child, Arc<Target>) {
    let exe = std::env::current_exe().expect("own executable");
    let mut process = Command::new(exe).env(HELLO_VAR, "1").stdout(Stdio::piped()).spawn().expect("hello-world child starts");
    let (port, reader) = ready_line(&mut process).await.expect("the hello-world child prints its port");
    let child = Child { process, _stdout: Some(reader) };
    let target = Target::plain(child.pid(), &format!("http://127.0.0.1:{port}/"));
    (child, Arc::new(target))
}

/// Where the peer lives: `bench/peer/` at the top of the repository.
pub(crate) fn peer_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("bench").join("peer")
}

/// The installed oidc-provider's version, or why the peer cannot run.
pub(crate) fn peer_version() -> Result<String, String> {
    let installed = peer_dir().join("node_modules/oidc-provider/package.json");
    let text = std::fs::read_to_string(&installed)
        .map_err(|_| format!("{} is missing: run `npm ci` in bench/peer (./dev.sh bench --peer does)", installed.display()))?;
    let node = Command::new("node").arg("--version").output().map_err(|e| format!("node is not available ({e})"))?;
    let package: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok(format!(
        "oidc-provider {} on node {}",
        package["version"].as_str().unwrap_or("?"),
        String::from_utf8_lossy(&node.stdout).trim()
    ))
}

/// Starts the peer and reads what it seeded.
pub(crate) async fn start_peer() -> Result<(Child, Arc<Target>), String> {
    peer_version()?;
    let mut process = Command::new("node")
        .arg("server.mjs")
        .args(["0", &CLIENTS.to_string(), &CHAINS.to_string(), &ACCESS_TOKENS.to_string()])
        .current_dir(peer_dir())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start node ({e})"))?;
    let Some((line, reader)) = ready_line(&mut process).await else {
        let _ = process.kill();
        return Err("bench/peer/server.mjs did not print its JSON line (see its messages above)".into());
    };
    let child = Child { process, _stdout: Some(reader) };
    let seeded: Value = serde_json::from_str(&line).map_err(|e| format!("bench/peer/server.mjs printed {e}"))?;
    let issuer = seeded["issuer"].as_str().ok_or("no issuer")?;
    let mut target = Target::discover("oidc-provider", child.pid(), issuer).await;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    target.clients = seeded["clients"]
        .as_array()
        .ok_or("no clients")?
        .iter()
        .map(|c| BenchClient { id: text(&c["id"]), secret: text(&c["secret"]) })
        .collect();
    let chains = seeded["refresh_tokens"].as_array().ok_or("no refresh tokens")?;
    target.chains = Mutex::new(chains.iter().map(|c| (c["client"].as_u64().unwrap_or(0) as usize, Some(text(&c["token"])))).collect());
    target.access = seeded["access_tokens"].as_array().ok_or("no access tokens")?.iter().map(text).collect();
    target.access_client = seeded["access_client"].as_u64().unwrap_or(0) as usize;
    Ok((child, Arc::new(target)))
}

pub(crate) fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("address").port()
}

/// Seeds `database_url` in this process, then serves it from a `foyer serve` child.
pub(crate) async fn start_foyer(database_url: &str, dir: &FsPath) -> (Child, Arc<Target>) {
    let port = free_port();
    let public_url = format!("http://localhost:{port}");
    let server = Server::start_at(database_url, dir, &public_url).await;
    let bench = Bench::seed(&server).await;
    let mut clients = Vec::with_capacity(CLIENTS);
    for n in 0..CLIENTS {
        let spec = ClientSpec::new("bench", &format!("Side {n}")).redirect_uri(REDIRECT).grant("client_credentials").dev(true);
        let created = bench.identity.create_client(&Principal::Operator, &spec).await.expect("client registered");
        let secret = created.secret.expect("a confidential client has a secret").expose_secret().to_owned();
        clients.push(BenchClient { id: created.client.id, secret });
    }
    let browsers = bench.browsers.len();
    let mut chains = Vec::with_capacity(CHAINS);
    for c in 0..CHAINS {
        let client = c % CLIENTS;
        let (code, verifier) = bench.authorize(&bench.browsers[c % browsers], &clients[client]).await;
        chains.push((client, Some(bench.exchange(&clients[client], &code, &verifier).await.refresh)));
    }
    let mut access = Vec::with_capacity(ACCESS_TOKENS);
    for a in 0..ACCESS_TOKENS {
        let (code, verifier) = bench.authorize(&bench.browsers[a % browsers], &clients[0]).await;
        access.push(bench.exchange(&clients[0], &code, &verifier).await.access);
    }
    drop(bench);
    server.stop().await;

    let child = serve(database_url, dir, port, &public_url).await;
    let base = format!("http://127.0.0.1:{port}");
    let mut target = Target::discover("Foyer", child.pid(), &base).await;
    target.clients = clients;
    target.chains = Mutex::new(chains);
    target.access = access;
    target.access_client = 0;
    (child, Arc::new(target))
}

/// `foyer serve` (this build's binary) over `database_url` on `port` with `public_url`
/// as its issuer, the benchmark's master key, `127.0.0.1` trusted as a proxy and no
/// outbox worker; returns once discovery answers. Its log: `<dir>/foyer-serve.log`.
pub(crate) async fn serve(database_url: &str, dir: &FsPath, port: u16, public_url: &str) -> Child {
    let log_path = dir.join("foyer-serve.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let process = Command::new(env!("CARGO_BIN_EXE_foyer"))
        .arg("serve")
        .current_dir(dir)
        .env("FOYER_DATABASE_URL", database_url)
        .env("FOYER_PUBLIC_URL", public_url)
        .env("FOYER_ADDR", format!("127.0.0.1:{port}"))
        .env("FOYER_DATA_DIR", dir.join("data"))
        .env("FOYER_SITE_ROOT", dir.join("site"))
        .env("FOYER_MASTER_KEY", MASTER_KEY)
        .env("FOYER_TRUSTED_PROXIES", "127.0.0.1")
        .env("FOYER_OUTBOX_WORKER", "false")
        .stdout(log.try_clone().expect("log file"))
        .stderr(log)
        .spawn()
        .expect("foyer serve starts");
    let mut child = Child { process, _stdout: None };
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = child.process.try_wait() {
            panic!("foyer serve exited ({status}); its log: {}", log_path.display());
        }
        let answered = reqwest::get(format!("{base}/.well-known/openid-configuration")).await.is_ok_and(|r| r.status() == StatusCode::OK);
        if answered {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "foyer serve did not answer within 60 s; its log: {}", log_path.display());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child
}
