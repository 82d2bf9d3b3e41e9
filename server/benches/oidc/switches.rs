//! What to run, from the environment (see the top of `main.rs`):
//! - `FOYER_BENCH_ONLY`: a comma list of sections ([`SECTIONS`]); unset or empty: all;
//! - `FOYER_BENCH_ENGINES`: a comma list of `sqlite`, `postgres`; unset or empty: both;
//! - `FOYER_BENCH_PEER=1` (`./dev.sh bench --peer`): the side section also measures node
//!   `oidc-provider` from `bench/peer/`;
//! - `FOYER_BENCH_QUICK=1`: shorter runs (a smoke run).
//!
//! An unknown name stops the benchmark at once with the list of known ones.

/// Every section: the classic table (in-process Foyer, fixed operation counts), the
/// side-by-side one (Foyer as a child process beside node oidc-provider and an axum
/// hello-world), the support search over a large population, the loyalty API, the
/// login storm.
pub(crate) const SECTIONS: [&str; 5] = ["classic", "side", "search", "loyalty", "storm"];
pub(crate) const ENGINES: [&str; 2] = ["sqlite", "postgres"];

fn list(variable: &str, known: &[&str]) -> Vec<String> {
    let Ok(value) = std::env::var(variable) else { return known.iter().map(|s| (*s).to_owned()).collect() };
    let chosen: Vec<String> = value.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect();
    if chosen.is_empty() {
        return known.iter().map(|s| (*s).to_owned()).collect();
    }
    if let Some(bad) = chosen.iter().find(|c| !known.contains(&c.as_str())) {
        panic!("{variable}: unknown {bad:?}; known: {}", known.join(", "));
    }
    chosen
}

/// Whether `section` (one of [`SECTIONS`]) runs.
pub(crate) fn wants(section: &str) -> bool {
    debug_assert!(SECTIONS.contains(&section), "{section} is not in SECTIONS");
    list("FOYER_BENCH_ONLY", &SECTIONS).iter().any(|s| s == section)
}

/// Whether the engine (`sqlite` or `postgres`) is measured.
pub(crate) fn engine(name: &str) -> bool {
    list("FOYER_BENCH_ENGINES", &ENGINES).iter().any(|s| s == name)
}

pub(crate) fn quick() -> bool {
    std::env::var("FOYER_BENCH_QUICK").is_ok_and(|v| v == "1")
}

pub(crate) fn peer() -> bool {
    std::env::var("FOYER_BENCH_PEER").is_ok_and(|v| v == "1")
}

/// Checks both lists once at the start, so a typo fails before any seeding.
pub(crate) fn check() {
    let _ = list("FOYER_BENCH_ONLY", &SECTIONS);
    let _ = list("FOYER_BENCH_ENGINES", &ENGINES);
}
