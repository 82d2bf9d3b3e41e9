//! Configuration: built-in defaults, then an optional `foyer.toml`, then `FOYER_*`
//! environment variables (later sources win; an empty variable counts as unset). Every
//! setting is listed in the README.
//!
//! Loading checks everything it can before the server starts and reports a bad
//! setting as one line naming it (`FOYER_SMTP_URL: …`). Secrets (`smtp_url`,
//! `password_pepper`, `master_key`) are [`SecretString`]s: they never print.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format as _, Serialized, Toml};
use identity::crypto::MasterKey;
use identity::jose::SigningAlg;
use identity::password::HashSettings;
use identity::store::{DatabaseUrl, PoolSettings, SqliteSynchronous};
use identity::{OsRandom, SecureRandom};
use ipnet::IpNet;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};

use crate::oidc::limits::{LimitSettings, Rate};

/// The raw settings as figment reads them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub database_url: String,
    pub public_url: String,
    /// What customers are told the identity is called (FOYER_PRODUCT_NAME).
    pub product_name: String,
    /// The group's privacy notice and terms, linked in every page's footer
    /// (FOYER_PRIVACY_URL, FOYER_TERMS_URL).
    pub privacy_url: Option<String>,
    pub terms_url: Option<String>,
    /// The consent ledger: the jurisdiction receipts name and the ages of digital
    /// consent (FOYER_CONSENT_JURISDICTION, FOYER_CONSENT_AGE, FOYER_CONSENT_AGE_BY_COUNTRY).
    pub consent_jurisdiction: String,
    pub consent_age: u8,
    pub consent_age_by_country: String,
    pub addr: String,
    /// A second listener that serves only `GET /metrics`, unauthenticated
    /// (FOYER_METRICS_ADDR; empty: none, and `/metrics` is `/admin/metrics`, operators only).
    pub metrics_addr: String,
    pub data_dir: PathBuf,
    pub site_root: PathBuf,
    pub dev: bool,
    #[serde(serialize_with = "redact")]
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    pub trusted_proxies: String,
    pub session_idle_minutes: u64,
    /// Staff (`/admin`) session idle timeout (FOYER_ADMIN_IDLE_MINUTES).
    pub admin_idle_minutes: u64,
    pub session_absolute_hours: u64,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    /// The longest expected wait for a hashing slot a sign-in is made to queue for;
    /// beyond it the answer is 503 with `Retry-After` (FOYER_HASH_MAX_WAIT_SECS).
    pub hash_max_wait_secs: u64,
    /// Callers waiting or hashing at most, whatever the expected wait: a memory guard
    /// (FOYER_HASH_MAX_QUEUE).
    pub hash_max_queue: usize,
    pub lockout_threshold: i64,
    /// Days between signing-key rotations (FOYER_KEY_ROTATION_DAYS).
    pub key_rotation_days: i64,
    /// Days between "Delete my account" and the erasure (FOYER_DELETION_GRACE_DAYS).
    pub deletion_grace_days: i64,
    /// Households one customer may belong to (FOYER_HOUSEHOLDS_PER_CUSTOMER).
    pub households_per_customer: i64,
    /// Days the audit log keeps its rows (FOYER_AUDIT_RETENTION_DAYS; unset: forever).
    pub audit_retention_days: Option<i64>,
    /// What access tokens are signed with (FOYER_ACCESS_TOKEN_ALG: ES256, RS256 or EdDSA).
    pub access_token_alg: String,
    /// Seconds after a refresh during which its spent token may be presented again by a
    /// client whose answer was lost (FOYER_REFRESH_RETRY_SECONDS; 0: never).
    pub refresh_retry_seconds: i64,
    #[serde(serialize_with = "redact")]
    pub password_pepper: Option<SecretString>,
    #[serde(serialize_with = "redact")]
    pub master_key: Option<SecretString>,
    pub db_max_connections: u32,
    /// SQLite's `PRAGMA synchronous`: `normal` (default) or `full` (FOYER_SQLITE_SYNCHRONOUS).
    pub sqlite_synchronous: String,
    pub outbox_poll_ms: u64,
    pub outbox_worker: bool,
    pub log_format: String,
    // Rate limits (`crate::oidc::limits`, the README's "Rate limits" table).
    pub limit_token_per_client_per_second: u32,
    pub limit_token_per_client_burst: u32,
    pub limit_browser_per_ip_per_second: u32,
    pub limit_browser_per_ip_burst: u32,
    pub limit_api_per_ip_per_second: u32,
    pub limit_api_per_ip_burst: u32,
    pub limit_client_auth_failures_per_client_ip: i64,
    pub limit_client_auth_failures_per_ip: i64,
}

