//! Start-up: open the store, build the services and the router, bind (and the metrics
//! listener when `FOYER_METRICS_ADDR` is set), serve, and stop gracefully (in-flight
//! requests finish, the outbox worker, the sweep and the dashboard's sampler stop, the
//! pool closes).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use app::context::{AppMetrics, ServerContext};
use identity::{Clock, Identity, OsRandom, Settings, Store, SystemClock};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;
use crate::mail::Mailer;
use crate::oidc::keys::KeyRing;
use crate::outbox_worker::OutboxWorker;

/// The services every command needs: a migrated store wrapped in the core, and mail.
#[derive(Debug, Clone)]
pub struct Services {
    pub identity: Identity,
    pub mailer: Mailer,
    pub deliveries: Family<Vec<(String, String)>, Counter>,
}

impl Services {
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        Self::open_with_clock(config, Arc::new(SystemClock)).await
    }

    /// As [`Services::open`], reading time from `clock` (tests steer it; production
    /// passes the system clock through [`Services::open`]).
    pub async fn open_with_clock(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let store = Store::connect(&config.database_url, config.pool)
            .await
            .map_err(|e| anyhow::anyhow!("FOYER_DATABASE_URL: cannot open the database ({e})"))?;
        store.migrate().await.map_err(|e| anyhow::anyhow!("FOYER_DATABASE_URL: migrations failed ({e})"))?;
        let hasher = identity::password::Hasher::new(&config.hash).map_err(|e| anyhow::anyhow!("FOYER_ARGON2_*: {e}"))?;
        // One measured hash before the first sign-in: admission by expected wait starts
        // from a real duration, not a guess.
        // (FOYER_HASH_MAX_QUEUE=0 refuses every hash, this one too: then the first
        // sign-in makes the dummy hash.)
        match hasher.warm_up(&OsRandom).await {
            Ok(()) => tracing::info!(mean_hash_micros = hasher.mean_hash_micros(), "password hashing measured"),
            Err(identity::Error::Busy { .. }) => {}
            Err(e) => anyhow::bail!("FOYER_ARGON2_*: {e}"),
        }
        let settings = Settings {
            public_url: config.public_url.clone(),
            product_name: config.product_name.clone(),
            privacy_url: config.privacy_url.clone(),
            terms_url: config.terms_url.clone(),
            consent: config.consent.clone(),
            lockout_threshold: config.lockout_threshold,
            deletion_grace_days: config.deletion_grace_days,
            households_per_customer: config.households_per_customer,
            audit_retention_days: config.audit_retention_days,
            access_token_alg: config.access_token_alg,
            refresh_retry_ms: i64::try_from(config.refresh_retry.as_millis()).unwrap_or(0),
            session_absolute_ms: i64::try_from(config.session_absolute.as_millis()).unwrap_or(i64::MAX),
            ..Settings::default()
        };
        let master_key = config.master_key()?;
        let identity = Identity::new(store.clone(), clock, Arc::new(OsRandom), hasher, settings, master_key);
        let mailer = Mailer::from_config(config, &store)?;
        Ok(Self { identity, mailer, deliveries: Family::default() })
    }

    pub fn outbox_worker(&self) -> OutboxWorker {
        OutboxWorker {
            identity: self.identity.clone(),
            mailer: self.mailer.clone(),
            deliveries: self.deliveries.clone(),
            backchannel: crate::oidc::backchannel::Backchannel::new(self.identity.clone()),
        }
    }
}

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    /// `FOYER_METRICS_ADDR`'s listener and its `GET /metrics`-only router.
    metrics: Option<(TcpListener, axum::Router)>,
    context: ServerContext,
    worker: OutboxWorker,
    keys: KeyRing,
    config: Config,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application").field("port", &self.port()).finish_non_exhaustive()
    }
}

