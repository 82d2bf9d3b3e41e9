//! The store: one interface over SQLite (embedded default) and PostgreSQL (scale-out).
//!
//! Every query is written once in the SQL both engines accept (`$1` placeholders,
//! `RETURNING`, `ON CONFLICT`, integer milliseconds for time, text ids) and runs over an
//! [`sqlx::AnyPool`]. The few places where the engines differ — connection pragmas,
//! how a write transaction starts, row locking for the outbox — live in this module
//! (and the throttle's write turn in [`throttle`]) and nowhere else, selected by
//! [`Backend`]. All SQL and row types live under `store/`, one file per aggregate; the
//! personal-data inventory is [`inventory`].

pub mod account_tokens;
pub mod audit;
pub mod brand_data;
pub mod brands;
pub mod clients;
pub mod codes;
pub mod consents;
pub mod credentials;
pub mod customers;
pub mod delegations;
pub mod devices;
pub mod grants;
pub mod guardians;
pub mod households;
pub mod inventory;
pub mod loyalty;
pub mod ledger;
pub mod mailbox;
pub mod oidc_sessions;
pub mod outbox;
pub mod privacy;
pub mod purposes;
pub mod search;
pub mod receipt_keys;
pub mod sessions;
pub mod signing_keys;
pub mod staff;
pub mod support_access;
pub mod throttle;

use std::path::Path;
use std::str::FromStr as _;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor as _};

mod write;
pub(crate) use write::Batch;
pub use write::Tx;

use crate::{Error, Result};

/// The engine-level errors, named here so nothing above the store spells `sqlx`.
pub use sqlx::Error as DbError;
/// One connection (a pool's, or a transaction's through [`Tx`]'s `DerefMut`): what reads
/// that must see a transaction's own writes take.
pub use sqlx::AnyConnection;
pub use sqlx::migrate::MigrateError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// A pooled PostgreSQL connection idle longer than this is pinged before it is handed
/// out (one idle that long may have outlived a server restart).
pub const IDLE_PING_MS: u64 = 1_000;

/// A SQLite connection idle this long is closed (its page cache and thread given back);
/// the pool opens another when one is needed (`docs/design/peaks.md` "Memory").
pub const SQLITE_IDLE_CLOSE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// Why a database URL cannot be used; each message names the problem in one line.
#[derive(Debug, thiserror::Error)]
pub enum UrlError {
    #[error("must start with sqlite:// or postgres:// (got scheme {0:?})")]
    Scheme(String),
    #[error("names no SQLite file")]
    EmptyPath,
    #[error("cannot create the directory {dir}: {source}")]
    Directory { dir: String, source: std::io::Error },
    #[error("is not a valid URL: {0}")]
    Malformed(String),
}

/// A database URL that was checked before any connection is made.
#[derive(Clone)]
pub struct DatabaseUrl {
    backend: Backend,
    url: String,
}

impl DatabaseUrl {
    /// Whether this is an in-memory SQLite database (`sqlite::memory:`, `mode=memory`).
    fn in_memory(&self) -> bool {
        self.backend == Backend::Sqlite && (self.url.contains(":memory:") || self.url.contains("mode=memory"))
    }

    /// Parses `sqlite://path/to/file.db`, `sqlite::memory:` or `postgres://…`.
    /// For SQLite the file (and its directory) is created when missing.
    pub fn parse(raw: &str) -> Result<Self, UrlError> {
        let raw = raw.trim();
        let scheme = raw.split_once(':').map_or(raw, |(s, _)| s);
        match scheme {
            "sqlite" => {
                let rest = raw.trim_start_matches("sqlite:").trim_start_matches("//");
                let path = rest.split_once('?').map_or(rest, |(p, _)| p);
                if path.is_empty() {
                    return Err(UrlError::EmptyPath);
                }
                if path != ":memory:" {
                    if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
                        std::fs::create_dir_all(dir)
                            .map_err(|source| UrlError::Directory { dir: dir.display().to_string(), source })?;
                    }
                }
                let url = if rest.contains("mode=") {
                    format!("sqlite://{rest}")
                } else if rest.contains('?') {
                    format!("sqlite://{rest}&mode=rwc")
                } else {
                    format!("sqlite://{rest}?mode=rwc")
                };
                Ok(Self { backend: Backend::Sqlite, url })
            }
            "postgres" | "postgresql" => {
                AnyConnectOptions::from_str(raw).map_err(|e| UrlError::Malformed(e.to_string()))?;
                Ok(Self { backend: Backend::Postgres, url: raw.to_owned() })
            }
            other => Err(UrlError::Scheme(other.to_owned())),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }
}