fn redact<S: serde::Serializer>(value: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(_) => s.serialize_some("[redacted]"),
        None => s.serialize_none(),
    }
}

impl Default for RawConfig {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/foyer.db".into(),
            public_url: "http://localhost:3000".into(),
            product_name: "Customer ID".into(),
            privacy_url: None,
            terms_url: None,
            consent_jurisdiction: "EU".into(),
            consent_age: 16,
            consent_age_by_country: String::new(),
            addr: "127.0.0.1:3000".into(),
            metrics_addr: String::new(),
            data_dir: "data".into(),
            site_root: "target/site".into(),
            dev: false,
            smtp_url: None,
            mail_from: "Foyer <no-reply@localhost>".into(),
            trusted_proxies: String::new(),
            session_idle_minutes: 30,
            admin_idle_minutes: 15,
            session_absolute_hours: 12,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            hash_max_wait_secs: 10,
            hash_max_queue: 4_096,
            lockout_threshold: 20,
            key_rotation_days: 90,
            deletion_grace_days: 14,
            households_per_customer: 1,
            audit_retention_days: None,
            access_token_alg: "ES256".into(),
            refresh_retry_seconds: 0,
            password_pepper: None,
            master_key: None,
            db_max_connections: 10,
            sqlite_synchronous: "normal".into(),
            outbox_poll_ms: 1_000,
            outbox_worker: true,
            log_format: "text".into(),
            limit_token_per_client_per_second: LIMITS.token_per_client.per_second,
            limit_token_per_client_burst: LIMITS.token_per_client.burst,
            limit_browser_per_ip_per_second: LIMITS.browser_per_ip.per_second,
            limit_browser_per_ip_burst: LIMITS.browser_per_ip.burst,
            limit_api_per_ip_per_second: LIMITS.api_per_ip.per_second,
            limit_api_per_ip_burst: LIMITS.api_per_ip.burst,
            limit_client_auth_failures_per_client_ip: LIMITS.client_auth_failures_per_client_ip,
            limit_client_auth_failures_per_ip: LIMITS.client_auth_failures_per_ip,
        }
    }
}

const LIMITS: LimitSettings = LimitSettings::DEFAULT;

/// The `FOYER_LIMIT_*` settings, each checked and named when refused.
fn limit_settings(raw: &RawConfig) -> Result<LimitSettings, ConfigError> {
    let max = crate::oidc::limits::MAX_RATE;
    let rate = |name: &str, per_second: u32, burst: u32| {
        for (setting, value) in [(format!("FOYER_LIMIT_{name}_PER_SECOND"), per_second), (format!("FOYER_LIMIT_{name}_BURST"), burst)] {
            if !(1..=max).contains(&value) {
                return Err(bad(&setting, format!("must be between 1 and {max}")));
            }
        }
        Ok(Rate { per_second, burst })
    };
    let failures = |setting: &str, value: i64| {
        if (1..=10_000).contains(&value) { Ok(value) } else { Err(bad(setting, "must be between 1 and 10000")) }
    };
    Ok(LimitSettings {
        token_per_client: rate("TOKEN_PER_CLIENT", raw.limit_token_per_client_per_second, raw.limit_token_per_client_burst)?,
        browser_per_ip: rate("BROWSER_PER_IP", raw.limit_browser_per_ip_per_second, raw.limit_browser_per_ip_burst)?,
        api_per_ip: rate("API_PER_IP", raw.limit_api_per_ip_per_second, raw.limit_api_per_ip_burst)?,
        client_auth_failures_per_client_ip: failures("FOYER_LIMIT_CLIENT_AUTH_FAILURES_PER_CLIENT_IP", raw.limit_client_auth_failures_per_client_ip)?,
        client_auth_failures_per_ip: failures("FOYER_LIMIT_CLIENT_AUTH_FAILURES_PER_IP", raw.limit_client_auth_failures_per_ip)?,
    })
}

