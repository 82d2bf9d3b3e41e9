//! The full password sign-in flow (issue 17: "authorize → login → consent → code →
//! token beside the raw argon2id hash rate measured in the same run"), on the login
//! storm's Foyer (OWASP argon2id, its 200 verified customers) after the storm: each flow
//! is a new browser (its own cookie jar) that
//! 1. opens the client's authorization request (`prompt=consent`, so every flow sees the
//!    consent page) and is sent to `/login`, which it loads (the server-rendered page),
//! 2. signs in through `POST /api/login` with the password (again after `Retry-After`
//!    while busy, as the page does),
//! 3. follows `/oauth2/continue` to the consent page, loads it and allows
//!    (`/api/consent_decide`),
//! 4. follows on to the client's redirect URI with the code,
//! 5. and the client redeems the code at `/oauth2/token` (`client_secret_basic`, PKCE).
//!
//! Printed: flows completed, busy answers, errors, flows/s beside the raw argon2id rate,
//! latency of a whole flow, and resident memory after. `FOYER_BENCH_QUICK=1`: a tenth.

use super::*;
use crate::load::rss_kib;
use crate::storm::{CUSTOMERS, Foyer, email, login_answered};

const FLOWS: usize = 400;
/// Browsers at once (each runs its flows one after another): enough to keep every
/// hashing permit busy while the rest of each flow runs.
const BROWSERS: usize = 16;

/// The flows' brand and confidential client, registered while the storm's Foyer is seeded.
pub(crate) async fn register_client(identity: &Identity) -> BenchClient {
    identity.create_brand(&Principal::Operator, &BrandSlug::parse("storm").expect("slug"), "Storm").await.expect("brand");
    let spec = ClientSpec::new("storm", "Storm web").redirect_uri(REDIRECT).dev(true);
    let created = identity.create_client(&Principal::Operator, &spec).await.expect("client registered");
    BenchClient { id: created.client.id, secret: created.secret.expect("a secret").expose_secret().to_owned() }
}

/// The flows against the storm's `foyer serve` child (`pid`).
pub(crate) async fn measure(server: &Foyer, pid: u32, client: &BenchClient, raw: f64, quick: bool) -> String {
    let flows = if quick { FLOWS / 10 } else { FLOWS };
    eprintln!("==> full sign-in flow: {flows} flows, {BROWSERS} browsers at once");
    let next_ip = Arc::new(AtomicU32::new(0));
    let next_flow = Arc::new(AtomicU32::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..BROWSERS)
        .map(|_| {
            let (client, next_ip, next_flow) = (client.clone(), Arc::clone(&next_ip), Arc::clone(&next_flow));
            let (address, origin) = (server.address.clone(), server.public_url.clone());
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                loop {
                    let n = next_flow.fetch_add(1, Ordering::Relaxed) as usize;
                    if n >= flows {
                        break outcomes;
                    }
                    let t = Instant::now();
                    let outcome = one_flow(&address, &origin, &client, &next_ip, &email(n % CUSTOMERS)).await;
                    outcomes.push(outcome.map(|busy| (t.elapsed(), busy)));
                }
            })
        })
        .collect();
    let (mut latencies, mut busy, mut errors) = (Vec::with_capacity(flows), 0, 0);
    for worker in workers {
        for outcome in worker.await.expect("a flow worker") {
            match outcome {
                Ok((took, b)) => {
                    latencies.push(took);
                    busy += b;
                }
                Err(e) => {
                    errors += 1;
                    if errors <= 3 {
                        eprintln!("full sign-in flow: {e}");
                    }
                }
            }
        }
    }
    let wall = started.elapsed();
    tokio::time::sleep(crate::children::SETTLE).await;
    let after = rss_kib(pid);
    let completed = latencies.len();
    latencies.sort_unstable();
    let ms = |p: usize| latencies.get((p * latencies.len()).div_ceil(100).max(1) - 1).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    let rate = completed as f64 / wall.as_secs_f64();
    let out = format!(
        "\nFull password sign-in flow (authorize → /login → POST /api/login → consent → code → token; a new browser each, \
         prompt=consent; {BROWSERS} at once; the storm's Foyer and argon2id)\n\n\
         | flows | completed | busy answers (retried) | errors | wall s | flows/s | raw argon2id/s | ratio | p50 ms | p95 ms | p99 ms |\n\
         |--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n\
         | {flows} | {completed} | {busy} | {errors} | {:.1} | {rate:.1} | {raw:.1} | {:.2}× | {:.0} | {:.0} | {:.0} |\n\
         \nResident memory of `foyer serve` 2 s after the flows: {:.0} MiB\n",
        wall.as_secs_f64(),
        rate / raw,
        ms(50),
        ms(95),
        ms(99),
        after as f64 / 1024.0,
    );
    eprint!("{out}");
    out
}

