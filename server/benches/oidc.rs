//! The OpenID Connect provider's hot paths under load, measured and printed (never a
//! pass/fail test). `./dev.sh bench` or `cargo bench -p server --bench oidc`.
//!
//! A real Foyer starts in this process (`server::startup::Application` on a free port)
//! over a fresh SQLite file, then again over a fresh PostgreSQL database when one is
//! reachable (`FOYER_BENCH_POSTGRES_URL`, else `FOYER_TEST_POSTGRES_URL`, else the local
//! server as user `postgres`). Seeded: one brand, confidential clients
//! (`client_secret_basic`), and one verified customer per worker, signed in through
//! `POST /api/login` with a cookie jar and consented once through `/api/consent_decide`.
//!
//! Each operation runs a fixed number of times at concurrency 1 and 8 (one task per
//! worker, each waiting for its answer before the next request) and prints ops/s and
//! latency percentiles. The load generator shares the process and the cores with the
//! server, as a reverse proxy on the same host would.
//!
//! Rate limits stay on (there is no setting to lift them), so the benchmark works
//! within them and checks every status code, failing loudly on a 429:
//! - browser routes and UserInfo/introspection are limited per client IP: the server
//!   trusts `X-Forwarded-For` from 127.0.0.1 (`FOYER_TRUSTED_PROXIES`) and each request
//!   comes "from" the next address of 198.18.0.0/20 (RFC 2544's benchmarking range);
//! - the token endpoint is limited per client (a burst of 600): each client makes at
//!   most [`TOKEN_BUDGET`] token requests, so the token benchmarks register a fresh
//!   client for every batch (outside the timed part).
//!
//! `FOYER_BENCH_QUICK=1` runs a tenth of the operations (a smoke run).

#![expect(clippy::expect_used, clippy::panic, reason = "a benchmark fails loudly")]

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use identity::Identity;
use identity::accounts::RequestMeta;
use identity::accounts::register::Registration;
use identity::audit::Actor;
use identity::brand::BrandSlug;
use identity::oidc::clients::ClientSpec;
use reqwest::{StatusCode, header};
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::Value;
use server::config::{Config, RawConfig};
use server::startup::Application;
use sha2::{Digest as _, Sha256};
use sqlx::{Connection as _, Executor as _};
use tokio::sync::oneshot;

/// Nothing listens there: the benchmark reads the code from the 303's `Location`.
const REDIRECT: &str = "http://127.0.0.1:9/cb";
const PASSWORD: &str = "correct horse battery staple 42";
const SCOPE: &str = "openid profile email";
/// A fixed master key ("bench-master-key-not-a-secret-!!"): nothing outlives the run.
const MASTER_KEY: &str = "62656e63682d6d61737465722d6b65792d6e6f742d612d7365637265742d2121";
const CONCURRENCY: [usize; 2] = [1, 8];
/// Token requests per client, under the per-client burst of 600.
const TOKEN_BUDGET: usize = 500;
const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Operations per measurement (at each concurrency), before `FOYER_BENCH_QUICK`.
const OPS: [(Op, usize); 7] = [
    (Op::Authorize, 2_000),
    (Op::CodeExchange, 2_000),
    (Op::Refresh, 2_000),
    (Op::UserInfo, 4_000),
    (Op::Introspect, 4_000),
    (Op::Jwks, 8_000),
    (Op::Discovery, 8_000),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Authorize,
    CodeExchange,
    Refresh,
    UserInfo,
    Introspect,
    Jwks,
    Discovery,
}

impl Op {
    fn label(self) -> &'static str {
        match self {
            Self::Authorize => "authorize → code",
            Self::CodeExchange => "code → tokens",
            Self::Refresh => "refresh rotation",
            Self::UserInfo => "userinfo",
            Self::Introspect => "introspect",
            Self::Jwks => "jwks",
            Self::Discovery => "discovery",
        }
    }
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(cores).enable_all().build().expect("tokio runtime");
    runtime.block_on(run(cores));
}