/// Checked configuration, ready to start from.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    /// Without a trailing slash.
    pub public_url: String,
    /// The customer-facing name of the identity (FOYER_PRODUCT_NAME).
    pub product_name: String,
    /// The group's privacy notice and terms (FOYER_PRIVACY_URL, FOYER_TERMS_URL).
    pub privacy_url: Option<String>,
    pub terms_url: Option<String>,
    pub consent: identity::consent::ConsentSettings,
    pub addr: SocketAddr,
    /// Where `GET /metrics` is served on its own, without sign-in (FOYER_METRICS_ADDR);
    /// `None`: only at `/admin/metrics`, to a signed-in operator.
    pub metrics_addr: Option<SocketAddr>,
    pub data_dir: PathBuf,
    pub site_root: PathBuf,
    pub dev: bool,
    pub smtp_url: Option<SecretString>,
    pub mail_from: lettre::message::Mailbox,
    pub trusted_proxies: Vec<IpNet>,
    pub session_idle: Duration,
    /// Staff sessions end after this long without a request.
    pub admin_idle: Duration,
    pub session_absolute: Duration,
    pub hash: HashSettings,
    pub pool: PoolSettings,
    /// Consecutive failed sign-ins before an account locks (1..=100).
    pub lockout_threshold: i64,
    /// Days between signing-key rotations (FOYER_KEY_ROTATION_DAYS).
    pub key_rotation_days: i64,
    /// Days a requested deletion waits (FOYER_DELETION_GRACE_DAYS, 1..=90).
    pub deletion_grace_days: i64,
    /// Households one customer may belong to (FOYER_HOUSEHOLDS_PER_CUSTOMER, 1..=10).
    pub households_per_customer: i64,
    /// Days the audit log keeps its rows (FOYER_AUDIT_RETENTION_DAYS, 1..=36500); `None`:
    /// forever.
    pub audit_retention_days: Option<i64>,
    /// What access tokens are signed with (FOYER_ACCESS_TOKEN_ALG); ID tokens follow
    /// each client's `id_token_signed_response_alg` (RS256 unless it asks).
    pub access_token_alg: SigningAlg,
    /// How long a spent refresh token may be presented again by a client whose answer
    /// was lost (FOYER_REFRESH_RETRY_SECONDS, 0..=60; zero: never).
    pub refresh_retry: Duration,
    pub master_key_hex: Option<SecretString>,
    pub outbox_poll: Duration,
    /// Whether this node runs the outbox worker (several nodes may; none must not).
    pub outbox_worker: bool,
    pub json_logs: bool,
    /// Rate limits and failed-authentication budgets (`FOYER_LIMIT_*`).
    pub limits: LimitSettings,
}

/// A setting that cannot be used, named as the operator would set it.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {reason}")]
pub struct ConfigError {
    pub setting: String,
    pub reason: String,
}

fn bad(setting: &str, reason: impl ToString) -> ConfigError {
    ConfigError { setting: setting.to_owned(), reason: reason.to_string() }
}

