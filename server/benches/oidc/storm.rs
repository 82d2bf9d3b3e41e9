//! A login storm (`docs/design/peaks.md` "Login storms"): 2,000 password sign-ins sent
//! at once through `POST /api/login`, against OWASP-sized argon2id (19 MiB, t=2) and
//! the default admission (`FOYER_HASH_MAX_WAIT_SECS` 10). Each sign-in does what the
//! page does: on 503 it waits `Retry-After` and sends the same form again, until it is
//! answered. Printed: completed sign-ins, busy answers and errors; the sign-in rate
//! beside the raw argon2id rate measured in the same run (the same parameters, one hash
//! per core at a time, nothing else running); resident memory (`VmRSS`) of the Foyer
//! process alone before, at the peak (sampled every 20 ms) and after, with the argon2
//! working set (19 MiB × cores) named apart.
//!
//! Its own Foyer over SQLite, since the other rows hash cheaply: seeded in this process,
//! then served by a `foyer serve` child (`children::serve`; its defaults are the storm's
//! argon2 parameters) so that its memory is measured apart from the load generator's
//! 2,000 connections. Addresses come from
//! 198.18.0.0/20 as everywhere in this benchmark (`X-Forwarded-For` from 127.0.0.1 is
//! trusted): 4,096 addresses, a new one per attempt, so the per-IP browser limit (a
//! burst of 200) never answers. Customers: 200, each signed in ten times (a success
//! resets nothing another sign-in needs; only failures are counted per account).
//! `FOYER_BENCH_QUICK=1`: 200 sign-ins.

use std::sync::atomic::AtomicU64;

use identity::password::{HashSettings, Hasher};

use super::*;
use crate::load::{rss_anon_kib, rss_kib};

/// Where the `foyer serve` child answers, and its issuer (the `Origin` of its pages).
pub(crate) struct Foyer {
    pub(crate) address: String,
    pub(crate) public_url: String,
}

const SIGN_INS: usize = 2_000;
pub(crate) const CUSTOMERS: usize = 200;
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;

