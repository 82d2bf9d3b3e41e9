//! How this process writes: write transactions ([`Tx`]), writes atomic by themselves in
//! one round trip ([`Store::write_batch`], [`Store::write`]), and on SQLite the turn the
//! writers of this process take, in order, so none meets another's lock and SQLite's
//! busy handler (`docs/design/platform.md` "Store", `docs/design/peaks.md` "Round 5",
//! "Round 7").

use std::time::Duration;

use sqlx::Any;

use super::{BUSY_RETRY_SECS, Backend, DbError, Store};
use crate::{Error, Result};

/// A write transaction; commit it or it rolls back when dropped. It dereferences to the
/// connection, so queries run on `&mut *tx` (or `&mut **tx` through a `&mut Tx`).
///
/// On SQLite it also holds this process's write lock: SQLite has one writer, and
/// writers queued on an async lock take turns in order, where writers left to SQLite's
/// busy handler sleep in growing steps (the benchmark showed 0.4 s tails at 8 workers).
pub struct Tx {
    tx: sqlx::Transaction<'static, Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// The node's revocation count ([`Store::revocations`]), moved at commit when
    /// [`Tx::revokes`] was called.
    revocations: std::sync::Arc<std::sync::atomic::AtomicU64>,
    revokes: bool,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx").finish_non_exhaustive()
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        if self.revokes {
            // After the commit: a reader that sees the old count read before it, and its
            // entry, stamped with the old count, is not used again.
            self.revocations.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    }

    /// Marks this transaction as one that ends access (an access token, a grant, a
    /// delegation, a client, an erasure): when it commits, this node forgets every access
    /// token it found live (`oidc::access_cache`), so the revocation holds here at once.
    /// Every store function that revokes calls it.
    pub(crate) fn revokes(&mut self) {
        self.revokes = true;
    }

    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// A statement, or a batch of them, with arguments it owns: what [`Store::write_batch`]
/// sends from a task of its own.
pub(crate) type Batch = sqlx::query::Query<'static, Any, sqlx::any::AnyArguments<'static>>;

/// How long a writer waits for its turn before giving up (as SQLite's busy timeout).
const WRITE_TURN_TIMEOUT: Duration = Duration::from_secs(5);

impl Store {
    /// Starts a transaction that will write. SQLite takes the write lock up front
    /// (`BEGIN IMMEDIATE`) so concurrent writers wait on the busy timeout instead of
    /// failing when a read lock cannot be upgraded.
    pub async fn begin(&self) -> Result<Tx> {
        self.note_write();
        match self.backend {
            Backend::Sqlite => {
                // Take the turn before a connection, so waiting writers hold none.
                let turn = self.write_turn().await?;
                Ok(Tx { tx: self.pool.begin_with("BEGIN IMMEDIATE").await?, _turn: Some(turn), revocations: std::sync::Arc::clone(&self.revocations), revokes: false })
            }
            Backend::Postgres => Ok(Tx { tx: self.pool.begin().await?, _turn: None, revocations: std::sync::Arc::clone(&self.revocations), revokes: false }),
        }
    }

    /// This process's turn to write to SQLite (see [`Tx`]); `Busy` after
    /// [`WRITE_TURN_TIMEOUT`].
    async fn write_turn(&self) -> Result<tokio::sync::OwnedMutexGuard<()>> {
        tokio::time::timeout(WRITE_TURN_TIMEOUT, std::sync::Arc::clone(&self.write_turn).lock_owned())
            .await
            .map_err(|_| Error::Busy { retry_after_secs: BUSY_RETRY_SECS })
    }

    /// Runs a write that is atomic by itself, in one round trip: on PostgreSQL one
    /// statement; on SQLite one statement, or a write transaction sent as one batch (the
    /// statements that must all apply or none, written between `BEGIN IMMEDIATE;` and
    /// `; COMMIT`). On SQLite it takes the write turn, and in the turn that is one command
    /// to the connection's thread where a [`Tx`] sends one per statement and two more:
    /// under load each command waits for a core while the turn is held
    /// (`docs/design/peaks.md` "Round 5"). Returns the rows the statements return.
    ///
    /// It runs on a task of its own, so a request that goes away meanwhile cannot leave a
    /// batch half-sent (sqlx stops sending a batch whose answer nobody reads, which would
    /// leave its transaction open). On an error the SQLite connection is closed, not
    /// pooled: closing rolls back whatever the batch had begun.
    pub(crate) async fn write_batch(&self, batch: Batch) -> Result<Vec<sqlx::any::AnyRow>> {
        Ok(self.write_in_turn(batch, Answer::Rows).await?.rows)
    }

    /// [`Store::write_batch`] for one statement whose answer is how many rows it
    /// changed. Every write outside a [`Tx`] goes this way (sessions, throttle clears,
    /// the outbox worker's marks, …): on SQLite it waits for the write turn in this
    /// process, in order, instead of meeting another writer's lock and SQLite's busy
    /// handler, which sleeps (1, 2, 5, 10 … ms) and retries (round 7).
    pub(crate) async fn write(&self, statement: Batch) -> Result<u64> {
        Ok(self.write_in_turn(statement, Answer::Changed).await?.changed)
    }

    async fn write_in_turn(&self, batch: Batch, answer: Answer) -> Result<Written> {
        self.note_write();
        if self.backend == Backend::Postgres {
            return Ok(answer.run(batch, &self.pool).await?);
        }
        let store = self.clone();
        tokio::spawn(async move {
            let _turn = store.write_turn().await?;
            let mut conn = store.pool.acquire().await?;
            match answer.run(batch, &mut *conn).await {
                Ok(written) => Ok(written),
                Err(e) => {
                    let _ = conn.close().await;
                    Err(Error::from(e))
                }
            }
        })
        .await
        .map_err(|e| Error::Internal(format!("write task: {e}")))?
    }

