//! The side-by-side load generator: one [`Target`] per server (Foyer, the peer, the
//! hello-world), its endpoints read from its discovery document, and duration-based runs
//! with the same HTTP client code for every target. Beside the rate: the server
//! process's CPU time per operation (`/proc/<pid>/stat`) and its resident memory
//! (`VmRSS` in `/proc/<pid>/status`) before, at the peak (sampled every 100 ms) and after.

use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use super::*;

/// The paths measured side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Path {
    Discovery,
    Jwks,
    UserInfo,
    Introspection,
    Refresh,
    ClientCredentials,
}

impl Path {
    pub(crate) const ALL: [Self; 6] = [Self::Discovery, Self::Jwks, Self::UserInfo, Self::Introspection, Self::Refresh, Self::ClientCredentials];

    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Discovery => "discovery",
            Self::Jwks => "JWKS",
            Self::UserInfo => "UserInfo",
            Self::Introspection => "introspection",
            Self::Refresh => "refresh with rotation",
            Self::ClientCredentials => "client credentials",
        }
    }

    /// Concurrent connections: 50, or one per refresh chain (40 over 20 clients) for the
    /// token endpoint.
    pub(crate) fn connections(self) -> usize {
        match self {
            Self::Refresh | Self::ClientCredentials => CHAINS,
            _ => 50,
        }
    }
}

/// Confidential clients per server, and refresh chains spread over them.
pub(crate) const CLIENTS: usize = 20;
pub(crate) const CHAINS: usize = 40;
/// Access tokens per server (one per UserInfo / introspection connection).
pub(crate) const ACCESS_TOKENS: usize = 50;

/// One server under load, as the generator sees it.
pub(crate) struct Target {
    pub(crate) pid: u32,
    pub(crate) discovery: String,
    pub(crate) jwks: String,
    pub(crate) token: String,
    pub(crate) userinfo: String,
    pub(crate) introspection: String,
    pub(crate) clients: Vec<BenchClient>,
    /// Each refresh chain: its client (index into `clients`) and its current token;
    /// `None` once a refresh failed (the chain cannot go on).
    pub(crate) chains: Mutex<Vec<(usize, Option<String>)>>,
    /// Access tokens of `clients[access_client]`, the introspection caller.
    pub(crate) access: Vec<String>,
    pub(crate) access_client: usize,
    pub(crate) next_ip: AtomicU32,
}

impl Target {
    /// A server without OIDC endpoints (the hello-world): every path is `url`.
    pub(crate) fn plain(pid: u32, url: &str) -> Self {
        Self {
            pid,
            discovery: url.to_owned(),
            jwks: url.to_owned(),
            token: url.to_owned(),
            userinfo: url.to_owned(),
            introspection: url.to_owned(),
            clients: Vec::new(),
            chains: Mutex::new(Vec::new()),
            access: Vec::new(),
            access_client: 0,
            next_ip: AtomicU32::new(0),
        }
    }

    /// Reads the endpoints from `base`'s discovery document; the issuer's origin in them
    /// is replaced by `base` (Foyer's issuer is `http://localhost:…`, the load goes to 127.0.0.1).
    pub(crate) async fn discover(name: &str, pid: u32, base: &str) -> Self {
        let discovery = format!("{base}/.well-known/openid-configuration");
        let doc: Value = reqwest::get(&discovery).await.expect("discovery").json().await.expect("discovery JSON");
        let issuer = doc["issuer"].as_str().expect("issuer").trim_end_matches('/').to_owned();
        let endpoint = |key: &str| {
            let url = doc[key].as_str().unwrap_or_else(|| panic!("{name}: no {key} in discovery"));
            url.replacen(&issuer, base, 1)
        };
        Self {
            jwks: endpoint("jwks_uri"),
            token: endpoint("token_endpoint"),
            userinfo: endpoint("userinfo_endpoint"),
            introspection: endpoint("introspection_endpoint"),
            discovery,
            ..Self::plain(pid, base)
        }
    }

    /// The next address of 198.18.0.0/20, sent as `X-Forwarded-For` to every target
    /// (Foyer trusts it from 127.0.0.1 and limits per address; the others ignore it).
    fn forwarded_for(&self) -> String {
        next_address(&self.next_ip)
    }

    /// One request of `path` by worker `w`; `chain` is the worker's refresh token.
    async fn request(&self, http: &reqwest::Client, path: Path, w: usize, chain: &mut Option<(usize, String)>) -> Result<(), String> {
        let request = match path {
            Path::Discovery => http.get(&self.discovery),
            Path::Jwks => http.get(&self.jwks),
            Path::UserInfo => http.get(&self.userinfo).bearer_auth(&self.access[w % self.access.len()]),
            Path::Introspection => {
                let caller = &self.clients[self.access_client];
                let token = &self.access[w % self.access.len()];
                http.post(&self.introspection)
                    .basic_auth(&caller.id, Some(&caller.secret))
                    .form(&[("token", token.as_str()), ("token_type_hint", "access_token")])
            }
            Path::Refresh => {
                let (client, token) = chain.as_ref().ok_or("no refresh chain")?;
                let client = &self.clients[*client];
                http.post(&self.token)
                    .basic_auth(&client.id, Some(&client.secret))
                    .form(&[("grant_type", "refresh_token"), ("refresh_token", token.as_str())])
            }
            Path::ClientCredentials => {
                let client = &self.clients[w % self.clients.len()];
                http.post(&self.token).basic_auth(&client.id, Some(&client.secret)).form(&[("grant_type", "client_credentials")])
            }
        };
        let response = request.header("x-forwarded-for", self.forwarded_for()).send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        if status != StatusCode::OK || body.first() != Some(&b'{') {
            return Err(format!("{status}: {}", String::from_utf8_lossy(&body[..body.len().min(200)])));
        }
        let json = || serde_json::from_slice::<Value>(&body).map_err(|e| e.to_string());
        match path {
            Path::UserInfo if !json()?["sub"].is_string() => Err("UserInfo without sub".into()),
            Path::Introspection if json()?["active"] != Value::Bool(true) => Err("introspection: not active".into()),
            Path::Refresh => {
                let body = json()?;
                let (Some(refresh), true, true) = (body["refresh_token"].as_str(), body["access_token"].is_string(), body["id_token"].is_string()) else {
                    return Err("refresh answer without refresh, access and ID token".into());
                };
                if let Some((_, token)) = chain.as_mut() {
                    refresh.clone_into(token);
                }
                Ok(())
            }
            Path::ClientCredentials if !json()?["access_token"].is_string() => Err("no access token".into()),
            _ => Ok(()),
        }
    }
}

