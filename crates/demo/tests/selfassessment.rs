//! The demo hospital's self-assessment, loaded into a fresh database: three closed rounds whose
//! results differ between the boards on structure and systems, a round below the threshold, a
//! trend, and an open round with some members handed in — all through the store's submit.

use sqlx::PgPool;
use store::Store;
use store::domain::agreements::kinds::SevenS;
use store::domain::selfassessment::{BodyResult, RoundStatus, SideHidden, SideResult};
use store::selfassessment as sa;
use time::OffsetDateTime;

#[sqlx::test(migrator = "store::MIGRATOR")]
async fn the_demo_has_results_a_threshold_a_trend_and_an_open_round(pool: PgPool) {
    let s = Store::from_pool(pool.clone());
    let started = std::time::Instant::now();
    gg_demo::load(&s).await.unwrap();
    let took = started.elapsed();

    let rounds = sa::rounds(&s).await.unwrap();
    let statuses: Vec<RoundStatus> = rounds.iter().map(|r| r.status).collect();
    use RoundStatus::{Gesloten, Open};
    assert_eq!(statuses, [Open, Gesloten, Gesloten, Gesloten]);
    let year = store::domain::nl::to_amsterdam(OffsetDateTime::now_utc()).year();
    assert_eq!(rounds[0].title, format!("Zelfevaluatie {year}"));

    // The oldest round: VMS below the threshold, and with it the MSB+ side.
    let oldest = sa::closed_round(&s, rounds[3].id).await.unwrap().results();
    let vms = oldest
        .bodies
        .iter()
        .find(|b| b.name().contains("Medische Staf"))
        .unwrap();
    assert!(
        matches!(vms, BodyResult::TooFew { respondents: 2, .. }),
        "{vms:?}"
    );
    assert!(matches!(
        &oldest.msbplus,
        SideResult::Hidden {
            reason: SideHidden::SmallBodies { .. },
            ..
        }
    ));

    // The latest closed round: every body shown, the boards apart on structure and systems, close
    // on shared values.
    let latest = sa::closed_round(&s, rounds[1].id).await.unwrap().results();
    assert!(latest.bodies.iter().all(|b| b.figures().is_some()));
    let gap = |s: SevenS| latest.s_gaps[s].expect("both sides").gap;
    assert!(
        gap(SevenS::Structuur) < "-0.8".parse().unwrap(),
        "{}",
        gap(SevenS::Structuur)
    );
    assert!(
        gap(SevenS::Systemen) < "-0.8".parse().unwrap(),
        "{}",
        gap(SevenS::Systemen)
    );
    assert!(gap(SevenS::GedeeldeWaarden).abs() < "0.6".parse().unwrap());
    let first_comment = latest
        .bodies
        .iter()
        .filter_map(|b| b.figures())
        .any(|f| f.statements.iter().any(|st| !st.comments.is_empty()));
    assert!(first_comment, "some comments to show");

    // The trend: no score the oldest year, structure improving after.
    let trend = sa::alignments(&s).await.unwrap();
    assert_eq!(trend.len(), 3);
    assert_eq!(trend[0].overall, None);
    let structuur = |i: usize| trend[i].per_s[SevenS::Structuur].expect("a score");
    assert!(
        structuur(2) > structuur(1),
        "{} → {}",
        structuur(1),
        structuur(2)
    );

    // The open round: some handed in, one draft, the chairs still to answer.
    let open = &rounds[0];
    let counts: Vec<i64> = sa::participation(&s, open.id)
        .await
        .unwrap()
        .iter()
        .map(|c| c.respondents)
        .collect();
    assert_eq!(counts, [1, 2, 1, 1]);
    let people = store::people::list(&s).await.unwrap();
    let id = |email: &str| people.iter().find(|p| p.email == email).unwrap().id;
    let today = store::domain::nl::to_amsterdam(OffsetDateTime::now_utc()).date();
    let chair = sa::invitations(&s, id("m.vandenberg@rijnoever.example"), today)
        .await
        .unwrap();
    assert_eq!(chair.len(), 1);
    assert!(!chair[0].submitted);
    let drafting = sa::invitations(&s, id("f.elamrani@rijnoever.example"), today)
        .await
        .unwrap();
    assert_eq!(
        drafting[0].drafted * 2,
        drafting[0].statements - drafting[0].statements % 2
    );

    // Loading again changes nothing, and the audit chain is whole.
    let answers = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM sa_answer")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let before = answers().await;
    gg_demo::load(&s).await.unwrap();
    assert_eq!(answers().await, before);
    assert!(matches!(
        store::audit::verify(&s).await.unwrap(),
        store::audit::Verification::Intact { .. }
    ));
    assert!(took.as_secs() < 20, "the demo loads in {took:?}");
}
