//! tower-sessions over the Foyer store (both engines).
//!
//! Records are keyed by SHA-256 of the session id, so a copy of the database holds no
//! usable cookie. The customer id and device label are copied into columns so "Your
//! devices" can list and end a customer's sessions. Rows are born in `create` and only
//! updated by `save`, so an ended session cannot come back.

use async_trait::async_trait;
use identity::Identity;
use identity::accounts::sessions::SessionColumns;
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
}

fn hash(id: &Id) -> String {
    identity::sha256_hex(id.to_string().as_bytes())
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// The record's data, its customer, its device label and its sign-in id.
fn columns(record: &Record) -> Result<(String, i64, [Option<String>; 3]), session_store::Error> {
    let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let expires = i64::try_from(record.expiry_date.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
    let text = |key: &str| record.data.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    Ok((data, expires, [text(app::auth::CUSTOMER), text(app::auth::DEVICE), text(app::auth::SID)]))
}

fn as_columns(c: &[Option<String>; 3]) -> SessionColumns<'_> {
    SessionColumns { customer_id: c[0].as_deref(), device: c[1].as_deref(), sid: c[2].as_deref() }
}

#[async_trait]
impl SessionStore for FoyerSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let now = self.identity.now();
        loop {
            let (data, expires, cols) = columns(record)?;
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
        let (data, expires, cols) = columns(record)?;
        let now = self.identity.now();
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
        let expiry_date = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(stored.expires_at) * 1_000_000)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.identity.store().session_delete(&hash(id)).await.map_err(backend)
    }
}
