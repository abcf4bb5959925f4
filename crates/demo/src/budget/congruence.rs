//! The demo's insurer contracts for 2027 (D8): tariffs for part of the care products (through
//! the real tariff import) and three insurers with shares of 45, 30 and 25 %, whose ceilings are
//! set against the production value of the proposed 2027 scenario so that one of them is
//! exceeded by about 9 % and the others have room.

use super::{LAST_BUDGET_YEAR, Lcg, Product};
use anyhow::Context;
use domain::budget::congruence::{InsurerDraft, TariffLine, production_value};
use rust_decimal::Decimal;
use store::Store;
use store::audit::Who;
use store::budget::BulkOutcome;

const LOADED: &str = "budget_demo_congruence_loaded";

/// The insurer whose ceiling the 2027 production exceeds.
pub const EXCEEDED: &str = "Zilverland Zorgverzekeringen";

/// Name, share in percent, ceiling as a fraction of its share of the production value.
const INSURERS: [(&str, u32, &str); 3] = [
    ("Zilverland Zorgverzekeringen", 45, "0.92"),
    ("Coöperatie Rivierenland", 30, "1.04"),
    ("Zorgverzekeraar Delta", 25, "1.02"),
];

pub(super) async fn load(store: &Store, who: &Who, products: &[Product]) -> anyhow::Result<()> {
    if store::settings::get(store, LOADED).await?.is_some() {
        return Ok(());
    }
    // Tariffs for about three in four products: € 40 to € 2.400, whole euros and cents.
    let mut rng = Lcg(20_270_008);
    let mut lines = Vec::new();
    for (i, p) in products.iter().enumerate() {
        let tariff = rng.range(4_000, 240_000);
        if rng.range(0, 3) > 0 {
            lines.push(TariffLine {
                line: i + 2,
                product: p.code.clone(),
                tariff: Decimal::new(i64::try_from(tariff).unwrap_or(4_000), 2),
            });
        }
    }
    let mut tx = store.begin().await?;
    match store::budget::congruence::replace_tariffs(&mut tx, who, LAST_BUDGET_YEAR, &lines).await?
    {
        BulkOutcome::Replaced { .. } => {}
        BulkOutcome::Rejected { errors, .. } => {
            anyhow::bail!("demo tariffs rejected: {:?}", errors.first())
        }
    }
    store::commit(tx).await?;

    let scenario = store::budget::scenarios(store, Some(LAST_BUDGET_YEAR))
        .await?
        .into_iter()
        .find(|s| s.name == super::PROPOSED_2027)
        .context("the demo's proposed 2027 scenario")?;
    let l = store::budget::computation::loaded(store, scenario.id).await?;
    let result = domain::budget::compute(&l.input, &l.params)?;
    let tariffs = store::budget::congruence::tariffs(store, LAST_BUDGET_YEAR).await?;
    let total: Decimal = production_value(&l.input, &result, &tariffs)?
        .iter()
        .map(|v| v.value)
        .sum();
    let mut tx = store.begin().await?;
    for (name, share, room) in INSURERS {
        // Rounded to whole euros, as a contract states it.
        let ceiling = (total * Decimal::from(share) / Decimal::ONE_HUNDRED
            * room.parse::<Decimal>()?)
        .round();
        let draft = InsurerDraft {
            name: name.into(),
            ceiling,
            share: Decimal::from(share),
        };
        store::budget::congruence::create_insurer(&mut tx, who, LAST_BUDGET_YEAR, &draft).await?;
    }
    store::settings::put(&mut tx, LOADED, "1").await?;
    store::commit(tx).await?;
    Ok(())
}