async fn run(cores: usize) {
    let quick = std::env::var("FOYER_BENCH_QUICK").is_ok_and(|v| v == "1");
    let profile = if cfg!(debug_assertions) { "debug (unoptimised: do not quote these figures)" } else { "release (cargo bench)" };
    let mut report = String::new();
    report.push_str("Foyer OIDC provider benchmark\n");
    report.push_str(&format!("date (UTC):  {}\n", today()));
    report.push_str(&format!("machine:     {cores} cores ({}), {} {}\n", cpu_model(), std::env::consts::OS, std::env::consts::ARCH));
    report.push_str(&format!("build:       {profile}\n"));
    report.push_str(&format!("load avg:    {} at the start (other work on the machine skews the figures)\n", load_average()));
    report.push_str(&format!(
        "load:        in-process HTTP/1.1 client on the same {cores} cores, keep-alive; \
         each worker sends its next request when the answer is in{}\n",
        if quick { "; QUICK run (a tenth of the operations)" } else { "" }
    ));
    eprintln!("{report}");

    let sqlite_dir = tempfile::tempdir().expect("temp dir");
    let sqlite_url = format!("sqlite://{}/foyer.db", sqlite_dir.path().display());
    let mut tables = vec![measure_backend("SQLite (file, WAL)", &sqlite_url, sqlite_dir.path(), quick).await];

    let admin = std::env::var("FOYER_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("FOYER_TEST_POSTGRES_URL"))
        .unwrap_or_else(|_| DEFAULT_PG.to_owned());
    match PgDatabase::create(&admin).await {
        Ok(db) => {
            let dir = tempfile::tempdir().expect("temp dir");
            tables.push(measure_backend("PostgreSQL", &db.url, dir.path(), quick).await);
            db.drop().await;
        }
        Err(e) => {
            let note = format!("PostgreSQL: skipped, cannot connect to {} ({e}); set FOYER_BENCH_POSTGRES_URL\n", redact(&admin));
            eprintln!("\n!!!! {note}");
            report.push_str(&note);
        }
    }

    println!("{report}");
    for table in tables {
        println!("{table}");
    }
}

// ---------------------------------------------------------------------------------
// One backend
// ---------------------------------------------------------------------------------

async fn measure_backend(name: &str, database_url: &str, dir: &std::path::Path, quick: bool) -> String {
    eprintln!("==> {name}: starting Foyer and seeding");
    let server = Server::start(database_url, dir).await;
    let bench = Arc::new(Bench::seed(&server).await);

    // Warm-up: connections, caches, prepared statements; not recorded.
    for (op, _) in OPS {
        let _ = measure(&bench, op, 1, 40).await;
    }

    let cpu_start = cpu_ticks();
    let mut table = format!(
        "{name}, pool of {} connections\n\n| operation | concurrency | ops | ops/s | p50 ms | p95 ms | p99 ms |\n|---|--:|--:|--:|--:|--:|--:|\n",
        server.pool_size
    );
    for (op, ops) in OPS {
        let ops = if quick { ops / 10 } else { ops };
        for concurrency in CONCURRENCY {
            let sample = measure(&bench, op, concurrency, ops).await;
            let row = sample.row(op.label(), concurrency);
            eprintln!("{name}: {row}");
            table.push_str(&row);
            table.push('\n');
        }
    }
    if let (Some(start), Some(end)) = (cpu_start, cpu_ticks()) {
        let note = if name.starts_with("PostgreSQL") { " (PostgreSQL's own processes count as other)" } else { "" };
        table.push_str(&format!("\nCPU while measuring: {}{note}\n", start.share_until(end)));
    }
    drop(bench);
    server.stop().await;
    table
}

/// Runs `op` `ops` times spread over `concurrency` workers (rounded down to a multiple).
async fn measure(bench: &Arc<Bench>, op: Op, concurrency: usize, ops: usize) -> Sample {
    let per_worker = (ops / concurrency).max(1);
    match op {
        Op::Authorize => {
            let inputs = (0..concurrency).map(|w| (Arc::clone(bench), w)).collect();
            timed(inputs, move |(bench, w)| async move {
                let mut latencies = Vec::with_capacity(per_worker);
                let browser = &bench.browsers[w];
                for _ in 0..per_worker {
                    let start = Instant::now();
                    bench.authorize(browser, &bench.main).await;
                    latencies.push(start.elapsed());
                }
                latencies
            })
            .await
        }
        Op::CodeExchange => {
            // Fresh codes (single use, 60 s), made by every browser at once before the clock starts.
            let started = Instant::now();
            let mut inputs = Vec::with_capacity(concurrency);
            for _ in 0..concurrency {
                let mut codes = Vec::with_capacity(per_worker);
                let mut left = per_worker;
                while left > 0 {
                    let batch = left.min(TOKEN_BUDGET);
                    let client = bench.new_client().await;
                    codes.extend(bench.codes(&client, batch).await.into_iter().map(|(code, verifier)| (client.clone(), code, verifier)));
                    left -= batch;
                }
                inputs.push((Arc::clone(bench), codes));
            }
            let making = started.elapsed();
            assert!(making < Duration::from_secs(30), "making {ops} codes took {making:?}: the first would expire (60 s) before use; lower the count");
            timed(inputs, |(bench, codes)| async move {
                let mut latencies = Vec::with_capacity(codes.len());
                for (client, code, verifier) in codes {
                    let start = Instant::now();
                    bench.exchange(&client, &code, &verifier).await;
                    latencies.push(start.elapsed());
                }
                latencies
            })
            .await
        }
        Op::Refresh => {
            // Chains of rotations, each on its own client: one code exchange starts a chain.
            let mut inputs = Vec::with_capacity(concurrency);
            for w in 0..concurrency {
                let mut chains = Vec::new();
                let mut left = per_worker;
                while left > 0 {
                    let length = left.min(TOKEN_BUDGET - 1);
                    let client = bench.new_client().await;
                    let (code, verifier) = bench.authorize(&bench.browsers[w], &client).await;
                    let tokens = bench.exchange(&client, &code, &verifier).await;
                    chains.push((client, tokens.refresh, length));
                    left -= length;
                }
                inputs.push((Arc::clone(bench), chains));
            }
            timed(inputs, |(bench, chains)| async move {
                let mut latencies = Vec::new();
                for (client, mut refresh, length) in chains {
                    for _ in 0..length {
                        let start = Instant::now();
                        refresh = bench.refresh(&client, &refresh).await;
                        latencies.push(start.elapsed());
                    }
                }
                latencies
            })
            .await
        }
        Op::UserInfo | Op::Introspect | Op::Jwks | Op::Discovery => {
            let inputs = (0..concurrency).map(|w| (Arc::clone(bench), w)).collect();
            timed(inputs, move |(bench, w)| async move {
                let mut latencies = Vec::with_capacity(per_worker);
                let access = &bench.access_tokens[w];
                for _ in 0..per_worker {
                    let start = Instant::now();
                    match op {
                        Op::UserInfo => bench.userinfo(access).await,
                        Op::Introspect => bench.introspect(access).await,
                        Op::Jwks => bench.get_json("/oauth2/jwks").await,
                        _ => bench.get_json("/.well-known/openid-configuration").await,
                    }
                    latencies.push(start.elapsed());
                }
                latencies
            })
            .await
        }
    }
}

/// Starts one task per input at once; the wall time runs until the last one finishes.
async fn timed<T, F, Fut>(inputs: Vec<T>, worker: F) -> Sample
where
    T: Send + 'static,
    F: Fn(T) -> Fut,
    Fut: Future<Output = Vec<Duration>> + Send + 'static,
{
    let start = Instant::now();
    let handles: Vec<_> = inputs.into_iter().map(|input| tokio::spawn(worker(input))).collect();
    let mut latencies = Vec::new();
    for handle in handles {
        latencies.extend(handle.await.expect("a worker failed (see its message above)"));
    }
    Sample { wall: start.elapsed(), latencies }
}

#[derive(Debug)]
struct Sample {
    wall: Duration,
    latencies: Vec<Duration>,
}

impl Sample {
    fn row(mut self, label: &str, concurrency: usize) -> String {
        self.latencies.sort_unstable();
        let n = self.latencies.len();
        // Nearest rank: the smallest latency with at least p % of the requests at or below it.
        let percentile = |p: usize| {
            let rank = (p * n).div_ceil(100).max(1);
            self.latencies[rank - 1].as_secs_f64() * 1_000.0
        };
        let rate = n as f64 / self.wall.as_secs_f64();
        format!("| {label} | {concurrency} | {n} | {rate:.0} | {:.2} | {:.2} | {:.2} |", percentile(50), percentile(95), percentile(99))
    }
}

// ---------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------

struct Server {
    address: String,
    pool_size: u32,
    public_url: String,
    identity: Identity,
    stop: oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Server {
    async fn start(database_url: &str, dir: &std::path::Path) -> Self {
        let raw = RawConfig {
            database_url: database_url.to_owned(),
            public_url: "http://localhost:0".into(),
            addr: "127.0.0.1:0".into(),
            data_dir: dir.join("data"),
            site_root: dir.join("site"),
            master_key: Some(SecretString::from(MASTER_KEY.to_owned())),
            // Requests carry X-Forwarded-For from the benchmarking range (see the top).
            trusted_proxies: "127.0.0.1".into(),
            // Hashing only runs at the seeding sign-ins: keep it cheap.
            argon2_memory_kib: 64,
            argon2_iterations: 1,
            // Nothing here sends mail: no background polling beside the measurements.
            outbox_worker: false,
            ..RawConfig::default()
        };
        let config = Config::check(raw).expect("benchmark config is valid");
        let pool_size = config.pool.max_connections;
        let app = Application::build(config).await.expect("Foyer starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let public_url = app.public_url().to_owned();
        let identity = app.context().identity.clone();
        // Every signing key now, before the first request (as the tests do), so no
        // request pays for key generation and the maintenance job does not race it.
        let manager = app.keys().manager().expect("key manager");
        manager.ensure_keys(identity.clock.now()).await.expect("signing keys");
        app.keys().forget().await;
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        Self { address, pool_size, public_url, identity, stop, handle }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        match tokio::time::timeout(Duration::from_secs(30), self.handle).await {
            Ok(joined) => joined.expect("server task").expect("server stopped cleanly"),
            Err(_) => eprintln!("(the server did not stop within 30 s; going on)"),
        }
    }
}

/// A fresh PostgreSQL database, dropped at the end.
struct PgDatabase {
    admin: String,
    name: String,
    url: String,
}

impl PgDatabase {
    async fn create(admin: &str) -> Result<Self, String> {
        let mut conn = sqlx::PgConnection::connect(admin).await.map_err(|e| e.to_string())?;
        let name = format!("foyer_bench_{}", uuid::Uuid::new_v4().simple());
        conn.execute(format!("CREATE DATABASE {name}").as_str()).await.map_err(|e| e.to_string())?;
        let _ = conn.close().await;
        let mut url = url::Url::parse(admin).map_err(|e| e.to_string())?;
        url.set_path(&name);
        Ok(Self { admin: admin.to_owned(), name, url: url.to_string() })
    }

    async fn drop(self) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin).await {
            let _ = conn.execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str()).await;
        }
    }
}

