mod common;

use common::{admin, audit_count, product, store, vakgroep};
use gg_store::audit::Who;
use gg_store::budget::{
    self, BulkOutcome, CareProductInput, KpiInput, NormTimeLine, Seen, TrendInputInput,
};
use gg_store::domain::budget::master::YearSettingsDraft;
use gg_store::domain::budget::trend::{TrendStatus, TrendStatusError};
use gg_store::domain::budget::{
    ChangeKind, Direction, Grondslag, KpiKind, PzVariant, ScenarioDraft, ScopeKind, TrendCategory,
    Weights,
};
use gg_store::domain::ids::{CareProductId, TrendInputId, VakgroepId};
use gg_store::production::{self, ImportOutcome, ImportRequest};
use gg_store::{Invalid, PgPool, StoreError};
use sqlx::types::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn care_products_crud_with_versions_and_audit(pool: PgPool) {
    let s = store(pool.clone());
    let car = vakgroep(&pool, "CAR").await;
    let id = product(&s, car, " 990004006 ").await;
    let p = budget::care_product(s.pool(), id).await.unwrap();
    assert_eq!(p.code, "990004006");
    assert_eq!(p.vakgroep_code, "CAR");

    // Same code in the same vakgroep: refused; in another vakgroep: fine.
    let mut tx = s.begin().await.unwrap();
    let dup = budget::create_care_product(
        &mut tx,
        &admin(),
        &CareProductInput {
            vakgroep_id: car,
            code: "990004006".into(),
            description: String::new(),
            active: true,
        },
    )
    .await;
    assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");
    drop(tx);
    let lon = vakgroep(&pool, "LON").await;
    product(&s, lon, "990004006").await;

    let mut input = CareProductInput {
        vakgroep_id: car,
        code: "990004006".into(),
        description: "Hartkatheterisatie".into(),
        active: true,
    };
    let mut tx = s.begin().await.unwrap();
    budget::update_care_product(&mut tx, &admin(), id, p.version, &input)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    input.description = "Oud".into();
    let mut tx = s.begin().await.unwrap();
    let stale = budget::update_care_product(&mut tx, &admin(), id, p.version, &input).await;
    assert!(matches!(stale, Err(StoreError::Conflict)));
    drop(tx);
    assert_eq!(
        budget::care_product(s.pool(), id)
            .await
            .unwrap()
            .description,
        "Hartkatheterisatie"
    );
    assert_eq!(budget::care_products(&s, Some(car)).await.unwrap().len(), 1);
    assert_eq!(budget::care_products(&s, None).await.unwrap().len(), 2);

    // Deleting from the stale version is refused; more on deleting in budget_delete.rs.
    let mut tx = s.begin().await.unwrap();
    let r = budget::delete_care_product(&mut tx, &admin(), id, p.version).await;
    assert!(matches!(r, Err(StoreError::Conflict)), "{r:?}");
    drop(tx);
    assert_eq!(audit_count(&pool, "care_product").await, 3);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn year_figures_and_kpis_with_conflicts(pool: PgPool) {
    let s = store(pool.clone());
    let car = vakgroep(&pool, "CAR").await;
    let p1 = product(&s, car, "A1").await;

    let mut tx = s.begin().await.unwrap();
    budget::set_norm_time(&mut tx, &admin(), 2026, p1, None, dec("12.5"))
        .await
        .unwrap();
    budget::set_normuren(&mut tx, &admin(), 2026, car, None, dec("1450"))
        .await
        .unwrap();
    budget::set_formatief(&mut tx, &admin(), 2026, car, None, dec("10.5"), dec("1.25"))
        .await
        .unwrap();
    let kpi = budget::create_kpi(
        &mut tx,
        &admin(),
        2026,
        &KpiInput {
            vakgroep_id: car,
            kind: KpiKind::Efficiency,
            name: "Ligduur".into(),
            direction: Direction::LowerIsBetter,
            reference_value: dec("4.2"),
            local_value: dec("4.8"),
            source: "Benchmark".into(),
        },
    )
    .await
    .unwrap();
    gg_store::commit(tx).await.unwrap();

    // The year was opened by the first write.
    assert_eq!(budget::year(s.pool(), 2026).await.unwrap().version, 1);
    let f = budget::formatief(&s, 2026).await.unwrap();
    assert_eq!(f[0].fte, dec("11.75"));

    // A second "add" for the same norm time, or an update from a stale version: conflict.
    let mut tx = s.begin().await.unwrap();
    let r = budget::set_norm_time(&mut tx, &admin(), 2026, p1, None, dec("13")).await;
    assert!(matches!(r, Err(StoreError::Conflict)));
    drop(tx);
    let mut tx = s.begin().await.unwrap();
    budget::set_norm_time(&mut tx, &admin(), 2026, p1, Some(1), dec("13"))
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    let mut tx = s.begin().await.unwrap();
    let r = budget::set_norm_time(&mut tx, &admin(), 2026, p1, Some(1), dec("14")).await;
    assert!(matches!(r, Err(StoreError::Conflict)));
    drop(tx);
    assert_eq!(
        budget::norm_times(&s, 2026, None).await.unwrap()[0].minutes,
        dec("13")
    );

    let mut tx = s.begin().await.unwrap();
    let r = budget::set_normuren(&mut tx, &admin(), 2026, car, Some(7), dec("1500")).await;
    assert!(matches!(r, Err(StoreError::Conflict)));
    drop(tx);

    let k = &budget::kpis(&s, 2026, Some(car)).await.unwrap()[0];
    assert_eq!(k.id, kpi);
    let mut tx = s.begin().await.unwrap();
    budget::update_kpi(
        &mut tx,
        &admin(),
        kpi,
        k.version,
        &KpiInput {
            vakgroep_id: car,
            kind: KpiKind::Efficiency,
            name: "Ligduur".into(),
            direction: Direction::LowerIsBetter,
            reference_value: dec("4.2"),
            local_value: dec("4.4"),
            source: "Benchmark".into(),
        },
    )
    .await
    .unwrap();
    let r = budget::delete_kpi(&mut tx, &admin(), kpi, k.version).await;
    assert!(matches!(r, Err(StoreError::Conflict)));
    drop(tx);

    let mut tx = s.begin().await.unwrap();
    budget::save_year(
        &mut tx,
        &admin(),
        2026,
        Some(1),
        &YearSettingsDraft {
            fee_budget: Some(dec("12500000")),
            fixed_share: dec("0.3"),
            band_min: Some(dec("0.9")),
            band_max: Some(dec("1.15")),
            signal_threshold: domain::budget::monitoring::DEFAULT_THRESHOLD,
            note: String::new(),
        },
    )
    .await
    .unwrap();
    gg_store::commit(tx).await.unwrap();
    let y = budget::year(s.pool(), 2026).await.unwrap();
    assert_eq!(y.fee_budget, Some(dec("12500000")));
    assert_eq!(y.version, 2);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn copy_year_copies_once(pool: PgPool) {
    let s = store(pool.clone());
    let car = vakgroep(&pool, "CAR").await;
    let lon = vakgroep(&pool, "LON").await;
    let a = product(&s, car, "A").await;
    let b = product(&s, lon, "B").await;
    let mut tx = s.begin().await.unwrap();
    budget::set_norm_time(&mut tx, &admin(), 2026, a, None, dec("10"))
        .await
        .unwrap();
    budget::set_norm_time(&mut tx, &admin(), 2026, b, None, dec("20"))
        .await
        .unwrap();
    budget::set_normuren(&mut tx, &admin(), 2026, car, None, dec("1400"))
        .await
        .unwrap();
    budget::set_formatief(&mut tx, &admin(), 2026, lon, None, dec("3"), dec("0"))
        .await
        .unwrap();
    budget::create_kpi(
        &mut tx,
        &admin(),
        2026,
        &KpiInput {
            vakgroep_id: car,
            kind: KpiKind::PassendeZorg,
            name: "Dagbehandeling".into(),
            direction: Direction::HigherIsBetter,
            reference_value: dec("0.8"),
            local_value: dec("0.7"),
            source: String::new(),
        },
    )
    .await
    .unwrap();
    gg_store::commit(tx).await.unwrap();
    // The year's settings go along, the monitoring's signal threshold too.
    sqlx::query("UPDATE budget_year SET signal_threshold = 0.08 WHERE year = 2026")
        .execute(&pool)
        .await
        .unwrap();

    let mut tx = s.begin().await.unwrap();
    let summary = budget::copy_year(&mut tx, &admin(), 2026, 2027)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert_eq!(
        (
            summary.norm_times,
            summary.normuren,
            summary.formatief,
            summary.kpis
        ),
        (2, 1, 1, 1)
    );
    assert_eq!(budget::norm_times(&s, 2027, None).await.unwrap().len(), 2);
    assert_eq!(budget::kpis(&s, 2027, None).await.unwrap().len(), 1);
    assert_eq!(
        budget::year(s.pool(), 2027).await.unwrap().signal_threshold,
        dec("0.08")
    );

    // Again: the target has data now.
    let mut tx = s.begin().await.unwrap();
    let r = budget::copy_year(&mut tx, &admin(), 2026, 2027).await;
    assert!(matches!(r, Err(StoreError::Conflict)));
    drop(tx);
    // From a year that does not exist.
    let mut tx = s.begin().await.unwrap();
    let r = budget::copy_year(&mut tx, &admin(), 2020, 2028).await;
    assert!(matches!(r, Err(StoreError::NotFound)));
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn norm_time_list_is_replaced_all_or_nothing(pool: PgPool) {
    let s = store(pool.clone());
    let car = vakgroep(&pool, "CAR").await;
    let a = product(&s, car, "A").await;
    product(&s, car, "B").await;
    let mut tx = s.begin().await.unwrap();
    budget::set_norm_time(&mut tx, &admin(), 2027, a, None, dec("99"))
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();

    let line = |line, v: &str, p: &str, m: &str| NormTimeLine {
        line,
        vakgroep_code: v.into(),
        product_code: p.into(),
        minutes: dec(m),
    };
    let bad = vec![
        line(2, "car", "A", "10"),
        line(3, "XXX", "A", "10"),
        line(4, "CAR", "Z", "10"),
        line(5, "CAR", "A", "11"),
        line(6, "CAR", "B", "-1"),
    ];
    let mut tx = s.begin().await.unwrap();
    let out = budget::replace_norm_times(&mut tx, &admin(), 2027, &bad)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    let BulkOutcome::Rejected { errors, total } = out else {
        panic!("{out:?}")
    };
    assert_eq!(total, 4);
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6]);
    assert!(errors[0].reason.contains("Onbekende vakgroep"));
    assert!(errors[2].reason.contains("regel 2"));
    assert_eq!(
        budget::norm_times(&s, 2027, None).await.unwrap()[0].minutes,
        dec("99")
    );

    let good = vec![line(2, "car", "A", "10"), line(3, "CAR", "B", "7.5")];
    let mut tx = s.begin().await.unwrap();
    let out = budget::replace_norm_times(&mut tx, &admin(), 2027, &good)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert_eq!(out, BulkOutcome::Replaced { count: 2 });
    let list = budget::norm_times(&s, 2027, Some(car)).await.unwrap();
    assert_eq!(
        list.iter().map(|n| n.minutes).collect::<Vec<_>>(),
        vec![dec("10"), dec("7.5")]
    );
}

fn trend(
    year: i16,
    vakgroep_id: VakgroepId,
    products: Vec<CareProductId>,
    value: &str,
) -> TrendInputInput {
    TrendInputInput {
        year,
        vakgroep_id,
        scope: if products.is_empty() {
            ScopeKind::Vakgroep
        } else {
            ScopeKind::Zorgproducten
        },
        product_ids: products,
        kind: ChangeKind::Percentage,
        value: dec(value),
        category: TrendCategory::Demografie,
        rationale: "Vergrijzing".into(),
        source: "CBS".into(),
    }
}

async fn rep(pool: &PgPool, name: &str) -> Who {
    let id: i64 =
        sqlx::query_scalar("INSERT INTO person (email, name) VALUES ($1, $2) RETURNING id")
            .bind(format!("{}@example.nl", name.to_lowercase()))
            .bind(name)
            .fetch_one(pool)
            .await
            .unwrap();
    Who {
        id: Some(id),
        label: name.into(),
    }
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn trend_inputs_versions_workflow_and_compartments(pool: PgPool) {
    let s = store(pool.clone());
    let car = vakgroep(&pool, "CAR").await;
    let lon = vakgroep(&pool, "LON").await;
    let car_p = product(&s, car, "A").await;
    let lon_p = product(&s, lon, "B").await;
    let anna = rep(&pool, "Anna").await;

    let mut tx = s.begin().await.unwrap();
    let t_car = budget::create_trend_input(&mut tx, &anna, &trend(2027, car, vec![car_p], "2.5"))
        .await
        .unwrap();
    let t_lon = budget::create_trend_input(&mut tx, &anna, &trend(2027, lon, vec![], "-1"))
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();

    // A product of another vakgroep is refused by the database.
    let mut tx = s.begin().await.unwrap();
    let r = budget::create_trend_input(&mut tx, &anna, &trend(2027, car, vec![lon_p], "1")).await;
    assert!(matches!(r, Err(StoreError::InUse(_))), "{r:?}");
    drop(tx);

    // Compartments: CAR's list never shows LON's input, nor can it be fetched.
    let mine = budget::trend_inputs(&s, 2027, Seen::Vakgroepen(&[car]))
        .await
        .unwrap();
    assert_eq!(mine.iter().map(|t| t.id).collect::<Vec<_>>(), vec![t_car]);
    assert!(mine.iter().all(|t| t.vakgroep_id == car));
    assert_eq!(mine[0].product_codes, vec!["A"]);
    assert_eq!(mine[0].author_name.as_deref(), Some("Anna"));
    assert!(matches!(
        budget::trend_input(s.pool(), t_lon, Seen::Vakgroepen(&[car])).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        budget::trend_inputs(&s, 2027, Seen::Vakgroepen(&[]))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        budget::trend_history(&s, t_lon, Seen::Vakgroepen(&[car]))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        budget::trend_inputs(&s, 2027, Seen::All)
            .await
            .unwrap()
            .len(),
        2
    );

    // Two people edit the same version: the second gets a conflict.
    let mut tx = s.begin().await.unwrap();
    budget::update_trend_input(
        &mut tx,
        &anna,
        t_car,
        1,
        &trend(2027, car, vec![car_p], "3"),
    )
    .await
    .unwrap();
    gg_store::commit(tx).await.unwrap();
    let mut tx = s.begin().await.unwrap();
    let r =
        budget::update_trend_input(&mut tx, &anna, t_car, 1, &trend(2027, car, vec![], "4")).await;
    assert!(matches!(r, Err(StoreError::Conflict)));
    drop(tx);
    // Moving it to another vakgroep is refused.
    let mut tx = s.begin().await.unwrap();
    let r =
        budget::update_trend_input(&mut tx, &anna, t_car, 2, &trend(2027, lon, vec![], "4")).await;
    assert!(matches!(
        r,
        Err(StoreError::Invalid(Invalid::TrendInputMoved))
    ));
    drop(tx);

    // Workflow with history.
    let controller = rep(&pool, "Carl").await;
    let step = |who: Who, version: i32, to: TrendStatus, reason: &'static str| {
        let s = s.clone();
        async move {
            let mut tx = s.begin().await.unwrap();
            let r = budget::change_trend_status(&mut tx, &who, t_car, version, to, reason).await;
            if r.is_ok() {
                gg_store::commit(tx).await.unwrap();
            }
            r
        }
    };
    step(anna.clone(), 2, TrendStatus::Ingediend, "")
        .await
        .unwrap();
    assert!(matches!(
        step(controller.clone(), 3, TrendStatus::Verwerkt, "").await,
        Err(StoreError::Invalid(Invalid::Trend(
            TrendStatusError::NotAllowed { .. }
        )))
    ));
    assert!(matches!(
        step(controller.clone(), 3, TrendStatus::Teruggestuurd, " ").await,
        Err(StoreError::Invalid(Invalid::Trend(
            TrendStatusError::ReasonRequired
        )))
    ));
    step(
        controller.clone(),
        3,
        TrendStatus::Teruggestuurd,
        "Bron ontbreekt",
    )
    .await
    .unwrap();
    assert!(matches!(
        step(anna.clone(), 3, TrendStatus::Ingediend, "").await,
        Err(StoreError::Conflict)
    ));
    let t = budget::trend_input(s.pool(), t_car, Seen::Vakgroepen(&[car]))
        .await
        .unwrap();
    assert_eq!(t.status, TrendStatus::Teruggestuurd);
    assert_eq!(t.return_reason, "Bron ontbreekt");
    step(anna.clone(), 4, TrendStatus::Ingediend, "")
        .await
        .unwrap();
    step(controller.clone(), 5, TrendStatus::Geaccepteerd, "")
        .await
        .unwrap();
    // Accepted: no more edits.
    let mut tx = s.begin().await.unwrap();
    let r =
        budget::update_trend_input(&mut tx, &anna, t_car, 6, &trend(2027, car, vec![], "9")).await;
    assert!(matches!(
        r,
        Err(StoreError::Invalid(Invalid::Trend(
            TrendStatusError::NotEditable(TrendStatus::Geaccepteerd)
        )))
    ));
    drop(tx);

    let history = budget::trend_history(&s, t_car, Seen::Vakgroepen(&[car]))
        .await
        .unwrap();
    let steps: Vec<(&str, &str)> = history
        .iter()
        .map(|h| (h.from_status.code(), h.to_status.code()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("concept", "ingediend"),
            ("ingediend", "teruggestuurd"),
            ("teruggestuurd", "ingediend"),
            ("ingediend", "geaccepteerd"),
        ]
    );
    assert_eq!(history[1].reason, "Bron ontbreekt");
    assert_eq!(history[1].changed_by_name.as_deref(), Some("Carl"));
    assert_eq!(audit_count(&pool, "trend_input").await, 2 + 1 + 4);
}

fn scenario_input(year: i16, trend_input_ids: Vec<TrendInputId>) -> ScenarioDraft {
    ScenarioDraft {
        year,
        name: "Basis".into(),
        description: String::new(),
        reference_year: 2025,
        variant: PzVariant::Informatief,
        weights: Weights::REGULAR,
        earmarked_amount: Decimal::ZERO,
        grondslag: Grondslag::FormatiefFte,
        trend_input_ids,
        overrides: Vec::new(),
        previous: None,
    }
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn scenarios_and_engine_input(pool: PgPool) {
    let s = store(pool.clone());
    let car = vakgroep(&pool, "CAR").await;
    let lon = vakgroep(&pool, "LON").await;
    let a = product(&s, car, "A").await;
    let b = product(&s, car, "B").await;
    let c = product(&s, lon, "C").await;
    let who = admin();

    // Realised volumes of the reference year 2025 in two periods (period 1 imported twice: the
    // corrected file counts), and a period of 2024 that must not count.
    let imp = |year: i16, period: i16, csv: &'static str| {
        let s = s.clone();
        async move {
            let out = production::import(
                &s,
                &admin(),
                ImportRequest {
                    year,
                    period,
                    source_name: "dwh.csv",
                    data: csv.as_bytes(),
                },
                |_| {},
            )
            .await
            .unwrap();
            assert!(matches!(out, ImportOutcome::Imported(_)), "{out:?}");
        }
    };
    imp(2025, 1, "vakgroep;zorgproduct;volume\nCAR;A;100\nCAR;B;1\n").await;
    imp(
        2025,
        1,
        "vakgroep;zorgproduct;volume\nCAR;A;10\nCAR;B;2,5\n",
    )
    .await;
    imp(2025, 2, "vakgroep;zorgproduct;volume\nCAR;A;5\nLON;C;7\n").await;
    imp(2024, 2, "vakgroep;zorgproduct;volume\nCAR;A;1000\n").await;

    let mut tx = s.begin().await.unwrap();
    budget::set_norm_time(&mut tx, &who, 2027, a, None, dec("30"))
        .await
        .unwrap();
    budget::set_norm_time(&mut tx, &who, 2026, b, None, dec("45"))
        .await
        .unwrap();
    budget::set_normuren(&mut tx, &who, 2027, car, None, dec("1400"))
        .await
        .unwrap();
    budget::set_formatief(&mut tx, &who, 2027, lon, None, dec("4"), dec("0.5"))
        .await
        .unwrap();
    budget::create_kpi(
        &mut tx,
        &who,
        2027,
        &KpiInput {
            vakgroep_id: lon,
            kind: KpiKind::Efficiency,
            name: "OK-benutting".into(),
            direction: Direction::HigherIsBetter,
            reference_value: dec("0.85"),
            local_value: dec("0.8"),
            source: String::new(),
        },
    )
    .await
    .unwrap();
    let accepted = budget::create_trend_input(&mut tx, &who, &trend(2027, car, vec![a], "2.5"))
        .await
        .unwrap();
    let concept = budget::create_trend_input(&mut tx, &who, &trend(2027, lon, vec![], "1"))
        .await
        .unwrap();
    let other_year = budget::create_trend_input(&mut tx, &who, &trend(2026, lon, vec![], "1"))
        .await
        .unwrap();
    budget::change_trend_status(&mut tx, &who, accepted, 1, TrendStatus::Ingediend, "")
        .await
        .unwrap();
    budget::change_trend_status(&mut tx, &who, accepted, 2, TrendStatus::Geaccepteerd, "")
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();

    // Weights must add up to exactly 1: a scenario takes only checked `Weights` (and the
    // database's check says the same); trend inputs must be of the scenario's year.
    assert!(Weights::new(dec("0.8"), dec("0.2"), dec("0.1")).is_err());
    let mut tx = s.begin().await.unwrap();
    assert!(matches!(
        budget::create_scenario(&mut tx, &who, &scenario_input(2027, vec![other_year])).await,
        Err(StoreError::Invalid(Invalid::TrendInputYear { year: 2027 }))
    ));
    drop(tx);

    let mut input = scenario_input(2027, vec![concept, accepted]);
    let mut tx = s.begin().await.unwrap();
    let id = budget::create_scenario(&mut tx, &who, &input)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    input.overrides = vec![(lon, PzVariant::Geoormerkt)];
    input.variant = PzVariant::InNormFte;
    input.weights = Weights::WITH_PZ;
    let mut tx = s.begin().await.unwrap();
    budget::update_scenario(&mut tx, &who, id, 1, &input)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    let mut tx = s.begin().await.unwrap();
    assert!(matches!(
        budget::update_scenario(&mut tx, &who, id, 1, &input).await,
        Err(StoreError::Conflict)
    ));
    drop(tx);
    let sc = budget::scenario(s.pool(), id).await.unwrap();
    let mut ids = vec![concept, accepted];
    ids.sort();
    assert_eq!(sc.trend_input_ids, ids);
    assert_eq!(sc.variants.len(), 1);
    assert_eq!(budget::scenarios(&s, Some(2027)).await.unwrap().len(), 1);

    // The scenario is cited by an agreement: it cannot be deleted from under it.
    sqlx::query(
        "INSERT INTO agreement (kind, title, budget_scenario_id) VALUES ('financieel', 'Bod', $1)",
    )
    .bind(id.get())
    .execute(&pool)
    .await
    .unwrap();
    let r = sqlx::query("DELETE FROM budget_scenario WHERE id = $1")
        .bind(id.get())
        .execute(&pool)
        .await;
    assert!(r.is_err());

    let input = budget::engine_input(&s, id).await.unwrap();
    assert_eq!(input.baseline_periods, vec![1, 2]);
    assert_eq!(
        input
            .vakgroepen
            .iter()
            .map(|v| (
                v.code.as_str(),
                v.normuren_per_fte,
                v.formatief_fte,
                v.pz_variant
            ))
            .collect::<Vec<_>>(),
        vec![
            ("CAR", Some(dec("1400")), None, PzVariant::InNormFte),
            ("LON", None, Some(dec("4.5")), PzVariant::Geoormerkt)
        ]
    );
    let base: Vec<(&str, Option<Decimal>, Decimal)> = input
        .products
        .iter()
        .map(|p| (p.code.as_str(), p.norm_minutes, p.baseline_volume))
        .collect();
    assert_eq!(
        base,
        vec![
            ("A", Some(dec("30")), dec("15")),
            ("B", None, dec("2.5")),
            ("C", None, dec("7")),
        ]
    );
    assert_eq!(input.kpis.len(), 1);
    assert_eq!(input.trend_inputs.len(), 1);
    assert_eq!(input.trend_inputs[0].id, accepted);
    assert_eq!(input.trend_inputs[0].product_ids, vec![a]);
    let _ = (b, c);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn care_products_in_bulk_all_or_nothing_with_one_audit_entry(pool: PgPool) {
    let s = store(pool.clone());
    let car = vakgroep(&pool, "CAR").await;
    let input = |code: &str| CareProductInput {
        vakgroep_id: car,
        code: code.into(),
        description: format!("Product {code}"),
        active: true,
    };
    let mut tx = s.begin().await.unwrap();
    let n = budget::create_care_products(&mut tx, &admin(), &[input("1"), input(" 2 ")])
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    assert_eq!(n, 2);
    let codes: Vec<String> = budget::care_products(&s, Some(car))
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.code)
        .collect();
    assert_eq!(codes, ["1", "2"]);
    assert_eq!(audit_count(&pool, "care_product_list").await, 1);
    let after: String = sqlx::query_scalar(
        "SELECT after::text FROM audit_log WHERE object_type = 'care_product_list'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(after.contains(r#""codes": ["1", "2"]"#), "{after}");

    // One duplicate and nothing of the list is added.
    let mut tx = s.begin().await.unwrap();
    let dup = budget::create_care_products(&mut tx, &admin(), &[input("3"), input("1")]).await;
    assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");
    drop(tx);
    assert_eq!(budget::care_products(&s, Some(car)).await.unwrap().len(), 2);
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_kpi_is_found_by_id(pool: PgPool) {
    let s = store(pool.clone());
    let car = vakgroep(&pool, "CAR").await;
    let input = KpiInput {
        vakgroep_id: car,
        kind: KpiKind::Efficiency,
        name: "Ligduur".into(),
        direction: Direction::LowerIsBetter,
        reference_value: dec("4.2"),
        local_value: dec("4.6"),
        source: String::new(),
    };
    let mut tx = s.begin().await.unwrap();
    let id = budget::create_kpi(&mut tx, &admin(), 2026, &input)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    let k = budget::kpi(s.pool(), id).await.unwrap();
    assert_eq!(
        (k.year, k.name.as_str(), k.vakgroep_code.as_str()),
        (2026, "Ligduur", "CAR")
    );
    assert!(matches!(
        budget::kpi(s.pool(), id + 1).await,
        Err(StoreError::NotFound)
    ));
}

/// "Begroting vorig jaar" is a scenario of the year before: the store answers in Dutch, the
/// database's trigger refuses any other path, and a scenario another builds on cannot go.
#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn a_scenario_builds_on_one_of_the_year_before(pool: PgPool) {
    let s = store(pool.clone());
    let who = admin();
    let mut tx = s.begin().await.unwrap();
    let previous = budget::create_scenario(&mut tx, &who, &scenario_input(2026, vec![]))
        .await
        .unwrap();
    let input = ScenarioDraft {
        previous: Some(previous),
        ..scenario_input(2027, vec![])
    };
    let id = budget::create_scenario(&mut tx, &who, &input)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
    let stored = budget::scenario(s.pool(), id).await.unwrap();
    assert_eq!(stored.previous_scenario_id, Some(previous));
    assert_eq!(stored.previous_scenario_name.as_deref(), Some("Basis"));
    let audit: String = sqlx::query_scalar(
        "SELECT after::text FROM audit_log WHERE object_type = 'budget_scenario' AND object_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(
        audit.contains(&format!("\"previous_scenario_id\": {previous}")),
        "{audit}"
    );

    // A scenario of the same year, or of two years before, is not last year's budget.
    let mut tx = s.begin().await.unwrap();
    let other = ScenarioDraft {
        name: "Andere".into(),
        previous: Some(id),
        ..scenario_input(2027, vec![])
    };
    match budget::create_scenario(&mut tx, &who, &other).await {
        Err(StoreError::Invalid(Invalid::PreviousScenarioYear { year })) => assert_eq!(year, 2027),
        other => panic!("{other:?}"),
    }
    drop(tx);
    let wrong = sqlx::query(
        "INSERT INTO budget_scenario (year, name, reference_year, w_out, w_eff, w_pz, previous_scenario_id)
         VALUES (2028, 'Direct', 2026, 0.8, 0.2, 0, $1)",
    )
    .bind(previous.get())
    .execute(&pool)
    .await
    .unwrap_err();
    assert!(wrong.to_string().contains("is not of year 2027"), "{wrong}");

    // The scenario 2027 builds on 2026: that one cannot disappear from under it.
    let gone = sqlx::query("DELETE FROM budget_scenario WHERE id = $1")
        .bind(previous.get())
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(matches!(
        StoreError::from(gone),
        StoreError::InUse(c) if c == "budget_scenario_previous_scenario_id_fkey"
    ));
}