impl Application {
    /// Opens everything and binds `config.addr` (port 0 picks a free port; a public
    /// URL on `localhost:0` then takes the bound port, which tests rely on).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with(config, axum::Router::new()).await
    }

    /// As [`Application::build`], with extra routes inside every layer (tests use it
    /// to reach paths production does not have, such as a handler that panics).
    /// In development mode the clock can be moved forward (`POST /dev/clock`).
    pub async fn build_with(config: Config, extra: axum::Router<crate::http::AppState>) -> anyhow::Result<Self> {
        if config.dev {
            let clock = Arc::new(identity::clock::ShiftedClock::default());
            let extra = extra.merge(crate::http::dev_clock::routes(clock.clone()));
            return Self::build_with_clock(config, extra, clock).await;
        }
        Self::build_with_clock(config, extra, Arc::new(SystemClock)).await
    }

    /// As [`Application::build_with`], with every part of the server reading time from
    /// `clock` (the core, the session store, the outbox worker, the maintenance sweep):
    /// tests move it forward instead of rewriting expiry columns.
    pub async fn build_with_clock(
        mut config: Config,
        extra: axum::Router<crate::http::AppState>,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        // Fail early on an unusable key, before anything listens.
        config.master_key()?;
        let listener =
            TcpListener::bind(config.addr).await.with_context(|| format!("FOYER_ADDR: cannot listen on {}", config.addr))?;
        let port = listener.local_addr()?.port();
        let metrics_listener = match config.metrics_addr {
            Some(addr) => Some(TcpListener::bind(addr).await.with_context(|| format!("FOYER_METRICS_ADDR: cannot listen on {addr}"))?),
            None => None,
        };
        if let Some(base) = config.public_url.strip_suffix(":0") {
            config.public_url = format!("{base}:{port}");
        }
        let services = Services::open_with_clock(&config, clock).await?;
        let context = ServerContext {
            identity: services.identity.clone(),
            dev_mode: config.dev,
            public_url: config.public_url.clone(),
            metrics: Arc::new(AppMetrics::default()),
        };
        // Brands made before pairwise subjects existed get their key now.
        services.identity.fill_missing_pairwise_keys(&identity::principal::Principal::System).await?;
        // Customers made before support search existed get their search terms now.
        services.identity.fill_search_terms(&identity::principal::Principal::System).await?;
        let worker = services.outbox_worker();
        let keys = KeyRing::new(services.identity.clone());
        let routers = crate::http::router(&config, context.clone(), keys.clone(), worker.deliveries.clone(), extra)?;
        let metrics = metrics_listener.map(|l| (l, routers.metrics));
        Ok(Self { listener, router: routers.public, metrics, context, worker, keys, config })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The metrics listener's port, when `FOYER_METRICS_ADDR` is set (port 0 picks one).
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().and_then(|(l, _)| l.local_addr().ok()).map(|a| a.port())
    }

    pub fn context(&self) -> &ServerContext {
        &self.context
    }

    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    pub fn public_url(&self) -> &str {
        &self.config.public_url
    }

    /// Serves until `shutdown` completes, then drains and stops the worker.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let worker = self.config.outbox_worker.then(|| tokio::spawn(self.worker.run(self.config.outbox_poll, stop_rx.clone())));
        let rotation_ms = self.config.key_rotation_days * 24 * 3_600_000;
        let maintenance = tokio::spawn(crate::maintenance::run(self.context.identity.clone(), self.keys.clone(), rotation_ms, stop_rx.clone()));
        let sampler = tokio::spawn(crate::http::metrics::sample(self.context.clone(), stop_rx.clone()));
        let hash_memory = tokio::spawn(crate::maintenance::release_hash_memory(self.context.identity.clone(), stop_rx.clone()));
        // The metrics listener stops with the rest (after the public one drained).
        let metrics = self.metrics.map(|(listener, router)| {
            let mut stop = stop_rx.clone();
            tokio::spawn(async move {
                let stopped = async move {
                    let _ = stop.wait_for(|s| *s).await;
                };
                axum::serve(listener, router).with_graceful_shutdown(stopped).await
            })
        });
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await.context("server error")?;
        let _ = stop_tx.send(true);
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        let _ = maintenance.await;
        let _ = sampler.await;
        let _ = hash_memory.await;
        if let Some(metrics) = metrics {
            if let Ok(Err(e)) = metrics.await {
                tracing::warn!(error = %e, "the metrics listener failed");
            }
        }
        self.context.identity.store().close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
