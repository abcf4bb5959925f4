//! The demo hospital's capacity budget (issue 5): generated master data for budget years
//! 2025–2027 (`master`) and realised production for 2024–2026 (`production`), then trend inputs
//! and scenarios (`scenarios`), last year's budget adopted and a 2027 scenario proposed for
//! adoption (`adoption`), tariffs and insurer contracts for 2027 (`congruence`).
//!
//! Everything is generated from a fixed seed (a small linear congruential generator), so every
//! demo hospital is the same. The volumes go through the real import
//! ([`store::production::import`]) as CSV files, so the demo exercises that path too.

mod adoption;
mod congruence;
mod master;
mod production;
mod scenarios;

use crate::VAKGROEPEN;
pub use adoption::PROPOSED_2027;
pub use congruence::EXCEEDED;
pub use production::AHEAD;
use store::Store;
use store::audit::Who;

/// Set once everything is loaded.
const LOADED: &str = "budget_demo_loaded";
/// Set with the master data, so that an interrupted load resumes at the imports.
const MASTER_LOADED: &str = "budget_demo_master_loaded";

const FIRST_BUDGET_YEAR: i16 = 2025;
const LAST_BUDGET_YEAR: i16 = 2027;
const PRODUCTION_YEARS: [i16; 3] = [2024, 2025, 2026];

/// Numerical Recipes' LCG: good enough to vary demo figures, and the same on every machine.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// Kinds of care product: description prefix, norm-time range in minutes, yearly volume range.
const PRODUCT_KINDS: &[(&str, u64, u64, u64, u64)] = &[
    ("Eerste polikliniekbezoek", 15, 30, 200, 3000),
    ("Herhaalconsult", 8, 20, 300, 5000),
    ("Consult op afstand", 5, 15, 100, 2500),
    ("Diagnostisch onderzoek", 10, 45, 100, 2000),
    ("Dagbehandeling", 45, 150, 50, 900),
    ("Klinische opname", 120, 480, 20, 600),
    ("Operatieve ingreep", 60, 240, 20, 500),
    ("Intercollegiaal consult", 15, 40, 50, 800),
];

/// One generated care product.
struct Product {
    vakgroep: &'static str,
    code: String,
    minutes_tenths: u64,
    yearly_volume: u64,
}

/// Loads the budget demo data once; a second call changes nothing.
pub async fn load(store: &Store) -> anyhow::Result<()> {
    if store::settings::get(store, LOADED).await?.is_some() {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let who = Who::system("demo");
    let products = generate();
    if store::settings::get(store, MASTER_LOADED).await?.is_none() {
        master::load(store, &who, &products).await?;
    }
    production::import(store, &who, &products).await?;
    scenarios::load(store, &who).await?;
    adoption::load(store, &who).await?;
    congruence::load(store, &who, &products).await?;
    let mut tx = store.begin().await?;
    store::settings::put(&mut tx, LOADED, "1").await?;
    store::commit(tx).await?;
    tracing::info!(
        products = products.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo budget loaded"
    );
    Ok(())
}

fn generate() -> Vec<Product> {
    let mut rng = Lcg(20_260_005);
    let mut products = Vec::new();
    for (v, (code, _, _)) in VAKGROEPEN.iter().enumerate() {
        let count = rng.range(180, 320);
        for j in 0..count {
            let kind = PRODUCT_KINDS[rng.range(0, PRODUCT_KINDS.len() as u64 - 1) as usize];
            products.push(Product {
                vakgroep: code,
                code: format!("99{:02}{:05}", v + 1, 1000 + j * 7 + rng.range(0, 6)),
                minutes_tenths: rng.range(kind.1 * 2, kind.2 * 2) * 5,
                yearly_volume: rng.range(kind.3, kind.4) / 10,
            });
        }
    }
    products
}
