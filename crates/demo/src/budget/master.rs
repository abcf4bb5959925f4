//! The demo budget's master data for the first budget year, copied to the next years: year
//! settings, care products with their norm times, normuren and formative fte per vakgroep, and
//! efficiency and passende-zorg KPIs.

use super::{FIRST_BUDGET_YEAR, LAST_BUDGET_YEAR, Lcg, MASTER_LOADED, PRODUCT_KINDS, Product};
use crate::VAKGROEPEN;
use domain::budget::master::YearSettingsDraft;
use domain::budget::{Direction, KpiKind};
use domain::ids::VakgroepId;
use rust_decimal::Decimal;
use store::Store;
use store::audit::Who;
use store::budget::{CareProductInput, KpiInput, NormTimeLine};

const VARIANTS: &[&str] = &[
    "zonder complicaties",
    "met complicaties",
    "kort traject",
    "lang traject",
    "bij kinderen",
    "bij ouderen",
    "vervolgtraject",
    "chronisch",
];

const EFFICIENCY_KPIS: &[(&str, Direction, u64)] = &[
    // (name, direction, reference × 10)
    ("Gemiddelde ligduur (dagen)", Direction::LowerIsBetter, 42),
    (
        "Heropnames binnen 30 dagen (%)",
        Direction::LowerIsBetter,
        68,
    ),
    (
        "Herhaalconsulten per eerste consult",
        Direction::LowerIsBetter,
        24,
    ),
    ("OK-benutting (%)", Direction::HigherIsBetter, 850),
];

const PASSENDE_ZORG_KPIS: &[(&str, Direction, u64)] = &[
    ("Aandeel dagbehandeling (%)", Direction::HigherIsBetter, 620),
    (
        "Aandeel zorg op afstand (%)",
        Direction::HigherIsBetter,
        180,
    ),
    (
        "Terugverwijzing naar de huisarts (%)",
        Direction::HigherIsBetter,
        210,
    ),
];

/// A decimal written with tenths.
fn tenths(v: u64) -> String {
    format!("{}.{}", v / 10, v % 10)
}

/// A generated number for the store.
fn dec(s: &str) -> anyhow::Result<Decimal> {
    s.parse()
        .map_err(|_| anyhow::anyhow!("demo number {s} is not a number"))
}

fn description(rng: &mut Lcg, minutes_tenths: u64, vakgroep_name: &str) -> String {
    let kind = PRODUCT_KINDS
        .iter()
        .find(|k| (k.1 * 10..=k.2 * 10).contains(&minutes_tenths))
        .map(|k| k.0)
        .unwrap_or("Behandeling");
    let variant = VARIANTS[rng.range(0, VARIANTS.len() as u64 - 1) as usize];
    format!("{kind} {}, {variant}", vakgroep_name.to_lowercase())
}

/// M of 2027, in euros.
const DEMO_2027_FEE_BUDGET: &str = "50400000";
/// The 2027 band around the 2026 allocation, as fractions.
const DEMO_2027_BAND: (&str, &str) = ("0.97", "1.07");

