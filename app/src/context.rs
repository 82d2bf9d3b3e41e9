//! What the server hands to every render and server function (server only).
//!
//! The `server` crate builds one [`ServerContext`] at start and provides it through
//! `leptos_routes_with_context`; server functions take it with [`server_context`].

use std::sync::Arc;

use identity::Identity;
use leptos::prelude::*;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;

#[derive(Clone, Debug)]
pub struct ServerContext {
    pub identity: Identity,
    /// Development mode: the dev mailbox is visible and cookies may be sent over http.
    pub dev_mode: bool,
    /// The external base URL (no trailing slash).
    pub public_url: String,
    pub metrics: Arc<AppMetrics>,
}

/// Counters that pages and server functions move; `server` registers them for `/metrics`.
/// With the core's [`identity::metrics::Counters`] they make this node's
/// [`AppMetrics::totals`], which `history` keeps for the operator dashboard.
#[derive(Debug, Default)]
pub struct AppMetrics {
    /// Sign-in attempts by outcome (`success`, `failure`, `locked`, `throttled`).
    pub login_outcomes: Family<OutcomeLabel, Counter>,
    /// The last hour of this node's totals (the server samples it every ten seconds).
    pub history: identity::metrics::History,
}

impl AppMetrics {
    /// This node's running totals: sign-ins and refusals from [`Self::login_outcomes`],
    /// lock-outs and refused second steps from the core's counters.
    pub fn totals(&self, identity: &Identity) -> identity::metrics::Totals {
        use identity::metrics::FactorMethod;
        let outcome = |name: &str| self.login_outcomes.get_or_create(&OutcomeLabel { outcome: name.to_owned() }).get();
        let counters = identity.counters();
        identity::metrics::Totals {
            sign_ins: outcome("success"),
            refused: outcome("failure").saturating_add(outcome("locked")).saturating_add(outcome("throttled")),
            lockouts: counters.lockouts(),
            second_factor: FactorMethod::ALL.map(|m| counters.second_factor_failures(m)),
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: String,
}

/// The client's address as the server resolved it (through trusted proxies only);
/// put in the request extensions by the server's middleware.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub std::net::IpAddr);

/// The context, or an error that shows no internals.
pub fn server_context() -> Result<ServerContext, crate::error::AppError> {
    use_context::<ServerContext>().ok_or_else(|| crate::error::AppError::Message("The server is not ready.".into()))
}


/// Sets the page's Content-Security-Policy with this response's script nonce.
pub fn set_content_security_policy() {
    let Some(nonce) = leptos::nonce::use_nonce() else { return };
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else { return };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The first of `names` that the request's `Cookie` headers carry, with its value
/// (`__Host-x` before `x` when both are asked for: the order of `names` decides).
pub fn request_cookie<'a>(headers: &http::HeaderMap, names: &[&'a str]) -> Option<(&'a str, String)> {
    let pairs: Vec<(&str, &str)> = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .collect();
    names.iter().find_map(|name| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| (*name, (*v).to_owned())))
}
