//! The HTTP surface: the Leptos pages and server functions, operational endpoints, and
//! the layers every response passes through (request ids, tracing, metrics, security
//! headers, CSRF, body limits, panic recovery).

pub mod assets;
pub mod audit_export;
pub mod bodies;
pub mod brand_uploads;
pub mod client_ip;
pub mod csrf;
pub mod dev_clock;
pub mod export;
pub mod forms;
pub mod headers;
pub mod health;
pub mod language;
pub mod metrics;
pub mod panic;
pub mod privacy;
pub mod session_store;
pub mod support_entry;

use std::sync::Arc;

use app::context::ServerContext;
use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes as _, generate_route_list};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::Config;

/// State shared by the Leptos routes (which need `LeptosOptions`) and our handlers.
/// Every handler and middleware that takes `State` clones it, so it is one `Arc` (a
/// field-by-field clone and drop was a measurable share of a discovery request).
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

#[derive(Debug)]
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub context: ServerContext,
    pub metrics: Arc<metrics::HttpMetrics>,
    pub keys: crate::oidc::keys::KeyRing,
    pub limits: Arc<crate::oidc::limits::Limits>,
    /// The discovery document, serialized once (`oidc::discovery`).
    pub discovery: axum::body::Bytes,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The routers a node serves: the public one, and `GET /metrics` alone for the
/// `FOYER_METRICS_ADDR` listener (served only when that is set).
#[derive(Debug)]
pub struct Routers {
    pub public: Router,
    pub metrics: Router,
}

pub fn router(
    config: &Config,
    context: ServerContext,
    keys: crate::oidc::keys::KeyRing,
    deliveries: Family<Vec<(String, String)>, Counter>,
    extra: Router<AppState>,
) -> anyhow::Result<Routers> {
    let site_root = config.site_root.to_string_lossy().into_owned();
    // `./dev.sh` names the bundle after its content and lists the hashes in the site's
    // hash.txt (cargo-leptos's format). Leptos resolves the file against the binary's
    // directory; an absolute path keeps it beside the site it describes.
    let hash_file = std::path::absolute(config.site_root.join("hash.txt"))?;
    let leptos_options = LeptosOptions::builder()
        .output_name("foyer")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .hash_files(hash_file.is_file())
        .hash_file(std::sync::Arc::<str>::from(hash_file.to_string_lossy()))
        .site_addr(config.addr)
        .env(if config.dev { leptos::config::Env::DEV } else { leptos::config::Env::PROD })
        .build();
    let http_metrics = Arc::new(metrics::HttpMetrics::new(&context.metrics, &context.identity, deliveries));
    let state = AppState(Arc::new(Shared {
        leptos_options: leptos_options.clone(),
        context: context.clone(),
        metrics: http_metrics.clone(),
        keys,
        limits: Arc::new(crate::oidc::limits::Limits::new(config.limits)),
        discovery: crate::oidc::discovery::serialized(&context.public_url)?,
    }));

    let provide = {
        let context = context.clone();
        move || {
            provide_context(context.clone());
            app::components::form::provide_sticky_form();
        }
    };
    let shell = {
        let options = leptos_options.clone();
        move || app::shell(options.clone())
    };
    let pages = Router::new()
        .leptos_routes_with_context(&state, route_list(), provide.clone(), shell)
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(provide, app::shell))
        .layer(axum::middleware::from_fn_with_state(Arc::new(forms::Forms::new(&config.public_url)), forms::plain_forms))
        .layer(axum::middleware::from_fn_with_state(csrf::Origins::new(&config.public_url), csrf::refuse_cross_site))
        .layer(axum::middleware::from_fn_with_state(Arc::new(SessionLayers::new(config, &context)), sessions_by_path))
        .layer(bodies::limit())
        .layer(axum::middleware::from_fn(bodies::refuse_oversized));

    let ops = Router::new().route("/healthz", get(health::healthz)).route("/readyz", get(health::readyz));
    // The metrics are never public: on their own listener when one is configured,
    // otherwise at `/admin/metrics` for a signed-in operator.
    let operator_metrics = match config.metrics_addr {
        Some(_) => Router::new(),
        None => metrics::admin_routes().layer(staff_session_layer(config, &context)),
    };
    let metrics_only = metrics::listener_routes(state.clone());

    let router = Router::new()
        .merge(ops)
        .merge(language::routes(&config.public_url))
        .merge(assets::routes(&config.site_root))
        .merge(crate::oidc::routes(&state))
        .merge(crate::api::routes())
        .merge(crate::oidc::browser_routes(&state).layer(session_layer(config, &context)))
        .merge(privacy::customer_routes().layer(session_layer(config, &context)))
        .merge(privacy::public_routes())
        .merge(export::routes().layer(session_layer(config, &context)))
        .merge(support_entry::routes().layer(session_layer(config, &context)))
        .merge(audit_export::routes().layer(staff_session_layer(config, &context)))
        .merge(brand_uploads::routes(csrf::Origins::new(&config.public_url)).layer(staff_session_layer(config, &context)))
        .merge(operator_metrics)
        .merge(extra)
        .merge(pages)
        .with_state(state)
        .layer(CatchPanicLayer::custom(panic::internal_error_page))
        .layer(axum::middleware::from_fn_with_state(http_metrics, metrics::track))
        .layer(axum::middleware::from_fn_with_state(config.public_url.starts_with("https://"), headers::security_headers))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(metrics::request_span))
        .layer(axum::middleware::from_fn_with_state(Arc::new(config.trusted_proxies.clone()), client_ip::resolve))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestId));
    Ok(Routers { public: router, metrics: metrics_only })
}

