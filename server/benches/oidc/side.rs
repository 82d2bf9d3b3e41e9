//! The side-by-side section (issue 17): Foyer as a child process (`foyer serve`), node
//! `oidc-provider` (`bench/peer/`, with `FOYER_BENCH_PEER=1`: `./dev.sh bench --peer`)
//! and an axum hello-world, each its own process, loaded by the same generator
//! (`load`), one path after the other: Foyer, then the peer right after it; discovery
//! and JWKS, whose reference is the hello-world, alternate Foyer and the hello-world
//! three times and compare the medians (a single sample of the reference moved by a
//! third between rows of one run). Duration-based: `FOYER_BENCH_SIDE_SECONDS` per
//! path and server (default 10, QUICK 2), after a warm-up that is not counted; 50
//! connections for discovery, JWKS, UserInfo and introspection, 40 for the token
//! endpoint (refresh: 40 rotation chains over 20 clients; client credentials: 40 workers
//! over the same 20 clients).
//!
//! Printed per path: ops/s, the server process's CPU time per request and p99 latency
//! for Foyer and the peer, their ratio, and the target beside it (refresh ≥ 5×
//! the peer, UserInfo and introspection ≥ 2× the peer, discovery and JWKS ≥ 0.8× the
//! hello-world); never a failure. Then resident memory of both servers before, at the
//! peak and after each path. The peer and the hello-world start once and serve every
//! engine; Foyer is seeded afresh per engine.

use super::*;
use crate::children::*;
use crate::load::*;

pub(crate) struct Side {
    duration: Duration,
    warmup: Duration,
    settle: Duration,
    hello: (Child, Arc<Target>),
    peer: Result<(Child, Arc<Target>), String>,
    peer_version: String,
    /// A run has spent the peer's seeded tokens.
    peer_used: bool,
}

/// What a path's Foyer figure is compared with for the target.
enum Reference {
    Hello(f64),
    Peer(f64),
    None,
}

fn target_of(path: Path) -> Reference {
    match path {
        Path::Discovery | Path::Jwks => Reference::Hello(0.8),
        Path::UserInfo | Path::Introspection => Reference::Peer(2.0),
        Path::Refresh => Reference::Peer(5.0),
        Path::ClientCredentials => Reference::None,
    }
}

