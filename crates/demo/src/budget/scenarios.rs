//! The demo budget's trend inputs in every state of their review, two scenarios for 2027 (a base
//! scenario with the demographic inputs only and one with the vakgroepen's initiatives and
//! passende zorg in the norm-fte, variant 2) and last year's budget to compare them with.
//! Loaded after the master data and production.

use anyhow::Context;
use rust_decimal::Decimal;
use store::Store;
use store::audit::Who;
use store::budget::{ScenarioInput, TrendInputInput};

const LOADED: &str = "budget_demo_scenarios_loaded";
const YEAR: i16 = 2027;
const REFERENCE_YEAR: i16 = 2025;

/// One demo trend input: vakgroep, the description prefix of the products it covers (whole
/// vakgroep when empty), percentage or absolute, value, category, rationale, source, the status
/// steps it went through (with a reason where one is required) and whether the base scenario
/// takes it.
struct Demo {
    vakgroep: &'static str,
    products: &'static str,
    kind: &'static str,
    value: Decimal,
    category: &'static str,
    rationale: &'static str,
    source: &'static str,
    steps: &'static [(&'static str, &'static str)],
    in_base: bool,
}

const ACCEPTED: &[(&str, &str)] = &[("ingediend", ""), ("geaccepteerd", "")];

const INPUTS: &[Demo] = &[
    Demo {
        vakgroep: "CAR",
        products: "",
        kind: "percentage",
        value: Decimal::from_parts(35, 0, 0, false, 1),
        category: "demografie",
        rationale: "De vergrijzing in de regio brengt meer patiënten met hartfalen en boezemfibrilleren.",
        source: "Regionale bevolkingsprognose 2026",
        steps: ACCEPTED,
        in_base: true,
    },
    Demo {
        vakgroep: "CAR",
        products: "Consult op afstand",
        kind: "percentage",
        value: Decimal::from_parts(15, 0, 0, false, 0),
        category: "substitutie",
        rationale: "Thuismonitoring vervangt een deel van de controles op de polikliniek door consulten op afstand.",
        source: "Evaluatie pilot thuismonitoring",
        steps: &[("ingediend", "")],
        in_base: false,
    },
    Demo {
        vakgroep: "ORT",
        products: "Operatieve ingreep",
        kind: "absoluut",
        value: Decimal::from_parts(120, 0, 0, false, 0),
        category: "concentratie",
        rationale: "Heup- en knieprothesen uit het netwerk worden in Rijnoever geconcentreerd.",
        source: "Netwerkafspraak orthopedie",
        steps: ACCEPTED,
        in_base: false,
    },
    Demo {
        vakgroep: "ORT",
        products: "",
        kind: "percentage",
        value: Decimal::from_parts(4, 0, 0, true, 0),
        category: "substitutie",
        rationale: "Minder controles na een prothese; de huisarts neemt de nazorg over.",
        source: "",
        steps: &[
            ("ingediend", ""),
            (
                "teruggestuurd",
                "Geef aan welke patiëntgroepen naar de huisarts gaan en op welke afspraak dat berust.",
            ),
        ],
        in_base: false,
    },
    Demo {
        vakgroep: "KNO",
        products: "Klinische opname",
        kind: "percentage",
        value: Decimal::from_parts(30, 0, 0, true, 0),
        category: "passende_zorg",
        rationale: "Tonsillectomie bij volwassenen gaat naar dagbehandeling: minder klinische opnames.",
        source: "Zorgpad tonsillectomie 2026",
        steps: &[("ingediend", ""), ("geaccepteerd", ""), ("verwerkt", "")],
        in_base: false,
    },
    Demo {
        vakgroep: "INT",
        products: "",
        kind: "percentage",
        value: Decimal::from_parts(25, 0, 0, false, 1),
        category: "demografie",
        rationale: "Meer ouderen met meerdere aandoeningen tegelijk.",
        source: "Regionale bevolkingsprognose 2026",
        steps: ACCEPTED,
        in_base: true,
    },
    Demo {
        vakgroep: "CHI",
        products: "",
        kind: "percentage",
        value: Decimal::from_parts(2, 0, 0, false, 0),
        category: "overig",
        rationale: "Nog uit te werken: effect van de nieuwe operatiekamer.",
        source: "",
        steps: &[],
        in_base: false,
    },
];

