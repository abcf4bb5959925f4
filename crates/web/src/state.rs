use crate::auth::password::Passwords;
use crate::config::Config;
use std::sync::{Arc, RwLock};
use store::Store;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub passwords: Arc<Passwords>,
    /// The hospital's name for the page header; read once at start-up, kept in step by Beheer.
    pub hospital: Arc<RwLock<String>>,
    /// Live meeting updates of this instance (A5); the listener starts with the first stream.
    pub live: crate::meetings::live::Hub,
    /// Lights and the attention list, per day and register revision (B3, B4).
    pub register: crate::agreements::RegisterCache,
    /// Production imports running or finished on this instance (D2), for their status page.
    pub imports: crate::production::Jobs,
    /// Scenarios as read at a budget revision (D4–D7).
    pub(crate) scenarios: crate::budget::ScenarioCache,
}

impl AppState {
    pub async fn new(store: Store, config: Config) -> anyhow::Result<Self> {
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
            live: Default::default(),
            register: Default::default(),
            imports: Default::default(),
            scenarios: Default::default(),
        })
    }

    pub fn hospital_name(&self) -> String {
        self.hospital.read().map(|h| h.clone()).unwrap_or_default()
    }
}
