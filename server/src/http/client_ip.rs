//! The client's IP address, for throttling and audit.
//!
//! `X-Forwarded-For` is believed only when the connection comes from a configured
//! trusted proxy (`FOYER_TRUSTED_PROXIES`); then the right-most address that is not
//! itself a trusted proxy is the client. Otherwise the socket's peer address is used
//! and a forged header changes nothing.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use app::context::ClientIp;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

/// Puts the resolved [`ClientIp`] into the request extensions for pages and server
/// functions (throttling, audit).
pub async fn resolve(State(trusted): State<Arc<Vec<IpNet>>>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
    let forwarded = request.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let ip = client_ip(peer, forwarded, &trusted);
    request.extensions_mut().insert(ClientIp(ip));
    next.run(request).await
}

pub fn client_ip(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else { return peer };
    let mut client = peer;
    for hop in header.rsplit(',').map(str::trim) {
        let Ok(ip) = hop.parse::<IpAddr>() else { break };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_proxies;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forged_header_from_an_untrusted_peer_is_ignored() {
        let trusted = parse_proxies("10.0.0.0/8").unwrap();
        assert_eq!(client_ip(ip("203.0.113.9"), Some("1.2.3.4"), &trusted), ip("203.0.113.9"));
        assert_eq!(client_ip(ip("203.0.113.9"), Some("1.2.3.4"), &[]), ip("203.0.113.9"));
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_wins() {
        let trusted = parse_proxies("10.0.0.0/8").unwrap();
        // The client prepended a lie; the proxies appended the truth.
        assert_eq!(client_ip(ip("10.0.0.2"), Some("6.6.6.6, 198.51.100.7, 10.0.0.5"), &trusted), ip("198.51.100.7"));
        assert_eq!(client_ip(ip("10.0.0.2"), None, &trusted), ip("10.0.0.2"));
        assert_eq!(client_ip(ip("10.0.0.2"), Some("garbage"), &trusted), ip("10.0.0.2"));
    }
}