impl Config {
    /// Defaults → `config_file` (or `./foyer.toml` when present) → `FOYER_*`.
    /// `LEPTOS_SITE_ROOT` is honoured too, for cargo-leptos.
    pub fn load(config_file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(RawConfig::default()));
        match config_file {
            Some(path) if !path.is_file() => return Err(bad("--config", format!("{} is not a readable file", path.display()))),
            Some(path) => figment = figment.merge(Toml::file(path)),
            None => figment = figment.merge(Toml::file("foyer.toml")),
        }
        if let Some(root) = std::env::var("LEPTOS_SITE_ROOT").ok().filter(|v| !v.trim().is_empty()) {
            figment = figment.merge(Serialized::default("site_root", root));
        }
        // Only our own settings: other FOYER_* variables (test harness, scripts) are not ours.
        // An empty (or blank) variable is unset, for every setting: container and CI
        // environments pass `FOYER_SMTP_URL=` to mean "none".
        let known = known_settings();
        let blank = blank_variables(std::env::vars_os());
        figment = figment.merge(Env::prefixed("FOYER_").filter(move |key| {
            known.iter().any(|k| key.as_str().eq_ignore_ascii_case(k)) && !blank.iter().any(|b| b.eq_ignore_ascii_case(&format!("FOYER_{key}")))
        }));
        let raw: RawConfig = figment.extract().map_err(|e| {
            let setting = e.path.last().map_or_else(|| "configuration".to_owned(), |k| format!("FOYER_{}", k.to_uppercase()));
            bad(&setting, e.kind)
        })?;
        Self::check(raw)
    }

    pub fn check(raw: RawConfig) -> Result<Self, ConfigError> {
        let database_url = DatabaseUrl::parse(&raw.database_url).map_err(|e| bad("FOYER_DATABASE_URL", e))?;
        let public = url::Url::parse(&raw.public_url).map_err(|e| bad("FOYER_PUBLIC_URL", e))?;
        if !matches!(public.scheme(), "http" | "https") || public.host().is_none() {
            return Err(bad("FOYER_PUBLIC_URL", "must be an http(s) URL with a host, like https://id.example.com"));
        }
        if public.query().is_some() || public.fragment().is_some() {
            return Err(bad("FOYER_PUBLIC_URL", "must not have a query or fragment"));
        }
        if public.scheme() == "http" && !is_loopback_host(&public) {
            return Err(bad("FOYER_PUBLIC_URL", "must use https unless the host is localhost"));
        }
        let addr: SocketAddr = raw.addr.parse().map_err(|_| bad("FOYER_ADDR", "must be IP:PORT, like 0.0.0.0:3000"))?;
        let metrics_addr = match raw.metrics_addr.trim() {
            "" => None,
            text => {
                let metrics: SocketAddr = text.parse().map_err(|_| bad("FOYER_METRICS_ADDR", "must be IP:PORT, like 127.0.0.1:9464 (or empty for none)"))?;
                if metrics == addr && metrics.port() != 0 {
                    return Err(bad("FOYER_METRICS_ADDR", "must differ from FOYER_ADDR: the metrics listener serves nothing else"));
                }
                Some(metrics)
            }
        };
        if let Some(smtp) = &raw.smtp_url {
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(smtp.expose_secret())
                .map_err(|e| bad("FOYER_SMTP_URL", format!("not a usable SMTP URL ({e}); use smtp://host:25 or smtps://user:pass@host")))?;
        }
        let mail_from = raw.mail_from.parse().map_err(|e| bad("FOYER_MAIL_FROM", e))?;
        let trusted_proxies = parse_proxies(&raw.trusted_proxies).map_err(|e| bad("FOYER_TRUSTED_PROXIES", e))?;
        if raw.session_idle_minutes == 0 || raw.session_absolute_hours == 0 {
            return Err(bad("FOYER_SESSION_IDLE_MINUTES / FOYER_SESSION_ABSOLUTE_HOURS", "must be at least 1"));
        }
        if !(1..=480).contains(&raw.admin_idle_minutes) {
            return Err(bad("FOYER_ADMIN_IDLE_MINUTES", "must be between 1 and 480 (the staff session lifetime)"));
        }
        if raw.argon2_memory_kib < 8 * raw.argon2_parallelism.max(1) || raw.argon2_iterations == 0 || raw.argon2_parallelism == 0 {
            return Err(bad("FOYER_ARGON2_*", "memory must be at least 8 KiB per lane and iterations/parallelism at least 1"));
        }
        if raw.hash_max_wait_secs > 300 {
            return Err(bad("FOYER_HASH_MAX_WAIT_SECS", "must be at most 300 (a sign-in waits that long at most)"));
        }
        if let Some(key) = &raw.master_key {
            MasterKey::from_hex(key.expose_secret()).map_err(|e| bad("FOYER_MASTER_KEY", e))?;
        }
        if !(1..=3650).contains(&raw.key_rotation_days) {
            return Err(bad("FOYER_KEY_ROTATION_DAYS", "must be between 1 and 3650"));
        }
        if !(1..=90).contains(&raw.deletion_grace_days) {
            return Err(bad("FOYER_DELETION_GRACE_DAYS", "must be between 1 and 90"));
        }
        if !(1..=10).contains(&raw.households_per_customer) {
            return Err(bad("FOYER_HOUSEHOLDS_PER_CUSTOMER", "must be between 1 and 10"));
        }
        if raw.audit_retention_days.is_some_and(|d| !(1..=36_500).contains(&d)) {
            return Err(bad("FOYER_AUDIT_RETENTION_DAYS", "must be between 1 and 36500 days, or unset to keep the audit log forever"));
        }
        let access_token_alg = SigningAlg::parse(raw.access_token_alg.trim())
            .ok_or_else(|| bad("FOYER_ACCESS_TOKEN_ALG", "must be ES256, RS256 or EdDSA (exactly so written)"))?;
        if !(0..=60).contains(&raw.refresh_retry_seconds) {
            return Err(bad("FOYER_REFRESH_RETRY_SECONDS", "must be between 0 (a spent refresh token is never taken again) and 60"));
        }
        if !(1..=100).contains(&raw.lockout_threshold) {
            return Err(bad("FOYER_LOCKOUT_THRESHOLD", "must be between 1 and 100"));
        }
        let limits = limit_settings(&raw)?;
        let product_name = raw.product_name.trim().to_owned();
        if product_name.is_empty() || product_name.chars().count() > 60 || product_name.chars().any(char::is_control) {
            return Err(bad("FOYER_PRODUCT_NAME", "must be 1 to 60 characters without control characters (e.g. \"Northwind ID\")"));
        }
        let web_link = |setting: &str, value: &Option<String>| -> Result<Option<String>, ConfigError> {
            let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
            match url::Url::parse(v) {
                Ok(u) if matches!(u.scheme(), "https" | "http") && u.host_str().is_some() => Ok(Some(u.to_string())),
                _ => Err(bad(setting, "must be an http(s) URL of the document, like https://www.northwind.example/privacy")),
            }
        };
        let privacy_url = web_link("FOYER_PRIVACY_URL", &raw.privacy_url)?;
        let terms_url = web_link("FOYER_TERMS_URL", &raw.terms_url)?;
        let jurisdiction = raw.consent_jurisdiction.trim().to_owned();
        if jurisdiction.is_empty() || jurisdiction.len() > 20 || !jurisdiction.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(bad("FOYER_CONSENT_JURISDICTION", "must be a short code such as EU, DE or US-CA"));
        }
        if !(13..=18).contains(&raw.consent_age) {
            return Err(bad("FOYER_CONSENT_AGE", "must be between 13 and 18"));
        }
        let age_by_country = identity::consent::ConsentSettings::parse_ages(&raw.consent_age_by_country)
            .map_err(|e| bad("FOYER_CONSENT_AGE_BY_COUNTRY", &e))?;
        let consent = identity::consent::ConsentSettings { jurisdiction, default_age: raw.consent_age, age_by_country };
        let sqlite_synchronous = SqliteSynchronous::parse(&raw.sqlite_synchronous).ok_or_else(|| {
            bad("FOYER_SQLITE_SYNCHRONOUS", "must be normal (survives a crash of the process) or full (also a power loss: one disk sync per write)")
        })?;
        let json_logs = match raw.log_format.as_str() {
            "text" => false,
            "json" => true,
            _ => return Err(bad("FOYER_LOG_FORMAT", "must be text or json")),
        };
        Ok(Self {
            database_url,
            public_url: raw.public_url.trim_end_matches('/').to_owned(),
            product_name,
            privacy_url,
            terms_url,
            consent,
            addr,
            metrics_addr,
            data_dir: raw.data_dir,
            site_root: raw.site_root,
            dev: raw.dev,
            smtp_url: raw.smtp_url,
            mail_from,
            trusted_proxies,
            session_idle: Duration::from_secs(raw.session_idle_minutes.saturating_mul(60)),
            admin_idle: Duration::from_secs(raw.admin_idle_minutes.saturating_mul(60)),
            session_absolute: Duration::from_secs(raw.session_absolute_hours.saturating_mul(3600)),
            hash: HashSettings {
                memory_kib: raw.argon2_memory_kib,
                iterations: raw.argon2_iterations,
                parallelism: raw.argon2_parallelism,
                pepper: raw.password_pepper,
                max_wait: Duration::from_secs(raw.hash_max_wait_secs),
                max_queue: raw.hash_max_queue,
                ..HashSettings::default()
            },
            pool: PoolSettings { max_connections: raw.db_max_connections.max(1), sqlite_synchronous, ..PoolSettings::default() },
            lockout_threshold: raw.lockout_threshold,
            key_rotation_days: raw.key_rotation_days,
            deletion_grace_days: raw.deletion_grace_days,
            households_per_customer: raw.households_per_customer,
            audit_retention_days: raw.audit_retention_days,
            access_token_alg,
            refresh_retry: Duration::from_secs(raw.refresh_retry_seconds.unsigned_abs()),
            master_key_hex: raw.master_key,
            outbox_poll: Duration::from_millis(raw.outbox_poll_ms.max(50)),
            outbox_worker: raw.outbox_worker,
            json_logs,
            limits,
        })
    }

    /// The master key: `FOYER_MASTER_KEY`, else `<data_dir>/master.key`, created (mode
    /// 0600) with a fresh random key on first start.
    pub fn master_key(&self) -> Result<MasterKey, ConfigError> {
        if let Some(hex) = &self.master_key_hex {
            return MasterKey::from_hex(hex.expose_secret()).map_err(|e| bad("FOYER_MASTER_KEY", e));
        }
        let path = self.data_dir.join("master.key");
        let setting = "FOYER_DATA_DIR";
        match std::fs::read_to_string(&path) {
            Ok(text) => MasterKey::from_hex(&text).map_err(|e| bad(setting, format!("{} {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&self.data_dir).map_err(|e| bad(setting, format!("cannot create {}: {e}", self.data_dir.display())))?;
                let key = MasterKey::generate(&OsRandom as &dyn SecureRandom);
                write_private(&path, &key.to_hex()).map_err(|e| bad(setting, format!("cannot write {}: {e}", path.display())))?;
                tracing::info!("generated a new master key in the data directory");
                Ok(key)
            }
            Err(e) => Err(bad(setting, format!("cannot read {}: {e}", path.display()))),
        }
    }

    /// Whether session cookies may go over plain http (dev on localhost only).
    pub fn insecure_cookies_allowed(&self) -> bool {
        self.public_url.starts_with("http://")
    }
}

/// The setting names, taken from the defaults so the list cannot drift.
fn known_settings() -> Vec<String> {
    match serde_json::to_value(RawConfig::default()) {
        Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The names of the variables whose value is empty or only whitespace.
fn blank_variables(vars: impl Iterator<Item = (std::ffi::OsString, std::ffi::OsString)>) -> Vec<String> {
    vars.filter(|(_, value)| value.to_string_lossy().trim().is_empty()).map(|(name, _)| name.to_string_lossy().trim().to_owned()).collect()
}

fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `"10.0.0.0/8, 192.168.1.7"` → networks. Single addresses become /32 or /128.
pub fn parse_proxies(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{s:?} is not an IP address or CIDR range"))
        })
        .collect()
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(content.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawConfig {
        let dir = std::env::temp_dir().join("foyer-config-test");
        RawConfig { database_url: format!("sqlite://{}/t.db", dir.display()), ..RawConfig::default() }
    }

    #[test]
    fn defaults_are_valid() {
        let c = Config::check(raw()).unwrap();
        assert_eq!(c.public_url, "http://localhost:3000");
        assert_eq!(c.session_idle, Duration::from_secs(1800));
        assert!(c.insecure_cookies_allowed());
        assert_eq!(c.pool.sqlite_synchronous, SqliteSynchronous::Normal);
        let full = Config::check(RawConfig { sqlite_synchronous: " FULL ".into(), ..raw() }).unwrap();
        assert_eq!(full.pool.sqlite_synchronous, SqliteSynchronous::Full);
    }

    #[test]
    fn each_bad_setting_is_named() {
        let cases: Vec<(RawConfig, &str)> = vec![
            (RawConfig { database_url: "mysql://x".into(), ..raw() }, "FOYER_DATABASE_URL"),
            (RawConfig { database_url: "sqlite:///proc/forbidden/x.db".into(), ..raw() }, "FOYER_DATABASE_URL"),
            (RawConfig { public_url: "not a url".into(), ..raw() }, "FOYER_PUBLIC_URL"),
            (RawConfig { public_url: "http://id.example.com".into(), ..raw() }, "FOYER_PUBLIC_URL"),
            (RawConfig { addr: "localhost".into(), ..raw() }, "FOYER_ADDR"),
            (RawConfig { metrics_addr: "localhost:9464".into(), ..raw() }, "FOYER_METRICS_ADDR"),
            (RawConfig { metrics_addr: "9464".into(), ..raw() }, "FOYER_METRICS_ADDR"),
            (RawConfig { metrics_addr: "127.0.0.1:3000".into(), ..raw() }, "FOYER_METRICS_ADDR"),
            (RawConfig { smtp_url: Some("ftp://mail".to_owned().into()), ..raw() }, "FOYER_SMTP_URL"),
            (RawConfig { trusted_proxies: "10.0.0.0/8, nope".into(), ..raw() }, "FOYER_TRUSTED_PROXIES"),
            (RawConfig { master_key: Some("abc".to_owned().into()), ..raw() }, "FOYER_MASTER_KEY"),
            (RawConfig { log_format: "xml".into(), ..raw() }, "FOYER_LOG_FORMAT"),
            (RawConfig { privacy_url: Some("javascript:alert(1)".into()), ..raw() }, "FOYER_PRIVACY_URL"),
            (RawConfig { terms_url: Some("not a url".into()), ..raw() }, "FOYER_TERMS_URL"),
            (RawConfig { deletion_grace_days: 0, ..raw() }, "FOYER_DELETION_GRACE_DAYS"),
            (RawConfig { households_per_customer: 0, ..raw() }, "FOYER_HOUSEHOLDS_PER_CUSTOMER"),
            (RawConfig { audit_retention_days: Some(0), ..raw() }, "FOYER_AUDIT_RETENTION_DAYS"),
            (RawConfig { access_token_alg: "es256".into(), ..raw() }, "FOYER_ACCESS_TOKEN_ALG"),
            (RawConfig { access_token_alg: "HS256".into(), ..raw() }, "FOYER_ACCESS_TOKEN_ALG"),
            (RawConfig { refresh_retry_seconds: -1, ..raw() }, "FOYER_REFRESH_RETRY_SECONDS"),
            (RawConfig { refresh_retry_seconds: 61, ..raw() }, "FOYER_REFRESH_RETRY_SECONDS"),
            (RawConfig { audit_retention_days: Some(36_501), ..raw() }, "FOYER_AUDIT_RETENTION_DAYS"),
            (RawConfig { sqlite_synchronous: "off".into(), ..raw() }, "FOYER_SQLITE_SYNCHRONOUS"),
            (RawConfig { sqlite_synchronous: "extra".into(), ..raw() }, "FOYER_SQLITE_SYNCHRONOUS"),
        ];
        for (raw, setting) in cases {
            let err = Config::check(raw).unwrap_err();
            assert!(err.to_string().starts_with(setting), "{err}");
            assert!(!err.to_string().contains('\n'), "one line: {err}");
        }
    }

    #[test]
    fn the_metrics_listener_is_off_unless_given() {
        assert_eq!(Config::check(raw()).unwrap().metrics_addr, None, "/metrics behind operator sign-in by default");
        assert_eq!(Config::check(RawConfig { metrics_addr: "  ".into(), ..raw() }).unwrap().metrics_addr, None, "blank is unset");
        let set = Config::check(RawConfig { metrics_addr: "127.0.0.1:9464".into(), ..raw() }).unwrap();
        assert_eq!(set.metrics_addr, Some("127.0.0.1:9464".parse().unwrap()));
    }

    #[test]
    fn audit_retention_is_unset_by_default() {
        assert_eq!(Config::check(raw()).unwrap().audit_retention_days, None, "the audit log is kept forever unless told");
        assert_eq!(Config::check(raw()).unwrap().access_token_alg, SigningAlg::Es256);
        assert_eq!(Config::check(RawConfig { access_token_alg: "EdDSA".into(), ..raw() }).unwrap().access_token_alg, SigningAlg::EdDsa);
        assert_eq!(Config::check(RawConfig { audit_retention_days: Some(400), ..raw() }).unwrap().audit_retention_days, Some(400));
    }

    #[test]
    fn blank_variables_are_found() {
        let vars = [("FOYER_SMTP_URL", ""), ("FOYER_ADDR", "  "), ("FOYER_DEV", "true"), ("PATH", "/bin")];
        let found = blank_variables(vars.iter().map(|(k, v)| ((*k).into(), (*v).into())));
        assert_eq!(found, ["FOYER_SMTP_URL", "FOYER_ADDR"]);
    }

    #[test]
    fn rate_limits_are_settings_with_busy_brand_defaults() {
        let c = Config::check(raw()).unwrap();
        assert_eq!(c.limits, LimitSettings::default());
        assert_eq!(c.limits.token_per_client, Rate { per_second: 2_000, burst: 4_000 });
        assert_eq!(c.limits.browser_per_ip, Rate { per_second: 50, burst: 200 });
        let set = RawConfig {
            limit_token_per_client_per_second: 5,
            limit_token_per_client_burst: 7,
            limit_browser_per_ip_per_second: 1,
            limit_browser_per_ip_burst: 60,
            limit_api_per_ip_per_second: 3,
            limit_api_per_ip_burst: 4,
            limit_client_auth_failures_per_client_ip: 2,
            limit_client_auth_failures_per_ip: 9,
            ..raw()
        };
        let l = Config::check(set).unwrap().limits;
        assert_eq!((l.token_per_client, l.browser_per_ip, l.api_per_ip), (
            Rate { per_second: 5, burst: 7 },
            Rate { per_second: 1, burst: 60 },
            Rate { per_second: 3, burst: 4 }
        ));
        assert_eq!((l.client_auth_failures_per_client_ip, l.client_auth_failures_per_ip), (2, 9));
        let refused: Vec<(RawConfig, &str)> = vec![
            (RawConfig { limit_token_per_client_per_second: 0, ..raw() }, "FOYER_LIMIT_TOKEN_PER_CLIENT_PER_SECOND"),
            (RawConfig { limit_token_per_client_burst: 0, ..raw() }, "FOYER_LIMIT_TOKEN_PER_CLIENT_BURST"),
            (RawConfig { limit_browser_per_ip_burst: 2_000_000, ..raw() }, "FOYER_LIMIT_BROWSER_PER_IP_BURST"),
            (RawConfig { limit_api_per_ip_per_second: 0, ..raw() }, "FOYER_LIMIT_API_PER_IP_PER_SECOND"),
            (RawConfig { limit_client_auth_failures_per_ip: 0, ..raw() }, "FOYER_LIMIT_CLIENT_AUTH_FAILURES_PER_IP"),
        ];
        for (raw, setting) in refused {
            let err = Config::check(raw).unwrap_err().to_string();
            assert!(err.starts_with(setting), "{err}");
        }
    }

    #[test]
    fn proxies_parse_addresses_and_ranges() {
        let p = parse_proxies(" 10.0.0.0/8 ,192.168.1.7,::1 ").unwrap();
        assert_eq!(p.len(), 3);
        assert!(p[1].contains(&"192.168.1.7".parse::<std::net::IpAddr>().unwrap()));
    }

    #[test]
    fn secrets_do_not_print() {
        let mut r = raw();
        r.smtp_url = Some("smtp://user:hunter2@mail.example.com".to_owned().into());
        r.password_pepper = Some("pepper-secret".to_owned().into());
        let c = Config::check(r.clone()).unwrap();
        let shown = format!("{c:?} {r:?} {}", serde_json::to_string(&r).unwrap());
        assert!(!shown.contains("hunter2") && !shown.contains("pepper-secret"), "{shown}");
    }

    #[test]
    fn master_key_is_generated_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::check(RawConfig { data_dir: dir.path().join("d"), ..raw() }).unwrap();
        let first = c.master_key().unwrap().to_hex();
        assert_eq!(c.master_key().unwrap().to_hex(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("d/master.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