impl Side {
    pub(crate) async fn start(quick: bool) -> Self {
        let seconds: u64 = std::env::var("FOYER_BENCH_SIDE_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(if quick { 2 } else { 10 });
        let hello = start_hello().await;
        let (peer, peer_version) = if crate::switches::peer() {
            eprintln!("==> starting the peer (bench/peer/server.mjs)");
            match start_peer().await {
                Ok(peer) => (Ok(peer), peer_version().unwrap_or_default()),
                Err(e) => (Err(format!("peer skipped: {e}")), String::new()),
            }
        } else {
            (Err("peer not measured (./dev.sh bench --peer, or FOYER_BENCH_PEER=1)".to_owned()), String::new())
        };
        if let Err(note) = &peer {
            eprintln!("\n!!!! side by side: {note}");
        }
        Self {
            duration: Duration::from_secs(seconds.max(1)),
            warmup: Duration::from_millis(if quick { 300 } else { 1_000 }),
            settle: Duration::from_millis(if quick { 300 } else { 1_000 }),
            hello,
            peer,
            peer_version,
            peer_used: false,
        }
    }

    /// The report's lines about this section.
    pub(crate) fn header(&self) -> String {
        let peer = match &self.peer {
            Ok(_) => format!("vs {} (child)", self.peer_version),
            Err(note) => format!("({note})"),
        };
        format!(
            "side by side: Foyer (`foyer serve` child) {peer}, and an axum hello-world (child); {} s per path and server \
             after {} ms of warm-up, same load generator (this process)\n",
            self.duration.as_secs(),
            self.warmup.as_millis()
        )
    }

    /// Seeds Foyer over `database_url`, serves it from a child, and measures every path.
    pub(crate) async fn measure(&mut self, engine: &str, database_url: &str, dir: &std::path::Path) -> String {
        // The peer's seeded refresh tokens are spent by one engine's run (and reusing them
        // revokes their grants): a fresh peer, freshly seeded, for each engine after the first.
        if self.peer_used && self.peer.is_ok() {
            self.peer = Err("restarting".to_owned()); // the old child is killed on drop
            eprintln!("==> {engine}: side by side: restarting the peer (fresh seeds)");
            self.peer = start_peer().await.map_err(|e| format!("peer skipped: {e}"));
        }
        self.peer_used = true;
        eprintln!("==> {engine}: side by side: seeding Foyer, then `foyer serve`");
        let (child, foyer) = start_foyer(database_url, dir).await;
        tokio::time::sleep(SETTLE).await;
        let idle = rss_kib(foyer.pid);
        let peer = self.peer.as_ref().ok().map(|(_, t)| t);
        let mut rows = String::new();
        let mut memory = String::new();
        let mut errors = String::new();
        for path in Path::ALL {
            // Against the hello-world: Foyer and the hello-world alternate, and the medians
            // are compared (one sample of each moved by a third between rows of one run).
            let rounds = if matches!(target_of(path), Reference::Hello(_)) { HELLO_ROUNDS } else { 1 };
            let mut samples = Vec::with_capacity(rounds);
            let mut hello_rates = Vec::with_capacity(rounds);
            for round in 1..=rounds {
                eprintln!("==> {engine}: side by side: {} on Foyer ({round}/{rounds})", path.label());
                samples.push(load_path(&foyer, path, self.warmup, self.duration, self.settle).await);
                if rounds > 1 {
                    eprintln!("==> {engine}: side by side: the hello-world, reference for {} ({round}/{rounds})", path.label());
                    let hello = load_path(&self.hello.1, Path::Discovery, self.warmup, self.duration, self.settle).await;
                    note_errors(&mut errors, "hello-world", path, &hello);
                    hello_rates.push(hello.rate());
                }
            }
            let ours = median_sample(samples);
            let theirs = match peer {
                Some(peer) => {
                    eprintln!("==> {engine}: side by side: {} on the peer", path.label());
                    Some(load_path(peer, path, self.warmup, self.duration, self.settle).await)
                }
                None => None,
            };
            let reference = match target_of(path) {
                Reference::Hello(factor) => {
                    let hello = median(&mut hello_rates);
                    Some((format!("hello-world {}/s (median of {rounds})", thousands(hello)), hello, factor, "hello-world"))
                }
                Reference::Peer(factor) => theirs.as_ref().map(|t| (format!("peer {}/s", thousands(t.rate())), t.rate(), factor, "peer")),
                Reference::None => None,
            };
            // A reference that failed (errors, nothing answered) gives no ratio at all.
            let failed = |o: &Outcome| o.errors > 0 || o.rate() <= 0.0;
            let ratio = theirs.as_ref().map_or("—".to_owned(), |t| if failed(t) { "— (peer failed)".to_owned() } else { times(ours.rate() / t.rate()) });
            let reference = reference.filter(|(_, rate, _, _)| *rate > 0.0).filter(|_| !(matches!(target_of(path), Reference::Peer(_)) && theirs.as_ref().is_some_and(failed)));
            let (against, target, verdict) = match (reference, target_of(path)) {
                (Some((label, rate, factor, whom)), _) => {
                    let achieved = ours.rate() / rate.max(1e-9);
                    let met = if achieved >= factor { "yes" } else { "**no**" };
                    (label, format!("≥ {factor}× {whom}"), format!("{} ({met})", times(achieved)))
                }
                (None, Reference::None) => ("—".to_owned(), "—".to_owned(), "—".to_owned()),
                (None, _) => ("—".to_owned(), "(needs the peer)".to_owned(), "—".to_owned()),
            };
            let cpu = |o: &Outcome| o.cpu_ms_per_op.map_or("?".to_owned(), |ms| format!("{ms:.2}"));
            let (their_rate, their_cpu, their_p99) =
                theirs.as_ref().map_or(("—".to_owned(), "—".to_owned(), "—".to_owned()), |t| (thousands(t.rate()), cpu(t), format!("{:.1}", t.p99_ms)));
            let row = format!(
                "| {} | {} | {} | {} | {:.1} | {their_rate} | {their_cpu} | {their_p99} | {ratio} | {against} | {target} | {verdict} |\n",
                path.label(),
                path.connections(),
                thousands(ours.rate()),
                cpu(&ours),
                ours.p99_ms,
            );
            eprint!("{engine}: {row}");
            rows.push_str(&row);
            let theirs_memory = theirs.as_ref().map_or("—".to_owned(), |t| mib(t.rss));
            memory.push_str(&format!("| {} | {} | {theirs_memory} |\n", path.label(), mib(ours.rss)));
            note_errors(&mut errors, "Foyer", path, &ours);
            if let Some(t) = &theirs {
                note_errors(&mut errors, "peer", path, t);
            }
        }
        let end = rss_kib(foyer.pid);
        drop(child);
        let mut table = format!(
            "\n{engine}: side by side, Foyer as a `foyer serve` child process ({} s per path and server)\n\n\
             | path | connections | Foyer ops/s | Foyer CPU ms/op | Foyer p99 ms | peer ops/s | peer CPU ms/op | peer p99 ms | Foyer ÷ peer | reference | target | Foyer ÷ reference |\n\
             |---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|\n{rows}",
            self.duration.as_secs()
        );
        table.push_str(&format!(
            "\nResident memory (VmRSS, MiB) before → peak (sampled every 100 ms) → {} ms after each path; Foyer idle after start {:.1}, at the end {:.1}\n\n\
             | path | Foyer | peer |\n|---|---|---|\n{memory}",
            self.settle.as_millis(),
            idle as f64 / 1024.0,
            end as f64 / 1024.0
        ));
        if !errors.is_empty() {
            table.push_str(&format!("\nErrors (counted, not in the rates):\n{errors}"));
        }
        table
    }
}

/// Samples of Foyer and of the hello-world for a path measured against the hello-world.
const HELLO_ROUNDS: usize = 3;

/// The sample with the median rate; the others' errors are added to it (none is hidden).
fn median_sample(mut samples: Vec<Outcome>) -> Outcome {
    samples.sort_by(|a, b| a.rate().total_cmp(&b.rate()));
    let mut chosen = samples.remove(samples.len() / 2);
    for other in samples {
        chosen.errors += other.errors;
        chosen.first_error = chosen.first_error.or(other.first_error);
    }
    chosen
}

fn median(rates: &mut [f64]) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates.get(rates.len() / 2).copied().unwrap_or(0.0)
}

fn note_errors(errors: &mut String, who: &str, path: Path, outcome: &Outcome) {
    if outcome.errors > 0 {
        errors.push_str(&format!(
            "- {who}, {}: {} errors; first: {}\n",
            path.label(),
            outcome.errors,
            outcome.first_error.as_deref().unwrap_or("?")
        ));
    }
}

fn times(ratio: f64) -> String {
    format!("{ratio:.2}×")
}

fn mib(rss: Rss) -> String {
    let m = |kib: u64| kib as f64 / 1024.0;
    format!("{:.1} → {:.1} → {:.1}", m(rss.before), m(rss.peak), m(rss.after))
}

/// `12345.6` → `12,346`.
pub(crate) fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
