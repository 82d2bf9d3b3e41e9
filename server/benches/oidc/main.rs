//! The OpenID Connect provider's hot paths under load, measured and printed (never a
//! pass/fail test). `./dev.sh bench` or `cargo bench -p server --bench oidc`.
//! This file: the operations, the timing and the report; `instance`: the Foyer under
//! test; `world`: seeding and requests; `machine`: what it ran on; `loyalty`: the brand
//! back-end API's page of pending links over 100,000 links (its own seeding and rows);
//! `switches`: which sections and engines run.
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
//! Rate limits stay on at their defaults (`FOYER_LIMIT_*`), so the benchmark works
//! within them and checks every status code, failing loudly on a 429:
//! - browser routes and UserInfo/introspection are limited per client IP: the server
//!   trusts `X-Forwarded-For` from 127.0.0.1 (`FOYER_TRUSTED_PROXIES`) and each request
//!   comes "from" the next address of 198.18.0.0/20 (RFC 2544's benchmarking range);
//! - the token endpoint is limited per client (a default burst of 4,000): each client makes at
//!   most [`TOKEN_BUDGET`] token requests, so the token benchmarks register a fresh
//!   client for every batch (outside the timed part).
//!
//! `FOYER_BENCH_QUICK=1` runs a tenth of the operations (a smoke run).
//!
//! Sections (`switches`): `classic` (the table above), `loyalty`, `search` (both in
//! this process too), `side` (Foyer as a `foyer serve` child beside node oidc-provider
//! and an axum hello-world, duration-based: `side`, `load`, `children`) and `storm`.
//! `FOYER_BENCH_ONLY=search,side` runs only those; `FOYER_BENCH_ENGINES=postgres` only
//! that engine (`sqlite`, `postgres`); `FOYER_BENCH_PEER=1` (`./dev.sh bench --peer`)
//! adds the peer to `side`; `FOYER_BENCH_SIDE_SECONDS` sets its run length.

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
use identity::principal::Principal;
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

mod children;
mod instance;
mod load;
mod loyalty;
mod machine;
mod search;
mod side;
mod switches;
mod world;
// The login storm's row (its own Foyer with real argon2id): `storm.rs`.
mod storm;
// The full password sign-in flow's row, on the storm's Foyer: `flow.rs`.
mod flow;

use instance::*;
use machine::*;
use world::*;

/// Nothing listens there: the benchmark reads the code from the 303's `Location`.
pub(crate) const REDIRECT: &str = "http://127.0.0.1:9/cb";
pub(crate) const PASSWORD: &str = "correct horse battery staple 42";
pub(crate) const SCOPE: &str = "openid profile email";
/// A fixed master key ("bench-master-key-not-a-secret-!!"): nothing outlives the run.
pub(crate) const MASTER_KEY: &str = "62656e63682d6d61737465722d6b65792d6e6f742d612d7365637265742d2121";
pub(crate) const CONCURRENCY: [usize; 2] = [1, 8];
/// Token requests per client, under the per-client burst of 600.
pub(crate) const TOKEN_BUDGET: usize = 500;
pub(crate) const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Operations per measurement (at each concurrency), before `FOYER_BENCH_QUICK`.
pub(crate) const OPS: [(Op, usize); 8] = [
    (Op::Authorize, 2_000),
    (Op::ConsentCheck, 4_000),
    (Op::CodeExchange, 2_000),
    (Op::Refresh, 2_000),
    (Op::UserInfo, 4_000),
    (Op::Introspect, 4_000),
    (Op::Jwks, 8_000),
    (Op::Discovery, 8_000),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Authorize,
    /// The consent ledger's check on the authorize path (`Identity::purpose_need`), alone.
    ConsentCheck,
    CodeExchange,
    Refresh,
    UserInfo,
    Introspect,
    Jwks,
    Discovery,
}

impl Op {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Authorize => "authorize → code",
            Self::ConsentCheck => "consent check (in authorize)",
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
    // The side section's hello-world is this executable again (`children`).
    children::hello_main();
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(cores).enable_all().build().expect("tokio runtime");
    runtime.block_on(run(cores));
}

