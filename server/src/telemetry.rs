//! Tracing set-up. Spans carry request ids, routes and status codes, never personal
//! data: handlers log ids, not emails, addresses, tokens or bodies.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once (later calls are ignored, which tests rely on).
/// `RUST_LOG` filters; the default is `info` for Foyer and `warn` for libraries.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,foyer=info,server=info,identity=info,app=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}
