//! What every handler can reach: the database, the configuration, password hashing, the
//! hospital's name, and the parts each section keeps for itself (caches, the live hub, import
//! jobs). A section declares its part as its own type and reads it with [`AppState::part`]; the
//! application registers every part where all sections are known (`crate::app::parts`), so the
//! state never names a section and no section reaches into another's part.

use super::password::Passwords;
use crate::config::Config;
use axum::http::Extensions;
use std::sync::{Arc, RwLock};
use store::Store;

/// Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub passwords: Arc<Passwords>,
    /// The hospital's name for the page header; read once at start-up, kept in step by Beheer.
    pub hospital: Arc<RwLock<String>>,
    parts: Arc<Extensions>,
}

impl AppState {
    /// The state with the sections' parts (`crate::app::parts` builds them).
    pub async fn with_parts(
        store: Store,
        config: Config,
        parts: Extensions,
    ) -> anyhow::Result<Self> {
        let hospital = store::settings::get(&store, store::settings::HOSPITAL_NAME)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| "Ziekenhuis".to_string());
        Ok(Self {
            store,
            config: Arc::new(config),
            passwords: Arc::new(Passwords::new().await?),
            hospital: Arc::new(RwLock::new(hospital)),
            parts: Arc::new(parts),
        })
    }

    /// The part a section registered. Every part is registered at start-up, so a missing one
    /// is a programming error that the first test of the section shows.
    pub fn part<T: Clone + Send + Sync + 'static>(&self) -> &T {
        self.parts.get::<T>().unwrap_or_else(|| {
            panic!(
                "{} is not registered in app::parts",
                std::any::type_name::<T>()
            )
        })
    }

    pub fn hospital_name(&self) -> String {
        self.hospital.read().map(|h| h.clone()).unwrap_or_default()
    }
}