/// One whole flow for `email` in a new browser: the busy answers on the way, or what
/// went wrong.
async fn one_flow(address: &str, origin: &str, client: &BenchClient, next_ip: &AtomicU32, email: &str) -> Result<usize, String> {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
        .build()
        .map_err(|e| e.to_string())?;
    let forwarded = || next_address(next_ip);
    // GET, expecting a 303; its Location made absolute against Foyer's address.
    let see_other = |url: String| {
        let (browser, forwarded) = (&browser, forwarded());
        async move {
            let response = browser.get(&url).header("x-forwarded-for", forwarded).send().await.map_err(|e| e.to_string())?;
            let status = response.status();
            let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
            match (status, location) {
                (StatusCode::SEE_OTHER, Some(location)) => Ok(location.strip_prefix(origin).map_or(location.clone(), str::to_owned)),
                (status, _) => Err(format!("GET {url}: {status}")),
            }
        }
    };
    // GET a page, expecting 200 (what the browser renders on the way).
    let page = |url: String| {
        let (browser, forwarded) = (&browser, forwarded());
        async move {
            let response = browser.get(&url).header("x-forwarded-for", forwarded).send().await.map_err(|e| e.to_string())?;
            let status = response.status();
            let _ = response.bytes().await;
            if status == StatusCode::OK { Ok(()) } else { Err(format!("GET {url}: {status}")) }
        }
    };
    let query = |location: &str, name: &str| {
        url::Url::parse(&format!("http://x{location}")).ok().and_then(|u| u.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()))
    };
    let (url, state, verifier) = authorize_url_at(address, client, Some("consent"));
    let login = see_other(url).await?;
    let return_to = query(&login, "return_to").filter(|_| login.starts_with("/login")).ok_or(format!("expected the sign-in page, got {login}"))?;
    page(format!("{address}{login}")).await?;
    let (status, busy, body) = login_answered(&browser, address, origin, next_ip, &[("email", email), ("password", PASSWORD), ("return_to", &return_to)]).await;
    if status != 200 {
        return Err(format!("sign-in: {status} {body}"));
    }
    let consent = see_other(format!("{address}{return_to}")).await?;
    let r = query(&consent, "r").filter(|_| consent.starts_with("/oauth2/consent")).ok_or(format!("expected the consent page, got {consent}"))?;
    page(format!("{address}{consent}")).await?;
    let response = browser
        .post(format!("{address}/api/consent_decide"))
        .header(header::ORIGIN, origin)
        .header("sec-fetch-site", "same-origin")
        .header(header::ACCEPT, "application/json")
        .header("x-forwarded-for", forwarded())
        .form(&[("r", r.as_str()), ("allow", "true")])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let next: Value = response.json().await.map_err(|e| format!("consent: {e}"))?;
    let next = next.as_str().ok_or(format!("consent: {next}"))?;
    let callback = see_other(format!("{address}{next}")).await?;
    let callback = url::Url::parse(&callback).map_err(|_| format!("not a redirect to the client: {callback}"))?;
    let param = |name: &str| callback.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    if param("state").as_deref() != Some(state.as_str()) {
        return Err(format!("state did not come back: {callback}"));
    }
    let code = param("code").ok_or(format!("no code: {callback}"))?;
    let response = browser
        .post(format!("{address}/oauth2/token"))
        .basic_auth(&client.id, Some(&client.secret))
        .form(&[("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", REDIRECT), ("code_verifier", verifier.as_str())])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if status != StatusCode::OK || !text.contains("\"id_token\"") {
        return Err(format!("token: {status} {text}"));
    }
    Ok(busy)
}