pub(super) async fn load(store: &Store, who: &Who, products: &[Product]) -> anyhow::Result<()> {
    let vakgroepen = store::vakgroepen::list(store).await?;
    let id_of = |code: &str| {
        vakgroepen
            .iter()
            .find(|v| v.code == code)
            .map(|v| VakgroepId::new(v.id))
    };
    let mut rng = Lcg(7_264_003);
    let mut tx = store.begin().await?;
    let year = FIRST_BUDGET_YEAR;
    let settings = YearSettingsDraft {
        fee_budget: Some(dec("48000000")?),
        fixed_share: dec("0.3")?,
        band_min: Some(dec("0.9")?),
        band_max: Some(dec("1.15")?),
        signal_threshold: domain::budget::monitoring::DEFAULT_THRESHOLD,
        note: "Demo: honorariumbudget volgens het voorlopige verzekeraarsakkoord.".into(),
    };
    store::budget::save_year(&mut tx, who, year, None, &settings).await?;

    let mut inputs = Vec::with_capacity(products.len());
    for p in products {
        let Some(vakgroep_id) = id_of(p.vakgroep) else {
            anyhow::bail!(
                "demo vakgroep {} is missing; load the demo hospital first",
                p.vakgroep
            );
        };
        let name = VAKGROEPEN
            .iter()
            .find(|v| v.0 == p.vakgroep)
            .map(|v| v.1)
            .unwrap_or_default();
        inputs.push(CareProductInput {
            vakgroep_id,
            code: p.code.clone(),
            description: description(&mut rng, p.minutes_tenths, name),
            active: true,
        });
    }
    store::budget::create_care_products(&mut tx, who, &inputs).await?;

    let mut lines = Vec::with_capacity(products.len());
    for (i, p) in products.iter().enumerate() {
        lines.push(NormTimeLine {
            line: i + 2,
            vakgroep_code: p.vakgroep.to_string(),
            product_code: p.code.clone(),
            minutes: dec(&tenths(p.minutes_tenths))?,
        });
    }
    match store::budget::replace_norm_times(&mut tx, who, year, &lines).await? {
        store::budget::BulkOutcome::Replaced { .. } => {}
        store::budget::BulkOutcome::Rejected { errors, .. } => {
            anyhow::bail!("demo norm times rejected: {:?}", errors.first())
        }
    }

    for (code, _, _) in VAKGROEPEN {
        let Some(vakgroep_id) = id_of(code) else {
            continue;
        };
        // Formative fte close to what the norm says, so that the budget shows both growth and
        // shrink.
        let minutes: u64 = products
            .iter()
            .filter(|p| p.vakgroep == *code)
            .map(|p| p.minutes_tenths * p.yearly_volume)
            .sum::<u64>()
            / 10;
        let normuren = rng.range(1100, 1450);
        let fte_hundredths = minutes * 100 / 60 / normuren * rng.range(88, 112) / 100;
        let fte_1a = fte_hundredths * 85 / 100;
        let fte_1b = fte_hundredths - fte_1a;
        let hours = dec(&normuren.to_string())?;
        store::budget::set_normuren(&mut tx, who, year, vakgroep_id, None, hours).await?;
        let a = dec(&format!("{}.{:02}", fte_1a / 100, fte_1a % 100))?;
        let b = dec(&format!("{}.{:02}", fte_1b / 100, fte_1b % 100))?;
        store::budget::set_formatief(&mut tx, who, year, vakgroep_id, None, a, b).await?;

        let efficiency = rng.range(1, 3) as usize;
        let passende_zorg = rng.range(0, 2) as usize;
        let first_eff = rng.range(0, EFFICIENCY_KPIS.len() as u64 - 1) as usize;
        let first_pz = rng.range(0, PASSENDE_ZORG_KPIS.len() as u64 - 1) as usize;
        let chosen = (0..efficiency)
            .map(|i| {
                (
                    KpiKind::Efficiency,
                    EFFICIENCY_KPIS[(first_eff + i) % EFFICIENCY_KPIS.len()],
                )
            })
            .chain((0..passende_zorg).map(|i| {
                let k = PASSENDE_ZORG_KPIS[(first_pz + i) % PASSENDE_ZORG_KPIS.len()];
                (KpiKind::PassendeZorg, k)
            }));
        for (kind, (name, direction, reference)) in chosen {
            let local = reference * rng.range(80, 120) / 100;
            let input = KpiInput {
                vakgroep_id,
                kind,
                name: name.into(),
                direction,
                reference_value: dec(&tenths(reference))?,
                local_value: dec(&tenths(local.max(1)))?,
                source: "Benchmark NVZ 2024 (demo)".into(),
            };
            store::budget::create_kpi(&mut tx, who, year, &input).await?;
        }
    }
    for to in year + 1..=LAST_BUDGET_YEAR {
        store::budget::copy_year(&mut tx, who, to - 1, to).await?;
    }
    // The year being budgeted gets its own frame (D6): a larger fee budget and a narrower band
    // around the 2026 allocation, so that the band visibly binds a vakgroep on the distribution
    // page (the demo test `the_band_clamps_a_demo_vakgroep` checks it).
    let copied = store::budget::year(&mut *tx, LAST_BUDGET_YEAR).await?;
    let frame = YearSettingsDraft {
        fee_budget: Some(dec(DEMO_2027_FEE_BUDGET)?),
        fixed_share: dec("0.3")?,
        band_min: Some(dec(DEMO_2027_BAND.0)?),
        band_max: Some(dec(DEMO_2027_BAND.1)?),
        signal_threshold: domain::budget::monitoring::DEFAULT_THRESHOLD,
        note:
            "Demo: honorariumbudget 2027 volgens het verzekeraarsakkoord; band smaller dan in 2026."
                .into(),
    };
    store::budget::save_year(&mut tx, who, LAST_BUDGET_YEAR, Some(copied.version), &frame).await?;
    store::settings::put(&mut tx, MASTER_LOADED, "1").await?;
    store::commit(tx).await?;
    Ok(())
}
