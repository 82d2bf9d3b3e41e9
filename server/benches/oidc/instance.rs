//! The Foyer under test: started in this process on a free port, over SQLite or a
//! fresh PostgreSQL database.

use super::*;
pub(crate) struct Server {
    pub(crate) address: String,
    pub(crate) pool_size: u32,
    pub(crate) public_url: String,
    pub(crate) identity: Identity,
    pub(crate) stop: oneshot::Sender<()>,
    pub(crate) handle: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Server {
    pub(crate) async fn start(database_url: &str, dir: &std::path::Path) -> Self {
        Self::start_at(database_url, dir, "http://localhost:0").await
    }

    /// As [`Server::start`] with the public URL (the issuer) given: the side-by-side
    /// section seeds here, then serves the same database from a `foyer serve` child
    /// with the same issuer.
    pub(crate) async fn start_at(database_url: &str, dir: &std::path::Path, public_url: &str) -> Self {
        let raw = RawConfig {
            database_url: database_url.to_owned(),
            public_url: public_url.to_owned(),
            addr: "127.0.0.1:0".into(),
            data_dir: dir.join("data"),
            site_root: dir.join("site"),
            master_key: Some(SecretString::from(MASTER_KEY.to_owned())),
            // Requests carry X-Forwarded-For from the benchmarking range (see the top).
            trusted_proxies: "127.0.0.1".into(),
            // Hashing only runs at the seeding sign-ins: keep it cheap.
            argon2_memory_kib: 64,
            argon2_iterations: 1,
            // Nothing here sends mail: no background polling beside the measurements.
            outbox_worker: false,
            ..RawConfig::default()
        };
        let config = Config::check(raw).expect("benchmark config is valid");
        let pool_size = config.pool.max_connections;
        let app = Application::build(config).await.expect("Foyer starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let public_url = app.public_url().to_owned();
        let identity = app.context().identity.clone();
        // Every signing key now, before the first request (as the tests do), so no
        // request pays for key generation and the maintenance job does not race it.
        let manager = app.keys().manager().expect("key manager");
        manager.ensure_keys(identity.now()).await.expect("signing keys");
        app.keys().forget().await;
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        Self { address, pool_size, public_url, identity, stop, handle }
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        match tokio::time::timeout(Duration::from_secs(30), self.handle).await {
            Ok(joined) => joined.expect("server task").expect("server stopped cleanly"),
            Err(_) => eprintln!("(the server did not stop within 30 s; going on)"),
        }
    }
}

/// A fresh database for one engine (`sqlite`: a file in `dir`; `postgres`: a new
/// database), and a temporary directory for the server's data.
pub(crate) struct Fresh {
    pub(crate) url: String,
    pub(crate) dir: tempfile::TempDir,
    pg: Option<PgDatabase>,
}

impl Fresh {
    pub(crate) async fn create(engine: &str, admin: &str) -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        if engine == "sqlite" {
            let url = format!("sqlite://{}/foyer.db", dir.path().display());
            return Ok(Self { url, dir, pg: None });
        }
        let pg = PgDatabase::create(admin).await?;
        Ok(Self { url: pg.url.clone(), dir, pg: Some(pg) })
    }

    pub(crate) async fn drop(self) {
        if let Some(pg) = self.pg {
            pg.drop().await;
        }
    }
}

/// A fresh PostgreSQL database, dropped at the end.
pub(crate) struct PgDatabase {
    pub(crate) admin: String,
    pub(crate) name: String,
    pub(crate) url: String,
}

impl PgDatabase {
    pub(crate) async fn create(admin: &str) -> Result<Self, String> {
        let mut conn = sqlx::PgConnection::connect(admin).await.map_err(|e| e.to_string())?;
        let name = format!("foyer_bench_{}", uuid::Uuid::new_v4().simple());
        conn.execute(format!("CREATE DATABASE {name}").as_str()).await.map_err(|e| e.to_string())?;
        let _ = conn.close().await;
        let mut url = url::Url::parse(admin).map_err(|e| e.to_string())?;
        url.set_path(&name);
        Ok(Self { admin: admin.to_owned(), name, url: url.to_string() })
    }

    pub(crate) async fn drop(self) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin).await {
            let _ = conn.execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str()).await;
        }
    }
}

/// A URL without its password, for printing.
pub(crate) fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "(unparsable URL)".to_owned(),
    }
}