/// A URL without its password, for printing.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "(unparsable URL)".to_owned(),
    }
}

// ---------------------------------------------------------------------------------
// The seeded world and the requests
// ---------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct BenchClient {
    id: String,
    secret: String,
}

struct Tokens {
    access: String,
    refresh: String,
}

struct Bench {
    address: String,
    public_url: String,
    identity: Identity,
    /// No cookies, no redirects: the relying parties' back-channel calls.
    http: reqwest::Client,
    /// One signed-in, consented customer per worker, each with its own cookie jar.
    browsers: Vec<reqwest::Client>,
    /// The client of the authorize, UserInfo and introspection runs.
    main: BenchClient,
    /// One access token per worker (its customer's), for UserInfo and introspection.
    access_tokens: Vec<String>,
    next_ip: AtomicU32,
    next_client: AtomicU32,
}

impl Bench {
    async fn seed(server: &Server) -> Self {
        let identity = server.identity.clone();
        identity.create_brand(&BrandSlug::parse("bench").expect("slug"), "Bench", Actor::System).await.expect("brand");
        let workers = CONCURRENCY.into_iter().max().unwrap_or(1);
        let mut bench = Self {
            address: server.address.clone(),
            public_url: server.public_url.clone(),
            identity,
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("http client"),
            browsers: Vec::new(),
            main: BenchClient { id: String::new(), secret: String::new() },
            access_tokens: Vec::new(),
            next_ip: AtomicU32::new(0),
            next_client: AtomicU32::new(0),
        };
        bench.main = bench.new_client().await;
        for w in 0..workers {
            let email = format!("bench{w}@example.com");
            bench.customer(&email, w).await;
            let browser = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
                .build()
                .expect("browser");
            bench.sign_in_and_consent(&browser, &email).await;
            let (code, verifier) = bench.authorize(&browser, &bench.main).await;
            let tokens = bench.exchange(&bench.main, &code, &verifier).await;
            bench.access_tokens.push(tokens.access);
            bench.browsers.push(browser);
        }
        bench
    }