/// What one run measured.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) ops: usize,
    pub(crate) wall: Duration,
    pub(crate) errors: usize,
    pub(crate) first_error: Option<String>,
    /// The server process's CPU time (user + system) per answered request.
    pub(crate) cpu_ms_per_op: Option<f64>,
    pub(crate) p99_ms: f64,
    pub(crate) rss: Rss,
}

impl Outcome {
    pub(crate) fn rate(&self) -> f64 {
        self.ops as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// Resident memory in KiB (0: unknown).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Rss {
    pub(crate) before: u64,
    pub(crate) peak: u64,
    pub(crate) after: u64,
}

pub(crate) fn rss_kib(pid: u32) -> u64 {
    status_kib(pid, "VmRSS:")
}

/// The anonymous part of the resident memory (heap, stacks), in KiB: VmRSS less the
/// file-backed pages (the binary's code as far as it ran, shared and reclaimable).
pub(crate) fn rss_anon_kib(pid: u32) -> u64 {
    status_kib(pid, "RssAnon:")
}

fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// User + system CPU time of `pid` in clock ticks (USER_HZ, 100 a second on Linux).
fn cpu_of(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some(rest.get(11)?.parse::<u64>().ok()? + rest.get(12)?.parse::<u64>().ok()?)
}

/// Loads `path` on `target` with `path.connections()` workers for `warmup` (not
/// counted), then for `duration`; each worker sends its next request when the answer is
/// in. Errors are counted, never fatal (a failed refresh ends its chain).
pub(crate) async fn load_path(target: &Arc<Target>, path: Path, warmup: Duration, duration: Duration, settle: Duration) -> Outcome {
    let before = rss_kib(target.pid);
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (pid, sampling) = (target.pid, Arc::clone(&sampling));
        tokio::spawn(async move {
            let mut peak = 0;
            while sampling.load(Ordering::Relaxed) {
                peak = peak.max(rss_kib(pid));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            peak
        })
    };
    let connections = path.connections();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(connections)
        .build()
        .expect("http client");
    if !warmup.is_zero() {
        let _ = drive(target, &http, path, connections, warmup).await;
    }
    let cpu_start = cpu_of(target.pid);
    let mut outcome = drive(target, &http, path, connections, duration).await;
    if let (Some(start), Some(end), true) = (cpu_start, cpu_of(target.pid), outcome.ops > 0) {
        outcome.cpu_ms_per_op = Some((end - start) as f64 * 10.0 / outcome.ops as f64);
    }
    tokio::time::sleep(settle).await;
    sampling.store(false, Ordering::Relaxed);
    let peak = sampler.await.expect("memory sampler");
    outcome.rss = Rss { before, peak: peak.max(before), after: rss_kib(target.pid) };
    outcome
}

async fn drive(target: &Arc<Target>, http: &reqwest::Client, path: Path, connections: usize, duration: Duration) -> Outcome {
    let start = Instant::now();
    let deadline = start + duration;
    let handles: Vec<_> = (0..connections)
        .map(|w| {
            let (target, http) = (Arc::clone(target), http.clone());
            let mut chain = if path == Path::Refresh {
                let chains = target.chains.lock().expect("chains");
                chains.get(w).and_then(|(client, token)| token.clone().map(|t| (*client, t)))
            } else {
                None
            };
            tokio::spawn(async move {
                let (mut latencies, mut errors, mut first_error) = (Vec::new(), 0_usize, None);
                if path == Path::Refresh && chain.is_none() {
                    return (latencies, errors, first_error);
                }
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    match target.request(&http, path, w, &mut chain).await {
                        Ok(()) => latencies.push(sent.elapsed()),
                        Err(e) => {
                            errors += 1;
                            first_error.get_or_insert(e);
                            if path == Path::Refresh {
                                chain = None;
                                break;
                            }
                            if errors >= 100 {
                                break;
                            }
                        }
                    }
                }
                if path == Path::Refresh
                    && let Some(slot) = target.chains.lock().expect("chains").get_mut(w)
                {
                    slot.1 = chain.map(|(_, token)| token);
                }
                (latencies, errors, first_error)
            })
        })
        .collect();
    let mut outcome = Outcome::default();
    let mut latencies = Vec::new();
    for handle in handles {
        let (l, errors, first) = handle.await.expect("a load worker panicked");
        latencies.extend(l);
        outcome.errors += errors;
        if outcome.first_error.is_none() {
            outcome.first_error = first;
        }
    }
    outcome.wall = start.elapsed();
    outcome.ops = latencies.len();
    latencies.sort_unstable();
    let at = |p: usize| latencies.get((p * latencies.len()).div_ceil(100).max(1) - 1).map_or(0.0, |d| d.as_secs_f64() * 1_000.0);
    outcome.p99_ms = at(99);
    outcome
}