pub(crate) async fn run(cores: usize) {
    switches::check();
    let quick = switches::quick();
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
    let mut side = if switches::wants("side") { Some(side::Side::start(quick).await) } else { None };
    if let Some(side) = &side {
        report.push_str(&side.header());
    }
    eprintln!("{report}");

    // Login storm: first, so its memory figures start from an idle process.
    if switches::wants("storm") {
        report.push_str(&storm::measure(quick).await);
    }
    let admin = std::env::var("FOYER_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("FOYER_TEST_POSTGRES_URL"))
        .unwrap_or_else(|_| DEFAULT_PG.to_owned());
    let in_process = ["classic", "loyalty", "search"].into_iter().any(switches::wants);
    let mut tables = Vec::new();
    // The search over a database kept from an earlier run (its million customers take
    // minutes to make): only that, only there.
    if let Ok(url) = std::env::var(search::KEEP_VAR) {
        let dir = tempfile::tempdir().expect("temp dir");
        let server = Server::start(&url, dir.path()).await;
        tables.push(search::measure(&format!("{} (kept)", redact(&url)), &server, quick).await);
        server.stop().await;
        println!("{report}");
        tables.iter().for_each(|t| println!("{t}"));
        return;
    }
    for (engine, name) in [("sqlite", "SQLite (file, WAL)"), ("postgres", "PostgreSQL")] {
        if !switches::engine(engine) {
            continue;
        }
        if in_process {
            let Some(db) = fresh(engine, name, &admin, &mut report).await else { continue };
            tables.push(measure_backend(name, &db.url, db.dir.path(), quick).await);
            db.drop().await;
        }
        if let Some(side) = side.as_mut() {
            let Some(db) = fresh(engine, name, &admin, &mut report).await else { continue };
            tables.push(side.measure(name, &db.url, db.dir.path()).await);
            db.drop().await;
        }
    }
    drop(side);

    println!("{report}");
    for table in tables {
        println!("{table}");
    }
}

/// A fresh database for `engine`, or `None` with a note in the report.
async fn fresh(engine: &str, name: &str, admin: &str, report: &mut String) -> Option<Fresh> {
    match Fresh::create(engine, admin).await {
        Ok(db) => Some(db),
        Err(e) => {
            let note = format!("{name}: skipped, cannot connect to {} ({e}); set FOYER_BENCH_POSTGRES_URL\n", redact(admin));
            eprintln!("\n!!!! {note}");
            report.push_str(&note);
            None
        }
    }
}

// ---------------------------------------------------------------------------------
// One backend
// ---------------------------------------------------------------------------------

pub(crate) async fn measure_backend(name: &str, database_url: &str, dir: &std::path::Path, quick: bool) -> String {
    eprintln!("==> {name}: starting Foyer and seeding");
    let server = Server::start(database_url, dir).await;
    let mut table = format!("{name}, pool of {} connections\n", server.pool_size);
    if switches::wants("classic") || switches::wants("loyalty") {
        let bench = Arc::new(Bench::seed(&server).await);
        if switches::wants("classic") {
            table.push_str(&classic(name, &bench, quick).await);
        }
        if switches::wants("loyalty") {
            eprintln!("==> {name}: seeding the loyalty programme");
            let (loyalty, seeded) = loyalty::LoyaltyBench::seed(&bench).await;
            table.push_str(&format!(
                "\nBrand back-end API ({seeded}):\n\n| operation | concurrency | ops | ops/s | p50 ms | p95 ms | p99 ms |\n|---|--:|--:|--:|--:|--:|--:|\n"
            ));
            table.push_str(&loyalty.rows(name, quick).await);
        }
    }
    if switches::wants("search") {
        table.push_str(&search::measure(name, &server, quick).await);
    }
    server.stop().await;
    table
}

/// The classic table: every operation at concurrency 1 and 8, fixed counts.
async fn classic(name: &str, bench: &Arc<Bench>, quick: bool) -> String {
    // Warm-up: connections, caches, prepared statements; not recorded.
    for (op, _) in OPS {
        let _ = measure(bench, op, 1, 40).await;
    }
    let cpu_start = cpu_ticks();
    let mut table = "\n| operation | concurrency | ops | ops/s | p50 ms | p95 ms | p99 ms |\n|---|--:|--:|--:|--:|--:|--:|\n".to_owned();
    for (op, ops) in OPS {
        let ops = if quick { ops / 10 } else { ops };
        for concurrency in CONCURRENCY {
            let sample = measure(bench, op, concurrency, ops).await;
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
    table
}

/// Runs `op` `ops` times spread over `concurrency` workers (rounded down to a multiple).
pub(crate) async fn measure(bench: &Arc<Bench>, op: Op, concurrency: usize, ops: usize) -> Sample {
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
        Op::ConsentCheck => {
            let inputs = (0..concurrency).map(|w| (Arc::clone(bench), w)).collect();
            timed(inputs, move |(bench, w)| async move {
                let mut latencies = Vec::with_capacity(per_worker);
                let customer = &bench.customer_ids[w];
                let principal = Principal::customer(customer, "foyer:pwd");
                for _ in 0..per_worker {
                    let start = Instant::now();
                    let need = bench.identity.purpose_need(&principal, customer, &bench.brand_id).await.expect("consent check");
                    assert!(need.is_empty(), "every required purpose was granted at the seeding consent");
                    latencies.push(start.elapsed());
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
pub(crate) async fn timed<T, F, Fut>(inputs: Vec<T>, worker: F) -> Sample
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
pub(crate) struct Sample {
    pub(crate) wall: Duration,
    pub(crate) latencies: Vec<Duration>,
}

impl Sample {
    pub(crate) fn row(mut self, label: &str, concurrency: usize) -> String {
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