/// URLs can hold passwords: `Debug` shows only the backend.
impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({})", self.backend.name())
    }
}

/// Pool sizing and timeouts, and SQLite's durability.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// SQLite's `PRAGMA synchronous` (ignored on PostgreSQL).
    pub sqlite_synchronous: SqliteSynchronous,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self { max_connections: 10, acquire_timeout: Duration::from_secs(5), sqlite_synchronous: SqliteSynchronous::Normal }
    }
}

/// When SQLite waits for the disk (`FOYER_SQLITE_SYNCHRONOUS`). In WAL mode:
/// - `Normal` (the default): the WAL is synced at checkpoints, not at every commit. A
///   crash of the *process* loses nothing committed (the WAL is in the OS's page cache);
///   a power loss or kernel crash can lose the last transactions (never corrupts).
/// - `Full`: every commit syncs the WAL before it returns: committed means on disk, at
///   the cost of one fsync per write transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteSynchronous {
    Normal,
    Full,
}

impl SqliteSynchronous {
    /// `normal` or `full` (any case, surrounding spaces ignored).
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "normal" => Some(Self::Normal),
            "full" => Some(Self::Full),
            _ => None,
        }
    }

    fn pragma(self) -> &'static str {
        match self {
            Self::Normal => "NORMAL",
            Self::Full => "FULL",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite's writers take turns here (see [`Tx`]); unused on PostgreSQL.
    write_turn: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Writes begun (transactions, [`Store::write_batch`], [`Store::write`]): what
    /// [`Store::writes`] reports (tests compare paths that must write alike).
    writes: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Brands' sealed pairwise keys, read once per node (`brands::BrandKeys`).
    brand_keys: std::sync::Arc<brands::BrandKeys>,
    /// Revoking transactions this node committed ([`Tx::revokes`]).
    revocations: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Store {
    /// Opens a pool. SQLite runs in WAL mode with foreign keys on, a busy timeout and
    /// the configured `synchronous` ([`SqliteSynchronous`]; `NORMAL` by default).
    pub async fn connect(url: &DatabaseUrl, settings: PoolSettings) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = url.backend;
        let pragmas = format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {}; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
            settings.sqlite_synchronous.pragma()
        );
        let options = AnyConnectOptions::from_str(&url.url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            // An idle SQLite connection keeps its page cache (up to 2 MiB) and its thread:
            // closed after [`SQLITE_IDLE_CLOSE`], memory returns after a peak, and opening
            // one again is a file open. PostgreSQL keeps sqlx's ten minutes (a new session
            // costs the server a process), and so does an in-memory SQLite database (it
            // lives only while a connection is open).
            .idle_timeout(match backend {
                Backend::Sqlite if !url.in_memory() => Some(SQLITE_IDLE_CLOSE),
                _ => AnyPoolOptions::new().get_idle_timeout(),
            })
            // sqlx would ping every connection it hands out, and it pings again when it
            // takes one back. An embedded SQLite connection cannot have been hung up on, and
            // each ping is a round trip to the connection's own thread (two context
            // switches, the largest cost of a short read: `docs/design/peaks.md` "Round
            // trips"), so SQLite never pings on acquire. PostgreSQL pings only a connection
            // idle for more than [`IDLE_PING_MS`]: a server restart leaves idle connections
            // dead, while one taken back a moment ago passed the ping on release (under
            // load that saves a round trip and PostgreSQL's CPU on every request).
            .test_before_acquire(false)
            // A connection whose transaction could not be ended is closed, not reused:
            // SQLite rolls a transaction back by itself on a full disk or an I/O error,
            // the ROLLBACK sqlx then sends fails, and sqlx's depth count stays at one, so
            // every later `BEGIN` on that connection would fail ("non-zero transaction
            // depth") long after the disk has room again.
            .before_acquire(move |conn, meta| {
                Box::pin(async move {
                    if sqlx::Connection::is_in_transaction(conn) {
                        return Ok(false);
                    }
                    let idle = meta.idle_for > std::time::Duration::from_millis(IDLE_PING_MS);
                    // A failed ping closes this one; the pool hands out (or opens) another.
                    Ok(backend == Backend::Sqlite || !idle || sqlx::Connection::ping(conn).await.is_ok())
                })
            })
            .after_connect({
                let pragmas = pragmas.clone();
                move |conn, _meta| {
                    let pragmas = pragmas.clone();
                    Box::pin(async move {
                        if backend == Backend::Sqlite {
                            conn.execute(pragmas.as_str()).await?;
                        }
                        Ok(())
                    })
                }
            })
            .connect_with(options.clone())
            .await;
        // Opening is not a request to retry: the operator needs the cause itself, which
        // the pool reports only as a timeout after retrying (a read-only disk, a wrong
        // password): one direct attempt names it.
        let pool = match pool {
            Ok(pool) => pool,
            Err(DbError::PoolTimedOut) => return Err(Error::Store(why_not(&options, &pragmas, backend).await)),
            Err(e) => return Err(Error::Store(e)),
        };
        Ok(Self {
            pool,
            backend,
            write_turn: std::sync::Arc::default(),
            writes: std::sync::Arc::default(),
            brand_keys: std::sync::Arc::default(),
            revocations: std::sync::Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// One pooled connection for several reads outside a transaction (a full pool past
    /// the acquire timeout is [`Error::Busy`], like everywhere else).
    pub(crate) async fn conn(&self) -> Result<sqlx::pool::PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Applies every pending migration for this backend (PostgreSQL takes an advisory
    /// lock, so several nodes starting at once are safe).
    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Readiness: one round trip to the database.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The row-locking clause for claiming queued work: PostgreSQL lets several nodes
    /// claim disjoint rows; SQLite has a single writer, so the transaction is the lock.
    pub(crate) fn skip_locked(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Why a pool could not open its first connection: one direct connection with the
/// same set-up, and its error.
async fn why_not(options: &AnyConnectOptions, pragmas: &str, backend: Backend) -> DbError {
    match <AnyConnection as sqlx::Connection>::connect_with(options).await {
        Err(e) => e,
        Ok(mut conn) => {
            if backend == Backend::Sqlite
                && let Err(e) = conn.execute(pragmas).await
            {
                return e;
            }
            DbError::PoolTimedOut
        }
    }
}

/// `($1, $2, $3), ($4, $5, $6)` for a multi-row `VALUES` clause: `rows` tuples of
/// `columns` numbered placeholders (the form both engines accept).
pub(crate) fn values_placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=columns).map(|c| format!("${}", r * columns + c)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `$first, $first+1, …` (`n` of them) for an `IN (…)` list.
pub(crate) fn list_placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// True when the error is a uniqueness violation (both engines report it this way).
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// When a caller refused for a full pool or write turn may try again: the waits behind
/// those refusals are seconds long, so soon.
pub const BUSY_RETRY_SECS: i64 = 2;

/// Every connection busy past the acquire timeout is overload, not a fault: it answers
/// as [`Error::Busy`] (503 with a retry), like the SQLite write turn's timeout. So does
/// a database that cannot be reached or cannot write right now ([`is_unavailable`]):
/// the request failed as a whole (its transaction never committed), and the same
/// request can succeed once the database is back, without a restart.
impl From<DbError> for Error {
    fn from(e: DbError) -> Self {
        if is_unavailable(&e) {
            if !matches!(e, DbError::PoolTimedOut) {
                tracing::warn!(error = %e, "database unavailable");
            }
            return Self::Busy { retry_after_secs: BUSY_RETRY_SECS };
        }
        Self::Store(e)
    }
}

/// Whether `e` says the database is out of reach or cannot write for now, rather than
/// that the statement was wrong: the connection (refused, reset, closed, TLS, a
/// protocol break mid-stream), the pool (exhausted, closed), PostgreSQL's connection
/// (`08…`), shutdown (`57P01`–`57P03`), resource (`53…`: disk full, out of memory, too
/// many connections) and read-only (`25006`) errors, and SQLite's busy (5), locked (6),
/// read-only (8), I/O (10), full (13) and cannot-open (14) results.
pub fn is_unavailable(e: &DbError) -> bool {
    match e {
        DbError::Io(_) | DbError::Tls(_) | DbError::Protocol(_) | DbError::PoolTimedOut | DbError::PoolClosed | DbError::WorkerCrashed => true,
        DbError::Database(db) => {
            let sqlite = db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some();
            db.code().is_some_and(|code| unavailable_code(&code, sqlite))
        }
        _ => false,
    }
}

/// SQLite primary result codes / PostgreSQL SQLSTATEs of [`is_unavailable`]. sqlx
/// reports SQLite's extended result code as a decimal; its low byte is the primary code.
fn unavailable_code(code: &str, sqlite: bool) -> bool {
    if sqlite {
        return code.parse::<i64>().is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 8 | 10 | 13 | 14));
    }
    code.starts_with("08") || code.starts_with("53") || matches!(code, "57P01" | "57P02" | "57P03" | "25006")
}

impl From<UrlError> for Error {
    fn from(e: UrlError) -> Self {
        Self::Internal(format!("database URL {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_database_urls() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("nested/foyer.db");
        let url = DatabaseUrl::parse(&format!("sqlite://{}", file.display())).unwrap();
        assert_eq!(url.backend(), Backend::Sqlite);
        assert!(url.url.ends_with("?mode=rwc"));
        assert!(file.parent().unwrap().is_dir(), "the directory is created");
        assert_eq!(DatabaseUrl::parse("postgres://postgres@127.0.0.1/foyer").unwrap().backend(), Backend::Postgres);
        assert!(matches!(DatabaseUrl::parse("mysql://x"), Err(UrlError::Scheme(_))));
        assert!(matches!(DatabaseUrl::parse("sqlite://"), Err(UrlError::EmptyPath)));
        assert!(matches!(DatabaseUrl::parse("postgres://[::1"), Err(UrlError::Malformed(_))));
        // Only a file database closes idle connections early (an in-memory one would be lost).
        assert!(!url.in_memory());
        assert!(DatabaseUrl::parse("sqlite::memory:").unwrap().in_memory());
        assert!(DatabaseUrl::parse("sqlite://shared?mode=memory&cache=shared").unwrap().in_memory());
        assert!(!DatabaseUrl::parse("postgres://postgres@127.0.0.1/memory").unwrap().in_memory());
    }

    #[test]
    fn numbers_multi_row_placeholders() {
        assert_eq!(values_placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(list_placeholders(2, 3), "$2, $3, $4");
    }

    #[test]
    fn an_exhausted_pool_is_busy_not_a_fault() {
        assert!(matches!(Error::from(DbError::PoolTimedOut), Error::Busy { .. }));
        assert!(matches!(Error::from(DbError::RowNotFound), Error::Store(_)));
    }

    #[test]
    fn an_unreachable_or_full_database_is_busy_not_a_fault() {
        let reset = DbError::Io(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset"));
        assert!(matches!(Error::from(reset), Error::Busy { .. }));
        assert!(matches!(Error::from(DbError::PoolClosed), Error::Busy { .. }));
        // SQLite: SQLITE_FULL, SQLITE_READONLY_DBMOVED (extended 1032), SQLITE_IOERR_WRITE (778).
        for code in ["13", "1032", "778", "5", "14"] {
            assert!(unavailable_code(code, true), "{code}");
        }
        // PostgreSQL: connection failure, admin shutdown, disk full, read-only transaction.
        for code in ["08006", "08001", "57P01", "53100", "25006"] {
            assert!(unavailable_code(code, false), "{code}");
        }
        // Wrong statements or data stay faults: SQLite's constraint (19, 2067) and generic
        // error (1); PostgreSQL's syntax error and unique violation.
        for code in ["19", "2067", "1"] {
            assert!(!unavailable_code(code, true), "{code}");
        }
        for code in ["42601", "23505"] {
            assert!(!unavailable_code(code, false), "{code}");
        }
    }

    #[test]
    fn debug_hides_credentials() {
        let url = DatabaseUrl::parse("postgres://user:hunter2@127.0.0.1/foyer").unwrap();
        assert_eq!(format!("{url:?}"), "DatabaseUrl(postgres)");
    }
}
