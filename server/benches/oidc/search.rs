//! Support's customer search over a large population (issue 16: p95 under 100 ms on
//! 1,000,000 customers, both engines): the population is made with the same generator as
//! `foyer users generate`, then a mix of what agents type is timed through the core
//! (`Identity::search_customers`, the call the support pages make), at concurrency 1 and 8.
//! `FOYER_BENCH_CUSTOMERS` sets the population (default 1,000,000; a QUICK run 100,000).
//! `FOYER_BENCH_SEARCH_URL=<database URL>` runs only this section, over that database
//! (migrated, kept afterwards), making customers only when it has fewer than the
//! population: measure again without making a million customers again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use identity::principal::Principal;
use identity::staff::StaffRole;

use crate::{CONCURRENCY, Sample, Server};

/// What agents type: name starts, two words, an address start, a phone start, accents.
const QUERIES: [&str; 12] = [
    "lov", "kaur", "ada k", "öztü", "priya.p", "mia.m", "+44 7700 9001", "nguyen", "van d", "zoë", "sofia silva", "tomás t",
];

pub(crate) const KEEP_VAR: &str = "FOYER_BENCH_SEARCH_URL";

pub(crate) async fn measure(name: &str, server: &Server, quick: bool) -> String {
    let population: usize = std::env::var("FOYER_BENCH_CUSTOMERS").ok().and_then(|v| v.parse().ok()).unwrap_or(if quick { 100_000 } else { 1_000_000 });
    let (present,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers").fetch_one(server.identity.store().pool()).await.expect("count");
    let started = Instant::now();
    let made = if usize::try_from(present).unwrap_or(0) >= population {
        eprintln!("==> {name}: {present} customers there already");
        format!("{present} customers, kept from an earlier run")
    } else {
        eprintln!("==> {name}: generating {population} customers for the search");
        let report = server.identity.generate_customers(&Principal::Operator, 1, population).await.expect("synthetic customers");
        format!("{} customers (generated in {:.0} s)", report.imported + report.already_present, started.elapsed().as_secs_f64())
    };
    // No ANALYZE: measured as an operator's database is right after a bulk import,
    // before autovacuum has gathered statistics.
    let agent = Principal::Staff { id: "bench-agent".into(), role: StaffRole::Support, ticket: None, brands: vec![] };
    let identity = Arc::new(server.identity.clone());
    for q in QUERIES {
        let page = identity.search_customers(&agent, q, None, 20).await.expect("search");
        assert!(!page.hits.is_empty(), "the query {q:?} finds someone in the synthetic population");
    }
    let ops = if quick { 400 } else { 4_000 };
    let mut table = format!(
        "\n{name}: support search over {made}, 20 hits a page\n\n| operation | concurrency | ops | ops/s | p50 ms | p95 ms | p99 ms |\n|---|--:|--:|--:|--:|--:|--:|\n"
    );
    for concurrency in CONCURRENCY {
        let per_worker = (ops / concurrency).max(1);
        let wall = Instant::now();
        let workers: Vec<_> = (0..concurrency)
            .map(|w| {
                let identity = identity.clone();
                let agent = agent.clone();
                tokio::spawn(async move {
                    let mut latencies: Vec<Duration> = Vec::with_capacity(per_worker);
                    for i in 0..per_worker {
                        let q = QUERIES[(w + i) % QUERIES.len()];
                        let t = Instant::now();
                        let page = identity.search_customers(&agent, q, None, 20).await.expect("search");
                        latencies.push(t.elapsed());
                        // The next page too, one time in four, as an agent scrolling on.
                        if i % 4 == 0
                            && let Some(next) = page.next
                        {
                            let t = Instant::now();
                            identity.search_customers(&agent, q, Some(&next), 20).await.expect("next page");
                            latencies.push(t.elapsed());
                        }
                    }
                    latencies
                })
            })
            .collect();
        let mut latencies = Vec::new();
        for w in workers {
            latencies.extend(w.await.expect("worker"));
        }
        let row = Sample { wall: wall.elapsed(), latencies }.row("customer search (mixed queries)", concurrency);
        eprintln!("{name}: {row}");
        table.push_str(&row);
        table.push('\n');
    }
    table
}
