//! The demo budget's trend inputs in every state of their review, two scenarios for 2027 (a base
//! scenario with the demographic inputs only and one with the vakgroepen's initiatives and
//! passende zorg in the norm-fte, variant 2) and last year's budget to compare them with.
//! Loaded after the master data and production.

use anyhow::Context;
use domain::budget::trend::TrendStatus;
use domain::budget::{
    ChangeKind, Grondslag, PzVariant, ScenarioDraft, ScopeKind, TrendCategory, Weights,
};
use domain::ids::{CareProductId, TrendInputId, VakgroepId};
use rust_decimal::Decimal;
use store::Store;
use store::audit::Who;
use store::budget::TrendInputInput;

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
    kind: ChangeKind,
    value: Decimal,
    category: TrendCategory,
    rationale: &'static str,
    source: &'static str,
    steps: &'static [(TrendStatus, &'static str)],
    in_base: bool,
}

const ACCEPTED: &[(TrendStatus, &str)] = &[
    (TrendStatus::Ingediend, ""),
    (TrendStatus::Geaccepteerd, ""),
];

const INPUTS: &[Demo] = &[
    Demo {
        vakgroep: "CAR",
        products: "",
        kind: ChangeKind::Percentage,
        value: Decimal::from_parts(35, 0, 0, false, 1),
        category: TrendCategory::Demografie,
        rationale: "De vergrijzing in de regio brengt meer patiënten met hartfalen en boezemfibrilleren.",
        source: "Regionale bevolkingsprognose 2026",
        steps: ACCEPTED,
        in_base: true,
    },
    Demo {
        vakgroep: "CAR",
        products: "Consult op afstand",
        kind: ChangeKind::Percentage,
        value: Decimal::from_parts(15, 0, 0, false, 0),
        category: TrendCategory::Substitutie,
        rationale: "Thuismonitoring vervangt een deel van de controles op de polikliniek door consulten op afstand.",
        source: "Evaluatie pilot thuismonitoring",
        steps: &[(TrendStatus::Ingediend, "")],
        in_base: false,
    },
    Demo {
        vakgroep: "ORT",
        products: "Operatieve ingreep",
        kind: ChangeKind::Absoluut,
        value: Decimal::from_parts(120, 0, 0, false, 0),
        category: TrendCategory::Concentratie,
        rationale: "Heup- en knieprothesen uit het netwerk worden in Rijnoever geconcentreerd.",
        source: "Netwerkafspraak orthopedie",
        steps: ACCEPTED,
        in_base: false,
    },
    Demo {
        vakgroep: "ORT",
        products: "",
        kind: ChangeKind::Percentage,
        value: Decimal::from_parts(4, 0, 0, true, 0),
        category: TrendCategory::Substitutie,
        rationale: "Minder controles na een prothese; de huisarts neemt de nazorg over.",
        source: "",
        steps: &[
            (TrendStatus::Ingediend, ""),
            (
                TrendStatus::Teruggestuurd,
                "Geef aan welke patiëntgroepen naar de huisarts gaan en op welke afspraak dat berust.",
            ),
        ],
        in_base: false,
    },
    Demo {
        vakgroep: "KNO",
        products: "Klinische opname",
        kind: ChangeKind::Percentage,
        value: Decimal::from_parts(30, 0, 0, true, 0),
        category: TrendCategory::PassendeZorg,
        rationale: "Tonsillectomie bij volwassenen gaat naar dagbehandeling: minder klinische opnames.",
        source: "Zorgpad tonsillectomie 2026",
        steps: &[
            (TrendStatus::Ingediend, ""),
            (TrendStatus::Geaccepteerd, ""),
            (TrendStatus::Verwerkt, ""),
        ],
        in_base: false,
    },
    Demo {
        vakgroep: "INT",
        products: "",
        kind: ChangeKind::Percentage,
        value: Decimal::from_parts(25, 0, 0, false, 1),
        category: TrendCategory::Demografie,
        rationale: "Meer ouderen met meerdere aandoeningen tegelijk.",
        source: "Regionale bevolkingsprognose 2026",
        steps: ACCEPTED,
        in_base: true,
    },
    Demo {
        vakgroep: "CHI",
        products: "",
        kind: ChangeKind::Percentage,
        value: Decimal::from_parts(2, 0, 0, false, 0),
        category: TrendCategory::Overig,
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
        let product_ids: Vec<CareProductId> = if demo.products.is_empty() {
            Vec::new()
        } else {
            store::budget::care_products(store, Some(VakgroepId::new(vakgroep.id)))
                .await?
                .into_iter()
                .filter(|p| p.description.starts_with(demo.products))
                .take(3)
                .map(|p| p.id)
                .collect()
        };
        let input = TrendInputInput {
            year: YEAR,
            vakgroep_id: VakgroepId::new(vakgroep.id),
            scope: if product_ids.is_empty() {
                ScopeKind::Vakgroep
            } else {
                ScopeKind::Zorgproducten
            },
            product_ids,
            kind: demo.kind,
            value: demo.value,
            category: demo.category,
            rationale: demo.rationale.into(),
            source: demo.source.into(),
        };
        let id = store::budget::create_trend_input(&mut tx, who, &input).await?;
        for (version, &(to, reason)) in (1..).zip(demo.steps) {
            store::budget::change_trend_status(&mut tx, who, id, version, to, reason).await?;
        }
        if demo.steps.last().is_some_and(|(s, _)| s.counts_in_budget()) {
            all_accepted.push(id);
            if demo.in_base {
                base.push(id);
            }
        }
    }
    let scenario =
        |name: &str, description: &str, variant: PzVariant, ids: Vec<TrendInputId>| ScenarioDraft {
            year: YEAR,
            name: name.into(),
            description: description.into(),
            reference_year: REFERENCE_YEAR,
            variant,
            weights: if variant == PzVariant::InNormFte {
                Weights::WITH_PZ
            } else {
                Weights::REGULAR
            },
            earmarked_amount: Decimal::ZERO,
            grondslag: Grondslag::FormatiefFte,
            trend_input_ids: ids,
            overrides: Vec::new(),
            previous: None,
        };
    // Last year's budget first: the 2027 scenarios build on it (compare, norm-fte vorig jaar).
    let last_year = ScenarioDraft {
        year: YEAR - 1,
        reference_year: REFERENCE_YEAR - 1,
        ..scenario(
            "Begroting",
            "De begroting van vorig jaar: productie 2024, passende zorg informatief.",
            PzVariant::Informatief,
            Vec::new(),
        )
    };
    let previous = Some(store::budget::create_scenario(&mut tx, who, &last_year).await?);
    let base_scenario = ScenarioDraft {
        previous,
        ..scenario(
            "Basis",
            "Productie 2025 met alleen de demografische groei; passende zorg informatief.",
            PzVariant::Informatief,
            base,
        )
    };
    store::budget::create_scenario(&mut tx, who, &base_scenario).await?;
    let with_initiatives = ScenarioDraft {
        previous,
        ..scenario(
            "Met initiatieven",
            "Alle geaccepteerde trendinput van de vakgroepen; passende zorg telt mee in de norm-fte.",
            PzVariant::InNormFte,
            all_accepted.clone(),
        )
    };
    store::budget::create_scenario(&mut tx, who, &with_initiatives).await?;
    let earmarked = ScenarioDraft {
        previous,
        earmarked_amount: Decimal::new(1_200_000, 0),
        grondslag: Grondslag::NormFteVorigJaar,
        ..scenario(
            "Passende zorg geoormerkt",
            "Alle geaccepteerde trendinput; een apart budget voor passende zorg, verdeeld naar de norm-fte van de begroting 2026 maal de passende-zorgindex.",
            PzVariant::Geoormerkt,
            all_accepted,
        )
    };
    store::budget::create_scenario(&mut tx, who, &earmarked).await?;
    store::settings::put(&mut tx, LOADED, "1").await?;
    store::commit(tx).await?;
    Ok(())
}
