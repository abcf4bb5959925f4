//! Monitoring (D10) against a real database: the adopted budget's norm hours against the
//! imported realisation, measured with the norm times the budget was adopted with, the year's
//! signal threshold, the reference year's profile, and realised products without a norm time.

mod common;

use common::{admin, adopt, scenario, store};
use gg_store::budget::{self, monitoring};
use gg_store::domain::budget::master::YearSettingsDraft;
use gg_store::domain::budget::monitoring::{ProfileKind, monitor};
use gg_store::production::{self, ImportOutcome, ImportRequest};
use gg_store::{PgPool, Store};
use sqlx::types::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

async fn import(s: &Store, year: i16, period: i16, lines: &str) {
    let data = format!("vakgroep;zorgproduct;volume\n{lines}");
    let out = production::import(
        s,
        &admin(),
        ImportRequest {
            year,
            period,
            source_name: "dwh.csv",
            data: data.as_bytes(),
        },
        |_| {},
    )
    .await
    .unwrap();
    assert!(matches!(out, ImportOutcome::Imported(_)), "{out:?}");
}

async fn settings(s: &Store, threshold: &str, version: Option<i32>) {
    let mut tx = s.begin().await.unwrap();
    let input = YearSettingsDraft {
        fee_budget: Some(dec("1000000.00")),
        fixed_share: dec("0.5"),
        band_min: None,
        band_max: None,
        signal_threshold: dec(threshold),
        note: String::new(),
    };
    budget::save_year(&mut tx, &admin(), 2027, version, &input)
        .await
        .unwrap();
    gg_store::commit(tx).await.unwrap();
}

/// CAR (1001: 30 min, 1002: 60 min, 1003 without a norm time) and LON (2001: 15 min), with a
/// complete reference year 2025 of flat production.
async fn hospital(pool: &PgPool, s: &Store) {
    settings(s, "0.05", None).await;
    sqlx::raw_sql(
        "INSERT INTO vakgroep (code, name, kind) VALUES ('CAR', 'Cardiologie', 'poortspecialisme'),
                                                        ('LON', 'Longziekten', 'poortspecialisme');
         INSERT INTO care_product (vakgroep_id, code)
         SELECT v.id, c FROM vakgroep v, unnest(ARRAY['1001','1002','1003']) c WHERE v.code = 'CAR';
         INSERT INTO care_product (vakgroep_id, code)
         SELECT v.id, '2001' FROM vakgroep v WHERE v.code = 'LON';
         INSERT INTO norm_time (year, care_product_id, vakgroep_id, minutes)
         SELECT 2027, p.id, p.vakgroep_id, m FROM care_product p
         JOIN (VALUES ('1001', 30), ('1002', 60), ('2001', 15)) AS t(code, m) ON t.code = p.code;
         INSERT INTO normuren_per_fte (year, vakgroep_id, hours) SELECT 2027, id, 1200 FROM vakgroep;
         INSERT INTO formatief_fte (year, vakgroep_id, fte_1a, fte_1b) SELECT 2027, id, 1, 0 FROM vakgroep;",
    )
    .execute(pool)
    .await
    .unwrap();
    for period in 1..=12 {
        import(s, 2025, period, "CAR;1001;10\nCAR;1002;5\nLON;2001;20\n").await;
    }
}

#[sqlx::test(migrator = "gg_store::MIGRATOR")]
async fn the_realisation_is_measured_against_the_adopted_budget(pool: PgPool) {
    let s = store(pool.clone());
    hospital(&pool, &s).await;
    assert!(
        monitoring::monitoring_source(&s, 2027)
            .await
            .unwrap()
            .is_none(),
        "not adopted yet"
    );
    let id = scenario(&s, 2027, "Basis").await;
    let adopted = adopt(&s, id).await;
    // After adoption the norm time of 1001 changes: the realisation is still measured with the
    // adopted 30 minutes, like H.
    sqlx::query("UPDATE norm_time SET minutes = 45 WHERE care_product_id = (SELECT id FROM care_product WHERE code = '1001')")
        .execute(&pool)
        .await
        .unwrap();
    for period in 1..=3 {
        import(
            &s,
            2027,
            period,
            "CAR;1001;12\nCAR;1002;5\nCAR;1003;4\nLON;2001;20\n",
        )
        .await;
    }

    let source = monitoring::monitoring_source(&s, 2027)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(source.adoption.id, adopted.id);
    assert_eq!(source.input.through_month, 3);
    assert_eq!(source.input.reference_months, [true; 12]);
    let m = monitor(&source.input).unwrap();
    let car = m.vakgroepen.iter().find(|v| v.code == "CAR").unwrap();
    let lon = m.vakgroepen.iter().find(|v| v.code == "LON").unwrap();
    // H: 120 × 30 / 60 + 60 × 60 / 60 = 120 hours; flat reference year, so 30 to date; realised
    // 3 × (12 × 30 + 5 × 60) / 60 = 33 hours: 10 % above, a signal at 5 %.
    assert_eq!(car.track.budget_hours, dec("120"));
    assert_eq!(car.profile.kind, ProfileKind::Reference);
    assert_eq!(car.track.months[2].cumulative_realised, Some(dec("33")));
    assert_eq!(car.track.months[2].cumulative_budget, dec("30"));
    let signal = car.track.signal.as_ref().expect("10 % above");
    assert_eq!(signal.deviation.fraction, Some(dec("0.1")));
    assert_eq!(car.without_norm_time, ["1003"]);
    // LON: H 240 × 15 / 60 = 60, realised 15 of 15 to date.
    assert!(lon.track.signal.is_none());
    assert_eq!(lon.track.months[2].cumulative_realised, Some(dec("15")));

    // The year's threshold is a setting.
    settings(&s, "0.15", Some(1)).await;
    let source = monitoring::monitoring_source(&s, 2027)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(source.input.threshold, dec("0.15"));
    let m = monitor(&source.input).unwrap();
    assert!(m.vakgroepen.iter().all(|v| v.track.signal.is_none()));

    // May imported before April: the realisation stops at March, the gap is not "no production".
    import(&s, 2027, 5, "CAR;1001;12\nCAR;1002;5\nLON;2001;20\n").await;
    let source = monitoring::monitoring_source(&s, 2027)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(source.input.through_month, 3);
    let m = monitor(&source.input).unwrap();
    let car = m.vakgroepen.iter().find(|v| v.code == "CAR").unwrap();
    assert_eq!(car.track.months[4].cumulative_realised, None);

    // A corrected period replaces the old one.
    import(&s, 2027, 3, "CAR;1001;10\nCAR;1002;5\nLON;2001;20\n").await;
    let source = monitoring::monitoring_source(&s, 2027)
        .await
        .unwrap()
        .unwrap();
    let m = monitor(&source.input).unwrap();
    let car = m.vakgroepen.iter().find(|v| v.code == "CAR").unwrap();
    assert_eq!(car.track.months[2].cumulative_realised, Some(dec("32")));
}
