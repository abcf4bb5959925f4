//! A large hospital for the budget pages: `vakgroepen` × `products` care products with norm
//! times, one period of realised volumes, KPIs, an accepted trend input per vakgroep, and two
//! scenarios (variant 1, and variant 3 with an earmark). Built through the store's own bulk
//! paths (the production import is the real COPY import).

use domain::budget::trend::TrendStatus;
use domain::budget::{
    ChangeKind, Direction, Grondslag, KpiKind, PzVariant, ScenarioDraft, ScopeKind, TrendCategory,
    Weights,
};
use domain::ids::{ScenarioId, VakgroepId};
use rust_decimal::Decimal;
use store::Store;
use store::audit::Who;
use store::budget::{CareProductInput, KpiInput, NormTimeLine, TrendInputInput};

pub const YEAR: i16 = 2040;
pub const REFERENCE_YEAR: i16 = 2039;

pub struct Seeded {
    pub basis: ScenarioId,
    pub earmarked: ScenarioId,
    /// The last vakgroep: its care products come last in the scenario's list.
    pub last_vakgroep: VakgroepId,
}

/// A small deterministic generator: the same data on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound
    }
}

pub async fn seed(store: &Store, vakgroepen: usize, products: usize) -> Seeded {
    let who = Who::system("bench");
    let mut rng = Lcg(42);
    let mut tx = store.begin().await.unwrap();
    let mut ids = Vec::new();
    for v in 0..vakgroepen {
        let code = format!("BV{v:02}");
        let id = store::vakgroepen::create(
            &mut tx,
            &who,
            &domain::people::VakgroepDraft {
                code: domain::people::VakgroepCode::parse(&code).unwrap(),
                name: format!("Benchvakgroep {v}"),
                kind: domain::people::VakgroepKind::Poort,
                active: true,
            },
        )
        .await
        .unwrap();
        ids.push((VakgroepId::new(id), code));
    }
    let inputs: Vec<CareProductInput> = ids
        .iter()
        .flat_map(|(id, code)| {
            (0..products).map(move |p| CareProductInput {
                vakgroep_id: *id,
                code: format!("{code}-{p:05}"),
                description: format!("Zorgproduct {p} van {code}"),
                active: true,
            })
        })
        .collect();
    store::budget::create_care_products(&mut tx, &who, &inputs)
        .await
        .unwrap();
    let lines: Vec<NormTimeLine> = inputs
        .iter()
        .enumerate()
        .map(|(i, p)| NormTimeLine {
            line: i + 2,
            vakgroep_code: ids
                .iter()
                .find(|(id, _)| *id == p.vakgroep_id)
                .unwrap()
                .1
                .clone(),
            product_code: p.code.clone(),
            minutes: Decimal::new(50 + rng.next(2_400) as i64, 1),
        })
        .collect();
    store::budget::replace_norm_times(&mut tx, &who, YEAR, &lines)
        .await
        .unwrap();
    for (id, _) in &ids {
        let hours = Decimal::from(1_200 + rng.next(400));
        store::budget::set_normuren(&mut tx, &who, YEAR, *id, None, hours)
            .await
            .unwrap();
        let fte = Decimal::new(20 + rng.next(200) as i64, 0);
        store::budget::set_formatief(&mut tx, &who, YEAR, *id, None, fte, Decimal::ZERO)
            .await
            .unwrap();
        for (kind, name) in [
            (KpiKind::Efficiency, "Ligduur"),
            (KpiKind::PassendeZorg, "Dagbehandeling"),
        ] {
            store::budget::create_kpi(
                &mut tx,
                &who,
                YEAR,
                &KpiInput {
                    vakgroep_id: *id,
                    kind,
                    name: name.into(),
                    direction: Direction::HigherIsBetter,
                    reference_value: Decimal::from(100),
                    local_value: Decimal::from(80 + rng.next(40)),
                    source: String::new(),
                },
            )
            .await
            .unwrap();
        }
    }
    let mut accepted = Vec::new();
    for (id, _) in &ids {
        let value = Decimal::new(rng.next(60) as i64 - 20, 1);
        accepted.push(accepted_trend_input(&mut tx, *id, value).await);
    }
    let scenario = |name: &str, variant: PzVariant, earmark: i64| ScenarioDraft {
        year: YEAR,
        name: name.into(),
        description: String::new(),
        reference_year: REFERENCE_YEAR,
        variant,
        weights: Weights::REGULAR,
        earmarked_amount: Decimal::from(earmark),
        grondslag: Grondslag::FormatiefFte,
        trend_input_ids: accepted.clone(),
        overrides: Vec::new(),
        previous: None,
    };
    let basis = store::budget::create_scenario(
        &mut tx,
        &who,
        &scenario("Basis", PzVariant::Informatief, 0),
    )
    .await
    .unwrap();
    let earmarked = store::budget::create_scenario(
        &mut tx,
        &who,
        &scenario("Geoormerkt", PzVariant::Geoormerkt, 2_000_000),
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();

    let mut csv = String::from("vakgroep;zorgproduct;volume\n");
    for p in &inputs {
        let code = &ids.iter().find(|(id, _)| *id == p.vakgroep_id).unwrap().1;
        csv.push_str(&format!("{code};{};{}\n", p.code, rng.next(500)));
    }
    store::production::import(
        store,
        &who,
        store::production::ImportRequest {
            year: REFERENCE_YEAR,
            period: 1,
            source_name: "bench.csv",
            data: csv.as_bytes(),
        },
        |_| {},
    )
    .await
    .unwrap();
    Seeded {
        basis,
        earmarked,
        last_vakgroep: ids[ids.len() - 1].0,
    }
}

/// Creates a trend input of `value` percent for the whole of `vakgroep` in [`YEAR`], submitted
/// and accepted.
pub async fn accepted_trend_input(
    tx: &mut store::PgConnection,
    vakgroep: VakgroepId,
    value: Decimal,
) -> domain::ids::TrendInputId {
    let who = Who::system("bench");
    let input = store::budget::create_trend_input(
        &mut *tx,
        &who,
        &TrendInputInput {
            year: YEAR,
            vakgroep_id: vakgroep,
            scope: ScopeKind::Vakgroep,
            product_ids: vec![],
            kind: ChangeKind::Percentage,
            value,
            category: TrendCategory::Demografie,
            rationale: "Vergrijzing".into(),
            source: String::new(),
        },
    )
    .await
    .unwrap();
    for (version, to) in [(1, TrendStatus::Ingediend), (2, TrendStatus::Geaccepteerd)] {
        store::budget::change_trend_status(&mut *tx, &who, input, version, to, "")
            .await
            .unwrap();
    }
    input
}

/// A change that moves the budget revision without changing any figure: a vakgroep's normuren
/// saved as they are.
pub async fn touch(store: &Store) {
    let mut tx = store.begin().await.unwrap();
    let vakgroepen = store::budget::normuren(store, YEAR).await.unwrap();
    let first = &vakgroepen[0];
    store::budget::set_normuren(
        &mut tx,
        &Who::system("bench"),
        YEAR,
        first.vakgroep_id,
        Some(first.version),
        first.hours,
    )
    .await
    .unwrap();
    store::commit(tx).await.unwrap();
}

/// Gives the year a fee budget (€ 48 million, φ 30 %), proposes `scenario` on the demo's
/// upcoming joint meeting and records both boards' adoption. Returns how long the deciding
/// decision's transaction took (it computes the scenario and writes the snapshot) and the
/// snapshot's size in bytes.
pub async fn adopt(store: &Store, scenario: ScenarioId) -> (std::time::Duration, i32) {
    let who = Who::system("bench");
    // The demo's own vakgroepen have no figures for this year: without them the year
    // distributes its fee budget over the 40 vakgroepen the bench built.
    sqlx::query(
        "UPDATE vakgroep SET active = false
         WHERE NOT EXISTS (SELECT 1 FROM care_product p WHERE p.vakgroep_id = vakgroep.id)",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let before = store::budget::year(store.pool(), YEAR).await.ok();
    let frame = domain::budget::master::YearSettingsDraft {
        fee_budget: Some(Decimal::new(48_000_000, 0)),
        fixed_share: Decimal::new(3, 1),
        band_min: None,
        band_max: None,
        signal_threshold: domain::budget::monitoring::DEFAULT_THRESHOLD,
        note: String::new(),
    };
    let mut tx = store.begin().await.unwrap();
    store::budget::save_year(&mut tx, &who, YEAR, before.map(|y| y.version), &frame)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    let meeting = store::budget::adoption::candidate_meetings(store, now)
        .await
        .unwrap()[0]
        .id;
    let mut tx = store.begin().await.unwrap();
    let item = store::budget::adoption::propose(&mut tx, &who, scenario, meeting, now)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    let deciding = store::agenda::get(store.pool(), item)
        .await
        .unwrap()
        .deciding_bodies;
    let mut last = std::time::Duration::ZERO;
    for body in deciding {
        let input = store::decisions::DecisionInput {
            item_id: item,
            body_id: body,
            outcome: domain::meetings::kinds::DecisionOutcome::Aangenomen,
            text: "Vastgesteld.".into(),
            votes_for: None,
            votes_against: None,
            votes_abstain: None,
            vote_summary: String::new(),
            named: Vec::new(),
        };
        let t = std::time::Instant::now();
        let mut tx = store.begin().await.unwrap();
        store::decisions::record(&mut tx, &who, &input, 0)
            .await
            .unwrap();
        store::commit(tx).await.unwrap();
        last = t.elapsed();
    }
    let size: i32 = sqlx::query_scalar(
        "SELECT octet_length(snapshot) FROM budget_adoption WHERE scenario_id = $1",
    )
    .bind(scenario.get())
    .fetch_one(store.pool())
    .await
    .unwrap();
    (last, size)
}
