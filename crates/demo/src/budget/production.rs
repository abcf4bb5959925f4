//! The demo budget's realised production: a CSV file per month, imported through the real
//! import, so that the demo exercises that path too.

use super::{Lcg, PRODUCTION_YEARS, Product};
use std::fmt::Write as _;
use store::Store;
use store::audit::Who;
use store::production::{ImportOutcome, ImportRequest};

/// Imports every month of the production years; a month already imported is left as it is.
pub(super) async fn import(store: &Store, who: &Who, products: &[Product]) -> anyhow::Result<()> {
    for year in PRODUCTION_YEARS {
        for period in 1..=12i16 {
            let data = production_file(products, year, period);
            let name = format!("productie-{year}-{period:02}.csv");
            let request = ImportRequest {
                year,
                period,
                source_name: &name,
                data: &data,
            };
            match store::production::import(store, who, request, |_| {}).await? {
                ImportOutcome::Imported(_) | ImportOutcome::AlreadyImported { .. } => {}
                ImportOutcome::Rejected { errors, .. } => {
                    anyhow::bail!("demo production {name} rejected: {:?}", errors.first())
                }
            }
        }
    }
    Ok(())
}

/// The vakgroep whose realisation in the monitored year runs ahead of its adopted budget.
pub const AHEAD: &str = "ORT";

/// A year's production against 2024, in percent: 3 % growth a year until 2025, then a flat 2026
/// in which orthopedics grows 11 % — so that monitoring the adopted 2026 budget (on production
/// 2024) shows one vakgroep above the 5 % threshold and the others within it.
fn growth(year: i16, vakgroep: &str) -> u64 {
    match year {
        2026 if vakgroep == AHEAD => 111,
        2026 => 103,
        y => 100 + u64::try_from(y - 2024).unwrap_or(0) * 3,
    }
}

/// A period's production file: each product's yearly volume spread over the months with some
/// noise and the year's growth ([`growth`]).
fn production_file(products: &[Product], year: i16, period: i16) -> Vec<u8> {
    let mut rng = Lcg(year as u64 * 100 + period as u64);
    let mut out = String::with_capacity(products.len() * 24);
    out.push_str("vakgroep;zorgproduct;volume\n");
    for p in products {
        let growth = growth(year, p.vakgroep);
        let monthly = p.yearly_volume * growth * rng.range(80, 120) / 100 / 100 / 12;
        let _ = writeln!(out, "{};{};{}", p.vakgroep, p.code, monthly);
    }
    out.into_bytes()
}