    /// The next address of 198.18.0.0/20 (4,096 addresses, well within every per-IP burst).
    fn forwarded_for(&self) -> String {
        let n = self.next_ip.fetch_add(1, Ordering::Relaxed) % 4_096;
        let [_, _, hi, lo] = n.to_be_bytes();
        format!("198.18.{hi}.{lo}")
    }

    async fn new_client(&self) -> BenchClient {
        let n = self.next_client.fetch_add(1, Ordering::Relaxed);
        let spec = ClientSpec::new("bench", &format!("Bench {n}")).redirect_uri(REDIRECT).dev(true);
        let created = self.identity.create_client(&spec, Actor::System).await.expect("client registered");
        let secret = created.secret.expect("a confidential client has a secret").expose_secret().to_owned();
        BenchClient { id: created.client.id, secret }
    }

    /// A verified customer with [`PASSWORD`], registered through the core.
    async fn customer(&self, email: &str, n: usize) {
        let registration = Registration {
            email: email.into(),
            password: SecretString::from(PASSWORD.to_owned()),
            given_name: Some("Bench".into()),
            family_name: None,
            accept_terms: true,
        };
        let last = u8::try_from(n + 1).unwrap_or(u8::MAX);
        let meta = RequestMeta::new(std::net::IpAddr::from([192, 0, 2, last]), None);
        self.identity.register(registration, &meta).await.expect("registered");
        let row = self.identity.store.customer_by_email(email).await.expect("lookup").expect("customer exists");
        sqlx::query("UPDATE customers SET email_verified = 1 WHERE id = $1")
            .bind(&row.id)
            .execute(self.identity.store.pool())
            .await
            .expect("verified");
    }

