//! `/metrics` in the Prometheus text format, and the middleware that feeds it.
//!
//! Requests are counted by method, route template (never the raw path, which can hold
//! ids or codes) and status; latency is a histogram per route. Gauges for the password
//! hashing queue and the outbox backlog are read at scrape time.

use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Instant;

use app::context::AppMetrics;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
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
    pub fn new(app: &Arc<AppMetrics>, deliveries: Family<Vec<(String, String)>, Counter>) -> Self {
        let mut registry = Registry::with_prefix("foyer");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let hash_queue = Gauge::<i64, AtomicI64>::default();
        let outbox_backlog = Gauge::<i64, AtomicI64>::default();
        // Known label values start at zero so dashboards see the series before the first event.
        for outcome in ["success", "failure", "locked", "throttled"] {
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
        registry.register("outbox_deliveries", "Outbox delivery attempts by result", deliveries);
        Self { registry, requests, latency, hash_queue, outbox_backlog }
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