/// Runs the storm and returns its report (a few lines of Markdown).
pub(crate) async fn measure(quick: bool) -> String {
    let sign_ins = if quick { SIGN_INS / 10 } else { SIGN_INS };
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    eprintln!("==> login storm: seeding {CUSTOMERS} customers (argon2id {MEMORY_KIB} KiB, t={ITERATIONS}), then `foyer serve`");
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = format!("sqlite://{}/foyer.db", dir.path().display());
    let port = crate::children::free_port();
    let public_url = format!("http://localhost:{port}");
    let seeding = start(&database_url, dir.path(), &public_url).await;
    seed(&seeding).await;
    let client = flow::register_client(&seeding.identity).await;
    seeding.stop().await;

    // The raw reference: one sample before the storm and two after it (the machine's
    // speed moves by a tenth between samples of a few seconds); the rows use the median.
    let raw_n = if quick { 40 } else { 200 };
    let raw_before = raw_hash_rate(cores, raw_n).await;
    // Foyer alone in its own process (the defaults are the storm's argon2 parameters),
    // so its memory is not mixed with the load generator's.
    let child = crate::children::serve(&database_url, dir.path(), port, &public_url).await;
    let pid = child.pid();
    let server = Foyer { address: format!("http://127.0.0.1:{port}"), public_url };
    // Let it settle after start (its warm-up hash, start-up garbage given back) as long
    // as "after" below does; this is "before".
    tokio::time::sleep(crate::children::SETTLE).await;
    let before = rss_kib(pid);
    let before_anon = rss_anon_kib(pid);

    let peak = Arc::new(AtomicU64::new(before));
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let (peak, sampling) = (Arc::clone(&peak), Arc::clone(&sampling));
        tokio::spawn(async move {
            while sampling.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };

    eprintln!("==> login storm: {sign_ins} concurrent sign-ins");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(sign_ins)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("http client");
    let next_ip = Arc::new(AtomicU32::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..sign_ins)
        .map(|i| {
            let (http, next_ip) = (http.clone(), Arc::clone(&next_ip));
            let (address, origin) = (server.address.clone(), server.public_url.clone());
            tokio::spawn(async move { sign_in(&http, &address, &origin, &next_ip, i % CUSTOMERS).await })
        })
        .collect();
    let (mut completed, mut busy, mut errors) = (0_usize, 0_usize, 0_usize);
    let mut latencies = Vec::with_capacity(sign_ins);
    for task in tasks {
        let outcome = task.await.expect("a sign-in task");
        busy += outcome.busy;
        match outcome.status {
            200 => {
                completed += 1;
                latencies.push(outcome.took);
            }
            status => {
                errors += 1;
                if errors <= 3 {
                    eprintln!("login storm: a sign-in ended with {status}");
                }
            }
        }
    }
    let wall = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.await;
    let peak = peak.load(Ordering::Relaxed);
    drop(http);
    // "After": the storm's connections closed and a moment to give memory back.
    tokio::time::sleep(crate::children::SETTLE).await;
    let after = rss_kib(pid);
    let mut raw_samples = [raw_before, raw_hash_rate(cores, raw_n).await, raw_hash_rate(cores, raw_n).await];
    raw_samples.sort_by(f64::total_cmp);
    let raw = raw_samples[1];
    // The full password sign-in flow on the same Foyer, beside the same raw hash rate.
    let flows = flow::measure(&server, pid, &client, raw, quick).await;
    // "Quiet": two of the node's looks at its hasher later, the hashing memory given back.
    let quiet_for = server::maintenance::HASH_MEMORY_INTERVAL * 2 + crate::children::SETTLE;
    eprintln!("==> login storm: {} s quiet, then memory again", quiet_for.as_secs());
    tokio::time::sleep(quiet_for).await;
    let quiet = rss_kib(pid);
    let quiet_anon = rss_anon_kib(pid);
    drop(child);

    latencies.sort_unstable();
    let percentile = |p: usize| latencies.get((p * latencies.len()).div_ceil(100).max(1) - 1).map_or(0.0, Duration::as_secs_f64);
    let rate = completed as f64 / wall.as_secs_f64();
    let working_set = u64::from(MEMORY_KIB) * cores as u64;
    let mib = |kib: u64| kib as f64 / 1024.0;
    let mut out = format!(
        "\nLogin storm (SQLite, argon2id {MEMORY_KIB} KiB t={ITERATIONS}, {cores} hashing permits, FOYER_HASH_MAX_WAIT_SECS 10)\n\n\
         | sign-ins | completed | busy answers (retried) | errors | wall s | sign-ins/s | raw argon2id/s | ratio | p50 s | p95 s | max s |\n\
         |--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n\
         | {sign_ins} | {completed} | {busy} | {errors} | {:.1} | {rate:.1} | {raw:.1} | {:.2}× | {:.1} | {:.1} | {:.1} |\n",
        wall.as_secs_f64(),
        rate / raw,
        percentile(50),
        percentile(95),
        percentile(100),
    );
    out.push_str(&format!(
        "\nRaw argon2id/s: the median of {raw_n} hashes on every core measured once before the storm ({raw_before:.1}/s) and twice after it (the three: {:.1}, {:.1}, {:.1})\n",
        raw_samples[0], raw_samples[1], raw_samples[2],
    ));
    out.push_str(&format!(
        "\nResident memory of `foyer serve` alone (VmRSS, sampled every 20 ms): {:.0} MiB before the storm (2 s after start, its warm-up hash done), \
         peak {:.0} MiB ({:.0} MiB without the argon2 working set of {:.0} MiB), {:.0} MiB 2 s after\n",
        mib(before),
        mib(peak),
        mib(peak.saturating_sub(working_set)),
        mib(working_set),
        mib(after),
    ));
    eprint!("{out}");
    out.push_str(&flows);
    out.push_str(&format!(
        "\nResident memory of `foyer serve` after {} s without a request (the hasher gives its block sets back after a quiet {} s): {:.0} MiB; \
         anonymous (heap and stacks, not the binary's code pages) {:.0} MiB, against {:.0} MiB before the storm\n",
        quiet_for.as_secs(),
        server::maintenance::HASH_MEMORY_INTERVAL.as_secs(),
        mib(quiet),
        mib(quiet_anon),
        mib(before_anon),
    ));
    out
}

struct Outcome {
    /// The final answer's status.
    status: u16,
    /// 503 answers before it.
    busy: usize,
    /// From the first attempt to the final answer.
    took: Duration,
}

/// One customer's sign-in, as the page makes it: again after `Retry-After` while busy.
async fn sign_in(http: &reqwest::Client, address: &str, origin: &str, next_ip: &AtomicU32, customer: usize) -> Outcome {
    let started = Instant::now();
    let (status, busy, _) = login_answered(http, address, origin, next_ip, &[("email", email(customer).as_str()), ("password", PASSWORD)]).await;
    Outcome { status, busy, took: started.elapsed() }
}

/// `POST /api/login` with `form` as the sign-in page's script sends it, from the next
/// benchmarking address, again after `Retry-After` while busy: the final status
/// (0: no answer), the busy answers before it, and the final body.
pub(crate) async fn login_answered(http: &reqwest::Client, address: &str, origin: &str, next_ip: &AtomicU32, form: &[(&str, &str)]) -> (u16, usize, String) {
    let mut busy = 0;
    loop {
        let response = http
            .post(format!("{address}/api/login"))
            .header(header::ORIGIN, origin)
            .header("sec-fetch-site", "same-origin")
            .header(header::ACCEPT, "application/json")
            .header("x-forwarded-for", next_address(next_ip))
            .form(form)
            .send()
            .await;
        let Ok(response) = response else { return (0, busy, String::new()) };
        let status = response.status().as_u16();
        if status != 503 {
            return (status, busy, response.text().await.unwrap_or_default());
        }
        busy += 1;
        let wait = response.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok()).unwrap_or(1);
        let _ = response.bytes().await;
        tokio::time::sleep(Duration::from_secs(wait.max(1))).await;
    }
}

