//! The demo hospital's capacity budget (issue 5): generated master data for budget years
//! 2025–2027 and realised production for 2024–2026, then trend inputs and scenarios
//! (`demo_scenarios`).
//!
//! Everything is generated from a fixed seed (a small linear congruential generator), so every
//! demo hospital is the same. The volumes go through the real import
//! ([`store::production::import`]) as CSV files, so the demo exercises that path too.

use std::fmt::Write as _;
use store::Store;
use store::audit::Who;
use store::budget::{BudgetYearInput, CareProductInput, KpiInput, NormTimeLine};
use store::production::{ImportOutcome, ImportRequest};

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

const EFFICIENCY_KPIS: &[(&str, &str, u64)] = &[
    // (name, direction, reference × 10)
    ("Gemiddelde ligduur (dagen)", "lager_beter", 42),
    ("Heropnames binnen 30 dagen (%)", "lager_beter", 68),
    ("Herhaalconsulten per eerste consult", "lager_beter", 24),
    ("OK-benutting (%)", "hoger_beter", 850),
];

const PASSENDE_ZORG_KPIS: &[(&str, &str, u64)] = &[
    ("Aandeel dagbehandeling (%)", "hoger_beter", 620),
    ("Aandeel zorg op afstand (%)", "hoger_beter", 180),
    ("Terugverwijzing naar de huisarts (%)", "hoger_beter", 210),
];

/// A decimal written with tenths.
fn tenths(v: u64) -> String {
    format!("{}.{}", v / 10, v % 10)
}

/// A number for the store; generic so that the web crate need not name the decimal type.
fn dec<T: std::str::FromStr>(s: &str) -> anyhow::Result<T> {
    s.parse()
        .map_err(|_| anyhow::anyhow!("demo number {s} is not a number"))
}

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
        load_master(store, &who, &products).await?;
    }
    for year in PRODUCTION_YEARS {
        for period in 1..=12i16 {
            let data = production_file(&products, year, period);
            let name = format!("productie-{year}-{period:02}.csv");
            let request = ImportRequest {
                year,
                period,
                source_name: &name,
                data: &data,
            };
            match store::production::import(store, &who, request, |_| {}).await? {
                ImportOutcome::Imported(_) | ImportOutcome::AlreadyImported { .. } => {}
                ImportOutcome::Rejected { errors, .. } => {
                    anyhow::bail!("demo production {name} rejected: {:?}", errors.first())
                }
            }
        }
    }
    super::demo_scenarios::load(store, &who).await?;
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
    for (v, (code, _, _)) in crate::demo::VAKGROEPEN.iter().enumerate() {
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

fn description(rng: &mut Lcg, minutes_tenths: u64, vakgroep_name: &str) -> String {
    let kind = PRODUCT_KINDS
        .iter()
        .find(|k| (k.1 * 10..=k.2 * 10).contains(&minutes_tenths))
        .map(|k| k.0)
        .unwrap_or("Behandeling");
    let variant = VARIANTS[rng.range(0, VARIANTS.len() as u64 - 1) as usize];
    format!("{kind} {}, {variant}", vakgroep_name.to_lowercase())
}

async fn load_master(store: &Store, who: &Who, products: &[Product]) -> anyhow::Result<()> {
    let vakgroepen = store::vakgroepen::list(store).await?;
    let id_of = |code: &str| vakgroepen.iter().find(|v| v.code == code).map(|v| v.id);
    let mut rng = Lcg(7_264_003);
    let mut tx = store.begin().await?;
    let year = FIRST_BUDGET_YEAR;
    let settings = BudgetYearInput {
        fee_budget: Some(dec("48000000")?),
        fixed_share: dec("0.3")?,
        band_min: Some(dec("0.9")?),
        band_max: Some(dec("1.15")?),
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
        let name = crate::demo::VAKGROEPEN
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

    for (code, _, _) in crate::demo::VAKGROEPEN {
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
                    "efficiency",
                    EFFICIENCY_KPIS[(first_eff + i) % EFFICIENCY_KPIS.len()],
                )
            })
            .chain((0..passende_zorg).map(|i| {
                let k = PASSENDE_ZORG_KPIS[(first_pz + i) % PASSENDE_ZORG_KPIS.len()];
                ("passende_zorg", k)
            }));
        for (kind, (name, direction, reference)) in chosen {
            let local = reference * rng.range(80, 120) / 100;
            let input = KpiInput {
                vakgroep_id,
                kind: kind.into(),
                name: name.into(),
                direction: direction.into(),
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
    store::settings::put(&mut tx, MASTER_LOADED, "1").await?;
    store::commit(tx).await?;
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
