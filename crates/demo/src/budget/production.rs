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

/// A period's production file: each product's yearly volume spread over the months with some
/// noise and a small growth per year.
fn production_file(products: &[Product], year: i16, period: i16) -> Vec<u8> {
    let mut rng = Lcg(year as u64 * 100 + period as u64);
    let growth = 100 + (year as u64 - 2024) * 3;
    let mut out = String::with_capacity(products.len() * 24);
    out.push_str("vakgroep;zorgproduct;volume\n");
    for p in products {
        let monthly = p.yearly_volume * growth * rng.range(80, 120) / 100 / 100 / 12;
        let _ = writeln!(out, "{};{};{}", p.vakgroep, p.code, monthly);
    }
    out.into_bytes()
}
