//! The metrics in the Prometheus text format, the middleware that feeds them, and the
//! sampler that keeps the operator dashboard's history.
//!
//! Requests are counted by method, route template (never the raw path, which can hold
//! ids or codes) and status; latency is a histogram per route. Gauges for the password
//! hashing queue, the outbox backlog and its dead letters are read at scrape time, and
//! so are the core's counters (lock-outs, refused second steps by method).
//!
//! Where they are served (`docs/design/admin.md` "Operator dashboard"): with
//! `FOYER_METRICS_ADDR` set, `GET /metrics` on that listener only, without sign-in
//! ([`listener_routes`]); unset, `GET /admin/metrics` to a signed-in operator
//! ([`admin_routes`]: 401 signed out, 403 for another role). The public `/metrics` is
//! gone either way: an anonymous scraper learns nothing there.

use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Instant;

use app::context::{AppMetrics, ServerContext};
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use axum::routing::get;
use identity::Identity;
use identity::metrics::FactorMethod;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric as _};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use super::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

pub struct HttpMetrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    hash_queue: Gauge<i64, AtomicI64>,
    outbox_backlog: Gauge<i64, AtomicI64>,
    dead_letters: Gauge<i64, AtomicI64>,
}

impl std::fmt::Debug for HttpMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HttpMetrics")
    }
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

impl HttpMetrics {
    pub fn new(app: &Arc<AppMetrics>, identity: &Identity, deliveries: Family<Vec<(String, String)>, Counter>) -> Self {
        let mut registry = Registry::with_prefix("foyer");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let hash_queue = Gauge::<i64, AtomicI64>::default();
        let outbox_backlog = Gauge::<i64, AtomicI64>::default();
        let dead_letters = Gauge::<i64, AtomicI64>::default();
        // Known label values start at zero so dashboards see the series before the first event.
        for outcome in ["success", "failure", "locked", "throttled", "busy"] {
            drop(app.login_outcomes.get_or_create(&app::context::OutcomeLabel { outcome: outcome.to_owned() }));
        }
        for result in ["delivered", "retry", "failed"] {
            drop(deliveries.get_or_create(&vec![("result".to_owned(), result.to_owned())]));
        }
        registry.register("http_requests", "HTTP requests by method, route and status", requests.clone());
        registry.register("http_request_duration_seconds", "HTTP request latency by route", latency.clone());
        registry.register("login_attempts", "Sign-in attempts by outcome", app.login_outcomes.clone());
        registry.register("password_hash_queue_depth", "Password hashing calls waiting or running", hash_queue.clone());
        registry.register("outbox_backlog", "Outbox events not yet delivered", outbox_backlog.clone());
        registry.register("outbox_dead_letters", "Outbox events given up on, kept a week", dead_letters.clone());
        registry.register("outbox_deliveries", "Outbox delivery attempts by result", deliveries);
        registry.register_collector(Box::new(CoreCounters { identity: identity.clone() }));
        Self { registry, requests, latency, hash_queue, outbox_backlog, dead_letters }
    }
}

/// Counts and times every request by its route template.
pub async fn track(State(metrics): State<Arc<HttpMetrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    metrics.requests.get_or_create(&RequestLabels { method: method.clone(), route: route.clone(), status }).inc();
    metrics.latency.get_or_create(&RouteLabels { method, route }).observe(started.elapsed().as_secs_f64());
    response
}

/// The core's counters, read at each scrape: `foyer_account_lockouts_total` and
/// `foyer_second_factor_failures_total{method}` (every method from zero).
#[derive(Debug)]
struct CoreCounters {
    identity: Identity,
}

impl Collector for CoreCounters {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let counters = self.identity.counters();
        let lockouts = ConstCounter::new(counters.lockouts());
        let metric = encoder.encode_descriptor("account_lockouts", "Accounts locked after too many failed sign-in steps", None, lockouts.metric_type())?;
        lockouts.encode(metric)?;
        let mut family = encoder.encode_descriptor(
            "second_factor_failures",
            "Refused second sign-in steps by method (code, recovery_code, passkey, other)",
            None,
            prometheus_client::metrics::MetricType::Counter,
        )?;
        for method in FactorMethod::ALL {
            let labels = [("method", method.label())];
            ConstCounter::new(counters.second_factor_failures(method)).encode(family.encode_family(&labels)?)?;
        }
        Ok(())
    }
}

/// `GET /metrics` alone, for the `FOYER_METRICS_ADDR` listener (no session, no pages).
pub fn listener_routes(state: AppState) -> Router {
    Router::new().route("/metrics", get(render)).with_state(state)
}

/// `GET /admin/metrics` for a signed-in operator; the caller adds the staff session layer.
pub fn admin_routes() -> Router<AppState> {
    Router::new().route("/admin/metrics", get(render_for_operator))
}

/// The metrics, to a staff member whose role may see the dashboard (operators): 401
/// signed out (a scraper is no browser: no redirect), 403 for another role.
pub async fn render_for_operator(State(state): State<AppState>, session: tower_sessions::Session, headers: axum::http::HeaderMap) -> Response {
    let identity = &state.context.identity;
    let locale = app::i18n::locale_of(&headers);
    let say = |status, id: &str| super::audit_export::say(status, identity::i18n::message_with(locale, id, &[]));
    let principal = match app::admin::session::principal_of(&session, identity).await {
        Ok(Some(p)) => p,
        Ok(None) => return say(StatusCode::UNAUTHORIZED, "dashboard-metrics-sign-in"),
        Err(e) => {
            tracing::error!(error = %e, "reading the staff member failed");
            return say(StatusCode::INTERNAL_SERVER_ERROR, "error-internal");
        }
    };
    if identity.may_view_metrics(&principal).is_err() {
        return say(StatusCode::FORBIDDEN, "dashboard-metrics-forbidden");
    }
    render(State(state)).await
}

/// Every ten seconds, this node's totals into the dashboard's history, until `stop`.
pub async fn sample(context: ServerContext, stop: tokio::sync::watch::Receiver<bool>) {
    let step = std::time::Duration::from_millis(u64::try_from(identity::metrics::STEP_MS).unwrap_or(10_000));
    crate::maintenance::every(step, stop, || {
        let metrics = &context.metrics;
        metrics.history.record(context.identity.now(), metrics.totals(&context.identity));
    })
    .await;
}

pub async fn render(State(state): State<AppState>) -> Response {
    let metrics = &state.metrics;
    let identity = &state.context.identity;
    metrics.hash_queue.set(i64::try_from(identity.hasher().queue_depth()).unwrap_or(i64::MAX));
    match identity.store().outbox_backlog().await {
        Ok(n) => {
            metrics.outbox_backlog.set(n);
        }
        Err(e) => tracing::warn!(error = %e, "outbox backlog unavailable for metrics"),
    }
    match identity.store().outbox_dead_letters().await {
        Ok(n) => {
            metrics.dead_letters.set(n);
        }
        Err(e) => tracing::warn!(error = %e, "outbox dead letters unavailable for metrics"),
    }
    let mut body = String::new();
    if encode(&mut body, &metrics.registry).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response
}

/// The tracing span of one request: its id, method and route template — no query
/// string, no client address, no headers.
pub fn request_span(request: &Request) -> tracing::Span {
    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str);
    tracing::info_span!("request", request_id, method = %request.method(), route)
}