pub(crate) fn email(n: usize) -> String {
    format!("storm{n}@example.com")
}

async fn start(database_url: &str, dir: &std::path::Path, public_url: &str) -> Server {
    let raw = RawConfig {
        database_url: database_url.to_owned(),
        public_url: public_url.to_owned(),
        addr: "127.0.0.1:0".into(),
        data_dir: dir.join("data"),
        site_root: dir.join("site"),
        master_key: Some(SecretString::from(MASTER_KEY.to_owned())),
        trusted_proxies: "127.0.0.1".into(),
        argon2_memory_kib: MEMORY_KIB,
        argon2_iterations: ITERATIONS,
        outbox_worker: false,
        ..RawConfig::default()
    };
    let config = Config::check(raw).expect("storm config is valid");
    let pool_size = config.pool.max_connections;
    let app = Application::build(config).await.expect("Foyer starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let public_url = app.public_url().to_owned();
    let identity = app.context().identity.clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    Server { address, pool_size, public_url, identity, stop, handle }
}

/// Verified customers with [`PASSWORD`], registered through the core (one hash each),
/// a few at a time so the seeding itself stays within the admission's wait.
async fn seed(server: &Server) {
    for batch in (0..CUSTOMERS).collect::<Vec<_>>().chunks(4) {
        let tasks: Vec<_> = batch
            .iter()
            .map(|&n| {
                let identity = server.identity.clone();
                tokio::spawn(async move {
                    let registration = Registration {
                        email: email(n),
                        password: SecretString::from(PASSWORD.to_owned()),
                        given_name: Some("Storm".into()),
                        family_name: None,
                        accept_terms: true,
                    };
                    let last = u8::try_from(n % 250).unwrap_or(0);
                    let meta = RequestMeta::new(std::net::IpAddr::from([192, 0, 2, last]), None);
                    identity.register(&Principal::Anonymous, registration, &meta).await.expect("registered");
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("seeding");
        }
    }
    sqlx::query("UPDATE customers SET email_verified = 1").execute(server.identity.store().pool()).await.expect("verified");
}

/// Hashes per second with the storm's parameters on every core and nothing else running:
/// a hasher of its own (one permit per core), verifying one stored hash `n` times.
async fn raw_hash_rate(cores: usize, n: usize) -> f64 {
    let settings = HashSettings { memory_kib: MEMORY_KIB, iterations: ITERATIONS, max_concurrent: cores, ..HashSettings::default() };
    let hasher = Hasher::new(&settings).expect("hasher");
    let stored = hasher.hash(SecretString::from(PASSWORD.to_owned()), &identity::OsRandom).await.expect("hash");
    let started = Instant::now();
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (hasher, stored) = (hasher.clone(), stored.clone());
            tokio::spawn(async move { hasher.verify(SecretString::from(PASSWORD.to_owned()), stored).await.expect("verify").matches })
        })
        .collect();
    for task in tasks {
        assert!(task.await.expect("a hash"), "the raw run verifies the right password");
    }
    n as f64 / started.elapsed().as_secs_f64()
}