/// Loads the demo trend inputs and scenarios unless they are already there.
pub(super) async fn load(store: &Store, who: &Who) -> anyhow::Result<()> {
    if store::settings::get(store, LOADED).await?.is_some() {
        return Ok(());
    }
    let vakgroepen = store::vakgroepen::list(store).await?;
    let mut tx = store.begin().await?;
    let mut base = Vec::new();
    let mut all_accepted = Vec::new();
    for demo in INPUTS {
        let vakgroep = vakgroepen
            .iter()
            .find(|v| v.code == demo.vakgroep)
            .with_context(|| format!("demo vakgroep {}", demo.vakgroep))?;
        let product_ids: Vec<i64> = if demo.products.is_empty() {
            Vec::new()
        } else {
            store::budget::care_products(store, Some(vakgroep.id))
                .await?
                .into_iter()
                .filter(|p| p.description.starts_with(demo.products))
                .take(3)
                .map(|p| p.id)
                .collect()
        };
        let input = TrendInputInput {
            year: YEAR,
            vakgroep_id: vakgroep.id,
            scope: if product_ids.is_empty() {
                "vakgroep"
            } else {
                "zorgproducten"
            }
            .into(),
            product_ids,
            kind: demo.kind.into(),
            value: demo.value,
            category: demo.category.into(),
            rationale: demo.rationale.into(),
            source: demo.source.into(),
        };
        let id = store::budget::create_trend_input(&mut tx, who, &input).await?;
        for (version, (to, reason)) in (1..).zip(demo.steps) {
            store::budget::change_trend_status(&mut tx, who, id, version, to, reason).await?;
        }
        if demo
            .steps
            .last()
            .is_some_and(|(s, _)| matches!(*s, "geaccepteerd" | "verwerkt"))
        {
            all_accepted.push(id);
            if demo.in_base {
                base.push(id);
            }
        }
    }
    let scenario =
        |name: &str, description: &str, variant: i16, pz: i64, ids: Vec<i64>| ScenarioInput {
            year: YEAR,
            name: name.into(),
            description: description.into(),
            reference_year: REFERENCE_YEAR,
            pz_variant: variant,
            w_out: Decimal::new(if pz > 0 { 70 } else { 80 }, 2),
            w_eff: Decimal::new(20, 2),
            w_pz: Decimal::new(pz, 2),
            earmarked_amount: Decimal::ZERO,
            grondslag: "formatief".into(),
            trend_input_ids: ids,
            variants: Vec::new(),
            previous_scenario_id: None,
        };
    // Last year's budget first: the 2027 scenarios build on it (compare, norm-fte vorig jaar).
    let last_year = ScenarioInput {
        year: YEAR - 1,
        reference_year: REFERENCE_YEAR - 1,
        ..scenario(
            "Begroting",
            "De begroting van vorig jaar: productie 2024, passende zorg informatief.",
            1,
            0,
            Vec::new(),
        )
    };
    let previous = Some(store::budget::create_scenario(&mut tx, who, &last_year).await?);
    let base_scenario = ScenarioInput {
        previous_scenario_id: previous,
        ..scenario(
            "Basis",
            "Productie 2025 met alleen de demografische groei; passende zorg informatief.",
            1,
            0,
            base,
        )
    };
    store::budget::create_scenario(&mut tx, who, &base_scenario).await?;
    let with_initiatives = ScenarioInput {
        previous_scenario_id: previous,
        ..scenario(
            "Met initiatieven",
            "Alle geaccepteerde trendinput van de vakgroepen; passende zorg telt mee in de norm-fte.",
            2,
            10,
            all_accepted.clone(),
        )
    };
    store::budget::create_scenario(&mut tx, who, &with_initiatives).await?;
    let earmarked = ScenarioInput {
        previous_scenario_id: previous,
        earmarked_amount: Decimal::new(1_200_000, 0),
        grondslag: "norm_fte_vorig_jaar".into(),
        ..scenario(
            "Passende zorg geoormerkt",
            "Alle geaccepteerde trendinput; een apart budget voor passende zorg, verdeeld naar de norm-fte van de begroting 2026 maal de passende-zorgindex.",
            3,
            0,
            all_accepted,
        )
    };
    store::budget::create_scenario(&mut tx, who, &earmarked).await?;
    store::settings::put(&mut tx, LOADED, "1").await?;
    store::commit(tx).await?;
    Ok(())
}