    /// A server-function POST with the headers of a same-origin `fetch`.
    async fn server_fn(&self, browser: &reqwest::Client, endpoint: &str, form: &[(&str, &str)]) -> Value {
        let response = browser
            .post(format!("{}/api/{endpoint}", self.address))
            .header(header::ORIGIN, self.public_url.as_str())
            .header("sec-fetch-site", "same-origin")
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("server function");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert_eq!(status, StatusCode::OK, "/api/{endpoint}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    }

    async fn sign_in_and_consent(&self, browser: &reqwest::Client, email: &str) {
        self.server_fn(browser, "login", &[("email", email), ("password", PASSWORD)]).await;
        let (url, _, _) = self.authorize_url(&self.main);
        let location = self.see_other(browser, &url).await;
        let r = url::Url::parse(&format!("http://x{}", location.trim_start_matches(&self.public_url)))
            .ok()
            .filter(|u| u.path() == "/oauth2/consent")
            .and_then(|u| u.query_pairs().find(|(k, _)| k == "r").map(|(_, v)| v.into_owned()))
            .unwrap_or_else(|| panic!("expected the consent page, got {location}"));
        let next = self.server_fn(browser, "consent_decide", &[("r", &r), ("allow", "true")]).await;
        let next = next.as_str().unwrap_or_else(|| panic!("consent: {next}"));
        let location = self.see_other(browser, &format!("{}{next}", self.address)).await;
        assert!(location.starts_with(REDIRECT), "after consent, back to the client: {location}");
    }

    /// GET `url` as `browser`; the `Location` of the 303 it must answer.
    async fn see_other(&self, browser: &reqwest::Client, url: &str) -> String {
        let response = browser.get(url).header("x-forwarded-for", self.forwarded_for()).send().await.expect("GET");
        let status = response.status();
        let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        match (status, location) {
            (StatusCode::SEE_OTHER, Some(location)) => location,
            (status, _) => panic!("GET {url}: expected 303, got {status}: {}", response.text().await.unwrap_or_default()),
        }
    }

    /// An authorization request with PKCE S256: (URL, state, verifier).
    fn authorize_url(&self, client: &BenchClient) -> (String, String, String) {
        let verifier = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let state = hex::encode(rand::random::<[u8; 16]>());
        let nonce = hex::encode(rand::random::<[u8; 16]>());
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &client.id)
            .append_pair("redirect_uri", REDIRECT)
            .append_pair("scope", SCOPE)
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .finish();
        (format!("{}/oauth2/authorize?{query}", self.address), state, verifier)
    }

    /// `GET /oauth2/authorize` for a signed-in, consented customer: (code, verifier).
    async fn authorize(&self, browser: &reqwest::Client, client: &BenchClient) -> (String, String) {
        let (url, state, verifier) = self.authorize_url(client);
        let location = self.see_other(browser, &url).await;
        let callback = url::Url::parse(&location).unwrap_or_else(|_| panic!("authorize: not a redirect to the client: {location}"));
        let param = |name: &str| callback.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
        assert_eq!(param("state").as_deref(), Some(state.as_str()), "authorize: {location}");
        let code = param("code").unwrap_or_else(|| panic!("authorize: no code in {location}"));
        (code, verifier)
    }

    /// Codes for `client` from every browser at once.
    async fn codes(self: &Arc<Self>, client: &BenchClient, n: usize) -> Vec<(String, String)> {
        let browsers = self.browsers.len();
        let tasks: Vec<_> = (0..browsers)
            .map(|b| {
                let bench = Arc::clone(self);
                let client = client.clone();
                let count = n / browsers + usize::from(b < n % browsers);
                tokio::spawn(async move {
                    let mut codes = Vec::with_capacity(count);
                    for _ in 0..count {
                        codes.push(bench.authorize(&bench.browsers[b], &client).await);
                    }
                    codes
                })
            })
            .collect();
        let mut codes = Vec::with_capacity(n);
        for task in tasks {
            codes.extend(task.await.expect("code generation"));
        }
        codes
    }

    async fn token(&self, client: &BenchClient, form: &[(&str, &str)]) -> Tokens {
        let response = self
            .http
            .post(format!("{}/oauth2/token", self.address))
            .basic_auth(&client.id, Some(&client.secret))
            .form(form)
            .send()
            .await
            .expect("token request");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert_eq!(status, StatusCode::OK, "token endpoint ({}): {text}", form[0].1);
        let body: Value = serde_json::from_str(&text).expect("token JSON");
        let field = |name: &str| body[name].as_str().unwrap_or_else(|| panic!("no {name} in {text}")).to_owned();
        Tokens { access: field("access_token"), refresh: field("refresh_token") }
    }

    async fn exchange(&self, client: &BenchClient, code: &str, verifier: &str) -> Tokens {
        let form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", REDIRECT), ("code_verifier", verifier)];
        self.token(client, &form).await
    }

    async fn refresh(&self, client: &BenchClient, refresh: &str) -> String {
        self.token(client, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await.refresh
    }

    async fn userinfo(&self, access: &str) {
        let response = self
            .http
            .get(format!("{}/oauth2/userinfo", self.address))
            .bearer_auth(access)
            .header("x-forwarded-for", self.forwarded_for())
            .send()
            .await
            .expect("userinfo");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert!(status == StatusCode::OK && text.contains("\"sub\""), "userinfo: {status} {text}");
    }

    async fn introspect(&self, access: &str) {
        let response = self
            .http
            .post(format!("{}/oauth2/introspect", self.address))
            .basic_auth(&self.main.id, Some(&self.main.secret))
            .header("x-forwarded-for", self.forwarded_for())
            .form(&[("token", access), ("token_type_hint", "access_token")])
            .send()
            .await
            .expect("introspect");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert!(status == StatusCode::OK && text.contains("\"active\":true"), "introspect: {status} {text}");
    }

    async fn get_json(&self, path: &str) {
        let response = self.http.get(format!("{}{path}", self.address)).send().await.expect("GET");
        let status = response.status();
        let bytes = response.bytes().await.expect("body");
        assert!(status == StatusCode::OK && bytes.first() == Some(&b'{'), "{path}: {status}");
    }
}

// ---------------------------------------------------------------------------------
// Machine context
// ---------------------------------------------------------------------------------

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| info.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split_once(':')).map(|(_, v)| v.trim().to_owned()))
        .unwrap_or_else(|| "CPU model unknown".to_owned())
}

