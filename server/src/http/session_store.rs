//! tower-sessions over the Foyer store (both engines): customer sessions
//! ([`FoyerSessionStore`], table `sessions`) and staff sessions ([`StaffSessionStore`],
//! table `staff_sessions`). What the keys mean is the core's (`identity::session`).
//!
//! Records are keyed by SHA-256 of the session id, so a copy of the database holds no
//! usable cookie. The customer id and device label are copied into columns so "Your
//! devices" can list and end a customer's sessions. Rows are born in `create` and only
//! updated by `save`, so an ended session cannot come back.

use async_trait::async_trait;
use identity::Identity;
use identity::accounts::sessions::SessionColumns;
use identity::session;
use identity::store::staff::StaffSessionWrite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Clone, Debug)]
pub struct FoyerSessionStore {
    identity: Identity,
}

impl FoyerSessionStore {
    pub fn new(identity: Identity) -> Self {
        Self { identity }
    }

    /// The core's clock minus the wall clock at `now` (the core's).
    fn skew(&self, now: i64) -> i64 {
        use identity::Clock as _;
        now - identity::SystemClock.now()
    }
}

fn hash(id: &Id) -> String {
    identity::sha256_hex(id.to_string().as_bytes())
}

/// The core's error as tower-sessions carries it (text only): a database out of reach
/// becomes [`session::STORE_UNAVAILABLE`], which the pages answer with 503.
fn backend(e: identity::Error) -> session_store::Error {
    match e {
        identity::Error::Busy { .. } => session_store::Error::Backend(session::STORE_UNAVAILABLE.to_owned()),
        other => session_store::Error::Backend(other.to_string()),
    }
}

/// The record's data, its customer, its device label and its sign-in id. tower-sessions
/// dates the record on the wall clock; it is stored on the core's clock (`skew`: the
/// core's time minus the wall clock's, 0 but in development mode's steered clock and in
/// tests), so a moved clock neither ends fresh sessions nor keeps stale ones.
fn columns(record: &Record, skew: i64) -> Result<(String, i64, [Option<String>; 3]), session_store::Error> {
    let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let expires = i64::try_from(record.expiry_date.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX).saturating_add(skew);
    let text = |key: &str| record.data.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    Ok((data, expires, [text(session::CUSTOMER), text(session::DEVICE), text(session::SID)]))
}

fn as_columns(c: &[Option<String>; 3]) -> SessionColumns<'_> {
    SessionColumns { customer_id: c[0].as_deref(), device: c[1].as_deref(), sid: c[2].as_deref() }
}

#[async_trait]
impl SessionStore for FoyerSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let now = self.identity.now();
        loop {
            let (data, expires, cols) = columns(record, self.skew(now))?;
            let created = self
                .identity
                .store()
                .session_create(&hash(&record.id), &data, expires, as_columns(&cols), now)
                .await
                .map_err(backend)?;
            if created {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Updates the stored record only: tower-sessions calls [`SessionStore::create`] for
    /// every new session (and after `cycle_id`), so a record missing here was ended while
    /// the request ran (sign-out, "sign out other devices", a password reset, expiry) and
    /// stays ended. The browser's cookie then names nothing and its next request starts
    /// anonymous.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let now = self.identity.now();
        let (data, expires, cols) = columns(record, self.skew(now))?;
        let saved = self
            .identity
            .store()
            .session_save(&hash(&record.id), &data, expires, as_columns(&cols), now)
            .await
            .map_err(backend)?;
        if !saved {
            tracing::debug!("a session ended during the request was not written back");
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = self.identity.now();
        let Some(stored) = self.identity.store().session_load(&hash(id), now).await.map_err(backend)? else { return Ok(None) };
        let data = serde_json::from_str(&stored.data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let wall = stored.expires_at.saturating_sub(self.skew(now));
        let expiry_date = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(wall) * 1_000_000)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.identity.store().session_delete(&hash(id)).await.map_err(backend)
    }
}

/// Staff sessions (cookie `__Host-foyer-admin`, only under `/admin`): keyed by SHA-256
/// of the id like customer sessions, with the staff id in a column. The deadline is the
/// core's ([`session::staff_expires_at`]): `idle_ms` after the last request, never past
/// eight hours from sign-in, against the core's clock. The layer saves on every request
/// (`with_always_save`), so each one moves the idle deadline.
#[derive(Clone, Debug)]
pub struct StaffSessionStore {
    identity: Identity,
    idle_ms: i64,
}

impl StaffSessionStore {
    pub fn new(identity: Identity, idle_ms: i64) -> Self {
        Self { identity, idle_ms }
    }

    fn encode(&self, record: &Record, now: i64) -> Result<(String, i64, Option<String>), session_store::Error> {
        let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let staff_id = record.data.get(session::STAFF).and_then(|v| v.as_str()).map(str::to_owned);
        let signed_in_at = record.data.get(session::STAFF_SIGNED_IN_AT).and_then(serde_json::Value::as_i64);
        Ok((data, session::staff_expires_at(now, signed_in_at, self.idle_ms), staff_id))
    }
}

#[async_trait]
impl SessionStore for StaffSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let now = self.identity.now();
        loop {
            let (data, expires_at, staff_id) = self.encode(record, now)?;
            let write = StaffSessionWrite { id_hash: &hash(&record.id), data: &data, expires_at, staff_id: staff_id.as_deref(), now };
            if self.identity.store().staff_session_create(write).await.map_err(backend)? {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Update-only, as for customers: a session ended during the request stays ended.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let now = self.identity.now();
        let (data, expires_at, staff_id) = self.encode(record, now)?;
        let write = StaffSessionWrite { id_hash: &hash(&record.id), data: &data, expires_at, staff_id: staff_id.as_deref(), now };
        if !self.identity.store().staff_session_save(write).await.map_err(backend)? {
            tracing::debug!("a staff session ended during the request was not written back");
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = self.identity.now();
        let Some(stored) = self.identity.store().staff_session_load(&hash(id), now).await.map_err(backend)? else { return Ok(None) };
        let data = serde_json::from_str(&stored.data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(stored.expires_at) * 1_000_000)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.identity.store().staff_session_delete(&hash(id)).await.map_err(backend)
    }
}
