//! Bodies the server cannot read get a short 4xx, never a 5xx (which would also log an
//! ERROR): every server function, as the server registers them, and every OIDC route,
//! as `server/src/oidc/mod.rs` declares them, each sent bytes that are not UTF-8 (as a
//! form and as JSON), truncated JSON, XML, and bodies over the limits (2 MiB declared,
//! and 128 KiB streamed without a length).

use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::Method;

use crate::support::{Db, TestApp, both_backends};

both_backends!(malformed_bodies_never_get_a_5xx);

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

/// Over both the server functions' limit (64 KiB) and axum's default (2 MiB).
const HUGE: usize = 2 * 1024 * 1024 + 1;

/// What each endpoint is sent: a name for messages, the content type, the body.
fn bodies() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    vec![
        ("non-UTF-8 form", FORM, b"email=\xFF\xFE&password=\xFF\xFE&token=\xFF".to_vec()),
        ("non-UTF-8 bytes only, as a form", FORM, vec![0xFF, 0xFE]),
        ("non-UTF-8 JSON", JSON, b"\xFF\xFE{\"email\":\"\xFF\"}".to_vec()),
        ("truncated JSON", JSON, br#"{"email":"someone@example.com","password":"#.to_vec()),
        ("XML", "text/xml", br#"<?xml version="1.0"?><login><email>a@example.com</email></login>"#.to_vec()),
        ("2 MiB form", FORM, [b"email=".as_slice(), &vec![b'a'; HUGE]].concat()),
    ]
}

/// Each OIDC route and its methods, read from the router's source so a new route is
/// swept without anyone remembering to list it here. `{slug}` becomes a real brand's.
fn oidc_routes() -> Vec<(Method, String)> {
    let source = include_str!("../../src/oidc/mod.rs");
    let mut routes = Vec::new();
    for line in source.lines() {
        let Some(rest) = line.trim().strip_prefix(".route(\"") else { continue };
        let Some((path, handlers)) = rest.split_once('"') else { continue };
        let path = path.replace("{slug}", "northwind-air");
        for (call, method) in [("get(", Method::GET), ("post(", Method::POST)] {
            if handlers.contains(call) {
                routes.push((method, path.clone()));
            }
        }
    }
    routes
}

/// How a body goes on the wire.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// With `Content-Length`, which a server may refuse before reading.
    Declared,
    /// Chunked, with no length to refuse it by: only reading finds the size.
    Streamed,
}

/// Sends raw HTTP/1.1 requests (our reqwest cannot stream a body, nor read an answer
/// that comes before the body is sent), each from its own forwarded address so the
/// per-IP limits of the browser routes do not answer 429 in place of the endpoint.
struct Sender<'a> {
    app: &'a TestApp,
    next_ip: AtomicU32,
}

impl Sender<'_> {
    /// The status and body of the answer; status 0 when the server closed the
    /// connection without one.
    async fn send(&self, method: &Method, path: &str, content_type: &str, body: Vec<u8>, framing: Framing) -> (u16, String) {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let n = self.next_ip.fetch_add(1, Ordering::Relaxed);
        let ip = std::net::Ipv4Addr::from(0x0A00_0000 + n);
        let address = self.app.address.trim_start_matches("http://");
        let length = match framing {
            Framing::Declared => format!("Content-Length: {}", body.len()),
            Framing::Streamed => "Transfer-Encoding: chunked".to_owned(),
        };
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {address}\r\nOrigin: {origin}\r\nSec-Fetch-Site: same-origin\r\n\
             Accept: application/json\r\nContent-Type: {content_type}\r\nX-Forwarded-For: {ip}\r\n{length}\r\n\
             Connection: close\r\n\r\n",
            origin = self.app.public_url
        );
        let stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let (mut reader, mut writer) = stream.into_split();
        // The body is written on its own task, so an answer that comes early is read
        // whatever the writes do; the writer half is handed back, not dropped, since
        // dropping it half-closes the connection, which the server takes for a client gone.
        let writing = tokio::spawn(async move {
            let written = async {
                writer.write_all(head.as_bytes()).await?;
                match framing {
                    Framing::Declared => writer.write_all(&body).await?,
                    Framing::Streamed => {
                        for chunk in body.chunks(16 * 1024) {
                            writer.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await?;
                            writer.write_all(chunk).await?;
                            writer.write_all(b"\r\n").await?;
                        }
                        writer.write_all(b"0\r\n\r\n").await?;
                    }
                }
                writer.flush().await
            }
            .await;
            (writer, written)
        });
        let mut answer = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
        writing.abort();
        let text = String::from_utf8_lossy(&answer);
        let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
        (status, body)
    }
}

/// Streamed bodies: over the server functions' limit (64 KiB).
const STREAMED: usize = 128 * 1024;

async fn malformed_bodies_never_get_a_5xx(db: Db) {
    let Some(app) = TestApp::builder(db).configure(|raw| raw.trusted_proxies = "127.0.0.0/8".into()).spawn().await else { return };
    let sender = Sender { app: &app, next_ip: AtomicU32::new(1) };
    let mut failures = Vec::new();

    // Every server function the server registered.
    let functions: Vec<(Method, String)> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, method)| (method, path.to_owned())).collect();
    assert!(functions.len() >= 40 && functions.iter().any(|(m, p)| m == Method::POST && p == "/api/login"), "{functions:?}");
    for (method, path) in &functions {
        for (what, content_type, body) in bodies() {
            let (status, text) = sender.send(method, path, content_type, body, Framing::Declared).await;
            let expected = match what {
                "2 MiB form" => status == 413,
                "non-UTF-8 form" | "non-UTF-8 bytes only, as a form" | "non-UTF-8 JSON" => status == 400,
                _ => status < 500,
            };
            if !expected || text.len() > 300 {
                failures.push(format!("{method} {path} with {what}: {status} {text:.200}"));
            }
        }
        let (status, text) = sender.send(method, path, FORM, vec![b'a'; STREAMED], Framing::Streamed).await;
        if status != 400 && status != 413 {
            failures.push(format!("{method} {path} with a streamed 128 KiB body: {status} {text:.200}"));
        }
    }

    // Every OIDC route.
    let routes = oidc_routes();
    for expected in ["/oauth2/token", "/oauth2/revoke", "/oauth2/introspect", "/oauth2/userinfo", "/oauth2/authorize", "/oauth2/continue", "/oauth2/logout", "/oauth2/logout/confirm"] {
        assert!(routes.iter().any(|(_, p)| p == expected), "{expected} not found in the router source: {routes:?}");
    }
    for (method, path) in &routes {
        for (what, content_type, body) in bodies() {
            let (status, text) = sender.send(method, path, content_type, body, Framing::Declared).await;
            if status == 0 || status >= 500 {
                failures.push(format!("{method} {path} with {what}: {status} {text:.200}"));
            }
        }
        let (status, text) = sender.send(method, path, FORM, vec![b'a'; STREAMED], Framing::Streamed).await;
        if status == 0 || status >= 500 {
            failures.push(format!("{method} {path} with a streamed 128 KiB body: {status} {text:.200}"));
        }
    }

    assert!(failures.is_empty(), "{} answers out of line:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(app.get("/healthz").await.status(), 200, "the server is still well");
}
