//! The brand back-end API under a large programme (issue 15's budget: a page of 100
//! pending links out of 100,000 in under 50 ms, on both backends).
//!
//! Seeded through Foyer's own operator paths, as a brand moving to Foyer would: 100,000
//! confirmed customers with `import_customers`, then one pending link each with
//! `import_loyalty_links` (multi-row batches). A brand back-end client with
//! `loyalty:manage` then asks `GET /api/v1/loyalty/{p}/links?status=pending&limit=100`:
//! the first page, and pages deep into the set (cursors collected by one walk through
//! all of it, which also checks that the walk sees every link once). Each measurement
//! uses a fresh client, so the per-client rate limit (shared with the token endpoint)
//! never answers 429.

use super::*;

/// Links in the programme (also with `FOYER_BENCH_QUICK=1`: the budget is about this size).
const LINKS: usize = 100_000;
const PAGE: usize = 100;
/// Requests per measurement (at each concurrency), before `FOYER_BENCH_QUICK`.
const REQUESTS: usize = 1_000;
const PROGRAMME: &str = "bench-rewards";

pub(crate) struct LoyaltyBench {
    bench: Arc<Bench>,
    /// `next` cursors from the second half of the set.
    deep: Vec<String>,
}

/// The `i`th ten-digit number with a Luhn check digit.
fn number(i: usize) -> String {
    let base = 100_000_000 + i;
    (0..10).map(|d| format!("{base}{d}")).find(|n| identity::loyalty::luhn_valid(n)).expect("one check digit fits")
}

impl LoyaltyBench {
    /// Seeds the programme and its links; returns the bench and a line for the report.
    pub(crate) async fn seed(bench: &Arc<Bench>) -> (Self, String) {
        let links = LINKS;
        let identity = &bench.identity;
        let started = Instant::now();
        let new = identity::loyalty::programme::NewProgramme {
            brand: "bench".into(),
            slug: Some(PROGRAMME.into()),
            name: "Bench Rewards".into(),
            number_pattern: "[0-9]{10}".into(),
            luhn: true,
            tiers: vec!["Blue".into(), "Gold".into()],
            verification: "brand-api".into(),
            pooling: false,
        };
        identity.create_programme(&Principal::Operator, &new).await.expect("programme");
        let customers: String = (0..links).map(|i| format!("{{\"email\":\"member{i}@example.com\",\"email_verified\":true}}\n")).collect();
        let (records, errors) = identity::import::parse_lines(customers.as_bytes());
        assert!(errors.is_empty(), "{errors:?}");
        let imported = identity.import_customers(&Principal::Operator, &records).await.expect("customers imported");
        assert_eq!(imported.imported, links);
        let customers_took = started.elapsed();
        let lines: String =
            (0..links).map(|i| format!("{{\"email\":\"member{i}@example.com\",\"number\":\"{}\",\"status\":\"pending\"}}\n", number(i))).collect();
        let (records, errors) = identity::loyalty::import::parse_link_lines(lines.as_bytes());
        assert!(errors.is_empty(), "{errors:?}");
        let report = identity.import_loyalty_links(&Principal::Operator, PROGRAMME, &records).await.expect("links imported");
        assert!(report.errors.is_empty() && report.imported == links, "{:?}", &report.errors[..report.errors.len().min(3)]);
        let note = format!(
            "seeded {links} confirmed customers in {:.1} s and {links} pending links in {:.1} s (operator import)",
            customers_took.as_secs_f64(),
            (started.elapsed() - customers_took).as_secs_f64()
        );
        eprintln!("{note}");

        // One walk through the whole set: every link once, and the deep cursors.
        let token = bench.api_token().await;
        let mut cursors = Vec::new();
        let mut after: Option<String> = None;
        let mut seen = 0;
        loop {
            let (count, next) = bench.links_page(&token, after.as_deref(), 200).await;
            seen += count;
            match next {
                Some(next) => {
                    cursors.push(next.clone());
                    after = Some(next);
                }
                None => break,
            }
        }
        assert_eq!(seen, links, "the walk sees every pending link once");
        // The last cursor may leave less than a page after it.
        cursors.pop();
        let deep = cursors.split_off(cursors.len() / 2);
        (Self { bench: Arc::clone(bench), deep }, note)
    }

    /// The section's rows: first page and deep pages at each concurrency.
    pub(crate) async fn rows(&self, name: &str, quick: bool) -> String {
        let requests = if quick { REQUESTS / 10 } else { REQUESTS };
        let mut rows = String::new();
        for deep in [false, true] {
            let label = if deep { "loyalty links page, deep (after=)" } else { "loyalty links page, first" };
            for concurrency in CONCURRENCY {
                let token = self.bench.api_token().await;
                let per_worker = (requests / concurrency).max(1);
                let inputs = (0..concurrency).map(|w| (Arc::clone(&self.bench), token.clone(), self.deep.clone(), w)).collect();
                let sample = timed(inputs, move |(bench, token, cursors, w)| async move {
                    let mut latencies = Vec::with_capacity(per_worker);
                    for i in 0..per_worker {
                        let after = deep.then(|| cursors[(w * per_worker + i) % cursors.len()].as_str());
                        let start = Instant::now();
                        let (count, _) = bench.links_page(&token, after, PAGE).await;
                        latencies.push(start.elapsed());
                        assert_eq!(count, PAGE, "a full page");
                    }
                    latencies
                })
                .await;
                let row = sample.row(label, concurrency);
                eprintln!("{name}: {row}");
                rows.push_str(&row);
                rows.push('\n');
            }
        }
        rows
    }
}

impl Bench {
    /// A fresh back-end client of the bench brand with `loyalty:manage`, and its token.
    async fn api_token(&self) -> String {
        let n = self.next_client.fetch_add(1, Ordering::Relaxed);
        let spec = ClientSpec::new("bench", &format!("Bench back end {n}")).redirect_uri(REDIRECT).scope("openid loyalty:manage").grant("client_credentials").dev(true);
        let created = self.identity.create_client(&Principal::Operator, &spec).await.expect("client registered");
        let secret = created.secret.expect("a confidential client has a secret").expose_secret().to_owned();
        let response = self
            .http
            .post(format!("{}/oauth2/token", self.address))
            .basic_auth(&created.client.id, Some(&secret))
            .form(&[("grant_type", "client_credentials"), ("scope", "loyalty:manage")])
            .send()
            .await
            .expect("token request");
        let status = response.status();
        let body: Value = response.json().await.expect("token JSON");
        assert_eq!(status, StatusCode::OK, "client_credentials: {body}");
        body["access_token"].as_str().expect("access_token").to_owned()
    }

    /// One page of pending links: how many, and the next cursor.
    async fn links_page(&self, token: &str, after: Option<&str>, limit: usize) -> (usize, Option<String>) {
        let mut url = format!("{}/api/v1/loyalty/{PROGRAMME}/links?status=pending&limit={limit}", self.address);
        if let Some(after) = after {
            url.push_str("&after=");
            url.push_str(after);
        }
        let response = self.http.get(&url).bearer_auth(token).send().await.expect("GET links");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert_eq!(status, StatusCode::OK, "GET {url}: {text}");
        let body: Value = serde_json::from_str(&text).expect("JSON");
        let count = body["links"].as_array().map_or(0, Vec::len);
        (count, body["next"].as_str().map(str::to_owned))
    }
}