/// `x-request-id` for a request that came without one: a random (v4) UUID from the
/// thread's generator; tower-http's `MakeRequestUuid` asks the kernel for every one.
#[derive(Clone, Copy, Debug)]
struct MakeRequestId;

impl tower_http::request_id::MakeRequestId for MakeRequestId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
        axum::http::HeaderValue::from_str(&id.hyphenated().to_string()).ok().map(RequestId::new)
    }
}

/// The pages' routes, generated once per process. Generating them renders the app with
/// a process-wide "do not load resources" flag set (leptos_server's
/// `SuppressResourceLoad`); a resource first polled by a request served meanwhile waits
/// forever (leptos-rs/leptos#4773). One server per process never overlaps the two, but
/// the integration tests start many in one process: with a second generation, a page
/// with a resource (`/`, `/admin`) hung now and then under load.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// The two session kinds of the pages: staff sessions for paths under `/admin`,
/// customer sessions for every other path. Exactly one layer runs per request, so a
/// customer cookie means nothing under `/admin` and a staff cookie nothing elsewhere.
#[derive(Clone, Debug)]
pub struct SessionLayers {
    customer: SessionManagerLayer<session_store::FoyerSessionStore>,
    staff: SessionManagerLayer<session_store::StaffSessionStore>,
}

impl SessionLayers {
    fn new(config: &Config, context: &ServerContext) -> Self {
        Self { customer: session_layer(config, context), staff: staff_session_layer(config, context) }
    }
}

/// `/admin` and everything under `/admin/` (pages and the `/admin/api/…` functions).
pub fn is_admin_path(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/")
}

async fn sessions_by_path(
    axum::extract::State(layers): axum::extract::State<Arc<SessionLayers>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use tower::{Layer as _, ServiceExt as _};
    let outcome = if is_admin_path(request.uri().path()) {
        layers.staff.layer(next).oneshot(request).await
    } else {
        layers.customer.layer(next).oneshot(request).await
    };
    match outcome {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Staff session cookies: `__Host-foyer-admin` (Secure, HttpOnly, SameSite=Strict,
/// `Path=/` as the prefix demands, no Domain), `foyer-admin` on plain-http localhost
/// development. Saved on every request so that each one moves the idle deadline.
fn staff_session_layer(config: &Config, context: &ServerContext) -> SessionManagerLayer<session_store::StaffSessionStore> {
    let secure = !config.insecure_cookies_allowed();
    let idle_secs = i64::try_from(config.admin_idle.as_secs()).unwrap_or(900);
    SessionManagerLayer::new(session_store::StaffSessionStore::new(context.identity.clone(), idle_secs.saturating_mul(1000)))
        .with_name(if secure { "__Host-foyer-admin" } else { "foyer-admin" })
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_path("/")
        .with_always_save(true)
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(idle_secs)))
}

/// Session cookies: `__Host-foyer` (Secure, HttpOnly, SameSite=Lax, Path=/, no Domain);
/// on plain-http localhost development `foyer` without Secure, since browsers refuse
/// `__Host-` cookies that are not Secure.
fn session_layer(config: &Config, context: &ServerContext) -> SessionManagerLayer<session_store::FoyerSessionStore> {
    let secure = !config.insecure_cookies_allowed();
    let idle = time::Duration::seconds(i64::try_from(config.session_idle.as_secs()).unwrap_or(1800));
    SessionManagerLayer::new(session_store::FoyerSessionStore::new(context.identity.clone()))
        .with_name(if secure { "__Host-foyer" } else { "foyer" })
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}