    /// How many writes this store (and its clones) began: write transactions, batches
    /// and single write statements. For tests that require two paths (a known and an
    /// unknown address) to write alike, so their timing does not tell them apart.
    pub fn writes(&self) -> u64 {
        self.writes.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many revoking transactions this node (this store and its clones) committed.
    pub(crate) fn revocations(&self) -> u64 {
        self.revocations.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub(crate) fn note_write(&self) {
        self.writes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// What a write in the turn answers ([`Store::write_batch`], [`Store::write`]).
#[derive(Debug, Clone, Copy)]
enum Answer {
    Rows,
    Changed,
}

/// Its answer: the rows returned ([`Answer::Rows`]) or the rows changed
/// ([`Answer::Changed`]); the other stays empty.
struct Written {
    rows: Vec<sqlx::any::AnyRow>,
    changed: u64,
}

impl Answer {
    async fn run<'c, E: sqlx::Executor<'c, Database = Any>>(self, batch: Batch, on: E) -> Result<Written, DbError> {
        Ok(match self {
            Self::Rows => Written { rows: batch.fetch_all(on).await?, changed: 0 },
            Self::Changed => Written { rows: Vec::new(), changed: batch.execute(on).await?.rows_affected() },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{DatabaseUrl, PoolSettings};
    use super::*;

    async fn sqlite_store(dir: &tempfile::TempDir) -> Store {
        let url = DatabaseUrl::parse(&format!("sqlite://{}/foyer.db", dir.path().display())).unwrap();
        let store = Store::connect(&url, PoolSettings::default()).await.unwrap();
        store.migrate().await.unwrap();
        store
    }

    async fn throttle_keys(store: &Store) -> Vec<String> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT key FROM throttle ORDER BY key").fetch_all(store.pool()).await.unwrap();
        rows.into_iter().map(|(k,)| k).collect()
    }

    const INSERT_KEY: &str = "INSERT INTO throttle (key, failures, window_start) VALUES ($1, 1, 0)";
    const TWO_KEYS: &str = "BEGIN IMMEDIATE; INSERT INTO throttle (key, failures, window_start) VALUES ($1, 1, 0); \
         INSERT INTO throttle (key, failures, window_start) VALUES ($2, 1, 0); COMMIT";
    /// The second insert breaks the key's uniqueness: an error after the first one ran.
    const FAILS_HALF_WAY: &str = "BEGIN IMMEDIATE; INSERT INTO throttle (key, failures, window_start) VALUES ($1, 1, 0); \
         INSERT INTO throttle (key, failures, window_start) VALUES ($1, 2, 0); COMMIT";

    async fn write_key_in_tx(store: &Store, key: &str) {
        let mut tx = store.begin().await.unwrap();
        sqlx::query(INSERT_KEY).bind(key).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }

    /// A batch that fails half-way leaves nothing of itself, and the next write neither
    /// meets an open transaction nor a lock (the connection was closed, not pooled).
    #[tokio::test]
    async fn a_failed_sqlite_batch_leaves_nothing_and_the_next_write_goes_through() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(&dir).await;
        let failed = store.write_batch(sqlx::query(FAILS_HALF_WAY).bind("a".to_owned())).await.map(|rows| rows.len());
        assert!(matches!(failed, Err(Error::Store(_))), "{failed:?}");
        assert!(throttle_keys(&store).await.is_empty(), "the first statement was rolled back");
        store.write_batch(sqlx::query(TWO_KEYS).bind("b".to_owned()).bind("c".to_owned())).await.unwrap();
        write_key_in_tx(&store, "d").await;
        assert_eq!(throttle_keys(&store).await, ["b", "c", "d"]);
    }

    /// One statement in the write turn answers how many rows it changed; one that fails
    /// leaves the turn and the pool usable for the next write.
    #[tokio::test]
    async fn a_sqlite_write_answers_the_rows_it_changed() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(&dir).await;
        let writes = store.writes();
        assert_eq!(store.write(sqlx::query(INSERT_KEY).bind("k".to_owned())).await.unwrap(), 1);
        let taken = store.write(sqlx::query(INSERT_KEY).bind("k".to_owned())).await;
        assert!(matches!(taken, Err(Error::Store(_))), "the key is taken: {taken:?}");
        let delete = || sqlx::query("DELETE FROM throttle WHERE key = $1").bind("k".to_owned());
        assert_eq!(store.write(delete()).await.unwrap(), 1);
        assert_eq!(store.write(delete()).await.unwrap(), 0, "nothing left to delete");
        assert_eq!(store.writes() - writes, 4, "each counted as a write");
        write_key_in_tx(&store, "after").await;
        assert_eq!(throttle_keys(&store).await, ["after"]);
    }

    /// A request that goes away while its batch is under way (the future dropped after
    /// its first poll) does not cut the batch short: it runs to its COMMIT.
    #[tokio::test]
    async fn a_sqlite_batch_whose_caller_went_away_still_completes() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(&dir).await;
        let batch = sqlx::query(TWO_KEYS).bind("x".to_owned()).bind("y".to_owned());
        let gone = tokio::time::timeout(Duration::ZERO, store.write_batch(batch)).await;
        assert!(gone.is_err(), "the caller gave up before the answer");
        let mut keys = Vec::new();
        for _ in 0..500 {
            keys = throttle_keys(&store).await;
            if keys.len() == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(keys, ["x", "y"], "both statements, committed");
        // And the write turn and the connection are free again.
        write_key_in_tx(&store, "z").await;
        assert_eq!(throttle_keys(&store).await, ["x", "y", "z"]);
    }
}