/// Machine-wide and own CPU time in clock ticks (`/proc/stat`, `/proc/self/stat`), to
/// tell how much of the machine other processes took during a measurement.
#[derive(Debug, Clone, Copy)]
struct CpuTicks {
    total: u64,
    busy: u64,
    own: u64,
}

fn cpu_ticks() -> Option<CpuTicks> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).take(8).filter_map(|f| f.parse().ok()).collect();
    let [user, nice, system, idle, iowait, irq, softirq, steal] = fields.try_into().ok()?;
    let total = user + nice + system + idle + iowait + irq + softirq + steal;
    let own_stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // After the command name: state is field 3, utime 14 and stime 15.
    let rest: Vec<&str> = own_stat.rsplit_once(')')?.1.split_whitespace().collect();
    let own = rest.get(11)?.parse::<u64>().ok()? + rest.get(12)?.parse::<u64>().ok()?;
    Some(CpuTicks { total, busy: total - idle - iowait, own })
}

impl CpuTicks {
    fn share_until(self, end: Self) -> String {
        let total = end.total.saturating_sub(self.total).max(1) as f64;
        let own = end.own.saturating_sub(self.own) as f64;
        let others = end.busy.saturating_sub(self.busy) as f64 - own;
        format!(
            "this process (server and load) {:.0} %, other processes {:.0} % of all cores",
            100.0 * own / total,
            100.0 * others.max(0.0) / total
        )
    }
}

/// The 1, 5 and 15 minute load averages, as the kernel reports them.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Today's date, `YYYY-MM-DD` (UTC).
fn today() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!("{:04}-{:02}-{:02}", now.year(), u8::from(now.month()), now.day())
}
