//! The demo hospital "Ziekenhuis Rijnoever" (fictional), loaded by `gelijkgericht serve --demo`:
//! every body with realistic members, two secretaries, a controller, vakgroep representatives, an
//! administrator and an observer, and the vakgroepen of a general hospital (`people`), a joint
//! meeting (`meetings`), the 7S self-assessment's rounds (`selfassessment`, part of [`load`]), the
//! agreements register (`agreements`) and the capacity budget (`budget`). Each part loads once: a
//! second call changes nothing.
//!
//! It writes through the store like any other caller, with the audit trail naming "demo"; it
//! knows nothing of the web application.

pub mod agreements;
pub mod budget;
mod meetings;
mod people;
pub mod selfassessment;

pub use people::PEOPLE;
use people::VAKGROEPEN;

use anyhow::Context;
use domain::account::password;
use store::Store;
use store::audit::Who;

/// The password of every demo account. Demo accounts are refused when GG_ENV=production.
pub const DEMO_PASSWORD: &str = "Rijnoever-demo-2026";
pub const HOSPITAL: &str = "Ziekenhuis Rijnoever";
const LOADED: &str = "demo_loaded";

/// Loads the demo hospital unless it is already there.
pub async fn load(store: &Store) -> anyhow::Result<()> {
    if store::settings::get(store, LOADED).await?.is_some() {
        tracing::info!("demo hospital already present");
    } else {
        load_hospital(store).await?;
    }
    // The demo's logins are published in the README: a second factor required by default would
    // stop the controller and the beheerder at enrolment. Off unless someone chose otherwise in
    // Beheer › Tweestapsverificatie (then that choice stays).
    if store::settings::get(store, store::twofactor::REQUIRED_ROLES)
        .await?
        .is_none()
    {
        let mut tx = store.begin().await?;
        store::twofactor::set_required(&mut tx, &Who::system("demo"), &[]).await?;
        store::commit(tx).await?;
    }
    // Its own step with its own marker, so that a demo loaded before it existed gets it too.
    selfassessment::load(store)
        .await
        .context("loading the demo self-assessment")
}

async fn load_hospital(store: &Store) -> anyhow::Result<()> {
    let hash = tokio::task::spawn_blocking(|| {
        let salt: [u8; password::SALT_BYTES] = rand::random();
        password::hash(DEMO_PASSWORD, salt)
    })
    .await??;
    let who = Who::system("demo");
    let mut tx = store.begin().await?;
    store::settings::put(&mut tx, LOADED, "1").await?;
    store::settings::put(&mut tx, store::settings::HOSPITAL_NAME, HOSPITAL).await?;
    let bodies = people::create(&mut tx, &who, &hash).await?;
    meetings::create(&mut tx, &who, &bodies).await?;
    store::commit(tx).await?;
    tracing::info!(
        people = PEOPLE.len(),
        vakgroepen = VAKGROEPEN.len(),
        "demo hospital loaded"
    );
    Ok(())
}
