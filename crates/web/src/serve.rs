//! Opening the database (embedded or `DATABASE_URL`) and running the server until a signal.

use crate::config::Config;
use anyhow::Context;
use pgembed::{EmbeddedError, EmbeddedPostgres};
use std::net::SocketAddr;
use store::Store;

/// The database the app talks to, and the embedded cluster if it started one.
pub struct Database {
    pub store: Store,
    pub embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// Uses `DATABASE_URL` when set; otherwise starts the private cluster under `GG_DATA_DIR`.
    /// `share_running`: command-line tools may use the cluster of a server that is already
    /// running on the same data directory; a second server may not.
    pub async fn open(config: &Config, share_running: bool) -> anyhow::Result<Self> {
        if let Some(url) = &config.database_url {
            let store = Store::connect_lazy(url, config.db_max_connections)?;
            return Ok(Self {
                store,
                embedded: None,
            });
        }
        match EmbeddedPostgres::start(&config.data_dir).await {
            Ok(pg) => {
                let store = Store::connect_lazy(&pg.database_url(), config.db_max_connections)?;
                Ok(Self {
                    store,
                    embedded: Some(pg),
                })
            }
            Err(EmbeddedError::AlreadyRunning(dir)) if share_running => {
                let url = pgembed::database_url_for(&dir);
                Ok(Self {
                    store: Store::connect_lazy(&url, config.db_max_connections)?,
                    embedded: None,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn close(mut self) {
        self.store.pool().close().await;
        if let Some(pg) = self.embedded.as_mut()
            && let Err(e) = pg.stop().await
        {
            tracing::error!(error = %e, "could not stop the embedded PostgreSQL");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

pub async fn run(mut config: Config, addr: SocketAddr, demo: bool) -> anyhow::Result<()> {
    if demo && config.is_production() {
        anyhow::bail!(
            "--demo is refused when GG_ENV=production: demo accounts have publicly known passwords"
        );
    }
    config.resolve_secret_key()?;
    let db = Database::open(&config, false).await?;
    db.store.migrate().await.context("running migrations")?;
    if demo {
        ::demo::load(&db.store)
            .await
            .context("loading the demo hospital")?;
        ::demo::agreements::load(&db.store)
            .await
            .context("loading the demo agreements")?;
        ::demo::budget::load(&db.store)
            .await
            .context("loading the demo budget")?;
    }
    let mail = crate::shared::mail::worker::spawn(db.store.clone(), &config)?;
    let state = crate::app::state(db.store.clone(), config).await?;
    let daily = crate::shared::mail::daily::spawn(state.clone());
    let pages = crate::shared::page_cache::spawn(&state);
    let live = state.part::<crate::meetings::live::Hub>().clone();
    let app = crate::app::build(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!(%addr, "Gelijkgericht is listening on http://{addr}");
    println!("Gelijkgericht draait op http://{addr}");
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        // Live streams never end by themselves: end them so the server can stop.
        live.close();
    })
    .await;
    if let Some(worker) = mail {
        worker.abort();
    }
    daily.abort();
    pages.abort();
    db.close().await;
    served.context("serving")
}
